//! Turning a response into a model or an [`Error`]: HAL+JSON bodies, 204s and Mollie's error
//! body.

use mollie_models::ErrorResponse;
use serde::de::DeserializeOwned;

use crate::error::{Committed, Error};
use crate::redact::Redactor;
use crate::request::IdempotencyKey;

/// How many bytes of an unexpected body an error quotes.
pub(crate) const EXCERPT_BYTES: usize = 256;

/// What is known about the request a response answers, for the errors built from it.
/// Borrowed: a success, the usual case, copies nothing out of it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub(crate) idempotency_key: Option<&'a IdempotencyKey>,
    /// Already redacted.
    pub(crate) request_id: Option<&'a str>,
    /// An earlier attempt of the call may have been processed.
    pub(crate) maybe_processed: bool,
    pub(crate) redactor: &'a Redactor,
}

/// The first bytes of a body, lossily decoded (a cut multi-byte character becomes `�`), with
/// secrets redacted. Redaction runs on a little more than the excerpt, so that a secret cut by
/// the excerpt's end is still recognised.
pub(crate) fn excerpt(body: &[u8], redactor: &Redactor) -> String {
    let window = body.len().min(EXCERPT_BYTES + redactor.lookahead());
    let redacted = redactor.text(&String::from_utf8_lossy(&body[..window]));
    let mut end = redacted.len().min(EXCERPT_BYTES);
    while !redacted.is_char_boundary(end) {
        end -= 1;
    }
    let mut text = redacted[..end].to_owned();
    if redacted.len() > end || body.len() > window {
        text.push('…');
    }
    text
}

/// Mollie's error body with every server-written string redacted: a hostile or broken server
/// may echo the request's headers into `detail`.
fn redacted(mut response: ErrorResponse, redactor: &Redactor) -> ErrorResponse {
    response.title = redactor.text(&response.title);
    response.detail = redactor.text(&response.detail);
    response.field = response.field.map(|field| redactor.text(&field));
    if let Some(links) = &mut response.links {
        links.documentation.href = redactor.text(&links.documentation.href);
    }
    response
}

/// Decodes a successful body as `T`. An empty body (a 204) decodes as JSON `null`, so
/// `()` and `Option<_>` accept it and anything else reports it.
pub(crate) fn decode<T: DeserializeOwned>(
    status: u16,
    body: &[u8],
    context: &Context,
) -> Result<T, Error> {
    let json: &[u8] = if body.is_empty() { b"null" } else { body };
    serde_json::from_slice(json).map_err(|e| Error::UnexpectedResponse {
        status,
        reason: if body.is_empty() {
            format!(
                "an empty body where {} was expected",
                short_type_name::<T>()
            )
        } else {
            // serde's message may quote the body's values.
            let why = context.redactor.text(&e.to_string());
            format!("the body is not {} ({why})", short_type_name::<T>())
        },
        excerpt: excerpt(body, context.redactor),
        idempotency_key: context.idempotency_key.cloned(),
        request_id: context.request_id.map(str::to_owned),
        committed: (200..=299)
            .contains(&status)
            .then(|| Box::new(committed(body, context.redactor))),
    })
}

/// The id and self link of what a 2xx body says was made: from its JSON if it parses, else
/// by scanning the first `"id"` and the `"self"` link's `"href"` of a truncated body (Mollie
/// writes `resource` and `id` first).
pub(crate) fn committed(body: &[u8], redactor: &Redactor) -> Committed {
    let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
    let (id, link) = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(json) => (
            json.get("id").and_then(|v| v.as_str()).map(str::to_owned),
            json.pointer("/_links/self/href")
                .and_then(|v| v.as_str())
                .map(str::to_owned),
        ),
        Err(_) => (
            string_after(&text, "\"id\""),
            text.find("\"self\"")
                .and_then(|at| string_after(&text[at..], "\"href\"")),
        ),
    };
    let is_mollie_id = |id: &String| {
        id.len() <= 128
            && id.split_once('_').is_some_and(|(prefix, rest)| {
                !prefix.is_empty()
                    && prefix.bytes().all(|b| b.is_ascii_lowercase())
                    && !rest.is_empty()
                    && rest
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            })
    };
    Committed {
        resource_id: id.filter(is_mollie_id).map(|id| redactor.text(&id)),
        self_link: link
            .filter(|link| link.len() <= 2048)
            .map(|link| redactor.text(&link)),
    }
}

/// The JSON string that follows the first `key` (`"key"`) and a colon in `text`, if whole.
fn string_after(text: &str, key: &str) -> Option<String> {
    let rest = &text[text.find(key)? + key.len()..];
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(rest[..end].to_owned())
}

/// The error of a non-success status: Mollie's error body as [`Error::Api`] (or
/// [`Error::RateLimited`] for a 429), anything else as [`Error::UnexpectedResponse`].
pub(crate) fn error_from(
    status: u16,
    retry_after: Option<std::time::Duration>,
    body: &[u8],
    context: &Context,
) -> Error {
    let response = serde_json::from_slice::<ErrorResponse>(body)
        .ok()
        .map(|response| Box::new(redacted(response, context.redactor)));
    if status == 429 {
        return Error::RateLimited {
            retry_after,
            response,
            idempotency_key: context.idempotency_key.cloned(),
            request_id: context.request_id.map(str::to_owned),
            maybe_processed: context.maybe_processed,
        };
    }
    match response {
        Some(response) if (400..=599).contains(&status) => Error::Api {
            status,
            response,
            idempotency_key: context.idempotency_key.cloned(),
            request_id: context.request_id.map(str::to_owned),
            maybe_processed: context.maybe_processed,
        },
        _ => Error::UnexpectedResponse {
            status,
            reason: if (300..=399).contains(&status) {
                "a redirect, which Mollie's API never sends".to_owned()
            } else {
                "an error status without Mollie's error body".to_owned()
            },
            excerpt: excerpt(body, context.redactor),
            idempotency_key: context.idempotency_key.cloned(),
            request_id: context.request_id.map(str::to_owned),
            committed: None,
        },
    }
}

/// `mollie_models::customer::Customer` -> `Customer`; generics keep their last segment too.
fn short_type_name<T>() -> String {
    let full = std::any::type_name::<T>();
    let mut out = String::with_capacity(full.len());
    let mut word = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            out.push_str(word.rsplit("::").next().unwrap_or(""));
            word.clear();
            out.push(c);
        }
    }
    out.push_str(word.rsplit("::").next().unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use mollie_models::{Customer, List};

    #[test]
    fn empty_body_is_null() {
        let context = context();
        decode::<()>(204, b"", &context).unwrap();
        assert_eq!(decode::<Option<u8>>(204, b"", &context).unwrap(), None);
        let error = decode::<Customer>(204, b"", &context).unwrap_err();
        assert!(
            error.to_string().contains("empty body where Customer"),
            "{error}"
        );
    }

    #[test]
    fn non_json_is_unexpected_with_status_and_excerpt() {
        let body = format!("<html>{}</html>", "x".repeat(1000));
        let error = decode::<Customer>(200, body.as_bytes(), &context()).unwrap_err();
        let Error::UnexpectedResponse {
            status, excerpt, ..
        } = &error
        else {
            panic!("{error:?}")
        };
        assert_eq!(*status, 200);
        assert!(excerpt.starts_with("<html>xxx"));
        assert_eq!(excerpt.chars().count(), EXCERPT_BYTES + 1);
    }

    fn context() -> Context<'static> {
        static REDACTOR: std::sync::LazyLock<Redactor> =
            std::sync::LazyLock::new(Redactor::default);
        Context {
            idempotency_key: None,
            request_id: None,
            maybe_processed: false,
            redactor: &REDACTOR,
        }
    }

    #[test]
    fn excerpt_cuts_utf8_safely() {
        let body = "é".repeat(200);
        let text = excerpt(body.as_bytes(), &Redactor::default());
        assert!(text.ends_with('…'));
    }

    #[test]
    fn error_bodies() {
        let body =
            br#"{"status":422,"title":"Unprocessable Entity","detail":"bad","field":"email"}"#;
        let key = IdempotencyKey::parse("k").unwrap();
        let context = Context {
            idempotency_key: Some(&key),
            ..context()
        };
        let error = error_from(422, None, body, &context);
        assert_eq!(error.field(), Some("email"));
        assert_eq!(error.idempotency_key().unwrap().as_str(), "k");
        assert!(matches!(error, Error::Api { status: 422, .. }));

        let error = error_from(502, None, b"Bad Gateway", &context);
        assert!(matches!(
            error,
            Error::UnexpectedResponse { status: 502, .. }
        ));
        assert!(error.is_retryable());

        let error = error_from(429, Some(std::time::Duration::from_secs(1)), b"", &context);
        assert_eq!(error.retry_after(), Some(std::time::Duration::from_secs(1)));
    }

    #[test]
    fn a_committed_body_that_does_not_decode_still_names_what_was_made() {
        let context = context();
        let truncated =
            br#"{"resource":"payment","id":"tr_7UhSN1zuXS","mode":"test","amount":{"curr"#;
        let error = decode::<Customer>(201, truncated, &context).unwrap_err();
        assert!(error.is_committed());
        let committed = error.committed().unwrap();
        assert_eq!(committed.resource_id.as_deref(), Some("tr_7UhSN1zuXS"));
        assert_eq!(committed.self_link, None);

        let whole_but_unexpected = br#"{"resource":"payment","id":"tr_7UhSN1zuXS",
            "_links":{"self":{"href":"https://api.mollie.com/v2/payments/tr_7UhSN1zuXS"}}}"#;
        let error = decode::<Customer>(201, whole_but_unexpected, &context).unwrap_err();
        let committed = error.committed().unwrap();
        assert_eq!(committed.resource_id.as_deref(), Some("tr_7UhSN1zuXS"));
        assert_eq!(
            committed.self_link.as_deref(),
            Some("https://api.mollie.com/v2/payments/tr_7UhSN1zuXS")
        );

        // Not an id of Mollie's shape: not claimed.
        let error = decode::<Customer>(201, br#"{"id":"<script>"}"#, &context).unwrap_err();
        assert_eq!(error.committed().unwrap().resource_id, None);
        // Not a success: nothing was committed.
        let error = decode::<Customer>(500, truncated, &context).unwrap_err();
        assert!(error.committed().is_none());
    }

    #[test]
    fn type_names_are_short() {
        assert_eq!(short_type_name::<Customer>(), "Customer");
        assert_eq!(short_type_name::<List<Customer>>(), "List<Customer>");
    }
}
