//! What a webhook receiver does with `mollie-models` alone: Mollie posts `id=tr_...`, the
//! service fetches that payment, and decides by its typed status, amount and mandate.
//!
//! Run: `cargo run -p mollie-examples --example webhook_payment`

use mollie_models::webhooks::{WebhookResourceId, parse_classic};
use mollie_models::{Payment, PaymentStatus, SequenceType};

/// The body of `GET /v2/payments/tr_WDqYK6vllg` after a recurring SEPA charge succeeded, as
/// Mollie returns it (abridged).
const FETCHED: &str = r#"{
  "resource": "payment",
  "id": "tr_WDqYK6vllg",
  "mode": "test",
  "createdAt": "2024-03-01T06:00:12+00:00",
  "amount": {"value": "10.00", "currency": "EUR"},
  "description": "Subscription March",
  "method": "directdebit",
  "metadata": {"invoice": "2024-0301"},
  "status": "paid",
  "paidAt": "2024-03-04T09:12:43+00:00",
  "profileId": "pfl_QkEhN94Ba",
  "customerId": "cst_8wmqcHMN4U",
  "mandateId": "mdt_h3gAaD5zP",
  "sequenceType": "recurring",
  "settlementAmount": {"value": "10.00", "currency": "EUR"},
  "details": {
    "consumerName": "Jane Doe",
    "consumerAccount": "NL55INGB0000000000",
    "consumerBic": "INGBNL2A",
    "creditorIdentifier": "NL08ZZZ502057730000",
    "dueDate": "2024-03-04",
    "signatureDate": "2024-02-28",
    "transferReference": "SD67-6850-2204-6029"
  },
  "someFieldMollieAddsNextYear": {"ignored": true},
  "_links": {
    "self": {"href": "https://api.mollie.com/v2/payments/tr_WDqYK6vllg", "type": "application/hal+json"},
    "dashboard": {"href": "https://www.mollie.com/dashboard/org_12345678/payments/tr_WDqYK6vllg", "type": "text/html"},
    "customer": {"href": "https://api.mollie.com/v2/customers/cst_8wmqcHMN4U", "type": "application/hal+json"},
    "mandate": {"href": "https://api.mollie.com/v2/customers/cst_8wmqcHMN4U/mandates/mdt_h3gAaD5zP", "type": "application/hal+json"}
  }
}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. The webhook: a form body with the payment id. Parse it into a typed id first, so
    //    that nothing but a real payment id can ever reach the fetch.
    let webhook_body = b"id=tr_WDqYK6vllg";
    let WebhookResourceId::Payment(id) = parse_classic(webhook_body)? else {
        return Err("this receiver handles payment webhooks only".into());
    };
    println!("webhook for payment {id}");

    // A forged id is refused before it becomes a URL.
    let forged = parse_classic(b"id=tr_x%2F..%2F..%2Fcustomers");
    println!("forged id refused: {}", forged.is_err());

    // 2. The fetched payment, typed.
    let payment: Payment = serde_json::from_str(FETCHED)?;
    assert_eq!(payment.id, id);
    let cents = payment
        .amount
        .minor_units()
        .ok_or("amount has odd decimals")?;
    match (&payment.status, &payment.sequence_type) {
        (PaymentStatus::Paid, SequenceType::Recurring) => println!(
            "recurring charge of {} ({} cents) paid on mandate {}",
            payment.amount,
            cents,
            payment.mandate_id.as_ref().map_or("-", |m| m.as_str())
        ),
        (PaymentStatus::Failed, _) => println!("charge failed: retry or contact the customer"),
        (status, _) if status.is_final() => println!("payment ended as {status}"),
        (status, _) => println!("payment is {status}; wait for the next webhook"),
    }
    Ok(())
}
