//! Idempotency under attack, over raw HTTP: a key is never forgotten within the window
//! (memory is bounded by bytes, and a full store refuses new keys instead), never replays
//! another request (credential, mode, query, body), and is compared byte for byte.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use common::{ACCESS_TOKEN, Api, Req, Resp, TEST_KEY};
use mollie_mock::MockConfig;
use reqwest::header::HeaderValue;
use serde_json::{Value, json};

/// A clock at 2023-11-14T22:13:20Z plus the seconds in the returned counter.
fn movable_clock() -> (
    impl Fn() -> SystemTime + Send + Sync + 'static,
    Arc<AtomicU64>,
) {
    let offset = Arc::new(AtomicU64::new(0));
    let read = offset.clone();
    let clock = move || {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + read.load(Ordering::SeqCst))
    };
    (clock, offset)
}

fn charge() -> Value {
    json!({
        "amount": {"currency": "EUR", "value": "10.00"},
        "description": "Charge once",
        "redirectUrl": "https://shop.example/return",
    })
}

async fn count(api: &Api, path: &str) -> u64 {
    let list = api.send(Req::get(format!("{path}?limit=250"))).await;
    assert_eq!(list.status, 200, "{}", list.body);
    list.body["count"].as_u64().expect("count")
}

/// Bug: keys were capped by count (`max(max_objects, 1000)`) and the oldest evicted whatever
/// their age, failed 4xx answers included; re-sending a charge then charged again.
#[tokio::test]
async fn a_key_is_not_forgotten_however_many_other_keys_follow() {
    let api = Api::with(MockConfig::new().max_objects(10)).await;
    let first = api
        .send(Req::post("/v2/payments", charge()).idempotency_key("charge-1"))
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    // 1000 other keyed requests, each a 422 that creates nothing.
    for i in 0..1000 {
        let bad = api
            .send(
                Req::post("/v2/customers", json!({"email": "not an email"}))
                    .idempotency_key(&format!("other-{i}")),
            )
            .await;
        assert_eq!(bad.status, 422);
    }
    let again = api
        .send(Req::post("/v2/payments", charge()).idempotency_key("charge-1"))
        .await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.id(), first.id());
    assert_eq!(count(&api, "/v2/payments").await, 1, "charged once");
}

/// A full key store: (a) stored keys still replay, (b) a new key is refused with a 503,
/// `Retry-After` and Mollie's body, and is not executed, (c) once the window has passed
/// (the mock's clock), expired keys make room again.
#[tokio::test]
async fn a_full_key_store_refuses_new_keys_and_reclaims_expired_ones() {
    let (clock, offset) = movable_clock();
    let api = Api::with(
        MockConfig::new()
            .clock(clock)
            .max_idempotency_bytes(8 * 1024),
    )
    .await;
    let mut stored: Vec<(String, Value, String)> = Vec::new();
    let (refused_key, refused_body, refused) = loop {
        let i = stored.len();
        assert!(i < 1000, "8 KiB of keys never filled");
        let key = format!("key-{i}");
        let body = json!({"name": format!("Customer {i}")});
        let r = api
            .send(Req::post("/v2/customers", body.clone()).idempotency_key(&key))
            .await;
        if r.status == 503 {
            break (key, body, r);
        }
        assert_eq!(r.status, 201, "{}", r.body);
        stored.push((key, body, r.id()));
    };
    assert!(stored.len() >= 3, "only {} keys fit in 8 KiB", stored.len());

    // (b) Refused: Mollie's body, a Retry-After, and nothing created.
    refused.assert_error(503, None);
    assert!(
        refused.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Idempotency-Key")),
        "{}",
        refused.body
    );
    let retry_after: u64 = refused
        .header("retry-after")
        .expect("a Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=24 * 3600).contains(&retry_after), "{retry_after}");
    assert_eq!(refused.header("idempotent-replayed"), None);
    let customers = stored.len() as u64;
    assert_eq!(count(&api, "/v2/customers").await, customers);
    // Sent again: refused again, still not executed (and not a replay of the refusal).
    let again = api
        .send(Req::post("/v2/customers", refused_body.clone()).idempotency_key(&refused_key))
        .await;
    again.assert_error(503, None);
    assert_eq!(count(&api, "/v2/customers").await, customers);

    // (a) Every stored key still replays its first answer; another body is still a 400.
    for (key, body, id) in &stored {
        let replay = api
            .send(Req::post("/v2/customers", body.clone()).idempotency_key(key))
            .await;
        assert_eq!(replay.status, 201, "{}", replay.body);
        assert_eq!(replay.header("idempotent-replayed"), Some("true"));
        assert_eq!(&replay.id(), id);
    }
    api.send(Req::post("/v2/customers", json!({"name": "x"})).idempotency_key(&stored[0].0))
        .await
        .assert_error(400, None);
    assert_eq!(count(&api, "/v2/customers").await, customers);

    // Just inside the window, nothing has expired yet.
    offset.store(24 * 3600 - 1, Ordering::SeqCst);
    api.send(Req::post("/v2/customers", refused_body.clone()).idempotency_key(&refused_key))
        .await
        .assert_error(503, None);

    // (c) The window has passed: the expired keys are dropped and the refused key goes
    // through, once.
    offset.store(24 * 3600, Ordering::SeqCst);
    let fresh = api
        .send(Req::post("/v2/customers", refused_body.clone()).idempotency_key(&refused_key))
        .await;
    assert_eq!(fresh.status, 201, "{}", fresh.body);
    assert_eq!(fresh.header("idempotent-replayed"), None);
    let replay = api
        .send(Req::post("/v2/customers", refused_body).idempotency_key(&refused_key))
        .await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.id(), fresh.id());
    assert_eq!(count(&api, "/v2/customers").await, customers + 1);
    // As many keys as before fit again.
    for i in 1..stored.len() {
        let r = api
            .send(
                Req::post("/v2/customers", json!({"name": format!("Later {i}")}))
                    .idempotency_key(&format!("later-{i}")),
            )
            .await;
        assert_eq!(r.status, 201, "key {i}: {}", r.body);
    }
}

/// Bug: the fingerprint was method, path and body only: with an access token, the same key
/// and body with `?testmode=false` replayed the test-mode customer to a live request.
#[tokio::test]
async fn a_key_never_replays_to_another_mode_or_query() {
    let api = Api::start().await;
    let body = json!({"name": "Jane"});
    let test = api
        .send(
            Req::post("/v2/customers?testmode=true", body.clone())
                .key(ACCESS_TOKEN)
                .idempotency_key("k"),
        )
        .await;
    assert_eq!(test.status, 201, "{}", test.body);
    assert_eq!(test.body["mode"], "test");
    for other in ["/v2/customers?testmode=false", "/v2/customers"] {
        let live = api
            .send(
                Req::post(other, body.clone())
                    .key(ACCESS_TOKEN)
                    .idempotency_key("k"),
            )
            .await;
        live.assert_error(400, None);
        assert_eq!(live.header("idempotent-replayed"), None);
    }
    // The same request again still replays.
    let replay = api
        .send(
            Req::post("/v2/customers?testmode=true", body.clone())
                .key(ACCESS_TOKEN)
                .idempotency_key("k"),
        )
        .await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.id(), test.id());

    // `testmode` in the body, then in the query with the same key: 400 too.
    let in_body = api
        .send(
            Req::post("/v2/customers", json!({"name": "Jo", "testmode": true}))
                .key(ACCESS_TOKEN)
                .idempotency_key("k2"),
        )
        .await;
    assert_eq!(in_body.body["mode"], "test");
    api.send(
        Req::post(
            "/v2/customers?testmode=false",
            json!({"name": "Jo", "testmode": true}),
        )
        .key(ACCESS_TOKEN)
        .idempotency_key("k2"),
    )
    .await
    .assert_error(400, None);
    // Nothing reached live mode.
    let live = api
        .send(Req::get("/v2/customers?testmode=false").key(ACCESS_TOKEN))
        .await;
    assert_eq!(live.body["count"], 0, "{}", live.body);

    // A query parameter that changes the answer (`include=details.qrCode`): 400, not the
    // first answer without the QR code.
    let ideal = json!({
        "amount": {"currency": "EUR", "value": "10.00"},
        "description": "QR",
        "redirectUrl": "https://shop.example/return",
        "method": "ideal",
    });
    let plain = api
        .send(Req::post("/v2/payments", ideal.clone()).idempotency_key("qr"))
        .await;
    assert_eq!(plain.status, 201, "{}", plain.body);
    assert!(plain.body["details"]["qrCode"].is_null());
    api.send(Req::post("/v2/payments?include=details.qrCode", ideal).idempotency_key("qr"))
        .await
        .assert_error(400, None);
    assert_eq!(count(&api, "/v2/payments").await, 1);
}

/// Sends `POST /v2/payments` with the test key and `key` as the raw bytes of the
/// `Idempotency-Key` header.
async fn charge_with_raw_key(api: &Api, key: &[u8]) -> Resp {
    let response = api
        .http
        .post(api.url("/v2/payments"))
        .bearer_auth(TEST_KEY)
        .header("content-type", "application/json")
        .header(
            "idempotency-key",
            HeaderValue::from_bytes(key).expect("a header value"),
        )
        .body(serde_json::to_vec(&charge()).expect("json"))
        .send()
        .await
        .expect("a response");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a body");
    let body = serde_json::from_slice(&bytes).expect("a JSON body");
    Resp {
        status,
        headers,
        body,
    }
}

/// Bug: keys were read lossily (`from_utf8_lossy`), so keys that differ only in bytes that
/// are not UTF-8 collided and a second, distinct charge was answered with the first.
#[tokio::test]
async fn keys_are_compared_byte_for_byte() {
    let api = Api::start().await;
    let keys: [&[u8]; 3] = [b"charge-\xff", b"charge-\xfe", "charge-\u{fffd}".as_bytes()];
    let mut ids = Vec::new();
    for key in keys {
        let r = charge_with_raw_key(&api, key).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.header("idempotent-replayed"), None, "key {key:?}");
        ids.push(r.id());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "three distinct charges");
    // Each key replays its own charge.
    for key in keys {
        let r = charge_with_raw_key(&api, key).await;
        assert_eq!(r.header("idempotent-replayed"), Some("true"));
    }
    assert_eq!(count(&api, "/v2/payments").await, 3);
}
