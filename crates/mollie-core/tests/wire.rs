//! Snapshots of exactly what goes on the wire: request line, headers (the credential and the
//! random idempotency key replaced after checking them) and body, for a POST, a PATCH, a GET
//! with every query parameter and a DELETE, from an organization token with `testmode` and
//! `profileId` defaults.

mod support;

use mollie_core::{Client, Placement, Request};
use mollie_models::{CustomerId, MandateId, ProfileId};
use serde_json::{Value, json};
use support::{Recorded, Reply, TOKEN_SECRET, TestServer};

async fn capture(request: Request) -> (Recorded, u16) {
    let server = TestServer::scripted(vec![Reply::empty(204)]).await;
    let client = Client::builder()
        .access_token(TOKEN_SECRET)
        .unwrap()
        .base_url(server.url())
        .testmode(true)
        .profile_id(ProfileId::parse("pfl_QkEhN94Ba").unwrap())
        .user_agent_suffix("wire-test/1.0")
        .build()
        .unwrap();
    client.send_no_content(request).await.unwrap();
    let mut requests = server.requests();
    assert_eq!(requests.len(), 1);
    (requests.remove(0), server.port())
}

/// The request as text, with volatile values checked and replaced by placeholders.
fn render((request, port): (Recorded, u16)) -> String {
    let mut out = format!("{} {} {}\n", request.method, request.uri, request.version);
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    for (name, value) in headers {
        let value = match name.as_str() {
            "authorization" => {
                assert_eq!(value, format!("Bearer {TOKEN_SECRET}"));
                "Bearer [credential]".to_owned()
            }
            "idempotency-key" => {
                let uuid = uuid::Uuid::parse_str(&value).expect("a UUID");
                assert_eq!(uuid.get_version_num(), 4);
                assert_eq!(
                    value,
                    uuid.hyphenated().to_string(),
                    "lowercase, hyphenated"
                );
                "[uuid-v4]".to_owned()
            }
            "host" => value.replace(&port.to_string(), "[port]"),
            "user-agent" => value.replace(env!("CARGO_PKG_VERSION"), "[version]"),
            _ => value,
        };
        out.push_str(&format!("{name}: {value}\n"));
    }
    if !request.body.is_empty() {
        // Key order is serde_json's (sorted unless a crate in the build enables
        // `preserve_order`); sort here so the snapshot does not depend on that.
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        out.push('\n');
        out.push_str(&serde_json::to_string_pretty(&sorted(body)).unwrap());
        out.push('\n');
    }
    out
}

fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let map: std::collections::BTreeMap<String, Value> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            Value::Object(map.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

fn customer() -> CustomerId {
    CustomerId::parse("cst_8wmqcHMN4U").unwrap()
}

#[tokio::test]
async fn post() {
    // Create payment for a customer: takes testmode and profileId in the body.
    let request = Request::post()
        .segment("customers")
        .id(customer())
        .segment("payments")
        .json_value(json!({
            "amount": {"currency": "EUR", "value": "10.00"},
            "description": "March",
            "sequenceType": "recurring",
            "mandateId": "mdt_h3gAaD5zP"
        }));
    insta::assert_snapshot!(render(capture(request).await));
}

#[tokio::test]
async fn patch() {
    // Update customer: testmode in the body, no profileId.
    let request = Request::patch()
        .segment("customers")
        .id(customer())
        .profile_id_in(Placement::Omit)
        .json_value(json!({"email": "jane@example.org", "locale": "nl_NL"}));
    insta::assert_snapshot!(render(capture(request).await));
}

#[tokio::test]
async fn get_with_every_query_parameter() {
    // List payments of a customer: every parameter a list takes, plus the client's defaults.
    let request = Request::get()
        .segment("customers")
        .id(customer())
        .segment("payments")
        .query("from", "tr_5B8cwPMGnU6qLbRvo7qEZo")
        .query("limit", "250")
        .query("sort", "asc")
        .query("include", "details.qrCode")
        .query("embed", "refunds,chargebacks");
    insta::assert_snapshot!(render(capture(request).await));
}

#[tokio::test]
async fn delete() {
    // Revoke mandate: Mollie takes testmode in a JSON body on this DELETE, and no profileId.
    let request = Request::delete()
        .segment("customers")
        .id(customer())
        .segment("mandates")
        .id(MandateId::parse("mdt_h3gAaD5zP").unwrap())
        .testmode_in(Placement::Body)
        .profile_id_in(Placement::Omit);
    insta::assert_snapshot!(render(capture(request).await));
}

#[tokio::test]
async fn get_with_an_api_key_sends_no_defaults() {
    let server = TestServer::scripted(vec![Reply::empty(204)]).await;
    let client = server.client().no_retries().build().unwrap();
    client
        .send_no_content(Request::get().segment("customers"))
        .await
        .unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.uri, "/v2/customers");
    assert_eq!(request.header("accept"), Some("application/hal+json"));
    assert_eq!(request.header("user-agent"), Some(mollie_core::USER_AGENT));
    assert!(request.header("content-type").is_none());
    assert!(request.body.is_empty());
}
