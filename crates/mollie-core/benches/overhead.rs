//! The client's own cost, interleaved: sequential `GET customer` through
//! `mollie_core::Client` (retry budget and adaptive rate limit on, not throttling) and through
//! bare reqwest + serde_json decoding the same response with the same request headers
//! (`Authorization`, `User-Agent`, `Accept`), against one in-process axum server on a
//! loopback port. Rounds alternate which goes first, so that drift of a noisy machine hits
//! both alike; the figure is the median of the rounds' ratios.
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

    let (_server_rt, addr) = serve_customer();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    let client = Client::builder()
        .api_key(KEY)
        .expect("key")
        .base_url(format!("http://{addr}/v2"))
        .build()
        .expect("client");
    let id = CustomerId::parse("cst_8wmqcHMN4U").expect("id");
    let bare = reqwest::Client::new();
    let url = format!("http://{addr}/v2/customers/cst_8wmqcHMN4U");
    let authorization = format!("Bearer {KEY}");

    let sdk = || async {
        let customer: Customer = client
            .send(Request::get().segment("customers").id(&id))
            .await
            .expect("the client's GET");
        customer
    };
    let plain = || async {
        let response = bare
            .get(&url)
            .header(header::AUTHORIZATION, &authorization)
            .header(header::USER_AGENT, mollie_core::USER_AGENT)
            .header(header::ACCEPT, "application/hal+json")
            .send()
            .await
            .expect("bare GET");
        assert!(response.status().is_success());
        let bytes = response.bytes().await.expect("body");
        let customer: Customer = serde_json::from_slice(&bytes).expect("customer");
        customer
    };
    // Both decode the same customer before anything is measured (and warm their pools).
    rt.block_on(async {
        for _ in 0..200 {
            assert_eq!(sdk().await, plain().await);
        }
    });

    // `OVERHEAD_ONLY=sdk|bare OVERHEAD_REQUESTS=N`: only N more requests of one side, for an
    // instruction counter (`valgrind --tool=callgrind --separate-threads=yes`): the client
    // thread's count at two values of N gives one side's instructions per request, free of
    // the machine's noise.
    if let Ok(side) = std::env::var("OVERHEAD_ONLY") {
        let n: u32 = std::env::var("OVERHEAD_REQUESTS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1000);
        rt.block_on(async {
            for _ in 0..n {
                if side == "sdk" {
                    std::hint::black_box(sdk().await);
                } else {
                    std::hint::black_box(plain().await);
                }
            }
        });
        return;
    }

    let (mut with_sdk, mut with_bare) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let time = |sdk_side: bool| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..per_round {
                    if sdk_side {
                        std::hint::black_box(sdk().await);
                    } else {
                        std::hint::black_box(plain().await);
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
        "GET customer, {rounds} interleaved rounds of {per_round}: mollie_core {sdk_us:.1} us, bare reqwest + serde_json {bare_us:.1} us per request (medians); the client costs {:+.1}% (median of the rounds' ratios; middle half {:+.1}% to {:+.1}%)",
        100.0 * (ratio - 1.0),
        100.0 * (low - 1.0),
        100.0 * (high - 1.0),
    );
    in_process(rounds, per_round * 20);
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
