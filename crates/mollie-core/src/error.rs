//! The one error type of the SDK.

use std::fmt;
use std::time::Duration;

use mollie_models::{ErrorResponse, ValidationError};

use crate::credential::CredentialError;
use crate::request::IdempotencyKey;
use crate::transport::TransportError;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong with a call to Mollie.
///
/// The variants tell apart who said no: Mollie ([`Error::Api`], [`Error::RateLimited`]), the
/// network ([`Error::Transport`], [`Error::Timeout`]), a server that does not speak Mollie's
/// API ([`Error::UnexpectedResponse`]), or this SDK before anything was sent
/// ([`Error::InvalidInput`], [`Error::Config`]).
///
/// A call that may have reached Mollie carries the `Idempotency-Key` it was sent with
/// ([`Error::idempotency_key`]): send the same request again with that key and Mollie answers
/// with the first outcome instead of doing the work twice.
///
/// Every error says its [`Outcome`] ([`Error::outcome`]): whether the request was not sent,
/// rejected, may have been processed, or was committed. That, not the status code, is what a
/// payment service decides on.
///
/// No variant ever contains the credential.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Mollie answered with an error status and its error body (any 4xx but 429, or a 5xx).
    #[error("Mollie answered {response}")]
    #[non_exhaustive]
    Api {
        /// The HTTP status of the response.
        status: u16,
        /// Mollie's error body: title, detail, field and documentation link.
        response: Box<ErrorResponse>,
        /// The idempotency key the request was sent with, if it had one.
        idempotency_key: Option<IdempotencyKey>,
        /// The request id Mollie sent back, if it did.
        request_id: Option<String>,
        /// An earlier attempt of this call may have been processed (it timed out, lost its
        /// connection or got a 5xx), whatever this last answer says.
        maybe_processed: bool,
    },

    /// Mollie answered 429 Too Many Requests, and retrying did not help (or was off).
    #[error("rate limited by Mollie{}", RetryAfter(*.retry_after))]
    #[non_exhaustive]
    RateLimited {
        /// How long Mollie asked to wait (`Retry-After`), if it said.
        retry_after: Option<Duration>,
        /// Mollie's error body, if it sent one.
        response: Option<Box<ErrorResponse>>,
        /// The idempotency key the request was sent with, if it had one.
        idempotency_key: Option<IdempotencyKey>,
        /// The request id Mollie sent back, if it did.
        request_id: Option<String>,
        /// An earlier attempt of this call may have been processed.
        maybe_processed: bool,
    },

    /// The request could not be sent or its response not read: DNS, connect, TLS, a dropped
    /// connection. A mutating request may or may not have been processed: retry it with the
    /// same idempotency key.
    #[error("transport failure talking to Mollie ({source})")]
    #[non_exhaustive]
    Transport {
        /// What the transport reported: how far the request got
        /// ([`TransportError::is_connect`]: not sent) and its cause.
        #[source]
        source: TransportError,
        /// The idempotency key the request was sent with, if it had one.
        idempotency_key: Option<IdempotencyKey>,
        /// An earlier attempt of this call may have been processed: even a last attempt
        /// that could not connect leaves the outcome unknown.
        maybe_processed: bool,
    },

    /// An attempt took longer than its timeout, or the whole call its deadline.
    #[error("{kind} after {attempts} attempt(s)")]
    #[non_exhaustive]
    Timeout {
        /// Which limit was reached.
        kind: TimeoutKind,
        /// How many attempts were made.
        attempts: u32,
        /// The idempotency key the request was sent with, if it had one.
        idempotency_key: Option<IdempotencyKey>,
    },

    /// The response is not one Mollie sends: a success that does not decode into the expected
    /// type, an error status without Mollie's error body, a body that is too large, or a
    /// pagination link that leaves the configured API.
    #[error(
        "unexpected response from Mollie (HTTP {status}): {reason}; body starts with {excerpt:?}"
    )]
    #[non_exhaustive]
    UnexpectedResponse {
        /// The HTTP status of the response.
        status: u16,
        /// What was wrong with it.
        reason: String,
        /// The first bytes of the body (at most 256, lossily decoded, control characters
        /// escaped by `Debug`), to see what answered.
        excerpt: String,
        /// The idempotency key the request was sent with, if it had one.
        idempotency_key: Option<IdempotencyKey>,
        /// The request id the server sent back, if it did.
        request_id: Option<String>,
        /// For a success status: what the answer says was made, read leniently (even from
        /// a truncated body), so that the caller can fetch it instead of making it again.
        committed: Option<Box<Committed>>,
    },

    /// A list stopped following its pages before sending the next request: the `next` link
    /// leaves the configured API, the pages link in a circle, or the stream read as many
    /// pages as it may ([`RequestOptions::max_pages`](crate::RequestOptions::max_pages)).
    /// Nothing was sent for it.
    #[error("pagination stopped: {reason}; link {link:?}")]
    #[non_exhaustive]
    Pagination {
        /// Why the link was not followed.
        reason: String,
        /// The link (its first 256 bytes, secrets redacted).
        link: String,
    },

    /// Input refused before anything was sent: which field, and why.
    #[error(transparent)]
    InvalidInput(#[from] ValidationError),

    /// The client is misconfigured; nothing was sent.
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
}

/// What a call that took effect (a 2xx) left behind, when its answer did not decode: the
/// resource's id and its `_links.self`, read leniently from whatever arrived (secrets
/// redacted).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Committed {
    /// The resource's `id`, e.g. `tr_7UhSN1zuXS`, if the body held one of Mollie's shape.
    pub resource_id: Option<String>,
    /// Its `_links.self.href`, if the body held one.
    pub self_link: Option<String>,
}

/// What happened to the request of a failed call: what a payment service decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// Nothing was sent: bad input, bad configuration, no connection, a refused link.
    /// Nothing changed at Mollie; fix the cause and send it again.
    NotSent,
    /// Mollie (or the server at the base URL) answered and refused it: nothing changed.
    Rejected,
    /// It may have been processed: a timeout, a lost connection, a 5xx. Send it again with
    /// the same [`Error::idempotency_key`] to learn its result, or look it up.
    Unknown,
    /// It took effect (a 2xx), though the answer could not be read: never send it again
    /// under a new key.
    Committed,
}

/// Which time limit a [`Error::Timeout`] reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// One attempt exceeded the per-attempt request timeout, and no retry was left.
    Attempt,
    /// The overall deadline of the call passed.
    Deadline,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Attempt => "request timed out",
            Self::Deadline => "deadline of the call passed",
        })
    }
}

/// The client was configured with something it cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No credential was given to the builder.
    #[error("no API key or token was configured")]
    MissingCredential,
    /// A required environment variable is not set (or not Unicode).
    #[error("environment variable `{0}` is not set")]
    MissingEnv(&'static str),
    /// The credential has the wrong shape.
    #[error("{0}")]
    Credential(#[from] CredentialError),
    /// The base URL is unusable (not a URL, not HTTPS off loopback, carries a password ...).
    #[error("base URL refused: {0}")]
    BaseUrl(String),
    /// Another setting is out of range or malformed; says which and why.
    #[error("`{setting}`: {reason}")]
    Setting {
        /// The setting, as the builder method is named.
        setting: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// The underlying HTTP client could not be built (e.g. the TLS backend failed to load).
    #[error("the HTTP client could not be built: {0}")]
    Http(String),
}

impl From<CredentialError> for Error {
    fn from(error: CredentialError) -> Self {
        Self::Config(ConfigError::Credential(error))
    }
}

/// Formats an optional `Retry-After` as a suffix of the rate-limit message.
struct RetryAfter(Option<Duration>);

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(after) => write!(f, "; retry after {}s", after.as_secs_f64().ceil()),
            None => Ok(()),
        }
    }
}

impl Error {
    /// The HTTP status of the response, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::UnexpectedResponse { status, .. } => Some(*status),
            Self::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// The variant's name in snake case (`"api"`, `"rate_limited"`, `"transport"`, ...), for
    /// logs and metrics.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Api { .. } => "api",
            Self::RateLimited { .. } => "rate_limited",
            Self::Transport { .. } => "transport",
            Self::Timeout { .. } => "timeout",
            Self::UnexpectedResponse { .. } => "unexpected_response",
            Self::Pagination { .. } => "pagination",
            Self::InvalidInput(_) => "invalid_input",
            Self::Config(_) => "config",
        }
    }

    /// Whether Mollie answered 404 Not Found.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether Mollie answered 410 Gone: the resource existed but is no longer available,
    /// e.g. *Get mandate* of a revoked mandate ("Trying to retrieve a revoked mandate will
    /// result in a 410 exception", Mollie's docs).
    pub fn is_gone(&self) -> bool {
        self.status() == Some(410)
    }

    /// Whether Mollie answered 429 Too Many Requests.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Self::RateLimited { .. })
    }

    /// Whether a timeout or the call's deadline ended the call.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
            || matches!(self, Self::Transport { source, .. } if source.is_timeout())
    }

    /// What happened to the request: not sent, rejected, unknown, or committed.
    pub fn outcome(&self) -> Outcome {
        match self {
            Self::InvalidInput(_) | Self::Config(_) | Self::Pagination { .. } => Outcome::NotSent,
            Self::Transport {
                source,
                maybe_processed,
                ..
            } => {
                if source.is_connect() && !maybe_processed {
                    Outcome::NotSent
                } else {
                    Outcome::Unknown
                }
            }
            Self::Timeout { .. } => Outcome::Unknown,
            Self::RateLimited {
                maybe_processed, ..
            } => {
                if *maybe_processed {
                    Outcome::Unknown
                } else {
                    Outcome::Rejected
                }
            }
            Self::Api {
                status,
                maybe_processed,
                ..
            } => {
                if *status >= 500 || *maybe_processed {
                    Outcome::Unknown
                } else {
                    Outcome::Rejected
                }
            }
            Self::UnexpectedResponse { status, .. } => match status {
                200..=299 => Outcome::Committed,
                400..=499 => Outcome::Rejected,
                _ => Outcome::Unknown,
            },
        }
    }

    /// Whether Mollie accepted the request (a 2xx) but its answer could not be read: the
    /// request took effect, e.g. the payment exists ([`Outcome::Committed`]). Never send it
    /// again under a new idempotency key; send it again with [`Error::idempotency_key`] to
    /// get the result replayed, or look the object up.
    pub fn is_committed(&self) -> bool {
        self.outcome() == Outcome::Committed
    }

    /// For a call that took effect but whose answer did not decode, what the answer says was
    /// made: fetch it by this id rather than making it again.
    pub fn committed(&self) -> Option<&Committed> {
        match self {
            Self::UnexpectedResponse { committed, .. } => committed.as_deref(),
            _ => None,
        }
    }

    /// Whether nothing was sent ([`Outcome::NotSent`]): safe to send again as it is, even
    /// under a new key.
    pub fn is_not_sent(&self) -> bool {
        self.outcome() == Outcome::NotSent
    }

    /// Whether the same request may succeed later: a transport failure, a timeout, a rate
    /// limit, a transient server error (500, 502, 503, 504), or a 409 on an idempotency key whose first request was
    /// still being processed. Other refusals (4xx), bad input and bad configuration will fail
    /// the same way again.
    ///
    /// Retry a mutating request only with the same [`Error::idempotency_key`].
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } | Self::Timeout { .. } | Self::RateLimited { .. } => true,
            // Mollie's "a request with this key is still being processed": retrying with the
            // same key later gets its result.
            Self::Api {
                status: 409,
                idempotency_key: Some(_),
                ..
            } => true,
            Self::Api { status, .. } | Self::UnexpectedResponse { status, .. } => {
                crate::retry::is_transient_server_error(*status)
            }
            _ => false,
        }
    }

    /// The idempotency key the failed request was sent with: reuse it to retry safely.
    pub fn idempotency_key(&self) -> Option<&IdempotencyKey> {
        match self {
            Self::Api {
                idempotency_key, ..
            }
            | Self::RateLimited {
                idempotency_key, ..
            }
            | Self::Transport {
                idempotency_key, ..
            }
            | Self::Timeout {
                idempotency_key, ..
            }
            | Self::UnexpectedResponse {
                idempotency_key, ..
            } => idempotency_key.as_ref(),
            _ => None,
        }
    }

    /// The field the error is about: Mollie's `field`, or the field refused before sending.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Api { response, .. } => response.field.as_deref(),
            Self::RateLimited {
                response: Some(response),
                ..
            } => response.field.as_deref(),
            Self::InvalidInput(error) => Some(error.field()),
            _ => None,
        }
    }

    /// Mollie's error body, if the error came with one.
    pub fn api_response(&self) -> Option<&ErrorResponse> {
        match self {
            Self::Api { response, .. } => Some(response),
            Self::RateLimited { response, .. } => response.as_deref(),
            _ => None,
        }
    }

    /// The link to Mollie's documentation of the error, if it sent one.
    pub fn documentation_url(&self) -> Option<&str> {
        self.api_response()
            .and_then(ErrorResponse::documentation_url)
    }

    /// How long Mollie asked to wait before the next request, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The request id the server sent back, to quote to Mollie's support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api { request_id, .. }
            | Self::RateLimited { request_id, .. }
            | Self::UnexpectedResponse { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> Error {
        Error::Api {
            status,
            response: Box::new(ErrorResponse {
                status,
                title: "Not Found".into(),
                detail: "No customer exists with token cst_x.".into(),
                field: Some("customerId".into()),
                links: None,
            }),
            idempotency_key: Some(IdempotencyKey::parse("k-1").unwrap()),
            request_id: None,
            maybe_processed: false,
        }
    }

    #[test]
    fn helpers() {
        let error = api(404);
        assert!(error.is_not_found());
        assert!(!error.is_gone());
        assert!(api(410).is_gone() && !api(410).is_not_found());
        assert!(!api(410).is_retryable());
        assert!(!error.is_retryable());
        assert_eq!(error.status(), Some(404));
        assert_eq!(error.field(), Some("customerId"));
        assert_eq!(error.idempotency_key().unwrap().as_str(), "k-1");
        assert!(api(503).is_retryable());

        let limited = Error::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
            response: None,
            idempotency_key: None,
            request_id: None,
            maybe_processed: false,
        };
        assert!(limited.is_retryable() && limited.is_rate_limited());
        assert_eq!(limited.outcome(), Outcome::Rejected);
        assert_eq!(
            limited.to_string(),
            "rate limited by Mollie; retry after 3s"
        );

        let invalid = Error::from(ValidationError::new("amount.value", "not a decimal"));
        assert_eq!(invalid.field(), Some("amount.value"));
        assert!(!invalid.is_retryable());
        assert!(!invalid.is_committed() && !api(503).is_committed());

        let unreadable = |status| Error::UnexpectedResponse {
            status,
            reason: "the body is not JSON".into(),
            excerpt: String::new(),
            idempotency_key: None,
            request_id: None,
            committed: None,
        };
        assert!(unreadable(201).is_committed(), "a 201 took effect");
        assert!(!unreadable(201).is_retryable());
        assert!(!unreadable(502).is_committed());
    }

    #[test]
    fn error_stays_small() {
        // Every `Result<T>` of the SDK carries one; keep it under clippy's 128-byte
        // `result_large_err` threshold.
        assert!(
            std::mem::size_of::<Error>() < 128,
            "{}",
            std::mem::size_of::<Error>()
        );
    }
}
