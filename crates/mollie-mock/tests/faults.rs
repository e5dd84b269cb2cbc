//! Fault injection over raw HTTP: statuses, Retry-After, delays, dropped connections,
//! "process, then fail", the control API and the request log.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Api, Req, TEST_KEY};
use reqwest::Method;
use serde_json::json;

async fn customer_count(api: &Api) -> u64 {
    api.send(Req::get("/v2/customers?limit=250")).await.body["count"]
        .as_u64()
        .expect("count")
}

#[tokio::test]
async fn injected_statuses_do_not_process() {
    let api = Api::start().await;
    for status in [500u16, 502, 503] {
        let r = api
            .send(Req::post("/v2/customers", json!({})).fault(&format!("status={status}")))
            .await;
        r.assert_error(status, None);
        assert_eq!(r.header("retry-after"), None);
    }
    let limited = api
        .send(Req::post("/v2/customers", json!({})).fault("status=429;retry-after=0"))
        .await;
    limited.assert_error(429, None);
    assert_eq!(limited.header("retry-after"), Some("0"));
    let default = api
        .send(Req::get("/v2/customers").fault("status=429"))
        .await;
    assert_eq!(default.header("retry-after"), Some("1"));
    assert_eq!(customer_count(&api).await, 0);
    // A fault that does not parse is a 400, and nothing happens.
    api.send(Req::post("/v2/customers", json!({})).fault("explode"))
        .await
        .assert_error(400, None);
    assert_eq!(customer_count(&api).await, 0);
}

#[tokio::test]
async fn dropped_connections_get_no_response() {
    let api = Api::start().await;
    let err = api
        .try_send(Req::post("/v2/customers", json!({})).fault("drop"))
        .await
        .expect_err("no response");
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    assert_eq!(customer_count(&api).await, 0);
    let log = api.log().await;
    let dropped = log.iter().find(|e| e["fault"] == "drop").expect("logged");
    assert_eq!(dropped["dropped"], true);
    assert_eq!(dropped["status"], serde_json::Value::Null);
}

#[tokio::test]
async fn fail_after_commit_stores_then_fails_and_the_key_replays() {
    let api = Api::start().await;
    let body = json!({"name": "Charged once"});
    let failed = api
        .send(
            Req::post("/v2/customers", body.clone())
                .idempotency_key("k500")
                .fault("fail-after-commit"),
        )
        .await;
    failed.assert_error(500, None);
    assert_eq!(customer_count(&api).await, 1, "the request was processed");
    let retry = api
        .send(Req::post("/v2/customers", body.clone()).idempotency_key("k500"))
        .await;
    assert_eq!(retry.status, 201);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));

    let dropped = api
        .try_send(
            Req::post("/v2/customers", json!({"name": "dropped"}))
                .idempotency_key("kdrop")
                .fault("fail-after-commit=drop"),
        )
        .await;
    assert!(dropped.is_err());
    assert_eq!(customer_count(&api).await, 2);
    let retry = api
        .send(Req::post("/v2/customers", json!({"name": "dropped"})).idempotency_key("kdrop"))
        .await;
    assert_eq!(retry.status, 201);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.body["name"], "dropped");
    // Without a key, a retry makes a duplicate: that is what the fault is for.
    api.send(Req::post("/v2/customers", json!({})).fault("fail-after-commit=503"))
        .await
        .assert_error(503, None);
    assert_eq!(customer_count(&api).await, 3);
}

#[tokio::test]
async fn delays_hold_the_request_until_done_or_released() {
    let api = Arc::new(Api::start().await);
    let held = {
        let api = api.clone();
        tokio::spawn(async move {
            api.send(Req::post("/v2/customers", json!({"name": "late"})).fault("delay-ms=60000"))
                .await
        })
    };
    loop {
        if api
            .log()
            .await
            .iter()
            .any(|e| e["fault"] == "delay-ms=60000" && e["processing"] == true)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(!held.is_finished());
    assert_eq!(customer_count(&api).await, 0, "not processed while held");
    api.server.release();
    assert_eq!(held.await.expect("task").status, 201);
    // A short delay simply passes.
    assert_eq!(
        api.send(Req::get("/v2/customers").fault("delay-ms=1"))
            .await
            .status,
        200
    );
    // A client that gives up during a delay: the request is never processed.
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(50))
        .build()
        .expect("client");
    let err = impatient
        .post(api.url("/v2/customers"))
        .bearer_auth(TEST_KEY)
        .header("x-mock-fault", "delay-ms=60000")
        .header("idempotency-key", "gave-up")
        .body("{}")
        .send()
        .await
        .expect_err("times out");
    assert!(err.is_timeout());
    api.server.release();
    // The abandoned key is free again.
    let r = api
        .send(Req::post("/v2/customers", json!({})).idempotency_key("gave-up"))
        .await;
    assert_eq!(r.status, 201);
}

#[tokio::test]
async fn queued_faults_apply_to_the_next_matching_requests() {
    let api = Api::start().await;
    let queued = api
        .send(
            Req::post(
                "/__mock/faults",
                json!({"fault": "status=503", "count": 2, "match": "POST /v2/customers"}),
            )
            .no_auth(),
        )
        .await;
    assert_eq!(queued.status, 201);
    assert_eq!(queued.body["remaining"], 2);
    let listed = api.send(Req::get("/__mock/faults").no_auth()).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
    // Not matching: GET.
    assert_eq!(api.send(Req::get("/v2/customers")).await.status, 200);
    api.send(Req::post("/v2/customers", json!({})))
        .await
        .assert_error(503, None);
    api.send(Req::post("/v2/customers", json!({})))
        .await
        .assert_error(503, None);
    assert_eq!(
        api.send(Req::post("/v2/customers", json!({}))).await.status,
        201
    );
    assert_eq!(
        api.send(Req::get("/__mock/faults").no_auth()).await.body,
        json!([])
    );

    // The header wins over the queue and does not use it up.
    api.server
        .queue_fault("status=502", 1, None)
        .expect("valid");
    api.send(Req::get("/v2/customers").fault("status=500"))
        .await
        .assert_error(500, None);
    api.send(Req::get("/v2/customers"))
        .await
        .assert_error(502, None);
    // Clearing the queue.
    api.server
        .queue_fault("drop", 5, Some("/v2"))
        .expect("valid");
    assert_eq!(
        api.send(Req::new(Method::DELETE, "/__mock/faults").no_auth())
            .await
            .status,
        204
    );
    assert_eq!(api.send(Req::get("/v2/customers")).await.status, 200);

    // Bad control requests.
    for body in [
        json!({}),
        json!({"fault": "nope"}),
        json!({"fault": "drop", "count": 0}),
        json!({"fault": "drop", "match": "GET GET"}),
    ] {
        let r = api.send(Req::post("/__mock/faults", body).no_auth()).await;
        assert!(r.status == 400 || r.status == 422, "{}", r.body);
    }
    assert!(api.server.queue_fault("status=99", 1, None).is_err());
    assert_eq!(
        api.send(Req::get("/__mock/nothing").no_auth()).await.status,
        404
    );
}

#[tokio::test]
async fn the_request_log_shows_what_was_sent_and_reset_forgets_all() {
    let api = Api::start().await;
    api.send(
        Req::post("/v2/customers", json!({"name": "Logged"}))
            .idempotency_key("log-key")
            .header("user-agent", "my-client/1.0"),
    )
    .await;
    let log = api.log().await;
    let entry = log.iter().find(|e| e["method"] == "POST").expect("logged");
    assert_eq!(entry["path"], "/v2/customers");
    assert_eq!(entry["body"], json!({"name": "Logged"}));
    assert_eq!(entry["idempotencyKey"], "log-key");
    assert_eq!(entry["status"], 201);
    assert_eq!(entry["headers"]["authorization"], "[redacted]");
    assert_eq!(entry["headers"]["user-agent"], "my-client/1.0");
    assert!(
        !serde_json::to_string(&log)
            .expect("json")
            .contains(TEST_KEY)
    );
    let in_process = api.server.requests();
    assert_eq!(
        in_process.len(),
        log.len(),
        "control requests are not logged"
    );
    assert_eq!(in_process[0].path, "/v2/customers");

    assert_eq!(
        api.send(Req::new(Method::DELETE, "/__mock/requests").no_auth())
            .await
            .status,
        204
    );
    assert!(api.log().await.is_empty());
    api.server
        .queue_fault("status=500", 1, None)
        .expect("valid");
    assert_eq!(
        api.send(Req::new(Method::POST, "/__mock/reset").no_auth())
            .await
            .status,
        204
    );
    assert_eq!(
        customer_count(&api).await,
        0,
        "objects and queued faults are gone"
    );
    api.server.reset();
    assert!(api.server.requests().is_empty());
}
