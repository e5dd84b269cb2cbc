//! Mollie's error body and the mock's internal reply type.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mollie_models::{ErrorLinks, ErrorResponse, Link};

/// The media type of every JSON body Mollie sends.
pub(crate) const HAL_JSON: &str = "application/hal+json";

/// Mollie's guide on error handling, linked from most error bodies.
const ERRORS_DOC: &str = "https://docs.mollie.com/overview/handling-errors";
/// Mollie's guide on authentication, linked from 401 bodies.
const AUTH_DOC: &str = "https://docs.mollie.com/overview/authentication";

/// A response as the mock produces it, before it becomes an HTTP response. Idempotency stores
/// these, so that a replay is byte for byte the first answer.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// A JSON body (`application/hal+json`), or none (204, 202).
    pub body: Option<Vec<u8>>,
}

impl Reply {
    /// A JSON reply with `status`.
    pub fn json(status: StatusCode, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    /// `204 No Content`.
    pub fn no_content() -> Self {
        Self::empty(StatusCode::NO_CONTENT)
    }

    /// A reply without a body, e.g. `202 Accepted`.
    pub fn empty(status: StatusCode) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: None,
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = match self.body {
            Some(body) => {
                let mut r = (self.status, body).into_response();
                r.headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(HAL_JSON));
                r
            }
            None => self.status.into_response(),
        };
        for (name, value) in self.headers {
            response.headers_mut().append(name, value);
        }
        response
    }
}

/// An error answer, with Mollie's body.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub detail: String,
    pub field: Option<String>,
    pub documentation: &'static str,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    /// An error with `status` and `detail`.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            field: None,
            documentation: ERRORS_DOC,
            headers: Vec::new(),
        }
    }

    /// `400 Bad Request`.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// `404 Not Found`.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// `422 Unprocessable Entity` about `field`.
    pub fn unprocessable(field: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail).with_field(field)
    }

    /// `401 Unauthorized`, exactly as Mollie sends it.
    pub fn unauthorized() -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "Missing authentication, or failed to authenticate",
        );
        e.documentation = AUTH_DOC;
        e.headers.push((
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"Mollie API\""),
        ));
        e
    }

    /// Names the field that caused the error.
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    /// Adds a header to the error response.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Mollie's error body.
    pub fn to_error_response(&self) -> ErrorResponse {
        let title = match self.status {
            StatusCode::UNAUTHORIZED => "Unauthorized Request",
            s => s.canonical_reason().unwrap_or("Error"),
        };
        ErrorResponse {
            status: self.status.as_u16(),
            title: title.to_owned(),
            detail: self.detail.clone(),
            field: self.field.clone(),
            links: Some(ErrorLinks {
                documentation: Link::html(self.documentation),
            }),
        }
    }

    /// The reply: Mollie's error body as `application/hal+json`.
    pub fn into_reply(self) -> Reply {
        let body = self.to_error_response();
        // Serializing a struct of strings cannot fail; an empty body would still be a reply.
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        Reply {
            status: self.status,
            headers: self.headers,
            body: Some(bytes),
        }
    }
}

/// Quotes untrusted input for an error detail: at most 60 characters, control characters
/// escaped, so a hostile value cannot flood a log or forge lines.
pub(crate) fn quoted(input: &str) -> String {
    let mut out: String = input.chars().take(60).collect::<String>();
    out = out.escape_debug().to_string();
    if input.chars().count() > 60 {
        out.push('…');
    }
    out
}
