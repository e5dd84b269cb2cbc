//! A recurring payment from start to end: create a customer, give them a SEPA Direct Debit
//! mandate, charge it, list the customer's payments, refund part of a paid charge, revoke the
//! mandate, delete the customer.
//!
//! Run: `cargo run -p mollie-examples --example recurring`. Without `MOLLIE_API_KEY` it runs
//! against a `mollie-mock` started in-process; with a `test_` key it talks to Mollie's test
//! mode (and to `MOLLIE_API_URL` if that is set).

use std::error::Error;
use std::process::ExitCode;

use futures::TryStreamExt;
use mollie_examples::{connect, step};
use mollie_mock::MockServer;
use mollie_sdk::{
    Iban, IdempotencyKey, Locale, Mollie, Money, NewCustomer, NewMandate, NewPayment, NewRefund,
    PaymentStatus, models::MandateDetails,
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

async fn run() -> Result<(), Box<dyn Error>> {
    // `mock` keeps the embedded server (if any) running until the end of `run`.
    let (mollie, mock) = connect().await?;
    charge_monthly(&mollie, mock.as_ref(), "2024-0301").await
}

async fn charge_monthly(
    mollie: &Mollie,
    mock: Option<&MockServer>,
    invoice: &str,
) -> Result<(), Box<dyn Error>> {
    step(1, "Create a customer");
    let customer = mollie
        .customers()
        .create(
            NewCustomer::new()
                .name("Jane Doe")
                .email("jane@example.org")
                .locale(Locale::NlNl)
                .metadata(serde_json::json!({"crmId": 42}))?,
        )
        .await?;
    println!(
        "   customer {} ({}, {}), created {}",
        customer.id,
        customer.name.as_deref().unwrap_or("-"),
        customer.mode,
        customer.created_at
    );

    step(2, "Create a SEPA Direct Debit mandate");
    // The IBAN is checked (country, length, check digits) before anything is sent.
    let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
    let mandate = mollie
        .mandates(&customer.id)
        .create(NewMandate::sepa_direct_debit("Jane Doe", iban).consumer_bic("INGBNL2A"))
        .await?;
    let account = match &mandate.details {
        MandateDetails::DirectDebit(d) => d.consumer_account.as_deref().unwrap_or("-"),
        _ => "(not a direct debit mandate)",
    };
    println!(
        "   mandate {}: {} via {} on {account}",
        mandate.id, mandate.status, mandate.method
    );

    step(3, &format!("Charge invoice {invoice} on the mandate"));
    // The idempotency key is derived from what this charge is (this invoice, this customer),
    // not random: a service that stores the key with the invoice and dies after sending the
    // charge but before storing its result sends this same charge again with the same key,
    // and Mollie answers with the payment it already made instead of debiting Jane again.
    // (The SDK's automatic retries reuse whatever key a call has; a random key would only
    // protect within one process. A key sent again with another body is refused: 400.)
    let key = IdempotencyKey::parse(&format!("invoice-{invoice}-{}", customer.id))?;
    let charge = NewPayment::recurring(
        Money::eur("10.00")?,
        format!("Subscription, invoice {invoice}"),
        &mandate.id,
    )
    .metadata(serde_json::json!({"invoice": invoice}))?;
    let created = mollie
        .customer_payments(&customer.id)
        .create(charge)
        .idempotency_key(key)
        .send_with_meta()
        .await?;
    let payment = created.value;
    println!(
        "   payment {}: {} {}, {} ({}), idempotency key {}, {} attempt(s)",
        payment.id,
        payment.amount.currency(),
        payment.amount.value(),
        payment.status,
        payment.sequence_type,
        created.meta.idempotency_key().map_or("-", |k| k.as_str()),
        created.meta.attempts()
    );
    // SEPA Direct Debit takes a few business days: the payment is pending until the bank
    // confirms, and Mollie calls the webhook then.

    step(4, "List the customer's payments (streamed page by page)");
    let payments: Vec<_> = mollie
        .customer_payments(&customer.id)
        .list()
        .limit(250)
        .stream()
        .try_collect()
        .await?;
    for p in &payments {
        println!(
            "   {} {} {} {} - {}",
            p.created_at, p.id, p.amount, p.status, p.description
        );
    }
    println!("   {} payment(s) in all", payments.len());

    step(5, "Refund part of the charge once it is paid");
    // SEPA Direct Debit settles after a few business days; the embedded mock can be told the
    // bank confirmed it (Mollie's test mode has a page for that).
    if let Some(mock) = mock {
        mock.set_payment_status(payment.id.as_str(), PaymentStatus::Paid)?;
    }
    let payment = mollie.payments().get(&payment.id).await?;
    if payment.status == PaymentStatus::Paid {
        // `refund` checks the amount against the payment before sending: positive, in its
        // currency, and no more than is left to refund.
        let refund = mollie
            .payments()
            .refund(
                &payment,
                NewRefund::new(Money::eur("2.50")?).description("Late delivery"),
            )
            .await?;
        let payment = mollie.payments().get(&payment.id).await?;
        println!(
            "   refund {}: {} ({}); refunded {} of {}, {} left",
            refund.id,
            refund.amount,
            refund.status,
            payment
                .amount_refunded
                .as_ref()
                .map_or("-".into(), ToString::to_string),
            payment.amount,
            payment
                .amount_remaining
                .as_ref()
                .map_or("-".into(), ToString::to_string),
        );
    } else {
        println!(
            "   payment {} is {}: a refund waits until it is paid",
            payment.id, payment.status
        );
    }

    step(6, "Revoke the mandate");
    mollie.mandates(&customer.id).revoke(&mandate.id).await?;
    // Mollie answers 410 Gone when a revoked mandate is fetched.
    match mollie.mandates(&customer.id).get(&mandate.id).await {
        Err(e) if e.is_gone() => println!(
            "   mandate {} is revoked (HTTP 410 Gone): it can no longer be charged",
            mandate.id
        ),
        Err(e) => return Err(e.into()),
        Ok(still) => println!("   mandate {} is now {}", still.id, still.status),
    }

    step(7, "Delete the customer");
    mollie.customers().delete(&customer.id).await?;
    match mollie.customers().get(&customer.id).await {
        // A deleted customer is gone: Mollie answers 404 (or 410 Gone).
        Err(e) if matches!(e.status(), Some(404 | 410)) => println!(
            "   customer {} is gone (HTTP {})",
            customer.id,
            e.status().unwrap_or_default()
        ),
        Err(e) => return Err(e.into()),
        Ok(_) => return Err(format!("customer {} still exists", customer.id).into()),
    }
    println!("\ndone");
    Ok(())
}
