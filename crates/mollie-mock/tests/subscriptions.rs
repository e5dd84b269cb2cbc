//! The Subscriptions API over raw HTTP (every response checked against the spec), and the
//! mock clock: schedules, completion, settlement, failures, cancellation by revocation and
//! deletion, test mode's ten payments, expiry, webhook retries on mock time.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{ACCESS_TOKEN, Api, Req};
use mollie_mock::{DeliveryKind, MockConfig};
use serde_json::{Value, json};

/// Monday 2026-0105T10:00:00Z: the base clock of these tests stands still there, so only
/// the mock clock moves time.
const MONDAY: u64 = 1_767_607_200;
const HOOK: &str = "http://127.0.0.1:9/hook";
const DAY: Duration = Duration::from_secs(86_400);

fn frozen() -> MockConfig {
    MockConfig::new()
        .clock(|| UNIX_EPOCH + Duration::from_secs(MONDAY))
        .webhook_retry_delays([])
}

async fn api() -> Api {
    Api::with(frozen()).await
}

/// A customer with a valid SEPA mandate: (customer, mandate).
async fn chargeable(api: &Api) -> (String, String) {
    let customer = api.customer().await;
    let mandate = api.mandate(&customer).await;
    (customer, mandate)
}

async fn subscribe(api: &Api, customer: &str, extra: Value) -> common::Resp {
    let mut body = json!({
        "amount": {"currency": "EUR", "value": "25.00"},
        "interval": "1 month",
        "description": "Plan",
        "webhookUrl": HOOK,
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            if v.is_null() {
                body.remove(k);
            } else {
                body.insert(k.clone(), v.clone());
            }
        }
    }
    api.send(Req::post(
        format!("/v2/customers/{customer}/subscriptions"),
        body,
    ))
    .await
}

async fn subscription(api: &Api, customer: &str, id: &str) -> common::Resp {
    api.send(Req::get(format!(
        "/v2/customers/{customer}/subscriptions/{id}"
    )))
    .await
}

async fn payments_of(api: &Api, customer: &str, id: &str) -> Vec<Value> {
    let r = api
        .send(Req::get(format!(
            "/v2/customers/{customer}/subscriptions/{id}/payments?sort=asc"
        )))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["_embedded"]["payments"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn create_get_list_update_cancel() {
    let api = api().await;
    let (customer, mandate) = chargeable(&api).await;
    let created = subscribe(
        &api,
        &customer,
        json!({"times": 4, "interval": "3 months", "startDate": "2026-02-01",
               "mandateId": mandate, "method": "directdebit",
               "metadata": {"plan": "gold"},
               "applicationFee": {"amount": {"currency": "EUR", "value": "1.00"}, "description": "Fee"}}),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.id();
    assert!(id.starts_with("sub_"));
    let b = &created.body;
    assert_eq!(b["resource"], "subscription");
    assert_eq!(b["mode"], "test");
    assert_eq!(b["status"], "active");
    assert_eq!(b["times"], 4);
    assert_eq!(b["timesRemaining"], 4);
    assert_eq!(b["interval"], "3 months");
    assert_eq!(b["startDate"], "2026-02-01");
    assert_eq!(b["nextPaymentDate"], "2026-02-01");
    assert_eq!(b["method"], "directdebit");
    assert_eq!(b["mandateId"], mandate.as_str());
    assert_eq!(b["customerId"], customer.as_str());
    assert_eq!(b["metadata"], json!({"plan": "gold"}));
    assert_eq!(b["applicationFee"]["amount"]["value"], "1.00");
    assert_eq!(b["createdAt"], "2026-01-05T10:00:00+00:00");
    assert!(b.get("canceledAt").is_none());
    assert!(b["_links"].get("payments").is_none(), "no payments yet");
    assert!(
        created
            .str("/_links/mandate/href")
            .ends_with(&format!("/v2/customers/{customer}/mandates/{mandate}"))
    );
    assert!(
        created
            .str("/_links/profile/href")
            .contains("/v2/profiles/pfl_")
    );
    let model: mollie_models::Subscription =
        serde_json::from_value(created.body.clone()).expect("model");
    assert_eq!(model.interval.count(), Some(3));

    let got = subscription(&api, &customer, &id).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, created.body);

    let list = api
        .send(Req::get(format!("/v2/customers/{customer}/subscriptions")))
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["count"], 1);
    let all = api.send(Req::get("/v2/subscriptions")).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.body["_embedded"]["subscriptions"][0]["id"], id.as_str());

    let updated = api
        .send(Req::patch(
            format!("/v2/customers/{customer}/subscriptions/{id}"),
            json!({"amount": {"currency": "EUR", "value": "30.00"}, "times": 6,
                   "description": "Plan+", "webhookUrl": "https://shop.example/hook2"}),
        ))
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["amount"]["value"], "30.00");
    assert_eq!(updated.body["timesRemaining"], 6);
    assert_eq!(updated.body["description"], "Plan+");
    assert_eq!(updated.body["webhookUrl"], "https://shop.example/hook2");

    let canceled = api
        .send(Req::delete(format!(
            "/v2/customers/{customer}/subscriptions/{id}"
        )))
        .await;
    assert_eq!(canceled.status, 200, "{}", canceled.body);
    assert_eq!(canceled.body["status"], "canceled");
    assert_eq!(canceled.body["canceledAt"], "2026-01-05T10:00:00+00:00");
    assert!(canceled.body.get("nextPaymentDate").is_none());
    // Canceled: no update, no second cancel, and nothing more is charged.
    api.send(Req::patch(
        format!("/v2/customers/{customer}/subscriptions/{id}"),
        json!({"times": 9}),
    ))
    .await
    .assert_error(422, Some("status"));
    api.send(Req::delete(format!(
        "/v2/customers/{customer}/subscriptions/{id}"
    )))
    .await
    .assert_error(422, Some("status"));
    api.server.advance_clock(400 * DAY).await;
    assert!(payments_of(&api, &customer, &id).await.is_empty());
    // Its mandate stays valid: canceling a subscription does not touch mandates.
    let m = api
        .send(Req::get(format!(
            "/v2/customers/{customer}/mandates/{mandate}"
        )))
        .await;
    assert_eq!(m.body["status"], "valid");
}

#[tokio::test]
async fn what_mollie_refuses() {
    let api = api().await;
    let customer = api.customer().await;
    // No mandate at all.
    subscribe(&api, &customer, json!({}))
        .await
        .assert_error(422, Some("mandateId"));
    api.mandate(&customer).await;
    for (extra, field) in [
        (json!({"interval": "13 months"}), "interval"),
        (json!({"interval": "monthly"}), "interval"),
        (json!({"interval": "0 days"}), "interval"),
        (json!({"interval": null}), "interval"),
        (json!({"times": 0}), "times"),
        (json!({"times": "3"}), "times"),
        (
            json!({"amount": {"currency": "EUR", "value": "0.00"}}),
            "amount",
        ),
        (json!({"description": null}), "description"),
        (json!({"method": "ideal"}), "method"),
        (json!({"method": "creditcard"}), "mandateId"),
        (json!({"mandateId": "mdt_nope"}), "mandateId"),
        (json!({"startDate": "2026-02-30"}), "startDate"),
        (json!({"webhookUrl": "ftp://x"}), "webhookUrl"),
        (
            json!({"applicationFee": {"amount": {"currency": "EUR", "value": "25.00"}, "description": "x"}}),
            "applicationFee.amount",
        ),
    ] {
        let r = subscribe(&api, &customer, extra.clone()).await;
        assert_eq!(r.status, 422, "{extra}: {}", r.body);
        assert_eq!(r.body["field"], field, "{extra}: {}", r.body);
    }
    // A second running subscription with the same description.
    assert_eq!(subscribe(&api, &customer, json!({})).await.status, 201);
    subscribe(&api, &customer, json!({}))
        .await
        .assert_error(422, Some("description"));
    // Unknown customer and subscription: 404.
    subscribe(&api, "cst_nope", json!({}))
        .await
        .assert_error(404, None);
    subscription(&api, &customer, "sub_nope")
        .await
        .assert_error(404, None);
    // Organization tokens name the profile.
    let r = api
        .send(
            Req::post(
                format!("/v2/customers/{customer}/subscriptions"),
                json!({"amount": {"currency": "EUR", "value": "1.00"}, "interval": "1 day", "description": "T"}),
            )
            .key(ACCESS_TOKEN),
        )
        .await;
    assert_eq!(r.status, 404, "another mode's customer: {}", r.body);
}

#[tokio::test]
async fn a_monthly_subscription_of_three_charges_settles_and_completes() {
    let api = api().await;
    let (customer, mandate) = chargeable(&api).await;
    let created = subscribe(&api, &customer, json!({"times": 3})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.body["nextPaymentDate"], "2026-01-05",
        "starts today"
    );
    let id = created.id();

    // The first payment is made right after the request that made it due.
    assert_eq!(payments_of(&api, &customer, &id).await.len(), 1);
    let report = api.server.advance_clock(4 * 31 * DAY).await;
    assert_eq!(report.charged, 2, "{report:?}");
    assert_eq!(report.settled, 3, "{report:?}");
    assert_eq!(report.ended, 1, "{report:?}");

    let payments = payments_of(&api, &customer, &id).await;
    let created_at: Vec<&str> = payments
        .iter()
        .map(|p| p["createdAt"].as_str().unwrap_or_default())
        .collect();
    // Today (at once), then the 5th of each month at midnight.
    assert_eq!(
        created_at,
        [
            "2026-01-05T10:00:00+00:00",
            "2026-02-05T00:00:00+00:00",
            "2026-03-05T00:00:00+00:00"
        ]
    );
    for p in &payments {
        assert_eq!(p["status"], "paid", "{p}");
        assert_eq!(p["sequenceType"], "recurring");
        assert_eq!(p["method"], "directdebit");
        assert_eq!(p["subscriptionId"], id.as_str());
        assert_eq!(p["mandateId"], mandate.as_str());
        assert_eq!(p["customerId"], customer.as_str());
        assert_eq!(p["amount"]["value"], "25.00");
        assert_eq!(p["description"], "Plan");
        assert_eq!(p["webhookUrl"], HOOK);
        assert!(p.get("isCancelable").is_none(), "final: {p}");
        let details = &p["details"];
        assert_eq!(details["consumerAccount"], "NL55INGB0000000000");
        assert_eq!(details["consumerName"], "Jane Doe");
        assert_eq!(details["creditorIdentifier"], "NL08ZZZ502057730000");
        assert!(
            details["transferReference"]
                .as_str()
                .is_some_and(|r| r.len() == 19 && r.starts_with("SD")),
            "{details}"
        );
        assert!(
            p["_links"]["subscription"]["href"]
                .as_str()
                .is_some_and(|h| h.ends_with(&format!("/subscriptions/{id}")))
        );
    }
    // Created Monday 2026-01-05: due Tuesday, paid Wednesday (one business day later).
    assert_eq!(payments[0]["details"]["dueDate"], "2026-01-06");
    assert_eq!(payments[0]["paidAt"], "2026-01-07T00:00:00+00:00");
    // 2026-02-05 is a Thursday: due Friday, paid Monday.
    assert_eq!(payments[1]["details"]["dueDate"], "2026-02-06");
    assert_eq!(payments[1]["paidAt"], "2026-02-09T00:00:00+00:00");

    let s = subscription(&api, &customer, &id).await;
    assert_eq!(s.body["status"], "completed");
    assert_eq!(s.body["timesRemaining"], 0);
    assert!(s.body.get("nextPaymentDate").is_none());
    assert!(s.str("/_links/payments/href").ends_with("/payments"));

    // One webhook per change of each payment: created (pending), then paid.
    let deliveries = api.server.webhook_deliveries();
    for p in &payments {
        let statuses: Vec<String> = deliveries
            .iter()
            .filter(|d| d.payment_id.as_str() == p["id"].as_str().unwrap_or_default())
            .filter(|d| d.kind == DeliveryKind::Classic)
            .map(|d| d.payment_status.to_string())
            .collect();
        assert_eq!(statuses, ["pending", "paid"], "{}", p["id"]);
    }
}

#[tokio::test]
async fn a_pending_direct_debit_settles_on_mock_time_only() {
    let api = api().await;
    let (customer, _) = chargeable(&api).await;
    let p = api
        .send(Req::post(
            format!("/v2/customers/{customer}/payments"),
            json!({"amount": {"currency": "EUR", "value": "10.00"}, "description": "One",
                   "sequenceType": "recurring"}),
        ))
        .await;
    assert_eq!(p.status, 201, "{}", p.body);
    assert_eq!(p.body["status"], "pending");
    assert_eq!(p.body["isCancelable"], true);
    assert_eq!(p.body["details"]["dueDate"], "2026-01-06");
    assert!(p.body["_links"]["changePaymentState"]["href"].is_string());
    let id = p.id();
    api.server.advance_clock(DAY).await;
    assert_eq!(api.payment(&id).await.body["status"], "pending", "one day");
    api.server.advance_clock(DAY).await;
    let paid = api.payment(&id).await;
    assert_eq!(paid.body["status"], "paid", "{}", paid.body);
    assert!(paid.body["_links"].get("changePaymentState").is_none());
}

#[tokio::test]
async fn a_failed_charge_carries_its_bank_reason() {
    let api = api().await;
    let (customer, _) = chargeable(&api).await;
    let id = subscribe(&api, &customer, json!({"times": 2})).await.id();
    // The first payment was made at once (today, right after the request); the second one
    // will fail.
    let r = api
        .send(
            Req::post(
                format!("/__mock/subscriptions/{id}/fail-next"),
                json!({"reason": "MS02"}),
            )
            .no_auth(),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    api.send(
        Req::post(
            format!("/__mock/subscriptions/{id}/fail-next"),
            json!({"reason": "not a code"}),
        )
        .no_auth(),
    )
    .await
    .assert_error(422, Some("reason"));
    let report = api.server.advance_clock(40 * DAY).await;
    assert_eq!((report.charged, report.settled, report.failed), (1, 1, 1));
    let payments = payments_of(&api, &customer, &id).await;
    assert_eq!(payments[0]["status"], "paid");
    assert_eq!(payments[1]["status"], "failed", "{}", payments[1]);
    assert_eq!(payments[1]["details"]["bankReasonCode"], "MS02");
    assert_eq!(payments[1]["details"]["bankReason"], "Refused by debtor");
    assert!(payments[1]["failedAt"].is_string());
    // A failed payment does not end the subscription: it made its two payments.
    assert_eq!(
        subscription(&api, &customer, &id).await.body["status"],
        "completed"
    );
}

#[tokio::test]
async fn revoking_the_mandate_or_deleting_the_customer_cancels() {
    let api = api().await;
    let (customer, mandate) = chargeable(&api).await;
    let own = subscribe(
        &api,
        &customer,
        json!({"mandateId": mandate, "startDate": "2026-02-01"}),
    )
    .await
    .id();
    let any = subscribe(
        &api,
        &customer,
        json!({"description": "Other", "startDate": "2026-02-01"}),
    )
    .await
    .id();
    let r = api
        .send(Req::delete(format!(
            "/v2/customers/{customer}/mandates/{mandate}"
        )))
        .await;
    assert_eq!(r.status, 204);
    for id in [&own, &any] {
        let s = subscription(&api, &customer, id).await;
        assert_eq!(s.body["status"], "canceled", "{}", s.body);
        assert_eq!(s.body["canceledAt"], "2026-01-05T10:00:00+00:00");
    }
    api.server.advance_clock(60 * DAY).await;
    assert!(payments_of(&api, &customer, &own).await.is_empty());

    // Deleting a customer cancels its subscriptions; they stay listed account-wide.
    let other = api.customer().await;
    api.mandate(&other).await;
    let id = subscribe(&api, &other, json!({"startDate": "2026-04-01"}))
        .await
        .id();
    let r = api
        .send(Req::delete(format!("/v2/customers/{other}")))
        .await;
    assert_eq!(r.status, 204);
    let all = api.send(Req::get("/v2/subscriptions")).await;
    let listed = all.body["_embedded"]["subscriptions"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["id"] == id.as_str()))
        .cloned()
        .expect("listed");
    assert_eq!(listed["status"], "canceled");
    let report = api.server.advance_clock(90 * DAY).await;
    assert_eq!(report.charged, 0);
}

#[tokio::test]
async fn test_mode_subscriptions_end_after_ten_payments() {
    let api = api().await;
    let (customer, _) = chargeable(&api).await;
    let id = subscribe(&api, &customer, json!({"interval": "1 day"}))
        .await
        .id();
    let report = api.server.advance_clock(30 * DAY).await;
    assert_eq!(report.charged, 9, "{report:?} (and one at once)");
    let s = subscription(&api, &customer, &id).await;
    assert_eq!(s.body["status"], "canceled", "{}", s.body);
    assert_eq!(payments_of(&api, &customer, &id).await.len(), 10);
}

#[tokio::test]
async fn a_first_payment_mandate_activates_a_pending_schedule_and_interval_updates_keep_the_day() {
    let api = api().await;
    let (customer, _) = chargeable(&api).await;
    let id = subscribe(
        &api,
        &customer,
        json!({"interval": "1 month", "startDate": "2026-01-31"}),
    )
    .await
    .id();
    let updated = api
        .send(Req::patch(
            format!("/v2/customers/{customer}/subscriptions/{id}"),
            json!({"interval": "2 weeks"}),
        ))
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["nextPaymentDate"], "2026-01-31");
    api.server.advance_clock(45 * DAY).await;
    let days: Vec<String> = payments_of(&api, &customer, &id)
        .await
        .iter()
        .map(|p| p["createdAt"].as_str().unwrap_or_default()[..10].to_owned())
        .collect();
    assert_eq!(days, ["2026-01-31", "2026-02-14"]);
    api.send(Req::patch(
        format!("/v2/customers/{customer}/subscriptions/{id}"),
        json!({"startDate": "2020-01-01"}),
    ))
    .await
    .assert_error(422, Some("startDate"));
    api.send(Req::patch(
        format!("/v2/customers/{customer}/subscriptions/{id}"),
        json!({"times": 2}),
    ))
    .await
    .assert_error(422, Some("times"));
}

/// The days of a subscription's payments, oldest first.
async fn payment_days(api: &Api, customer: &str, id: &str) -> Vec<String> {
    payments_of(api, customer, id)
        .await
        .iter()
        .map(|p| p["createdAt"].as_str().unwrap_or_default()[..10].to_owned())
        .collect()
}

/// `POST /__mock/clock` `{"set": to}`.
async fn set_clock(api: &Api, to: &str) {
    let r = api
        .send(Req::post("/__mock/clock", json!({"set": to})).no_auth())
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn a_schedule_re_anchored_on_a_clamped_day_keeps_its_day_of_the_month() {
    let api = api().await;
    let (customer, _) = chargeable(&api).await;
    // Started on the 30th: charged on 2026-01-30, next on 2026-02-28 (February is short).
    let id = subscribe(&api, &customer, json!({"startDate": "2026-01-30"}))
        .await
        .id();
    set_clock(&api, "2026-02-01T00:00:00Z").await;
    // A new interval counts from the next payment, 2026-02-28, on the schedule's 30th.
    let path = format!("/v2/customers/{customer}/subscriptions/{id}");
    let updated = api
        .send(Req::patch(&path, json!({"interval": "1 month"})))
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["nextPaymentDate"], "2026-02-28");
    // Created in February from a 30th gone by: the first payment on the 28th, then the 30th.
    let late = subscribe(
        &api,
        &customer,
        json!({"startDate": "2026-01-30", "description": "Late plan"}),
    )
    .await;
    assert_eq!(late.status, 201, "{}", late.body);
    assert_eq!(late.body["nextPaymentDate"], "2026-02-28");
    set_clock(&api, "2026-06-01T00:00:00Z").await;
    assert_eq!(
        payment_days(&api, &customer, &id).await,
        [
            "2026-01-30",
            "2026-02-28",
            "2026-03-30",
            "2026-04-30",
            "2026-05-30"
        ],
        "the interval update keeps the 30th"
    );
    assert_eq!(
        payment_days(&api, &customer, &late.id()).await,
        ["2026-02-28", "2026-03-30", "2026-04-30", "2026-05-30"],
        "a past start keeps its 30th"
    );
    // A new start date on the last day of February charges on month-ends (Mollie: a start
    // on 2018-04-30 charges "on the last day of each month").
    let r = api
        .send(Req::patch(&path, json!({"startDate": "2027-02-28"})))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    set_clock(&api, "2027-04-01T00:00:00Z").await;
    let days = payment_days(&api, &customer, &id).await;
    assert_eq!(days[days.len() - 2..], ["2027-02-28", "2027-03-31"]);
}

/// `PUT /__mock/state` with `doc`.
async fn put_state(api: &Api, doc: Value) {
    let r = api
        .send(
            Req::new(reqwest::Method::PUT, "/__mock/state")
                .json(doc)
                .no_auth(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// A seed of one customer with a valid SEPA mandate, and monthly `subscriptions` of it
/// (each `{id, ...fields}`).
fn seed(subscriptions: &[(&str, Value)]) -> Value {
    let subscriptions: Vec<Value> = subscriptions
        .iter()
        .map(|(id, fields)| {
            let mut s = json!({
                "id": id,
                "customerId": "cst_days",
                "amount": {"currency": "EUR", "value": "5.00"},
                "interval": "1 month",
                "description": id,
            });
            if let (Some(s), Some(fields)) = (s.as_object_mut(), fields.as_object()) {
                s.extend(fields.clone());
            }
            s
        })
        .collect();
    json!({
        "customers": [{"id": "cst_days", "name": "Day Keeper"}],
        "mandates": [{
            "id": "mdt_days",
            "customerId": "cst_days",
            "method": "directdebit",
            "details": {"consumerName": "D. Keeper", "consumerAccount": "NL55INGB0000000000"}
        }],
        "subscriptions": subscriptions,
    })
}

#[tokio::test]
async fn state_files_keep_a_schedules_day_of_the_month() {
    let api = api().await;
    // As the mock wrote it before anchors kept their day: an anchor on the last day of a
    // month stays on month-ends, and is written back as it was.
    let old_anchor = json!({"date": "2025-11-30", "paymentNumber": 0});
    let old = json!({
        "startDate": "2025-11-30",
        "nextPaymentDate": "2026-01-31",
        "_mock": {"paymentsMade": 2, "scheduleAnchor": old_anchor},
    });
    put_state(&api, seed(&[("sub_old", old)])).await;
    let exported = api.send(Req::get("/__mock/state").no_auth()).await.body;
    assert_eq!(
        exported["subscriptions"][0]["_mock"]["scheduleAnchor"],
        old_anchor
    );
    set_clock(&api, "2026-04-01T00:00:00Z").await;
    assert_eq!(
        payment_days(&api, "cst_days", "sub_old").await,
        ["2026-01-31", "2026-02-28", "2026-03-31"]
    );

    // A seed started on a 30th gone by: its first payment on the last of February, then
    // the 30th.
    set_clock(&api, "2027-02-01T00:00:00Z").await;
    put_state(
        &api,
        seed(&[("sub_seed", json!({"startDate": "2027-01-30"}))]),
    )
    .await;
    let seeded = subscription(&api, "cst_days", "sub_seed").await;
    assert_eq!(
        seeded.body["nextPaymentDate"], "2027-02-28",
        "{}",
        seeded.body
    );
    // Re-anchored on that day by an update, charged, and kept through export and import.
    let r = api
        .send(Req::patch(
            "/v2/customers/cst_days/subscriptions/sub_seed",
            json!({"interval": "1 month"}),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    set_clock(&api, "2027-03-01T00:00:00Z").await;
    let exported = api.send(Req::get("/__mock/state").no_auth()).await.body;
    assert_eq!(
        exported["subscriptions"][0]["_mock"]["scheduleAnchor"],
        json!({"date": "2027-02-28", "paymentNumber": 0, "dayOfMonth": 30})
    );
    // A day of the month the anchor's date is not on is refused.
    let mut wrong = exported.clone();
    wrong["subscriptions"][0]["_mock"]["scheduleAnchor"]["dayOfMonth"] = json!(27);
    let r = api
        .send(
            Req::new(reqwest::Method::PUT, "/__mock/state")
                .json(wrong)
                .no_auth(),
        )
        .await;
    r.assert_error(
        422,
        Some("subscriptions[0]._mock.scheduleAnchor.dayOfMonth"),
    );
    put_state(&api, exported).await;
    set_clock(&api, "2027-06-01T00:00:00Z").await;
    assert_eq!(
        payment_days(&api, "cst_days", "sub_seed").await,
        ["2027-02-28", "2027-03-30", "2027-04-30", "2027-05-30"]
    );
}

#[tokio::test]
async fn the_clock_moves_forward_only_and_expires_open_payments() {
    let api = api().await;
    let state = api.send(Req::get("/__mock/clock").no_auth()).await;
    assert_eq!(state.status, 200);
    assert_eq!(state.body["now"], "2026-01-05T10:00:00+00:00");
    let open = api.create_payment(json!({})).await;
    let id = open.id();
    let moved = api
        .send(Req::post("/__mock/clock", json!({"advance": "16 minutes"})).no_auth())
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["now"], "2026-01-05T10:16:00+00:00");
    assert_eq!(moved.body["expired"], 1);
    let expired = api.payment(&id).await;
    assert_eq!(expired.body["status"], "expired");
    assert_eq!(expired.body["expiredAt"], "2026-01-05T10:15:00+00:00");

    let months = api
        .send(Req::post("/__mock/clock", json!({"advance": "2 months"})).no_auth())
        .await;
    assert_eq!(months.body["now"], "2026-03-05T10:16:00+00:00");
    let set = api
        .send(Req::post("/__mock/clock", json!({"set": "2027-01-01T00:00:00Z"})).no_auth())
        .await;
    assert_eq!(set.body["now"], "2027-01-01T00:00:00+00:00");
    for (body, field) in [
        (json!({"set": "2026-01-01T00:00:00Z"}), "set"),
        (json!({"set": "soon"}), "set"),
        (json!({"advance": "4 fortnights"}), "advance"),
        (json!({"advance": "-1 days"}), "advance"),
        (json!({}), "advance"),
        (
            json!({"advance": "1 day", "set": "2030-01-01T00:00:00Z"}),
            "advance",
        ),
        (json!({"advanceSeconds": -5}), "advanceSeconds"),
    ] {
        let r = api
            .send(Req::post("/__mock/clock", body.clone()).no_auth())
            .await;
        assert_eq!(r.status, 422, "{body}: {}", r.body);
        assert_eq!(r.body["field"], field, "{body}");
    }
    assert!(api.server.now() >= UNIX_EPOCH + Duration::from_secs(1_798_761_600));
    let backwards = api
        .server
        .set_clock(SystemTime::UNIX_EPOCH)
        .await
        .expect_err("backwards");
    assert_eq!(backwards.status, 422);
}

#[tokio::test]
async fn idempotency_keys_expire_on_mock_time() {
    let api = api().await;
    let create = || Req::post("/v2/customers", json!({"name": "Jane"})).idempotency_key("key-1");
    let first = api.send(create()).await;
    let replay = api.send(create()).await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.id(), first.id());
    api.server
        .advance_clock(25 * 3600 * Duration::from_secs(1))
        .await;
    let fresh = api.send(create()).await;
    assert_eq!(fresh.status, 201);
    assert_ne!(
        fresh.id(),
        first.id(),
        "a key past the 24-hour window is new"
    );
}

#[tokio::test]
async fn webhook_retries_follow_the_mock_clock() {
    // Retries 1 hour and 1 day apart: without moving the clock only the first attempt runs.
    let api = Api::with(
        frozen().webhook_retry_delays([Duration::from_secs(3600), Duration::from_secs(86_400)]),
    )
    .await;
    let (customer, _) = chargeable(&api).await;
    subscribe(&api, &customer, json!({"times": 1})).await;
    let attempts = || {
        api.server
            .webhook_deliveries()
            .first()
            .map_or(0, |d| d.attempts.len())
    };
    let until = |n: usize| async move {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while attempts() < n && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        attempts()
    };
    assert_eq!(until(1).await, 1);
    // The wall clock does not move the mock's: the retry an hour away waits.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(attempts(), 1);
    // Each move brings the next attempt on; the last one is a day after the second.
    api.server.advance_clock(Duration::from_secs(3600)).await;
    assert_eq!(until(2).await, 2);
    api.server.advance_clock(DAY).await;
    tokio::time::timeout(Duration::from_secs(10), api.server.webhooks_settled())
        .await
        .expect("the retries ran on mock time");
    let first = &api.server.webhook_deliveries()[0];
    assert_eq!(first.attempts.len(), 3, "{first:?}");
    assert_eq!(first.outcome, mollie_mock::DeliveryOutcome::Failed);
}

#[tokio::test]
async fn moving_a_schedule_never_charges_a_day_twice_nor_grows_the_agenda() {
    let api = api().await;
    let (customer, _) = chargeable(&api).await;
    let id = subscribe(&api, &customer, json!({})).await.id();
    // Charged today, right after the request; today cannot be charged again.
    assert_eq!(payments_of(&api, &customer, &id).await.len(), 1);
    let path = format!("/v2/customers/{customer}/subscriptions/{id}");
    api.send(Req::patch(&path, json!({"startDate": "2026-01-05"})))
        .await
        .assert_error(422, Some("startDate"));
    let scheduled = || async {
        let health = api.send(Req::get("/__mock/health").no_auth()).await;
        health.body["scheduled"].as_u64().expect("scheduled")
    };
    let before = scheduled().await;
    for day in 0..200 {
        let start = format!("2030-01-{:02}", day % 28 + 1);
        let r = api
            .send(Req::patch(&path, json!({"startDate": start})))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    assert_eq!(
        scheduled().await,
        before,
        "one entry per subscription, however often moved"
    );
    let canceled = api.send(Req::delete(&path)).await;
    assert_eq!(canceled.status, 200);
    assert_eq!(
        scheduled().await,
        before - 1,
        "a canceled subscription leaves the agenda"
    );
}

#[tokio::test]
async fn the_clock_stops_at_the_end_of_year_9999() {
    let api = api().await;
    for body in [
        json!({"advanceSeconds": u64::MAX}),
        json!({"set": "9999-12-31T23:59:59Z"}),
    ] {
        let r = api
            .send(Req::post("/__mock/clock", body.clone()).no_auth())
            .await;
        if r.status == 200 {
            assert_eq!(r.body["now"], "9999-12-31T23:59:59+00:00", "{body}");
        } else {
            assert_eq!(r.status, 422, "{body}: {}", r.body);
        }
    }
    let r = api
        .send(Req::post("/__mock/clock", json!({"set": "9999-12-31T23:59:59Z"})).no_auth())
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // It never wraps back to the base clock, however far it is pushed.
    api.server.advance_clock(Duration::MAX).await;
    let state = api.send(Req::get("/__mock/clock").no_auth()).await;
    assert_eq!(state.body["now"], "9999-12-31T23:59:59+00:00");
}

#[tokio::test]
async fn retries_run_on_the_wall_clock_when_the_base_clock_stands_still() {
    // A frozen base clock and short delays, as the webhook docs suggest for tests: retries
    // must not wait for a clock that never moves.
    let api = Api::with(frozen().webhook_retry_delays([Duration::from_millis(5)])).await;
    let p = api
        .create_payment(json!({"webhookUrl": "http://127.0.0.1:9/closed"}))
        .await;
    assert_eq!(api.set_status(&p.id(), "paid").await.status, 200);
    tokio::time::timeout(Duration::from_secs(10), api.server.webhooks_settled())
        .await
        .expect("the retry ran");
    assert_eq!(api.server.webhook_deliveries()[0].attempts.len(), 2);
}

#[tokio::test]
async fn a_seeded_schedule_started_decades_ago_is_due_today() {
    let api = api().await;
    set_clock(&api, "2026-02-01T00:00:00Z").await;
    put_state(
        &api,
        seed(&[(
            "sub_old_daily",
            json!({"startDate": "1990-01-01", "interval": "1 day"}),
        )]),
    )
    .await;
    let seeded = subscription(&api, "cst_days", "sub_old_daily").await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    // Due today and charged at once: one payment, none for the days gone by.
    assert_eq!(
        payment_days(&api, "cst_days", "sub_old_daily").await,
        ["2026-02-01"]
    );
    assert_eq!(
        seeded.body["nextPaymentDate"], "2026-02-02",
        "{}",
        seeded.body
    );
}
