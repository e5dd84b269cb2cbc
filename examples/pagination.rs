//! Paging through a list: one page at a time (`limit`, the next page, a `from` cursor), in
//! either order (`sort`), or every item as a lazy stream that holds one page in memory.
//!
//! The example lists one customer's payments, so that it sees only what it made itself, also
//! on a real account; `customers().list()` and `mandates(..).list()` page the same way.
//!
//! Run: `cargo run -p mollie-examples --example pagination` (no key needed: see
//! `mollie_examples::connect`).

use std::error::Error;
use std::process::ExitCode;

use futures::{StreamExt, TryStreamExt};
use mollie_examples::{connect, step};
use mollie_mock::MockServer;
use mollie_sdk::{
    Iban, Mollie, Money, NewCustomer, NewMandate, NewPayment, Page, Payment, SortOrder,
};

/// How many payments the example makes to page through.
const PAYMENTS: usize = 23;

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
    let (mollie, mock) = connect().await?;

    step(
        1,
        &format!("Set up: a customer, a mandate and {PAYMENTS} charges"),
    );
    let customer = mollie
        .customers()
        .create(NewCustomer::new().name("Page Turner"))
        .await?;
    let mandate = mollie
        .mandates(&customer.id)
        .create(NewMandate::sepa_direct_debit(
            "Page Turner",
            Iban::parse("NL55INGB0000000000")?,
        ))
        .await?;
    for n in 1..=PAYMENTS {
        let charge =
            NewPayment::recurring(Money::eur("1.00")?, format!("charge {n:02}"), &mandate.id);
        mollie
            .customer_payments(&customer.id)
            .create(charge)
            .await?;
    }
    println!("   customer {} has {PAYMENTS} payments", customer.id);

    let result = walk(&mollie, &customer.id, mock.as_ref()).await;
    // Clean up even when a step failed, then report that failure.
    mollie.customers().delete(&customer.id).await?;
    println!("\ncustomer {} deleted", customer.id);
    result
}

async fn walk(
    mollie: &Mollie,
    customer: &mollie_sdk::CustomerId,
    mock: Option<&MockServer>,
) -> Result<(), Box<dyn Error>> {
    step(
        2,
        "Page by page, 10 at a time (newest first, Mollie's default)",
    );
    let mut page = mollie.customer_payments(customer).list().limit(10).await?;
    let mut number = 1;
    loop {
        println!("   page {number}: {}", describe(&page));
        if let Some(next) = page.next_url() {
            // The next link carries Mollie's `from` cursor and the `limit`.
            println!("           next: {next}");
        }
        // `next_page` follows `_links.next` (only under the configured base URL).
        match mollie.client().next_page(&page).await? {
            Some(next) => page = next,
            None => break,
        }
        number += 1;
    }
    println!("   no next link on page {number}: that was the last");

    step(
        3,
        "Resume from a cursor you stored (`from`: starts at that payment)",
    );
    let newest_first: Vec<Payment> = mollie
        .customer_payments(customer)
        .list()
        .limit(5)
        .await?
        .into_items();
    let cursor = &newest_first[2].id;
    let resumed = mollie
        .customer_payments(customer)
        .list()
        .from(cursor)
        .limit(3)
        .await?;
    println!("   from={cursor}: {}", describe(&resumed));

    step(
        4,
        "Either order: `sort(Asc)` oldest first, `sort(Desc)` newest first",
    );
    for order in [SortOrder::Asc, SortOrder::Desc] {
        let page = mollie
            .customer_payments(customer)
            .list()
            .sort(order)
            .limit(3)
            .await?;
        println!("   sort={}: {}", order.as_str(), describe(&page));
    }

    step(5, "Every payment as a stream, fetched lazily page by page");
    let before = list_requests(mock);
    let total = mollie
        .customer_payments(customer)
        .list()
        .limit(5)
        .stream()
        .try_fold((0u64, 0usize), |(cents, count), p| async move {
            let amount = p.amount.minor_units().unwrap_or(0).unsigned_abs();
            Ok((cents + amount, count + 1))
        })
        .await?;
    let (total, count) = total;
    println!(
        "   EUR {}.{:02} over all {count} payments{}",
        total / 100,
        total % 100,
        pages_fetched(mock, before)
    );

    // A stream is lazy: taking the first 7 fetches only the pages those 7 are on.
    let before = list_requests(mock);
    let first_seven: Vec<Payment> = mollie
        .customer_payments(customer)
        .list()
        .limit(5)
        .stream()
        .take(7)
        .try_collect()
        .await?;
    println!(
        "   took {}: {} .. {}{}",
        first_seven.len(),
        first_seven[0].description,
        first_seven[6].description,
        pages_fetched(mock, before)
    );
    Ok(())
}

/// `n items: first .. last` of a page.
fn describe(page: &Page<Payment>) -> String {
    match (page.items().first(), page.items().last()) {
        (Some(first), Some(last)) => format!(
            "{} item(s): {} ({}) .. {} ({})",
            page.len(),
            first.description,
            first.id,
            last.description,
            last.id
        ),
        _ => "empty".to_owned(),
    }
}

/// How many list requests the embedded mock has answered so far (none without a mock).
fn list_requests(mock: Option<&MockServer>) -> usize {
    mock.map_or(0, |m| {
        m.requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/payments"))
            .count()
    })
}

/// `, in N page request(s)` from the mock's request log, or nothing without a mock.
fn pages_fetched(mock: Option<&MockServer>, before: usize) -> String {
    match mock {
        Some(_) => format!(", in {} page request(s)", list_requests(mock) - before),
        None => String::new(),
    }
}
