//! The Refunds API over raw HTTP: create, get, list (a payment's and all), cancel; the
//! status changes of the control API; what refunds do to the payment's amounts.

mod common;

use common::{ACCESS_TOKEN, Api, HOOK, LIVE_KEY, Req, logged_webhooks};
use mollie_mock::{DeliveryKind, MockConfig};
use mollie_models::webhooks::EventType;
use serde_json::{Value, json};

#[tokio::test]
async fn a_refund_takes_from_what_remains() {
    let api = Api::start().await;
    let id = api.paid_payment("10.00").await;

    let refund = api.refund(&id, "4.00").await;
    assert_eq!(refund.status, 201, "{}", refund.body);
    assert!(refund.id().starts_with("re_"));
    assert_eq!(refund.body["resource"], "refund");
    assert_eq!(refund.body["mode"], "test");
    assert_eq!(refund.body["status"], "pending");
    assert_eq!(refund.body["paymentId"], id.as_str());
    assert_eq!(
        refund.body["amount"],
        json!({"currency": "EUR", "value": "4.00"})
    );
    assert_eq!(refund.body["settlementAmount"]["value"], "-4.00");
    assert_eq!(refund.body["description"], "");
    assert_eq!(refund.body["metadata"], Value::Null);
    assert_eq!(
        refund.str("/_links/self/href"),
        format!(
            "{}/v2/payments/{id}/refunds/{}",
            api.server.url(),
            refund.id()
        )
    );
    assert!(
        refund
            .str("/_links/payment/href")
            .ends_with(&format!("/v2/payments/{id}"))
    );
    let model: mollie_models::Refund = serde_json::from_value(refund.body.clone()).expect("model");
    assert_eq!(model.status, mollie_models::RefundStatus::Pending);

    let payment = api.payment(&id).await;
    assert_eq!(payment.body["amountRefunded"]["value"], "4.00");
    assert_eq!(payment.body["amountRemaining"]["value"], "6.00");
    assert!(
        payment
            .str("/_links/refunds/href")
            .ends_with(&format!("/v2/payments/{id}/refunds"))
    );

    // More than remains: 422 on amount. Another currency, zero, none: 422 too.
    let too_much = api.refund(&id, "6.01").await;
    too_much.assert_error(422, Some("amount"));
    assert!(
        too_much.str("/detail").contains("6.00"),
        "{}",
        too_much.body
    );
    let path = format!("/v2/payments/{id}/refunds");
    for (body, field) in [
        (
            json!({"amount": {"currency": "USD", "value": "1.00"}}),
            "amount.currency",
        ),
        (
            json!({"amount": {"currency": "EUR", "value": "0.00"}}),
            "amount",
        ),
        (
            json!({"amount": {"currency": "EUR", "value": "1"}}),
            "amount.value",
        ),
        (json!({"description": "no amount"}), "amount"),
        (
            json!({"amount": {"currency": "EUR", "value": "1.00"}, "description": "x".repeat(256)}),
            "description",
        ),
        (
            json!({"amount": {"currency": "EUR", "value": "1.00"}, "metadata": true}),
            "metadata",
        ),
        (
            json!({"amount": {"currency": "EUR", "value": "1.00"}, "reverseRouting": true}),
            "reverseRouting",
        ),
        (
            json!({"amount": {"currency": "EUR", "value": "1.00"}, "externalReference": 5}),
            "externalReference",
        ),
    ] {
        api.send(Req::post(path.clone(), body))
            .await
            .assert_error(422, Some(field));
    }

    // The rest, with a description and metadata.
    let rest = api
        .send(Req::post(
            path.clone(),
            json!({"amount": {"currency": "EUR", "value": "6.00"}, "description": "Broken",
                   "metadata": {"ticket": 7}, "externalReference": {"type": "acquirer-reference", "id": "123"}}),
        ))
        .await;
    assert_eq!(rest.status, 201, "{}", rest.body);
    assert_eq!(rest.body["description"], "Broken");
    assert_eq!(rest.body["metadata"], json!({"ticket": 7}));
    assert_eq!(rest.body["externalReference"]["id"], "123");
    let payment = api.payment(&id).await;
    assert_eq!(payment.body["amountRefunded"]["value"], "10.00");
    assert_eq!(payment.body["amountRemaining"]["value"], "0.00");
    api.refund(&id, "0.01")
        .await
        .assert_error(422, Some("amount"));

    // A failed refund gives its amount back.
    let failed = api.set_refund_status(&rest.id(), "failed").await;
    assert_eq!(failed.status, 200);
    assert_eq!(failed.body["status"], "failed");
    let payment = api.payment(&id).await;
    assert_eq!(payment.body["amountRefunded"]["value"], "4.00");
    assert_eq!(payment.body["amountRemaining"]["value"], "6.00");
    // The payment stays paid throughout.
    assert_eq!(payment.body["status"], "paid");
}

#[tokio::test]
async fn refund_statuses_through_the_control_api() {
    let api = Api::start().await;
    let id = api.paid_payment("10.00").await;
    let refund = api.refund(&id, "1.00").await.id();
    for status in ["queued", "pending", "processing", "refunded"] {
        let r = api.set_refund_status(&refund, status).await;
        assert_eq!(r.status, 200, "{status}: {}", r.body);
        assert_eq!(r.body["status"], status);
        let got = api
            .send(Req::get(format!("/v2/payments/{id}/refunds/{refund}")))
            .await;
        assert_eq!(got.body["status"], status);
    }
    // Final: nothing changes it; it cannot be canceled.
    for status in ["pending", "failed", "processing", "queued", "refunded"] {
        api.set_refund_status(&refund, status)
            .await
            .assert_error(422, Some("status"));
    }
    let r = api
        .send(Req::delete(format!("/v2/payments/{id}/refunds/{refund}")))
        .await;
    r.assert_error(422, None);
    // `canceled` and unknown statuses are not for the control API.
    let other = api.refund(&id, "1.00").await.id();
    for bad in ["canceled", "done", "", "REFUNDED"] {
        api.set_refund_status(&other, bad)
            .await
            .assert_error(422, Some("status"));
    }
    api.set_refund_status("re_unknown1", "refunded")
        .await
        .assert_error(404, None);
    api.send(Req::post(format!("/__mock/refunds/{other}/status"), json!({})).no_auth())
        .await
        .assert_error(422, Some("status"));
    api.send(
        Req::new(
            reqwest::Method::POST,
            format!("/__mock/refunds/{other}/status"),
        )
        .raw("status=refunded")
        .no_auth(),
    )
    .await
    .assert_error(400, None);
    // Processing cannot go back, nor be canceled.
    assert_eq!(
        api.set_refund_status(&other, "processing").await.status,
        200
    );
    api.set_refund_status(&other, "pending")
        .await
        .assert_error(422, Some("status"));
    api.send(Req::delete(format!("/v2/payments/{id}/refunds/{other}")))
        .await
        .assert_error(422, None);

    // Through the library too.
    let third = api.refund(&id, "1.00").await.id();
    let changed = api
        .server
        .set_refund_status(&third, mollie_models::RefundStatus::Refunded)
        .expect("refunded");
    assert_eq!(changed.status, mollie_models::RefundStatus::Refunded);
    let error = api
        .server
        .set_refund_status(&third, "failed")
        .expect_err("final");
    assert_eq!(error.status, 422);
}

#[tokio::test]
async fn cancel_refund_while_queued_or_pending() {
    let api = Api::start().await;
    let id = api.paid_payment("10.00").await;
    let pending = api.refund(&id, "3.00").await.id();
    let queued = api.refund(&id, "2.00").await.id();
    assert_eq!(api.set_refund_status(&queued, "queued").await.status, 200);
    assert_eq!(
        api.payment(&id).await.body["amountRemaining"]["value"],
        "5.00"
    );

    for refund in [&pending, &queued] {
        let r = api
            .send(Req::delete(format!("/v2/payments/{id}/refunds/{refund}")))
            .await;
        assert_eq!(r.status, 204);
        // A canceled refund is gone: 404, as the spec says.
        api.send(Req::get(format!("/v2/payments/{id}/refunds/{refund}")))
            .await
            .assert_error(404, None);
        api.send(Req::delete(format!("/v2/payments/{id}/refunds/{refund}")))
            .await
            .assert_error(404, None);
    }
    let payment = api.payment(&id).await;
    assert_eq!(payment.body["amountRefunded"]["value"], "0.00");
    assert_eq!(payment.body["amountRemaining"]["value"], "10.00");
    assert!(payment.body["_links"].get("refunds").is_none());
    let list = api
        .send(Req::get(format!("/v2/payments/{id}/refunds")))
        .await;
    assert_eq!(list.body["count"], 0);

    // `testmode` in the query for organization tokens.
    let another = api.refund(&id, "1.00").await.id();
    let r = api
        .send(
            Req::delete(format!("/v2/payments/{id}/refunds/{another}?testmode=true"))
                .key(ACCESS_TOKEN),
        )
        .await;
    assert_eq!(r.status, 204);
}

#[tokio::test]
async fn refunds_belong_to_their_payment_and_mode() {
    let api = Api::start().await;
    let open = api.create_payment(json!({})).await.id();
    // Not paid: nothing to refund.
    api.refund(&open, "1.00").await.assert_error(422, None);
    api.refund("tr_unknown1", "1.00")
        .await
        .assert_error(404, None);

    let id = api.paid_payment("10.00").await;
    let other = api.paid_payment("10.00").await;
    let refund = api.refund(&id, "1.00").await.id();
    // Under another payment: 404, for every operation.
    api.send(Req::get(format!("/v2/payments/{other}/refunds/{refund}")))
        .await
        .assert_error(404, None);
    api.send(Req::delete(format!(
        "/v2/payments/{other}/refunds/{refund}"
    )))
    .await
    .assert_error(404, None);
    // In the other mode: the payment does not exist there.
    for req in [
        Req::get(format!("/v2/payments/{id}/refunds/{refund}")),
        Req::get(format!("/v2/payments/{id}/refunds")),
        Req::delete(format!("/v2/payments/{id}/refunds/{refund}")),
        Req::post(
            format!("/v2/payments/{id}/refunds"),
            json!({"amount": {"currency": "EUR", "value": "1.00"}}),
        ),
    ] {
        api.send(req.key(LIVE_KEY)).await.assert_error(404, None);
    }
    let live = api
        .send(
            Req::get(format!("/v2/payments/{id}/refunds/{refund}?testmode=false"))
                .key(ACCESS_TOKEN),
        )
        .await;
    live.assert_error(404, None);
    let all_live = api.send(Req::get("/v2/refunds").key(LIVE_KEY)).await;
    assert_eq!(all_live.body["count"], 0);
    // Ids of the wrong shape are 404s too.
    for path in [
        format!("/v2/payments/{id}/refunds/tr_abc"),
        format!("/v2/payments/{id}/refunds/re_a%2Fb"),
        "/v2/payments/re_abc/refunds".to_owned(),
    ] {
        api.send(Req::get(path)).await.assert_error(404, None);
    }
}

#[tokio::test]
async fn list_refunds_of_a_payment_and_of_all() {
    let api = Api::start().await;
    let id = api.paid_payment("100.00").await;
    let other = api.paid_payment("5.00").await;
    let mut refunds = Vec::new();
    for n in 1..=3 {
        refunds.push(api.refund(&id, &format!("{n}.00")).await.id());
    }
    let elsewhere = api.refund(&other, "1.00").await.id();

    let path = format!("/v2/payments/{id}/refunds");
    let page = api.send(Req::get(format!("{path}?limit=2"))).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body["count"], 2);
    assert_eq!(
        page.body["_embedded"]["refunds"][0]["id"],
        refunds[2].as_str()
    );
    assert!(page.body["_embedded"]["refunds"][0]["_links"]["documentation"].is_object());
    assert!(
        page.body["_embedded"]["refunds"][0]
            .get("_embedded")
            .is_none()
    );
    let next = page.str("/_links/next/href");
    assert!(next.contains(&format!("from={}", refunds[0])), "{next}");
    let from = api
        .send(Req::get(format!(
            "{path}?from={}&embed=payment",
            refunds[1]
        )))
        .await;
    assert_eq!(from.body["count"], 2);
    assert_eq!(
        from.body["_embedded"]["refunds"][0]["_embedded"]["payment"]["id"],
        id.as_str()
    );
    assert!(from.str("/_links/self/href").contains("embed=payment"));
    let list: mollie_models::List<mollie_models::Refund> =
        serde_json::from_value(from.body.clone()).expect("a list of refunds");
    assert!(
        list.items[0]
            .embedded
            .as_ref()
            .is_some_and(|e| e.payment.is_some())
    );
    api.send(Req::get(format!("{path}?from={elsewhere}")))
        .await
        .assert_error(400, Some("from"));
    api.send(Req::get(format!("{path}?embed=refunds")))
        .await
        .assert_error(400, Some("embed"));
    api.send(Req::get("/v2/payments/tr_unknown1/refunds"))
        .await
        .assert_error(404, None);

    // One refund, with its payment.
    let one = api
        .send(Req::get(format!("{path}/{}?embed=payment", refunds[0])))
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(
        one.body["_embedded"]["payment"]["amountRefunded"]["value"],
        "6.00"
    );
    assert!(one.body["_links"]["documentation"].is_object());
    api.send(Req::get(format!("{path}/{}?embed=chargebacks", refunds[0])))
        .await
        .assert_error(400, Some("embed"));

    // All refunds: newest first, across payments; sort, from, limit, embed, profileId.
    let all = api.send(Req::get("/v2/refunds")).await;
    assert_eq!(all.body["count"], 4);
    assert_eq!(
        all.body["_embedded"]["refunds"][0]["id"],
        elsewhere.as_str()
    );
    let asc = api
        .send(Req::get(format!(
            "/v2/refunds?sort=asc&limit=2&from={}&embed=payment",
            refunds[1]
        )))
        .await;
    let ids: Vec<&str> = asc.body["_embedded"]["refunds"]
        .as_array()
        .expect("refunds")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, [refunds[1].as_str(), refunds[2].as_str()]);
    assert!(asc.body["_embedded"]["refunds"][0]["_embedded"]["payment"].is_object());
    assert!(asc.str("/_links/next/href").contains("sort=asc"));
    let profile = api
        .send(Req::get("/v2/refunds?profileId=pfl_Other1234"))
        .await;
    assert_eq!(profile.body["count"], 0);
    let mine = api
        .send(Req::get("/v2/refunds?testmode=true&profileId=pfl_MockProfile1").key(ACCESS_TOKEN))
        .await;
    assert_eq!(mine.body["count"], 4);
    for (query, field) in [
        ("profileId=x", "profileId"),
        ("limit=300", "limit"),
        ("sort=newest", "sort"),
        ("from=re_unknown", "from"),
        ("embed=customer", "embed"),
    ] {
        api.send(Req::get(format!("/v2/refunds?{query}")))
            .await
            .assert_error(400, Some(field));
    }
}

#[tokio::test]
async fn refund_webhooks_follow_mollies_table() {
    let api = Api::with(logged_webhooks()).await;
    let p = api.create_payment(json!({"webhookUrl": HOOK})).await.id();
    assert_eq!(api.set_status(&p, "paid").await.status, 200);
    api.server.clear_webhook_deliveries();

    // Creating a refund calls nothing.
    let refund = api.refund(&p, "2.00").await.id();
    assert!(api.server.webhook_deliveries().is_empty());
    // `queued`: an event only; `processing` and `refunded`: the classic webhook too.
    for status in ["queued", "processing", "refunded"] {
        assert_eq!(api.set_refund_status(&refund, status).await.status, 200);
    }
    let deliveries = api.server.webhook_deliveries();
    let classic: Vec<_> = deliveries
        .iter()
        .filter(|d| d.kind == DeliveryKind::Classic)
        .collect();
    assert_eq!(classic.len(), 2, "{deliveries:?}");
    assert!(classic.iter().all(|d| d.body == format!("id={p}")));
    assert!(
        classic
            .iter()
            .all(|d| d.refund_id.as_ref().map(|r| r.as_str()) == Some(refund.as_str()))
    );
    let events: Vec<EventType> = deliveries
        .iter()
        .filter(|d| d.kind == DeliveryKind::Event)
        .filter_map(|d| d.event_type.clone())
        .collect();
    assert_eq!(
        events,
        ["refund.queued", "refund.processing", "refund.refunded"].map(EventType::from)
    );
    let event = deliveries
        .iter()
        .find(|d| d.kind == DeliveryKind::Event)
        .expect("an event");
    let body: Value = serde_json::from_str(&event.body).expect("json");
    assert_eq!(body["entityId"], refund.as_str());
    assert_eq!(body["_embedded"]["entity"]["resource"], "refund");

    // Canceling: a `refund.canceled` event, no classic webhook.
    api.server.clear_webhook_deliveries();
    let second = api.refund(&p, "1.00").await.id();
    assert_eq!(
        api.send(Req::delete(format!("/v2/payments/{p}/refunds/{second}")))
            .await
            .status,
        204
    );
    let deliveries = api.server.webhook_deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(
        deliveries[0].event_type,
        Some(EventType::from("refund.canceled"))
    );
}

#[tokio::test]
async fn refunds_count_toward_the_object_cap() {
    let api = Api::with(MockConfig::new().max_objects(3)).await;
    let id = api.paid_payment("10.00").await;
    assert_eq!(api.refund(&id, "1.00").await.status, 201);
    assert_eq!(api.refund(&id, "1.00").await.status, 201);
    let full = api.refund(&id, "1.00").await;
    full.assert_error(422, None);
    assert!(full.str("/detail").contains("at most 3 objects"));
    // Nothing was taken from the payment by the refused refund.
    assert_eq!(
        api.payment(&id).await.body["amountRemaining"]["value"],
        "8.00"
    );
    // A canceled refund makes room again.
    let list = api
        .send(Req::get(format!("/v2/payments/{id}/refunds")))
        .await;
    let refund = list.str("/_embedded/refunds/0/id").to_owned();
    assert_eq!(
        api.send(Req::delete(format!("/v2/payments/{id}/refunds/{refund}")))
            .await
            .status,
        204
    );
    assert_eq!(api.refund(&id, "1.00").await.status, 201);
}
