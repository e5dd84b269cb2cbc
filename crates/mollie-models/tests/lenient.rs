//! Response fields the spec leaves optional decode when a payment leaves them out: a payment
//! that was made must never come back as an error because of a field it may omit.

use mollie_models::{Payment, PaymentStatus};
use serde_json::json;

fn recurring_payment(extra: serde_json::Value) -> serde_json::Value {
    let mut payment = json!({
        "resource": "payment", "id": "tr_7UhSN1zuXS", "mode": "test",
        "createdAt": "2024-03-20T09:13:37+00:00", "status": "pending",
        "isCancelable": true, "amount": {"currency": "EUR", "value": "10.00"},
        "description": "March", "method": "directdebit", "metadata": null,
        "sequenceType": "recurring", "profileId": "pfl_QkEhN94Ba",
        "customerId": "cst_8wmqcHMN4U", "mandateId": "mdt_h3gAaD5zP",
        "redirectUrl": null, "webhookUrl": null,
        "_links": {
            "self": {"href": "https://api.mollie.com/v2/payments/tr_7UhSN1zuXS", "type": "application/hal+json"},
            "dashboard": {"href": "https://my.mollie.com/dashboard/payments/tr_7UhSN1zuXS", "type": "text/html"}
        }
    });
    for (key, value) in extra.as_object().unwrap() {
        payment[key] = value.clone();
    }
    payment
}

#[test]
fn an_application_fee_without_description_or_amount_decodes() {
    for fee in [
        json!({"amount": {"currency": "EUR", "value": "0.50"}}),
        json!({"description": "Platform fee"}),
        json!({}),
    ] {
        let json = recurring_payment(json!({"applicationFee": fee}));
        let payment: Payment = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(payment.status, PaymentStatus::Pending);
        // What was absent stays absent on the way back.
        let back = serde_json::to_value(&payment).unwrap();
        assert_eq!(back["applicationFee"], fee);
    }
}

#[test]
fn a_qr_code_without_its_fields_decodes() {
    let json =
        recurring_payment(json!({"details": {"qrCode": {"src": "data:image/png;base64,AA=="}}}));
    let payment: Payment = serde_json::from_value(json).unwrap();
    let qr = payment.details.unwrap().qr_code.unwrap();
    assert_eq!(qr.src.as_deref(), Some("data:image/png;base64,AA=="));
    assert_eq!((qr.height, qr.width), (None, None));
}
