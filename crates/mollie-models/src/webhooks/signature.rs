//! `X-Mollie-Signature`: HMAC-SHA256 of the raw body, checked in constant time.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::WebhookError;

/// The header that carries a next-gen webhook's signature.
pub const SIGNATURE_HEADER: &str = "X-Mollie-Signature";

/// A webhook signing secret, from Mollie's dashboard or the Webhooks API.
///
/// Its `Debug` output never shows the secret.
#[derive(Clone)]
pub struct SigningSecret(Vec<u8>);

impl SigningSecret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into().into_bytes())
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC hashes a long key and pads a short one: every length is valid.
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC accepts keys of any length")
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningSecret(<redacted>)")
    }
}

/// What [`verify_signature`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "an unsigned request must not be trusted as a next-gen webhook"]
pub enum SignatureCheck {
    /// The signature matches the secret at this index of the list given.
    Verified {
        /// Index of the matching secret: when it is not the newest, rotation is not finished.
        secret_index: usize,
    },
    /// There is no signature header: a classic webhook (`id=...`), which carries no data to
    /// trust and must be answered by fetching the resource. Never accept an unsigned
    /// next-gen event.
    Unsigned,
}

/// Checks `header` (the value of [`SIGNATURE_HEADER`], if present) against the raw body and
/// each of `secrets`, in constant time.
///
/// ```
/// use mollie_models::webhooks::{sign, verify_signature, SignatureCheck, SigningSecret};
///
/// let old = SigningSecret::new("old secret");
/// let new = SigningSecret::new("new secret");
/// let body = br#"{"resource":"event"}"#;
/// let header = sign(body, &new);
/// assert_eq!(
///     verify_signature(body, Some(&header), &[old, new]),
///     Ok(SignatureCheck::Verified { secret_index: 1 })
/// );
/// ```
///
/// # Errors
/// [`WebhookError::MalformedSignature`] when the header is not `sha256=<64 hex digits>`,
/// [`WebhookError::SignatureMismatch`] when no secret produced it, and
/// [`WebhookError::NoSigningSecret`] when `secrets` is empty.
pub fn verify_signature(
    body: &[u8],
    header: Option<&str>,
    secrets: &[SigningSecret],
) -> Result<SignatureCheck, WebhookError> {
    let Some(header) = header else {
        return Ok(SignatureCheck::Unsigned);
    };
    if secrets.is_empty() {
        return Err(WebhookError::NoSigningSecret);
    }
    let expected = parse_header(header.trim())?;
    for (secret_index, secret) in secrets.iter().enumerate() {
        let mut mac = secret.mac();
        mac.update(body);
        if mac.verify_slice(&expected).is_ok() {
            return Ok(SignatureCheck::Verified { secret_index });
        }
    }
    Err(WebhookError::SignatureMismatch)
}

/// The `X-Mollie-Signature` value for `body` signed with `secret`: `sha256=<hex>`. For
/// servers that send webhooks (such as `mollie-mock`) and for tests.
pub fn sign(body: &[u8], secret: &SigningSecret) -> String {
    let mut mac = secret.mac();
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256=");
    for byte in digest.iter() {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

fn parse_header(header: &str) -> Result<[u8; 32], WebhookError> {
    let hex = header
        .strip_prefix("sha256=")
        .ok_or(WebhookError::MalformedSignature)?;
    if hex.len() != 64 {
        return Err(WebhookError::MalformedSignature);
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        let pair = hex
            .get(2 * i..2 * i + 2)
            .ok_or(WebhookError::MalformedSignature)?;
        *byte = u8::from_str_radix(pair, 16).map_err(|_| WebhookError::MalformedSignature)?;
    }
    Ok(out)
}
