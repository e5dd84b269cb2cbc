//! The seven operations unit-tested against an in-memory `Transport`: no server, no socket.
//! Each test checks what goes on the wire (method, URL with its query, body, idempotency key)
//! and that the answer decodes; `testmode` and `profileId` go where the spec wants them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use mollie_core::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use mollie_core::{Client, IdempotencyKey, Method};
use mollie_models::{
    CustomerId, Date, Interval, MandateId, Money, NewSubscription, PaymentId, ProfileId,
    SequenceType, SortOrder, SubscriptionId, SubscriptionStatus, SubscriptionUpdate,
};
use mollie_subscriptions::{AllSubscriptions, Subscriptions};
use serde_json::{Value, json};

const BASE: &str = "https://api.mollie.com/v2";
const CUSTOMER: &str = "cst_stTC2WHAuS";
const SUBSCRIPTION: &str = "sub_rVKGtNd6s3";
const PROFILE: &str = "pfl_QkEhN94Ba";

/// Answers from a script, one response per request, and keeps every request it was sent.
#[derive(Clone, Default)]
struct Scripted {
    replies: Arc<Mutex<VecDeque<HttpResponse>>>,
    sent: Arc<Mutex<Vec<HttpRequest>>>,
}

impl Scripted {
    fn reply(self, status: u16, body: Value) -> Self {
        let response = HttpResponse::new(status, body.to_string().into_bytes())
            .header("Content-Type", "application/hal+json");
        self.replies.lock().unwrap().push_back(response);
        self
    }

    fn sent(&self) -> Vec<HttpRequest> {
        self.sent.lock().unwrap().clone()
    }

    /// The one request sent.
    fn only(&self) -> HttpRequest {
        let sent = self.sent();
        assert_eq!(sent.len(), 1, "one request");
        sent.into_iter().next().unwrap()
    }

    /// A client with a `test_` API key: neither `testmode` nor `profileId` is ever sent.
    fn api_key(&self) -> Client {
        Client::builder()
            .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")
            .unwrap()
            .transport(self.clone())
            .no_retries()
            .build()
            .unwrap()
    }

    /// A client with an organization token and defaults for both: each endpoint sends
    /// them where it takes them, and only there.
    fn organization(&self) -> Client {
        Client::builder()
            .access_token("access_4Tx8W7mVbE2kQ9pHn3jYdZ")
            .unwrap()
            .testmode(true)
            .profile_id(profile())
            .transport(self.clone())
            .no_retries()
            .build()
            .unwrap()
    }
}

#[async_trait::async_trait]
impl Transport for Scripted {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.lock().unwrap().push(request);
        Ok(self
            .replies
            .lock()
            .unwrap()
            .pop_front()
            .expect("a request the script did not expect"))
    }
}

fn customer() -> CustomerId {
    CustomerId::parse(CUSTOMER).unwrap()
}

fn subscription_id() -> SubscriptionId {
    SubscriptionId::parse(SUBSCRIPTION).unwrap()
}

fn profile() -> ProfileId {
    ProfileId::parse(PROFILE).unwrap()
}

fn body(request: &HttpRequest) -> Option<Value> {
    request
        .body()
        .map(|bytes| serde_json::from_slice(bytes).expect("a JSON body"))
}

fn link(href: &str) -> Value {
    json!({"href": href, "type": "application/hal+json"})
}

/// Mollie's example subscription, with `status`.
fn subscription(status: &str) -> Value {
    json!({
        "resource": "subscription", "id": SUBSCRIPTION, "mode": "test",
        "amount": {"currency": "EUR", "value": "25.00"},
        "times": 4, "timesRemaining": 4, "interval": "3 months",
        "startDate": "2023-06-01", "nextPaymentDate": "2023-09-01",
        "description": "Quarterly payment", "method": null, "metadata": null,
        "status": status, "webhookUrl": "https://webshop.example.org/payments/webhook",
        "customerId": CUSTOMER, "mandateId": "mdt_38HS4fsS",
        "createdAt": "2023-04-06T13:10:19+00:00",
        "_links": {
            "self": link(&format!("{BASE}/customers/{CUSTOMER}/subscriptions/{SUBSCRIPTION}")),
            "customer": link(&format!("{BASE}/customers/{CUSTOMER}")),
        }
    })
}

fn payment(id: &str) -> Value {
    json!({
        "resource": "payment", "id": id, "mode": "test", "status": "pending",
        "description": "Quarterly payment", "amount": {"currency": "EUR", "value": "25.00"},
        "sequenceType": "recurring", "profileId": PROFILE, "customerId": CUSTOMER,
        "mandateId": "mdt_38HS4fsS", "subscriptionId": SUBSCRIPTION,
        "createdAt": "2023-06-01T05:00:00+00:00",
        "_links": {
            "self": link(&format!("{BASE}/payments/{id}")),
            "dashboard": {"href": "https://my.mollie.com/dashboard", "type": "text/html"},
        }
    })
}

fn list(collection: &str, items: Vec<Value>) -> Value {
    json!({
        "count": items.len(),
        "_embedded": {collection: items},
        "_links": {"self": link(BASE), "previous": null, "next": null},
    })
}

fn plan() -> NewSubscription {
    NewSubscription::new(
        Money::eur("25.00").unwrap(),
        Interval::months(3).unwrap(),
        "Quarterly payment",
    )
    .times(4)
    .start_date(Date::parse("2023-06-01").unwrap())
    .mandate_id(MandateId::parse("mdt_38HS4fsS").unwrap())
}

fn plan_json() -> Value {
    json!({
        "amount": {"currency": "EUR", "value": "25.00"},
        "interval": "3 months",
        "description": "Quarterly payment",
        "times": 4,
        "startDate": "2023-06-01",
        "mandateId": "mdt_38HS4fsS",
    })
}

#[tokio::test]
async fn create_posts_the_body_with_a_key() {
    let transport = Scripted::default().reply(201, subscription("active"));
    let created = Subscriptions::new(transport.api_key(), customer())
        .create(plan())
        .idempotency_key(IdempotencyKey::parse("plan-42").unwrap())
        .await
        .unwrap();
    assert_eq!(created.id, subscription_id());
    assert_eq!(created.status, SubscriptionStatus::Active);

    let request = transport.only();
    assert_eq!(request.method(), Method::Post);
    assert_eq!(
        request.url(),
        format!("{BASE}/customers/{CUSTOMER}/subscriptions")
    );
    assert_eq!(request.header("idempotency-key"), Some("plan-42"));
    assert_eq!(body(&request), Some(plan_json()));
}

#[tokio::test]
async fn create_gets_a_fresh_key_without_one() {
    let transport = Scripted::default().reply(201, subscription("active"));
    Subscriptions::new(transport.api_key(), customer())
        .create(plan())
        .await
        .unwrap();
    let key = transport
        .only()
        .header("idempotency-key")
        .unwrap()
        .to_owned();
    assert_eq!(key.len(), 36, "a UUID v4: {key}");
}

#[tokio::test]
async fn create_takes_testmode_and_profile_id_in_the_body() {
    let transport = Scripted::default()
        .reply(201, subscription("active"))
        .reply(201, subscription("active"));
    let subscriptions = Subscriptions::new(transport.organization(), customer());
    subscriptions.create(plan()).await.unwrap();
    let other = ProfileId::parse("pfl_v9hTwCvYqw").unwrap();
    subscriptions
        .create(plan())
        .profile_id(other)
        .testmode(false)
        .await
        .unwrap();

    let sent = transport.sent();
    let mut expected = plan_json();
    expected["testmode"] = json!(true);
    expected["profileId"] = json!(PROFILE);
    assert_eq!(
        sent[0].url(),
        format!("{BASE}/customers/{CUSTOMER}/subscriptions"),
        "nothing in the query"
    );
    assert_eq!(body(&sent[0]), Some(expected.clone()));
    expected["testmode"] = json!(false);
    expected["profileId"] = json!("pfl_v9hTwCvYqw");
    assert_eq!(body(&sent[1]), Some(expected), "the call's own values win");
}

#[tokio::test]
async fn get_takes_testmode_in_the_query_and_no_profile_id() {
    let transport = Scripted::default()
        .reply(200, subscription("active"))
        .reply(200, subscription("active"));
    let got = Subscriptions::new(transport.api_key(), customer())
        .get(&subscription_id())
        .await
        .unwrap();
    assert_eq!(got.amount, Money::eur("25.00").unwrap());
    Subscriptions::new(transport.organization(), customer())
        .get(&subscription_id())
        .await
        .unwrap();

    let sent = transport.sent();
    let url = format!("{BASE}/customers/{CUSTOMER}/subscriptions/{SUBSCRIPTION}");
    for request in &sent {
        assert_eq!(request.method(), Method::Get);
        assert_eq!(request.body(), None);
        assert_eq!(request.header("idempotency-key"), None, "a GET needs none");
    }
    assert_eq!(sent[0].url(), url);
    assert_eq!(sent[1].url(), format!("{url}?testmode=true"));
}

#[tokio::test]
async fn update_patches_the_body_with_testmode_and_no_profile_id() {
    let transport = Scripted::default()
        .reply(200, subscription("active"))
        .reply(200, subscription("active"));
    let change = || {
        SubscriptionUpdate::new()
            .amount(Money::eur("12.00").unwrap())
            .times(12)
    };
    Subscriptions::new(transport.api_key(), customer())
        .update(&subscription_id(), change())
        .idempotency_key(IdempotencyKey::parse("raise-2024").unwrap())
        .await
        .unwrap();
    Subscriptions::new(transport.organization(), customer())
        .update(&subscription_id(), change())
        .await
        .unwrap();

    let sent = transport.sent();
    let url = format!("{BASE}/customers/{CUSTOMER}/subscriptions/{SUBSCRIPTION}");
    let expected = json!({"amount": {"currency": "EUR", "value": "12.00"}, "times": 12});
    assert_eq!(sent[0].method(), Method::Patch);
    assert_eq!(sent[0].url(), url);
    assert_eq!(sent[0].header("idempotency-key"), Some("raise-2024"));
    assert_eq!(body(&sent[0]), Some(expected.clone()));
    let mut with_testmode = expected;
    with_testmode["testmode"] = json!(true);
    assert_eq!(sent[1].url(), url, "nothing in the query");
    assert_eq!(body(&sent[1]), Some(with_testmode), "no profileId");
    assert!(sent[1].header("idempotency-key").is_some());
}

#[tokio::test]
async fn cancel_deletes_with_testmode_in_a_body_and_decodes_the_subscription() {
    let transport = Scripted::default()
        .reply(200, subscription("canceled"))
        .reply(200, subscription("canceled"));
    let canceled = Subscriptions::new(transport.api_key(), customer())
        .cancel(&subscription_id())
        .await
        .unwrap();
    assert_eq!(canceled.status, SubscriptionStatus::Canceled);
    Subscriptions::new(transport.organization(), customer())
        .cancel(&subscription_id())
        .await
        .unwrap();

    let sent = transport.sent();
    let url = format!("{BASE}/customers/{CUSTOMER}/subscriptions/{SUBSCRIPTION}");
    for request in &sent {
        assert_eq!(request.method(), Method::Delete);
        assert_eq!(request.url(), url, "nothing in the query");
        assert!(request.header("idempotency-key").is_some());
    }
    assert_eq!(body(&sent[0]), None);
    assert_eq!(
        body(&sent[1]),
        Some(json!({"testmode": true})),
        "no profileId"
    );
}

#[tokio::test]
async fn list_takes_from_limit_sort_and_testmode_but_no_profile_id() {
    let transport = Scripted::default()
        .reply(200, list("subscriptions", vec![subscription("active")]))
        .reply(200, list("subscriptions", vec![]));
    let page = Subscriptions::new(transport.api_key(), customer())
        .list()
        .from(&subscription_id())
        .limit(5)
        .sort(SortOrder::Asc)
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page.items()[0].id, subscription_id());
    Subscriptions::new(transport.organization(), customer())
        .list()
        .await
        .unwrap();

    let sent = transport.sent();
    let url = format!("{BASE}/customers/{CUSTOMER}/subscriptions");
    assert_eq!(sent[0].method(), Method::Get);
    assert_eq!(
        sent[0].url(),
        format!("{url}?from={SUBSCRIPTION}&limit=5&sort=asc")
    );
    assert_eq!(sent[1].url(), format!("{url}?testmode=true"));
    assert_eq!(sent[1].body(), None);
}

#[tokio::test]
async fn list_all_takes_from_limit_profile_id_and_testmode() {
    let transport = Scripted::default()
        .reply(200, list("subscriptions", vec![subscription("active")]))
        .reply(200, list("subscriptions", vec![subscription("active")]))
        .reply(200, list("subscriptions", vec![]));
    let page = AllSubscriptions::new(transport.api_key())
        .list()
        .from(&subscription_id())
        .limit(250)
        .await
        .unwrap();
    assert_eq!(page.items()[0].customer_id, customer());
    AllSubscriptions::new(transport.organization())
        .list()
        .await
        .unwrap();
    AllSubscriptions::new(transport.organization())
        .list()
        .profile_id(ProfileId::parse("pfl_v9hTwCvYqw").unwrap())
        .testmode(false)
        .await
        .unwrap();

    let sent = transport.sent();
    let url = format!("{BASE}/subscriptions");
    assert_eq!(sent[0].method(), Method::Get);
    assert_eq!(
        sent[0].url(),
        format!("{url}?from={SUBSCRIPTION}&limit=250")
    );
    assert_eq!(
        sent[1].url(),
        format!("{url}?testmode=true&profileId={PROFILE}")
    );
    assert_eq!(
        sent[2].url(),
        format!("{url}?testmode=false&profileId=pfl_v9hTwCvYqw")
    );
    assert!(sent.iter().all(|r| !r.url().contains("sort")));
}

#[tokio::test]
async fn payments_takes_from_limit_sort_profile_id_and_testmode() {
    let transport = Scripted::default()
        .reply(200, list("payments", vec![payment("tr_7UhSN1zuXS")]))
        .reply(200, list("payments", vec![]));
    let page = Subscriptions::new(transport.api_key(), customer())
        .payments(&subscription_id())
        .from(&PaymentId::parse("tr_7UhSN1zuXS").unwrap())
        .limit(10)
        .sort(SortOrder::Desc)
        .await
        .unwrap();
    let charged = &page.items()[0];
    assert_eq!(charged.subscription_id, Some(subscription_id()));
    assert_eq!(charged.sequence_type, SequenceType::Recurring);
    Subscriptions::new(transport.organization(), customer())
        .payments(&subscription_id())
        .await
        .unwrap();

    let sent = transport.sent();
    let url = format!("{BASE}/customers/{CUSTOMER}/subscriptions/{SUBSCRIPTION}/payments");
    assert_eq!(sent[0].method(), Method::Get);
    assert_eq!(
        sent[0].url(),
        format!("{url}?from=tr_7UhSN1zuXS&limit=10&sort=desc")
    );
    assert_eq!(
        sent[1].url(),
        format!("{url}?testmode=true&profileId={PROFILE}")
    );
}

#[tokio::test]
async fn refused_input_never_reaches_the_transport() {
    let transport = Scripted::default();
    let subscriptions = Subscriptions::new(transport.organization(), customer());

    let error = subscriptions.create(plan().times(0)).await.unwrap_err();
    assert_eq!(error.field(), Some("times"));
    assert!(error.is_not_sent());

    let zero = NewSubscription::new(
        Money::eur("0.00").unwrap(),
        Interval::weeks(1).unwrap(),
        "Free",
    );
    let error = subscriptions.create(zero).await.unwrap_err();
    assert_eq!(error.field(), Some("amount.value"));

    let error = subscriptions
        .update(
            &subscription_id(),
            SubscriptionUpdate::new().description(" "),
        )
        .await
        .unwrap_err();
    assert_eq!(error.field(), Some("description"));
    assert!(error.is_not_sent());

    let error = subscriptions.list().limit(0).await.unwrap_err();
    assert_eq!(error.field(), Some("limit"));
    let error = AllSubscriptions::new(transport.organization())
        .list()
        .limit(251)
        .await
        .unwrap_err();
    assert_eq!(error.field(), Some("limit"));

    // A `profileId` set on a call whose endpoint does not take it is refused, not dropped.
    let error = Subscriptions::new(transport.organization(), customer())
        .get(&subscription_id())
        .customize(mollie_core::RequestOptions::new().profile_id(profile()))
        .await
        .unwrap_err();
    assert_eq!(error.field(), Some("profileId"));

    // An API key is bound to its mode: `testmode` on the call is refused.
    let error = Subscriptions::new(transport.api_key(), customer())
        .cancel(&subscription_id())
        .testmode(true)
        .await
        .unwrap_err();
    assert_eq!(error.field(), Some("testmode"));

    assert!(transport.sent().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn an_api_error_names_the_field_mollie_refused() {
    let transport = Scripted::default().reply(
        422,
        json!({
            "status": 422, "title": "Unprocessable Entity",
            "detail": "The customer has no valid mandate", "field": "mandateId",
        }),
    );
    let error = Subscriptions::new(transport.api_key(), customer())
        .create(plan())
        .await
        .unwrap_err();
    assert_eq!(error.field(), Some("mandateId"));
    assert!(!error.is_not_sent());
}
