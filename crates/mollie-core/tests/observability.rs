//! What a person sees in the logs: one DEBUG event per finished call with its facts, a WARN
//! before a long wait on `Retry-After`, a DEBUG event per list page with running counts;
//! never the credential.

mod support;

use futures::TryStreamExt;
use mollie_core::{Client, Request, RetryPolicy};
use mollie_models::Customer;
use serde_json::json;
use support::{Captured, Reply, SECRET, TestServer, customer};

/// Tests of this file run one at a time: `tracing` recomputes its global level filter and
/// callsite interest when a thread sets or drops a subscriber, and a test setting one while
/// another drops its own can miss an event.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The lines of `logs` that hold `message`.
fn lines_with<'a>(logs: &'a str, message: &str) -> Vec<&'a str> {
    logs.lines().filter(|line| line.contains(message)).collect()
}

fn create_customer() -> Request {
    Request::post()
        .segment("customers")
        .json_value(json!({"name": "Jane"}))
}

#[tokio::test]
async fn a_filter_scoped_to_the_call_span_sees_the_calls_event() {
    let _serial = SERIAL.lock().await;
    let captured = Captured::default();
    let _guard = captured.install_in_request_span();
    let server = TestServer::start(|_, _| {
        Reply::mollie_error(422, "Unprocessable Entity", "The email is invalid", None)
    })
    .await;
    let client = server.client().build().unwrap();

    let error = client.send_no_content(create_customer()).await.unwrap_err();
    assert_eq!(error.status(), Some(422));
    let logs = captured.text();
    assert_eq!(lines_with(&logs, "mollie call failed").len(), 1, "{logs}");
}

#[tokio::test]
async fn a_failing_call_logs_one_event_with_its_facts_and_no_secret() {
    let _serial = SERIAL.lock().await;
    let captured = Captured::default();
    let _guard = captured.install(tracing::Level::DEBUG);
    let server = TestServer::start(|_, n| match n {
        0 => Reply::empty(503),
        _ => Reply::mollie_error(
            422,
            "Unprocessable Entity",
            "The email is invalid",
            Some("email"),
        )
        .header("x-request-id", "req_42"),
    })
    .await;
    let client = server.client().build().unwrap();

    let error = client.send_no_content(create_customer()).await.unwrap_err();
    assert_eq!(error.status(), Some(422));

    let logs = captured.text();
    let finished = lines_with(&logs, "mollie call failed");
    assert_eq!(finished.len(), 1, "{logs}");
    let line = finished[0];
    for field in [
        "method=\"POST\"",
        "path=/customers",
        "status=422",
        "attempts=2",
        "elapsed_ms=",
        "request_id=\"req_42\"",
        "error_kind=\"api\"",
    ] {
        assert!(line.contains(field), "{field} missing from: {line}");
    }
    assert!(!logs.contains(&SECRET[5..]), "the key leaked into: {logs}");
    assert!(!logs.contains("Bearer"), "{logs}");
}

#[tokio::test]
async fn a_success_logs_its_facts_at_debug_and_nothing_above() {
    let _serial = SERIAL.lock().await;
    let captured = Captured::default();
    let _guard = captured.install(tracing::Level::DEBUG);
    let server = TestServer::start(|_, _| Reply::json(201, customer("cst_a", "http://x/v2"))).await;
    let client = server.client().build().unwrap();
    let _: Customer = client.send(create_customer()).await.unwrap();

    let logs = captured.text();
    let line = lines_with(&logs, "mollie call succeeded");
    assert_eq!(line.len(), 1, "{logs}");
    assert!(line[0].contains("status=201") && line[0].contains("attempts=1"));
    assert!(line[0].contains("DEBUG"), "{logs}");
    assert!(!logs.contains("WARN"), "{logs}");
}

#[tokio::test]
async fn a_long_retry_after_wait_is_announced_at_warn() {
    let _serial = SERIAL.lock().await;
    let captured = Captured::default();
    let _guard = captured.install(tracing::Level::WARN);
    let server = TestServer::start(|_, n| match n {
        // The shortest wait Retry-After can ask for that is longer than a second.
        0 => Reply::mollie_error(429, "Too Many Requests", "slow down", None)
            .header("retry-after", "2"),
        _ => Reply::json(201, customer("cst_a", "http://x/v2")),
    })
    .await;
    let client = server.client().build().unwrap();
    let _: Customer = client.send(create_customer()).await.unwrap();

    let logs = captured.text();
    let warned = lines_with(&logs, "waiting on Mollie's Retry-After");
    assert_eq!(warned.len(), 1, "{logs}");
    assert!(warned[0].contains("WARN") && warned[0].contains("status=429"));
    assert!(warned[0].contains("wait_ms=2000"), "{logs}");
    assert!(!logs.contains(&SECRET[5..]), "{logs}");
}

#[tokio::test]
async fn a_short_backoff_is_not_a_warning() {
    let _serial = SERIAL.lock().await;
    let captured = Captured::default();
    let _guard = captured.install(tracing::Level::WARN);
    let server = TestServer::start(|_, n| match n {
        0 => Reply::empty(503),
        _ => Reply::json(201, customer("cst_a", "http://x/v2")),
    })
    .await;
    let client = server.client().build().unwrap();
    let _: Customer = client.send(create_customer()).await.unwrap();
    assert_eq!(captured.text(), "");
}

#[tokio::test]
async fn pages_report_progress_with_running_counts() {
    let _serial = SERIAL.lock().await;
    let captured = Captured::default();
    let _guard = captured.install(tracing::Level::DEBUG);
    let server = TestServer::start(|request, _| {
        let base = format!("http://{}", request.header("host").unwrap());
        let page = |ids: &[&str], next: Option<&str>| {
            let items: Vec<_> = ids
                .iter()
                .map(|id| customer(id, &format!("{base}/v2")))
                .collect();
            Reply::json(
                200,
                json!({
                    "count": ids.len(),
                    "_embedded": {"customers": items},
                    "_links": {
                        "self": {"href": format!("{base}/v2/customers"), "type": "application/hal+json"},
                        "previous": null,
                        "next": next.map(|n| json!({"href": format!("{base}/v2/customers?from={n}&limit=2"), "type": "application/hal+json"})),
                        "documentation": {"href": "https://docs.mollie.com", "type": "text/html"}
                    }
                }),
            )
        };
        if request.uri.contains("from=cst_c") {
            page(&["cst_c"], None)
        } else {
            page(&["cst_a", "cst_b"], Some("cst_c"))
        }
    })
    .await;
    let client: Client = server
        .client()
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();

    let pages: Vec<mollie_core::Page<Customer>> = client
        .pages(Request::get().segment("customers").query("limit", "2"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(mollie_core::Page::len).collect::<Vec<_>>(),
        [2, 1]
    );

    let logs = captured.text();
    let progress = lines_with(&logs, "mollie list page read");
    assert_eq!(progress.len(), 2, "{logs}");
    assert!(progress[0].contains("pages=1") && progress[0].contains("items=2"));
    assert!(progress[1].contains("pages=2") && progress[1].contains("items=3"));
    assert!(progress[1].contains("last=true"), "{logs}");
}
