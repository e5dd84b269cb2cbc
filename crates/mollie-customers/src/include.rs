//! What *Get customer* can include.

use std::fmt;

/// A value of *Get customer*'s `include` parameter.
///
/// Mollie's documentation lists `events`; Mollie has since pulled it from its OpenAPI spec as
/// "not ready for general use", so the API may ignore or refuse it. Other values can be sent
/// with [`CustomerInclude::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CustomerInclude {
    /// The events the customer is associated with (`include=events`).
    Events,
    /// Any other value, sent as given.
    Other(String),
}

impl CustomerInclude {
    /// The value as sent.
    pub fn as_str(&self) -> &str {
        match self {
            CustomerInclude::Events => "events",
            CustomerInclude::Other(other) => other,
        }
    }
}

impl fmt::Display for CustomerInclude {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
