//! Mollie's error body.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::common::Link;

/// The body of every error Mollie answers with (`application/hal+json`).
///
/// ```
/// use mollie_models::ErrorResponse;
///
/// let body = r#"{"status":422,"title":"Unprocessable Entity",
///   "detail":"The 'description' field is missing","field":"description",
///   "_links":{"documentation":{"href":"https://docs.mollie.com/errors","type":"text/html"}}}"#;
/// let error: ErrorResponse = serde_json::from_str(body).unwrap();
/// assert_eq!(error.field.as_deref(), Some("description"));
/// assert_eq!(error.to_string(), "422 Unprocessable Entity: The 'description' field is missing (field `description`)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The HTTP status code, the same as the response's.
    pub status: u16,
    /// The HTTP reason phrase, e.g. `Not Found`.
    pub title: String,
    /// What went wrong, for a human.
    pub detail: String,
    /// The request field that caused the error, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A link to Mollie's guide on error handling.
    #[serde(rename = "_links", default, skip_serializing_if = "Option::is_none")]
    pub links: Option<ErrorLinks>,
}

/// The `_links` of an [`ErrorResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorLinks {
    /// Mollie's guide on error handling.
    pub documentation: Link,
}

impl ErrorResponse {
    /// The documentation link's URL, if Mollie sent one.
    pub fn documentation_url(&self) -> Option<&str> {
        self.links.as_ref().map(|l| l.documentation.href.as_str())
    }
}

impl fmt::Display for ErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.title, self.detail)?;
        if let Some(field) = &self.field {
            write!(f, " (field `{field}`)")?;
        }
        Ok(())
    }
}

/// An error body is an error: `?` takes it into `Box<dyn Error>` (the mock's control API
/// answers with one).
impl std::error::Error for ErrorResponse {}
