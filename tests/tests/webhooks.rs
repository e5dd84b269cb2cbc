//! Webhooks end to end: the mock changes a recurring payment's status and posts its
//! webhooks to the example receiver (examples/webhook_receiver.rs), which verifies them,
//! fetches the payment through the SDK and reports what the API says.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use mollie_examples::webhook_receiver::Receiver;
use mollie_mock::{DeliveryKind, DeliveryOutcome, MockConfig, MockServer};
use mollie_sdk::webhooks::SigningSecret;
use mollie_sdk::{Mollie, Money, NewPayment, Payment, PaymentStatus};
use mollie_tests::{TEST_KEY, bounded, customer, sepa_mandate};
use tokio::sync::mpsc;

const SECRET: &str = "whsec_e2e_test";

/// A mock whose webhook retries come within milliseconds.
async fn mock(secret: Option<&str>) -> MockServer {
    let mut config = MockConfig::new()
        .webhook_retry_delays([Duration::from_millis(1), Duration::from_millis(5)]);
    if let Some(secret) = secret {
        config = config.webhook_signing_secret(secret);
    }
    config.start().await.expect("the mock starts")
}

fn client(server: &MockServer) -> Mollie {
    Mollie::builder()
        .api_key(TEST_KEY)
        .expect("a test key")
        .base_url(server.url())
        .build()
        .expect("a client")
}

/// Starts the example's receiver on a loopback port; it answers 500 to its first
/// `fail_first` requests (a receiver that is briefly down).
async fn receiver(
    mollie: &Mollie,
    secrets: Vec<SigningSecret>,
    fail_first: u32,
) -> (String, mpsc::UnboundedReceiver<Payment>, Arc<AtomicU32>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let seen = Arc::new(AtomicU32::new(0));
    let counter = seen.clone();
    let router = Receiver::new(mollie.clone(), secrets, tx)
        .router()
        .layer(middleware::from_fn(
            move |request: axum::extract::Request, next: Next| {
                let counter = counter.clone();
                async move {
                    if counter.fetch_add(1, Ordering::SeqCst) < fail_first {
                        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                    }
                    let response: Response = next.run(request).await;
                    response
                }
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!(
        "http://{}/webhooks/mollie",
        listener.local_addr().expect("bound")
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, rx, seen)
}

/// A pending recurring SEPA payment whose webhookUrl is `url`.
async fn recurring_payment(mollie: &Mollie, url: &str) -> Payment {
    let c = customer(mollie, "Jane Doe").await;
    let m = sepa_mandate(mollie, &c.id).await;
    let payment = mollie
        .customer_payments(&c.id)
        .create(
            NewPayment::recurring(Money::eur("10.00").expect("valid"), "March", &m.id)
                .webhook_url(url),
        )
        .await
        .expect("created");
    assert_eq!(payment.status, PaymentStatus::Pending);
    payment
}

async fn next_payment(rx: &mut mpsc::UnboundedReceiver<Payment>) -> Payment {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("the receiver reports within 10 s")
        .expect("the receiver is running")
}

#[tokio::test]
async fn the_receiver_sees_paid_and_failed_through_the_api() {
    bounded(async {
        let server = mock(None).await;
        let mollie = client(&server);
        let (url, mut rx, _) = receiver(&mollie, vec![], 0).await;
        for target in [PaymentStatus::Paid, PaymentStatus::Failed] {
            let payment = recurring_payment(&mollie, &url).await;
            server
                .set_payment_status(payment.id.as_str(), target.clone())
                .expect("the mock changes the status");
            let fetched = next_payment(&mut rx).await;
            assert_eq!(fetched.id, payment.id);
            assert_eq!(fetched.status, target);
            match target {
                PaymentStatus::Paid => assert!(fetched.paid_at.is_some()),
                _ => assert!(fetched.failed_at.is_some()),
            }
        }
        tokio::time::timeout(Duration::from_secs(10), server.webhooks_settled())
            .await
            .expect("deliveries settle");
        let deliveries = server.webhook_deliveries();
        assert_eq!(deliveries.len(), 2, "one classic webhook per change");
        for delivery in &deliveries {
            assert_eq!(delivery.kind, DeliveryKind::Classic);
            assert_eq!(delivery.outcome, DeliveryOutcome::Delivered);
            assert_eq!(delivery.body, format!("id={}", delivery.payment_id));
        }
    })
    .await;
}

#[tokio::test]
async fn a_receiver_that_answers_500_first_gets_the_retry() {
    bounded(async {
        let server = mock(None).await;
        let mollie = client(&server);
        let (url, mut rx, seen) = receiver(&mollie, vec![], 1).await;
        let payment = recurring_payment(&mollie, &url).await;
        server
            .set_payment_status(payment.id.as_str(), PaymentStatus::Paid)
            .expect("changed");
        let fetched = next_payment(&mut rx).await;
        assert_eq!(fetched.status, PaymentStatus::Paid);
        tokio::time::timeout(Duration::from_secs(10), server.webhooks_settled())
            .await
            .expect("deliveries settle");
        assert_eq!(
            seen.load(Ordering::SeqCst),
            2,
            "a failed attempt, then the retry"
        );
        let delivery = &server.webhook_deliveries()[0];
        let statuses: Vec<Option<u16>> = delivery.attempts.iter().map(|a| a.status).collect();
        assert_eq!(statuses, [Some(500), Some(200)]);
        assert_eq!(delivery.outcome, DeliveryOutcome::Delivered);
    })
    .await;
}

#[tokio::test]
async fn signed_events_are_verified_and_forged_ones_refused() {
    bounded(async {
        // The receiver knows the mock's secret (after an old one: rotation).
        let server = mock(Some(SECRET)).await;
        let mollie = client(&server);
        let secrets = vec![SigningSecret::new("whsec_old"), SigningSecret::new(SECRET)];
        let (url, mut rx, _) = receiver(&mollie, secrets, 0).await;
        let payment = recurring_payment(&mollie, &url).await;
        server
            .set_payment_status(payment.id.as_str(), PaymentStatus::Paid)
            .expect("changed");
        // The classic webhook and the signed event each lead to a fetch.
        for _ in 0..2 {
            assert_eq!(next_payment(&mut rx).await.status, PaymentStatus::Paid);
        }
        tokio::time::timeout(Duration::from_secs(10), server.webhooks_settled())
            .await
            .expect("deliveries settle");
        let kinds: Vec<(DeliveryKind, DeliveryOutcome)> = server
            .webhook_deliveries()
            .into_iter()
            .map(|d| (d.kind, d.outcome))
            .collect();
        assert!(kinds.contains(&(DeliveryKind::Event, DeliveryOutcome::Delivered)));
        assert!(kinds.contains(&(DeliveryKind::Classic, DeliveryOutcome::Delivered)));

        // A receiver with another secret refuses every attempt of the signed event (401)
        // and fetches nothing for it; the unsigned classic webhook still leads to a fetch.
        let other = mock(Some(SECRET)).await;
        let mollie = client(&other);
        let (url, mut rx, _) = receiver(&mollie, vec![SigningSecret::new("whsec_wrong")], 0).await;
        let payment = recurring_payment(&mollie, &url).await;
        other
            .set_payment_status(payment.id.as_str(), PaymentStatus::Paid)
            .expect("changed");
        tokio::time::timeout(Duration::from_secs(10), other.webhooks_settled())
            .await
            .expect("deliveries settle");
        let event = other
            .webhook_deliveries()
            .into_iter()
            .find(|d| d.kind == DeliveryKind::Event)
            .expect("an event was sent");
        assert_eq!(event.outcome, DeliveryOutcome::Failed);
        assert!(event.attempts.iter().all(|a| a.status == Some(401)));
        assert_eq!(next_payment(&mut rx).await.status, PaymentStatus::Paid);
        assert!(
            rx.try_recv().is_err(),
            "only the classic webhook was processed"
        );
    })
    .await;
}
