//! Month-end at scale: 10,000 recurring charges, 64 at a time, against a mock limited to R
//! requests per second (R = 500: about 20 s), with the client's adaptive rate limit and
//! retry budget on, and off (the budget unlimited), in the same run; then the same under an
//! incident: for 5 s in the middle, 30% of attempts are answered 503 (by a transport wrapper,
//! before they reach the mock, so that the retries they cause are counted exactly).
//!
//! Reported per run: the achieved rate as a share of R, the 429s (all, and after the first
//! second), calls that ended in an error (each typed, with its key), duplicates (payments
//! made twice for one key: must be 0), retries, and the wall time. Nothing is asserted on
//! time; the counts that must hold (no duplicates, every error typed with a key) are.
//!
//! `cargo bench -p mollie-tests --bench month_end` runs it; without `--bench` (as under
//! `cargo test --all-targets`) a small smoke pass.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use mollie_mock::{MockConfig, MockServer, RateLimit};
use mollie_sdk::core::RetryBudget;
use mollie_sdk::core::transport::{
    HttpRequest, HttpResponse, ReqwestTransport, Transport, TransportError, reqwest,
};
use mollie_sdk::{IdempotencyKey, Money, NewPayment, RetryPolicy};
use mollie_tests::{TEST_KEY, builder, customer, sepa_mandate};

/// The real transport, counting attempts, and failing 30% of them with a 503 while an
/// incident lasts.
struct Incident {
    inner: ReqwestTransport,
    /// The incident's window, from the batch's start.
    window: Option<(Duration, Duration)>,
    start: Instant,
    attempts: AtomicU64,
    injected: AtomicU64,
    /// Attempts sent during the incident (injected ones included).
    during: AtomicU64,
}

#[async_trait::async_trait]
impl Transport for Incident {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.attempts.fetch_add(1, Ordering::Relaxed);
        let at = self.start.elapsed();
        if let Some((from, to)) = self.window
            && at >= from
            && at < to
        {
            self.during.fetch_add(1, Ordering::Relaxed);
            if fastrand::f64() < 0.3 {
                self.injected.fetch_add(1, Ordering::Relaxed);
                let body = br#"{"status":503,"title":"Service Unavailable","detail":"Incident (bench)","_links":{"documentation":{"href":"https://docs.mollie.com/errors","type":"text/html"}}}"#;
                return Ok(HttpResponse::new(503, body.to_vec())
                    .header("content-type", "application/hal+json"));
            }
        }
        self.inner.send(request).await
    }
}

struct Figures {
    label: String,
    calls: usize,
    wall: Duration,
    charged: usize,
    failed: usize,
    throttled: usize,
    throttled_late: usize,
    duplicates: usize,
    attempts: u64,
    injected: u64,
    during: u64,
    incident_secs: f64,
}

impl Figures {
    fn print(&self, rate: u32) {
        let achieved = self.charged as f64 / self.wall.as_secs_f64();
        println!(
            "{:<34} {:>6.0} charges/s = {:>5.1}% of R  429s {:>5} ({:>5} after 1 s = {:.2}% of calls)  errors {:>4}  duplicates {}  attempts {:>6}  wall {:>5.1} s",
            self.label,
            achieved,
            100.0 * achieved / f64::from(rate),
            self.throttled,
            self.throttled_late,
            100.0 * self.throttled_late as f64 / self.calls as f64,
            self.failed,
            self.duplicates,
            self.attempts,
            self.wall.as_secs_f64(),
        );
        if self.incident_secs > 0.0 {
            let extra = self.attempts.saturating_sub(self.calls as u64) as f64;
            println!(
                "{:<34} {} of {} attempts in its {:.0} s answered 503; retries in all {:.0} = {:.1}% of the base rate over the incident",
                "",
                self.injected,
                self.during,
                self.incident_secs,
                extra,
                100.0 * extra / (f64::from(rate) * self.incident_secs)
            );
        }
    }
}

async fn run(
    label: &str,
    adaptive: bool,
    (calls, rate, concurrency): (usize, u32, usize),
    incident: Option<(Duration, Duration)>,
) -> Figures {
    let mock = Arc::new(
        MockConfig::new()
            .max_logged_requests(calls * 4 + 100)
            .start()
            .await
            .expect("mock"),
    );
    let transport = Arc::new(Incident {
        inner: ReqwestTransport::from_client(reqwest::Client::new()),
        window: incident,
        start: Instant::now(),
        attempts: AtomicU64::new(0),
        injected: AtomicU64::new(0),
        during: AtomicU64::new(0),
    });
    let shared = Shared(transport.clone());
    let mut mollie = builder(&mock)
        .api_key(TEST_KEY)
        .expect("key")
        .transport(shared)
        .retry_policy(RetryPolicy::default().max_attempts(10))
        .deadline(Duration::from_secs(120))
        .adaptive_rate_limit(adaptive);
    if !adaptive {
        mollie = mollie.retry_budget(RetryBudget::unlimited());
    }
    let mollie = mollie.build().expect("client");
    let jane = customer(&mollie, "Jane").await;
    let mandate = sepa_mandate(&mollie, &jane.id).await;
    mock.set_rate_limit(Some(RateLimit::per_second(rate).burst(rate / 10)));
    let before = mock.requests().len();
    let attempts_before = transport.attempts.load(Ordering::Relaxed);

    // The 429s of the first second are counted apart: the limiter learns from them.
    let start = Instant::now();
    let first_second = tokio::spawn({
        let mock = mock.clone();
        async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            throttled_since(&mock, before)
        }
    });
    let results: Vec<_> = futures::stream::iter(0..calls)
        .map(|n| {
            let mollie = mollie.clone();
            let (customer, mandate) = (jane.id.clone(), mandate.id.clone());
            let key = format!("bench-{label}-{n}").replace(' ', "-");
            async move {
                let key = IdempotencyKey::parse(&key).expect("key");
                let charge =
                    NewPayment::recurring(Money::eur("9.99").expect("money"), "Monthly", &mandate);
                mollie
                    .customer_payments(&customer)
                    .create(charge)
                    .idempotency_key(key)
                    .await
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let wall = start.elapsed();
    let throttled_first = first_second.await.expect("counted");

    let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    for error in &failed {
        assert!(
            error.idempotency_key().is_some(),
            "an error without its key: {error}"
        );
    }
    let log = mock.requests();
    let log = &log[before.min(log.len())..];
    let throttled = log.iter().filter(|r| r.status == Some(429)).count();
    let mut made: HashMap<&str, usize> = HashMap::new();
    for request in log {
        if request.method == "POST" && request.status == Some(201) && !request.replayed {
            *made
                .entry(request.idempotency_key.as_deref().unwrap_or(""))
                .or_default() += 1;
        }
    }
    let duplicates = made.values().map(|n| n.saturating_sub(1)).sum();
    assert_eq!(duplicates, 0, "{label}: a key made two payments");
    let figures = Figures {
        label: label.to_owned(),
        calls,
        wall,
        charged: results.iter().filter(|r| r.is_ok()).count(),
        failed: failed.len(),
        throttled,
        throttled_late: throttled.saturating_sub(throttled_first),
        duplicates,
        attempts: transport.attempts.load(Ordering::Relaxed) - attempts_before,
        injected: transport.injected.load(Ordering::Relaxed),
        during: transport.during.load(Ordering::Relaxed),
        incident_secs: incident.map_or(0.0, |(from, to)| (to - from).as_secs_f64()),
    };
    if let Ok(mock) = Arc::try_unwrap(mock) {
        mock.shutdown().await;
    }
    figures
}

/// How many requests the mock answered 429 since its `before`-th logged one.
fn throttled_since(mock: &MockServer, before: usize) -> usize {
    let log = mock.requests();
    log[before.min(log.len())..]
        .iter()
        .filter(|r| r.status == Some(429))
        .count()
}

/// Lets the client own a handle to the counting transport.
struct Shared(Arc<Incident>);

#[async_trait::async_trait]
impl Transport for Shared {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.0.send(request).await
    }
}

#[tokio::main]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (calls, rate, concurrency) = if full {
        (10_000, 500, 64)
    } else {
        (300, 300, 64)
    };
    let shape = (calls, rate, concurrency);
    println!(
        "{calls} recurring charges, concurrency {concurrency}, mock limited to R = {rate} requests/s (burst R/10)"
    );
    run("adaptive limit + budget", true, shape, None)
        .await
        .print(rate);
    run("no limiter, unlimited retries", false, shape, None)
        .await
        .print(rate);
    let incident = if full {
        Some((Duration::from_secs(8), Duration::from_secs(13)))
    } else {
        Some((Duration::from_millis(300), Duration::from_millis(800)))
    };
    run("incident: adaptive limit + budget", true, shape, incident)
        .await
        .print(rate);
    run("incident: no limiter, unlimited", false, shape, incident)
        .await
        .print(rate);
}
