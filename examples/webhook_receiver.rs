//! A webhook receiver (axum) that verifies, fetches the payment through the SDK, and prints
//! its new status.
//!
//! Without `MOLLIE_API_KEY` it runs the whole loop locally: an embedded mollie-mock with a
//! signing secret, the receiver on a loopback port, a recurring payment whose `webhookUrl` is
//! the receiver, and the mock marking it paid as Mollie's test-mode page would. The receiver
//! gets the classic webhook (`id=tr_...`) and the signed next-gen event, and fetches the
//! payment for each.
//!
//! With `MOLLIE_API_KEY` it serves `POST /webhooks/mollie` on `WEBHOOK_ADDR` (default
//! `127.0.0.1:3000`) until Ctrl-C, verifying next-gen events with the comma-separated
//! secrets in `MOLLIE_WEBHOOK_SECRETS`. Mollie must be able to reach it (a public URL).
//!
//! Run: `cargo run -p mollie-examples --example webhook_receiver`

use std::error::Error;
use std::time::Duration;

use mollie_examples::webhook_receiver::Receiver;
use mollie_mock::{DeliveryOutcome, MockConfig};
use mollie_sdk::webhooks::SigningSecret;
use mollie_sdk::{Iban, Mollie, Money, NewCustomer, NewMandate, NewPayment, PaymentStatus};
use tokio::sync::mpsc;

const MOCK_SECRET: &str = "whsec_example_only";

#[tokio::main]
async fn main() {
    if let Err(error) = run().await {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    mollie_examples::init_logging();
    if std::env::var_os(mollie_sdk::core::API_KEY_ENV).is_some_and(|k| !k.is_empty()) {
        serve_for_mollie().await
    } else {
        local_round_trip().await
    }
}

/// Receives Mollie's real webhooks until Ctrl-C.
async fn serve_for_mollie() -> Result<(), Box<dyn Error>> {
    let mollie = Mollie::from_env()?;
    let secrets = std::env::var("MOLLIE_WEBHOOK_SECRETS")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| SigningSecret::new(s.trim()))
        .collect();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let addr = std::env::var("WEBHOOK_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("receiving Mollie webhooks at http://{addr}/webhooks/mollie (Ctrl-C to stop)");
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    axum::serve(listener, Receiver::new(mollie, secrets, tx).router())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// The whole loop on this machine: mock, receiver, payment, status change, webhooks.
async fn local_round_trip() -> Result<(), Box<dyn Error>> {
    let mock = MockConfig::new()
        .webhook_signing_secret(MOCK_SECRET)
        .webhook_retry_delays([Duration::from_millis(50), Duration::from_millis(200)])
        .start()
        .await?;
    println!(
        "MOLLIE_API_KEY is not set: running against an embedded mollie-mock at {}",
        mock.url()
    );
    let mollie = Mollie::builder()
        .api_key(mollie_examples::MOCK_API_KEY)?
        .base_url(mock.url())
        .build()?;

    let (tx, mut received) = mpsc::unbounded_channel();
    let receiver = Receiver::new(mollie.clone(), vec![SigningSecret::new(MOCK_SECRET)], tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let webhook_url = format!("http://{}/webhooks/mollie", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, receiver.router()).await });
    println!("receiver listening at {webhook_url}");

    let customer = mollie
        .customers()
        .create(NewCustomer::new().name("Jane Doe"))
        .await?;
    let mandate = mollie
        .mandates(&customer.id)
        .create(NewMandate::sepa_direct_debit(
            "Jane Doe",
            Iban::parse("NL55INGB0000000000")?,
        ))
        .await?;
    let payment = mollie
        .customer_payments(&customer.id)
        .create(
            NewPayment::recurring(Money::eur("10.00")?, "Subscription March", &mandate.id)
                .webhook_url(&webhook_url),
        )
        .await?;
    println!("created payment {} ({})", payment.id, payment.status);

    // What Mollie's test-mode status page does; in live mode, the bank does it.
    mock.set_payment_status(payment.id.as_str(), PaymentStatus::Paid)
        .map_err(|e| format!("the mock refused the status change: {e}"))?;
    println!("the mock marked {} paid and sends its webhooks", payment.id);

    // One fetch for the classic webhook, one for the signed event.
    for _ in 0..2 {
        let fetched = tokio::time::timeout(Duration::from_secs(10), received.recv())
            .await?
            .ok_or("the receiver stopped")?;
        if fetched.status != PaymentStatus::Paid {
            return Err(format!("expected paid, the API says {}", fetched.status).into());
        }
    }
    // What the mock delivered, and how the receiver answered.
    tokio::time::timeout(Duration::from_secs(10), mock.webhooks_settled()).await?;
    for delivery in mock.webhook_deliveries() {
        println!(
            "the mock delivered a {:?} webhook: {:?} after {} attempt(s)",
            delivery.kind,
            delivery.outcome,
            delivery.attempts.len()
        );
        if delivery.outcome != DeliveryOutcome::Delivered {
            return Err("a webhook was not accepted by the receiver".into());
        }
    }
    println!("the classic webhook and the verified signed event each led to a fetch: paid");
    Ok(())
}
