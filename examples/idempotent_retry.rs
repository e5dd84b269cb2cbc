//! Charging exactly once, whatever the network does: idempotency keys of your own, replays,
//! automatic retries after a lost response, retrying a failed call later, and, after a crash
//! when Mollie may have forgotten the key, looking for the payment before charging again.
//!
//! A charge is a POST. If its response is lost (a timeout, a dropped connection, a 502 from
//! a proxy), the client cannot know whether Mollie made the payment. Sending it again is
//! safe only with the same `Idempotency-Key`: Mollie then answers with the first response
//! (`Idempotent-Replayed: true`) instead of charging again. The SDK sends a key with every
//! POST, PATCH and DELETE and reuses it for each automatic retry; a key of your own, derived
//! from your invoice, also survives a restart of your process.
//!
//! Run: `cargo run -p mollie-examples --example idempotent_retry` (no key needed). The
//! fault-injection steps need the embedded mock and are skipped against a real API.

use std::error::Error;
use std::process::ExitCode;

use futures::TryStreamExt;
use mollie_examples::{connect, step};
use mollie_mock::MockServer;
use mollie_sdk::{
    CustomerId, Iban, IdempotencyKey, MandateId, Mollie, Money, NewCustomer, NewMandate,
    NewPayment, RequestOptions, RetryPolicy,
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

/// The charge of one invoice: the same invoice always makes the same request body.
fn charge(invoice: &str, mandate: &MandateId) -> Result<NewPayment, Box<dyn Error>> {
    Ok(
        NewPayment::recurring(Money::eur("25.00")?, format!("Invoice {invoice}"), mandate)
            .metadata(serde_json::json!({"invoice": invoice}))?,
    )
}

/// The idempotency key of an invoice's charge: stable across retries and restarts.
fn key_for(invoice: &str) -> Result<IdempotencyKey, Box<dyn Error>> {
    Ok(IdempotencyKey::parse(&format!("charge-invoice-{invoice}"))?)
}

async fn run() -> Result<(), Box<dyn Error>> {
    let (mollie, mock) = connect().await?;

    step(1, "Set up a customer with a SEPA Direct Debit mandate");
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
    println!("   customer {}, mandate {}", customer.id, mandate.id);

    let result = charges(&mollie, &customer.id, &mandate.id, mock.as_ref()).await;
    mollie.customers().delete(&customer.id).await?;
    println!("\ncustomer {} deleted", customer.id);
    result
}

async fn charges(
    mollie: &Mollie,
    customer: &CustomerId,
    mandate: &MandateId,
    mock: Option<&MockServer>,
) -> Result<(), Box<dyn Error>> {
    step(2, "Charge invoice 2024-0302 with a key of our own");
    let first = mollie
        .customer_payments(customer)
        .create(charge("2024-0302", mandate)?)
        .idempotency_key(key_for("2024-0302")?)
        .send_with_meta()
        .await?;
    println!(
        "   HTTP {}: payment {} ({}), key {}, replayed: {}",
        first.meta.status(),
        first.value.id,
        first.value.status,
        key_for("2024-0302")?,
        first.meta.idempotent_replayed()
    );

    step(3, "The same charge again, same key (e.g. after a restart)");
    let again = mollie
        .customer_payments(customer)
        .create(charge("2024-0302", mandate)?)
        .idempotency_key(key_for("2024-0302")?)
        .send_with_meta()
        .await?;
    println!(
        "   HTTP {}: payment {}, replayed: {} -> {}",
        again.meta.status(),
        again.value.id,
        again.meta.idempotent_replayed(),
        if again.value.id == first.value.id {
            "the same payment, not a second charge"
        } else {
            "A SECOND PAYMENT"
        }
    );

    let Some(mock) = mock else {
        println!(
            "\n(steps 4 to 7 inject faults into the embedded mock: skipped against a real API)"
        );
        return Ok(());
    };

    step(
        4,
        "A lost response: Mollie charges, then the connection drops",
    );
    // The mock processes the next charge, stores it, then closes the connection without an
    // answer: to the client, indistinguishable from a network failure after sending.
    let payments_path = format!("POST /v2/customers/{customer}/payments");
    mock.queue_fault("fail-after-commit=drop", 1, Some(&payments_path))?;
    let seq_before = last_seq(mock);
    let retried = mollie
        .customer_payments(customer)
        .create(charge("2024-0303", mandate)?)
        .idempotency_key(key_for("2024-0303")?)
        .send_with_meta()
        .await?;
    print_attempts(mock, seq_before);
    println!(
        "   the SDK retried by itself: {} attempt(s), payment {}, replayed: {}",
        retried.meta.attempts(),
        retried.value.id,
        retried.meta.idempotent_replayed()
    );

    step(5, "Retrying later: the failed call's error carries its key");
    mock.queue_fault("fail-after-commit=drop", 1, Some(&payments_path))?;
    let seq_before = last_seq(mock);
    // Retries off for this call, so that the failure reaches us (as it would once a call's
    // retries or deadline are used up). No key of our own: the SDK makes a UUID v4.
    let failed = match mollie
        .customer_payments(customer)
        .create(charge("2024-0304", mandate)?)
        .customize(RequestOptions::new().retry(RetryPolicy::disabled()))
        .await
    {
        Err(error) => error,
        Ok(payment) => {
            return Err(format!("expected a dropped connection, got {}", payment.id).into());
        }
    };
    let key = failed
        .idempotency_key()
        .cloned()
        .ok_or("a failed POST always carries its idempotency key")?;
    println!(
        "   error: {failed}\n   retryable: {}, key: {key}",
        failed.is_retryable()
    );
    // Later (a job queue, the next run): the same request, the key from the error.
    let later = mollie
        .customer_payments(customer)
        .create(charge("2024-0304", mandate)?)
        .idempotency_key(key)
        .send_with_meta()
        .await?;
    print_attempts(mock, seq_before);
    println!(
        "   retried with that key: payment {}, replayed: {}",
        later.value.id,
        later.meta.idempotent_replayed()
    );

    step(
        6,
        "After a crash, once Mollie may have forgotten the key: look before charging again",
    );
    // Mollie replays a key's result only for a while, and only for the same body. A process
    // that died mid-charge and comes back later should look first, as Mollie advises: the
    // SDK writes the call's key into the payment's metadata (`mark_with_key`) and finds it
    // again among the customer's recent payments.
    mock.queue_fault("fail-after-commit=drop", 1, Some(&payments_path))?;
    let key = key_for("2024-0305")?;
    let crashed = mollie
        .customer_payments(customer)
        .create(charge("2024-0305", mandate)?)
        .idempotency_key(key.clone())
        .mark_with_key()
        .customize(RequestOptions::new().retry(RetryPolicy::disabled()))
        .await;
    let Err(error) = crashed else {
        return Err("expected a dropped connection".into());
    };
    println!(
        "   the charge failed: {:?} outcome (key {}, made {} ms ago)",
        error.outcome(),
        key,
        key.created_at().elapsed().unwrap_or_default().as_millis()
    );
    match mollie.customer_payments(customer).find_by_key(&key).await? {
        Some(payment) => println!(
            "   found {} with that key in its metadata: it was charged, do not charge again",
            payment.id
        ),
        None => println!("   no payment carries that key: safe to charge again"),
    }

    step(7, "What Mollie stored");
    let stored: Vec<_> = mollie
        .customer_payments(customer)
        .list()
        .sort(mollie_sdk::SortOrder::Asc)
        .stream()
        .try_collect()
        .await?;
    let posts = mock
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/payments"))
        .count();
    for p in &stored {
        println!("   {} {} {}", p.id, p.amount, p.description);
    }
    println!(
        "   {posts} charge requests were sent, {} payments exist: one per invoice",
        stored.len()
    );
    if stored.len() != 4 {
        return Err(format!("expected 4 payments, found {}", stored.len()).into());
    }
    Ok(())
}

/// The sequence number of the mock's latest logged request.
fn last_seq(mock: &MockServer) -> u64 {
    mock.requests().last().map_or(0, |r| r.seq)
}

/// Prints the mock's log of the requests after `after`: one line per attempt.
fn print_attempts(mock: &MockServer, after: u64) {
    for r in mock.requests().iter().filter(|r| r.seq > after) {
        let answer = match (r.status, r.dropped) {
            (_, true) => "processed, then connection dropped (no response)".to_owned(),
            (Some(status), _) if r.replayed => format!("{status}, replayed"),
            (Some(status), _) => status.to_string(),
            (None, _) => "no answer yet".to_owned(),
        };
        println!(
            "   attempt: {} {} key={} -> {answer}",
            r.method,
            r.path,
            r.idempotency_key.as_deref().unwrap_or("-")
        );
    }
}
