//! Decoding a 250-item payments page into `List<Payment>`, beside `serde_json::Value`.
//!
//! The page repeats the spec's `get-payment` example (or, without the spec, a payment of the
//! same shape with card details), with distinct ids, so both decoders read the same bytes.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mollie_models::{List, Payment};
use serde_json::{Value, json};

fn payment_example() -> Value {
    let spec = std::env::var_os("MOLLIE_OPENAPI_SPEC")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/mollie-openapi/recurring-billing.yaml")
        });
    if let Ok(text) = std::fs::read_to_string(&spec) {
        let spec: Value = serde_norway::from_str(&text).expect("spec is YAML");
        return spec["components"]["examples"]["get-payment"]["value"].clone();
    }
    eprintln!(
        "spec not found at {}: using the built-in payment",
        spec.display()
    );
    json!({
        "resource": "payment", "id": "tr_5B8cwPMGnU6qLbRvo7qEZo", "mode": "live",
        "amount": {"value": "10.00", "currency": "EUR"}, "description": "Order #12345",
        "sequenceType": "recurring", "redirectUrl": "https://webshop.example.org/order/12345/",
        "webhookUrl": "https://webshop.example.org/payments/webhook/",
        "metadata": {"order_id": 12345}, "profileId": "pfl_QkEhN94Ba", "status": "paid",
        "customerId": "cst_8wmqcHMN4U", "mandateId": "mdt_h3gAaD5zP", "method": "creditcard",
        "details": {"cardNumber": "9267", "cardHolder": "A. Walsh", "cardLabel": "Mastercard",
                    "cardSecurity": "normal", "feeRegion": "intra-eu"},
        "createdAt": "2024-03-20T09:13:37+00:00", "paidAt": "2024-03-20T09:14:37+00:00",
        "_links": {
            "self": {"href": "https://api.mollie.com/v2/payments/tr_5B8cwPMGnU6qLbRvo7qEZo", "type": "application/hal+json"},
            "dashboard": {"href": "https://my.mollie.com/dashboard/org_12345678/payments/tr_5B8cwPMGnU6qLbRvo7qEZo", "type": "text/html"},
            "documentation": {"href": "https://docs.mollie.com/reference/get-payment", "type": "text/html"}
        }
    })
}

fn page_of_250() -> Vec<u8> {
    let example = payment_example();
    let payments: Vec<Value> = (0..250)
        .map(|i| {
            let mut payment = example.clone();
            payment["id"] = Value::String(format!("tr_bench{i:05}"));
            payment
        })
        .collect();
    let page = json!({
        "count": 250,
        "_embedded": {"payments": payments},
        "_links": {
            "self": {"href": "https://api.mollie.com/v2/customers/cst_8wmqcHMN4U/payments?limit=250", "type": "application/hal+json"},
            "previous": null,
            "next": {"href": "https://api.mollie.com/v2/customers/cst_8wmqcHMN4U/payments?from=tr_bench00250&limit=250", "type": "application/hal+json"},
            "documentation": {"href": "https://docs.mollie.com/reference/list-customer-payments", "type": "text/html"}
        }
    });
    serde_json::to_vec(&page).expect("serializes")
}

fn decode(c: &mut Criterion) {
    let bytes = page_of_250();
    let typed: List<Payment> = serde_json::from_slice(&bytes).expect("page decodes");
    assert_eq!(typed.items.len(), 250);

    let mut group = c.benchmark_group("payments_page_250");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("typed List<Payment>", |b| {
        b.iter(|| serde_json::from_slice::<List<Payment>>(std::hint::black_box(&bytes)))
    });
    group.bench_function("serde_json::Value", |b| {
        b.iter(|| serde_json::from_slice::<Value>(std::hint::black_box(&bytes)))
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
