//! An organization access token (`access_...`): unlike an API key it is not bound to one
//! mode and website profile, so calls say which with `testmode` and `profileId`. Set them
//! once on the client; the SDK sends each only where the endpoint takes it: in the query of
//! a GET, in the JSON body of a POST (and of the DELETEs Mollie reads it from), and not at
//! all where the endpoint has no such parameter (customers and mandates take no
//! `profileId`).
//!
//! Run: `cargo run -p mollie-examples --example organization_token`. It always runs against
//! an embedded `mollie-mock`, whose request log shows what was sent.

use std::error::Error;
use std::process::ExitCode;

use mollie_examples::{MOCK_API_KEY, step};
use mollie_mock::{MockServer, RecordedRequest};
use mollie_sdk::{Iban, Mollie, Money, NewCustomer, NewMandate, NewPayment, ProfileId};

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
    let mock = MockServer::start().await?;
    println!(
        "This example runs against an embedded mollie-mock at {}, to show what it receives.",
        mock.url()
    );

    let profile = ProfileId::parse("pfl_QkEhN94Ba")?;
    let mollie = Mollie::builder()
        .access_token("access_Wwvu7egPcJLLJ9Kb7J632x8wJ2zMeJ")?
        .base_url(mock.url())
        // Defaults of every call that takes them; a call can override them.
        .testmode(true)
        .profile_id(profile.clone())
        .build()?;
    println!("credential: {:?}", mollie.credential_kind());

    step(
        1,
        "POST: create a customer (testmode in the body; no profileId there)",
    );
    let customer = mollie
        .customers()
        .create(NewCustomer::new().name("Jane Doe"))
        .await?;
    print_last(&mock);
    println!("   -> customer {} in {} mode", customer.id, customer.mode);

    step(2, "GET: list customers (testmode in the query)");
    let page = mollie.customers().list().limit(10).await?;
    print_last(&mock);
    println!("   -> {} customer(s)", page.len());

    step(
        3,
        "POST: charge a mandate (testmode and profileId in the body)",
    );
    let mandate = mollie
        .mandates(&customer.id)
        .create(NewMandate::sepa_direct_debit(
            "Jane Doe",
            Iban::parse("NL55INGB0000000000")?,
        ))
        .await?;
    let payment = mollie
        .customer_payments(&customer.id)
        .create(NewPayment::recurring(
            Money::eur("10.00")?,
            "March",
            &mandate.id,
        ))
        .await?;
    print_last(&mock);
    println!(
        "   -> payment {} on profile {}, {} mode",
        payment.id, payment.profile_id, payment.mode
    );

    step(
        4,
        "GET: list the customer's payments (testmode and profileId in the query)",
    );
    let payments = mollie.customer_payments(&customer.id).list().await?;
    print_last(&mock);
    println!("   -> {} payment(s)", payments.len());

    step(
        5,
        "A call can override the client's default: testmode(false) sees live data",
    );
    let live = mollie.customers().get(&customer.id).testmode(false).await;
    print_last(&mock);
    match live {
        Err(e) if e.is_not_found() => println!("   -> 404: the customer exists in test mode only"),
        Err(e) => return Err(e.into()),
        Ok(c) => return Err(format!("{} should not be visible in live mode", c.id).into()),
    }

    step(
        6,
        "DELETE: delete the customer (Mollie reads this DELETE's testmode from a body)",
    );
    mollie.customers().delete(&customer.id).await?;
    print_last(&mock);

    step(
        7,
        "With an API key, testmode and profileId are refused before sending",
    );
    let refused = Mollie::builder()
        .api_key(MOCK_API_KEY)?
        .base_url(mock.url())
        .testmode(true)
        .build();
    match refused {
        Err(e) => println!("   builder: {e}"),
        Ok(_) => return Err("an API key client took a testmode default".into()),
    }
    let with_key = Mollie::builder()
        .api_key(MOCK_API_KEY)?
        .base_url(mock.url())
        .build()?;
    let before = mock.requests().len();
    match with_key.customers().list().testmode(true).await {
        Err(e) => println!("   call: {e}"),
        Ok(_) => return Err("an API key call took testmode".into()),
    }
    println!("   requests sent: {}", mock.requests().len() - before);
    Ok(())
}

/// Prints the mock's latest logged request: method, path with query, and JSON body.
fn print_last(mock: &MockServer) {
    if let Some(r) = mock.requests().last() {
        println!("   sent: {}", line(r));
    }
}

fn line(r: &RecordedRequest) -> String {
    let mut line = format!("{} {}", r.method, r.path);
    if let Some(query) = &r.query {
        line.push('?');
        line.push_str(query);
    }
    if let Some(body) = &r.body {
        line.push_str(&format!("  body {body}"));
    }
    if let Some(status) = r.status {
        line.push_str(&format!("  -> {status}"));
    }
    line
}
