//! Decoding responses: HAL bodies, 204s, Mollie's error body, and what Mollie never sends.

mod support;

use mollie_core::{Error, Request};
use mollie_models::{Customer, CustomerId, ValidationError};
use serde_json::json;
use support::{Reply, TestServer, customer};

#[tokio::test]
async fn a_hal_body_decodes_into_the_model() {
    let server = TestServer::scripted(vec![Reply::json(
        200,
        customer("cst_8wmqcHMN4U", "http://x/v2"),
    )])
    .await;
    let client = server.client().build().unwrap();
    let id = CustomerId::parse("cst_8wmqcHMN4U").unwrap();
    let customer: Customer = client
        .send(Request::get().segment("customers").id(&id))
        .await
        .unwrap();
    assert_eq!(customer.id, id);
    assert_eq!(server.requests()[0].uri, "/v2/customers/cst_8wmqcHMN4U");
}

#[tokio::test]
async fn a_200_that_is_not_json_is_an_unexpected_response() {
    let server = TestServer::scripted(vec![Reply::text(
        200,
        "<html><body>Welcome to the captive portal</body></html>",
    )])
    .await;
    let client = server.client().build().unwrap();
    let error = client
        .send::<Customer>(Request::get().segment("customers"))
        .await
        .unwrap_err();
    let Error::UnexpectedResponse {
        status,
        excerpt,
        reason,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(*status, 200);
    assert!(excerpt.starts_with("<html><body>Welcome"), "{excerpt}");
    assert!(reason.contains("Customer"), "{reason}");
    assert_eq!(error.status(), Some(200));
    assert!(!error.is_retryable());
    assert_eq!(server.request_count(), 1, "a success is never retried");
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_an_unexpected_response() {
    let server =
        TestServer::scripted(vec![Reply::json(200, json!({"resource": "customer"}))]).await;
    let client = server.client().build().unwrap();
    let error = client
        .send::<Customer>(Request::get().segment("customers"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::UnexpectedResponse { status: 200, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_error_status_without_mollies_body_is_an_unexpected_response() {
    let server = TestServer::scripted(vec![Reply::text(404, "<h1>nginx</h1>")]).await;
    let client = server.client().build().unwrap();
    let error = client.send_no_content(Request::get()).await.unwrap_err();
    assert!(
        matches!(error, Error::UnexpectedResponse { status: 404, .. }),
        "{error:?}"
    );
    assert!(error.is_not_found());
    assert!(error.to_string().contains("<h1>nginx</h1>"));
}

#[tokio::test]
async fn no_content_is_handled() {
    let server = TestServer::scripted(vec![Reply::empty(204)]).await;
    let client = server.client().build().unwrap();
    let meta = client
        .send_no_content(Request::delete().segment("customers"))
        .await
        .unwrap();
    assert_eq!(meta.status(), 204);
    let (): () = client
        .send(Request::delete().segment("customers"))
        .await
        .unwrap();
    let none: Option<Customer> = client
        .send(Request::delete().segment("customers"))
        .await
        .unwrap();
    assert!(none.is_none());
    let error = client
        .send::<Customer>(Request::delete().segment("customers"))
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        Error::UnexpectedResponse { status: 204, .. }
    ));
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = TestServer::scripted(vec![
        Reply::empty(302).header("location", "http://evil.example/steal"),
    ])
    .await;
    let client = server.client().build().unwrap();
    let error = client.send_no_content(Request::get()).await.unwrap_err();
    assert!(
        matches!(error, Error::UnexpectedResponse { status: 302, .. }),
        "{error:?}"
    );
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn path_segment_injection_is_refused() {
    let server = TestServer::scripted(vec![Reply::empty(204)]).await;
    let client = server.client().build().unwrap();

    // Ids are typed: a crafted one never becomes an id, and `?` turns that into an `Error`.
    async fn by_raw_id(client: &mollie_core::Client, raw: &str) -> Result<(), Error> {
        let id = CustomerId::parse(raw)?;
        client
            .send_no_content(Request::delete().segment("customers").id(&id))
            .await
            .map(drop)
    }
    for hostile in [
        "../payments",
        "cst_x/../../payments",
        "cst_x?testmode=false",
        "cst_x#frag",
        "cst_%2e%2e",
        "cst_x/mandates",
        "cst_ ",
        "cst_x\r\nHost: evil",
    ] {
        let error = by_raw_id(&client, hostile).await.unwrap_err();
        assert!(
            matches!(error, Error::InvalidInput(_)),
            "{hostile}: {error:?}"
        );
        assert_eq!(error.field(), Some("customerId"));
    }

    // Fixed words are checked too (they are `'static`, but a typo must not escape the API).
    for word in ["customers/../payments", "..", "", "a?b", "Customers"] {
        let word: &'static str = Box::leak(word.to_owned().into_boxed_str());
        let error = client
            .send_no_content(Request::get().segment(word))
            .await
            .unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{word}: {error:?}");
    }
    assert_eq!(server.request_count(), 0, "nothing was sent");

    // A legitimate id goes through exactly where it should.
    by_raw_id(&client, "cst_a-B_9").await.unwrap();
    assert_eq!(server.requests()[0].uri, "/v2/customers/cst_a-B_9");
}

#[tokio::test]
async fn query_values_are_percent_encoded() {
    let server = TestServer::scripted(vec![Reply::empty(204)]).await;
    let client = server.client().build().unwrap();
    client
        .send_no_content(
            Request::get()
                .segment("customers")
                .query("from", "cst_x&limit=1#y z"),
        )
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].uri,
        "/v2/customers?from=cst_x%26limit%3D1%23y+z"
    );
}

#[tokio::test]
async fn invalid_input_keeps_its_field() {
    let error = Error::from(ValidationError::new(
        "amount.value",
        "must have two decimals",
    ));
    assert_eq!(error.field(), Some("amount.value"));
    assert_eq!(
        error.to_string(),
        "invalid `amount.value`: must have two decimals"
    );
}
