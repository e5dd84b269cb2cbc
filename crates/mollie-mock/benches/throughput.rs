//! Throughput of the mock: GET customer against a bare axum route that answers the same
//! customer body (the floor: what the mock's own pipeline costs is the difference), POST
//! customer-payment, and a mixed load (3 reads to 1 write) with the process's resident memory
//! sampled. The load generator runs in the same process, so all share the machine's cores.
//!
//! `cargo bench -p mollie-mock --bench throughput` runs the full measurement; without
//! `--bench` (as under `cargo test --all-targets`) it runs a small smoke pass.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mollie_mock::MockServer;
use serde_json::json;

const KEY: &str = "test_benchbenchbenchbenchbenchbe";

/// Builds request number `i` on a client.
type MakeRequest = Arc<dyn Fn(&reqwest::Client, usize) -> reqwest::RequestBuilder + Send + Sync>;

struct Figures {
    name: &'static str,
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

/// The process's resident memory in KiB (Linux; 0 elsewhere).
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// [`drive`] for a load whose answers differ in status (any 2xx).
async fn drive_any(
    name: &'static str,
    total: usize,
    concurrency: usize,
    make: MakeRequest,
) -> Figures {
    drive(name, total, concurrency, 0, make).await
}

impl Figures {
    fn throughput(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn print(&mut self, concurrency: usize) {
        self.latencies.sort_unstable();
        let pct = |p: f64| {
            let i = ((self.latencies.len() as f64 * p).ceil() as usize).saturating_sub(1);
            self.latencies[i.min(self.latencies.len() - 1)]
        };
        println!(
            "{:<24} {:>7} requests, {:>3} connections: {:>9.0} req/s   p50 {:>7.3} ms   p99 {:>7.3} ms",
            self.name,
            self.requests,
            concurrency,
            self.requests as f64 / self.elapsed.as_secs_f64(),
            pct(0.50).as_secs_f64() * 1000.0,
            pct(0.99).as_secs_f64() * 1000.0,
        );
    }
}

/// Runs `total` requests from `concurrency` keep-alive connections; `make` builds request i.
async fn drive(
    name: &'static str,
    total: usize,
    concurrency: usize,
    expect: u16,
    make: MakeRequest,
) -> Figures {
    let per_worker = total / concurrency;
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..concurrency {
        let make = make.clone();
        tasks.spawn(async move {
            // One client per worker: one keep-alive connection each.
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .expect("client");
            let mut latencies = Vec::with_capacity(per_worker);
            for i in 0..per_worker {
                let t = Instant::now();
                let response = make(&client, worker * per_worker + i)
                    .send()
                    .await
                    .expect("response");
                let status = response.status().as_u16();
                let _ = response.bytes().await.expect("body");
                latencies.push(t.elapsed());
                // `expect` 0: any success.
                if expect == 0 {
                    assert!((200..300).contains(&status), "{status}");
                } else {
                    assert_eq!(status, expect);
                }
            }
            latencies
        });
    }
    let mut latencies = Vec::with_capacity(total);
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done.expect("worker"));
    }
    Figures {
        name,
        requests: latencies.len(),
        elapsed: start.elapsed(),
        latencies,
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (total, concurrency) = if full { (40_000, 32) } else { (200, 4) };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = MockServer::start().await.expect("mock");
        let url = server.url().to_owned();
        let client = reqwest::Client::new();
        let customer = client
            .post(format!("{url}/v2/customers"))
            .bearer_auth(KEY)
            .body(json!({"name": "Bench", "email": "bench@example.org"}).to_string())
            .send()
            .await
            .expect("customer")
            .bytes()
            .await
            .expect("body");
        let customer: serde_json::Value = serde_json::from_slice(&customer).expect("json");
        let customer = customer["id"].as_str().expect("id").to_owned();
        let mandate = client
            .post(format!("{url}/v2/customers/{customer}/mandates"))
            .bearer_auth(KEY)
            .body(
                json!({"method": "directdebit", "consumerName": "Bench", "consumerAccount": "NL55INGB0000000000"})
                    .to_string(),
            )
            .send()
            .await
            .expect("mandate");
        assert_eq!(mandate.status(), 201);

        // The floor: a bare axum route answering the same body, same runtime, same driver.
        let get_url = format!("{url}/v2/customers/{customer}");
        let body = client
            .get(&get_url)
            .bearer_auth(KEY)
            .send()
            .await
            .expect("customer")
            .bytes()
            .await
            .expect("body");
        let bare = {
            let body = body.clone();
            let app = axum::Router::new().route(
                "/v2/customers/{id}",
                axum::routing::get(move || {
                    let body = body.clone();
                    async move {
                        (
                            [(axum::http::header::CONTENT_TYPE, "application/hal+json")],
                            body,
                        )
                    }
                }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("port");
            let addr = listener.local_addr().expect("address");
            tokio::spawn(async move { axum::serve(listener, app).await });
            format!("http://{addr}/v2/customers/{customer}")
        };
        let mut floor = drive(
            "GET (bare axum route)",
            total,
            concurrency,
            200,
            Arc::new(move |c, _| c.get(&bare).bearer_auth(KEY)),
        )
        .await;
        let get_url = format!("{url}/v2/customers/{customer}");
        let mut get = drive(
            "GET customer",
            total,
            concurrency,
            200,
            Arc::new(move |c, _| c.get(&get_url).bearer_auth(KEY)),
        )
        .await;
        let post_url = format!("{url}/v2/customers/{customer}/payments");
        let body = serde_json::to_vec(&json!({
            "amount": {"currency": "EUR", "value": "10.00"},
            "description": "Bench",
            "sequenceType": "recurring"
        }))
        .expect("json");
        let mut post = drive(
            "POST customer-payment",
            total / 2,
            concurrency,
            201,
            Arc::new(move |c, i| {
                c.post(&post_url)
                    .bearer_auth(KEY)
                    .header("content-type", "application/json")
                    .header("idempotency-key", format!("bench-{i}"))
                    .body(body.clone())
            }),
        )
        .await;
        // Mixed: three reads to one write, with the resident memory sampled meanwhile.
        let (peak_tx, peak_rx) = tokio::sync::watch::channel(0u64);
        let sampler = tokio::spawn(async move {
            loop {
                let rss = resident_kib();
                peak_tx.send_modify(|peak| *peak = (*peak).max(rss));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        let rss_before = resident_kib();
        let get_url = format!("{url}/v2/customers/{customer}");
        let post_url = format!("{url}/v2/customers/{customer}/payments");
        let body = serde_json::to_vec(&json!({
            "amount": {"currency": "EUR", "value": "10.00"},
            "description": "Bench",
            "sequenceType": "recurring"
        }))
        .expect("json");
        let mut mixed = drive_any(
            "mixed 3 GET : 1 POST",
            total,
            concurrency,
            Arc::new(move |c, i| {
                if i % 4 == 0 {
                    c.post(&post_url)
                        .bearer_auth(KEY)
                        .header("content-type", "application/json")
                        .header("idempotency-key", format!("mixed-{i}"))
                        .body(body.clone())
                } else {
                    c.get(&get_url).bearer_auth(KEY)
                }
            }),
        )
        .await;
        sampler.abort();
        let peak = *peak_rx.borrow();
        println!("mollie-mock throughput (server and load generator share one 2-worker runtime):");
        floor.print(concurrency);
        get.print(concurrency);
        println!(
            "  the mock's GET customer runs at {:.0}% of the bare axum route's throughput",
            100.0 * get.throughput() / floor.throughput()
        );
        post.print(concurrency);
        mixed.print(concurrency);
        println!(
            "  resident memory: {:.1} MiB before the mixed load, {:.1} MiB at its peak ({} payments stored)",
            rss_before as f64 / 1024.0,
            peak as f64 / 1024.0,
            total / 2 + total / 4
        );
        server.shutdown().await;
    });
}
