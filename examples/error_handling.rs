//! What goes wrong, and how it looks: one typed [`mollie_sdk::Error`] that tells apart input
//! refused before sending, Mollie's refusals (404, 422 with the field), rate limiting with
//! `Retry-After`, timeouts and transport failures, and says which are worth retrying.
//!
//! Run: `cargo run -p mollie-examples --example error_handling` (no key needed). The rate
//! limit and timeout steps inject faults into the embedded mock and are skipped against a
//! real API.

use std::error::Error as _;
use std::process::ExitCode;
use std::time::Duration;

use mollie_examples::{connect, step};
use mollie_sdk::{
    CustomerId, Error, Iban, Mollie, Money, NewCustomer, NewPayment, RequestOptions, RetryPolicy,
};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What an application would do with an error, decided by its variant. `Error` is
/// `#[non_exhaustive]`: keep a catch-all arm for variants added later.
fn explain(error: &Error) -> String {
    let what = match error {
        Error::InvalidInput(refused) => format!(
            "InvalidInput: nothing was sent; fix `{}`: {}",
            refused.field(),
            refused.reason()
        ),
        Error::Api {
            status, response, ..
        } => format!(
            "Api: HTTP {status} \"{}\": {}{}",
            response.title,
            response.detail,
            response
                .field
                .as_deref()
                .map(|f| format!(" (field `{f}`)"))
                .unwrap_or_default()
        ),
        Error::RateLimited { retry_after, .. } => format!(
            "RateLimited: Mollie asks to wait {}",
            retry_after.map_or("(unspecified)".to_owned(), |d| format!("{}s", d.as_secs()))
        ),
        Error::Timeout { kind, attempts, .. } => {
            format!("Timeout: {kind} after {attempts} attempt(s)")
        }
        Error::Transport { .. } => format!(
            "Transport: {error} (cause: {})",
            error.source().map_or("-".to_owned(), |s| s.to_string())
        ),
        Error::UnexpectedResponse { status, reason, .. } => {
            format!("UnexpectedResponse: HTTP {status}: {reason}")
        }
        Error::Config(config) => format!("Config: {config}"),
        other => format!("another error: {other}"),
    };
    let key = error
        .idempotency_key()
        .map(|k| format!(", idempotency key {k}"))
        .unwrap_or_default();
    // The outcome is what a payment service decides on: not sent, rejected, unknown (send
    // again with the same key), or committed (it happened: never again under a new key).
    format!(
        "   {what}\n   -> outcome: {:?}, retryable: {}{key}",
        error.outcome(),
        error.is_retryable()
    )
}

/// Prints how `result`'s error looks; success is unexpected here.
fn show<T>(result: Result<T, Error>) -> Result<(), Box<dyn std::error::Error>> {
    match result {
        Err(error) => {
            println!("   Display: {error}");
            println!("{}", explain(&error));
            Ok(())
        }
        Ok(_) => Err("the call succeeded, but this step expects an error".into()),
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (mollie, mock) = connect().await?;

    step(1, "Refused before sending: a bad `limit`");
    show(mollie.customers().list().limit(500).await)?;

    step(
        2,
        "Refused before sending: an IBAN with wrong check digits, an id of the wrong shape",
    );
    // Model constructors return a `ValidationError`; `?` turns it into `Error::InvalidInput`.
    show(Iban::parse("NL56 INGB 0000 0000 00").map_err(Error::from))?;
    show(CustomerId::parse("../payments").map_err(Error::from))?;

    step(3, "Refused before sending: a payment without a description");
    let somebody = CustomerId::parse("cst_8wmqcHMN4U")?;
    let mandate = mollie_sdk::MandateId::parse("mdt_h3gAaD5zP")?;
    show(
        mollie
            .customer_payments(&somebody)
            .create(NewPayment::recurring(Money::eur("10.00")?, "  ", &mandate))
            .await,
    )?;

    step(
        4,
        "A bad key, refused when the client is built (and never echoed)",
    );
    show(
        Mollie::builder()
            .api_key("sk_live_0123456789abcdef")
            .map(|_| ()),
    )?;

    step(5, "404: no such customer");
    let missing = CustomerId::parse("cst_doesNotExist")?;
    let result = mollie.customers().get(&missing).await;
    if let Err(e) = &result {
        println!(
            "   is_not_found: {}, documentation: {}",
            e.is_not_found(),
            e.documentation_url().unwrap_or("-")
        );
    }
    show(result)?;

    step(6, "422: Mollie refuses a field");
    show(
        mollie
            .customers()
            .create(NewCustomer::new().name("Jane").email("not-an-email"))
            .await,
    )?;

    let Some(mock) = mock else {
        println!(
            "\n(steps 7 to 9 inject faults into the embedded mock: skipped against a real API)"
        );
        return Ok(());
    };

    step(7, "429 with a Retry-After the SDK waits out by itself");
    mock.queue_fault("status=429;retry-after=1", 1, Some("GET /v2/customers"))?;
    let page = mollie.customers().list().limit(1).await?;
    println!(
        "   succeeded after {} attempts (waited the 1 s Mollie asked for)",
        page.meta().attempts()
    );

    step(
        8,
        "429 with a Retry-After longer than the policy waits (30 s by default)",
    );
    mock.queue_fault("status=429;retry-after=120", 1, Some("GET /v2/customers"))?;
    let result = mollie.customers().list().await;
    if let Err(e) = &result {
        println!(
            "   is_rate_limited: {}, retry_after: {:?}",
            e.is_rate_limited(),
            e.retry_after()
        );
    }
    show(result)?;

    step(9, "503 on every attempt, and a timeout");
    mock.queue_fault("status=503", 2, Some("GET /v2/customers"))?;
    show(
        mollie
            .customers()
            .list()
            .customize(
                RequestOptions::new().retry(
                    RetryPolicy::default()
                        .max_attempts(2)
                        .initial_backoff(Duration::from_millis(50)),
                ),
            )
            .await,
    )?;
    mock.queue_fault("delay-ms=5000", 1, Some("GET /v2/customers"))?;
    let result = mollie
        .customers()
        .list()
        .customize(
            RequestOptions::new()
                .timeout(Duration::from_millis(200))
                .retry(RetryPolicy::disabled()),
        )
        .await;
    // The mock is still holding that request; let it go.
    mock.release();
    if let Err(e) = &result {
        println!("   is_timeout: {}", e.is_timeout());
    }
    show(result)?;
    Ok(())
}
