//! Mandates over raw HTTP: create, get, list, revoke, the rules around them and their errors.

mod common;

use common::{Api, LIVE_KEY, Req};
use serde_json::{Value, json};

#[tokio::test]
async fn the_spec_judge_can_fail() {
    // The schema check behind every response is real: a customer without `id` fails it.
    let Some(spec) = common::spec() else { return };
    let bad = json!({"resource": "customer", "mode": "test"});
    let result = std::panic::catch_unwind(|| spec.check("GET", "/v2/customers/cst_x", 200, &bad));
    assert!(result.is_err());
}

#[tokio::test]
async fn sepa_mandate_lifecycle() {
    let api = Api::start().await;
    let customer = api.customer().await;
    let created = api
        .send(Req::post(
            format!("/v2/customers/{customer}/mandates"),
            json!({"method": "directdebit", "consumerName": "Jane Doe", "consumerAccount": "nl55 ingb 0000 0000 00", "consumerBic": "INGBNL2A", "signatureDate": "2024-05-07", "mandateReference": "ACME-MD-1"}),
        ))
        .await;
    assert_eq!(created.status, 201);
    let id = created.id();
    assert!(id.starts_with("mdt_"));
    assert_eq!(created.body["status"], "valid");
    assert_eq!(created.body["method"], "directdebit");
    assert_eq!(
        created.body["details"]["consumerAccount"],
        "NL55INGB0000000000"
    );
    assert_eq!(created.body["details"]["consumerBic"], "INGBNL2A");
    assert_eq!(created.body["signatureDate"], "2024-05-07");
    assert_eq!(created.body["mandateReference"], "ACME-MD-1");
    assert_eq!(created.body["customerId"], customer.as_str());
    assert_eq!(
        created.str("/_links/customer/href"),
        format!("{}/v2/customers/{customer}", api.server.url())
    );
    let model: mollie_models::Mandate =
        serde_json::from_value(created.body.clone()).expect("model");
    assert_eq!(model.status, mollie_models::MandateStatus::Valid);

    // The customer now links its mandates.
    let c = api
        .send(Req::get(format!("/v2/customers/{customer}")))
        .await;
    assert!(
        c.str("/_links/mandates/href")
            .ends_with(&format!("/v2/customers/{customer}/mandates"))
    );

    let got = api
        .send(Req::get(format!("/v2/customers/{customer}/mandates/{id}")))
        .await;
    assert_eq!(got.body, created.body);

    assert_eq!(
        api.send(Req::delete(format!(
            "/v2/customers/{customer}/mandates/{id}"
        )))
        .await
        .status,
        204
    );
    // Mollie: "Trying to retrieve a revoked mandate will result in a 410 exception".
    let revoked = api
        .send(Req::get(format!("/v2/customers/{customer}/mandates/{id}")))
        .await;
    revoked.assert_error(410, None);
    assert_eq!(revoked.body["title"], "Gone");
    // It is still listed, `invalid`.
    let listed = api
        .send(Req::get(format!("/v2/customers/{customer}/mandates")))
        .await;
    assert_eq!(listed.body["_embedded"]["mandates"][0]["id"], id.as_str());
    assert_eq!(listed.body["_embedded"]["mandates"][0]["status"], "invalid");
    assert_eq!(
        api.send(Req::delete(format!(
            "/v2/customers/{customer}/mandates/{id}"
        )))
        .await
        .status,
        204
    );
}

#[tokio::test]
async fn defaults_and_paypal() {
    let api = Api::start().await;
    let customer = api.customer().await;
    let m = api.mandate(&customer).await;
    let got = api
        .send(Req::get(format!("/v2/customers/{customer}/mandates/{m}")))
        .await;
    // Signature date defaults to today; no reference unless given.
    assert_eq!(got.body["signatureDate"].as_str().map(str::len), Some(10));
    assert_eq!(got.body["mandateReference"], Value::Null);

    let paypal = api
        .send(Req::post(
            format!("/v2/customers/{customer}/mandates"),
            json!({"method": "paypal", "consumerName": "Jane", "consumerEmail": "jane@example.org", "paypalBillingAgreementId": "B-12A34567B8901234CD"}),
        ))
        .await;
    assert_eq!(paypal.status, 201);
    assert_eq!(paypal.body["status"], "valid");
    assert_eq!(
        paypal.body["details"]["consumerAccount"],
        "jane@example.org"
    );
}

#[tokio::test]
async fn lists_and_scopes() {
    let api = Api::start().await;
    let customer = api.customer().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(api.mandate(&customer).await);
    }
    let path = format!("/v2/customers/{customer}/mandates");
    let page = api.send(Req::get(format!("{path}?limit=2&sort=asc"))).await;
    assert_eq!(page.body["count"], 2);
    assert_eq!(page.body["_embedded"]["mandates"][0]["id"], ids[0].as_str());
    assert!(
        page.str("/_links/next/href")
            .ends_with(&format!("{path}?from={}&limit=2&sort=asc", ids[2]))
    );
    let scoped = api
        .send(Req::get(format!("{path}?scopes=customer-not-present")))
        .await;
    assert_eq!(scoped.body["count"], 3);
    let none = api
        .send(Req::get(format!("{path}?scopes=customer-present")))
        .await;
    assert_eq!(none.body["count"], 0);
    assert_eq!(none.body["_embedded"]["mandates"], json!([]));
    api.send(Req::get(format!("{path}?scopes=nobody")))
        .await
        .assert_error(400, Some("scopes"));
    api.send(Req::get(format!("{path}?from=mdt_unknown")))
        .await
        .assert_error(400, Some("from"));
    api.send(Req::get(format!("{path}?limit=0")))
        .await
        .assert_error(400, Some("limit"));
    // Another customer's mandate is not a cursor of this list.
    let other = api.customer().await;
    let theirs = api.mandate(&other).await;
    api.send(Req::get(format!("{path}?from={theirs}")))
        .await
        .assert_error(400, Some("from"));
    api.send(Req::get(format!(
        "/v2/customers/{customer}/mandates/{theirs}"
    )))
    .await
    .assert_error(404, None);
}

#[tokio::test]
async fn validation_errors() {
    let api = Api::start().await;
    let customer = api.customer().await;
    let path = format!("/v2/customers/{customer}/mandates");
    for (body, field) in [
        (
            json!({"consumerName": "J", "consumerAccount": "NL55INGB0000000000"}),
            "method",
        ),
        (
            json!({"method": "directdebit", "consumerAccount": "NL55INGB0000000000"}),
            "consumerName",
        ),
        (
            json!({"method": "directdebit", "consumerName": ""}),
            "consumerName",
        ),
        (
            json!({"method": "directdebit", "consumerName": "J"}),
            "consumerAccount",
        ),
        (
            json!({"method": "directdebit", "consumerName": "J", "consumerAccount": "NL56INGB0000000000"}),
            "consumerAccount",
        ),
        (
            json!({"method": "directdebit", "consumerName": "J", "consumerAccount": 5}),
            "consumerAccount",
        ),
        (
            json!({"method": "directdebit", "consumerName": "J", "consumerAccount": "NL55INGB0000000000", "consumerBic": "12"}),
            "consumerBic",
        ),
        (
            json!({"method": "directdebit", "consumerName": "J", "consumerAccount": "NL55INGB0000000000", "signatureDate": "2024-02-30"}),
            "signatureDate",
        ),
        (
            json!({"method": "directdebit", "consumerName": "J", "consumerAccount": "NL55INGB0000000000", "signatureDate": "2999-01-01"}),
            "signatureDate",
        ),
        (
            json!({"method": "creditcard", "consumerName": "J"}),
            "method",
        ),
        (json!({"method": "bitcoin", "consumerName": "J"}), "method"),
        (
            json!({"method": "paypal", "consumerName": "J"}),
            "consumerEmail",
        ),
        (
            json!({"method": "paypal", "consumerName": "J", "consumerEmail": "j@example.org"}),
            "paypalBillingAgreementId",
        ),
    ] {
        api.send(Req::post(path.clone(), body.clone()))
            .await
            .assert_error(422, Some(field));
    }
    api.send(Req::post("/v2/customers/cst_nobody/mandates", json!({})))
        .await
        .assert_error(404, None);
    api.send(Req::get("/v2/customers/cst_nobody/mandates"))
        .await
        .assert_error(404, None);
    api.send(Req::get(format!(
        "/v2/customers/{customer}/mandates/mdt_nothing"
    )))
    .await
    .assert_error(404, None);
    api.send(Req::delete(format!(
        "/v2/customers/{customer}/mandates/mdt_nothing"
    )))
    .await
    .assert_error(404, None);
    // A live key does not see test mandates.
    let m = api.mandate(&customer).await;
    api.send(Req::get(format!("/v2/customers/{customer}/mandates/{m}")).key(LIVE_KEY))
        .await
        .assert_error(404, None);
}

#[tokio::test]
async fn deleting_the_customer_revokes_its_mandates() {
    let api = Api::start().await;
    let customer = api.customer().await;
    let m = api.mandate(&customer).await;
    assert_eq!(
        api.send(Req::delete(format!("/v2/customers/{customer}")))
            .await
            .status,
        204
    );
    api.send(Req::get(format!("/v2/customers/{customer}/mandates/{m}")))
        .await
        .assert_error(404, None);
    api.send(Req::get(format!("/v2/customers/{customer}/mandates")))
        .await
        .assert_error(404, None);
    let health = api.send(Req::get("/__mock/health").no_auth()).await;
    assert_eq!(health.body["objects"], 0);
}
