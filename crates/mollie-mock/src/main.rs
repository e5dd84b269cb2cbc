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

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: mollie-mock [--addr HOST:PORT] [--tls [--tls-cert-out PATH]]";

/// What the command line asks for.
struct Args {
    addr: SocketAddr,
    tls: bool,
    cert_out: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut parsed = Args {
        addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
        tls: false,
        cert_out: None,
    };
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
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => return Err(format!("unknown argument {arg:?}\n{USAGE}")),
        }
    }
    if parsed.cert_out.is_some() && !parsed.tls {
        return Err(format!("--tls-cert-out needs --tls\n{USAGE}"));
    }
    Ok(parsed)
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
    println!("mollie-mock listening on {}", server.url());
    if let Some(path) = cert_path {
        println!(
            "mollie-mock certificate (self-signed) written to {}",
            path.display()
        );
    }
    terminated().await;
    println!("mollie-mock shutting down");
    server.shutdown().await;
    ExitCode::SUCCESS
}
