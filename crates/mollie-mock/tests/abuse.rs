//! Abuse, in seconds: each store bounded in bytes is driven to its bound (with small bounds),
//! and the mock answers as documented (the log drops its oldest entries, a full key store
//! refuses new keys with a 503 and `Retry-After`, a full webhook queue sends nothing more),
//! while its own accounting (`MockServer::memory`) stays within every bound.

mod common;

use std::time::{Duration, UNIX_EPOCH};

use common::{Api, Req, TEST_KEY};
use mollie_mock::{DeliveryOutcome, MemoryUsage, MockConfig};
use serde_json::json;

/// What the key store may hold beyond its budget for a client that sends one request at a
/// time: the answer of the request that was admitted when it filled up (documented: an
/// admitted request's answer is always stored, so that it replays).
const ONE_ANSWER: usize = 4 * 1024;

/// Asserts that every store is within its bound.
fn within_bounds(memory: MemoryUsage) {
    assert!(
        memory.request_log_bytes <= memory.request_log_max_bytes,
        "{memory:?}"
    );
    assert!(
        memory.idempotency_bytes <= memory.idempotency_max_bytes + ONE_ANSWER,
        "{memory:?}"
    );
    assert!(
        memory.webhook_queue_bytes <= memory.webhook_queue_max_bytes,
        "{memory:?}"
    );
    // One object may pass the bound by its own size (at most a request body).
    assert!(
        memory.objects_bytes <= memory.objects_max_bytes + 64 * 1024,
        "{memory:?}"
    );
}

#[tokio::test]
async fn the_request_log_counts_query_strings_and_drops_its_oldest() {
    const BUDGET: usize = 1 << 20;
    let api = Api::with(
        MockConfig::new()
            .max_log_bytes(BUDGET)
            // Room for the 60 KB query strings (the default is 32 KiB).
            .max_uri_bytes(64_000),
    )
    .await;
    let query = format!("q={}", "x".repeat(60_000));
    for i in 0..100 {
        let r = api
            .http
            .get(api.url(&format!("/v2/customers?{query}&i={i}")))
            .bearer_auth(TEST_KEY)
            .send()
            .await
            .expect("a response");
        assert_eq!(r.status(), 200);
        within_bounds(api.server.memory());
    }
    let log = api.server.requests();
    // 6 MB of query strings were sent; the log keeps what fits in 1 MiB, newest last.
    let json = serde_json::to_vec(&log).expect("json");
    assert!(
        json.len() <= BUDGET,
        "the log's JSON is {} bytes",
        json.len()
    );
    let memory = api.server.memory();
    assert!(memory.request_log_bytes <= BUDGET, "{memory:?}");
    assert!(memory.request_log_bytes >= json.len(), "{memory:?}");
    assert!(
        !log.is_empty() && log.len() < 100,
        "{} entries kept",
        log.len()
    );
    assert_eq!(log.last().map(|e| e.seq), Some(100));
    assert_eq!(
        log.last().and_then(|e| e.query.clone()),
        Some(format!("{query}&i=99"))
    );
    assert!(log[0].seq > 1, "the oldest entries were dropped");
    // What `GET /__mock/requests` sends is as bounded.
    let served = api.send(Req::get("/__mock/requests").no_auth()).await;
    assert!(serde_json::to_vec(&served.body).expect("json").len() <= BUDGET);
}

#[tokio::test]
async fn a_full_key_store_refuses_new_keys_and_stays_within_its_bound() {
    const BUDGET: usize = 16 * 1024;
    let api = Api::with(MockConfig::new().max_idempotency_bytes(BUDGET)).await;
    let mut created = 0u64;
    let mut refused = None;
    for i in 0..500 {
        let r = api
            .send(
                Req::post("/v2/customers", json!({"name": format!("Customer {i}")}))
                    .idempotency_key(&format!("abuse-{i}-{}", "k".repeat(200))),
            )
            .await;
        within_bounds(api.server.memory());
        match r.status {
            201 => created += 1,
            503 => {
                refused = Some(r);
                break;
            }
            other => panic!("{other}: {}", r.body),
        }
    }
    let refused = refused.expect("16 KiB of keys filled up");
    refused.assert_error(503, None);
    let retry_after: u64 = refused
        .header("retry-after")
        .expect("a Retry-After")
        .parse()
        .expect("whole seconds");
    assert!(retry_after >= 1);
    // The refused request was not executed.
    let health = api.send(Req::get("/__mock/health").no_auth()).await;
    assert_eq!(health.body["objects"].as_u64(), Some(created));
    let memory = api.server.memory();
    assert!(
        memory.idempotency_bytes <= BUDGET + ONE_ANSWER,
        "{memory:?}"
    );
    // Full: the next key did not fit.
    assert!(memory.idempotency_bytes > BUDGET / 2, "{memory:?}");
    // More new keys: each refused, nothing grows.
    for i in 0..20 {
        let r = api
            .send(
                Req::post("/v2/customers", json!({"name": "More"}))
                    .idempotency_key(&format!("more-{i}")),
            )
            .await;
        r.assert_error(503, None);
        assert_eq!(
            api.server.memory().idempotency_bytes,
            memory.idempotency_bytes
        );
    }
    // Requests without a key are still served.
    let r = api
        .send(Req::post("/v2/customers", json!({"name": "No key"})))
        .await;
    assert_eq!(r.status, 201);
}

#[tokio::test]
async fn a_full_webhook_queue_sends_nothing_more_and_stays_within_its_bound() {
    const BUDGET: usize = 2_000;
    // Retries an hour apart on a clock that stands still: every failed delivery waits in
    // the queue, so that it fills.
    let api = Api::with(
        MockConfig::new()
            .clock(|| UNIX_EPOCH + Duration::from_secs(1_767_607_200))
            .webhook_retry_delays([Duration::from_secs(3600)])
            .max_webhook_queue_bytes(BUDGET),
    )
    .await;
    for _ in 0..30 {
        let p = api
            .create_payment(json!({"webhookUrl": "http://127.0.0.1:9/closed"}))
            .await;
        assert_eq!(api.set_status(&p.id(), "paid").await.status, 200);
        within_bounds(api.server.memory());
    }
    let deliveries = api.server.webhook_deliveries();
    assert_eq!(deliveries.len(), 30);
    let full = |d: &&mollie_mock::WebhookDelivery| {
        d.attempts
            .first()
            .and_then(|a| a.error.as_deref())
            .is_some_and(|e| e.contains("webhook queue is full"))
    };
    let refused: Vec<_> = deliveries.iter().filter(full).collect();
    assert!(!refused.is_empty(), "the queue never filled");
    assert!(refused.iter().all(|d| d.outcome == DeliveryOutcome::Failed));
    let memory = api.server.memory();
    assert!(memory.webhook_queue_bytes <= BUDGET, "{memory:?}");
    assert!(memory.webhook_queue_bytes > 0, "{memory:?}");
}

#[tokio::test]
async fn objects_are_bounded_by_bytes_not_only_by_count() {
    // Payments of about 60 KB of lines each: a count cap alone would let 100,000 of them
    // take 6 GB.
    const BUDGET: usize = 1 << 20;
    let api = Api::with(MockConfig::new().max_object_bytes(BUDGET)).await;
    let line = json!({"description": "x".repeat(500), "quantity": 1,
        "unitPrice": {"currency": "EUR", "value": "1.00"},
        "totalAmount": {"currency": "EUR", "value": "1.00"}});
    let lines: Vec<_> = std::iter::repeat_n(line, 90).collect();
    let mut created = 0;
    let refused = loop {
        let r = api
            .create_payment(
                json!({"lines": lines, "amount": {"currency": "EUR", "value": "110.00"}}),
            )
            .await;
        if r.status != 201 {
            break r;
        }
        created += 1;
        assert!(created < 100, "never refused");
    };
    refused.assert_error(422, None);
    assert!(
        refused.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("max_object_bytes")),
        "{}",
        refused.body
    );
    // About 1 MiB of 57 KB payments: some fit, then none.
    assert!((10..=20).contains(&created), "{created} payments fit");
    let memory = api.server.memory();
    within_bounds(memory);
    assert!(memory.objects_bytes >= BUDGET, "{memory:?}");
    // A reset frees it all.
    let reset = api
        .send(Req::post("/__mock/reset", json!({})).no_auth())
        .await;
    assert_eq!(reset.status, 204);
    assert_eq!(api.server.memory().objects_bytes, 0);
}
