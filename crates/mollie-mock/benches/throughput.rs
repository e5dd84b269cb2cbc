//! Throughput of the mock: GET customer and POST customer-payment, with the load generator
//! in the same process (so both share the machine's cores).
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

impl Figures {
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
                assert_eq!(status, expect);
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
        println!("mollie-mock throughput (server and load generator share one 2-worker runtime):");
        get.print(concurrency);
        post.print(concurrency);
        server.shutdown().await;
    });
}
