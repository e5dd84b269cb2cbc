//! Webhooks end to end: payment status changes through the control API, the classic and the
//! signed next-gen webhooks they send to a receiver running in the test, retries, the
//! delivery log, and the mandate a paid first payment creates.

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use common::{Api, Req};
use mollie_mock::{DeliveryKind, DeliveryOutcome, MockConfig};
use mollie_models::PaymentStatus;
use mollie_models::webhooks::{
    EventEntity, EventType, SignatureCheck, SigningSecret, WebhookError, WebhookEvent,
    WebhookResourceId, parse_classic, verify_signature,
};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// How long a test waits for something that should come at once.
const PATIENCE: Duration = Duration::from_secs(10);
/// 2024-03-20T09:13:37+00:00.
const FIXED: u64 = 1_710_926_017;

/// One request the receiver got.
#[derive(Debug)]
struct Received {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Clone)]
struct ReceiverState {
    tx: mpsc::UnboundedSender<Received>,
    /// The statuses to answer, in order; 200 once it is empty.
    script: Arc<Mutex<VecDeque<u16>>>,
}

/// A webhook receiver on 127.0.0.1 that records what it gets into a channel.
struct Receiver {
    url: String,
    rx: mpsc::UnboundedReceiver<Received>,
}

impl Receiver {
    async fn start(script: &[u16]) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("receiver binds");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = mpsc::unbounded_channel();
        let state = ReceiverState {
            tx,
            script: Arc::new(Mutex::new(script.iter().copied().collect())),
        };
        let app = Router::new().fallback(receive).with_state(state);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, rx }
    }

    /// The next request, within [`PATIENCE`].
    async fn next(&mut self) -> Received {
        tokio::time::timeout(PATIENCE, self.rx.recv())
            .await
            .expect("a webhook arrives in time")
            .expect("the receiver runs")
    }

    /// Asserts that nothing more has arrived.
    fn assert_empty(&mut self) {
        if let Ok(extra) = self.rx.try_recv() {
            panic!("unexpected webhook: {extra:?}");
        }
    }
}

async fn receive(
    State(state): State<ReceiverState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    // Recorded before answering: once the mock has the answer, the test has the request.
    let _ = state.tx.send(Received {
        method,
        path: uri.path().to_owned(),
        headers,
        body,
    });
    let status = state
        .script
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .pop_front()
        .unwrap_or(200);
    StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
}

fn fast() -> MockConfig {
    MockConfig::new().webhook_retry_delays([Duration::ZERO, Duration::from_millis(5)])
}

async fn settled(api: &Api) {
    tokio::time::timeout(PATIENCE, api.server.webhooks_settled())
        .await
        .expect("deliveries settle in time");
}

/// Creates a payment of `customer` with `extra` fields; returns its id.
async fn payment(api: &Api, customer: &str, extra: Value) -> String {
    let mut body = json!({
        "amount": {"currency": "EUR", "value": "10.00"},
        "description": "Order #1",
        "redirectUrl": "https://shop.example/return",
    });
    // `null` in `extra` removes a field.
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            if value.is_null() {
                body.remove(key);
            } else {
                body.insert(key.clone(), value.clone());
            }
        }
    }
    let r = api
        .send(Req::post(
            format!("/v2/customers/{customer}/payments"),
            body,
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.id()
}

async fn set_status(api: &Api, id: &str, status: &str) -> common::Resp {
    api.send(
        Req::post(
            format!("/__mock/payments/{id}/status"),
            json!({"status": status}),
        )
        .no_auth(),
    )
    .await
}

#[tokio::test]
async fn classic_webhook_for_each_final_status() {
    let mut receiver = Receiver::start(&[]).await;
    let api = Api::with(fast().clock(|| UNIX_EPOCH + Duration::from_secs(FIXED))).await;
    let customer = api.customer().await;
    let hook = format!("{}/hook", receiver.url);
    for (status, at) in [
        ("paid", "paidAt"),
        ("failed", "failedAt"),
        ("canceled", "canceledAt"),
        ("expired", "expiredAt"),
    ] {
        let id = payment(&api, &customer, json!({"webhookUrl": hook})).await;
        let changed = set_status(&api, &id, status).await;
        assert_eq!(changed.status, 200, "{}", changed.body);
        assert_eq!(changed.header("content-type"), Some("application/hal+json"));

        let got = receiver.next().await;
        assert_eq!(got.method, Method::POST);
        assert_eq!(got.path, "/hook");
        assert_eq!(
            got.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert!(
            got.header("user-agent")
                .is_some_and(|ua| ua.starts_with("Mollie HTTP client/1.0")),
            "{:?}",
            got.header("user-agent")
        );
        assert_eq!(got.header("x-mollie-signature"), None);
        assert_eq!(got.body, format!("id={id}").as_bytes());
        match parse_classic(&got.body).expect("a classic webhook") {
            WebhookResourceId::Payment(p) => assert_eq!(p.as_str(), id),
            other => panic!("not a payment: {other:?}"),
        }

        // What the receiver then fetches.
        let fetched = api.send(Req::get(format!("/v2/payments/{id}"))).await;
        assert_eq!(fetched.status, 200);
        assert_eq!(fetched.body["status"], status);
        assert_eq!(fetched.body[at], "2024-03-20T09:13:37+00:00", "{status}");
        assert!(fetched.body.get("expiresAt").is_none(), "{}", fetched.body);
        // Omitted once the payment is final, as the spec says.
        assert!(
            fetched.body.get("isCancelable").is_none(),
            "{}",
            fetched.body
        );
        assert!(fetched.body["_links"].get("checkout").is_none());
        assert_eq!(fetched.body, changed.body);
        let model: mollie_models::Payment =
            serde_json::from_value(fetched.body.clone()).expect("a payment");
        assert_eq!(model.status, PaymentStatus::from(status));
    }
    receiver.assert_empty();
    // The customer's payments, checked against the spec's schema, show the new statuses.
    let list = api
        .send(Req::get(format!("/v2/customers/{customer}/payments")))
        .await;
    let statuses: Vec<&str> = list.body["_embedded"]["payments"]
        .as_array()
        .expect("payments")
        .iter()
        .filter_map(|p| p["status"].as_str())
        .collect();
    assert_eq!(statuses, ["expired", "canceled", "failed", "paid"]);

    settled(&api).await;
    let deliveries = api.server.webhook_deliveries();
    assert_eq!(deliveries.len(), 4);
    for d in &deliveries {
        assert_eq!(d.kind, DeliveryKind::Classic);
        assert_eq!(d.outcome, DeliveryOutcome::Delivered);
        assert_eq!(d.url, hook);
        assert_eq!(d.attempts.len(), 1);
        assert_eq!(d.attempts[0].status, Some(200));
        assert_eq!(d.attempts[0].at, "2024-03-20T09:13:37+00:00");
    }
    let statuses: Vec<PaymentStatus> = deliveries
        .iter()
        .map(|d| d.payment_status.clone())
        .collect();
    assert_eq!(
        statuses,
        [
            PaymentStatus::Paid,
            PaymentStatus::Failed,
            PaymentStatus::Canceled,
            PaymentStatus::Expired
        ]
    );
}

#[tokio::test]
async fn a_failed_attempt_is_retried_and_logged() {
    let mut receiver = Receiver::start(&[500]).await;
    let api = Api::with(fast()).await;
    let customer = api.customer().await;
    let hook = format!("{}/hook", receiver.url);
    let id = payment(&api, &customer, json!({"webhookUrl": hook})).await;
    assert_eq!(set_status(&api, &id, "paid").await.status, 200);

    let first = receiver.next().await;
    let second = receiver.next().await;
    assert_eq!(first.body, format!("id={id}").as_bytes());
    assert_eq!(second.body, first.body);
    settled(&api).await;
    receiver.assert_empty();

    let deliveries = api.server.webhook_deliveries();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    let d = &deliveries[0];
    assert_eq!(d.payment_id.as_str(), id);
    assert_eq!(d.outcome, DeliveryOutcome::Delivered);
    let statuses: Vec<Option<u16>> = d.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(500), Some(200)]);

    // The same over HTTP.
    let log = api.send(Req::get("/__mock/webhooks").no_auth()).await;
    assert_eq!(log.status, 200);
    assert_eq!(log.header("content-type"), Some("application/json"));
    let entry = &log.body[0];
    assert_eq!(entry["paymentId"], id.as_str());
    assert_eq!(entry["paymentStatus"], "paid");
    assert_eq!(entry["kind"], "classic");
    assert_eq!(entry["url"], hook.as_str());
    assert_eq!(entry["body"], format!("id={id}"));
    assert_eq!(entry["outcome"], "delivered");
    assert_eq!(entry["attempts"][0]["status"], 500);
    assert_eq!(entry["attempts"][1]["status"], 200);
    assert!(entry["attempts"][1]["at"].is_string());

    // DELETE empties the log, and so does a reset.
    let cleared = api.send(Req::delete("/__mock/webhooks").no_auth()).await;
    assert_eq!(cleared.status, 204);
    assert!(api.server.webhook_deliveries().is_empty());
    let other = payment(&api, &customer, json!({"webhookUrl": hook})).await;
    assert_eq!(set_status(&api, &other, "expired").await.status, 200);
    assert_eq!(receiver.next().await.body, format!("id={other}").as_bytes());
    settled(&api).await;
    assert_eq!(api.server.webhook_deliveries().len(), 1);
    api.server.reset();
    assert!(api.server.webhook_deliveries().is_empty());
}

#[tokio::test]
async fn gives_up_after_the_schedule() {
    // 3xx and 4xx are failures too: Mollie wants a 2xx and follows no redirect.
    let mut receiver = Receiver::start(&[302, 503, 404]).await;
    // A port that nobody listens on any more.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let api =
        Api::with(MockConfig::new().webhook_retry_delays([Duration::ZERO, Duration::ZERO])).await;
    let customer = api.customer().await;
    let refusing = payment(
        &api,
        &customer,
        json!({"webhookUrl": format!("{}/hook", receiver.url)}),
    )
    .await;
    let unreachable = payment(
        &api,
        &customer,
        json!({"webhookUrl": format!("http://{closed}/hook")}),
    )
    .await;
    assert_eq!(set_status(&api, &refusing, "paid").await.status, 200);
    assert_eq!(set_status(&api, &unreachable, "paid").await.status, 200);
    for _ in 0..3 {
        assert_eq!(
            receiver.next().await.body,
            format!("id={refusing}").as_bytes()
        );
    }
    settled(&api).await;
    receiver.assert_empty();

    let deliveries = api.server.webhook_deliveries();
    assert_eq!(deliveries.len(), 2);
    for d in &deliveries {
        assert_eq!(d.outcome, DeliveryOutcome::Failed, "{d:?}");
        assert_eq!(d.attempts.len(), 3, "{d:?}");
    }
    let refused = deliveries
        .iter()
        .find(|d| d.payment_id.as_str() == refusing)
        .expect("logged");
    let statuses: Vec<Option<u16>> = refused.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(302), Some(503), Some(404)]);
    let lost = deliveries
        .iter()
        .find(|d| d.payment_id.as_str() == unreachable)
        .expect("logged");
    for attempt in &lost.attempts {
        assert_eq!(attempt.status, None);
        assert!(
            attempt
                .error
                .as_deref()
                .is_some_and(|e| e.starts_with("connection failed")),
            "{attempt:?}"
        );
    }
}

#[tokio::test]
async fn signed_events_with_a_signing_secret() {
    const SECRET: &str = "whsec_mock_secret_for_tests";
    let mut receiver = Receiver::start(&[]).await;
    let events = format!("{}/events", receiver.url);
    let api = Api::with(
        fast()
            .webhook_signing_secret(SECRET)
            .event_webhook_url(events.clone()),
    )
    .await;
    assert!(!format!("{:?}", fast().webhook_signing_secret(SECRET)).contains(SECRET));
    let customer = api.customer().await;
    let hook = format!("{}/hook", receiver.url);
    for (status, event_type) in [
        ("paid", EventType::PaymentPaid),
        ("failed", EventType::PaymentFailed),
        ("canceled", EventType::PaymentCanceled),
        ("expired", EventType::PaymentExpired),
    ] {
        let id = payment(&api, &customer, json!({"webhookUrl": hook})).await;
        assert_eq!(set_status(&api, &id, status).await.status, 200);
        // The classic webhook and the event are sent side by side, in any order.
        let (a, b) = (receiver.next().await, receiver.next().await);
        let (classic, event) = if a.path == "/hook" { (a, b) } else { (b, a) };
        assert_eq!(classic.path, "/hook");
        assert_eq!(classic.body, format!("id={id}").as_bytes());
        assert_eq!(event.path, "/events");
        assert_eq!(event.method, Method::POST);
        assert_eq!(event.header("content-type"), Some("application/json"));

        let signature = event.header("x-mollie-signature");
        assert!(signature.is_some_and(|s| s.starts_with("sha256=")));
        assert_eq!(
            verify_signature(&event.body, signature, &[SigningSecret::new(SECRET)]),
            Ok(SignatureCheck::Verified { secret_index: 0 })
        );
        assert_eq!(
            verify_signature(&event.body, signature, &[SigningSecret::new("another")]),
            Err(WebhookError::SignatureMismatch)
        );
        let parsed = WebhookEvent::parse(&event.body).expect("an event");
        assert_eq!(parsed.resource, "event");
        assert!(parsed.id.starts_with("event_"), "{}", parsed.id);
        assert_eq!(parsed.event_type, event_type);
        assert_eq!(parsed.entity_id, id);
        assert_eq!(
            parsed.links.entity.as_ref().map(|l| l.href.as_str()),
            Some(format!("{}/v2/payments/{id}", api.server.url()).as_str())
        );
        let Some(EventEntity::Payment(snapshot)) = parsed.entity else {
            panic!("no payment entity: {:?}", parsed.entity);
        };
        let fetched = api.send(Req::get(format!("/v2/payments/{id}"))).await;
        let fetched: mollie_models::Payment =
            serde_json::from_value(fetched.body).expect("a payment");
        assert_eq!(*snapshot, fetched);
        assert_eq!(snapshot.status, PaymentStatus::from(status));
    }

    // A payment without its own webhookUrl gets only the event, to the profile-wide URL.
    let quiet = payment(&api, &customer, json!({})).await;
    assert_eq!(set_status(&api, &quiet, "paid").await.status, 200);
    let only = receiver.next().await;
    assert_eq!(only.path, "/events");
    assert_eq!(
        WebhookEvent::parse(&only.body).expect("event").entity_id,
        quiet
    );
    settled(&api).await;
    receiver.assert_empty();
    let deliveries = api.server.webhook_deliveries();
    assert_eq!(deliveries.len(), 9);
    assert!(
        deliveries
            .iter()
            .all(|d| d.outcome == DeliveryOutcome::Delivered)
    );
    let events: Vec<_> = deliveries
        .iter()
        .filter(|d| d.kind == DeliveryKind::Event)
        .collect();
    assert_eq!(events.len(), 5);
    assert!(events.iter().all(|d| d.url == events_url(&receiver)));
    assert!(events.iter().all(|d| {
        d.signature
            .as_deref()
            .is_some_and(|s| s.starts_with("sha256="))
    }));
    assert_eq!(events[0].event_type, Some(EventType::PaymentPaid));
}

fn events_url(receiver: &Receiver) -> String {
    format!("{}/events", receiver.url)
}

#[tokio::test]
async fn events_go_to_the_payment_webhook_url_by_default() {
    let mut receiver = Receiver::start(&[500]).await;
    let api = Api::with(fast().webhook_signing_secret("s3cret")).await;
    let customer = api.customer().await;
    let hook = format!("{}/hook", receiver.url);
    let id = payment(&api, &customer, json!({"webhookUrl": hook})).await;
    let changed = api
        .server
        .set_payment_status(&id, PaymentStatus::Authorized)
        .expect("authorized");
    assert_eq!(changed.status, PaymentStatus::Authorized);
    assert!(changed.authorized_at.is_some());
    assert_eq!(changed.is_cancelable, Some(true));
    // Three requests: one of the two was answered 500 and retried.
    let mut kinds = Vec::new();
    for _ in 0..3 {
        let got = receiver.next().await;
        assert_eq!(got.path, "/hook");
        kinds.push(got.header("content-type").map(str::to_owned));
    }
    settled(&api).await;
    receiver.assert_empty();
    let json = kinds
        .iter()
        .filter(|k| k.as_deref() == Some("application/json"))
        .count();
    assert!((1..=2).contains(&json), "{kinds:?}");
    let deliveries = api.server.webhook_deliveries();
    assert_eq!(deliveries.len(), 2);
    let event = deliveries
        .iter()
        .find(|d| d.kind == DeliveryKind::Event)
        .expect("an event");
    assert_eq!(event.url, hook);
    assert_eq!(event.event_type, Some(EventType::PaymentAuthorized));
    assert!(
        deliveries
            .iter()
            .all(|d| d.outcome == DeliveryOutcome::Delivered)
    );
    assert_eq!(
        deliveries.iter().map(|d| d.attempts.len()).sum::<usize>(),
        3
    );
}

#[tokio::test]
async fn invalid_changes_are_refused() {
    let api = Api::with(fast()).await;
    let customer = api.customer().await;
    let id = payment(&api, &customer, json!({})).await;

    // Unknown payments and statuses, malformed bodies.
    set_status(&api, "tr_unknown123", "paid")
        .await
        .assert_error(404, None);
    set_status(&api, "cst_notapayment", "paid")
        .await
        .assert_error(404, None);
    for bad in ["refunded", "open", "pending", "PAID", ""] {
        set_status(&api, &id, bad)
            .await
            .assert_error(422, Some("status"));
    }
    api.send(Req::post(format!("/__mock/payments/{id}/status"), json!({})).no_auth())
        .await
        .assert_error(422, Some("status"));
    api.send(
        Req::post(
            format!("/__mock/payments/{id}/status"),
            json!({"status": 1}),
        )
        .no_auth(),
    )
    .await
    .assert_error(422, Some("status"));
    api.send(
        Req::new(
            reqwest::Method::POST,
            format!("/__mock/payments/{id}/status"),
        )
        .raw("status=paid")
        .no_auth(),
    )
    .await
    .assert_error(400, None);
    api.send(Req::get(format!("/__mock/payments/{id}/status")).no_auth())
        .await
        .assert_error(404, None);
    let unchanged = api.send(Req::get(format!("/v2/payments/{id}"))).await;
    assert_eq!(unchanged.body["status"], "open");

    // Without a webhookUrl (and no signing secret) the status changes and nothing is sent.
    let paid = set_status(&api, &id, "paid").await;
    assert_eq!(paid.status, 200);
    assert_eq!(paid.body["status"], "paid");
    assert_eq!(paid.body["method"], "creditcard");
    assert!(api.server.webhook_deliveries().is_empty());

    // A final status never changes.
    for next in ["failed", "paid", "canceled", "expired", "authorized"] {
        let r = set_status(&api, &id, next).await;
        r.assert_error(422, Some("status"));
        assert!(r.str("/detail").contains("paid"), "{}", r.body);
    }
    // An authorization can be captured, released or left to expire, but it cannot fail.
    let authorized = payment(&api, &customer, json!({})).await;
    assert_eq!(
        set_status(&api, &authorized, "authorized").await.status,
        200
    );
    set_status(&api, &authorized, "failed")
        .await
        .assert_error(422, Some("status"));
    set_status(&api, &authorized, "authorized")
        .await
        .assert_error(422, Some("status"));
    let captured = set_status(&api, &authorized, "paid").await;
    assert_eq!(captured.status, 200);
    assert!(captured.body["authorizedAt"].is_string());
    assert!(captured.body["paidAt"].is_string());
    assert!(captured.body.get("isCancelable").is_none());

    // A pending direct debit can still fail.
    api.mandate(&customer).await;
    let recurring = payment(
        &api,
        &customer,
        json!({"sequenceType": "recurring", "redirectUrl": null}),
    )
    .await;
    let pending = api
        .send(Req::get(format!("/v2/payments/{recurring}")))
        .await;
    assert_eq!(pending.body["status"], "pending");
    let failed = set_status(&api, &recurring, "failed").await;
    assert_eq!(failed.status, 200);
    assert!(failed.body["failedAt"].is_string());
    assert!(api.server.webhook_deliveries().is_empty());
    // Checked against the spec's schema by the helper, `authorizedAt` included.
    let list = api
        .send(Req::get(format!("/v2/customers/{customer}/payments")))
        .await;
    assert_eq!(list.body["count"], 3);
}

#[tokio::test]
async fn a_paid_first_payment_creates_a_mandate() {
    let api = Api::with(fast()).await;
    let customer = api.customer().await;
    let card = payment(
        &api,
        &customer,
        json!({"sequenceType": "first", "method": "creditcard"}),
    )
    .await;
    let paid = set_status(&api, &card, "paid").await;
    assert_eq!(paid.status, 200);
    let mandate_id = paid.str("/mandateId").to_owned();
    assert!(mandate_id.starts_with("mdt_"));
    let mandate_path = format!("/v2/customers/{customer}/mandates/{mandate_id}");
    assert_eq!(
        paid.str("/_links/mandate/href"),
        format!("{}{mandate_path}", api.server.url())
    );
    // Checked against the spec's schema by the helper.
    let mandate = api.send(Req::get(mandate_path)).await;
    assert_eq!(mandate.status, 200);
    assert_eq!(mandate.body["status"], "valid");
    assert_eq!(mandate.body["method"], "creditcard");
    assert_eq!(mandate.body["details"]["cardHolder"], "Jane Doe");
    assert_eq!(mandate.str("/details/cardNumber").len(), 4);
    assert!(mandate.body["details"]["cardLabel"].is_string());
    assert!(mandate.body["details"]["cardExpiryDate"].is_string());
    let model: mollie_models::Mandate =
        serde_json::from_value(mandate.body.clone()).expect("a mandate");
    assert!(matches!(
        model.details,
        mollie_models::MandateDetails::CreditCard(_)
    ));

    // The mandate can be charged: a recurring card payment is paid at once.
    let recurring = api
        .send(Req::post(
            format!("/v2/customers/{customer}/payments"),
            json!({"amount": {"currency": "EUR", "value": "5.00"}, "description": "Next month",
                   "sequenceType": "recurring", "mandateId": mandate_id}),
        ))
        .await;
    assert_eq!(recurring.status, 201, "{}", recurring.body);
    assert_eq!(recurring.body["status"], "paid");
    assert_eq!(recurring.body["method"], "creditcard");

    // A bank method gives a SEPA Direct Debit mandate; no method, a card mandate.
    let ideal = payment(
        &api,
        &customer,
        json!({"sequenceType": "first", "method": "ideal"}),
    )
    .await;
    let ideal_mandate = api
        .server
        .set_payment_status(&ideal, PaymentStatus::Paid)
        .expect("paid")
        .mandate_id
        .expect("a mandate");
    let sepa = api
        .send(Req::get(format!(
            "/v2/customers/{customer}/mandates/{ideal_mandate}"
        )))
        .await;
    assert_eq!(sepa.body["method"], "directdebit");
    assert!(mollie_models::Iban::parse(sepa.str("/details/consumerAccount")).is_ok());
    let unchosen = payment(&api, &customer, json!({"sequenceType": "first"})).await;
    let paid = set_status(&api, &unchosen, "paid").await;
    assert_eq!(paid.body["method"], "creditcard");
    assert!(paid.body["mandateId"].is_string());

    // A first payment that fails gives no mandate, nor does a one-off payment.
    let failed_first = payment(&api, &customer, json!({"sequenceType": "first"})).await;
    assert!(
        set_status(&api, &failed_first, "failed")
            .await
            .body
            .get("mandateId")
            .is_none()
    );
    let oneoff = payment(&api, &customer, json!({})).await;
    assert!(
        set_status(&api, &oneoff, "paid")
            .await
            .body
            .get("mandateId")
            .is_none()
    );
    let mandates = api
        .send(Req::get(format!("/v2/customers/{customer}/mandates")))
        .await;
    assert_eq!(mandates.body["count"], 3);
}

#[tokio::test]
async fn shutdown_cancels_pending_retries() {
    let mut receiver = Receiver::start(&[500]).await;
    // The retry would come an hour later: shutting down must not wait for it.
    let api = Api::with(MockConfig::new().webhook_retry_delays([Duration::from_secs(3600)])).await;
    let customer = api.customer().await;
    let id = payment(
        &api,
        &customer,
        json!({"webhookUrl": format!("{}/hook", receiver.url)}),
    )
    .await;
    assert_eq!(set_status(&api, &id, "paid").await.status, 200);
    assert_eq!(receiver.next().await.body, format!("id={id}").as_bytes());
    let deliveries = api.server.webhook_deliveries();
    assert_eq!(deliveries[0].outcome, DeliveryOutcome::Pending);
    tokio::time::timeout(PATIENCE, api.server.shutdown())
        .await
        .expect("shutdown does not wait for the retry");
    // Every delivery task has ended: nothing can arrive any more.
    receiver.assert_empty();
}

#[tokio::test]
async fn the_delivery_queue_is_bounded_in_bytes_and_says_what_it_did_not_send() {
    // Retries an hour apart on a clock that stands still: every failed delivery waits in the
    // queue, so that the queue fills.
    let api = Api::with(
        MockConfig::new()
            .clock(|| UNIX_EPOCH + Duration::from_secs(FIXED))
            .webhook_retry_delays([Duration::from_secs(3600)])
            .max_webhook_queue_bytes(2_000),
    )
    .await;
    for _ in 0..30 {
        let p = api
            .create_payment(json!({"webhookUrl": "http://127.0.0.1:9/closed"}))
            .await;
        assert_eq!(api.set_status(&p.id(), "paid").await.status, 200);
    }
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let settled = |d: &mollie_mock::WebhookDelivery| {
        d.outcome == DeliveryOutcome::Failed || !d.attempts.is_empty()
    };
    while !api.server.webhook_deliveries().iter().all(settled) {
        assert!(tokio::time::Instant::now() < deadline, "deliveries stalled");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let deliveries = api.server.webhook_deliveries();
    assert_eq!(deliveries.len(), 30);
    let refused: Vec<_> = deliveries
        .iter()
        .filter(|d| {
            d.attempts
                .first()
                .and_then(|a| a.error.as_deref())
                .is_some_and(|e| {
                    e.starts_with("not sent: the mock's webhook queue is full (2000 bytes")
                })
        })
        .collect();
    // A delivery here takes 201 bytes (body, URL, bookkeeping): at least nine fit, waiting
    // for their retry, and the rest are refused, each saying so.
    assert!(!refused.is_empty(), "nothing was refused");
    assert!(30 - refused.len() >= 9, "only {} fit", 30 - refused.len());
    for d in &refused {
        assert_eq!(d.outcome, DeliveryOutcome::Failed);
        assert_eq!(d.attempts.len(), 1);
        assert_eq!(d.attempts[0].status, None);
    }
}
