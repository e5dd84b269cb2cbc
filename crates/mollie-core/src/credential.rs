//! The secret that authenticates every request, and the checks it passes before it is used.

use std::fmt;
use std::sync::Arc;

use reqwest::header::HeaderValue;

/// Longest credential accepted. Mollie's keys and tokens are far shorter; the cap keeps a
/// pasted file or a hostile environment variable out of memory and headers.
const MAX_LEN: usize = 4096;

/// What kind of credential a [`Credential`] is; decides what the API lets it do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialKind {
    /// A test-mode API key, `test_...`: sees only test data.
    TestApiKey,
    /// A live-mode API key, `live_...`: moves real money.
    LiveApiKey,
    /// An organization access token, `access_...`: chooses its mode per request (`testmode`).
    OrganizationToken,
    /// An OAuth access token of a Mollie Connect app: chooses mode and profile per request.
    OAuthToken,
}

impl CredentialKind {
    /// Whether the API takes `testmode` and `profileId` from this kind of credential.
    ///
    /// An API key is bound to one mode and one profile, and Mollie's spec says the parameters
    /// must not be sent with it; organization and OAuth tokens need them.
    pub fn takes_testmode_and_profile(self) -> bool {
        matches!(self, Self::OrganizationToken | Self::OAuthToken)
    }
}

/// Why a credential was refused. Never contains the credential, not even a part of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The credential is empty.
    #[error("the credential is empty")]
    Empty,
    /// It contains whitespace, often a copy-paste accident (a trailing newline).
    #[error("the credential contains whitespace")]
    Whitespace,
    /// It contains a control character (other than whitespace), which could forge or split
    /// an HTTP header.
    #[error("the credential contains a control character")]
    ControlCharacter,
    /// It contains a character no Mollie key or bearer token has.
    #[error("the credential contains a character outside letters, digits and `-._~+/=`")]
    InvalidCharacter,
    /// It is longer than any key or token Mollie issues.
    #[error("the credential is longer than {max} bytes")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// It starts with none of `test_`, `live_`, `access_`.
    #[error("the credential starts with none of `test_`, `live_`, `access_`")]
    UnknownPrefix,
    /// It has the prefix and nothing after it.
    #[error("the credential has nothing after its `{prefix}` prefix")]
    MissingBody {
        /// The prefix it has.
        prefix: &'static str,
    },
    /// It is of another kind than the constructor asked for, e.g. an access token given to
    /// [`Credential::api_key`].
    #[error("expected {expected}")]
    WrongKind {
        /// What the constructor accepts.
        expected: &'static str,
    },
}

/// A Mollie API key, organization access token or OAuth token, checked and kept secret.
///
/// The secret is never shown: `Debug` prints the kind and `[redacted]`, there is no
/// `Display`, and no error of this crate contains it. It is sent only in the `Authorization`
/// header, marked sensitive.
///
/// ```
/// use mollie_core::{Credential, CredentialError, CredentialKind};
///
/// let key = Credential::parse("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?;
/// assert_eq!(key.kind(), CredentialKind::TestApiKey);
/// assert!(!format!("{key:?}").contains("dHar4XY7"));
///
/// assert_eq!(Credential::parse("test_abc\n").unwrap_err(), CredentialError::Whitespace);
/// assert_eq!(Credential::parse("sk_live_abc").unwrap_err(), CredentialError::UnknownPrefix);
/// # Ok::<(), CredentialError>(())
/// ```
#[derive(Clone)]
pub struct Credential {
    kind: CredentialKind,
    secret: Arc<str>,
}

impl Credential {
    /// Reads a credential by its prefix: `test_` and `live_` API keys, `access_` tokens
    /// (organization access tokens; Mollie's OAuth tokens have the same prefix and the same
    /// rights on the wire).
    ///
    /// # Errors
    /// A [`CredentialError`] when the value is empty, holds whitespace, control or other
    /// characters no token has, is too long, or has an unknown prefix.
    pub fn parse(value: &str) -> Result<Self, CredentialError> {
        check_charset(value)?;
        let kind = if value.starts_with("test_") {
            CredentialKind::TestApiKey
        } else if value.starts_with("live_") {
            CredentialKind::LiveApiKey
        } else if value.starts_with("access_") {
            CredentialKind::OrganizationToken
        } else {
            return Err(CredentialError::UnknownPrefix);
        };
        let prefix = match kind {
            CredentialKind::TestApiKey => "test_",
            CredentialKind::LiveApiKey => "live_",
            _ => "access_",
        };
        if value.len() == prefix.len() {
            return Err(CredentialError::MissingBody { prefix });
        }
        Ok(Self::new(kind, value))
    }

    /// An API key: `test_...` or `live_...`.
    ///
    /// # Errors
    /// As [`Credential::parse`], and [`CredentialError::WrongKind`] for an access token.
    pub fn api_key(value: &str) -> Result<Self, CredentialError> {
        let credential = Self::parse(value)?;
        match credential.kind {
            CredentialKind::TestApiKey | CredentialKind::LiveApiKey => Ok(credential),
            _ => Err(CredentialError::WrongKind {
                expected: "an API key starting with `test_` or `live_`",
            }),
        }
    }

    /// An organization access token: `access_...`.
    ///
    /// # Errors
    /// As [`Credential::parse`], and [`CredentialError::WrongKind`] for an API key.
    pub fn access_token(value: &str) -> Result<Self, CredentialError> {
        let credential = Self::parse(value)?;
        match credential.kind {
            CredentialKind::OrganizationToken => Ok(credential),
            _ => Err(CredentialError::WrongKind {
                expected: "an organization access token starting with `access_`",
            }),
        }
    }

    /// An OAuth bearer token of a Mollie Connect app, of any prefix (an RFC 6750 token:
    /// letters, digits and `-._~+/`, optionally padded with `=`).
    ///
    /// # Errors
    /// A [`CredentialError`] when the value is empty, too long or holds other characters;
    /// [`CredentialError::WrongKind`] for an API key, which must not be sent as an OAuth token.
    pub fn oauth_token(value: &str) -> Result<Self, CredentialError> {
        check_charset(value)?;
        if value.starts_with("test_") || value.starts_with("live_") {
            return Err(CredentialError::WrongKind {
                expected: "an OAuth token, not an API key",
            });
        }
        Ok(Self::new(CredentialKind::OAuthToken, value))
    }

    fn new(kind: CredentialKind, value: &str) -> Self {
        Self {
            kind,
            secret: Arc::from(value),
        }
    }

    /// The kind of this credential.
    pub fn kind(&self) -> CredentialKind {
        self.kind
    }

    /// The secret itself, for the redactor that cuts it out of server-sent text.
    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }

    /// The `Authorization` header value, marked sensitive so that `http`'s own `Debug` and
    /// HPACK indexing leave it alone. Built once per client; nothing else may keep it.
    pub(crate) fn authorization(&self) -> Result<HeaderValue, CredentialError> {
        // `parse` admits only token characters, which a header value always takes.
        let mut value = HeaderValue::try_from(format!("Bearer {}", self.secret))
            .map_err(|_| CredentialError::InvalidCharacter)?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// The secret itself, for tests of this crate that check it never leaks.
    #[cfg(test)]
    pub(crate) fn expose(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("kind", &self.kind)
            .field("secret", &format_args!("[redacted]"))
            .finish()
    }
}

/// The RFC 6750 `b64token` alphabet, which all of Mollie's keys and tokens use. Anything else
/// is a paste accident or an attack on the header.
fn check_charset(value: &str) -> Result<(), CredentialError> {
    if value.is_empty() {
        return Err(CredentialError::Empty);
    }
    // Whitespace first: a trailing newline from a file or `echo` is the common accident, and
    // "whitespace" says what to fix. Other control characters are refused next.
    if value.chars().any(char::is_whitespace) {
        return Err(CredentialError::Whitespace);
    }
    if value.chars().any(char::is_control) {
        return Err(CredentialError::ControlCharacter);
    }
    if value.len() > MAX_LEN {
        return Err(CredentialError::TooLong { max: MAX_LEN });
    }
    let body = value.trim_end_matches('=');
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
    {
        return Err(CredentialError::InvalidCharacter);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_prefix() {
        let kinds = [
            ("test_abcDEF123", CredentialKind::TestApiKey),
            ("live_abcDEF123", CredentialKind::LiveApiKey),
            ("access_abcDEF123", CredentialKind::OrganizationToken),
        ];
        for (value, kind) in kinds {
            assert_eq!(Credential::parse(value).unwrap().kind(), kind, "{value}");
        }
        assert_eq!(
            Credential::oauth_token("eyJhbGciOi.J9-_~+/==")
                .unwrap()
                .kind(),
            CredentialKind::OAuthToken
        );
    }

    #[test]
    fn wrong_shapes_are_refused_with_a_typed_error() {
        use CredentialError::*;
        let cases: &[(&str, CredentialError)] = &[
            ("", Empty),
            ("   ", Whitespace),
            ("test_abc ", Whitespace),
            (" test_abc", Whitespace),
            ("test_a\u{a0}b", Whitespace),
            ("test_abc\r\nX-Evil: 1", Whitespace),
            ("test_abc\n", Whitespace),
            ("test_abc\0", ControlCharacter),
            ("test_ab\u{7f}", ControlCharacter),
            ("test_abç", InvalidCharacter),
            ("test_a\"b", InvalidCharacter),
            ("====", InvalidCharacter),
            ("sk_test_abc", UnknownPrefix),
            ("TEST_abc", UnknownPrefix),
            ("test_", MissingBody { prefix: "test_" }),
            ("access_", MissingBody { prefix: "access_" }),
        ];
        for (value, expected) in cases {
            assert_eq!(
                Credential::parse(value).unwrap_err(),
                *expected,
                "{value:?}"
            );
        }
        let long = format!("test_{}", "a".repeat(MAX_LEN));
        assert_eq!(
            Credential::parse(&long).unwrap_err(),
            TooLong { max: MAX_LEN }
        );
        assert!(matches!(
            Credential::api_key("access_abc").unwrap_err(),
            WrongKind { .. }
        ));
        assert!(matches!(
            Credential::access_token("live_abc").unwrap_err(),
            WrongKind { .. }
        ));
        assert!(matches!(
            Credential::oauth_token("test_abc").unwrap_err(),
            WrongKind { .. }
        ));
        assert_eq!(Credential::oauth_token("a b").unwrap_err(), Whitespace);
    }

    #[test]
    fn secret_is_redacted_everywhere() {
        let secret = "live_SuperSecretValue123";
        let credential = Credential::parse(secret).unwrap();
        assert_eq!(credential.expose(), secret);
        let debug = format!("{credential:?} {credential:#?}");
        assert!(!debug.contains("SuperSecret"), "{debug}");
        assert!(debug.contains("[redacted]"));
        let authorization = credential.authorization().unwrap();
        assert!(authorization.is_sensitive());
        assert_eq!(authorization.to_str().unwrap(), format!("Bearer {secret}"));
        assert!(!format!("{authorization:?}").contains("Super"));
        // Errors never echo the input, not even a prefix of it.
        let error = Credential::parse("sk_SuperSecretValue123").unwrap_err();
        assert!(!error.to_string().contains("Super"));
    }
}
