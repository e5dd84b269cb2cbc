//! Rate limits over raw HTTP: a token bucket per credential, 429 with Mollie's body and
//! `Retry-After`, the control API exempt, nothing processed when limited; and the program's
//! flags and environment. Time is the mock's clock, moved by hand: no assertion depends on
//! how fast the requests go.

mod common;
mod program;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use common::{ACCESS_TOKEN, Api, LIVE_KEY, Req, Resp, TEST_KEY};
use mollie_mock::{MockConfig, RateLimit};
use program::{Running, program, start};
use serde_json::json;

const OTHER_TEST_KEY: &str = "test_SomeOtherKeyOfTheSameAccount1";

/// A mock with `limit` and a clock that stands still until the test moves it (in ms).
async fn limited(limit: RateLimit) -> (Api, Arc<AtomicU64>) {
    let millis = Arc::new(AtomicU64::new(0));
    let clock = millis.clone();
    let api = Api::with(MockConfig::new().rate_limit(limit).clock(move || {
        SystemTime::UNIX_EPOCH
            + Duration::from_secs(1_700_000_000)
            + Duration::from_millis(clock.load(Ordering::SeqCst))
    }))
    .await;
    (api, millis)
}

async fn list(api: &Api, key: &str) -> Resp {
    api.send(Req::get("/v2/customers").key(key)).await
}

/// Asserts Mollie's 429: its body, content type (checked by `Api::send` too) and a
/// `Retry-After` of at least a second; returns the `Retry-After`.
fn assert_rate_limited(r: &Resp) -> u64 {
    r.assert_error(429, None);
    assert_eq!(r.body["title"], "Too Many Requests", "{}", r.body);
    assert_eq!(
        r.body["detail"],
        "You have exceeded the rate limit. Please slow down your requests."
    );
    assert_eq!(
        r.body["_links"]["documentation"]["href"],
        "https://docs.mollie.com/overview/handling-errors"
    );
    assert_eq!(r.header("content-type"), Some("application/hal+json"));
    let retry_after: u64 = r
        .header("retry-after")
        .expect("a Retry-After header")
        .parse()
        .expect("whole seconds");
    assert!(retry_after >= 1);
    retry_after
}

async fn objects(api: &Api) -> u64 {
    let r = api.send(Req::get("/__mock/health").no_auth()).await;
    assert_eq!(r.status, 200);
    r.body["objects"].as_u64().expect("a count")
}

#[tokio::test]
async fn six_quick_requests_get_five_answers_and_one_429() {
    let (api, millis) = limited(RateLimit::per_second(5).burst(5)).await;
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..6 {
        let r = list(&api, TEST_KEY).await;
        statuses.push(r.status);
        last = Some(r);
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
    let limited = last.expect("six responses");
    // The next token is 200 ms away: one whole second, rounded up.
    assert_eq!(assert_rate_limited(&limited), 1);
    // Neither the key nor a trace of it is echoed.
    assert!(!limited.body.to_string().contains("dHar4XY7"));
    assert!(
        limited
            .headers
            .values()
            .all(|v| !v.to_str().unwrap_or_default().contains("dHar4XY7"))
    );

    // One token comes back every 200 ms.
    millis.store(199, Ordering::SeqCst);
    assert_rate_limited(&list(&api, TEST_KEY).await);
    millis.store(200, Ordering::SeqCst);
    assert_eq!(list(&api, TEST_KEY).await.status, 200);
    assert_rate_limited(&list(&api, TEST_KEY).await);
    // After a long pause the bucket is full again, and holds no more than the burst.
    millis.store(3_600_000, Ordering::SeqCst);
    for _ in 0..5 {
        assert_eq!(list(&api, TEST_KEY).await.status, 200);
    }
    assert_rate_limited(&list(&api, TEST_KEY).await);
}

#[tokio::test]
async fn every_credential_has_its_own_bucket() {
    let (api, _millis) = limited(RateLimit::per_second(1)).await;
    assert_eq!(list(&api, TEST_KEY).await.status, 200);
    assert_rate_limited(&list(&api, TEST_KEY).await);
    for key in [OTHER_TEST_KEY, LIVE_KEY, ACCESS_TOKEN] {
        assert_eq!(list(&api, key).await.status, 200, "{key}");
        assert_rate_limited(&list(&api, key).await);
    }
    // Every endpoint draws on the same bucket of a credential.
    assert_rate_limited(&api.send(Req::get("/v2/payments")).await);
    assert_rate_limited(&api.send(Req::post("/v2/customers", json!({}))).await);
    assert_eq!(objects(&api).await, 0);
}

#[tokio::test]
async fn requests_without_valid_credentials_still_get_401() {
    let (api, _millis) = limited(RateLimit::per_second(1)).await;
    assert_eq!(list(&api, TEST_KEY).await.status, 200);
    assert_rate_limited(&list(&api, TEST_KEY).await);
    for _ in 0..3 {
        api.send(Req::get("/v2/customers").no_auth())
            .await
            .assert_error(401, None);
        api.send(Req::get("/v2/customers").key("nonsense"))
            .await
            .assert_error(401, None);
    }
}

#[tokio::test]
async fn the_control_api_is_never_limited() {
    let (api, _millis) = limited(RateLimit::per_second(1)).await;
    let customer = api.customer().await;
    assert_rate_limited(&list(&api, TEST_KEY).await);
    for _ in 0..10 {
        // Even with the exhausted key in `Authorization`.
        for path in [
            "/__mock/health",
            "/__mock/requests",
            "/__mock/faults",
            "/__mock/webhooks",
        ] {
            let r = api.send(Req::get(path)).await;
            assert_eq!(r.status, 200, "{path}: {}", r.body);
        }
        let r = api
            .send(
                Req::post(
                    "/__mock/payments/tr_unknown123/status",
                    json!({"status": "paid"}),
                )
                .no_auth(),
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
    }
    // It neither takes nor gives back tokens.
    assert_rate_limited(&list(&api, TEST_KEY).await);
    assert_eq!(objects(&api).await, 1, "{customer}");
}

#[tokio::test]
async fn a_limited_post_creates_nothing_and_leaves_its_idempotency_key_free() {
    let (api, millis) = limited(RateLimit::per_second(1)).await;
    assert_eq!(list(&api, TEST_KEY).await.status, 200);
    let body = json!({"name": "Jane Doe", "email": "jane@example.org"});
    let post = || Req::post("/v2/customers", body.clone()).idempotency_key("month-end-0001");

    let refused = api.send(post()).await;
    assert_rate_limited(&refused);
    assert_eq!(refused.header("idempotent-replayed"), None);
    assert_eq!(objects(&api).await, 0, "a limited request creates nothing");
    // The log shows it, with the key redacted.
    let log = api.log().await;
    let entry = log
        .iter()
        .find(|e| e["idempotencyKey"] == "month-end-0001")
        .expect("logged");
    assert_eq!(entry["status"], 429);
    assert_eq!(entry["headers"]["authorization"], "[redacted]");

    // The retry, a token later, is the first request of the key: processed, not a replay.
    millis.store(1000, Ordering::SeqCst);
    let created = api.send(post()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("idempotent-replayed"), None);
    assert_eq!(objects(&api).await, 1);
    // And a retry after that is the replay of the 201.
    millis.store(2000, Ordering::SeqCst);
    let replayed = api.send(post()).await;
    assert_eq!(replayed.status, 201);
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    assert_eq!(replayed.id(), created.id());
    assert_eq!(objects(&api).await, 1, "exactly one customer");
}

#[tokio::test]
async fn requests_stopped_by_a_fault_take_no_token() {
    let (api, _millis) = limited(RateLimit::per_second(1)).await;
    for _ in 0..3 {
        api.send(Req::get("/v2/customers").fault("status=503"))
            .await
            .assert_error(503, None);
    }
    assert_eq!(list(&api, TEST_KEY).await.status, 200);
    assert_rate_limited(&list(&api, TEST_KEY).await);
}

#[tokio::test]
async fn reset_forgets_the_buckets() {
    let (api, _millis) = limited(RateLimit::per_second(1)).await;
    assert_eq!(list(&api, TEST_KEY).await.status, 200);
    assert_rate_limited(&list(&api, TEST_KEY).await);
    let r = api
        .send(Req::post("/__mock/reset", json!({})).no_auth())
        .await;
    assert!(r.status < 300, "{}", r.body);
    assert_eq!(list(&api, TEST_KEY).await.status, 200);
    assert_rate_limited(&list(&api, TEST_KEY).await);
    api.server.reset();
    assert_eq!(list(&api, TEST_KEY).await.status, 200);
}

#[tokio::test]
async fn there_is_no_limit_by_default() {
    let api = Api::start().await;
    for _ in 0..50 {
        assert_eq!(list(&api, TEST_KEY).await.status, 200);
    }
}

/// The program with `args` and `env`.
fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = program();
    command.args(args).envs(env.iter().copied());
    command
}

/// Starts the program with `args` and `env`.
fn spawn(args: &[&str], env: &[(&str, &str)]) -> Running {
    start(&mut command(args, env))
}

/// Sends requests until one is limited (with rate 1 and burst 1, the second within a second
/// is); asserts Mollie's 429.
async fn hits_the_limit(url: &str) {
    let client = reqwest::Client::new();
    for _ in 0..20 {
        let response = client
            .get(format!("{url}/v2/customers"))
            .bearer_auth(TEST_KEY)
            .send()
            .await
            .expect("served");
        if response.status() == 429 {
            let retry_after: u64 = response.headers()["retry-after"]
                .to_str()
                .expect("ascii")
                .parse()
                .expect("whole seconds");
            assert!(retry_after >= 1);
            assert_eq!(response.headers()["content-type"], "application/hal+json");
            let body: serde_json::Value =
                serde_json::from_slice(&response.bytes().await.expect("a body")).expect("json");
            assert_eq!(body["status"], 429);
            assert_eq!(body["title"], "Too Many Requests");
            return;
        }
        assert_eq!(response.status(), 200);
    }
    panic!("20 requests and not one limited");
}

#[tokio::test]
async fn the_program_takes_the_limit_from_its_flags() {
    // The flags win over the environment (whose values would not even parse).
    let running = spawn(
        &[
            "--addr",
            "127.0.0.1:0",
            "--rate-limit",
            "1",
            "--rate-burst=1",
        ],
        &[
            ("MOLLIE_MOCK_RATE_LIMIT", "fast"),
            ("MOLLIE_MOCK_RATE_BURST", "fast"),
        ],
    );
    hits_the_limit(&running.url).await;
    running.kill();
}

#[tokio::test]
async fn the_program_takes_the_limit_from_its_environment() {
    let running = spawn(
        &["--addr", "127.0.0.1:0"],
        &[
            ("MOLLIE_MOCK_RATE_LIMIT", "1"),
            ("MOLLIE_MOCK_RATE_BURST", "1"),
        ],
    );
    hits_the_limit(&running.url).await;
    running.kill();
}

fn run(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    command(args, env).output().expect("runs")
}

/// Asserts that the program refuses `args` and `env` (exit 2) with `expected` in its stderr.
fn refuses(args: &[&str], env: &[(&str, &str)], expected: &str) {
    let output = run(args, env);
    assert_eq!(output.status.code(), Some(2), "{args:?} {env:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(expected), "{args:?} {env:?}: {stderr}");
}

#[test]
fn the_program_refuses_bad_limits_and_documents_them() {
    refuses(
        &["--rate-limit", "0"],
        &[],
        "invalid value '0' for '--rate-limit",
    );
    refuses(
        &["--rate-limit", "fast"],
        &[],
        "invalid value 'fast' for '--rate-limit",
    );
    refuses(
        &["--rate-limit", "5", "--rate-burst", "-1"],
        &[],
        "invalid value '-1' for '--rate-burst",
    );
    refuses(
        &["--rate-limit"],
        &[],
        "a value is required for '--rate-limit",
    );
    refuses(&["--rate-burst", "5"], &[], "needs --rate-limit");
    refuses(
        &[],
        &[("MOLLIE_MOCK_RATE_BURST", "5")],
        "needs --rate-limit",
    );
    refuses(
        &[],
        &[("MOLLIE_MOCK_RATE_LIMIT", "lots")],
        "(the value is MOLLIE_MOCK_RATE_LIMIT's)",
    );
    let help = run(&["--help"], &[]);
    assert_eq!(help.status.code(), Some(0));
    let help = String::from_utf8_lossy(&help.stdout);
    for word in [
        "--rate-limit <N>",
        "--rate-burst <N>",
        "MOLLIE_MOCK_RATE_LIMIT",
        "MOLLIE_MOCK_RATE_BURST",
    ] {
        assert!(help.contains(word), "{word} not in --help:\n{help}");
    }
}
