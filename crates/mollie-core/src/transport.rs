//! The seam between the call pipeline and the network: one HTTP exchange in, one response
//! (or a [`TransportError`]) out.
//!
//! Everything that makes a call safe stays above this trait, in the client: the credential
//! and idempotency key are already in the [`HttpRequest`], retries, deadlines and decoding
//! happen after it returns. A [`Transport`] only moves bytes, so it can be the default
//! [`ReqwestTransport`], a reqwest client of your own (proxies, root certificates, mTLS),
//! a middleware stack, or an in-memory fake for unit tests.
//!
//! ```
//! use mollie_core::transport::{HttpRequest, HttpResponse, Transport, TransportError};
//! use mollie_core::{Client, Request};
//! use mollie_models::{Customer, CustomerId};
//!
//! /// Answers every request with the same customer, without a network.
//! struct Canned;
//!
//! #[async_trait::async_trait]
//! impl Transport for Canned {
//!     async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
//!         assert_eq!(request.url(), "https://api.mollie.com/v2/customers/cst_8wmqcHMN4U");
//!         let link = |href: &str| serde_json::json!({"href": href, "type": "text/html"});
//!         let body = serde_json::json!({
//!             "resource": "customer", "id": "cst_8wmqcHMN4U", "mode": "test",
//!             "createdAt": "2024-03-20T09:13:37+00:00",
//!             "_links": {"self": link("https://api.mollie.com/v2/customers/cst_8wmqcHMN4U"),
//!                        "dashboard": link("https://my.mollie.com/dashboard/customers")},
//!         });
//!         Ok(HttpResponse::new(200, body.to_string().into_bytes()).header("content-type", "application/hal+json"))
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), mollie_core::Error> {
//! let client = Client::builder()
//!     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
//!     .transport(Canned)
//!     .build()?;
//! let id = CustomerId::parse("cst_8wmqcHMN4U")?;
//! let customer: Customer = client.send(Request::get().segment("customers").id(&id)).await?;
//! assert_eq!(customer.id, id);
//! # Ok(()) }
//! ```

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::request::Method;

mod reqwest_transport;

pub use reqwest_transport::ReqwestTransport;

/// The reqwest version [`ReqwestTransport`] is built on, to configure a client of your own
/// for [`ClientBuilder::http_client`](crate::ClientBuilder::http_client) without naming a
/// second reqwest in your `Cargo.toml`.
pub use reqwest;

/// Sends one HTTP exchange. Implement it to put your own stack between the SDK and Mollie.
///
/// The contract:
/// - Send the request as given (method, URL, headers, body); follow no redirect.
/// - Return the response whatever its status: a 4xx or 5xx is an [`HttpResponse`], not an
///   error. Read at most [`HttpRequest::max_response_bytes`] of the body; if there is more,
///   stop and mark the response [`truncated`](HttpResponse::truncated).
/// - Report failures with the [`TransportError`] constructor that says how far the request
///   got: [`connect`](TransportError::connect) only when nothing was sent (the client then
///   retries even a payment freely), anything else when the request may have arrived.
/// - Never log or echo the `authorization` header.
///
/// Timeouts need not be handled: the client bounds every attempt by
/// [`HttpRequest::timeout`] and drops the future when it passes.
#[async_trait::async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and reads its response.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// One request, ready for the wire: the credential, `User-Agent`, `Accept`, and for writes
/// the `Idempotency-Key` and `Content-Type` are among its headers.
///
/// Its `Debug` shows every header but `authorization`.
///
/// Cloning it is cheap: the header values and the body are shared, not copied (the client
/// clones it once per attempt).
#[derive(Clone)]
pub struct HttpRequest {
    pub(crate) method: Method,
    pub(crate) url: String,
    /// Every value is visible ASCII; `authorization`'s is marked sensitive. Shared by the
    /// attempts of a call.
    pub(crate) headers: Arc<[(HeaderName, HeaderValue)]>,
    pub(crate) body: Option<Bytes>,
    pub(crate) timeout: Duration,
    pub(crate) max_response_bytes: usize,
}

impl HttpRequest {
    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The absolute URL, query included.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every header, names in lower case.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        // The client builds only visible-ASCII values, which `to_str` always takes.
        self.headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.to_str().unwrap_or_default()))
    }

    /// The value of the header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The JSON body, if the request has one.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// How long the client waits for this attempt (a hint: the client enforces it).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The most body bytes the client accepts; read no more.
    pub fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers()
            .map(|(name, value)| {
                if name == "authorization" {
                    (name, "[redacted]")
                } else {
                    (name, value)
                }
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body_bytes", &self.body.as_ref().map(Bytes::len))
            .finish_non_exhaustive()
    }
}

/// A response read to the end (or to [`HttpRequest::max_response_bytes`]).
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub(crate) status: u16,
    /// As the HTTP library parsed them; taken, not copied, from reqwest's response.
    pub(crate) headers: HeaderMap,
    /// Headers added by [`header`](Self::header) that are not valid HTTP (a fake's), kept
    /// as given rather than dropped.
    pub(crate) raw_headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
    pub(crate) truncated: bool,
}

impl HttpResponse {
    /// A response with a status and a body, no headers yet.
    pub fn new(status: u16, body: Vec<u8>) -> Self {
        Self::from_parts(status, HeaderMap::new(), Bytes::from(body))
    }

    pub(crate) fn from_parts(status: u16, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            raw_headers: Vec::new(),
            body,
            truncated: false,
        }
    }

    /// Adds a header (the name is kept in lower case).
    #[must_use]
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            (Ok(name), Ok(value)) if value.to_str().is_ok() => {
                self.headers.append(name, value);
            }
            _ => self.raw_headers.push((name.to_ascii_lowercase(), value)),
        }
        self
    }

    /// Marks the body as cut at [`HttpRequest::max_response_bytes`]: there was more.
    #[must_use]
    pub fn truncated(mut self) -> Self {
        self.truncated = true;
        self
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The first value of the header `name`, if present. A value that is not visible ASCII
    /// (Mollie sends none) is of no use to the client and reads as absent.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        match HeaderName::from_bytes(name.as_bytes()) {
            Ok(name) => self.header_named(&name),
            // Not a name HTTP allows: only a fake's headers can hold it.
            Err(_) => self.raw_header(name),
        }
    }

    /// [`header_value`](Self::header_value) by a name parsed once, not per call.
    pub(crate) fn header_named(&self, name: &HeaderName) -> Option<&str> {
        match self.headers.get(name) {
            Some(value) => value.to_str().ok(),
            None => self.raw_header(name.as_str()),
        }
    }

    fn raw_header(&self, name: &str) -> Option<&str> {
        self.raw_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as read.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Whether the body was cut short because it was too large.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }
}

/// How far a failed exchange got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// No connection: nothing was sent.
    Connect,
    /// The transport's own timer ran out.
    Timeout,
    /// The response body could not be read.
    Body,
    /// The HTTP client followed a redirect (a client of your own with a redirect policy).
    Redirect,
    /// Anything else after the connection was made: reset, TLS failure, protocol error.
    Other,
}

/// Why a [`Transport`] produced no response: opaque, with predicates, and the cause
/// behind [`source`](std::error::Error::source).
///
/// Its `Display` is a short phrase without URLs or headers; the source chain is the
/// transport's own error.
pub struct TransportError {
    kind: Kind,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl TransportError {
    fn new(kind: Kind, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self {
            kind,
            source: Some(source.into()),
        }
    }

    /// No connection could be made (DNS, refused, unreachable, connect timeout): the request
    /// was certainly not sent.
    pub fn connect(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self::new(Kind::Connect, source)
    }

    /// The transport's own timeout ran out after the request may have been sent.
    pub fn timeout(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self::new(Kind::Timeout, source)
    }

    /// The response's body could not be read (the request arrived).
    pub fn body(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self::new(Kind::Body, source)
    }

    /// The HTTP client followed a redirect, which Mollie's API never sends.
    pub fn redirect(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self::new(Kind::Redirect, source)
    }

    /// Any other failure once connected: the request may have arrived.
    pub fn other(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self::new(Kind::Other, source)
    }

    /// Whether no connection could be made, so that nothing was sent.
    pub fn is_connect(&self) -> bool {
        self.kind == Kind::Connect
    }

    /// Whether a timer of the transport ran out.
    pub fn is_timeout(&self) -> bool {
        self.kind == Kind::Timeout
    }

    /// Whether reading the response's body failed.
    pub fn is_body(&self) -> bool {
        self.kind == Kind::Body
    }

    /// Whether a redirect was followed (and refused).
    pub fn is_redirect(&self) -> bool {
        self.kind == Kind::Redirect
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            Kind::Connect => "could not connect",
            Kind::Timeout => "timed out",
            Kind::Body => "the response body could not be read",
            Kind::Redirect => "the HTTP client followed a redirect, which Mollie never sends",
            Kind::Other => "the connection failed",
        })
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("source", &self.source)
            .finish()
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_a_request_hides_the_credential() {
        let request = HttpRequest {
            method: Method::Get,
            url: "https://api.mollie.com/v2/customers".into(),
            headers: Arc::new([
                (
                    reqwest::header::AUTHORIZATION,
                    HeaderValue::from_static("Bearer test_TopSecret42"),
                ),
                (
                    reqwest::header::ACCEPT,
                    HeaderValue::from_static("application/hal+json"),
                ),
            ]),
            body: None,
            timeout: Duration::from_secs(1),
            max_response_bytes: 10,
        };
        let debug = format!("{request:?}");
        assert!(!debug.contains("TopSecret42"), "{debug}");
        assert!(debug.contains("application/hal+json"), "{debug}");
        assert_eq!(request.header("Accept"), Some("application/hal+json"));
    }

    #[test]
    fn a_response_keeps_every_header_it_is_given() {
        let response = HttpResponse::new(200, Vec::new())
            .header("Retry-After", "3")
            .header("x-note", "caf\u{e9}")
            .header("bad name", "kept");
        assert_eq!(response.header_value("retry-after"), Some("3"));
        assert_eq!(response.header_value("X-Note"), Some("caf\u{e9}"));
        assert_eq!(response.header_value("bad name"), Some("kept"));
        assert_eq!(response.header_value("absent"), None);
    }

    #[test]
    fn errors_say_how_far_they_got() {
        let io = || std::io::Error::other("boom");
        assert!(TransportError::connect(io()).is_connect());
        assert!(TransportError::timeout(io()).is_timeout());
        assert!(TransportError::body(io()).is_body());
        assert!(TransportError::redirect(io()).is_redirect());
        let other = TransportError::other(io());
        assert!(!other.is_connect() && !other.is_timeout() && !other.is_body());
        assert_eq!(other.to_string(), "the connection failed");
        assert_eq!(other.source().unwrap().to_string(), "boom");
    }
}
