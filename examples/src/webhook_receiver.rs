//! A webhook receiver for Mollie, the way a payment service writes one with axum.
//!
//! Mollie posts either a classic webhook (`id=tr_...`, unsigned: it only says *which* payment
//! changed) or, with next-gen webhooks, a signed JSON event. Either way the receiver never
//! trusts the body for the status: it verifies what can be verified, then fetches the payment
//! from the API and acts on what the API says. It answers 200 once it has done so, and 5xx
//! otherwise, so that Mollie retries.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use mollie_sdk::webhooks::{
    SIGNATURE_HEADER, SignatureCheck, SigningSecret, WebhookEvent, WebhookResourceId,
    parse_classic, verify_signature,
};
use mollie_sdk::{Mollie, Payment, PaymentId};
use tokio::sync::mpsc;

/// What the receiver needs: a client to fetch payments with, the signing secrets of next-gen
/// webhooks (newest last, for rotation), and where to hand each fetched payment.
#[derive(Clone)]
pub struct Receiver {
    mollie: Mollie,
    secrets: Arc<Vec<SigningSecret>>,
    payments: mpsc::UnboundedSender<Payment>,
}

impl Receiver {
    /// A receiver that sends every payment it fetched to `payments`.
    pub fn new(
        mollie: Mollie,
        secrets: Vec<SigningSecret>,
        payments: mpsc::UnboundedSender<Payment>,
    ) -> Self {
        Self {
            mollie,
            secrets: Arc::new(secrets),
            payments,
        }
    }

    /// The axum routes: `POST /webhooks/mollie`.
    pub fn router(self) -> Router {
        Router::new()
            .route("/webhooks/mollie", post(receive))
            .with_state(self)
    }
}

/// Why a webhook was not processed, as the status Mollie gets back.
fn reject(status: StatusCode, why: impl std::fmt::Display) -> StatusCode {
    eprintln!("webhook rejected ({status}): {why}");
    status
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok());
    // A signed body must verify; an unsigned one can only be a classic webhook.
    let payment_id = match verify_signature(&body, signature, &receiver.secrets) {
        Ok(SignatureCheck::Verified { .. }) => match WebhookEvent::parse(&body) {
            Ok(event) => match PaymentId::parse(&event.entity_id) {
                Ok(id) => id,
                // An event about something else: nothing to do here, and nothing to retry.
                Err(_) => return StatusCode::OK,
            },
            Err(error) => return reject(StatusCode::BAD_REQUEST, error),
        },
        Ok(SignatureCheck::Unsigned) => match parse_classic(&body) {
            Ok(WebhookResourceId::Payment(id)) => id,
            Ok(_) => return StatusCode::OK,
            Err(error) => return reject(StatusCode::BAD_REQUEST, error),
        },
        Err(error) => return reject(StatusCode::UNAUTHORIZED, error),
    };
    // The status comes from the API, never from the webhook: get the payment.
    let fetched = receiver.mollie.payments().get(&payment_id).await;
    match fetched {
        Ok(payment) => {
            println!(
                "webhook: payment {} is now {} ({})",
                payment.id, payment.status, payment.amount
            );
            // The receiving end may be gone (a test that finished): the webhook was handled.
            let _ = receiver.payments.send(payment);
            StatusCode::OK
        }
        // Mollie retries a failed delivery: a temporary failure here must not lose the event.
        Err(error) if error.is_retryable() => reject(StatusCode::SERVICE_UNAVAILABLE, error),
        Err(error) => reject(StatusCode::INTERNAL_SERVER_ERROR, error),
    }
}
