//! The credential never appears in `Debug`, `Display`, errors or traces.

mod support;

use std::time::Duration;

use mollie_core::{Client, Credential, Request};
use mollie_models::ProfileId;
use serde_json::json;
use support::{Captured, Reply, SECRET, TOKEN_SECRET, TestServer};

/// The part of each secret after its prefix: a leak of any of it must fail the test.
const CANARIES: [&str; 2] = ["LeakCanaryZ8q2xW7vK4mN1pR6tY3", "LeakCanaryTokenQ5j8L2dF9"];

fn assert_clean(text: &str) {
    for canary in CANARIES {
        assert!(!text.contains(canary), "secret leaked into: {text}");
        // A prefix of it is a leak too.
        assert!(
            !text.contains(&canary[..12]),
            "part of a secret leaked into: {text}"
        );
    }
}

#[test]
fn debug_of_credentials_builders_and_clients_is_clean() {
    let credential = Credential::parse(SECRET).unwrap();
    let token = Credential::parse(TOKEN_SECRET).unwrap();
    let oauth = Credential::oauth_token("LeakCanaryZ8q2xW7vK4mN1pR6tY3").unwrap();
    let builder = Client::builder().credential(credential.clone());
    let client = Client::builder()
        .credential(token.clone())
        .testmode(true)
        .profile_id(ProfileId::parse("pfl_abc").unwrap())
        .build()
        .unwrap();
    for text in [
        format!("{credential:?}"),
        format!("{token:#?}"),
        format!("{oauth:?}"),
        format!("{builder:?}"),
        format!("{builder:#?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
    ] {
        assert_clean(&text);
    }
}

#[test]
fn refused_credentials_are_not_echoed() {
    for bad in [
        format!("{SECRET}\n"),
        format!(" {SECRET}"),
        format!("sk_{}", CANARIES[0]),
        format!("{SECRET}\u{0}"),
        format!("{SECRET}é"),
        format!("{}{}", SECRET, "x".repeat(5000)),
    ] {
        let error = Client::builder().api_key(&bad).unwrap_err();
        assert_clean(&format!("{error} {error:?}"));
        // `sk_...` is a well-formed OAuth token (any prefix); the others are refused.
        if let Err(error) = Credential::oauth_token(&bad) {
            assert_clean(&format!("{error} {error:?}"));
        }
    }
}

#[tokio::test]
async fn errors_and_traces_of_every_kind_are_clean() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // A current-thread runtime: the guard covers the client and the server alike.
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = TestServer::start(|_, n| match n {
        0 => Reply::empty(503),
        1 => Reply::mollie_error(
            401,
            "Unauthorized Request",
            "Missing authentication, or failed to authenticate",
            None,
        ),
        2 => Reply::text(200, "not json"),
        3 => Reply::empty(429).header("retry-after", "99"),
        _ => Reply::hang(),
    })
    .await;
    let client = server
        .client()
        .request_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let create = || {
        Request::post()
            .segment("customers")
            .json_value(json!({"name": "Jane"}))
    };

    let mut errors = Vec::new();
    errors.push(client.send_no_content(create()).await.unwrap_err()); // 503 then 401
    errors.push(
        client
            .send::<mollie_models::Customer>(Request::get())
            .await
            .unwrap_err(),
    ); // not JSON
    errors.push(client.send_no_content(create()).await.unwrap_err()); // 429
    errors.push(
        client
            .send_no_content(create().retry(mollie_core::RetryPolicy::disabled()))
            .await
            .unwrap_err(),
    ); // timeout

    let refused = Client::builder()
        .api_key(SECRET)
        .unwrap()
        .base_url(format!("http://127.0.0.1:{}", unused_port()))
        .no_retries()
        .build()
        .unwrap();
    errors.push(refused.send_no_content(create()).await.unwrap_err()); // transport

    assert_eq!(errors.len(), 5);
    for error in &errors {
        assert_clean(&format!("{error}"));
        assert_clean(&format!("{error:?}"));
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            assert_clean(&format!("{inner} {inner:?}"));
            source = inner.source();
        }
    }

    // The server did receive the secret: the test would prove nothing otherwise.
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some(format!("Bearer {SECRET}").as_str())
    );

    let logs = captured.text();
    assert!(logs.contains("mollie.request"), "{logs}");
    assert!(logs.contains("idempotency_key"), "{logs}");
    assert!(logs.contains("path=/customers"), "{logs}");
    assert_clean(&logs);
}

fn unused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
