//! The Payments API over raw HTTP: create, list, get (include, embed), update, cancel,
//! release an authorization; every response checked against the spec's schema.

mod common;

use std::time::Duration;

use common::{ACCESS_TOKEN, Api, LIVE_KEY, Req};
use mollie_mock::{DeliveryKind, MockConfig};
use mollie_models::PaymentStatus;
use serde_json::{Value, json};

/// Webhooks to nowhere, tried once: deliveries are logged without a receiver.
fn one_attempt() -> MockConfig {
    MockConfig::new()
        .webhook_retry_delays([])
        .webhook_timeout(Duration::from_millis(300))
}

const HOOK: &str = "http://127.0.0.1:9/hook";

#[tokio::test]
async fn create_payment_without_a_customer_and_with_one() {
    let api = Api::start().await;
    let p = api
        .create_payment(json!({"method": "ideal", "metadata": {"order": 1}, "locale": "nl_NL"}))
        .await;
    assert_eq!(p.status, 201);
    assert!(p.id().starts_with("tr_"));
    assert_eq!(p.body["status"], "open");
    assert_eq!(p.body["sequenceType"], "oneoff");
    assert_eq!(p.body["isCancelable"], false);
    assert!(p.body.get("customerId").is_none());
    assert!(p.body["_links"].get("customer").is_none());
    assert!(p.body.get("amountRemaining").is_none(), "not paid yet");
    assert!(
        p.body.get("details").is_none(),
        "no QR code unless included"
    );
    assert_eq!(
        p.str("/_links/self/href"),
        format!("{}/v2/payments/{}", api.server.url(), p.id())
    );
    let model: mollie_models::Payment = serde_json::from_value(p.body.clone()).expect("model");
    assert_eq!(model.status, PaymentStatus::Open);

    // A QR code for iDEAL, Bancontact and bank transfer, when asked for.
    let qr = api
        .send(Req::post(
            "/v2/payments?include=details.qrCode",
            json!({"amount": {"currency": "EUR", "value": "5.00"}, "description": "QR",
                   "redirectUrl": "https://shop.example/r", "method": "ideal"}),
        ))
        .await;
    assert_eq!(qr.status, 201);
    assert_eq!(qr.body["details"]["qrCode"]["width"], 180);
    assert!(qr.str("/details/qrCode/src").starts_with(api.server.url()));
    api.send(Req::post("/v2/payments?include=details.nope", json!({})))
        .await
        .assert_error(400, Some("include"));

    // First and recurring payments need a customer; an unknown one is a 422 on customerId.
    for sequence in ["first", "recurring"] {
        api.create_payment(json!({ "sequenceType": sequence }))
            .await
            .assert_error(422, Some("customerId"));
    }
    api.create_payment(json!({"customerId": "cst_unknown1"}))
        .await
        .assert_error(422, Some("customerId"));
    api.create_payment(json!({"customerId": "mdt_notacustomer"}))
        .await
        .assert_error(422, Some("customerId"));
    api.create_payment(json!({"restrictPaymentMethodsToCountry": "nl"}))
        .await
        .assert_error(422, Some("restrictPaymentMethodsToCountry"));

    let customer = api.customer().await;
    let mandate = api.mandate(&customer).await;
    let recurring = api
        .create_payment(
            json!({"customerId": customer, "sequenceType": "recurring", "redirectUrl": null}),
        )
        .await;
    assert_eq!(recurring.status, 201, "{}", recurring.body);
    assert_eq!(recurring.body["status"], "pending");
    assert_eq!(recurring.body["mandateId"], mandate.as_str());
    assert_eq!(
        recurring.body["isCancelable"], true,
        "a pending direct debit"
    );
    assert!(
        recurring
            .str("/_links/customer/href")
            .ends_with(&format!("/v2/customers/{customer}"))
    );
    // It is among the customer's payments too.
    let theirs = api
        .send(Req::get(format!("/v2/customers/{customer}/payments")))
        .await;
    assert_eq!(theirs.body["count"], 1);
    assert_eq!(
        theirs.body["_embedded"]["payments"][0]["id"],
        recurring.id().as_str()
    );
}

#[tokio::test]
async fn list_payments_pages_filters_and_modes() {
    let api = Api::start().await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let p = api
            .create_payment(json!({ "description": format!("Order {n}") }))
            .await;
        ids.push(p.id());
    }
    let page = api.send(Req::get("/v2/payments?limit=2")).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body["count"], 2);
    assert_eq!(page.body["_embedded"]["payments"][0]["id"], ids[2].as_str());
    assert!(
        page.body["_embedded"]["payments"][0]["_links"]
            .get("documentation")
            .is_none()
    );
    let next = page.str("/_links/next/href").to_owned();
    assert!(next.contains(&format!("from={}", ids[0])), "{next}");
    let rest = api
        .send(Req::get(next.strip_prefix(api.server.url()).expect("host")))
        .await;
    assert_eq!(rest.body["count"], 1);
    assert!(rest.body["_links"]["next"].is_null());
    let asc = api
        .send(Req::get(format!("/v2/payments?sort=asc&from={}", ids[1])))
        .await;
    let listed: Vec<&str> = asc.body["_embedded"]["payments"]
        .as_array()
        .expect("payments")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(listed, [ids[1].as_str(), ids[2].as_str()]);

    // Live keys see live payments only.
    let live = api.send(Req::get("/v2/payments").key(LIVE_KEY)).await;
    assert_eq!(live.body["count"], 0);
    api.send(Req::get(format!("/v2/payments/{}", ids[0])).key(LIVE_KEY))
        .await
        .assert_error(404, None);

    // Organization tokens: testmode and profileId.
    let org = api
        .send(
            Req::post(
                "/v2/payments",
                json!({"amount": {"currency": "EUR", "value": "1.00"}, "description": "Org",
                       "redirectUrl": "https://shop.example/r", "testmode": true, "profileId": "pfl_Other1234"}),
            )
            .key(ACCESS_TOKEN),
        )
        .await;
    assert_eq!(org.status, 201);
    let filtered = api
        .send(Req::get("/v2/payments?testmode=true&profileId=pfl_Other1234").key(ACCESS_TOKEN))
        .await;
    assert_eq!(filtered.body["count"], 1);
    assert!(
        filtered
            .str("/_links/self/href")
            .contains("profileId=pfl_Other1234")
    );
    let all = api
        .send(Req::get("/v2/payments?testmode=true").key(ACCESS_TOKEN))
        .await;
    assert_eq!(all.body["count"], 4);

    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=251", "limit"),
        ("sort=up", "sort"),
        ("from=tr_unknown", "from"),
        ("profileId=nope", "profileId"),
        ("testmode=maybe", "testmode"),
    ] {
        api.send(Req::get(format!("/v2/payments?{query}")))
            .await
            .assert_error(400, Some(field));
    }
}

#[tokio::test]
async fn get_payment_includes_and_embeds() {
    let api = Api::start().await;
    let id = api.paid_payment("10.00").await;
    let paid = api.payment(&id).await;
    // Every paid payment in the spec's examples carries these.
    assert_eq!(paid.body["amountRefunded"]["value"], "0.00");
    assert_eq!(paid.body["amountRemaining"]["value"], "10.00");
    assert_eq!(paid.body["settlementAmount"]["value"], "10.00");
    assert!(paid.body.get("amountChargedBack").is_none());
    assert!(paid.body.get("isCancelable").is_none());
    assert!(paid.body.get("_embedded").is_none());

    let refund = api.refund(&id, "2.50").await;
    assert_eq!(refund.status, 201);
    let chargeback = api
        .chargeback(&id, json!({"amount": {"currency": "EUR", "value": "1.00"}}))
        .await;
    assert_eq!(chargeback.status, 201);

    let embedded = api
        .send(Req::get(format!(
            "/v2/payments/{id}?embed=refunds,chargebacks&embed=captures&include=details.remainderDetails"
        )))
        .await;
    assert_eq!(embedded.status, 200);
    let refunds = embedded.body["_embedded"]["refunds"]
        .as_array()
        .expect("refunds");
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["id"], refund.id().as_str());
    assert_eq!(
        embedded.body["_embedded"]["chargebacks"][0]["id"],
        chargeback.id().as_str()
    );
    assert_eq!(embedded.body["_embedded"]["captures"], json!([]));
    let model: mollie_models::Payment =
        serde_json::from_value(embedded.body.clone()).expect("model");
    let embedded_model = model.embedded.expect("embedded");
    assert_eq!(embedded_model.refunds.map(|r| r.len()), Some(1));
    assert_eq!(embedded_model.chargebacks.map(|c| c.len()), Some(1));

    let only_refunds = api
        .send(Req::get(format!("/v2/payments/{id}?embed=refunds")))
        .await;
    assert!(only_refunds.body["_embedded"].get("chargebacks").is_none());
    api.send(Req::get(format!("/v2/payments/{id}?embed=payment")))
        .await
        .assert_error(400, Some("embed"));
    api.send(Req::get(format!("/v2/payments/{id}?include=details.qr")))
        .await
        .assert_error(400, Some("include"));
    for bad in ["tr_unknown", "re_notapayment", "tr_a%2Fb"] {
        api.send(Req::get(format!("/v2/payments/{bad}")))
            .await
            .assert_error(404, None);
    }
}

#[tokio::test]
async fn update_payment_only_what_its_status_allows() {
    let api = Api::with(one_attempt()).await;
    let open = api.create_payment(json!({"webhookUrl": HOOK})).await.id();
    let path = format!("/v2/payments/{open}");
    let updated = api
        .send(Req::patch(
            path.clone(),
            json!({"description": "Order #2", "redirectUrl": "https://shop.example/two",
                   "cancelUrl": "https://shop.example/cancel", "webhookUrl": null,
                   "metadata": {"order": 2}, "locale": "de_DE", "method": "bancontact",
                   "restrictPaymentMethodsToCountry": "BE", "billingEmail": "jane@example.org",
                   "dueDate": "2030-01-01", "issuer": "ideal_INGBNL2A"}),
        ))
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["description"], "Order #2");
    assert_eq!(updated.body["redirectUrl"], "https://shop.example/two");
    assert_eq!(updated.body["cancelUrl"], "https://shop.example/cancel");
    assert!(updated.body.get("webhookUrl").is_none(), "cleared by null");
    assert_eq!(updated.body["metadata"], json!({"order": 2}));
    assert_eq!(updated.body["locale"], "de_DE");
    assert_eq!(updated.body["method"], "bancontact");
    assert_eq!(updated.body["restrictPaymentMethodsToCountry"], "BE");
    assert_eq!(updated.body["billingAddress"]["email"], "jane@example.org");
    assert_eq!(api.payment(&open).await.body, updated.body);
    // Updating sends no webhook.
    assert!(api.server.webhook_deliveries().is_empty());

    for (body, field) in [
        (json!({"description": ""}), "description"),
        (json!({"description": "x".repeat(256)}), "description"),
        (json!({"redirectUrl": "ftp://x"}), "redirectUrl"),
        (json!({"webhookUrl": 3}), "webhookUrl"),
        (json!({"metadata": true}), "metadata"),
        (json!({"method": "bitcoin"}), "method"),
        (json!({"locale": "xx"}), "locale"),
        (json!({"dueDate": "soon"}), "dueDate"),
        (json!({"billingEmail": "nope"}), "billingEmail"),
        (json!({"billingAddress": "street"}), "billingAddress"),
        (
            json!({"restrictPaymentMethodsToCountry": "Netherlands"}),
            "restrictPaymentMethodsToCountry",
        ),
    ] {
        api.send(Req::patch(path.clone(), body))
            .await
            .assert_error(422, Some(field));
    }

    // The method is fixed when the payment was created with one.
    let with_method = api.create_payment(json!({"method": "ideal"})).await.id();
    api.send(Req::patch(
        format!("/v2/payments/{with_method}"),
        json!({"method": "bancontact"}),
    ))
    .await
    .assert_error(422, Some("method"));

    // A paid payment: description, webhookUrl and metadata still; not the checkout's fields.
    let paid = api.paid_payment("10.00").await;
    let paid_path = format!("/v2/payments/{paid}");
    let ok = api
        .send(Req::patch(
            paid_path.clone(),
            json!({"description": "Paid order", "webhookUrl": "https://shop.example/hook", "metadata": null}),
        ))
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body["description"], "Paid order");
    assert_eq!(ok.body["metadata"], Value::Null);
    for field in [
        "redirectUrl",
        "cancelUrl",
        "locale",
        "restrictPaymentMethodsToCountry",
    ] {
        let value = match field {
            "locale" => json!("nl_NL"),
            "restrictPaymentMethodsToCountry" => json!("NL"),
            _ => json!("https://shop.example/late"),
        };
        let r = api
            .send(Req::patch(paid_path.clone(), json!({ field: value })))
            .await;
        r.assert_error(422, Some(field));
        assert!(r.str("/detail").contains("finalized"), "{}", r.body);
    }
    api.send(Req::patch(paid_path.clone(), json!({"method": "ideal"})))
        .await
        .assert_error(422, Some("method"));

    api.send(Req::patch(
        "/v2/payments/tr_unknown",
        json!({"description": "x"}),
    ))
    .await
    .assert_error(404, None);
    api.send(Req::patch(paid_path, json!({"description": "x"})).key(LIVE_KEY))
        .await
        .assert_error(404, None);
}

#[tokio::test]
async fn cancel_payment_only_while_cancelable() {
    let api = Api::with(one_attempt()).await;
    // An open iDEAL payment cannot be canceled (isCancelable: false, as in the spec).
    let ideal = api
        .create_payment(json!({"method": "ideal", "webhookUrl": HOOK}))
        .await
        .id();
    let r = api.send(Req::delete(format!("/v2/payments/{ideal}"))).await;
    r.assert_error(422, None);
    assert_eq!(api.payment(&ideal).await.body["status"], "open");

    // An open bank transfer can; the answer is the canceled payment, and webhooks go out.
    let transfer = api
        .create_payment(json!({"method": "banktransfer", "webhookUrl": HOOK}))
        .await;
    assert_eq!(transfer.body["isCancelable"], true);
    let canceled = api
        .send(Req::delete(format!("/v2/payments/{}", transfer.id())))
        .await;
    assert_eq!(canceled.status, 200);
    assert_eq!(canceled.body["status"], "canceled");
    assert!(canceled.body["canceledAt"].is_string());
    assert!(canceled.body.get("isCancelable").is_none());
    assert!(canceled.body.get("expiresAt").is_none());
    assert!(canceled.body["_links"].get("checkout").is_none());
    let deliveries = api.server.webhook_deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].kind, DeliveryKind::Classic);
    assert_eq!(deliveries[0].payment_status, PaymentStatus::Canceled);
    assert_eq!(deliveries[0].body, format!("id={}", transfer.id()));

    // A paid payment cannot be canceled; a canceled one neither.
    let paid = api.paid_payment("10.00").await;
    api.send(Req::delete(format!("/v2/payments/{paid}")))
        .await
        .assert_error(422, None);
    api.send(Req::delete(format!("/v2/payments/{}", transfer.id())))
        .await
        .assert_error(422, None);

    // An authorization can, with `testmode` in the body for organization tokens.
    let authorized = api.create_payment(json!({})).await.id();
    assert_eq!(api.set_status(&authorized, "authorized").await.status, 200);
    assert_eq!(api.payment(&authorized).await.body["isCancelable"], true);
    let released = api
        .send(
            Req::delete(format!("/v2/payments/{authorized}"))
                .key(ACCESS_TOKEN)
                .json(json!({"testmode": true})),
        )
        .await;
    assert_eq!(released.status, 200);
    assert_eq!(released.body["status"], "canceled");
    api.send(Req::delete("/v2/payments/tr_unknown"))
        .await
        .assert_error(404, None);
}

#[tokio::test]
async fn release_authorization_answers_202_and_cancels() {
    let api = Api::with(one_attempt()).await;
    let id = api.create_payment(json!({"webhookUrl": HOOK})).await.id();
    let path = format!("/v2/payments/{id}/release-authorization");
    // Not authorized yet.
    let r = api.send(Req::post(path.clone(), json!({}))).await;
    r.assert_error(422, None);
    assert!(r.str("/detail").contains("authorized"), "{}", r.body);

    assert_eq!(api.set_status(&id, "authorized").await.status, 200);
    api.server.clear_webhook_deliveries();
    api.send(Req::post(path.clone(), json!({"profileId": "nope"})))
        .await
        .assert_error(422, Some("profileId"));
    let released = api.send(Req::post(path.clone(), json!({}))).await;
    assert_eq!(released.status, 202);
    assert_eq!(released.body, Value::Null);
    let payment = api.payment(&id).await;
    assert_eq!(payment.body["status"], "canceled");
    assert!(payment.body["authorizedAt"].is_string());
    let deliveries = api.server.webhook_deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].payment_status, PaymentStatus::Canceled);
    // Released once: a second release is refused.
    api.send(Req::post(path, json!({})))
        .await
        .assert_error(422, None);
    api.send(Req::post(
        "/v2/payments/tr_unknown/release-authorization",
        json!({}),
    ))
    .await
    .assert_error(404, None);
    api.send(Req::get(format!("/v2/payments/{id}/release-authorization")))
        .await
        .assert_error(405, None);
}

#[tokio::test]
async fn a_deleted_customers_payments_stay_readable() {
    let api = Api::start().await;
    let customer = api.customer().await;
    let p = api
        .send(Req::post(
            format!("/v2/customers/{customer}/payments"),
            json!({"amount": {"currency": "EUR", "value": "10.00"}, "description": "Order",
                   "redirectUrl": "https://shop.example/r"}),
        ))
        .await;
    assert_eq!(p.status, 201);
    let id = p.id();
    assert_eq!(api.set_status(&id, "paid").await.status, 200);
    let refund = api.refund(&id, "1.00").await;
    assert_eq!(refund.status, 201);
    assert_eq!(
        api.send(Req::delete(format!("/v2/customers/{customer}")))
            .await
            .status,
        204
    );
    api.send(Req::get(format!("/v2/customers/{customer}/payments")))
        .await
        .assert_error(404, None);
    // The payment, its refunds and the lists of all payments keep it, as at Mollie.
    let kept = api.payment(&id).await;
    assert_eq!(kept.body["customerId"], customer.as_str());
    assert_eq!(kept.body["amountRefunded"]["value"], "1.00");
    let refunds = api
        .send(Req::get(format!("/v2/payments/{id}/refunds")))
        .await;
    assert_eq!(refunds.body["count"], 1);
    let all = api.send(Req::get("/v2/payments")).await;
    assert_eq!(all.body["_embedded"]["payments"][0]["id"], id.as_str());
}

#[tokio::test]
async fn methods_and_paths() {
    let api = Api::start().await;
    let id = api.create_payment(json!({})).await.id();
    let put = api
        .send(Req::new(reqwest::Method::PUT, format!("/v2/payments/{id}")))
        .await;
    put.assert_error(405, None);
    assert_eq!(put.header("allow"), Some("GET, HEAD, PATCH, DELETE"));
    api.send(Req::delete("/v2/refunds"))
        .await
        .assert_error(405, None);
    api.send(Req::post("/v2/chargebacks", json!({})))
        .await
        .assert_error(405, None);
    api.send(Req::post(
        format!("/v2/payments/{id}/chargebacks"),
        json!({}),
    ))
    .await
    .assert_error(405, None);
    for path in [
        format!("/v2/payments/{id}/captures"),
        "/v2/refunds/re_abc".to_owned(),
        format!("/v2/payments/{id}/refunds/chb_abc"),
        format!("/v2/payments/{id}/chargebacks/re_abc"),
    ] {
        api.send(Req::get(path)).await.assert_error(404, None);
    }
}
