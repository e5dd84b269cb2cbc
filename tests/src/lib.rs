//! End-to-end tests of the Mollie SDK (the `mollie-sdk` facade) against `mollie-mock`, and the
//! helpers they share: a mock with a client configured for fast retries, fixtures, and a
//! redactor that makes the mock's request log stable enough to snapshot.
//!
//! The tests themselves live in `tests/*.rs`, one file per area.

use std::collections::HashMap;
use std::time::Duration;

use mollie_mock::{MockServer, RecordedRequest};
use mollie_sdk::{
    Customer, CustomerId, Iban, IdempotencyKey, Mandate, Mollie, MollieBuilder, NewCustomer,
    NewMandate, ProfileId, RetryPolicy,
};
use serde_json::Value;

/// A test-mode API key of Mollie's shape (the mock accepts any such key).
pub const TEST_KEY: &str = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";
/// A live-mode API key of Mollie's shape.
pub const LIVE_KEY: &str = "live_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";
/// An organization access token of Mollie's shape.
pub const ACCESS_TOKEN: &str = "access_d8ZqyNvL3ZsRDZLoNNUFs8rN4gz8eDbS6RqVnJbm";
/// An IBAN with valid check digits (Mollie's documentation example).
pub const IBAN: &str = "NL55INGB0000000000";

/// Bounds every test: a hang is a failure, not a stuck CI job.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs a test body within [`TEST_TIMEOUT`].
///
/// # Panics
/// When it takes longer: a hang is reported as a failure.
pub async fn bounded<F: std::future::Future>(test: F) -> F::Output {
    tokio::time::timeout(TEST_TIMEOUT, test)
        .await
        .expect("the test finished within its time bound")
}

/// Retries that cost milliseconds, not seconds: 4 attempts, 1–2 ms of backoff, and any
/// `Retry-After` above one second ends the call (so a 429 with a long wait is a typed error).
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(4)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(2))
        .max_retry_after(Duration::from_secs(1))
}

/// A client builder pointed at `server`, with [`fast_retries`] and short timeouts; add a
/// credential and build.
pub fn builder(server: &MockServer) -> MollieBuilder {
    Mollie::builder()
        .base_url(server.url())
        .retry_policy(fast_retries())
        .request_timeout(Duration::from_secs(5))
        .deadline(Duration::from_secs(15))
}

/// A client of `server` authenticated with `key` (an API key).
///
/// # Panics
/// When the key is refused (a bug in the test).
pub fn with_key(server: &MockServer, key: &str) -> Mollie {
    builder(server)
        .api_key(key)
        .expect("a well-formed key")
        .build()
        .expect("a valid configuration")
}

/// A fresh mock and a client on it with [`TEST_KEY`].
///
/// # Panics
/// When no local port can be bound.
pub async fn start() -> (MockServer, Mollie) {
    let server = MockServer::start().await.expect("the mock starts");
    let mollie = with_key(&server, TEST_KEY);
    (server, mollie)
}

/// An organization-token client of `server`, with these defaults.
///
/// # Panics
/// When the configuration is refused.
pub fn org_client(server: &MockServer, testmode: Option<bool>, profile: Option<&str>) -> Mollie {
    let mut builder = builder(server)
        .access_token(ACCESS_TOKEN)
        .expect("a well-formed token");
    if let Some(testmode) = testmode {
        builder = builder.testmode(testmode);
    }
    if let Some(profile) = profile {
        builder = builder.profile_id(profile_id(profile));
    }
    builder.build().expect("a valid configuration")
}

/// A profile id.
///
/// # Panics
/// When `id` is not of Mollie's shape.
pub fn profile_id(id: &str) -> ProfileId {
    ProfileId::parse(id).expect("a profile id")
}

/// An idempotency key.
///
/// # Panics
/// When `key` is refused.
pub fn key(key: &str) -> IdempotencyKey {
    IdempotencyKey::parse(key).expect("a valid idempotency key")
}

/// The documentation IBAN, parsed.
///
/// # Panics
/// Never: its check digits are right.
pub fn iban() -> Iban {
    Iban::parse(IBAN).expect("a valid IBAN")
}

/// Where the mock's request log ends now: pass it to [`requests_since`] to see only what
/// came after.
pub fn log_mark(server: &MockServer) -> u64 {
    server.requests().last().map_or(0, |r| r.seq)
}

/// The requests the mock logged after `mark` (from [`log_mark`]).
pub fn requests_since(server: &MockServer, mark: u64) -> Vec<RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.seq > mark)
        .collect()
}

/// A customer named `name`.
///
/// # Panics
/// When the mock refuses it.
pub async fn customer(mollie: &Mollie, name: &str) -> Customer {
    mollie
        .customers()
        .create(NewCustomer::new().name(name))
        .await
        .expect("customer created")
}

/// A valid SEPA Direct Debit mandate of `customer`.
///
/// # Panics
/// When the mock refuses it.
pub async fn sepa_mandate(mollie: &Mollie, customer: &CustomerId) -> Mandate {
    mollie
        .mandates(customer)
        .create(NewMandate::sepa_direct_debit("Jane Doe", iban()))
        .await
        .expect("mandate created")
}

/// Replaces what changes from run to run in the mock's request log: object ids (`cst_`,
/// `mdt_`, `tr_`, `re_`, `chb_`, `sub_`) and UUIDs become numbered placeholders in order of
/// first appearance (`[customer-1]`, `[uuid-2]`), so that one object keeps one name across a
/// snapshot.
#[derive(Debug, Default)]
pub struct Redactor {
    names: HashMap<String, String>,
    counts: HashMap<&'static str, usize>,
}

/// Id prefixes and the placeholder names they get.
const ID_KINDS: [(&str, &str); 6] = [
    ("cst_", "customer"),
    ("mdt_", "mandate"),
    ("tr_", "payment"),
    ("re_", "refund"),
    ("chb_", "chargeback"),
    ("sub_", "subscription"),
];

impl Redactor {
    /// A redactor that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn name(&mut self, kind: &'static str, value: &str) -> String {
        if let Some(name) = self.names.get(value) {
            return name.clone();
        }
        let count = self.counts.entry(kind).or_insert(0);
        *count += 1;
        let name = format!("[{kind}-{count}]");
        self.names.insert(value.to_owned(), name.clone());
        name
    }

    /// Names `ids` now, in this order (e.g. in order of creation), so that placeholders say
    /// which object is meant even when the text mentions only some of them.
    pub fn learn<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        for id in ids {
            let _ = self.redact(id);
        }
    }

    /// `text` with ids and UUIDs replaced.
    pub fn redact(&mut self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < bytes.len() {
            let at_boundary = i == 0 || !is_word(bytes[i - 1]);
            if at_boundary {
                if let Some(len) = uuid_at(&bytes[i..]) {
                    let name = self.name("uuid", &text[i..i + len]);
                    out.push_str(&name);
                    i += len;
                    continue;
                }
                if let Some((kind, len)) = id_at(&bytes[i..]) {
                    let name = self.name(kind, &text[i..i + len]);
                    out.push_str(&name);
                    i += len;
                    continue;
                }
            }
            let ch = text[i..].chars().next().expect("in bounds");
            out.push(ch);
            i += ch.len_utf8();
        }
        out
    }

    /// One logged request as text: request line (path and query), idempotency key, injected
    /// fault, the mock's answer, and the JSON body with sorted keys; all redacted.
    pub fn render(&mut self, request: &RecordedRequest) -> String {
        let mut out = format!("{} {}", request.method, request.path);
        if let Some(query) = &request.query {
            out.push('?');
            out.push_str(query);
        }
        out.push('\n');
        if let Some(key) = &request.idempotency_key {
            out.push_str(&format!("idempotency-key: {key}\n"));
        }
        if let Some(fault) = &request.fault {
            out.push_str(&format!("fault: {fault}\n"));
        }
        match (request.status, request.dropped) {
            (_, true) => out.push_str("-> connection dropped\n"),
            (Some(status), false) if request.replayed => {
                out.push_str(&format!("-> {status} (idempotent replay)\n"));
            }
            (Some(status), false) => out.push_str(&format!("-> {status}\n")),
            (None, false) => out.push_str("-> (no answer yet)\n"),
        }
        if let Some(body) = &request.body {
            out.push('\n');
            out.push_str(&serde_json::to_string_pretty(&sorted(body.clone())).expect("JSON"));
            out.push('\n');
        }
        self.redact(&out)
    }

    /// Several logged requests, separated by blank lines.
    pub fn render_all(&mut self, requests: &[RecordedRequest]) -> String {
        requests
            .iter()
            .map(|r| self.render(r))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The length of the UUID (8-4-4-4-12 hex digits) at the start of `bytes`, if there is one.
fn uuid_at(bytes: &[u8]) -> Option<usize> {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let mut i = 0;
    for (n, len) in GROUPS.iter().enumerate() {
        if n > 0 {
            if bytes.get(i) != Some(&b'-') {
                return None;
            }
            i += 1;
        }
        let group = bytes.get(i..i + len)?;
        if !group.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        i += len;
    }
    (bytes.get(i).is_none_or(|b| !is_word(*b))).then_some(i)
}

/// The kind and length of the Mollie id (a prefix of [`ID_KINDS`] and letters or digits) at
/// the start of `bytes`, if there is one.
fn id_at(bytes: &[u8]) -> Option<(&'static str, usize)> {
    ID_KINDS.iter().find_map(|(prefix, kind)| {
        let rest = bytes.strip_prefix(prefix.as_bytes())?;
        let len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        (len > 0).then_some((*kind, prefix.len() + len))
    })
}

/// `value` with the keys of every object sorted, so snapshots do not depend on whether a
/// crate in the build enables serde_json's `preserve_order`.
pub fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let map: std::collections::BTreeMap<String, Value> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            Value::Object(map.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_ids_and_uuids_consistently() {
        let mut r = Redactor::new();
        let text = "POST /v2/customers/cst_8wmqcHMN4U/mandates?from=mdt_pWUnw6pkBN\n\
                    idempotency-key: 0e3f1c5a-6a3b-4c1d-9e2f-1a2b3c4d5e6f\n\
                    GET /v2/customers/cst_8wmqcHMN4U/payments?from=tr_7UhSN1zuXS&x=cst_other1";
        assert_eq!(
            r.redact(text),
            "POST /v2/customers/[customer-1]/mandates?from=[mandate-1]\n\
             idempotency-key: [uuid-1]\n\
             GET /v2/customers/[customer-1]/payments?from=[payment-1]&x=[customer-2]"
        );
        assert_eq!(
            r.redact("DELETE /v2/customers/cst_8wmqcHMN4U/subscriptions/sub_rVKGtNd6s3"),
            "DELETE /v2/customers/[customer-1]/subscriptions/[subscription-1]"
        );
        // Not ids: no body after the prefix, or inside a word.
        assert_eq!(r.redact("cst_ xcst_abc pfl_abc"), "cst_ xcst_abc pfl_abc");
    }
}

/// The root README's complete program, compiled as a doc test against this workspace (not
/// run: it needs `MOLLIE_API_KEY`), so that what a new user copies builds.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct RootReadme;

/// The same for the facade crate's own README, the page crates.io shows.
#[cfg(doctest)]
#[doc = include_str!("../../crates/mollie-sdk/README.md")]
pub struct FacadeReadme;
