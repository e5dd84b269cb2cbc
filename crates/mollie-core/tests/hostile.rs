//! Servers that are not Mollie: an echo service, a proxy's error page, a broken gateway.
//! Whatever they send back, the key never reaches an error's `Display`, `Debug`, source
//! chain or the logs, and every error says what happened to the request.

mod support;

use mollie_core::{Error, Outcome, Request, RetryPolicy};
use mollie_models::Customer;
use serde_json::json;
use support::{Captured, Recorded, Reply, SECRET, TestServer};

/// The key without its `test_` prefix, and a fragment of it: neither may appear.
const CANARY: &str = "LeakCanaryZ8q2xW7vK4mN1pR6tY3";

/// Tests of this file run one at a time: `tracing` recomputes its global level filter and
/// callsite interest when a thread sets or drops a subscriber, and a test setting one while
/// another drops its own can miss an event.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains(&CANARY[..10]),
        "the key leaked into {what}: {text}"
    );
    assert!(
        !text.contains(&CANARY[12..22]),
        "part of the key leaked into {what}: {text}"
    );
}

fn assert_error_clean(error: &Error) {
    assert_clean("Display", &error.to_string());
    assert_clean("Debug", &format!("{error:?}"));
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        assert_clean("a source", &format!("{inner} {inner:?}"));
        source = inner.source();
    }
}

/// What an echo service sends back: the request's headers, as text.
fn echoed_headers(request: &Recorded) -> String {
    request
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap_or("?")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn get_customer() -> Request {
    Request::get().segment("customers").query("limit", "1")
}

#[tokio::test]
async fn echoed_credentials_never_reach_errors_or_logs() {
    let _serial = SERIAL.lock().await;
    let captured = Captured::default();
    let _guard = captured.install(tracing::Level::TRACE);

    let server = TestServer::start(|request, n| {
        let echo = echoed_headers(request);
        let key_only = request.header("authorization").unwrap().to_owned();
        match n {
            // An echo service answering 200 with the request as text.
            0 => Reply::text(200, &echo),
            // A gateway's 400 page quoting the header.
            1 => Reply::text(400, &format!("<html><pre>{echo}</pre></html>")),
            // A 5xx with the header in a JSON body that is not Mollie's error body.
            2 => Reply::json(
                502,
                json!({"error": "bad gateway", "request": {"headers": echo}}),
            ),
            // Mollie's error shape with the key in `detail`, `title` and `field`.
            3 => Reply::mollie_error(422, &key_only, &format!("echo: {echo}"), Some(&key_only)),
            // JSON whose value serde quotes in its message (an id of the wrong shape).
            4 => Reply::json(200, json!({"resource": "customer", "id": key_only})),
            // A request id that is the key.
            5 => Reply::mollie_error(404, "Not Found", "no", None).header("x-request-id", key_only),
            // The key cut by the excerpt's end: 250 bytes of padding, then the header.
            _ => Reply::text(200, &format!("{}{echo}", "x".repeat(250 - "x".len()))),
        }
    })
    .await;
    let client = server
        .client()
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();

    let mut errors = Vec::new();
    for _ in 0..7 {
        errors.push(client.send::<Customer>(get_customer()).await.unwrap_err());
    }
    // The server did get the key: the test would prove nothing otherwise.
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some(format!("Bearer {SECRET}").as_str())
    );

    for error in &errors {
        assert_error_clean(error);
    }
    let statuses: Vec<_> = errors.iter().map(Error::status).collect();
    assert_eq!(
        statuses,
        [
            Some(200),
            Some(400),
            Some(502),
            Some(422),
            Some(200),
            Some(404),
            Some(200)
        ]
    );
    // The API error is still useful: its title, detail and field are there, redacted.
    let api = errors[3].api_response().unwrap();
    assert!(api.detail.starts_with("echo: "), "{api:?}");
    assert!(api.detail.contains("[redacted]"), "{api:?}");

    let logs = captured.text();
    assert!(logs.contains("mollie call failed"), "{logs}");
    assert_clean("the logs", &logs);
}

#[tokio::test]
async fn every_error_says_what_happened_to_the_request() {
    let _serial = SERIAL.lock().await;
    let server = TestServer::start(|_, n| match n {
        0 => Reply::mollie_error(422, "Unprocessable Entity", "bad email", Some("email")),
        1 => Reply::empty(503),
        2 => Reply::mollie_error(429, "Too Many Requests", "slow", None),
        3 => Reply::text(201, "{\"id\": \"tr_trunc"),
        _ => Reply::mollie_error(422, "Unprocessable Entity", "bad", None),
    })
    .await;
    let once = server
        .client()
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let create = || {
        Request::post()
            .segment("customers")
            .json_value(json!({"name": "Jane"}))
    };
    let rejected = once.send::<Customer>(create()).await.unwrap_err();
    assert_eq!(rejected.outcome(), Outcome::Rejected);
    let unknown = once.send::<Customer>(create()).await.unwrap_err();
    assert_eq!(
        unknown.outcome(),
        Outcome::Unknown,
        "a 503 may have been processed"
    );
    let limited = once.send::<Customer>(create()).await.unwrap_err();
    assert_eq!(
        limited.outcome(),
        Outcome::Rejected,
        "a 429 was not processed"
    );
    let committed = once.send::<Customer>(create()).await.unwrap_err();
    assert_eq!(committed.outcome(), Outcome::Committed, "a 201 took effect");
    assert!(committed.idempotency_key().is_some());

    // Nothing sent: refused input, and a port where nothing listens.
    let refused = once
        .send::<Customer>(
            Request::get()
                .segment("customers")
                .query("limit", "1")
                .testmode(true),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.outcome(), Outcome::NotSent);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap();
    drop(listener);
    let unreachable = mollie_core::Client::builder()
        .api_key(SECRET)
        .unwrap()
        .base_url(format!("http://{closed}"))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = unreachable.send::<Customer>(create()).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(error.outcome(), Outcome::NotSent);
    assert!(error.is_not_sent());
}

#[tokio::test]
async fn a_rejection_after_an_attempt_that_may_have_been_processed_is_unknown() {
    let _serial = SERIAL.lock().await;
    // The first attempt gets a 503 (Mollie may have done the work), the retry a 429: the
    // call's outcome is unknown, not "rejected", whatever the last answer said.
    let server = TestServer::start(|_, n| match n {
        0 => Reply::empty(503),
        _ => {
            Reply::mollie_error(429, "Too Many Requests", "slow", None).header("retry-after", "600")
        }
    })
    .await;
    let client = server.client().build().unwrap();
    let error = client
        .send::<Customer>(
            Request::post()
                .segment("customers")
                .json_value(json!({"name": "Jane"})),
        )
        .await
        .unwrap_err();
    assert!(error.is_rate_limited(), "{error:?}");
    assert_eq!(error.outcome(), Outcome::Unknown);
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_truncated_or_undecodable_201_names_the_payment_it_made() {
    let _serial = SERIAL.lock().await;
    let server = TestServer::start(|_, n| match n {
        0 => Reply::text(201, r#"{"resource":"payment","id":"tr_7UhSN1zuXS","mode":"te"#),
        _ => Reply::json(
            201,
            json!({"resource": "payment", "id": "tr_7UhSN1zuXS", "amount": 10,
                   "_links": {"self": {"href": "https://api.mollie.com/v2/payments/tr_7UhSN1zuXS"}}}),
        ),
    })
    .await;
    let client = server.client().build().unwrap();
    let charge = || {
        Request::post()
            .segment("payments")
            .json_value(json!({"description": "March"}))
    };
    for expect_link in [false, true] {
        let error = client
            .send::<mollie_models::Payment>(charge())
            .await
            .unwrap_err();
        assert_eq!(error.outcome(), Outcome::Committed, "{error:?}");
        assert!(!error.is_retryable(), "a made payment is not retried");
        let committed = error.committed().unwrap();
        assert_eq!(committed.resource_id.as_deref(), Some("tr_7UhSN1zuXS"));
        assert_eq!(committed.self_link.is_some(), expect_link);
        assert!(error.idempotency_key().is_some());
        assert_error_clean(&error);
    }
    assert_eq!(server.request_count(), 2, "each call sent once");
}

#[tokio::test]
async fn a_redirect_is_never_followed_and_the_key_never_sent_elsewhere() {
    let _serial = SERIAL.lock().await;
    let elsewhere = TestServer::start(|_, _| Reply::json(200, json!({}))).await;
    let target = format!("{}/v2/customers", elsewhere.url());
    let server =
        TestServer::start(move |_, _| Reply::empty(307).header("location", target.clone())).await;
    let client = server.client().build().unwrap();
    let error = client
        .send::<Customer>(
            Request::post()
                .segment("customers")
                .json_value(json!({"name": "Jane"})),
        )
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(307));
    // Mollie never redirects: something in between answered, and what it did with the
    // request is not known.
    assert_eq!(error.outcome(), Outcome::Unknown);
    assert_eq!(server.request_count(), 1, "not retried");
    assert_eq!(
        elsewhere.request_count(),
        0,
        "the key never left for the redirect"
    );
}

#[tokio::test]
async fn absurd_retry_after_values_neither_panic_nor_park_the_call() {
    let _serial = SERIAL.lock().await;
    for value in [
        "-5",
        "abc",
        "99999999999999999999999",
        "18446744073709551615",
        "",
        "Wed, 21 Oct 2015 07:28:00 GMT",
        "1e9",
        " 3 ",
    ] {
        let server = TestServer::start(move |_, n| match n {
            0 => Reply::mollie_error(429, "Too Many Requests", "slow", None)
                .header("retry-after", value),
            _ => Reply::json(201, support::customer("cst_a", "http://x/v2")),
        })
        .await;
        let client = server
            .client()
            .retry_policy(
                RetryPolicy::default()
                    .initial_backoff(std::time::Duration::from_millis(1))
                    .max_backoff(std::time::Duration::from_millis(1))
                    .max_retry_after(std::time::Duration::from_secs(5)),
            )
            .build()
            .unwrap();
        let result = client
            .send::<Customer>(
                Request::post()
                    .segment("customers")
                    .json_value(json!({"name": "Jane"})),
            )
            .await;
        match value.trim() {
            // Honoured (3 s, within the 5 s cap): the retry succeeds.
            "3" => assert!(result.is_ok(), "{value}: {result:?}"),
            // Longer than the cap: the call ends with the 429 and its Retry-After, at once.
            "99999999999999999999999" | "18446744073709551615" => {
                let error = result.unwrap_err();
                assert!(error.is_rate_limited(), "{value}: {error:?}");
                assert!(error.retry_after().unwrap() > std::time::Duration::from_secs(5));
                assert_eq!(server.request_count(), 1);
            }
            // Malformed, negative or in the past: ordinary backoff, then success.
            _ => assert!(result.is_ok(), "{value}: {result:?}"),
        }
    }
}
