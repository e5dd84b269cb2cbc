//! Customer payments over raw HTTP: first, one-off and recurring payments and their rules.

mod common;

use common::{ACCESS_TOKEN, Api, Req};
use serde_json::{Value, json};

fn oneoff() -> Value {
    json!({"amount": {"currency": "EUR", "value": "10.00"}, "description": "Order #1", "redirectUrl": "https://shop.example/return"})
}

#[tokio::test]
async fn first_and_oneoff_payments_are_open_with_checkout() {
    let api = Api::start().await;
    let customer = api.customer().await;
    let path = format!("/v2/customers/{customer}/payments");
    let mut body = oneoff();
    body["sequenceType"] = json!("first");
    body["method"] = json!("creditcard");
    body["metadata"] = json!({"order": 1});
    body["webhookUrl"] = json!("https://shop.example/webhook");
    body["locale"] = json!("nl_NL");
    let p = api.send(Req::post(path.clone(), body)).await;
    assert_eq!(p.status, 201);
    assert!(p.id().starts_with("tr_"));
    assert_eq!(p.body["status"], "open");
    assert_eq!(p.body["sequenceType"], "first");
    assert_eq!(p.body["method"], "creditcard");
    assert_eq!(p.body["customerId"], customer.as_str());
    assert_eq!(p.body["profileId"], "pfl_MockProfile1");
    assert!(p.body["expiresAt"].is_string());
    let checkout = p.str("/_links/checkout/href").to_owned();
    assert!(checkout.starts_with(api.server.url()));
    assert!(p.body["_links"].get("mandate").is_none());
    let model: mollie_models::Payment = serde_json::from_value(p.body.clone()).expect("model");
    assert_eq!(model.amount.minor_units(), Some(1000));

    // The checkout link serves a page; `self` serves the payment.
    let page = api.http.get(&checkout).send().await.expect("checkout");
    assert_eq!(page.status(), 200);
    let own = api
        .send(Req::get(
            p.str("/_links/self/href")
                .strip_prefix(api.server.url())
                .expect("host"),
        ))
        .await;
    assert_eq!(own.body, p.body);

    let o = api.send(Req::post(path.clone(), oneoff())).await;
    assert_eq!(o.body["sequenceType"], "oneoff");
    assert!(o.body.get("method").is_none());

    // A list of methods chooses none.
    let mut multi = oneoff();
    multi["method"] = json!(["ideal", "bancontact"]);
    assert!(
        api.send(Req::post(path.clone(), multi))
            .await
            .body
            .get("method")
            .is_none()
    );

    let list = api.send(Req::get(format!("{path}?limit=1"))).await;
    assert_eq!(list.body["count"], 1);
    assert_eq!(
        list.body["_embedded"]["payments"][0]["_links"]["customer"]["href"],
        format!("{}/v2/customers/{customer}", api.server.url())
    );
    assert!(
        list.str("/_links/next/href")
            .contains(&format!("from={}", o.id()))
    );
    let c = api
        .send(Req::get(format!("/v2/customers/{customer}")))
        .await;
    assert!(c.str("/_links/payments/href").ends_with(&path));
}

#[tokio::test]
async fn recurring_payments_need_a_valid_mandate() {
    let api = Api::start().await;
    let customer = api.customer().await;
    let path = format!("/v2/customers/{customer}/payments");
    let recurring = json!({"amount": {"currency": "EUR", "value": "25.00"}, "description": "March", "sequenceType": "recurring"});
    api.send(Req::post(path.clone(), recurring.clone()))
        .await
        .assert_error(422, Some("mandateId"));

    let mandate = api.mandate(&customer).await;
    let p = api.send(Req::post(path.clone(), recurring.clone())).await;
    assert_eq!(p.status, 201);
    assert_eq!(p.body["status"], "pending");
    assert_eq!(p.body["method"], "directdebit");
    assert_eq!(p.body["mandateId"], mandate.as_str());
    assert!(p.body["_links"].get("checkout").is_none());
    assert!(
        p.str("/_links/mandate/href")
            .ends_with(&format!("/v2/customers/{customer}/mandates/{mandate}"))
    );

    // PayPal mandates are charged at once.
    let paypal = api
        .send(Req::post(
            format!("/v2/customers/{customer}/mandates"),
            json!({"method": "paypal", "consumerName": "J", "consumerEmail": "j@example.org", "paypalBillingAgreementId": "B-1"}),
        ))
        .await
        .id();
    let mut with_id = recurring.clone();
    with_id["mandateId"] = json!(paypal);
    let p = api.send(Req::post(path.clone(), with_id.clone())).await;
    assert_eq!(p.body["status"], "paid");
    assert_eq!(p.body["method"], "paypal");
    assert!(p.body["paidAt"].is_string());

    // A revoked mandate, another customer's or an unknown one: 422 on mandateId.
    assert_eq!(
        api.send(Req::delete(format!(
            "/v2/customers/{customer}/mandates/{paypal}"
        )))
        .await
        .status,
        204
    );
    api.send(Req::post(path.clone(), with_id))
        .await
        .assert_error(422, Some("mandateId"));
    let other = api.customer().await;
    let theirs = api.mandate(&other).await;
    let mut foreign = recurring.clone();
    foreign["mandateId"] = json!(theirs);
    api.send(Req::post(path.clone(), foreign))
        .await
        .assert_error(422, Some("mandateId"));
    let mut bad = recurring.clone();
    bad["mandateId"] = json!("cst_notamandate");
    api.send(Req::post(path.clone(), bad))
        .await
        .assert_error(422, Some("mandateId"));
    // After revoking every mandate, recurring fails.
    assert_eq!(
        api.send(Req::delete(format!(
            "/v2/customers/{customer}/mandates/{mandate}"
        )))
        .await
        .status,
        204
    );
    api.send(Req::post(path, recurring))
        .await
        .assert_error(422, Some("mandateId"));
}

#[tokio::test]
async fn validation_errors() {
    let api = Api::start().await;
    let customer = api.customer().await;
    let path = format!("/v2/customers/{customer}/payments");
    let with = |key: &str, value: Value| {
        let mut b = oneoff();
        b[key] = value;
        b
    };
    let without = |key: &str| {
        let mut b = oneoff();
        b.as_object_mut().expect("object").remove(key);
        b
    };
    for (body, field) in [
        (without("amount"), "amount"),
        (without("description"), "description"),
        (without("redirectUrl"), "redirectUrl"),
        (with("amount", json!("10.00")), "amount"),
        (
            with("amount", json!({"currency": "EUR", "value": "10"})),
            "amount.value",
        ),
        (
            with("amount", json!({"currency": "EUR", "value": 10.0})),
            "amount.value",
        ),
        (
            with("amount", json!({"currency": "euro", "value": "10.00"})),
            "amount.currency",
        ),
        (
            with("amount", json!({"currency": "EUR", "value": "-5.00"})),
            "amount",
        ),
        (
            with("amount", json!({"currency": "EUR", "value": "0.00"})),
            "amount",
        ),
        (with("description", json!("")), "description"),
        (with("description", json!("x".repeat(256))), "description"),
        (with("redirectUrl", json!("ftp://x")), "redirectUrl"),
        (with("webhookUrl", json!("not a url")), "webhookUrl"),
        (with("method", json!("bitcoin")), "method"),
        (with("method", json!(["ideal", 3])), "method"),
        (with("sequenceType", json!("sometimes")), "sequenceType"),
        (with("locale", json!("xx")), "locale"),
        (with("metadata", json!("x".repeat(2000))), "metadata"),
        (with("lines", json!([{"description": "no price"}])), "lines"),
        (with("billingAddress", json!("street")), "billingAddress"),
        (with("dueDate", json!("tomorrow")), "dueDate"),
    ] {
        api.send(Req::post(path.clone(), body.clone()))
            .await
            .assert_error(422, Some(field));
    }
    // A first payment may be zero (card verification).
    let mut zero = with("amount", json!({"currency": "EUR", "value": "0.00"}));
    zero["sequenceType"] = json!("first");
    assert_eq!(api.send(Req::post(path.clone(), zero)).await.status, 201);
    // JPY has no decimals.
    assert_eq!(
        api.send(Req::post(
            path.clone(),
            with("amount", json!({"currency": "JPY", "value": "1500"}))
        ))
        .await
        .status,
        201
    );
    // Organization tokens must name a profile.
    let t = api
        .send(Req::post("/v2/customers", json!({"testmode": true})).key(ACCESS_TOKEN))
        .await
        .id();
    let mut body = oneoff();
    body["testmode"] = json!(true);
    api.send(Req::post(format!("/v2/customers/{t}/payments"), body.clone()).key(ACCESS_TOKEN))
        .await
        .assert_error(422, Some("profileId"));
    body["profileId"] = json!("pfl_Other1234");
    let p = api
        .send(Req::post(format!("/v2/customers/{t}/payments"), body).key(ACCESS_TOKEN))
        .await;
    assert_eq!(p.body["profileId"], "pfl_Other1234");
    let filtered = api
        .send(
            Req::get(format!(
                "/v2/customers/{t}/payments?testmode=true&profileId=pfl_MockProfile1"
            ))
            .key(ACCESS_TOKEN),
        )
        .await;
    assert_eq!(filtered.body["count"], 0);
    let listed = api
        .send(
            Req::get(format!(
                "/v2/customers/{t}/payments?testmode=true&profileId=pfl_Other1234"
            ))
            .key(ACCESS_TOKEN),
        )
        .await;
    assert_eq!(listed.body["count"], 1);
    assert!(
        listed
            .str("/_links/self/href")
            .contains("profileId=pfl_Other1234")
    );
    api.send(
        Req::get(format!(
            "/v2/customers/{t}/payments?testmode=true&profileId=bad"
        ))
        .key(ACCESS_TOKEN),
    )
    .await
    .assert_error(400, Some("profileId"));

    api.send(Req::post("/v2/customers/cst_nobody/payments", oneoff()))
        .await
        .assert_error(404, None);
    api.send(Req::get("/v2/customers/cst_nobody/payments"))
        .await
        .assert_error(404, None);
    api.send(Req::get(format!("{path}?from=tr_unknown")))
        .await
        .assert_error(400, Some("from"));
    api.send(Req::get("/v2/payments/tr_unknown"))
        .await
        .assert_error(404, None);
}
