//! `mollie-mock`: serves the fake Mollie API until Ctrl-C or SIGTERM.
//!
//! `mollie-mock --help` documents every option, the control API, the fault syntax and the
//! state files; each option can also be set by an environment variable `MOLLIE_MOCK_<NAME>`
//! (a flag wins over its variable). The crate docs describe the rest.
//!
//! What it prints on stdout is a protocol that scripts wait for: first
//! `mollie-mock listening on URL` (once it serves, with the `--state` or `--seed` objects
//! loaded), then with `--tls` where it wrote the certificate; on shutdown
//! `mollie-mock shutting down`, and with `--state` where it saved the state. `--log` writes
//! one line per API request to stderr.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches, Parser};
use mollie_mock::{MockServer, RecordedRequest};

/// What `--help` adds after the options: the environment, the fault syntax, the control API
/// and the state format (the crate docs have the details).
const LONG_HELP: &str = "\
Environment:
  Every option above also reads its MOLLIE_MOCK_<NAME> variable (shown with each); a flag
  wins over its variable. And:
  MOLLIE_MOCK_WEBHOOK_SIGNING_SECRET  sign next-gen webhook events (X-Mollie-Signature) and
                                      send them, to --event-webhook-url or else to each
                                      payment's webhookUrl (a variable only, so that the
                                      secret stays out of the process list)

Faults (per request in the X-Mock-Fault header, or queued with POST /__mock/faults):
  A fault is `part;part...` of:
  status=CODE               answer CODE (400..=599) with Mollie's error body, unprocessed
  retry-after=SECONDS       with status: the Retry-After header (429 defaults to 1)
  delay-ms=MS               wait first (at most 60000; POST /__mock/release ends the wait)
  drop                      close the connection without a response, unprocessed
  fail-after-commit[=CODE]  process and store the request (idempotency key included), then
                            answer CODE (default 500): how duplicate charges happen
  fail-after-commit=drop    process and store it, then close the connection
  e.g. `X-Mock-Fault: status=429;retry-after=0`, or
  curl -X POST localhost:8080/__mock/faults \\
    -d '{\"fault\": \"fail-after-commit=drop\", \"count\": 1, \"match\": \"POST /v2/payments\"}'

Control API (under /__mock/; no auth, JSON; never faulted or rate limited):
  POST /__mock/faults                       queues a fault for the next matching requests: {\"fault\":
                                            \"status=503\", \"count\": 2, \"match\": \"POST /v2/customers\"}
  GET | DELETE /__mock/faults               the queued faults; empty the queue
  POST /__mock/payments/ID/status           {\"status\": \"paid\"}: what the customer did (paid, failed,
                                            canceled, expired, authorized); sends the webhooks
  POST /__mock/refunds/ID/status            {\"status\": \"refunded\"}: moves a refund; webhooks
  POST /__mock/payments/ID/chargebacks      charges a paid payment back ({\"amount\", \"reason\"})
  POST /__mock/chargebacks/ID/reverse       reverses a chargeback
  POST /__mock/subscriptions/ID/fail-next   its next payment fails ({\"reason\": \"AM04\"})
  GET /__mock/clock                         {\"now\", \"offsetSeconds\"}
  POST /__mock/clock                        {\"advance\": \"4 months\"}, {\"advanceSeconds\": N} or {\"set\": TIME}:
                                            time moves forward, and what falls due runs, in order
  GET /__mock/state                         every object and the clock offset (the State format)
  PUT /__mock/state                         replaces the objects with a state (422 naming the field)
  GET | DELETE /__mock/requests             the request log; clear it
  GET | DELETE /__mock/webhooks             the webhook deliveries and their attempts; clear them
  POST /__mock/reset                        forgets everything (objects, keys, faults, logs)
  POST /__mock/release                      ends every delay-ms wait now
  GET /__mock/health                        {\"status\": \"ok\", \"objects\": N}

State (--seed, --state, GET and PUT /__mock/state), a JSON document:
  {\"version\": 1, \"clockOffsetSeconds\": 0, \"customers\": [...], \"mandates\": [...],
   \"payments\": [...], \"subscriptions\": [...], \"refunds\": [...], \"chargebacks\": [...]}
  Each record is the object as the API shows it (without _links); a seed gives only what it
  needs (mode defaults to test, createdAt to now, ids are made up when left out):
  {\"customers\": [{\"id\": \"cst_jane\", \"name\": \"Jane Doe\"}],
   \"mandates\": [{\"customerId\": \"cst_jane\", \"method\": \"directdebit\", \"details\":
                 {\"consumerName\": \"Jane Doe\", \"consumerAccount\": \"NL55INGB0000000000\"}}]}
  With --state, FILE is loaded at start if it exists (else --seed is) and written on
  shutdown (Ctrl-C, SIGTERM).

Documentation: https://docs.rs/mollie-mock";

/// Serves a fake of Mollie's API v2 until Ctrl-C or SIGTERM
///
/// Customers, mandates, payments, refunds, chargebacks and subscriptions, with a clock that
/// moves forward on request and fault injection. Any test_... or live_... key is accepted.
/// It prints `mollie-mock listening on URL` once it serves.
#[derive(Debug, Parser)]
#[command(
    name = "mollie-mock",
    version,
    verbatim_doc_comment,
    after_help = "--help also lists the environment, the fault syntax, the control API and the state format.",
    after_long_help = LONG_HELP
)]
struct Cli {
    /// Where to listen (port 0 picks a free one)
    #[arg(
        long,
        env = "MOLLIE_MOCK_ADDR",
        value_name = "HOST:PORT",
        default_value = "127.0.0.1:8080",
        value_parser = address
    )]
    addr: SocketAddr,

    /// Serve HTTPS with a fresh self-signed certificate
    ///
    /// The certificate is made at start for localhost, 127.0.0.1 and ::1.
    #[arg(long, env = "MOLLIE_MOCK_TLS", value_parser = BoolishValueParser::new())]
    tls: bool,

    /// With --tls: where to write the certificate
    ///
    /// Default: mollie-mock-PORT.pem in the system's temp directory.
    #[arg(long, env = "MOLLIE_MOCK_TLS_CERT_OUT", value_name = "PATH")]
    tls_cert_out: Option<PathBuf>,

    /// At most N requests per second per API key or token (default: no limit)
    ///
    /// Beyond that, 429 with Mollie's error body and Retry-After, as Mollie answers.
    #[arg(
        long,
        env = "MOLLIE_MOCK_RATE_LIMIT",
        value_name = "N",
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    rate_limit: Option<u32>,

    /// With --rate-limit: how many requests may come at once (default: N of --rate-limit)
    #[arg(
        long,
        env = "MOLLIE_MOCK_RATE_BURST",
        value_name = "N",
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    rate_burst: Option<u32>,

    /// Print one line per API request to stderr
    ///
    /// Method, path, status (or `dropped`), idempotency key, `replayed`, fault; e.g.
    /// POST /v2/payments 201 idempotency-key="k1" fault="fail-after-commit".
    #[arg(long, env = "MOLLIE_MOCK_LOG", value_parser = BoolishValueParser::new())]
    log: bool,

    /// Start with the objects of this state file (see State below)
    ///
    /// Customers, mandates, payments, subscriptions, refunds, chargebacks.
    #[arg(long, env = "MOLLIE_MOCK_SEED", value_name = "FILE")]
    seed: Option<PathBuf>,

    /// Keep the state in FILE: loaded at start, saved on shutdown
    ///
    /// Loaded at start if it exists (then --seed is not used), written on Ctrl-C or SIGTERM.
    #[arg(long, env = "MOLLIE_MOCK_STATE", value_name = "FILE")]
    state: Option<PathBuf>,

    /// Where next-gen webhook events go (default: each payment's webhookUrl)
    ///
    /// Events are sent when MOLLIE_MOCK_WEBHOOK_SIGNING_SECRET is set.
    #[arg(long, env = "MOLLIE_MOCK_EVENT_WEBHOOK_URL", value_name = "URL")]
    event_webhook_url: Option<String>,

    /// The largest request body accepted; larger ones get a 413
    ///
    /// The control API's too: raise it to PUT a large state.
    #[arg(
        long,
        env = "MOLLIE_MOCK_MAX_BODY_BYTES",
        value_name = "BYTES",
        default_value_t = 64 * 1024,
        value_parser = clap::value_parser!(u64).range(1..=(1 << 30))
    )]
    max_body_bytes: u64,

    /// The most objects stored together (default 100000); beyond it, a new one gets a 422
    #[arg(long, env = "MOLLIE_MOCK_MAX_OBJECTS", value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    max_objects: Option<u64>,

    /// How much memory the stored objects may take (default 268435456, 256 MiB)
    #[arg(long, env = "MOLLIE_MOCK_MAX_OBJECT_BYTES", value_name = "BYTES",
          value_parser = clap::value_parser!(u64).range(1024..=(1 << 40)))]
    max_object_bytes: Option<u64>,

    /// The most connections served at once (default 1000, at most the open-file limit less
    /// 64); beyond it, the oldest connection not in a request is closed to make room
    #[arg(long, env = "MOLLIE_MOCK_MAX_CONNECTIONS", value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_connections: Option<u64>,

    /// Seconds a client has to send a request's headers (default 10)
    #[arg(long, env = "MOLLIE_MOCK_HEADER_TIMEOUT", value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout: Option<u64>,

    /// Seconds a client has to send a request's body (default 30)
    #[arg(long, env = "MOLLIE_MOCK_BODY_TIMEOUT", value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    body_timeout: Option<u64>,

    /// Seconds an idle keep-alive connection stays open (default 60)
    #[arg(long, env = "MOLLIE_MOCK_IDLE_TIMEOUT", value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    idle_timeout: Option<u64>,
}

/// `HOST:PORT`.
fn address(text: &str) -> Result<SocketAddr, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{text:?} is not HOST:PORT (e.g. 127.0.0.1:8080)"))
}

/// Exits with clap's usage error (code 2) for options that do not go together.
fn usage_error(message: &str) -> ! {
    Cli::command()
        .error(ErrorKind::MissingRequiredArgument, message)
        .exit()
}

/// Exits with clap's error; for a bad value that came from a `MOLLIE_MOCK_*` variable
/// (clap names only the option), says which variable.
fn exit_naming_the_source(error: &clap::Error) -> ! {
    use clap::error::{ContextKind, ContextValue};
    let _ = error.print();
    if matches!(
        error.kind(),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation
    ) && let Some(ContextValue::String(arg)) = error.get(ContextKind::InvalidArg)
        && let Some(long) = arg.split(' ').next().filter(|l| l.starts_with("--"))
    {
        let variable = format!(
            "MOLLIE_MOCK_{}",
            long.trim_start_matches('-')
                .to_ascii_uppercase()
                .replace('-', "_")
        );
        let on_the_command_line = std::env::args_os()
            .skip(1)
            .any(|a| a.to_string_lossy().split('=').next() == Some(long));
        if !on_the_command_line && std::env::var_os(&variable).is_some() {
            eprintln!("(the value is {variable}'s)");
        }
    }
    std::process::exit(error.exit_code())
}

impl Cli {
    /// The options, checked together. An empty variable counts as unset (as in
    /// `MOLLIE_MOCK_RATE_LIMIT= mollie-mock`, or a compose file's `${RATE:-}`).
    fn checked() -> Self {
        let mut command = Cli::command();
        let empty: Vec<clap::Id> = command
            .get_arguments()
            .filter(|arg| {
                arg.get_env()
                    .and_then(std::env::var_os)
                    .is_some_and(|value| value.is_empty())
            })
            .map(|arg| arg.get_id().clone())
            .collect();
        for id in empty {
            command = command.mut_arg(id, |arg| arg.env(None));
        }
        let matches = command
            .try_get_matches()
            .unwrap_or_else(|e| exit_naming_the_source(&e));
        let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        if cli.tls_cert_out.is_some() && !cli.tls {
            usage_error("--tls-cert-out needs --tls");
        }
        if cli.rate_burst.is_some() && cli.rate_limit.is_none() {
            usage_error(
                "--rate-burst (or MOLLIE_MOCK_RATE_BURST) needs --rate-limit (or MOLLIE_MOCK_RATE_LIMIT)",
            );
        }
        cli
    }

    fn config(&self) -> mollie_mock::MockConfig {
        let mut config = mollie_mock::MockConfig::new()
            .addr(self.addr)
            .max_body_bytes(usize::try_from(self.max_body_bytes).unwrap_or(usize::MAX));
        if self.tls {
            config = config.tls_self_signed();
        }
        let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        if let Some(n) = self.max_objects {
            config = config.max_objects(size(n));
        }
        if let Some(n) = self.max_object_bytes {
            config = config.max_object_bytes(size(n));
        }
        if let Some(n) = self.max_connections {
            config = config.max_connections(size(n));
        }
        if let Some(s) = self.header_timeout {
            config = config.header_timeout(std::time::Duration::from_secs(s));
        }
        if let Some(s) = self.body_timeout {
            config = config.body_timeout(std::time::Duration::from_secs(s));
        }
        if let Some(s) = self.idle_timeout {
            config = config.idle_timeout(std::time::Duration::from_secs(s));
        }
        if let Some(rate) = self.rate_limit {
            let limit = mollie_mock::RateLimit::per_second(rate);
            config = config.rate_limit(self.rate_burst.map_or(limit, |b| limit.burst(b)));
        }
        if let Some(secret) = std::env::var("MOLLIE_MOCK_WEBHOOK_SIGNING_SECRET")
            .ok()
            .filter(|s| !s.is_empty())
        {
            config = config.webhook_signing_secret(secret);
        }
        if let Some(url) = self.event_webhook_url.as_deref().filter(|u| !u.is_empty()) {
            config = config.event_webhook_url(url);
        }
        config
    }

    /// The state to start with: the `--state` file if it exists, else the `--seed` file.
    /// Read before the port is bound, so that a bad file stops the program at once (and a
    /// bad `--state` file is never overwritten by an empty state on shutdown).
    fn initial_state(&self) -> Result<Option<(PathBuf, serde_json::Value)>, String> {
        let file = match &self.state {
            Some(path) if path.exists() => Some(path),
            Some(path) => {
                let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
                if let Some(dir) = dir.filter(|d| !d.is_dir()) {
                    return Err(format!(
                        "cannot keep the state in {}: the directory {} does not exist",
                        path.display(),
                        dir.display()
                    ));
                }
                self.seed.as_ref()
            }
            None => self.seed.as_ref(),
        };
        let Some(path) = file else {
            return Ok(None);
        };
        let text = std::fs::read(path)
            .map_err(|e| format!("cannot read the state in {}: {e}", path.display()))?;
        let doc = serde_json::from_slice(&text)
            .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        Ok(Some((path.clone(), doc)))
    }
}

/// Follows the request log for `--log`: prints each request once it is answered (or
/// dropped), in the order they finish. It looks entries up one by one
/// ([`MockServer::request`]), never copying the whole log.
#[derive(Debug)]
struct Tail {
    /// The first request number not looked at yet.
    next: u64,
    /// Requests seen in flight, to print once they finish.
    pending: BTreeSet<u64>,
}

impl Tail {
    fn new() -> Self {
        Self {
            next: 1,
            pending: BTreeSet::new(),
        }
    }

    /// The lines of the requests that finished since the last call.
    fn poll(&mut self, server: &MockServer) -> Vec<String> {
        let mut lines = Vec::new();
        self.pending.retain(|&seq| match server.request(seq) {
            // Gone from the log (cleared, or pushed out by newer requests).
            None => false,
            Some(r) if finished(&r) => {
                lines.push(line(&r));
                false
            }
            Some(_) => true,
        });
        loop {
            match server.request(self.next) {
                Some(r) => {
                    if finished(&r) {
                        lines.push(line(&r));
                    } else {
                        self.pending.insert(self.next);
                    }
                    self.next += 1;
                }
                None => match self.resync(server) {
                    Some(seq) => self.next = seq,
                    None => return lines,
                },
            }
        }
    }

    /// Prints what finished since the last call to stderr.
    fn print(&mut self, server: &MockServer) {
        for line in self.poll(server) {
            eprintln!("{line}");
        }
    }

    /// When request `next` is not in the log, either nothing newer came (the usual case) or
    /// the log lost it (`DELETE /__mock/requests`, a reset, or more requests than the log
    /// keeps arrived between two polls). The log holds one run of numbers, so the oldest
    /// one it has after `next` is found by probing ahead, then bisecting.
    fn resync(&self, server: &MockServer) -> Option<u64> {
        let found = (0..48)
            .filter_map(|k| self.next.checked_add(1 << k))
            .find(|&seq| server.request(seq).is_some())?;
        let (mut absent, mut present) = (self.next, found);
        while present - absent > 1 {
            let mid = absent + (present - absent) / 2;
            if server.request(mid).is_some() {
                present = mid;
            } else {
                absent = mid;
            }
        }
        Some(present)
    }
}

fn finished(r: &RecordedRequest) -> bool {
    r.status.is_some() || r.dropped
}

/// `POST /v2/payments 201 idempotency-key="k1" replayed fault="fail-after-commit"`. The key
/// and the fault are quoted and escaped: whatever a client sends cannot forge a log line.
fn line(r: &RecordedRequest) -> String {
    let mut line = format!("{} {}", r.method, r.path);
    if let Some(query) = &r.query {
        let _ = write!(line, "?{query}");
    }
    match r.status {
        Some(status) => {
            let _ = write!(line, " {status}");
        }
        None => line.push_str(" dropped"),
    }
    if let Some(key) = &r.idempotency_key {
        let _ = write!(line, " idempotency-key={key:?}");
    }
    if r.replayed {
        line.push_str(" replayed");
    }
    if let Some(fault) = &r.fault {
        let _ = write!(line, " fault={fault:?}");
    }
    line
}

/// Writes the state to `path` whole or not at all (a temporary file beside it, renamed).
fn save_state(server: &MockServer, path: &Path) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(&server.export_state())?;
    text.push('\n');
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path)
}

/// Ends on Ctrl-C or SIGTERM. The SIGTERM handler is installed by the call, not when the
/// future is first polled, so that a SIGTERM sent as soon as the URL is printed is caught.
fn terminated() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    async move {
        #[cfg(unix)]
        {
            let mut term = match term {
                Ok(term) => term,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::checked();
    let initial = match cli.initial_state() {
        Ok(initial) => initial,
        Err(message) => {
            eprintln!("mollie-mock: {message}");
            return ExitCode::FAILURE;
        }
    };
    let addr = cli.addr;
    let server = match cli.config().start().await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("mollie-mock: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some((path, doc)) = &initial
        && let Err(error) = server.import_state(doc)
    {
        let field = error
            .field
            .as_deref()
            .map(|f| format!(" (field {f})"))
            .unwrap_or_default();
        eprintln!(
            "mollie-mock: cannot load {}: {}{field}",
            path.display(),
            error.detail
        );
        server.shutdown().await;
        return ExitCode::FAILURE;
    }
    // The certificate is written before the URL is printed, so that whoever waits for the
    // URL can trust the certificate right away.
    let cert_path = match server.certificate_pem() {
        Some(pem) => {
            let path = cli.tls_cert_out.clone().unwrap_or_else(|| {
                // One file per port: mocks running side by side keep their own.
                std::env::temp_dir().join(format!("mollie-mock-{}.pem", server.addr().port()))
            });
            if let Err(e) = std::fs::write(&path, pem) {
                eprintln!(
                    "mollie-mock: cannot write the certificate to {}: {e}",
                    path.display()
                );
                server.shutdown().await;
                return ExitCode::FAILURE;
            }
            Some(path)
        }
        None => None,
    };
    let stop = terminated();
    println!("mollie-mock listening on {}", server.url());
    if let Some(path) = cert_path {
        println!(
            "mollie-mock certificate (self-signed) written to {}",
            path.display()
        );
    }
    if let Some((path, _)) = &initial {
        println!("mollie-mock loaded {}", path.display());
    }

    let mut tail = cli.log.then(Tail::new);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            _ = tick.tick(), if tail.is_some() => {
                if let Some(tail) = tail.as_mut() {
                    tail.print(&server);
                }
            }
        }
    }
    println!("mollie-mock shutting down");
    if let Some(tail) = tail.as_mut() {
        tail.print(&server);
    }
    let mut code = ExitCode::SUCCESS;
    if let Some(path) = &cli.state {
        match save_state(&server, path) {
            Ok(()) => println!("mollie-mock state saved to {}", path.display()),
            Err(e) => {
                eprintln!(
                    "mollie-mock: cannot save the state to {}: {e}",
                    path.display()
                );
                code = ExitCode::FAILURE;
            }
        }
    }
    server.shutdown().await;
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn send(server: &MockServer, fault: Option<&str>) -> u16 {
        let mut request = reqwest::Client::new()
            .get(format!("{}/v2/customers", server.url()))
            .bearer_auth("test_abc");
        if let Some(fault) = fault {
            request = request.header("X-Mock-Fault", fault);
        }
        request.send().await.map_or(0, |r| r.status().as_u16())
    }

    #[tokio::test]
    async fn the_tail_prints_each_request_once_when_it_finishes() {
        let server = MockServer::start().await.expect("starts");
        let mut tail = Tail::new();
        assert!(tail.poll(&server).is_empty());
        send(&server, None).await;
        send(&server, Some("status=502")).await;
        assert_eq!(
            tail.poll(&server),
            [
                "GET /v2/customers 200",
                "GET /v2/customers 502 fault=\"status=502\""
            ]
        );
        assert!(tail.poll(&server).is_empty(), "printed once");
        // What a client sends is quoted and escaped.
        let replayed = reqwest::Client::new()
            .post(format!("{}/v2/customers", server.url()))
            .bearer_auth("test_abc")
            .header("Idempotency-Key", "k\"1 \\x")
            .body("{}");
        let first = replayed.try_clone().expect("a plain body").send().await;
        assert_eq!(first.expect("answered").status(), 201);
        assert_eq!(replayed.send().await.expect("answered").status(), 201);
        assert_eq!(
            tail.poll(&server),
            [
                r#"POST /v2/customers 201 idempotency-key="k\"1 \\x""#,
                r#"POST /v2/customers 201 idempotency-key="k\"1 \\x" replayed"#,
            ]
        );

        // A request still in flight is printed when it ends.
        let held = {
            let url = server.url().to_owned();
            tokio::spawn(async move {
                reqwest::Client::new()
                    .get(format!("{url}/v2/customers?limit=1"))
                    .bearer_auth("test_abc")
                    .header("X-Mock-Fault", "delay-ms=60000")
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        };
        // Held in its processing window, where a release reaches it.
        while !server.requests().get(4).is_some_and(|r| r.processing) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(tail.poll(&server).is_empty());
        assert_eq!(tail.pending.len(), 1);
        server.release();
        assert_eq!(held.await.expect("joins").expect("answered"), 200);
        assert_eq!(
            tail.poll(&server),
            ["GET /v2/customers?limit=1 200 fault=\"delay-ms=60000\""]
        );
        server.shutdown().await;
    }

    #[tokio::test]
    async fn the_tail_finds_its_way_after_the_log_lost_requests() {
        let server = mollie_mock::MockConfig::new()
            .max_logged_requests(3)
            .start()
            .await
            .expect("starts");
        let mut tail = Tail::new();
        send(&server, None).await;
        assert_eq!(tail.poll(&server).len(), 1);
        // Ten requests between two polls, in a log of three: the last three are printed.
        for _ in 0..10 {
            send(&server, None).await;
        }
        assert_eq!(tail.poll(&server).len(), 3);
        assert_eq!(tail.next, 12);
        // Cleared between two polls: what follows is printed.
        send(&server, None).await;
        server.reset();
        send(&server, Some("status=503")).await;
        assert_eq!(
            tail.poll(&server),
            ["GET /v2/customers 503 fault=\"status=503\""]
        );
        assert!(tail.poll(&server).is_empty());
        server.shutdown().await;
    }
}
