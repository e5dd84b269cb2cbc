//! Redaction: whatever a server sends back, the client's own credential, and anything shaped
//! like a Mollie credential or a bearer token, is cut out of the text the SDK keeps of a
//! response (error excerpts, error bodies, request ids, links) before it reaches an error, a
//! log or a trace.

use std::fmt;
use std::sync::Arc;

/// What replaces a secret.
const MASK: &str = "[redacted]";

/// A fragment of the secret at least this long counts as a leak (a server that echoes a
/// truncated header, an excerpt cut in the middle of the key).
const MIN_FRAGMENT: usize = 8;

/// Prefixes of Mollie's credentials: API keys and organization tokens.
const TOKEN_PREFIXES: [&str; 3] = ["test_", "live_", "access_"];

/// Cuts the client's secret and credential-shaped text out of server-sent text.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    secret: Arc<str>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Redactor { .. }")
    }
}

impl Redactor {
    pub(crate) fn new(secret: &str) -> Self {
        Self {
            secret: secret.into(),
        }
    }

    /// How many bytes past an excerpt's end to redact with it, so that a secret that
    /// straddles the end is still recognised whole.
    pub(crate) fn lookahead(&self) -> usize {
        self.secret.len() + 16
    }

    /// `text` without the secret, fragments of it, `Bearer` tokens or Mollie credentials.
    pub(crate) fn text(&self, text: &str) -> String {
        let text = self.without_secret_fragments(text);
        let text = without_bearer_tokens(&text);
        without_token_shapes(&text)
    }

    /// Every run of `text` that is a piece of the secret at least [`MIN_FRAGMENT`] long.
    fn without_secret_fragments(&self, text: &str) -> String {
        let secret = &*self.secret;
        if secret.is_empty() {
            return text.to_owned();
        }
        if secret.len() < MIN_FRAGMENT {
            return text.replace(secret, MASK);
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while !rest.is_empty() {
            let window = rest.get(..MIN_FRAGMENT).filter(|w| secret.contains(w));
            if window.is_some() {
                // Extend the run as long as it stays a piece of the secret.
                let mut end = MIN_FRAGMENT;
                while let Some(next) = rest[end..].chars().next() {
                    let longer = &rest[..end + next.len_utf8()];
                    if !secret.contains(longer) {
                        break;
                    }
                    end = longer.len();
                }
                out.push_str(MASK);
                rest = &rest[end..];
            } else {
                let c = rest.chars().next().unwrap_or_default();
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        out
    }
}

/// `Bearer <anything up to white space or a quote>` -> `Bearer [redacted]`, any case.
fn without_bearer_tokens(text: &str) -> String {
    const WORD: &str = "bearer";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = lower[at..].find(WORD) {
        let word_end = at + found + WORD.len();
        out.push_str(&text[at..word_end]);
        let after = &text[word_end..];
        let spaces = after.len() - after.trim_start_matches([' ', '\t', ':', '=']).len();
        let token_len = after[spaces..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | '<'))
            .unwrap_or(after.len() - spaces);
        if spaces > 0 && token_len > 0 {
            out.push_str(&after[..spaces]);
            out.push_str(MASK);
            at = word_end + spaces + token_len;
        } else {
            at = word_end;
        }
    }
    out.push_str(&text[at..]);
    out
}

/// `test_…`, `live_…`, `access_…` starting a word and followed by letters or digits -> the
/// prefix and the mask.
fn without_token_shapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut word_start = true;
    'scan: while !rest.is_empty() {
        for prefix in TOKEN_PREFIXES.iter().filter(|_| word_start) {
            if let Some(after) = rest.strip_prefix(prefix) {
                let len = after
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .unwrap_or(after.len());
                if len > 0 {
                    out.push_str(prefix);
                    out.push_str(MASK);
                    rest = &after[len..];
                    word_start = false;
                    continue 'scan;
                }
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
        word_start = !(c.is_alphanumeric() || c == '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "test_LeakCanaryZ8q2xW7vK4mN1pR6tY3";

    fn redact(text: &str) -> String {
        Redactor::new(SECRET).text(text)
    }

    #[test]
    fn the_secret_and_its_fragments_are_cut() {
        assert_eq!(redact(SECRET), "[redacted]");
        let echoed = format!("{{\"headers\":{{\"Authorization\":\"Bearer {SECRET}\"}}}}");
        let clean = redact(&echoed);
        assert!(!clean.contains("LeakCanary"), "{clean}");
        assert!(clean.contains("Bearer [redacted]"), "{clean}");
        // A server that echoes part of the key, without its prefix.
        let clean = redact("key was LeakCanaryZ8q2 ...");
        assert_eq!(clean, "key was [redacted] ...");
        // A fragment at the very end (an excerpt cut mid-key).
        assert_eq!(redact("x Z8q2xW7vK4"), "x [redacted]");
    }

    #[test]
    fn other_credentials_of_mollies_shape_are_cut() {
        assert_eq!(
            redact("live_abcDEF123 and access_Xyz9, not test_ or latest_version"),
            "live_[redacted] and access_[redacted], not test_ or latest_version"
        );
        assert_eq!(
            redact("authorization: BEARER eyJhbGciOi.x-y"),
            "authorization: BEARER [redacted]"
        );
    }

    #[test]
    fn ordinary_text_is_kept() {
        for text in [
            "The amount is higher than the maximum",
            "No customer exists with token cst_8wmqcHMN4U.",
            "bearer",
            "{\"status\":422,\"title\":\"Unprocessable Entity\"}",
            "héllo wörld ✓",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn a_short_secret_is_cut_whole() {
        assert_eq!(Redactor::new("abc").text("xabcx"), "x[redacted]x");
    }
}
