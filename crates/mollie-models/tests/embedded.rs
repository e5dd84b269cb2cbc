//! Embedded resources (`embed=`): a payment's refunds, chargebacks and captures, a refund's or
//! chargeback's payment, decode typed and are written back unchanged.

use mollie_models::{Chargeback, List, Payment, Refund, RefundStatus};
use serde_json::{Value, json};

fn link(href: &str) -> Value {
    json!({"href": href, "type": "application/hal+json"})
}

fn payment() -> Value {
    json!({
        "resource": "payment", "id": "tr_7UhSN1zuXS", "mode": "test",
        "createdAt": "2024-03-20T09:13:37+00:00", "status": "paid",
        "amount": {"currency": "EUR", "value": "10.00"},
        "amountRefunded": {"currency": "EUR", "value": "2.50"},
        "amountRemaining": {"currency": "EUR", "value": "7.50"},
        "description": "March", "method": "directdebit",
        "sequenceType": "recurring", "profileId": "pfl_QkEhN94Ba",
        "_links": {
            "self": link("https://api.mollie.com/v2/payments/tr_7UhSN1zuXS"),
            "dashboard": {"href": "https://my.mollie.com/dashboard/payments/tr_7UhSN1zuXS", "type": "text/html"}
        }
    })
}

fn refund() -> Value {
    json!({
        "resource": "refund", "id": "re_4qqhO89gsT", "mode": "test",
        "description": "Late delivery", "amount": {"currency": "EUR", "value": "2.50"},
        "metadata": {"ticket": 4711}, "paymentId": "tr_7UhSN1zuXS", "status": "pending",
        "createdAt": "2024-03-21T10:00:00+00:00",
        "_links": {
            "self": link("https://api.mollie.com/v2/payments/tr_7UhSN1zuXS/refunds/re_4qqhO89gsT"),
            "payment": link("https://api.mollie.com/v2/payments/tr_7UhSN1zuXS")
        }
    })
}

fn chargeback() -> Value {
    json!({
        "resource": "chargeback", "id": "chb_n9z0tp", "amount": {"currency": "EUR", "value": "10.00"},
        "reason": {"code": "MD06", "description": "Refund request by end customer"},
        "paymentId": "tr_7UhSN1zuXS", "createdAt": "2024-03-22T10:00:00+00:00",
        "_links": {
            "self": link("https://api.mollie.com/v2/payments/tr_7UhSN1zuXS/chargebacks/chb_n9z0tp"),
            "payment": link("https://api.mollie.com/v2/payments/tr_7UhSN1zuXS")
        }
    })
}

#[test]
fn a_payment_with_embedded_refunds_decodes() {
    let mut json = payment();
    json["_embedded"] = json!({"refunds": [refund()]});
    let payment: Payment = serde_json::from_value(json.clone()).expect("decodes");
    let embedded = payment.embedded.as_ref().expect("_embedded");
    let refunds = embedded.refunds.as_deref().expect("refunds");
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].id, "re_4qqhO89gsT");
    assert_eq!(refunds[0].status, RefundStatus::Pending);
    assert_eq!(refunds[0].amount.minor_units(), Some(250));
    assert_eq!((&embedded.chargebacks, &embedded.captures), (&None, &None));
    assert_eq!(serde_json::to_value(&payment).expect("serializes"), json);
}

#[test]
fn a_payment_with_every_embedded_list_decodes() {
    let capture = json!({"resource": "capture", "id": "cpt_mNepDkEtco6ah3QNPUGYH"});
    let mut json = payment();
    json["_embedded"] = json!({
        "refunds": [],
        "chargebacks": [chargeback()],
        "captures": [capture.clone()]
    });
    let payment: Payment = serde_json::from_value(json.clone()).expect("decodes");
    let embedded = payment.embedded.as_ref().expect("_embedded");
    assert_eq!(embedded.refunds.as_deref(), Some(&[][..]));
    let chargebacks = embedded.chargebacks.as_deref().expect("chargebacks");
    assert_eq!(
        chargebacks[0].reason.as_ref().map(|r| r.code.as_str()),
        Some("MD06")
    );
    assert_eq!(embedded.captures.as_deref(), Some(&[capture][..]));
    assert_eq!(serde_json::to_value(&payment).expect("serializes"), json);
}

#[test]
fn a_payment_without_embedded_writes_none() {
    let json = payment();
    let payment: Payment = serde_json::from_value(json.clone()).expect("decodes");
    assert_eq!(payment.embedded, None);
    assert_eq!(serde_json::to_value(&payment).expect("serializes"), json);
}

#[test]
fn a_refund_and_a_chargeback_embed_their_payment() {
    let mut json = refund();
    json["_embedded"] = json!({"payment": payment()});
    let refund: Refund = serde_json::from_value(json.clone()).expect("decodes");
    let embedded = refund.embedded.as_ref().and_then(|e| e.payment.as_deref());
    assert_eq!(embedded.map(|p| p.id.as_str()), Some("tr_7UhSN1zuXS"));
    assert_eq!(serde_json::to_value(&refund).expect("serializes"), json);

    let mut json = chargeback();
    json["_embedded"] = json!({"payment": payment()});
    let chargeback: Chargeback = serde_json::from_value(json.clone()).expect("decodes");
    assert!(chargeback.embedded.is_some_and(|e| e.payment.is_some()));
}

#[test]
fn lists_of_refunds_and_chargebacks_decode() {
    let links =
        json!({"self": link("https://api.mollie.com/v2/refunds"), "previous": null, "next": null});
    let page = json!({"count": 1, "_embedded": {"refunds": [refund()]}, "_links": links});
    let refunds: List<Refund> = serde_json::from_value(page.clone()).expect("decodes");
    assert_eq!(refunds.items.len(), 1);
    assert_eq!(serde_json::to_value(&refunds).expect("serializes"), page);

    let page = json!({"count": 1, "_embedded": {"chargebacks": [chargeback()]}, "_links": links});
    let chargebacks: List<Chargeback> = serde_json::from_value(page).expect("decodes");
    assert_eq!(chargebacks.items[0].id, "chb_n9z0tp");
}
