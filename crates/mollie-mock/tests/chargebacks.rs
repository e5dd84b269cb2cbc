//! The Chargebacks API over raw HTTP: get and list (a payment's and all); chargebacks made
//! and reversed through the control API; how refunds and chargebacks add up on a payment.

mod common;

use common::{ACCESS_TOKEN, Api, HOOK, LIVE_KEY, Req, logged_webhooks};
use mollie_mock::{DeliveryKind, MockConfig};
use mollie_models::Money;
use mollie_models::webhooks::EventType;
use serde_json::{Value, json};

fn eur(value: &str) -> Value {
    json!({"amount": {"currency": "EUR", "value": value}})
}

/// `(amountRefunded, amountRemaining, amountChargedBack)` of a payment, as the API shows it.
async fn amounts(api: &Api, id: &str) -> (String, String, Option<String>) {
    let p = api.payment(id).await;
    (
        p.str("/amountRefunded/value").to_owned(),
        p.str("/amountRemaining/value").to_owned(),
        p.body["amountChargedBack"]["value"]
            .as_str()
            .map(str::to_owned),
    )
}

#[tokio::test]
async fn refunds_and_chargebacks_add_up() {
    let api = Api::start().await;
    let id = api.paid_payment("10.00").await;
    assert_eq!(api.refund(&id, "3.00").await.status, 201);
    assert_eq!(
        amounts(&api, &id).await,
        ("3.00".into(), "7.00".into(), None)
    );

    let chargeback = api.chargeback(&id, eur("5.00")).await;
    assert_eq!(chargeback.status, 201, "{}", chargeback.body);
    assert!(chargeback.id().starts_with("chb_"));
    assert_eq!(chargeback.body["resource"], "chargeback");
    assert_eq!(chargeback.body["paymentId"], id.as_str());
    assert_eq!(chargeback.body["amount"]["value"], "5.00");
    assert_eq!(chargeback.body["settlementAmount"]["value"], "-5.00");
    assert!(
        chargeback.body.get("mode").is_none(),
        "chargebacks have no mode"
    );
    assert!(chargeback.body.get("reversedAt").is_none());
    // amount = refunded + charged back + remaining.
    assert_eq!(
        amounts(&api, &id).await,
        ("3.00".into(), "2.00".into(), Some("5.00".into()))
    );
    let payment = api.payment(&id).await;
    assert!(
        payment
            .str("/_links/chargebacks/href")
            .ends_with(&format!("/v2/payments/{id}/chargebacks"))
    );
    assert_eq!(payment.body["status"], "paid");

    // What remains bounds the next refund.
    api.refund(&id, "2.01")
        .await
        .assert_error(422, Some("amount"));
    assert_eq!(api.refund(&id, "2.00").await.status, 201);
    assert_eq!(
        amounts(&api, &id).await,
        ("5.00".into(), "0.00".into(), Some("5.00".into()))
    );

    // A reversed chargeback gives its amount back.
    let reversed = api
        .send(
            Req::post(
                format!("/__mock/chargebacks/{}/reverse", chargeback.id()),
                json!({}),
            )
            .no_auth(),
        )
        .await;
    assert_eq!(reversed.status, 200);
    assert!(reversed.body["reversedAt"].is_string());
    assert_eq!(
        amounts(&api, &id).await,
        ("5.00".into(), "5.00".into(), None)
    );
    let got = api
        .send(Req::get(format!(
            "/v2/payments/{id}/chargebacks/{}",
            chargeback.id()
        )))
        .await;
    assert_eq!(got.body["reversedAt"], reversed.body["reversedAt"]);
    api.send(
        Req::post(
            format!("/__mock/chargebacks/{}/reverse", chargeback.id()),
            json!({}),
        )
        .no_auth(),
    )
    .await
    .assert_error(422, Some("reversedAt"));
}

#[tokio::test]
async fn control_api_rules_for_chargebacks() {
    let api = Api::start().await;
    let open = api.create_payment(json!({})).await.id();
    api.chargeback(&open, json!({}))
        .await
        .assert_error(422, Some("status"));
    api.chargeback("tr_unknown1", json!({}))
        .await
        .assert_error(404, None);
    api.send(Req::post("/__mock/chargebacks/chb_unknown/reverse", json!({})).no_auth())
        .await
        .assert_error(404, None);

    let id = api.paid_payment("10.00").await;
    for (body, field) in [
        (
            json!({"amount": {"currency": "USD", "value": "1.00"}}),
            "amount.currency",
        ),
        (eur("10.01"), "amount"),
        (eur("0.00"), "amount"),
        (json!({"amount": "5"}), "amount"),
        (json!({"reason": {"code": "AC01"}}), "reason"),
    ] {
        api.chargeback(&id, body)
            .await
            .assert_error(422, Some(field));
    }
    api.send(
        Req::new(
            reqwest::Method::POST,
            format!("/__mock/payments/{id}/chargebacks"),
        )
        .raw("amount=5")
        .no_auth(),
    )
    .await
    .assert_error(400, None);

    // Without an amount: all of it; with a reason, as SEPA chargebacks have.
    let full = api
        .chargeback(
            &id,
            json!({"reason": {"code": "MD06", "description": "Refund request by end customer"}}),
        )
        .await;
    assert_eq!(full.status, 201);
    assert_eq!(full.body["amount"]["value"], "10.00");
    assert_eq!(full.body["reason"]["code"], "MD06");
    assert_eq!(
        amounts(&api, &id).await,
        ("0.00".into(), "0.00".into(), Some("10.00".into()))
    );
    // Nothing left to charge back, or to refund.
    api.chargeback(&id, json!({}))
        .await
        .assert_error(422, Some("amount"));
    api.refund(&id, "0.01")
        .await
        .assert_error(422, Some("amount"));

    // Through the library too.
    let other = api.paid_payment("20.00").await;
    let made = api
        .server
        .create_chargeback(&other, Some(Money::eur("7.50").expect("money")))
        .expect("a chargeback");
    assert_eq!(made.amount, Money::eur("7.50").expect("money"));
    let reversed = api.server.reverse_chargeback(&made.id).expect("reversed");
    assert!(reversed.reversed_at.is_some());
    assert_eq!(
        api.server
            .create_chargeback(&open, None)
            .expect_err("not paid")
            .status,
        422
    );
}

#[tokio::test]
async fn get_and_list_chargebacks() {
    let api = Api::start().await;
    let id = api.paid_payment("30.00").await;
    let other = api.paid_payment("5.00").await;
    let mut mine = Vec::new();
    for value in ["1.00", "2.00", "3.00"] {
        mine.push(api.chargeback(&id, eur(value)).await.id());
    }
    let theirs = api.chargeback(&other, eur("5.00")).await.id();

    let one = api
        .send(Req::get(format!(
            "/v2/payments/{id}/chargebacks/{}",
            mine[0]
        )))
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["amount"]["value"], "1.00");
    assert!(one.body["_links"]["documentation"].is_object());
    let model: mollie_models::Chargeback = serde_json::from_value(one.body.clone()).expect("model");
    assert_eq!(model.payment_id.as_str(), id);
    let embedded = api
        .send(Req::get(format!(
            "/v2/payments/{id}/chargebacks/{}?embed=payment",
            mine[0]
        )))
        .await;
    assert_eq!(
        embedded.body["_embedded"]["payment"]["amountChargedBack"]["value"],
        "6.00"
    );
    // Under another payment, in the other mode, or of the wrong shape: 404.
    api.send(Req::get(format!(
        "/v2/payments/{other}/chargebacks/{}",
        mine[0]
    )))
    .await
    .assert_error(404, None);
    api.send(Req::get(format!("/v2/payments/{id}/chargebacks/{}", mine[0])).key(LIVE_KEY))
        .await
        .assert_error(404, None);
    api.send(Req::get(format!(
        "/v2/payments/{id}/chargebacks/chb_unknown"
    )))
    .await
    .assert_error(404, None);
    api.send(Req::get(format!(
        "/v2/payments/{id}/chargebacks?embed=refunds"
    )))
    .await
    .assert_error(400, Some("embed"));

    let path = format!("/v2/payments/{id}/chargebacks");
    let page = api.send(Req::get(format!("{path}?limit=2"))).await;
    assert_eq!(page.body["count"], 2);
    assert_eq!(
        page.body["_embedded"]["chargebacks"][0]["id"],
        mine[2].as_str()
    );
    assert!(
        page.str("/_links/next/href")
            .contains(&format!("from={}", mine[0]))
    );
    let with_payment = api
        .send(Req::get(format!("{path}?embed=payment&from={}", mine[1])))
        .await;
    assert_eq!(with_payment.body["count"], 2);
    assert_eq!(
        with_payment.body["_embedded"]["chargebacks"][0]["_embedded"]["payment"]["id"],
        id.as_str()
    );
    api.send(Req::get(format!("{path}?from={theirs}")))
        .await
        .assert_error(400, Some("from"));
    api.send(Req::get("/v2/payments/tr_unknown1/chargebacks"))
        .await
        .assert_error(404, None);

    let all = api.send(Req::get("/v2/chargebacks")).await;
    assert_eq!(all.body["count"], 4);
    assert_eq!(
        all.body["_embedded"]["chargebacks"][0]["id"],
        theirs.as_str()
    );
    let list: mollie_models::List<mollie_models::Chargeback> =
        serde_json::from_value(all.body.clone()).expect("a list of chargebacks");
    assert_eq!(list.items.len(), 4);
    let asc = api
        .send(Req::get("/v2/chargebacks?sort=asc&limit=1&embed=payment"))
        .await;
    assert_eq!(
        asc.body["_embedded"]["chargebacks"][0]["id"],
        mine[0].as_str()
    );
    assert!(asc.body["_embedded"]["chargebacks"][0]["_embedded"]["payment"].is_object());
    assert!(asc.str("/_links/next/href").contains("embed=payment"));
    let by_org = api
        .send(
            Req::get("/v2/chargebacks?testmode=true&profileId=pfl_MockProfile1").key(ACCESS_TOKEN),
        )
        .await;
    assert_eq!(by_org.body["count"], 4);
    let other_profile = api
        .send(Req::get("/v2/chargebacks?profileId=pfl_Other1234"))
        .await;
    assert_eq!(other_profile.body["count"], 0);
    assert_eq!(
        api.send(Req::get("/v2/chargebacks").key(LIVE_KEY))
            .await
            .body["count"],
        0
    );
    for (query, field) in [
        ("profileId=x", "profileId"),
        ("limit=0", "limit"),
        ("from=chb_unknown", "from"),
        ("embed=refunds", "embed"),
    ] {
        api.send(Req::get(format!("/v2/chargebacks?{query}")))
            .await
            .assert_error(400, Some(field));
    }
}

#[tokio::test]
async fn chargebacks_call_the_payments_webhooks() {
    let api = Api::with(logged_webhooks()).await;
    let id = api.create_payment(json!({"webhookUrl": HOOK})).await.id();
    assert_eq!(api.set_status(&id, "paid").await.status, 200);
    api.server.clear_webhook_deliveries();

    let chargeback = api.chargeback(&id, eur("4.00")).await.id();
    let received = api.server.webhook_deliveries();
    assert_eq!(received.len(), 2, "{received:?}");
    let classic = received
        .iter()
        .find(|d| d.kind == DeliveryKind::Classic)
        .expect("classic");
    assert_eq!(classic.body, format!("id={id}"));
    assert_eq!(
        classic.chargeback_id.as_ref().map(|c| c.as_str()),
        Some(chargeback.as_str())
    );
    let event = received
        .iter()
        .find(|d| d.kind == DeliveryKind::Event)
        .expect("event");
    assert_eq!(
        event.event_type,
        Some(EventType::from("chargeback.received"))
    );
    let body: Value = serde_json::from_str(&event.body).expect("json");
    assert_eq!(body["_embedded"]["entity"]["id"], chargeback.as_str());

    api.server.clear_webhook_deliveries();
    api.server
        .reverse_chargeback(&chargeback)
        .expect("reversed");
    let reversed = api.server.webhook_deliveries();
    assert_eq!(reversed.len(), 2);
    assert!(
        reversed
            .iter()
            .any(|d| d.event_type == Some(EventType::from("chargeback.reversed")))
    );
}

#[tokio::test]
async fn chargebacks_count_toward_the_object_cap() {
    let api = Api::with(MockConfig::new().max_objects(2)).await;
    let id = api.paid_payment("10.00").await;
    assert_eq!(api.chargeback(&id, eur("1.00")).await.status, 201);
    let full = api.chargeback(&id, eur("1.00")).await;
    full.assert_error(422, None);
    assert!(full.str("/detail").contains("at most 2 objects"));
    assert_eq!(
        amounts(&api, &id).await,
        ("0.00".into(), "9.00".into(), Some("1.00".into()))
    );
    // Reset empties the store.
    assert_eq!(
        api.send(Req::post("/__mock/reset", json!({})).no_auth())
            .await
            .status,
        204
    );
    api.send(Req::get(format!("/v2/payments/{id}")))
        .await
        .assert_error(404, None);
}
