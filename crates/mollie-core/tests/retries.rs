//! Retries against a local server: idempotency keys reused across attempts, `Retry-After`,
//! no retry of refusals, the deadline, and switching retries off.

mod support;

use std::time::Duration;

use mollie_core::{Error, IdempotencyKey, Request, RetryPolicy, TimeoutKind};
use mollie_models::Customer;
use serde_json::json;
use support::{Reply, TestServer, customer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn create_customer() -> Request {
    Request::post()
        .segment("customers")
        .json_value(json!({"name": "Jane Doe"}))
}

#[tokio::test]
async fn every_retry_reuses_the_idempotency_key() {
    let server = TestServer::start(|_, n| match n {
        0 => Reply::text(503, "busy"),
        1 => Reply::mollie_error(502, "Bad Gateway", "upstream", None),
        2 => Reply::mollie_error(429, "Too Many Requests", "slow down", None),
        _ => Reply::json(201, customer("cst_new", "http://x/v2")),
    })
    .await;
    let client = server.client().build().unwrap();

    let response = client
        .send_with_meta::<Customer>(create_customer())
        .await
        .unwrap();
    assert_eq!(response.value.id, "cst_new");
    assert_eq!(response.meta.attempts(), 4);
    assert_eq!(response.meta.status(), 201);

    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    let key = requests[0].idempotency_key().expect("POST carries a key");
    let uuid = uuid::Uuid::parse_str(key).expect("a UUID");
    assert_eq!(uuid.get_version_num(), 4);
    for request in &requests {
        assert_eq!(
            request.idempotency_key(),
            Some(key),
            "same key on every attempt"
        );
        assert_eq!(request.json(), json!({"name": "Jane Doe"}), "same body");
    }
    assert_eq!(response.meta.idempotency_key().unwrap().as_str(), key);
}

#[tokio::test]
async fn the_callers_key_is_used_and_a_fresh_one_per_call() {
    let server = TestServer::scripted(vec![Reply::empty(204)]).await;
    let client = server.client().build().unwrap();
    let key = IdempotencyKey::parse("order-1234-charge").unwrap();
    client
        .send_no_content(create_customer().idempotency_key(key))
        .await
        .unwrap();
    client.send_no_content(create_customer()).await.unwrap();
    client.send_no_content(create_customer()).await.unwrap();
    let keys: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.idempotency_key().unwrap().to_owned())
        .collect();
    assert_eq!(keys[0], "order-1234-charge");
    assert_ne!(keys[1], keys[2], "each call gets its own key");
}

#[tokio::test]
async fn patch_and_delete_carry_a_key_and_get_does_not_unless_asked() {
    let server = TestServer::scripted(vec![Reply::empty(204)]).await;
    let client = server.client().build().unwrap();
    client
        .send_no_content(Request::patch().segment("customers"))
        .await
        .unwrap();
    client
        .send_no_content(Request::delete().segment("customers"))
        .await
        .unwrap();
    client
        .send_no_content(Request::get().segment("customers"))
        .await
        .unwrap();
    let key = IdempotencyKey::parse("get-key").unwrap();
    client
        .send_no_content(Request::get().segment("customers").idempotency_key(key))
        .await
        .unwrap();
    let requests = server.requests();
    assert!(requests[0].idempotency_key().is_some());
    assert!(requests[1].idempotency_key().is_some());
    assert_eq!(requests[2].idempotency_key(), None);
    assert_eq!(requests[3].idempotency_key(), Some("get-key"));
}

/// The way duplicate charges happen: the server processes the request, then the connection
/// dies before the response arrives. The retry must carry the same key.
#[tokio::test]
async fn a_dropped_connection_is_retried_with_the_same_key() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let mut heads = Vec::new();
        for n in 0..2 {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head and the (small) body; the client sends both at once.
            loop {
                let read = socket.read(&mut chunk).await.unwrap();
                buffer.extend_from_slice(&chunk[..read]);
                let text = String::from_utf8_lossy(&buffer);
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length: ")
                                .map(|v| v.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    if buffer.len() >= end + 4 + length || read == 0 {
                        break;
                    }
                }
            }
            heads.push(String::from_utf8_lossy(&buffer).into_owned());
            if n == 0 {
                drop(socket); // processed, then the connection dies
            } else {
                let body = customer("cst_once", "http://x/v2").to_string();
                let response = format!(
                    "HTTP/1.1 201 Created\r\ncontent-type: application/hal+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                socket.write_all(response.as_bytes()).await.unwrap();
                socket.shutdown().await.unwrap();
            }
        }
        heads
    });
    let client = mollie_core::Client::builder()
        .api_key(support::SECRET)
        .unwrap()
        .base_url(format!("http://{addr}/v2"))
        .retry_policy(support::fast_retries())
        .build()
        .unwrap();
    let customer: Customer = client.send(create_customer()).await.unwrap();
    assert_eq!(customer.id, "cst_once");
    let heads = server.await.unwrap();
    let key = |head: &str| {
        head.lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("idempotency-key: ")
                    .map(str::to_owned)
            })
            .expect("key header")
    };
    assert_eq!(key(&heads[0]), key(&heads[1]));
}

#[tokio::test]
async fn a_timed_out_attempt_is_retried_with_the_same_key() {
    let server = TestServer::start(|_, n| match n {
        0 => Reply::hang(),
        _ => Reply::json(201, customer("cst_late", "http://x/v2")),
    })
    .await;
    let client = server
        .client()
        .request_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let response = client
        .send_with_meta::<Customer>(create_customer())
        .await
        .unwrap();
    assert_eq!(response.meta.attempts(), 2);
    let requests = server.requests();
    assert_eq!(requests[0].idempotency_key(), requests[1].idempotency_key());
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let server = TestServer::start(|_, n| match n {
        0 => Reply::mollie_error(429, "Too Many Requests", "slow down", None)
            .header("retry-after", "1"),
        _ => Reply::json(200, customer("cst_a", "http://x/v2")),
    })
    .await;
    // Backoff alone would retry after at most 2 ms.
    let client = server.client().build().unwrap();
    let _: Customer = client
        .send(Request::get().segment("customers"))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    // A lower bound only: a timer never fires early, so this cannot flake.
    assert!(requests[1].at.duration_since(requests[0].at) >= Duration::from_secs(1));
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = TestServer::start(|_, n| match n {
        0 => {
            let at = std::time::SystemTime::now() + Duration::from_secs(2);
            Reply::empty(503).header("retry-after", httpdate::fmt_http_date(at))
        }
        _ => Reply::empty(204),
    })
    .await;
    let client = server.client().build().unwrap();
    client
        .send_no_content(Request::get().segment("customers"))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    // The date has whole seconds, so the wait is between 1 and 2 seconds.
    assert!(requests[1].at.duration_since(requests[0].at) >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_ends_the_call_with_it() {
    let server = TestServer::scripted(vec![
        Reply::mollie_error(429, "Too Many Requests", "slow down", None)
            .header("retry-after", "120"),
    ])
    .await;
    let client = server.client().build().unwrap();
    let error = client.send_no_content(create_customer()).await.unwrap_err();
    assert!(error.is_rate_limited(), "{error:?}");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    assert!(error.idempotency_key().is_some());
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn refusals_are_never_retried() {
    for (status, title) in [
        (400, "Bad Request"),
        (401, "Unauthorized Request"),
        (403, "Forbidden"),
        (404, "Not Found"),
        (422, "Unprocessable Entity"),
    ] {
        let server = TestServer::scripted(vec![Reply::mollie_error(
            status,
            title,
            "no",
            Some("email"),
        )])
        .await;
        let client = server.client().build().unwrap();
        let error = client.send_no_content(create_customer()).await.unwrap_err();
        assert_eq!(server.request_count(), 1, "{status} was retried");
        assert_eq!(error.status(), Some(status));
        assert!(!error.is_retryable());
        assert_eq!(error.field(), Some("email"));
        assert_eq!(
            error.idempotency_key().map(|k| k.as_str().to_owned()),
            server.requests()[0].idempotency_key().map(str::to_owned),
            "the error carries the key the request was sent with"
        );
        let Error::Api { response, .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(response.title, title);
        assert_eq!(
            error.documentation_url(),
            Some("https://docs.mollie.com/overview/handling-errors")
        );
    }
}

#[tokio::test]
async fn attempts_are_bounded() {
    let server = TestServer::scripted(vec![Reply::text(500, "oops")]).await;
    let client = server
        .client()
        .retry_policy(support::fast_retries().max_attempts(3))
        .build()
        .unwrap();
    let error = client.send_no_content(create_customer()).await.unwrap_err();
    assert_eq!(server.request_count(), 3);
    assert!(
        matches!(error, Error::UnexpectedResponse { status: 500, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn retries_can_be_switched_off() {
    let server = TestServer::scripted(vec![Reply::mollie_error(
        503,
        "Service Unavailable",
        "down",
        None,
    )])
    .await;
    let client = server.client().no_retries().build().unwrap();
    let error = client
        .send_no_content(Request::get().segment("customers"))
        .await
        .unwrap_err();
    assert_eq!(server.request_count(), 1);
    assert_eq!(error.status(), Some(503));

    // Per call, too.
    let client = server.client().build().unwrap();
    client
        .send_no_content(Request::get().retry(RetryPolicy::disabled()))
        .await
        .unwrap_err();
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn the_deadline_stops_the_retry_loop() {
    let server = TestServer::scripted(vec![Reply::empty(503)]).await;
    let client = server
        .client()
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(RetryPolicy::MAX_ATTEMPTS)
                .initial_backoff(Duration::from_millis(20))
                .max_backoff(Duration::from_millis(50)),
        )
        .deadline(Duration::from_millis(100))
        .build()
        .unwrap();
    let error = client.send_no_content(create_customer()).await.unwrap_err();
    // 19 backoffs average over 400 ms; a 100 ms deadline leaves room for a handful.
    let attempts = server.request_count();
    assert!(
        attempts < RetryPolicy::MAX_ATTEMPTS as usize,
        "{attempts} attempts"
    );
    assert!(
        error.status() == Some(503) || error.is_timeout(),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_deadline_cuts_a_hanging_attempt() {
    let server = TestServer::scripted(vec![Reply::hang()]).await;
    let client = server
        .client()
        .request_timeout(Duration::from_secs(30))
        .deadline(Duration::from_millis(150))
        .build()
        .unwrap();
    let error = client.send_no_content(create_customer()).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                kind: TimeoutKind::Deadline,
                attempts: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_timeout() && error.is_retryable());
    assert!(error.idempotency_key().is_some());
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn a_retry_after_past_the_deadline_is_not_waited() {
    let server = TestServer::scripted(vec![Reply::empty(429).header("retry-after", "5")]).await;
    let client = server
        .client()
        .deadline(Duration::from_secs(1))
        .build()
        .unwrap();
    let error = client.send_no_content(Request::get()).await.unwrap_err();
    assert_eq!(server.request_count(), 1);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(5)));
}

#[tokio::test]
async fn a_replayed_response_is_visible() {
    let server = TestServer::scripted(vec![
        Reply::json(201, customer("cst_a", "http://x/v2"))
            .header("idempotent-replayed", "true")
            .header("x-request-id", "req-123"),
    ])
    .await;
    let client = server.client().build().unwrap();
    let response = client
        .send_with_meta::<Customer>(create_customer())
        .await
        .unwrap();
    assert!(response.meta.idempotent_replayed());
    assert_eq!(response.meta.request_id(), Some("req-123"));
}

#[tokio::test]
async fn connection_refused_is_a_retryable_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener); // nothing listens there now
    let client = mollie_core::Client::builder()
        .api_key(support::SECRET)
        .unwrap()
        .base_url(format!("http://{addr}"))
        .retry_policy(support::fast_retries())
        .build()
        .unwrap();
    let error = client.send_no_content(create_customer()).await.unwrap_err();
    let Error::Transport { source, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(source.is_connect());
    assert!(error.is_retryable());
    assert!(error.idempotency_key().is_some());
}

#[tokio::test]
async fn a_conflict_while_the_first_request_is_processed_is_retried_with_the_same_key() {
    // After an attempt timed out, Mollie may still be processing it: the retry gets a 409
    // until the first finishes, then the first's result replayed.
    let server = TestServer::start(|_, n| match n {
        0 => Reply::mollie_error(409, "Conflict", "still processing", None),
        _ => Reply::json(201, customer("cst_once", "http://x/v2"))
            .header("idempotent-replayed", "true"),
    })
    .await;
    let client = server.client().build().unwrap();
    let response = client
        .send_with_meta::<Customer>(create_customer())
        .await
        .unwrap();
    assert_eq!(response.value.id, "cst_once");
    assert_eq!(response.meta.attempts(), 2);
    assert!(response.meta.idempotent_replayed());
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].idempotency_key(), requests[1].idempotency_key());
}

#[tokio::test]
async fn clones_of_a_call_send_the_same_key() {
    // A builder kept and awaited again by hand after a lost answer must not charge twice:
    // the key is chosen when the call is made, so every clone carries it.
    let server = TestServer::start(|_, _| Reply::json(201, customer("cst_a", "http://x/v2"))).await;
    let client = server.client().build().unwrap();
    let call = mollie_core::Call::new(client.clone(), create_customer());
    call.clone().send::<Customer>().await.unwrap();
    call.send::<Customer>().await.unwrap();
    // A new call is a new operation, with a new key.
    mollie_core::Call::new(client, create_customer())
        .send::<Customer>()
        .await
        .unwrap();
    let keys: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.idempotency_key().unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), 3);
    assert_eq!(keys[0], keys[1]);
    assert_ne!(keys[1], keys[2]);
}

#[tokio::test]
async fn a_calls_own_value_for_a_parameter_its_endpoint_does_not_take_is_refused() {
    let server = TestServer::scripted(vec![Reply::json(200, json!({}))]).await;
    let client = mollie_core::Client::builder()
        .access_token(support::TOKEN_SECRET)
        .unwrap()
        .base_url(server.url())
        .build()
        .unwrap();
    let request = Request::get()
        .segment("customers")
        .profile_id_in(mollie_core::Placement::Omit)
        .profile_id(mollie_models::ProfileId::parse("pfl_abc").unwrap());
    let error = client.send_no_content(request).await.unwrap_err();
    assert_eq!(error.field(), Some("profileId"));
    assert_eq!(server.request_count(), 0, "nothing was sent");
}

#[tokio::test]
async fn a_deadline_or_timeout_of_any_length_is_kept_without_a_panic() {
    let server =
        TestServer::start(|_, _| Reply::json(200, customer("cst_far", "http://x/v2"))).await;
    // Duration::MAX, the usual way of saying "no limit": at the client and per call.
    let client = server
        .client()
        .deadline(Duration::MAX)
        .request_timeout(Duration::MAX)
        .build()
        .unwrap();
    let get = || Request::get().segment("customers").segment("cst_far");
    let customer: Customer = client.send(get()).await.unwrap();
    assert_eq!(customer.id, "cst_far");
    let client = server.client().build().unwrap();
    let customer: Customer = client
        .send(get().deadline(Duration::MAX).timeout(Duration::MAX))
        .await
        .unwrap();
    assert_eq!(customer.id, "cst_far");
}

#[tokio::test]
async fn a_call_with_a_zero_timeout_or_deadline_is_refused_unsent() {
    let server = TestServer::start(|_, _| Reply::json(200, customer("cst_x", "http://x/v2"))).await;
    let client = server.client().build().unwrap();
    let get = || Request::get().segment("customers").segment("cst_x");
    for (request, field) in [
        (get().timeout(Duration::ZERO), "timeout"),
        (get().deadline(Duration::ZERO), "deadline"),
    ] {
        let error = client.send::<Customer>(request).await.unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
        assert_eq!(error.field(), Some(field), "{error:?}");
    }
    assert_eq!(server.request_count(), 0);
}
