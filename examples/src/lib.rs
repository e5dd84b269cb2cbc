//! Runnable examples of the Mollie Rust SDK; see the `*.rs` files beside this crate's
//! `Cargo.toml` and run one with `cargo run -p mollie-examples --example NAME`.
//!
//! Every example that talks to an API gets its client from [`connect`]: with
//! `MOLLIE_API_KEY` set it talks to Mollie (or to `MOLLIE_API_URL`), and without it to a
//! `mollie-mock` started inside the example's own process, so that all of them run with no
//! account, no key and no network.

pub mod webhook_receiver;

use std::error::Error;

use mollie_mock::MockServer;
use mollie_sdk::Mollie;

/// A test API key of Mollie's shape, for the embedded mock (which accepts any `test_` key).
pub const MOCK_API_KEY: &str = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";

/// Logs to stderr as `RUST_LOG` asks, e.g. `RUST_LOG=mollie=debug` for one line per call
/// (method, path, status, attempts, elapsed, request id, error kind) and per list page.
/// Without `RUST_LOG`, warnings only (such as a long wait on Mollie's `Retry-After`). Calling
/// it again does nothing.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Fails only when a subscriber is already set (a second call, or a test's own).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// A client for the examples, and the embedded mock it talks to if there is one.
///
/// Installs the logging of [`init_logging`] first.
///
/// - `MOLLIE_API_KEY` set (and not empty): [`Mollie::from_env`], i.e. Mollie's API, or the
///   server at `MOLLIE_API_URL` if that is set too. No mock: `None`.
/// - `MOLLIE_API_KEY` unset: starts a [`MockServer`] on a loopback port, prints
///   `MOLLIE_API_KEY is not set: running against an embedded mollie-mock at http://...`, and
///   returns a client with [`MOCK_API_KEY`] pointed at it. Keep the returned server alive
///   while the client is used: dropping it stops the mock.
///
/// # Errors
/// A malformed key or URL in the environment, or no free loopback port for the mock.
pub async fn connect() -> Result<(Mollie, Option<MockServer>), Box<dyn Error>> {
    init_logging();
    let key_is_set = std::env::var_os(mollie_sdk::core::API_KEY_ENV).is_some_and(|k| !k.is_empty());
    if key_is_set {
        let mollie = Mollie::from_env()?;
        println!(
            "MOLLIE_API_KEY is set: talking to {}",
            mollie.client().base_url()
        );
        return Ok((mollie, None));
    }
    let mock = MockServer::start().await?;
    println!(
        "MOLLIE_API_KEY is not set: running against an embedded mollie-mock at {}",
        mock.url()
    );
    let mollie = Mollie::builder()
        .api_key(MOCK_API_KEY)?
        .base_url(mock.url())
        .build()?;
    Ok((mollie, Some(mock)))
}

/// Prints a numbered step heading, so that the examples' output reads as a walk-through.
pub fn step(number: u32, what: &str) {
    println!("\n{number}. {what}");
}
