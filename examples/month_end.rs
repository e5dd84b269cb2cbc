//! Month-end: charge every subscriber's mandate once, as fast as Mollie allows, and not one
//! twice, even when the run crashes halfway and is started again.
//!
//! Each charge's idempotency key derives from what it is, `(customer, period)`: a second
//! run of the same period sends the same keys, so what the first run charged is replayed
//! (`Idempotent-Replayed`), not charged again, and only the rest is charged. The client's
//! adaptive rate limit learns the allowed rate from Mollie's 429s, and its retry budget keeps
//! retries from piling on.
//!
//! Run: `cargo run --release -p mollie-examples --example month_end -- [--customers N]
//! [--concurrency C] [--rate R] [--crash-after K]`. It runs against an embedded mollie-mock
//! limited to R requests per second per API key (default 10,000 customers, concurrency 64,
//! R = 500): setting up the customers and mandates is not limited; the month-end run is.
//! `--crash-after K` drops the run after K charges, as a crash would, and starts it again
//! with the same period. (Against Mollie itself, run the same loop with your own customer
//! list: the keys make a restart safe.)

use std::collections::BTreeMap;
use std::error::Error;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use mollie_examples::{MOCK_API_KEY, init_logging};
use mollie_mock::{MockConfig, RateLimit};
use mollie_sdk::{
    CustomerId, Iban, IdempotencyKey, MandateId, Mollie, Money, NewCustomer, NewMandate,
    NewPayment, RetryPolicy,
};

/// What the command line asks for.
struct Options {
    customers: usize,
    concurrency: usize,
    rate: u32,
    crash_after: Option<usize>,
}

impl Options {
    fn parse() -> Result<Self, Box<dyn Error>> {
        let mut options = Self {
            customers: 10_000,
            concurrency: 64,
            rate: 500,
            crash_after: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let mut value = || -> Result<usize, Box<dyn Error>> {
                let text = args.next().ok_or(format!("{flag} needs a value"))?;
                Ok(text.parse().map_err(|e| format!("{flag} {text}: {e}"))?)
            };
            match flag.as_str() {
                "--customers" => options.customers = value()?,
                "--concurrency" => options.concurrency = value()?.max(1),
                "--rate" => options.rate = u32::try_from(value()?.max(1))?,
                "--crash-after" => options.crash_after = Some(value()?),
                other => return Err(format!("unknown argument {other}").into()),
            }
        }
        Ok(options)
    }
}

/// A subscriber to charge.
#[derive(Clone)]
struct Subscriber {
    customer: CustomerId,
    mandate: MandateId,
}

/// How one run ended, by charge.
#[derive(Default)]
struct Tally {
    charged: usize,
    replayed: usize,
    failed: Vec<(CustomerId, IdempotencyKey, String)>,
}

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
    init_logging();
    let options = Options::parse()?;
    let mock = MockConfig::new()
        .max_objects(4 * options.customers + 1_000)
        .start()
        .await?;
    println!(
        "month-end against an embedded mollie-mock at {}",
        mock.url()
    );
    // Patient calls: a throttled charge waits for its paced turn (the client's adaptive rate
    // limit) rather than failing after the default four attempts.
    let mollie = Mollie::builder()
        .api_key(MOCK_API_KEY)?
        .base_url(mock.url())
        .retry_policy(RetryPolicy::default().max_attempts(10))
        .deadline(Duration::from_secs(120))
        .build()?;

    let subscribers = set_up(&mollie, &options).await?;
    println!(
        "{} subscribers with a SEPA mandate; Mollie (the mock) now allows {} requests/s",
        subscribers.len(),
        options.rate
    );
    mock.set_rate_limit(Some(
        RateLimit::per_second(options.rate).burst(options.rate / 10),
    ));

    let period = "2024-03";
    let started = Instant::now();
    let mut runs = Vec::new();
    if let Some(crash_after) = options.crash_after {
        println!("\nrun 1 of period {period}: crashes after {crash_after} charges");
        runs.push(charge_all(&mollie, &subscribers, period, &options, Some(crash_after)).await);
        println!("\nrun 2 of period {period}: the same keys, after the crash");
    }
    runs.push(charge_all(&mollie, &subscribers, period, &options, None).await);
    let elapsed = started.elapsed();

    let last = runs.last().ok_or("no run")?;
    let requests = mock.requests().len();
    println!("\nsummary of period {period}");
    println!("  charged:  {}", last.charged);
    println!(
        "  replayed: {} (made by an earlier run, not charged again)",
        last.replayed
    );
    println!(
        "  failed:   {} (retry these later with their keys)",
        last.failed.len()
    );
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for (customer, key, reason) in last.failed.iter().take(5) {
        println!("    {customer} key {key}: {reason}");
    }
    for (_, _, reason) in &last.failed {
        *reasons.entry(reason.as_str()).or_default() += 1;
    }
    let sent = runs.iter().map(|r| r.charged + r.replayed).sum::<usize>();
    #[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
    let achieved = sent as f64 / elapsed.as_secs_f64();
    println!(
        "  elapsed:  {:.1} s, {achieved:.0} charges/s against a limit of {} requests/s",
        elapsed.as_secs_f64(),
        options.rate
    );
    println!(
        "  the client's learned send rate: {}",
        mollie
            .client()
            .adaptive_send_rate()
            .map_or("never throttled".to_owned(), |r| format!(
                "{r:.0} requests/s"
            ))
    );

    // What Mollie holds: exactly one payment per subscriber for the period.
    let stored = mollie
        .payments()
        .list()
        .limit(250)
        .stream()
        .filter(|p| {
            futures::future::ready(p.as_ref().is_ok_and(|p| p.description.ends_with(period)))
        })
        .count()
        .await;
    println!("  payments for {period} at Mollie: {stored} ({requests} requests logged)");
    if last.failed.is_empty() && stored != subscribers.len() {
        return Err(format!("{stored} payments for {} subscribers", subscribers.len()).into());
    }
    if stored > subscribers.len() {
        return Err("somebody was charged twice".into());
    }
    Ok(())
}

/// Creates the subscribers (customer and mandate), `concurrency` at a time.
async fn set_up(mollie: &Mollie, options: &Options) -> Result<Vec<Subscriber>, Box<dyn Error>> {
    let bar = bar(options.customers, "setting up");
    let iban = Iban::parse("NL55INGB0000000000")?;
    let subscribers: Vec<Result<Subscriber, mollie_sdk::Error>> =
        futures::stream::iter(0..options.customers)
            .map(|n| {
                let (mollie, iban, bar) = (mollie.clone(), iban.clone(), bar.clone());
                async move {
                    let name = format!("Subscriber {n}");
                    let customer = mollie
                        .customers()
                        .create(NewCustomer::new().name(&name))
                        .await?;
                    let mandate = mollie
                        .mandates(&customer.id)
                        .create(NewMandate::sepa_direct_debit(name, iban))
                        .await?;
                    bar.inc(1);
                    Ok(Subscriber {
                        customer: customer.id,
                        mandate: mandate.id,
                    })
                }
            })
            .buffer_unordered(options.concurrency)
            .collect()
            .await;
    bar.finish_and_clear();
    Ok(subscribers.into_iter().collect::<Result<_, _>>()?)
}

/// Charges every subscriber once for `period`; with `crash_after`, stops (as a crash would)
/// once that many charges are done.
async fn charge_all(
    mollie: &Mollie,
    subscribers: &[Subscriber],
    period: &str,
    options: &Options,
    crash_after: Option<usize>,
) -> Tally {
    let bar = bar(subscribers.len(), "charging");
    let done = Arc::new(AtomicUsize::new(0));
    let mut charges = futures::stream::iter(subscribers.iter().cloned())
        .map(|subscriber| {
            let (mollie, bar, done) = (mollie.clone(), bar.clone(), done.clone());
            let period = period.to_owned();
            async move {
                let result = charge(&mollie, &subscriber, &period).await;
                done.fetch_add(1, Ordering::Relaxed);
                bar.inc(1);
                (subscriber, result)
            }
        })
        .buffer_unordered(options.concurrency);
    let mut tally = Tally::default();
    while let Some((subscriber, result)) = charges.next().await {
        match result {
            Ok(true) => tally.replayed += 1,
            Ok(false) => tally.charged += 1,
            Err((key, error)) => tally.failed.push((subscriber.customer, key, error)),
        }
        let failed = tally.failed.len();
        bar.set_message(format!("{failed} failed"));
        if crash_after.is_some_and(|limit| done.load(Ordering::Relaxed) >= limit) {
            // The process dies: charges in flight are dropped mid-request.
            break;
        }
    }
    drop(charges);
    bar.finish_and_clear();
    println!(
        "  {} charged, {} replayed, {} failed, {} not reached",
        tally.charged,
        tally.replayed,
        tally.failed.len(),
        subscribers.len() - tally.charged - tally.replayed - tally.failed.len()
    );
    tally
}

/// Charges one subscriber for `period`: `Ok(true)` if Mollie replayed an earlier charge.
async fn charge(
    mollie: &Mollie,
    subscriber: &Subscriber,
    period: &str,
) -> Result<bool, (IdempotencyKey, String)> {
    let key = IdempotencyKey::parse(&format!("month-end-{period}-{}", subscriber.customer))
        .map_err(|e| (IdempotencyKey::new_v4(), e.to_string()))?;
    let charge = NewPayment::recurring(
        Money::eur("9.99").map_err(|e| (key.clone(), e.to_string()))?,
        format!("Subscription {period}"),
        &subscriber.mandate,
    );
    mollie
        .customer_payments(&subscriber.customer)
        .create(charge)
        .idempotency_key(key.clone())
        .send_with_meta()
        .await
        .map(|created| created.meta.idempotent_replayed())
        .map_err(|error| (key, format!("{:?}: {error}", error.outcome())))
}

fn bar(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{what} {{bar:40}} {{pos}}/{{len}} {{per_sec}} eta {{eta}} {{msg}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
