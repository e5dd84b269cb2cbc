//! The mock's responses against the spec's examples, field by field: every field that any of
//! the spec's example responses shows for a resource must appear in some response the mock
//! gives for that resource, or be listed below with the reason the mock never sends it.
//! Schemas say what may be sent; examples say what Mollie does send.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, UNIX_EPOCH};

use common::{Api, Req, spec};
use mollie_mock::MockConfig;
use serde_json::{Value, json};

/// Fields of the spec's examples the mock never sends, by resource and field (or the start
/// of a field's path: `details.card` covers `details.cardNumber`), with why.
const NEVER_SENT: &[(&str, &str, &str)] = &[
    (
        "*",
        "metadata.",
        "the examples' own metadata: the mock sends back what was stored",
    ),
    (
        "payment",
        "_links.captures",
        "captures (manual capture mode) are not modelled",
    ),
    (
        "payment",
        "amountCaptured",
        "captures (manual capture mode) are not modelled",
    ),
    (
        "payment",
        "captureMode",
        "captures (manual capture mode) are not modelled",
    ),
    (
        "payment",
        "captureDelay",
        "captures (manual capture mode) are not modelled",
    ),
    (
        "payment",
        "_links.order",
        "the Orders API is not part of the mock",
    ),
    (
        "payment",
        "orderId",
        "the Orders API is not part of the mock",
    ),
    (
        "payment",
        "_links.routes",
        "split payments (routing) are not modelled",
    ),
    (
        "payment",
        "routing",
        "split payments (routing) are not modelled",
    ),
    (
        "refund",
        "routingReversals",
        "split payments (routing) are not modelled",
    ),
    (
        "payment",
        "_links.status",
        "Mollie's hosted status page of a payment; the mock serves none",
    ),
    (
        "payment",
        "applicationFee",
        "Mollie Connect's application fees are not modelled on payments",
    ),
    (
        "payment",
        "countryCode",
        "the customer's country, which Mollie's checkout detects; the mock has no real checkout",
    ),
    (
        "payment",
        "details.bank",
        "bank transfer instructions (bankName, bankAccount, bankBic) are not modelled",
    ),
    (
        "payment",
        "details.billingEmail",
        "bank transfer instructions are not modelled",
    ),
    (
        "payment",
        "details.card",
        "card data comes from the card network at the checkout; the mock's checkout has none",
    ),
    (
        "payment",
        "details.feeRegion",
        "card data comes from the card network at the checkout; the mock's checkout has none",
    ),
    (
        "payment",
        "details.failure",
        "card failures come from the card network; the mock's card failures carry a statusReason",
    ),
    (
        "payment",
        "details.shippingAddress",
        "PayPal's shipping address comes from PayPal's checkout",
    ),
];

/// Whether `field` of `kind` is listed in [`NEVER_SENT`], and by which rule.
fn explained(kind: &str, field: &str) -> Option<(&'static str, &'static str)> {
    NEVER_SENT
        .iter()
        .find(|(k, prefix, _)| (*k == "*" || *k == kind) && field.starts_with(prefix))
        .map(|(k, prefix, _)| (*k, *prefix))
}

/// The resource of an example object (`resource`), if it has one.
fn resource(value: &Value) -> Option<&str> {
    value.get("resource").and_then(Value::as_str)
}

/// Every field path of `value` (`amount.value`, `_links.self.href`, `lines[].sku`), into
/// `out`; the objects of `_embedded` are not descended into (their own resource counts them).
fn paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                if key == "_embedded" {
                    continue;
                }
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.insert(path.clone());
                paths(item, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// Every object with a `resource` in `value` (lists' items included), by resource.
fn resources(value: &Value, out: &mut BTreeMap<String, BTreeSet<String>>) {
    match value {
        Value::Object(map) => {
            if let Some(kind) = resource(value) {
                paths(value, "", out.entry(kind.to_owned()).or_default());
            }
            for item in map.values() {
                resources(item, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                resources(item, out);
            }
        }
        _ => {}
    }
}

/// The example responses of the spec (operations' and components').
fn example_fields(doc: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    let mut examples = Vec::new();
    fn collect<'a>(value: &'a Value, examples: &mut Vec<&'a Value>) {
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    match key.as_str() {
                        "example" => examples.push(item),
                        "examples" => {
                            for example in item.as_object().into_iter().flat_map(|m| m.values()) {
                                examples.push(example.get("value").unwrap_or(example));
                            }
                        }
                        _ => collect(item, examples),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| collect(i, examples)),
            _ => {}
        }
    }
    collect(&doc["paths"], &mut examples);
    collect(&doc["components"]["examples"], &mut examples);
    for example in examples {
        resources(example, &mut out);
    }
    out
}

#[tokio::test]
async fn every_field_of_the_specs_examples_is_sent_or_explained() {
    let Some(spec) = spec() else {
        return;
    };
    let api = Api::with(
        MockConfig::new()
            .clock(|| UNIX_EPOCH + Duration::from_secs(1_767_607_200))
            .webhook_retry_delays([]),
    )
    .await;
    let mut sent: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut keep = |r: &common::Resp| resources(&r.body, &mut sent);

    // A scene with every kind of object in the states the examples show.
    let customer = api
        .send(Req::post(
            "/v2/customers",
            json!({"name": "Jane Doe", "email": "jane@example.org", "locale": "nl_NL", "metadata": {"a": 1}}),
        ))
        .await;
    keep(&customer);
    let c = customer.id();
    let mandate = api
        .send(Req::post(
            format!("/v2/customers/{c}/mandates"),
            json!({"method": "directdebit", "consumerName": "Jane Doe", "consumerAccount": "NL55INGB0000000000",
                   "consumerBic": "INGBNL2A", "signatureDate": "2026-01-01", "mandateReference": "REF-1"}),
        ))
        .await;
    keep(&mandate);
    let m = mandate.id();
    let open = api
        .create_payment(json!({"method": "ideal", "webhookUrl": "https://shop.example/hook",
            "cancelUrl": "https://shop.example/cancel", "locale": "nl_NL", "metadata": {"order": 1},
            "lines": [{"description": "A", "quantity": 1, "unitPrice": {"currency": "EUR", "value": "10.00"},
                       "totalAmount": {"currency": "EUR", "value": "10.00"}, "sku": "A-1"}],
            "billingAddress": {"streetAndNumber": "Keizersgracht 126", "postalCode": "1015 CW", "city": "Amsterdam", "country": "NL"},
            "restrictPaymentMethodsToCountry": "NL"}))
        .await;
    keep(&open);
    let paid = api.paid_payment("20.00").await;
    let recurring = api
        .send(Req::post(
            format!("/v2/customers/{c}/payments"),
            json!({"amount": {"currency": "EUR", "value": "20.00"}, "description": "Monthly",
                   "sequenceType": "recurring", "mandateId": m, "webhookUrl": "https://shop.example/hook"}),
        ))
        .await;
    keep(&recurring);
    let refund = api.refund(&paid, "5.00").await;
    keep(&refund);
    let chargeback = api
        .send(
            Req::post(
                format!("/__mock/payments/{paid}/chargebacks"),
                json!({"amount": {"currency": "EUR", "value": "5.00"},
                       "reason": {"code": "AC01", "description": "Account identifier incorrect"}}),
            )
            .no_auth(),
        )
        .await;
    keep(&chargeback);
    let reversed = api
        .send(
            Req::post(
                format!("/__mock/chargebacks/{}/reverse", chargeback.id()),
                json!({}),
            )
            .no_auth(),
        )
        .await;
    keep(&reversed);
    let standing = api
        .send(
            Req::post(
                format!("/__mock/payments/{paid}/chargebacks"),
                json!({"amount": {"currency": "EUR", "value": "2.00"}}),
            )
            .no_auth(),
        )
        .await;
    assert_eq!(standing.status, 201, "{}", standing.body);
    let transfer = api.create_payment(json!({"method": "banktransfer"})).await;
    keep(
        &api.send(Req::delete(format!("/v2/payments/{}", transfer.id())))
            .await,
    );
    let failing = api.create_payment(json!({})).await;
    keep(&api.set_status(&failing.id(), "failed").await);
    keep(
        &api.send(Req::get(format!(
            "/v2/payments/{}?include=details.qrCode",
            open.id()
        )))
        .await,
    );
    let subscription = api
        .send(Req::post(
            format!("/v2/customers/{c}/subscriptions"),
            json!({"amount": {"currency": "EUR", "value": "25.00"}, "interval": "1 month",
                   "description": "Plan", "times": 4, "mandateId": m, "webhookUrl": "https://shop.example/hook",
                   "metadata": {"plan": "gold"}}),
        ))
        .await;
    keep(&subscription);
    let s = subscription.id();
    // Its second payment fails, with a bank reason.
    let r = api
        .send(Req::post(format!("/__mock/subscriptions/{s}/fail-next"), json!({})).no_auth())
        .await;
    assert_eq!(r.status, 204);
    api.server
        .advance_clock(Duration::from_secs(40 * 86_400))
        .await;
    let canceled = api
        .send(Req::delete(format!("/v2/customers/{c}/subscriptions/{s}")))
        .await;
    keep(&canceled);
    for path in [
        format!("/v2/customers/{c}"),
        format!("/v2/customers/{c}/mandates/{m}"),
        format!("/v2/payments/{paid}?embed=refunds,chargebacks"),
        format!("/v2/payments/{}", open.id()),
        format!("/v2/payments/{}", recurring.id()),
        format!("/v2/customers/{c}/subscriptions/{s}/payments"),
        "/v2/customers".to_owned(),
        format!("/v2/customers/{c}/mandates"),
        "/v2/payments".to_owned(),
        "/v2/refunds?embed=payment".to_owned(),
        "/v2/chargebacks?embed=payment".to_owned(),
        "/v2/subscriptions".to_owned(),
    ] {
        let r = api.send(Req::get(path.as_str())).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        keep(&r);
    }

    let expected = example_fields(spec.doc());
    let mut never = BTreeSet::new();
    for (kind, fields) in &expected {
        if !matches!(
            kind.as_str(),
            "customer" | "mandate" | "payment" | "refund" | "chargeback" | "subscription"
        ) {
            continue;
        }
        let ours = sent.get(kind).cloned().unwrap_or_default();
        for field in fields.difference(&ours) {
            never.insert((kind.clone(), field.clone()));
        }
    }
    let unexplained: Vec<_> = never
        .iter()
        .filter(|(kind, field)| explained(kind, field).is_none())
        .collect();
    // Every rule explains a field the mock really never sends: a rule for a field the mock
    // learned to send must go.
    let used: BTreeSet<_> = never
        .iter()
        .filter_map(|(kind, field)| explained(kind, field))
        .collect();
    let stale: Vec<_> = NEVER_SENT
        .iter()
        .filter(|(kind, prefix, _)| !used.contains(&(*kind, *prefix)))
        .collect();
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "fields of the spec's examples the mock never sends, without a reason: {unexplained:#?}\nrules that explain nothing: {stale:#?}"
    );
}
