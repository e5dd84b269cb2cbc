//! Request validation on the JSON body, answering like Mollie: 422 with the `field`.

use mollie_models::{Date, Locale, METADATA_MAX_BYTES, Money, PaymentMethod};
use serde_json::{Map, Value};

use crate::errors::{ApiError, quoted};

/// A JSON object body.
pub(crate) type Body = Map<String, Value>;

/// Parses a request body: empty means `{}`; anything but a JSON object is a 400.
pub(crate) fn parse_body(bytes: &[u8]) -> Result<Body, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request(
            "The request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::bad_request(format!(
            "The JSON in the request body is invalid: {}",
            quoted(&e.to_string())
        ))),
    }
}

/// An optional string field; `null` is absent.
pub(crate) fn opt_str<'a>(body: &'a Body, field: &str) -> Result<Option<&'a str>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::unprocessable(
            field,
            format!("The '{field}' field must be a string"),
        )),
    }
}

/// A required, non-empty string field.
pub(crate) fn req_str<'a>(body: &'a Body, field: &str) -> Result<&'a str, ApiError> {
    match opt_str(body, field)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        Some(_) => Err(ApiError::unprocessable(
            field,
            format!("The '{field}' field cannot be empty"),
        )),
        None => Err(ApiError::unprocessable(
            field,
            format!("The '{field}' field is missing"),
        )),
    }
}

/// A string of at most `max` characters.
pub(crate) fn max_chars(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.chars().count() > max {
        return Err(ApiError::unprocessable(
            field,
            format!("The '{field}' field is longer than {max} characters"),
        ));
    }
    Ok(())
}

/// An optional boolean field.
pub(crate) fn opt_bool(body: &Body, field: &str) -> Result<Option<bool>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::unprocessable(
            field,
            format!("The '{field}' field must be a boolean"),
        )),
    }
}

/// An email address, roughly as Mollie checks it: `local@domain.tld`, ASCII (a non-ASCII
/// domain must be sent in Punycode), no spaces.
pub(crate) fn email(field: &str, value: &str) -> Result<(), ApiError> {
    let valid = value.len() <= 254
        && value.is_ascii()
        && !value
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && local.len() <= 64
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
                && domain
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        });
    if valid {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            field,
            format!("The email address '{}' is invalid", quoted(value)),
        ))
    }
}

/// An optional locale that Mollie knows.
pub(crate) fn opt_locale(body: &Body, field: &str) -> Result<Option<Locale>, ApiError> {
    let Some(value) = opt_str(body, field)? else {
        return Ok(None);
    };
    let locale = Locale::from(value);
    if locale.is_unknown() {
        return Err(ApiError::unprocessable(
            field,
            format!("The locale '{}' is not supported", quoted(value)),
        ));
    }
    Ok(Some(locale))
}

/// Metadata: a string, number, object, array of strings or null, at most
/// [`METADATA_MAX_BYTES`] of JSON. Absent is `null`.
pub(crate) fn metadata(body: &Body) -> Result<Value, ApiError> {
    let value = body.get("metadata").cloned().unwrap_or(Value::Null);
    let shape_ok = match &value {
        Value::Null | Value::String(_) | Value::Number(_) | Value::Object(_) => true,
        Value::Array(items) => items.iter().all(Value::is_string),
        Value::Bool(_) => false,
    };
    if !shape_ok {
        return Err(ApiError::unprocessable(
            "metadata",
            "The metadata must be a string, a number, an object or an array of strings",
        ));
    }
    let size = serde_json::to_string(&value).map_or(usize::MAX, |s| s.len());
    if size > METADATA_MAX_BYTES {
        return Err(ApiError::unprocessable(
            "metadata",
            format!(
                "The metadata is {size} bytes of JSON; at most {METADATA_MAX_BYTES} are allowed"
            ),
        ));
    }
    Ok(value)
}

/// The required `amount`: `{"currency": "EUR", "value": "10.00"}` with the currency's
/// decimals. `allow_zero` for first payments (card verification).
pub(crate) fn amount(body: &Body, allow_zero: bool) -> Result<Money, ApiError> {
    let amount = match body.get("amount") {
        None | Some(Value::Null) => {
            return Err(ApiError::unprocessable(
                "amount",
                "The 'amount' field is missing",
            ));
        }
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(ApiError::unprocessable(
                "amount",
                "The 'amount' field must be an object with 'currency' and 'value'",
            ));
        }
    };
    let get = |key: &str| match amount.get(key) {
        Some(Value::String(s)) => Ok(s.as_str()),
        Some(_) => Err(ApiError::unprocessable(
            &format!("amount.{key}"),
            format!("The 'amount.{key}' field must be a string"),
        )),
        None => Err(ApiError::unprocessable(
            &format!("amount.{key}"),
            format!("The 'amount.{key}' field is missing"),
        )),
    };
    let currency = get("currency")?;
    let value = get("value")?;
    let money = Money::new(currency, value).map_err(|e| {
        ApiError::unprocessable(e.field(), format!("The amount is invalid: {}", e.reason()))
    })?;
    let minor = money.minor_units().unwrap_or(-1);
    if minor < 0 || (minor == 0 && !allow_zero) {
        return Err(ApiError::unprocessable(
            "amount",
            "The amount is lower than the minimum",
        ));
    }
    Ok(money)
}

/// An `http(s)` URL.
pub(crate) fn url(field: &str, value: &str) -> Result<(), ApiError> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let valid = rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && !r.chars().any(|c| c.is_whitespace() || c.is_control())
    }) && value.len() <= 2048;
    if valid {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            field,
            format!("The URL '{}' is invalid", quoted(value)),
        ))
    }
}

/// A payment method from Mollie's request enum (legacy methods are refused).
pub(crate) fn payment_method(field: &str, value: &str) -> Result<PaymentMethod, ApiError> {
    let method = PaymentMethod::from(value);
    let legacy = matches!(
        method,
        PaymentMethod::KlarnaPayLater
            | PaymentMethod::KlarnaPayNow
            | PaymentMethod::KlarnaSliceIt
            | PaymentMethod::Payconiq
    );
    if method.is_unknown() || legacy {
        return Err(ApiError::unprocessable(
            field,
            format!("The payment method '{}' is invalid", quoted(value)),
        ));
    }
    Ok(method)
}

/// An optional `YYYY-MM-DD` date.
pub(crate) fn opt_date(body: &Body, field: &str) -> Result<Option<Date>, ApiError> {
    let Some(value) = opt_str(body, field)? else {
        return Ok(None);
    };
    Date::parse(value).map(Some).map_err(|_| {
        ApiError::unprocessable(
            field,
            format!(
                "The date '{}' is not a valid date in the form YYYY-MM-DD",
                quoted(value)
            ),
        )
    })
}

/// An optional object field, parsed into a model type.
pub(crate) fn opt_typed<T: serde::de::DeserializeOwned>(
    body: &Body,
    field: &str,
) -> Result<Option<T>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => T::deserialize(value).map(Some).map_err(|e| {
            ApiError::unprocessable(
                field,
                format!("The '{field}' field is invalid: {}", quoted(&e.to_string())),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Body {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn bodies() {
        assert!(parse_body(b"").expect("empty").is_empty());
        assert_eq!(parse_body(b"[1]").expect_err("array").status.as_u16(), 400);
        assert_eq!(
            parse_body(b"{\"a\":").expect_err("bad").status.as_u16(),
            400
        );
    }

    #[test]
    fn emails() {
        assert!(email("email", "jane@example.org").is_ok());
        assert!(email("email", "jane@xn--bcher-kva.example").is_ok());
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.org",
            "jane@example",
            "ja ne@example.org",
            "jané@example.org",
            "a@b@example.org",
        ] {
            assert_eq!(
                email("email", bad).expect_err(bad).field.as_deref(),
                Some("email")
            );
        }
    }

    #[test]
    fn amounts() {
        let ok = amount(
            &body(json!({"amount": {"currency": "EUR", "value": "10.00"}})),
            false,
        );
        assert_eq!(ok.expect("ok").value(), "10.00");
        let cases = [
            (json!({}), "amount"),
            (json!({"amount": 10}), "amount"),
            (
                json!({"amount": {"currency": "EUR", "value": "10"}}),
                "amount.value",
            ),
            (
                json!({"amount": {"currency": "eur", "value": "10.00"}}),
                "amount.currency",
            ),
            (
                json!({"amount": {"currency": "EUR", "value": 10}}),
                "amount.value",
            ),
            (
                json!({"amount": {"currency": "EUR", "value": "-1.00"}}),
                "amount",
            ),
            (
                json!({"amount": {"currency": "EUR", "value": "0.00"}}),
                "amount",
            ),
        ];
        for (input, field) in cases {
            let err = amount(&body(input.clone()), false).expect_err("bad");
            assert_eq!(err.field.as_deref(), Some(field), "{input}");
        }
        assert!(
            amount(
                &body(json!({"amount": {"currency": "EUR", "value": "0.00"}})),
                true
            )
            .is_ok()
        );
    }

    #[test]
    fn metadata_shapes_and_size() {
        assert_eq!(metadata(&body(json!({}))).expect("ok"), Value::Null);
        assert!(metadata(&body(json!({"metadata": {"a": [1, 2]}}))).is_ok());
        assert!(metadata(&body(json!({"metadata": true}))).is_err());
        assert!(metadata(&body(json!({"metadata": [1]}))).is_err());
        let big = "x".repeat(1100);
        assert!(metadata(&body(json!({ "metadata": big }))).is_err());
    }
}
