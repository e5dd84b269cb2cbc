//! The one error type of this crate: input refused before it could become a request.

use std::borrow::Cow;
use std::fmt;

/// A value was refused by a constructor or request builder of this crate.
///
/// It names the field (in Mollie's wire spelling, e.g. `consumerAccount`) and says why,
/// so that an error message is useful without a debugger. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    field: Cow<'static, str>,
    reason: String,
}

impl ValidationError {
    /// A refusal of `field` for `reason`.
    pub fn new(field: impl Into<Cow<'static, str>>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The refused field, as Mollie spells it on the wire (`amount.value`, `customerId`, ...).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// Why the value was refused.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid `{}`: {}", self.field, self.reason)
    }
}

impl std::error::Error for ValidationError {}

/// Quotes untrusted input for an error message: at most 40 characters, control characters
/// escaped, so that a hostile value cannot forge log lines or flood them.
pub(crate) fn quoted(input: &str) -> String {
    let mut out: String = input
        .chars()
        .take(40)
        .collect::<String>()
        .escape_debug()
        .to_string();
    if input.chars().count() > 40 {
        out.push('…');
    }
    format!("\"{out}\"")
}
