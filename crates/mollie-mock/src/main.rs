//! `mollie-mock`: serves the fake Mollie API until Ctrl-C or SIGTERM.
//!
//! `mollie-mock [--addr HOST:PORT] [--tls [--tls-cert-out PATH]]` (default `127.0.0.1:8080`;
//! port 0 picks a free one). `--tls` serves HTTPS with a fresh self-signed certificate, which
//! it writes to PATH (default: `mollie-mock-PORT.pem` in the system's temp directory) before
//! it prints its URL, then prints where it wrote it.
//!
//! Next-gen webhook events are sent when `MOLLIE_MOCK_WEBHOOK_SIGNING_SECRET` is set (an
//! environment variable, so that the secret does not show in the process list), to
//! `MOLLIE_MOCK_EVENT_WEBHOOK_URL` if set, else to each payment's `webhookUrl`.
//!
//! `--rate-limit N [--rate-burst N]` (or `MOLLIE_MOCK_RATE_LIMIT` and `MOLLIE_MOCK_RATE_BURST`;
//! a flag wins over its variable) limits each API key or token to N requests per second, in
//! bursts of up to the burst (default N); beyond that, 429 with `Retry-After`. Off by default.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: mollie-mock [--addr HOST:PORT] [--tls [--tls-cert-out PATH]] [--rate-limit N [--rate-burst N]]";

/// What `--help` prints.
const HELP: &str = "\
Serves a fake of Mollie's API v2 until Ctrl-C or SIGTERM.

options:
  --addr HOST:PORT     where to listen (default 127.0.0.1:8080; port 0 picks a free one)
  --tls                serve HTTPS with a fresh self-signed certificate
  --tls-cert-out PATH  where to write it (default: mollie-mock-PORT.pem in the temp directory)
  --rate-limit N       at most N requests per second per API key or token; beyond that,
                       429 with Retry-After, as Mollie answers (default: no limit)
  --rate-burst N       how many requests a key or token may send at once (default: N of
                       --rate-limit)
  -h, --help           print this help

environment:
  MOLLIE_MOCK_RATE_LIMIT              as --rate-limit (the flag wins)
  MOLLIE_MOCK_RATE_BURST              as --rate-burst (the flag wins)
  MOLLIE_MOCK_WEBHOOK_SIGNING_SECRET  sign and send next-gen webhook events
  MOLLIE_MOCK_EVENT_WEBHOOK_URL       send them there (default: each payment's webhookUrl)";

/// What the command line (and, for the rate limit, the environment) asks for.
struct Args {
    addr: SocketAddr,
    tls: bool,
    cert_out: Option<PathBuf>,
    rate_limit: Option<mollie_mock::RateLimit>,
}

/// A rate or burst: a whole number from 1.
fn positive(name: &str, text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "{name} {text:?} is not a whole number from 1 to {}",
            u32::MAX
        )),
    }
}

/// The rate limit of the flags, else of the environment; `None`: no limit.
fn rate_limit(
    rate: Option<u32>,
    burst: Option<u32>,
) -> Result<Option<mollie_mock::RateLimit>, String> {
    let env = |name: &str| -> Result<Option<u32>, String> {
        match std::env::var(name).ok().filter(|s| !s.is_empty()) {
            Some(text) => positive(name, &text).map(Some),
            None => Ok(None),
        }
    };
    let rate = match rate {
        Some(rate) => Some(rate),
        None => env("MOLLIE_MOCK_RATE_LIMIT")?,
    };
    let burst = match burst {
        Some(burst) => Some(burst),
        None => env("MOLLIE_MOCK_RATE_BURST")?,
    };
    match (rate, burst) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(format!(
            "--rate-burst (or MOLLIE_MOCK_RATE_BURST) needs --rate-limit (or MOLLIE_MOCK_RATE_LIMIT)\n{USAGE}"
        )),
        (Some(rate), burst) => {
            let limit = mollie_mock::RateLimit::per_second(rate);
            Ok(Some(burst.map_or(limit, |b| limit.burst(b))))
        }
    }
}

fn parse_args() -> Result<Args, String> {
    let mut parsed = Args {
        addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
        tls: false,
        cert_out: None,
        rate_limit: None,
    };
    let (mut rate, mut burst) = (None, None);
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let Some(arg) = arg.to_str().map(str::to_owned) else {
            return Err(format!("unknown argument {arg:?}\n{USAGE}"));
        };
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name.to_owned(), Some(value.into())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match name.as_str() {
            "--addr" => {
                let text = value("--addr")?;
                let text = text.to_string_lossy();
                parsed.addr = text.parse().map_err(|_| {
                    format!("--addr {text:?} is not HOST:PORT (e.g. 127.0.0.1:8080)")
                })?;
            }
            "--tls" if inline.is_none() => parsed.tls = true,
            "--tls-cert-out" => parsed.cert_out = Some(PathBuf::from(value("--tls-cert-out")?)),
            "--rate-limit" => {
                let text = value("--rate-limit")?;
                rate = Some(positive("--rate-limit", &text.to_string_lossy())?);
            }
            "--rate-burst" => {
                let text = value("--rate-burst")?;
                burst = Some(positive("--rate-burst", &text.to_string_lossy())?);
            }
            "-h" | "--help" => {
                println!("{USAGE}\n\n{HELP}");
                std::process::exit(0);
            }
            _ => return Err(format!("unknown argument {arg:?}\n{USAGE}")),
        }
    }
    if parsed.cert_out.is_some() && !parsed.tls {
        return Err(format!("--tls-cert-out needs --tls\n{USAGE}"));
    }
    parsed.rate_limit = rate_limit(rate, burst)?;
    Ok(parsed)
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
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let addr = args.addr;
    let mut config = mollie_mock::MockConfig::new().addr(addr);
    if args.tls {
        config = config.tls_self_signed();
    }
    if let Some(limit) = args.rate_limit {
        config = config.rate_limit(limit);
    }
    if let Some(secret) = std::env::var("MOLLIE_MOCK_WEBHOOK_SIGNING_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
    {
        config = config.webhook_signing_secret(secret);
    }
    if let Some(url) = std::env::var("MOLLIE_MOCK_EVENT_WEBHOOK_URL")
        .ok()
        .filter(|s| !s.is_empty())
    {
        config = config.event_webhook_url(url);
    }
    let server = match config.start().await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("mollie-mock: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The certificate is written before the URL is printed, so that whoever waits for the
    // URL can trust the certificate right away.
    let cert_path = match server.certificate_pem() {
        Some(pem) => {
            let path = args.cert_out.unwrap_or_else(|| {
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
    stop.await;
    println!("mollie-mock shutting down");
    server.shutdown().await;
    ExitCode::SUCCESS
}
