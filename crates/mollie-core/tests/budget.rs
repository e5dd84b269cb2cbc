//! The retry budget and the adaptive send rate, shared by a client and its clones, against a
//! local server.

mod support;

use mollie_core::{Error, Outcome, Request, RetryBudget};
use serde_json::json;
use support::{Reply, TestServer, customer};

fn create() -> Request {
    Request::post()
        .segment("customers")
        .json_value(json!({"name": "Jane"}))
}

#[tokio::test]
async fn an_empty_budget_ends_calls_with_their_error_instead_of_retrying() {
    let server = TestServer::start(|_, _| Reply::empty(503)).await;
    // Two retries' worth (10 tokens each), shared by the client and its clone.
    let client = server
        .client()
        .retry_budget(RetryBudget::new(20))
        .build()
        .unwrap();
    let clone = client.clone();

    let first = client.send_no_content(create()).await.unwrap_err();
    assert_eq!(
        server.request_count(),
        3,
        "the first attempt and two paid retries"
    );
    assert_eq!(client.retry_budget_tokens(), 0);

    let second = clone.send_no_content(create()).await.unwrap_err();
    assert_eq!(
        server.request_count(),
        4,
        "the clone shares the empty budget: no retry"
    );
    for error in [&first, &second] {
        assert!(error.is_retryable(), "{error:?}");
        assert!(error.idempotency_key().is_some());
        assert_eq!(error.outcome(), Outcome::Unknown);
    }
}

#[tokio::test]
async fn successes_pay_the_budget_back() {
    let server = TestServer::start(|_, n| match n {
        0 => Reply::empty(503),
        _ => Reply::json(201, customer("cst_a", "http://x/v2")),
    })
    .await;
    let client = server
        .client()
        .retry_budget(RetryBudget::new(30))
        .build()
        .unwrap();
    let _: mollie_models::Customer = client.send(create()).await.unwrap();
    assert_eq!(
        client.retry_budget_tokens(),
        21,
        "30 - 10 for the retry + 1 for the success"
    );
    let _: mollie_models::Customer = client.send(create()).await.unwrap();
    assert_eq!(client.retry_budget_tokens(), 22);
}

#[tokio::test]
async fn lasting_server_errors_are_not_retried() {
    for status in [501, 505, 507] {
        let server = TestServer::start(move |_, _| Reply::empty(status)).await;
        let client = server.client().build().unwrap();
        let error = client.send_no_content(create()).await.unwrap_err();
        assert_eq!(error.status(), Some(status));
        assert!(!error.is_retryable(), "{status}");
        assert_eq!(server.request_count(), 1, "{status} is final");
    }
}

#[tokio::test]
async fn a_429_turns_on_the_shared_send_rate() {
    let server = TestServer::start(|_, n| match n {
        0..=9 => Reply::json(201, customer("cst_a", "http://x/v2")),
        10 => Reply::mollie_error(429, "Too Many Requests", "slow down", None)
            .header("retry-after", "0"),
        _ => Reply::json(201, customer("cst_a", "http://x/v2")),
    })
    .await;
    let client = server.client().build().unwrap();
    let clone = client.clone();
    for _ in 0..10 {
        let _: mollie_models::Customer = client.send(create()).await.unwrap();
    }
    assert_eq!(client.adaptive_send_rate(), None, "dormant before any 429");
    let _: mollie_models::Customer = clone.send(create()).await.unwrap();
    let rate = client
        .adaptive_send_rate()
        .expect("the 429 the clone met turned it on for the client too");
    assert!(rate > 0.0, "{rate}");

    let off = server.client().adaptive_rate_limit(false).build().unwrap();
    let _: Result<mollie_models::Customer, Error> = off.send(create()).await;
    assert_eq!(off.adaptive_send_rate(), None);
}
