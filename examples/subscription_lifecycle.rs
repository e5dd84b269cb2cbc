//! A subscription from its first payment to its last, with months passing in milliseconds:
//! a customer pays a first payment (iDEAL, which leaves a SEPA Direct Debit mandate), a
//! monthly subscription of three payments starts on that mandate, and `mollie-mock`'s clock
//! moves four months forward. Each month the subscription makes a payment, which settles
//! after Mollie's business days; a webhook receiver (axum, as a service writes one) gets
//! each change and fetches the payment through the SDK. At the end the SDK lists the three
//! paid payments and the subscription is completed.
//!
//! Mollie's own API has no clock to move, so this example always runs against an embedded
//! `mollie-mock` (`MOLLIE_API_KEY` is not used).
//!
//! Run: `cargo run -p mollie-examples --example subscription_lifecycle`

use std::collections::BTreeMap;
use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use futures::TryStreamExt;
use mollie_examples::step;
use mollie_examples::webhook_receiver::Receiver;
use mollie_mock::{DeliveryOutcome, MockConfig};
use mollie_sdk::models::{MandateMethod, MandateStatus, PaymentMethod};
use mollie_sdk::{
    Interval, Mollie, Money, NewCustomer, NewPayment, NewSubscription, PaymentId, PaymentStatus,
    SubscriptionStatus,
};
use tokio::sync::mpsc;

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

async fn run() -> Result<(), Box<dyn Error>> {
    mollie_examples::init_logging();
    // Webhook retries are quick here; by default they follow Mollie's 26-hour schedule (on
    // the mock's clock).
    let mock = MockConfig::new()
        .webhook_retry_delays([Duration::from_millis(20), Duration::from_millis(100)])
        .start()
        .await?;
    println!("running against an embedded mollie-mock at {}", mock.url());
    let mollie = Mollie::builder()
        .api_key(mollie_examples::MOCK_API_KEY)?
        .base_url(mock.url())
        .build()?;

    // The service's webhook receiver: it fetches each payment it is told about.
    let (tx, mut fetched) = mpsc::unbounded_channel();
    let receiver = Receiver::new(mollie.clone(), Vec::new(), tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let webhook_url = format!("http://{}/webhooks/mollie", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, receiver.router()).await });

    step(1, "Create a customer");
    let customer = mollie
        .customers()
        .create(
            NewCustomer::new()
                .name("Jane Doe")
                .email("jane@example.org"),
        )
        .await?;
    println!("   customer {}", customer.id);

    step(
        2,
        "A first payment, paid at the checkout (the mock's control API)",
    );
    let first = mollie
        .customer_payments(&customer.id)
        .create(
            NewPayment::first(
                Money::eur("0.01")?,
                "Account check",
                "https://shop.example/welcome",
            )
            .method(PaymentMethod::Ideal),
        )
        .await?;
    // What the customer does at Mollie's checkout; the mock's control API plays them.
    let first = mock
        .set_payment_status(first.id.as_str(), PaymentStatus::Paid)
        .map_err(|e| format!("the mock refused the status change: {e}"))?;
    println!("   first payment {} is {}", first.id, first.status);

    step(3, "The mandate it left");
    let mandates = mollie.mandates(&customer.id).list().await?;
    let mandate = mandates
        .items()
        .iter()
        .find(|m| m.status == MandateStatus::Valid)
        .ok_or("the first payment left no valid mandate")?;
    if mandate.method != MandateMethod::DirectDebit {
        return Err(format!("an iDEAL first payment leaves SEPA, not {}", mandate.method).into());
    }
    println!(
        "   mandate {} ({}, {})",
        mandate.id, mandate.method, mandate.status
    );

    step(4, "A monthly subscription of three payments on it");
    let subscription = mollie
        .subscriptions(&customer.id)
        .create(
            NewSubscription::new(Money::eur("9.95")?, Interval::months(1)?, "Magazine")
                .times(3)
                .mandate_id(mandate.id.clone())
                .webhook_url(&webhook_url)
                .metadata(serde_json::json!({"plan": "monthly"}))?,
        )
        .await?;
    println!(
        "   subscription {} is {}, first payment on {}",
        subscription.id,
        subscription.status,
        subscription
            .next_payment_date
            .as_ref()
            .map_or("-", |d| d.as_str())
    );

    step(5, "Four months pass (the mock's clock)");
    let report = mock
        .advance_clock(Duration::from_secs(4 * 31 * 24 * 3600))
        .await;
    println!(
        "   now {}: {} charged, {} settled, {} failed",
        report.now, report.charged, report.settled, report.failed
    );
    tokio::time::timeout(Duration::from_secs(10), mock.webhooks_settled()).await?;

    step(6, "The subscription's payments, through the SDK");
    let payments: Vec<_> = mollie
        .subscriptions(&customer.id)
        .payments(&subscription.id)
        .stream()
        .try_collect()
        .await?;
    for payment in &payments {
        println!(
            "   {} {} {} created {}, paid {}",
            payment.id,
            payment.amount,
            payment.status,
            payment.created_at,
            payment.paid_at.as_ref().map_or("-", |t| t.as_str())
        );
    }
    let paid = payments
        .iter()
        .filter(|p| p.status == PaymentStatus::Paid)
        .filter(|p| p.subscription_id.as_ref() == Some(&subscription.id))
        .count();
    if paid != 3 {
        return Err(format!("expected 3 paid payments of the subscription, found {paid}").into());
    }

    step(7, "What the webhook receiver saw");
    let mut seen: BTreeMap<PaymentId, Vec<PaymentStatus>> = BTreeMap::new();
    while let Ok(payment) = fetched.try_recv() {
        seen.entry(payment.id).or_default().push(payment.status);
    }
    for payment in &payments {
        let statuses = seen.get(&payment.id).cloned().unwrap_or_default();
        println!("   {}: {statuses:?}", payment.id);
        if !statuses.contains(&PaymentStatus::Paid) {
            return Err(format!("the receiver never saw {} paid", payment.id).into());
        }
    }
    if let Some(lost) = mock
        .webhook_deliveries()
        .iter()
        .find(|d| d.outcome != DeliveryOutcome::Delivered)
    {
        return Err(format!("a webhook was not delivered: {lost:?}").into());
    }

    step(8, "The subscription is completed");
    let subscription = mollie
        .subscriptions(&customer.id)
        .get(&subscription.id)
        .await?;
    println!(
        "   {} is {}, {} payments remaining",
        subscription.id,
        subscription.status,
        subscription.times_remaining.unwrap_or_default()
    );
    if subscription.status != SubscriptionStatus::Completed {
        return Err(format!("expected completed, it is {}", subscription.status).into());
    }
    Ok(())
}
