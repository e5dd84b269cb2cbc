//! The mock clock at scale: 1,000 customers with a SEPA mandate and a monthly subscription
//! each (live mode, so that no test-mode cap of ten payments applies), then one move of the
//! clock by twelve months: every payment made, every direct debit settled, in order.
//!
//! Reported: the advance's wall time and its payments per second; the process's resident
//! memory before and after it and its peak (`VmHWM`); and, as a baseline in the same run,
//! the time to create the same number of recurring payments through the API (HTTP, 8
//! connections), as a ratio.
//!
//! `cargo bench -p mollie-mock --bench clock` runs the full measurement; without `--bench`
//! (as under `cargo test --all-targets`) it runs a small smoke pass.

use std::time::{Duration, Instant};

use mollie_mock::{MockConfig, MockServer};
use serde_json::{Value, json};

const KEY: &str = "live_benchbenchbenchbenchbenchbe";

/// `VmRSS` and `VmHWM` of this process in KiB (Linux); zeros elsewhere.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

async fn post(client: &reqwest::Client, url: String, body: Value) -> Value {
    let response = client
        .post(url)
        .bearer_auth(KEY)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("the mock answers");
    assert!(response.status().is_success(), "{}", response.status());
    serde_json::from_slice(&response.bytes().await.expect("a body")).expect("JSON")
}

/// `n` customers, each with a valid SEPA mandate and a monthly subscription from today;
/// their ids and mandates.
async fn set_up(server: &MockServer, n: usize) -> Vec<(String, String)> {
    let client = reqwest::Client::new();
    let mut made = Vec::with_capacity(n);
    for i in 0..n {
        let url = |path: &str| format!("{}/v2{path}", server.url());
        let customer = post(
            &client,
            url("/customers"),
            json!({"name": format!("Subscriber {i}")}),
        )
        .await;
        let id = customer["id"].as_str().expect("id").to_owned();
        let mandate = post(
            &client,
            url(&format!("/customers/{id}/mandates")),
            json!({"method": "directdebit", "consumerName": "Jane Doe", "consumerAccount": "NL55INGB0000000000"}),
        )
        .await;
        post(
            &client,
            url(&format!("/customers/{id}/subscriptions")),
            json!({"amount": {"currency": "EUR", "value": "9.95"}, "interval": "1 month",
                   "description": "Monthly", "webhookUrl": "http://127.0.0.1:9/hook"}),
        )
        .await;
        made.push((id, mandate["id"].as_str().expect("id").to_owned()));
    }
    made
}

/// The baseline: `total` recurring payments created with `POST /v2/customers/{id}/payments`
/// over 8 keep-alive connections.
async fn through_the_api(
    server: &MockServer,
    customers: &[(String, String)],
    total: usize,
) -> Duration {
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let workers = 8;
    for worker in 0..workers {
        let url = server.url().to_owned();
        let customers = customers.to_vec();
        tasks.spawn(async move {
            let client = reqwest::Client::new();
            for i in (worker..total).step_by(workers) {
                let (customer, mandate) = &customers[i % customers.len()];
                post(
                    &client,
                    format!("{url}/v2/customers/{customer}/payments"),
                    json!({"amount": {"currency": "EUR", "value": "9.95"}, "description": "Monthly",
                           "sequenceType": "recurring", "mandateId": mandate}),
                )
                .await;
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    start.elapsed()
}

#[tokio::main]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (subscribers, months): (usize, u64) = if full { (1_000, 12) } else { (20, 2) };
    // Webhooks go nowhere (a closed port) and are tried once: the figure is the clock's.
    // A base clock that stands still on Monday 2026-01-05T10:00Z: only the advance moves time.
    let config = || {
        MockConfig::new()
            .clock(|| std::time::UNIX_EPOCH + Duration::from_secs(1_767_607_200))
            .webhook_retry_delays([])
            .max_objects(1_000_000)
    };

    let server = config().start().await.expect("mock");
    set_up(&server, subscribers).await;
    // The first payments were made at once (their start day is today).
    let (rss_before, _) = memory();
    let start = Instant::now();
    let report = server
        // To the day before the next month's charge: `months` payments each in all.
        .advance_clock(Duration::from_secs((months * 30 - 5) * 24 * 3600))
        .await;
    let advance = start.elapsed();
    let (rss_after, peak) = memory();
    let payments = report.charged as usize + subscribers;
    assert_eq!(report.charged as usize, subscribers * (months as usize - 1));
    assert_eq!(report.failed, 0);
    println!(
        "advance {months} months, {subscribers} subscriptions: {:>8.1} ms for {} charges and {} settlements ({:.0} payments/s)",
        advance.as_secs_f64() * 1000.0,
        report.charged,
        report.settled,
        f64::from(report.charged) / advance.as_secs_f64()
    );
    println!(
        "memory: RSS {:.1} MiB before, {:.1} MiB after ({:.1} MiB for {payments} payments), peak {:.1} MiB",
        rss_before as f64 / 1024.0,
        rss_after as f64 / 1024.0,
        rss_after.saturating_sub(rss_before) as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    server.shutdown().await;

    let baseline_server = config().start().await.expect("mock");
    let customers = set_up(&baseline_server, subscribers).await;
    let total = report.charged as usize;
    let api = through_the_api(&baseline_server, &customers, total).await;
    println!(
        "baseline: the same {total} recurring payments through the API: {:>8.1} ms; the clock is {:.1}x faster",
        api.as_secs_f64() * 1000.0,
        api.as_secs_f64() / advance.as_secs_f64()
    );
    baseline_server.shutdown().await;
}
