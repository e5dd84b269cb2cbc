//! Every example response in Mollie's OpenAPI spec parses into its model, loses nothing when
//! written back, and is pinned as a snapshot of its typed form.
//!
//! The test walks the YAML itself (every operation, every status, every example, following
//! `$ref`s), so an example added to the spec cannot be skipped silently: the counts are asserted.

mod common;

use mollie_models::{Customer, ErrorResponse, List, Mandate, Payment};
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
                    assert_eq!(status, "204", "{path} {method}: only a 204 has no body");
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
    // The spec (commit cfbba47b874b) has 50 response examples under the five paths, counting
    // the shared 404/429/400 error examples once per operation that uses them. A new example
    // changes this count: look at it, then update the numbers.
    assert_eq!(checked, 50, "{by_model:?}");
    let expected: std::collections::BTreeMap<String, usize> = [
        ("Customer", 4),
        ("CustomerList", 1),
        ("Error", 25),
        ("Mandate", 3),
        ("MandateList", 1),
        ("Payment", 13),
        ("PaymentList", 3),
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
    assert_eq!(names, ["get-customer", "get-mandate", "get-payment"]);
    for (name, example) in examples {
        let model = match name.as_str() {
            "get-customer" => Model::Customer,
            "get-mandate" => Model::Mandate,
            "get-payment" => Model::Payment,
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
