//! One GET of a customer through `mollie_core::Client`, beside the same request made with bare
//! reqwest + serde_json, against an in-process axum server on a loopback port.
//!
//! The difference is the client's own cost: request preparation, spans, the retry loop's
//! bookkeeping, bounded body reading and error classification.

use std::time::Duration;

use axum::http::header;
use criterion::{Criterion, criterion_group, criterion_main};
use mollie_core::{Client, Request};
use mollie_models::{Customer, CustomerId};

mod support;

use support::{KEY, serve_customer};

fn bench(c: &mut Criterion) {
    let (_server_rt, addr) = serve_customer();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let client = Client::builder()
        .api_key(KEY)
        .unwrap()
        .base_url(format!("http://{addr}/v2"))
        .build()
        .unwrap();
    let id = CustomerId::parse("cst_8wmqcHMN4U").unwrap();

    let bare = reqwest::Client::builder()
        .default_headers(
            [
                (
                    header::AUTHORIZATION,
                    format!("Bearer {KEY}").parse().unwrap(),
                ),
                (header::ACCEPT, "application/hal+json".parse().unwrap()),
            ]
            .into_iter()
            .collect(),
        )
        .user_agent(mollie_core::USER_AGENT)
        .build()
        .unwrap();
    let url = format!("http://{addr}/v2/customers/cst_8wmqcHMN4U");

    // Both must decode the same customer before anything is measured.
    let a: Customer = rt
        .block_on(client.send(Request::get().segment("customers").id(&id)))
        .unwrap();
    let b: Customer = rt.block_on(async {
        let bytes = bare.get(&url).send().await.unwrap().bytes().await.unwrap();
        serde_json::from_slice(&bytes).unwrap()
    });
    assert_eq!(a, b);

    let mut group = c.benchmark_group("get_customer");
    group.bench_function("mollie_core_client", |bencher| {
        bencher.iter(|| {
            rt.block_on(async {
                let customer: Customer = client
                    .send(Request::get().segment("customers").id(&id))
                    .await
                    .unwrap();
                customer
            })
        })
    });
    group.bench_function("bare_reqwest_serde_json", |bencher| {
        bencher.iter(|| {
            rt.block_on(async {
                let response = bare.get(&url).send().await.unwrap();
                assert!(response.status().is_success());
                let bytes = response.bytes().await.unwrap();
                let customer: Customer = serde_json::from_slice(&bytes).unwrap();
                customer
            })
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
