//! Every example response in Mollie's OpenAPI spec parses into its model, loses nothing when
//! written back, and is pinned as a snapshot of its typed form.
//!
//! The test walks the YAML itself (every operation, every status, every example, following
//! `$ref`s), so an example added to the spec cannot be skipped silently: the counts are asserted.
//! A last test builds a value with every property of a schema and checks that the model
//! writes it all back, so that no property the spec lists is dropped.

mod common;

use mollie_models::{
    Chargeback, Customer, ErrorResponse, List, Mandate, NewRefund, NewSubscription, Payment,
    PaymentUpdate, Refund, Subscription, SubscriptionUpdate,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What a response body of an operation parses into.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Model {
    Customer,
    CustomerList,
    Payment,
    PaymentList,
    Mandate,
    MandateList,
    Refund,
    RefundList,
    Chargeback,
    ChargebackList,
    Subscription,
    SubscriptionList,
    Error,
}

fn model_for(path: &str, method: &str, status: &str) -> Model {
    if !status.starts_with('2') {
        return Model::Error;
    }
    match (path, method) {
        ("/v2/customers", "post") | ("/v2/customers/{customerId}", "get" | "patch") => {
            Model::Customer
        }
        ("/v2/customers", "get") => Model::CustomerList,
        ("/v2/customers/{customerId}/payments", "post") => Model::Payment,
        ("/v2/customers/{customerId}/payments", "get") => Model::PaymentList,
        ("/v2/customers/{customerId}/mandates", "post")
        | ("/v2/customers/{customerId}/mandates/{mandateId}", "get") => Model::Mandate,
        ("/v2/customers/{customerId}/mandates", "get") => Model::MandateList,
        ("/v2/payments", "post") | ("/v2/payments/{paymentId}", "get" | "patch" | "delete") => {
            Model::Payment
        }
        ("/v2/payments", "get") => Model::PaymentList,
        ("/v2/payments/{paymentId}/refunds", "post")
        | ("/v2/payments/{paymentId}/refunds/{refundId}", "get") => Model::Refund,
        ("/v2/payments/{paymentId}/refunds" | "/v2/refunds", "get") => Model::RefundList,
        ("/v2/payments/{paymentId}/chargebacks/{chargebackId}", "get") => Model::Chargeback,
        ("/v2/payments/{paymentId}/chargebacks" | "/v2/chargebacks", "get") => {
            Model::ChargebackList
        }
        ("/v2/customers/{customerId}/subscriptions", "post")
        | (
            "/v2/customers/{customerId}/subscriptions/{subscriptionId}",
            "get" | "patch" | "delete",
        ) => Model::Subscription,
        ("/v2/customers/{customerId}/subscriptions" | "/v2/subscriptions", "get") => {
            Model::SubscriptionList
        }
        ("/v2/customers/{customerId}/subscriptions/{subscriptionId}/payments", "get") => {
            Model::PaymentList
        }
        other => panic!("no model for {other:?} {status}: the spec grew an operation"),
    }
}

/// Follows a local `$ref` (`#/components/...`).
fn resolve<'a>(spec: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').expect("local $ref");
            spec.pointer(pointer)
                .unwrap_or_else(|| panic!("dangling $ref {reference}"))
        }
        None => node,
    }
}

/// Removes `null` members: the models skip absent optional fields and write `null` only
/// where Mollie always sends the key, so absent and `null` are compared as equal.
fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// Replaces every string literal of a `Debug` rendering by `".."`, and the numbers of free
/// JSON (metadata) by `..`.
fn mask_strings(debug: &str) -> String {
    let debug = mask_json_numbers(debug);
    let mut out = String::with_capacity(debug.len());
    let mut chars = debug.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            out.push(c);
            continue;
        }
        out.push_str("\"..\"");
        // Skip to the closing quote, past escaped characters.
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => break,
                _ => {}
            }
        }
    }
    out
}

/// `Number(628351095)` (a `serde_json::Value` in metadata) becomes `Number(..)`.
fn mask_json_numbers(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find("Number(") {
        let (before, after) = rest.split_at(at + "Number(".len());
        out.push_str(before);
        let end = after.find(')').unwrap_or(after.len());
        out.push_str("..");
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Collects the JSON pointers where `expected` and `actual` differ.
fn diff(expected: &Value, actual: &Value, at: String, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                match a.get(key) {
                    Some(other) => diff(value, other, format!("{at}/{key}"), out),
                    None => out.push(format!("{at}/{key}: lost")),
                }
            }
            for key in a.keys().filter(|k| !e.contains_key(*k)) {
                out.push(format!("{at}/{key}: added"));
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                diff(x, y, format!("{at}/{i}"), out);
            }
        }
        _ if expected == actual => {}
        _ => out.push(format!("{at}: {expected} became {actual}")),
    }
}

/// Parses `example` as `T`, checks that writing it back gives the same JSON, and snapshots
/// the typed value.
fn check<T: DeserializeOwned + Serialize + std::fmt::Debug>(name: &str, example: &Value) {
    let parsed: T = serde_json::from_value(example.clone())
        .unwrap_or_else(|e| panic!("example {name} does not parse: {e}"));
    let written = serde_json::to_value(&parsed).expect("serializes");
    let mut differences = Vec::new();
    diff(
        &strip_nulls(example.clone()),
        &strip_nulls(written),
        String::new(),
        &mut differences,
    );
    assert!(
        differences.is_empty(),
        "example {name} does not round-trip: {differences:#?}"
    );
    // The snapshot pins the typed shape of the parse (which fields are set, which enum
    // variants and id types came out), not the spec's text: string values are masked so that
    // the spec's content (CC BY-NC-SA, kept outside this repository) is not copied into it.
    let shape = mask_strings(&format!("{parsed:#?}"));
    insta::with_settings!({ snapshot_suffix => name.to_owned(), prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("example", shape);
    });
}

fn check_as(model: Model, name: &str, example: &Value) {
    match model {
        Model::Customer => check::<Customer>(name, example),
        Model::CustomerList => check::<List<Customer>>(name, example),
        Model::Payment => check::<Payment>(name, example),
        Model::PaymentList => check::<List<Payment>>(name, example),
        Model::Mandate => check::<Mandate>(name, example),
        Model::MandateList => check::<List<Mandate>>(name, example),
        Model::Refund => check::<Refund>(name, example),
        Model::RefundList => check::<List<Refund>>(name, example),
        Model::Chargeback => check::<Chargeback>(name, example),
        Model::ChargebackList => check::<List<Chargeback>>(name, example),
        Model::Subscription => check::<Subscription>(name, example),
        Model::SubscriptionList => check::<List<Subscription>>(name, example),
        Model::Error => check::<ErrorResponse>(name, example),
    }
}

#[test]
fn every_example_response_in_the_spec_parses_and_round_trips() {
    let Some(spec) = common::load_spec() else {
        return;
    };
    let mut checked = 0;
    let mut by_model = std::collections::BTreeMap::<String, usize>::new();
    let paths = spec["paths"].as_object().expect("paths");
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, response) in responses {
                let response = resolve(&spec, response);
                let Some(content) = response.get("content").and_then(Value::as_object) else {
                    // 204: a deletion; 202: *Release authorization*, accepted for later.
                    assert!(
                        status == "204"
                            || (status == "202" && path.ends_with("/release-authorization")),
                        "{path} {method} {status}: only a 204 (or that 202) has no body"
                    );
                    continue;
                };
                let model = model_for(path, method, status);
                for (media_type, media) in content {
                    assert_eq!(
                        media_type, "application/hal+json",
                        "{path} {method} {status}"
                    );
                    let operation_id = operation["operationId"].as_str().expect("operationId");
                    if let Some(example) = media.get("example") {
                        check_as(model, &format!("{operation_id}-{status}"), example);
                        checked += 1;
                        *by_model.entry(format!("{model:?}")).or_default() += 1;
                    }
                    for (name, example) in media
                        .get("examples")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                    {
                        let example = resolve(&spec, example);
                        check_as(model, &format!("{operation_id}-{name}"), &example["value"]);
                        checked += 1;
                        *by_model.entry(format!("{model:?}")).or_default() += 1;
                    }
                }
            }
        }
    }
    // The spec (commit cfbba47b874b, recurring-billing.yaml) has 149 response examples under
    // its paths, counting the shared 404/429/400 error examples once per operation that uses
    // them; every one is checked. A new example changes these counts: look at it, then update
    // the numbers.
    assert_eq!(checked, 149, "{by_model:?}");
    let expected: std::collections::BTreeMap<String, usize> = [
        ("Chargeback", 2),
        ("ChargebackList", 6),
        ("Customer", 4),
        ("CustomerList", 1),
        ("Error", 78),
        ("Mandate", 3),
        ("MandateList", 1),
        ("Payment", 33),
        ("PaymentList", 9),
        ("Refund", 3),
        ("RefundList", 2),
        ("Subscription", 5),
        ("SubscriptionList", 2),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(by_model, expected);
}

#[test]
fn every_component_example_parses_and_round_trips() {
    let Some(spec) = common::load_spec() else {
        return;
    };
    let examples = spec["components"]["examples"]
        .as_object()
        .expect("examples");
    let mut names: Vec<&str> = examples.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "cancel-payment",
            "get-customer",
            "get-mandate",
            "get-payment",
            "get-refund",
            "get-subscription",
            "list-chargebacks"
        ]
    );
    for (name, example) in examples {
        let model = match name.as_str() {
            "cancel-payment" | "get-payment" => Model::Payment,
            "get-customer" => Model::Customer,
            "get-mandate" => Model::Mandate,
            "get-refund" => Model::Refund,
            "list-chargebacks" => Model::ChargebackList,
            "get-subscription" => Model::Subscription,
            other => panic!("unexpected component example {other}"),
        };
        check_as(model, &format!("component-{name}"), &example["value"]);
    }
    let responses = spec["components"]["responses"]
        .as_object()
        .expect("responses");
    assert_eq!(responses.len(), 3);
    for (name, response) in responses {
        let example = &response["content"]["application/hal+json"]["example"];
        check_as(Model::Error, &format!("component-{name}"), example);
    }
}

/// A value with every property `schema` lists, nested objects and array items included, of
/// the right shape for the models: the first enum value, an id of the pattern's prefix, an
/// amount in EUR. `keep` decides which properties take part.
fn full_value(spec: &Value, schema: &Value, keep: &dyn Fn(&str, &Value) -> bool) -> Value {
    let schema = resolve(spec, schema);
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        // The parts' properties together; a part that is not an object (an id's pattern, an
        // enum) gives the value when no part has properties.
        let mut merged = serde_json::Map::new();
        let mut scalar = None;
        for part in parts {
            match full_value(spec, part, keep) {
                Value::Object(map) => merged.extend(map),
                other => scalar = scalar.or(Some(other)),
            }
        }
        return match scalar {
            Some(value) if merged.is_empty() => value,
            _ => Value::Object(merged),
        };
    }
    if let Some(reference) = schema.get("$ref") {
        // A `$ref` beside `type` (OpenAPI 3.1): the reference decides the shape.
        return full_value(spec, &serde_json::json!({ "$ref": reference }), keep);
    }
    if let Some(choices) = schema.get("oneOf").and_then(Value::as_array) {
        return full_value(spec, &choices[0], keep);
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values[0].clone();
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        if properties.contains_key("currency") && properties.contains_key("value") {
            return serde_json::json!({"currency": "EUR", "value": "10.00"});
        }
        return Value::Object(
            properties
                .iter()
                .filter(|(name, property)| keep(name, resolve(spec, property)))
                .map(|(name, property)| (name.clone(), full_value(spec, property, keep)))
                .collect(),
        );
    }
    if types.contains(&"object") {
        return Value::Object(serde_json::Map::new());
    }
    if types.contains(&"array") {
        return Value::Array(vec![full_value(spec, &schema["items"], keep)]);
    }
    if types.contains(&"boolean") {
        return Value::Bool(true);
    }
    if types.contains(&"number") || types.contains(&"integer") {
        return Value::from(1);
    }
    match schema.get("pattern").and_then(Value::as_str) {
        Some(pattern) => {
            let prefix = pattern.trim_start_matches('^').trim_end_matches("$");
            Value::String(format!("{}abc", prefix.trim_end_matches(".+")))
        }
        None => Value::String("x".to_owned()),
    }
}

/// Whether the property is read-only (on itself or on what it references).
fn read_only(spec: &Value, property: &Value) -> bool {
    let parts = property.get("allOf").and_then(Value::as_array);
    property["readOnly"] == true
        || parts.is_some_and(|parts| parts.iter().any(|p| resolve(spec, p)["readOnly"] == true))
}

/// A value with every property of `schema` parses as `T` and is written back whole: the
/// model carries every property the spec lists (`testmode` aside: the client sets it, and
/// Mollie never sends it back; and the properties in `skip`). A request body leaves out the
/// read-only properties.
fn check_carries_every_property<T: DeserializeOwned + Serialize>(
    spec: &Value,
    name: &str,
    schema: &Value,
    request: bool,
    skip: &[&str],
) {
    let keep = |property: &str, schema: &Value| {
        property != "testmode" && !skip.contains(&property) && !(request && read_only(spec, schema))
    };
    let full = full_value(spec, schema, &keep);
    let parsed: T = serde_json::from_value(full.clone())
        .unwrap_or_else(|e| panic!("a full {name} does not parse: {e}\n{full:#}"));
    let written = serde_json::to_value(&parsed).expect("serializes");
    let mut differences = Vec::new();
    diff(&full, &written, String::new(), &mut differences);
    assert!(
        differences.is_empty(),
        "{name} does not carry every property of its schema: {differences:#?}"
    );
}

#[test]
fn the_models_carry_every_property_of_their_schemas() {
    let Some(spec) = common::load_spec() else {
        return;
    };
    let schemas = &spec["components"]["schemas"];
    for schema in [
        "entity-refund-response",
        "entity-refund",
        "list-entity-refund",
    ] {
        check_carries_every_property::<Refund>(&spec, schema, &schemas[schema], false, &[]);
    }
    for schema in ["entity-chargeback", "list-entity-chargeback"] {
        check_carries_every_property::<Chargeback>(&spec, schema, &schemas[schema], false, &[]);
    }
    // A payment response lists three write-only request fields that Mollie does not send
    // back (and `Payment` does not carry): `issuer`, `dueDate`, `storeCredentials`.
    let write_only = ["issuer", "dueDate", "storeCredentials"];
    for schema in ["payment-response", "list-payment-response"] {
        check_carries_every_property::<Payment>(
            &spec,
            schema,
            &schemas[schema],
            false,
            &write_only,
        );
    }
    check_carries_every_property::<NewRefund>(
        &spec,
        "refund-request",
        &schemas["refund-request"],
        true,
        &[],
    );
    let update = &spec["paths"]["/v2/payments/{paymentId}"]["patch"]["requestBody"]["content"]["application/json"]
        ["schema"];
    check_carries_every_property::<PaymentUpdate>(&spec, "update-payment", update, true, &[]);

    // `profileId` is write-only, and the client places it (query or body), not the models.
    for schema in ["entity-subscription", "list-entity-subscription"] {
        check_carries_every_property::<Subscription>(
            &spec,
            schema,
            &schemas[schema],
            false,
            &["profileId"],
        );
    }
    check_carries_every_property::<NewSubscription>(
        &spec,
        "subscription-request",
        &schemas["subscription-request"],
        true,
        &["profileId"],
    );
    let update = &spec["paths"]["/v2/customers/{customerId}/subscriptions/{subscriptionId}"]["patch"]
        ["requestBody"]["content"]["application/json"]["schema"];
    check_carries_every_property::<SubscriptionUpdate>(
        &spec,
        "update-subscription",
        update,
        true,
        &[],
    );
}
