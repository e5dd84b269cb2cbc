//! The client's own cost, interleaved: sequential `GET customer` through
//! `mollie_core::Client` (retry budget and adaptive rate limit on, not throttling) and through
//! bare reqwest + serde_json decoding the same response with the same request headers
//! (`Authorization`, `User-Agent`, `Accept`), on a loopback port, against two servers in turn:
//! a bare axum route answering the customer's bytes (the cheapest answer, so the client's
//! share is largest) and `mollie-mock` itself. Two measures each:
//! - rounds of 400 requests, alternating which side goes first, so that drift of a noisy
//!   machine hits both alike; the figure is the median of the rounds' ratios;
//! - requests alternated one by one, each timed alone; the figure is the ratio of the two
//!   sides' median requests, with the quartiles' ratios for the spread.
//!
//! Then the same without a network, where the machine's noise is smaller than the client's
//! cost: the client over a fake transport that answers the mock's bytes, against making that
//! answer and decoding it alone. The difference is the client's own layers (prepare, the
//! retry loop, limiter and budget, spans, the futures between them).
//!
//! On a machine where a loopback round trip varies by more than the client's cost, count
//! instructions instead (the client thread, per request, from two runs of one side each):
//!
//! ```text
//! OVERHEAD_ONLY=sdk OVERHEAD_REQUESTS=500 valgrind --tool=callgrind --separate-threads=yes <bench binary>
//! ```
//!
//! On an idle virtual machine a loopback round trip is dominated by waking the other thread
//! (100 us and more), which hides the client's cost; busy processors (another job, or two
//! `nice -n 19` busy loops) bring it to about 25 us, where the client's share shows.
//!
//! `cargo bench -p mollie-core --bench overhead` runs 60 rounds of 400 requests each; without
//! `--bench` (as under `cargo test --all-targets`) a small smoke pass.

use std::time::{Duration, Instant};

use axum::http::header;
use mollie_core::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use mollie_core::{Client, Request};
use mollie_models::{Customer, CustomerId};

mod support;

use support::{KEY, customer_body, serve_customer};

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (rounds, per_round) = if full { (60, 400) } else { (2, 20) };

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (_server_rt, addr) = serve_customer();
    let route = Target {
        what: "a bare axum route answering the customer's bytes",
        base: format!("http://{addr}/v2"),
        id: CustomerId::parse("cst_8wmqcHMN4U").expect("id"),
    };

    // `OVERHEAD_ONLY=sdk|bare OVERHEAD_REQUESTS=N`: only N more requests of one side, for an
    // instruction counter (`valgrind --tool=callgrind --separate-threads=yes`): the client
    // thread's count at two values of N gives one side's instructions per request, free of
    // the machine's noise.
    if let Ok(side) = std::env::var("OVERHEAD_ONLY") {
        let n: u32 = std::env::var("OVERHEAD_REQUESTS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1000);
        let sides = Sides::new(&route);
        rt.block_on(async {
            sides.warm_up().await;
            for _ in 0..n {
                if side == "sdk" {
                    std::hint::black_box(sides.sdk().await);
                } else {
                    std::hint::black_box(sides.bare().await);
                }
            }
        });
        return;
    }

    compare(&rt, &route, rounds, per_round);
    // The issue's own setting: the mock, whose answer takes longer to make than the route's.
    let (_mock_rt, mock) = serve_mock(&rt);
    compare(&rt, &mock, rounds, per_round);
    in_process(rounds, per_round * 20);
}

/// A server to fetch one customer from.
struct Target {
    what: &'static str,
    /// The API's root, `.../v2`.
    base: String,
    id: CustomerId,
}

/// The two ways of fetching the customer: the client, and bare reqwest + serde_json with the
/// client's request headers.
struct Sides {
    client: Client,
    id: CustomerId,
    bare: reqwest::Client,
    url: String,
    authorization: String,
}

impl Sides {
    fn new(target: &Target) -> Self {
        Self {
            client: Client::builder()
                .api_key(KEY)
                .expect("key")
                .base_url(target.base.clone())
                .build()
                .expect("client"),
            id: target.id.clone(),
            bare: reqwest::Client::new(),
            url: format!("{}/customers/{}", target.base, target.id),
            authorization: format!("Bearer {KEY}"),
        }
    }

    async fn sdk(&self) -> Customer {
        self.client
            .send(Request::get().segment("customers").id(&self.id))
            .await
            .expect("the client's GET")
    }

    async fn bare(&self) -> Customer {
        let response = self
            .bare
            .get(&self.url)
            .header(header::AUTHORIZATION, &self.authorization)
            .header(header::USER_AGENT, mollie_core::USER_AGENT)
            .header(header::ACCEPT, "application/hal+json")
            .send()
            .await
            .expect("bare GET");
        assert!(response.status().is_success());
        let bytes = response.bytes().await.expect("body");
        serde_json::from_slice(&bytes).expect("customer")
    }

    /// Both decode the same customer before anything is measured (and warm their pools).
    async fn warm_up(&self) {
        for _ in 0..200 {
            assert_eq!(self.sdk().await, self.bare().await);
        }
    }
}

/// `mollie-mock` on a runtime and thread of its own, with one customer to fetch.
fn serve_mock(rt: &tokio::runtime::Runtime) -> (tokio::runtime::Runtime, Target) {
    let mock_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let mock = mock_rt
        .block_on(mollie_mock::MockServer::start())
        .expect("mock");
    let base = format!("{}/v2", mock.url());
    let client = Client::builder()
        .api_key(KEY)
        .expect("key")
        .base_url(base.clone())
        .build()
        .expect("client");
    let created: Customer = rt
        .block_on(
            client.send(
                Request::post()
                    .segment("customers")
                    .json_value(serde_json::json!({"name": "Customer A", "email": "customer@example.org", "locale": "nl_NL", "metadata": {"crmId": 42}})),
            ),
        )
        .expect("customer");
    // The server lives as long as its runtime.
    mock_rt.spawn(async move {
        let _mock = mock;
        std::future::pending::<()>().await;
    });
    let target = Target {
        what: "mollie-mock",
        base,
        id: created.id,
    };
    (mock_rt, target)
}

/// Both measures against `target`: rounds alternating which side goes first, and requests
/// alternated one by one.
fn compare(rt: &tokio::runtime::Runtime, target: &Target, rounds: usize, per_round: u32) {
    let sides = Sides::new(target);
    rt.block_on(sides.warm_up());
    let (mut with_sdk, mut with_bare) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let time = |sdk_side: bool| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..per_round {
                    if sdk_side {
                        std::hint::black_box(sides.sdk().await);
                    } else {
                        std::hint::black_box(sides.bare().await);
                    }
                }
                start.elapsed()
            })
        };
        let per = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(per_round);
        if round % 2 == 0 {
            with_sdk.push(per(time(true)));
            with_bare.push(per(time(false)));
        } else {
            with_bare.push(per(time(false)));
            with_sdk.push(per(time(true)));
        }
    }
    // Each round's two halves ran back to back: their ratio is what drift leaves alone.
    let mut ratios: Vec<f64> = with_sdk
        .iter()
        .zip(&with_bare)
        .map(|(sdk, bare)| sdk / bare)
        .collect();
    let ratio = median(&mut ratios);
    let (low, high) = (ratios[ratios.len() / 4], ratios[ratios.len() * 3 / 4]);
    let (sdk_us, bare_us) = (median(&mut with_sdk), median(&mut with_bare));
    println!(
        "GET customer from {}, {rounds} interleaved rounds of {per_round}: mollie_core {sdk_us:.1} us, bare reqwest + serde_json {bare_us:.1} us per request (medians); the client costs {:+.1}% (median of the rounds' ratios; middle half {:+.1}% to {:+.1}%)",
        target.what,
        100.0 * (ratio - 1.0),
        100.0 * (low - 1.0),
        100.0 * (high - 1.0),
    );

    // Request by request: each pair runs the two one after the other, in alternating order,
    // and each request is timed alone. The medians of many such requests shrug off what
    // spoils a round (a preemption, a slow wake-up); their quartiles show the spread.
    let pairs = rounds * per_round as usize;
    let (mut sdk_each, mut bare_each) = (Vec::with_capacity(pairs), Vec::with_capacity(pairs));
    rt.block_on(async {
        for pair in 0..pairs {
            for sdk_side in [pair % 2 == 0, pair % 2 == 1] {
                let start = Instant::now();
                if sdk_side {
                    std::hint::black_box(sides.sdk().await);
                    sdk_each.push(start.elapsed().as_secs_f64() * 1e6);
                } else {
                    std::hint::black_box(sides.bare().await);
                    bare_each.push(start.elapsed().as_secs_f64() * 1e6);
                }
            }
        }
    });
    let quartiles = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        let at = |q: usize| values[values.len() * q / 4];
        [at(1), at(2), at(3)]
    };
    let (sdk_q, bare_q) = (quartiles(&mut sdk_each), quartiles(&mut bare_each));
    let cost = |i: usize| 100.0 * (sdk_q[i] / bare_q[i] - 1.0);
    println!(
        "GET customer from {}, {pairs} requests each, alternated one by one: mollie_core {:.1} us, bare reqwest + serde_json {:.1} us (medians); the client costs {:+.1}% at the median ({:+.1}% at the first quartile, {:+.1}% at the third)",
        target.what,
        sdk_q[1],
        bare_q[1],
        cost(1),
        cost(0),
        cost(2),
    );
}

/// Answers with the mock's bytes and headers, without a network: what is left is the
/// client's own work (prepare, the retry loop, limiter and budget, spans, decode).
struct Canned {
    body: Vec<u8>,
}

#[async_trait::async_trait]
impl Transport for Canned {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
        Ok(canned_response(&self.body))
    }
}

/// What the fake transport answers; the baseline makes the same, so that its cost is not
/// counted as the client's.
fn canned_response(body: &[u8]) -> HttpResponse {
    HttpResponse::new(200, body.to_vec())
        .header("content-type", "application/hal+json")
        .header("content-length", body.len().to_string())
        .header("date", "Sun, 29 Nov 2026 21:59:04 GMT")
}

/// The client's layers without I/O, against decoding the same bytes alone.
fn in_process(rounds: usize, per_round: u32) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let body = customer_body().into_bytes();
    let client = Client::builder()
        .api_key(KEY)
        .expect("key")
        .transport(Canned { body: body.clone() })
        .build()
        .expect("client");
    let id = CustomerId::parse("cst_8wmqcHMN4U").expect("id");
    let (mut with_sdk, mut decode_only) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let start = Instant::now();
        rt.block_on(async {
            for _ in 0..per_round {
                let customer: Customer = client
                    .send(Request::get().segment("customers").id(&id))
                    .await
                    .expect("the client's GET");
                std::hint::black_box(customer);
            }
        });
        with_sdk.push(start.elapsed().as_secs_f64() * 1e9 / f64::from(per_round));
        let start = Instant::now();
        for _ in 0..per_round {
            let response = canned_response(&body);
            let customer: Customer = serde_json::from_slice(response.body()).expect("customer");
            std::hint::black_box(customer);
        }
        decode_only.push(start.elapsed().as_secs_f64() * 1e9 / f64::from(per_round));
    }
    let (sdk_ns, decode_ns) = (median(&mut with_sdk), median(&mut decode_only));
    println!(
        "in process (no I/O): mollie_core {sdk_ns:.0} ns, making the fake's response and decoding it {decode_ns:.0} ns per request; the client's own layers {:.0} ns",
        sdk_ns - decode_ns
    );
}
