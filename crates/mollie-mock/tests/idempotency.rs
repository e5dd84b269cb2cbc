//! Idempotency over raw HTTP: replays, mismatches, the in-flight 409, the window, and
//! exact counts under concurrency.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use common::{Api, LIVE_KEY, Req};
use mollie_mock::MockConfig;
use serde_json::{Value, json};

#[tokio::test]
async fn replays_the_first_response_and_changes_nothing() {
    let api = Api::start().await;
    let body = json!({"name": "Jane", "email": "jane@example.org"});
    // Any key shape: base64 like Mollie's Node client, spaces, unicode.
    for key in [
        "bW9sbGllLW5vZGUtY2xpZW50LWtleQ==",
        "a key with spaces",
        "clé-ünïcødé",
    ] {
        let first = api
            .send(Req::post("/v2/customers", body.clone()).idempotency_key(key))
            .await;
        assert_eq!(first.status, 201);
        assert_eq!(first.header("idempotent-replayed"), None);
        // Same body, other key order and whitespace: still the same request.
        let again = api
            .send(
                Req::new(reqwest::Method::POST, "/v2/customers")
                    .raw(r#"{ "email":"jane@example.org", "name":"Jane" }"#)
                    .idempotency_key(key),
            )
            .await;
        assert_eq!(again.status, 201);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.body, first.body);
        // Another body or another endpoint: 400.
        api.send(Req::post("/v2/customers", json!({"name": "Other"})).idempotency_key(key))
            .await
            .assert_error(400, None);
        let other_endpoint = api
            .send(
                Req::patch(format!("/v2/customers/{}", first.id()), body.clone())
                    .idempotency_key(key),
            )
            .await;
        other_endpoint.assert_error(400, None);
    }
    let list = api.send(Req::get("/v2/customers")).await;
    assert_eq!(list.body["count"], 3, "replays created nothing");
    // Keys are per credential: a live key with the same key is a new request.
    let live = api
        .send(
            Req::post("/v2/customers", body)
                .key(LIVE_KEY)
                .idempotency_key("a key with spaces"),
        )
        .await;
    assert_eq!(live.header("idempotent-replayed"), None);
    assert_eq!(live.body["mode"], "live");
}

#[tokio::test]
async fn errors_are_replayed_too_and_deletes_are_idempotent() {
    let api = Api::start().await;
    let bad = api
        .send(Req::post("/v2/customers", json!({"email": "x"})).idempotency_key("k1"))
        .await;
    bad.assert_error(422, Some("email"));
    let again = api
        .send(Req::post("/v2/customers", json!({"email": "x"})).idempotency_key("k1"))
        .await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, bad.body);

    let id = api.customer().await;
    let del = api
        .send(Req::delete(format!("/v2/customers/{id}")).idempotency_key("d1"))
        .await;
    assert_eq!(del.status, 204);
    let replay = api
        .send(Req::delete(format!("/v2/customers/{id}")).idempotency_key("d1"))
        .await;
    assert_eq!(replay.status, 204);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    // GETs ignore the key.
    let get = api
        .send(Req::get(format!("/v2/customers/{id}")).idempotency_key("d1"))
        .await;
    get.assert_error(404, None);
}

#[tokio::test]
async fn keys_expire_after_the_window() {
    let offset = Arc::new(AtomicU64::new(0));
    let clock_offset = offset.clone();
    let api = Api::with(MockConfig::new().clock(move || {
        SystemTime::UNIX_EPOCH
            + Duration::from_secs(1_700_000_000 + clock_offset.load(Ordering::SeqCst))
    }))
    .await;
    let body = json!({"name": "Jane"});
    let first = api
        .send(Req::post("/v2/customers", body.clone()).idempotency_key("k"))
        .await;
    assert_eq!(first.body["createdAt"], "2023-11-14T22:13:20+00:00");
    offset.store(24 * 3600 - 1, Ordering::SeqCst);
    let replay = api
        .send(Req::post("/v2/customers", body.clone()).idempotency_key("k"))
        .await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    offset.store(24 * 3600, Ordering::SeqCst);
    let fresh = api
        .send(Req::post("/v2/customers", body).idempotency_key("k"))
        .await;
    assert_eq!(fresh.header("idempotent-replayed"), None);
    assert_ne!(fresh.id(), first.id());
}

/// Waits until the log shows a request with `key` in its processing window.
async fn until_processing(api: &Api, key: &str) {
    for _ in 0..2000 {
        let log = api.log().await;
        if log
            .iter()
            .any(|e| e["idempotencyKey"] == key && e["processing"] == true)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the request with key {key} never started processing");
}

#[tokio::test]
async fn a_duplicate_in_flight_is_a_409() {
    let api = Arc::new(Api::start().await);
    let body = json!({"name": "Slow"});
    let first = {
        let api = api.clone();
        let body = body.clone();
        tokio::spawn(async move {
            api.send(
                Req::post("/v2/customers", body)
                    .idempotency_key("slow")
                    .fault("delay-ms=60000"),
            )
            .await
        })
    };
    until_processing(&api, "slow").await;
    api.send(Req::post("/v2/customers", body.clone()).idempotency_key("slow"))
        .await
        .assert_error(409, None);
    // Another body with the same key is still a mismatch.
    api.send(Req::post("/v2/customers", json!({"name": "x"})).idempotency_key("slow"))
        .await
        .assert_error(400, None);
    let released = api
        .send(Req::new(reqwest::Method::POST, "/__mock/release").no_auth())
        .await;
    assert_eq!(released.status, 204);
    let first = first.await.expect("task");
    assert_eq!(first.status, 201);
    let replay = api
        .send(Req::post("/v2/customers", body).idempotency_key("slow"))
        .await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.id(), first.id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_count_exactly() {
    let api = Arc::new(Api::start().await);
    let customer = api.customer().await;

    // 200 creates with distinct keys: 200 customers, all different.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let api = api.clone();
        tasks.spawn(async move {
            api.send(
                Req::post("/v2/customers", json!({"name": format!("c{i}")}))
                    .idempotency_key(&format!("distinct-{i}")),
            )
            .await
        });
    }
    let mut ids = std::collections::HashSet::new();
    while let Some(r) = tasks.join_next().await {
        let r = r.expect("task");
        assert_eq!(r.status, 201);
        ids.insert(r.id());
    }
    assert_eq!(ids.len(), 200);
    let list = api.send(Req::get("/v2/customers?limit=250")).await;
    assert_eq!(list.body["count"], 201);

    // 100 creates with one key and one body: exactly one payment; the others are replays of
    // it or 409s while it was in flight.
    let path = format!("/v2/customers/{customer}/payments");
    let body = json!({"amount": {"currency": "EUR", "value": "10.00"}, "description": "once", "redirectUrl": "https://x.example"});
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let api = api.clone();
        let path = path.clone();
        let body = body.clone();
        tasks.spawn(async move {
            api.send(Req::post(path, body).idempotency_key("same"))
                .await
        });
    }
    let (mut originals, mut replays, mut conflicts) = (0, 0, 0);
    let mut payment_ids = std::collections::HashSet::new();
    while let Some(r) = tasks.join_next().await {
        let r = r.expect("task");
        match (r.status, r.header("idempotent-replayed")) {
            (201, None) => originals += 1,
            (201, Some("true")) => replays += 1,
            (409, _) => conflicts += 1,
            other => panic!("unexpected {other:?}: {}", r.body),
        }
        if r.status == 201 {
            payment_ids.insert(r.id());
        }
    }
    assert_eq!(originals, 1);
    assert_eq!(originals + replays + conflicts, 100);
    assert_eq!(payment_ids.len(), 1);
    let payments = api.send(Req::get(format!("{path}?limit=250"))).await;
    assert_eq!(payments.body["count"], 1);

    // 100 parallel payments without keys: 100 payments, listed exactly once each.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let api = api.clone();
        let path = path.clone();
        let body = body.clone();
        tasks.spawn(async move { api.send(Req::post(path, body)).await.status });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.expect("task"), 201);
    }
    let mut seen = std::collections::HashSet::new();
    let mut href = Some(format!("{path}?limit=30"));
    while let Some(h) = href {
        let page = api
            .send(Req::get(h.trim_start_matches(api.server.url())))
            .await;
        for p in page.body["_embedded"]["payments"]
            .as_array()
            .expect("array")
        {
            assert!(
                seen.insert(p["id"].as_str().expect("id").to_owned()),
                "listed twice"
            );
        }
        href = page.body["_links"]["next"]["href"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(seen.len(), 101);
    let _: Vec<Value> = api.log().await;
}
