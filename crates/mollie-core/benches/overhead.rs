//! The client's own cost, interleaved: sequential `GET customer` through
//! `mollie_core::Client` (retry budget and adaptive rate limit on, not throttling) and through
//! bare reqwest + serde_json decoding the same response with the same request headers
//! (`Authorization`, `User-Agent`, `Accept`), against one in-process axum server on a
//! loopback port. Rounds alternate which goes first, so that drift of a noisy machine hits
//! both alike; the figure is the ratio of the medians of the rounds.
//!
//! `cargo bench -p mollie-core --bench overhead` runs 40 rounds of 500 requests each; without
//! `--bench` (as under `cargo test --all-targets`) a small smoke pass.

use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use axum::routing::get;
use mollie_core::{Client, Request};
use mollie_models::{Customer, CustomerId};
use serde_json::json;

const KEY: &str = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";

fn customer_body() -> String {
    json!({
        "resource": "customer", "id": "cst_8wmqcHMN4U", "mode": "test",
        "name": "Customer A", "email": "customer@example.org", "locale": "nl_NL",
        "metadata": {"crmId": 42}, "createdAt": "2024-03-20T09:13:37+00:00",
        "_links": {
            "self": {"href": "https://api.mollie.com/v2/customers/cst_8wmqcHMN4U", "type": "application/hal+json"},
            "dashboard": {"href": "https://my.mollie.com/dashboard/org_123/customers/cst_8wmqcHMN4U", "type": "text/html"},
            "documentation": {"href": "https://docs.mollie.com/reference/get-customer", "type": "text/html"}
        }
    })
    .to_string()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (rounds, per_round) = if full { (40, 500) } else { (2, 20) };

    // The server gets its own runtime and thread, so it never competes for the client's.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let body = customer_body();
    let addr = server_rt.block_on(async move {
        let app = Router::new().route(
            "/v2/customers/{id}",
            get(move || {
                let body = body.clone();
                async move { ([(header::CONTENT_TYPE, "application/hal+json")], body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("port");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    });
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
    let (sdk_us, bare_us) = (median(&mut with_sdk), median(&mut with_bare));
    println!(
        "GET customer, {rounds} interleaved rounds of {per_round}: mollie_core {sdk_us:.1} us, bare reqwest + serde_json {bare_us:.1} us per request (medians); the client costs {:+.1}%",
        100.0 * (sdk_us / bare_us - 1.0)
    );
}
