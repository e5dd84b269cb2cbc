//! Endpoint builders unit-tested against an in-memory `Transport`: no server, no socket.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use mollie_core::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use mollie_core::{Client, IdempotencyKey, Method};
use mollie_customers::Customers;
use mollie_models::{CustomerId, Locale, MandateId, Money, NewCustomer, NewPayment};
use serde_json::{Value, json};

/// Answers from a script, one response per request, and keeps every request it was sent.
#[derive(Clone, Default)]
struct Scripted {
    replies: Arc<Mutex<VecDeque<Result<HttpResponse, TransportError>>>>,
    sent: Arc<Mutex<Vec<HttpRequest>>>,
}

impl Scripted {
    fn reply(self, status: u16, body: Value) -> Self {
        let response = HttpResponse::new(status, body.to_string().into_bytes())
            .header("Content-Type", "application/hal+json");
        self.replies.lock().unwrap().push_back(Ok(response));
        self
    }

    fn fail(self, error: TransportError) -> Self {
        self.replies.lock().unwrap().push_back(Err(error));
        self
    }

    fn sent(&self) -> Vec<HttpRequest> {
        self.sent.lock().unwrap().clone()
    }

    fn customers(&self) -> Customers {
        let client = Client::builder()
            .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")
            .unwrap()
            .transport(self.clone())
            .retry_policy(
                mollie_core::RetryPolicy::default()
                    .initial_backoff(std::time::Duration::from_millis(1))
                    .max_backoff(std::time::Duration::from_millis(1)),
            )
            .build()
            .unwrap();
        Customers::new(client)
    }
}

#[async_trait::async_trait]
impl Transport for Scripted {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.lock().unwrap().push(request);
        self.replies
            .lock()
            .unwrap()
            .pop_front()
            .expect("a request the script did not expect")
    }
}

fn link(href: &str) -> Value {
    json!({"href": href, "type": "application/hal+json"})
}

fn customer(id: &str) -> Value {
    json!({
        "resource": "customer", "id": id, "mode": "test", "name": "Jane Doe",
        "email": "jane@example.org", "locale": "nl_NL", "metadata": null,
        "createdAt": "2024-03-20T09:13:37+00:00",
        "_links": {
            "self": link(&format!("https://api.mollie.com/v2/customers/{id}")),
            "dashboard": link("https://my.mollie.com/dashboard/customers"),
        }
    })
}

#[tokio::test]
async fn create_sends_the_body_credential_and_key_and_decodes_the_answer() {
    let transport = Scripted::default().reply(201, customer("cst_kEn1PlbGa"));
    let created = transport
        .customers()
        .create(
            NewCustomer::new()
                .name("Jane Doe")
                .email("jane@example.org")
                .locale(Locale::NlNl),
        )
        .idempotency_key(IdempotencyKey::parse("signup-42").unwrap())
        .await
        .unwrap();
    assert_eq!(created.id.as_str(), "cst_kEn1PlbGa");
    assert_eq!(created.locale, Some(Locale::NlNl));

    let sent = transport.sent();
    assert_eq!(sent.len(), 1);
    let request = &sent[0];
    assert_eq!(request.method(), Method::Post);
    assert_eq!(request.url(), "https://api.mollie.com/v2/customers");
    assert_eq!(request.header("idempotency-key"), Some("signup-42"));
    assert_eq!(
        request.header("authorization"),
        Some("Bearer test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")
    );
    let body: Value = serde_json::from_slice(request.body().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"name": "Jane Doe", "email": "jane@example.org", "locale": "nl_NL"})
    );
}

#[tokio::test]
async fn a_lost_answer_is_retried_with_the_same_key_through_any_transport() {
    let transport = Scripted::default()
        .fail(TransportError::other(std::io::Error::other(
            "connection reset",
        )))
        .reply(
            503,
            json!({"status": 503, "title": "Service Unavailable", "detail": "x"}),
        )
        .reply(201, customer("cst_kEn1PlbGa"));
    let created = transport
        .customers()
        .create(NewCustomer::new().name("Jane Doe"))
        .await
        .unwrap();
    assert_eq!(created.id.as_str(), "cst_kEn1PlbGa");

    let keys: Vec<_> = transport
        .sent()
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), 3);
    assert!(keys.iter().all(|key| *key == keys[0]), "{keys:?}");
}

#[tokio::test]
async fn refused_input_never_reaches_the_transport() {
    let transport = Scripted::default();
    let customer = CustomerId::parse("cst_kEn1PlbGa").unwrap();
    let mandate = MandateId::parse("mdt_h3gAaD5zP").unwrap();
    let error = transport
        .customers()
        .payments(&customer)
        .create(NewPayment::recurring(
            Money::eur("10.00").unwrap(),
            "",
            &mandate,
        ))
        .await
        .unwrap_err();
    assert_eq!(error.field(), Some("description"));
    assert!(transport.sent().is_empty());
}

#[tokio::test]
async fn a_transport_error_keeps_how_far_it_got_and_its_cause() {
    let transport = Scripted::default()
        .fail(TransportError::connect(std::io::Error::other("refused")))
        .fail(TransportError::connect(std::io::Error::other("refused")))
        .fail(TransportError::connect(std::io::Error::other("refused")))
        .fail(TransportError::connect(std::io::Error::other("refused")));
    let error = transport
        .customers()
        .get(&CustomerId::parse("cst_kEn1PlbGa").unwrap())
        .await
        .unwrap_err();
    let mollie_core::Error::Transport { source, .. } = &error else {
        panic!("{error:?}");
    };
    assert!(source.is_connect());
    assert_eq!(
        std::error::Error::source(source).unwrap().to_string(),
        "refused"
    );
    assert!(error.is_retryable());
    assert_eq!(
        transport.sent().len(),
        4,
        "every attempt went to the transport"
    );
}
