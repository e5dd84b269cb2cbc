//! `mollie-mock`: serves the fake Mollie API until Ctrl-C or SIGTERM.
//!
//! `mollie-mock [--addr HOST:PORT]` (default `127.0.0.1:8080`; port 0 picks a free one).
//!
//! Next-gen webhook events are sent when `MOLLIE_MOCK_WEBHOOK_SIGNING_SECRET` is set (an
//! environment variable, so that the secret does not show in the process list), to
//! `MOLLIE_MOCK_EVENT_WEBHOOK_URL` if set, else to each payment's `webhookUrl`.

use std::net::SocketAddr;
use std::process::ExitCode;

const USAGE: &str = "usage: mollie-mock [--addr HOST:PORT]";

fn parse_args() -> Result<SocketAddr, String> {
    let mut addr: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "--addr" => args
                .next()
                .ok_or_else(|| format!("--addr needs a value\n{USAGE}"))?,
            other if other.starts_with("--addr=") => other["--addr=".len()..].to_owned(),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        };
        addr = value
            .parse()
            .map_err(|_| format!("--addr {value:?} is not HOST:PORT (e.g. 127.0.0.1:8080)"))?;
    }
    Ok(addr)
}

async fn terminated() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
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

#[tokio::main]
async fn main() -> ExitCode {
    let addr = match parse_args() {
        Ok(addr) => addr,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut config = mollie_mock::MockConfig::new().addr(addr);
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
    println!("mollie-mock listening on {}", server.url());
    terminated().await;
    println!("mollie-mock shutting down");
    server.shutdown().await;
    ExitCode::SUCCESS
}
