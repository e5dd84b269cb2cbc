//! Idempotency keys, as Mollie documents them: a replay within the window answers the first
//! response again, a key reused for another request is refused, a duplicate in flight
//! conflicts.
//!
//! A key is remembered for the whole window ([`crate::MockConfig::idempotency_ttl`]), never
//! forgotten earlier to make room: forgetting it would let a retry of a charge charge again.
//! Memory is bounded in bytes instead ([`crate::MockConfig::max_idempotency_bytes`]): expired
//! keys are dropped as new ones come, and when the budget is still full a new key is refused
//! ([`Begin::Full`]) and its request not executed.

use std::collections::{BTreeMap, HashMap};
use std::mem::size_of;
use std::time::{Duration, SystemTime};

use axum::http::{HeaderName, HeaderValue};

use crate::auth::Env;
use crate::errors::Reply;

/// What makes two requests "the same": the credential (its keyed hash, never the token), the
/// mode the request works in, method, path, query and body. The query is compared as its
/// decoded parameters in any order, the body as JSON when it is JSON (so key order and
/// whitespace do not matter), else byte for byte; all through a keyed 128-bit digest, so a
/// stored key costs a few bytes whatever the body's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint(u64, u64);

impl Fingerprint {
    /// The fingerprint of a request of credential `scope` in mode `env` to `method` `path`
    /// with `query` and `body`.
    pub fn new(
        scope: u64,
        env: Env,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: &[u8],
    ) -> Self {
        use std::hash::{BuildHasher, Hash, Hasher};
        // Keys drawn once per process, so that nobody can craft two requests that collide.
        static KEYS: std::sync::OnceLock<[std::collections::hash_map::RandomState; 2]> =
            std::sync::OnceLock::new();
        let keys = KEYS.get_or_init(Default::default);
        // serde_json's objects are sorted maps: the same JSON always prints the same way.
        let canonical = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(json) => std::borrow::Cow::Owned(json.to_string().into_bytes()),
            Err(_) => std::borrow::Cow::Borrowed(body),
        };
        // Parameters in any order (`testmode`, where the last one wins, is in `env`).
        let mut query: Vec<&(String, String)> = query.iter().collect();
        query.sort();
        let digest = |state: &std::collections::hash_map::RandomState| {
            let mut hasher = state.build_hasher();
            (scope, env, method, path).hash(&mut hasher);
            query.hash(&mut hasher);
            canonical.hash(&mut hasher);
            hasher.finish()
        };
        Self(digest(&keys[0]), digest(&keys[1]))
    }
}

#[derive(Debug)]
enum State {
    InFlight(Fingerprint),
    Done {
        fingerprint: Fingerprint,
        reply: Reply,
        /// Its place in `expiry` (which has the time it was stored).
        seq: u64,
    },
}

/// A key's state and what it costs.
#[derive(Debug)]
struct Entry {
    state: State,
    /// Bytes counted for it ([`entry_size`]).
    size: usize,
}

/// The outcome of presenting a key.
pub(crate) enum Begin {
    /// New key: process the request, then [`Idempotency::finish`] or [`Idempotency::abandon`].
    Proceed,
    /// Seen with the same request: answer this again.
    Replay(Reply),
    /// The first request with this key is still being processed.
    InFlight,
    /// The key was used for a different request.
    Mismatch,
    /// A new key, and no room for it: the request must not be executed. `retry_after`: when
    /// the oldest stored key expires (1 s when none is stored yet, all being in flight).
    Full { retry_after: Duration },
}

/// A credential's keyed hash and the key, exactly as sent (bytes: two keys that differ in
/// any byte are two keys).
type Key = (u64, Box<[u8]>);

/// Bookkeeping per entry besides the sizes of its parts (hash table slot and control bytes,
/// tree node share, allocator headers): an estimate on the safe side.
const OVERHEAD: usize = 64;

/// The bytes an entry for a key of `key_len` bytes takes: the key, the fingerprint and
/// state, and once answered the stored reply's body and headers, and its place in the
/// expiry order (which holds the key a second time).
fn entry_size(key_len: usize, reply: Option<&Reply>) -> usize {
    let mut size = size_of::<Key>() + size_of::<Entry>() + key_len + OVERHEAD;
    if let Some(reply) = reply {
        size += size_of::<(SystemTime, u64)>() + size_of::<Key>() + key_len + OVERHEAD;
        size += reply.body.as_ref().map_or(0, Vec::len);
        size += reply
            .headers
            .iter()
            .map(|(name, value)| {
                size_of::<(HeaderName, HeaderValue)>() + name.as_str().len() + value.len()
            })
            .sum::<usize>();
    }
    size
}

/// The key store, bounded in bytes: a key stays for the whole window; when the budget is
/// full, expired keys make room, else a new key is refused.
#[derive(Debug)]
pub(crate) struct Idempotency {
    entries: HashMap<Key, Entry>,
    /// The answered keys by the time they were stored (and a sequence number for ties):
    /// the order in which they expire.
    expiry: BTreeMap<(SystemTime, u64), Key>,
    next_seq: u64,
    /// What the entries take ([`entry_size`]).
    bytes: usize,
    max_bytes: usize,
}

impl Idempotency {
    pub fn new(max_bytes: usize) -> Self {
        Self {
            entries: HashMap::new(),
            expiry: BTreeMap::new(),
            next_seq: 0,
            bytes: 0,
            max_bytes,
        }
    }

    /// The budget in bytes.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// What the stored keys take, as counted against the budget.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.expiry.clear();
        self.bytes = 0;
    }

    pub fn begin(
        &mut self,
        scope: u64,
        key: &[u8],
        fingerprint: Fingerprint,
        now: SystemTime,
        ttl: Duration,
    ) -> Begin {
        self.expire(now, ttl);
        let id: Key = (scope, key.into());
        // Every answered key left is within the window (or from a clock that went back).
        match self.entries.get(&id).map(|e| &e.state) {
            Some(State::InFlight(first)) => {
                return if *first == fingerprint {
                    Begin::InFlight
                } else {
                    Begin::Mismatch
                };
            }
            Some(State::Done {
                fingerprint: first,
                reply,
                ..
            }) => {
                return if *first == fingerprint {
                    Begin::Replay(reply.clone())
                } else {
                    Begin::Mismatch
                };
            }
            None => {}
        }
        let size = entry_size(key.len(), None);
        if self.bytes.saturating_add(size) > self.max_bytes {
            let retry_after =
                self.expiry
                    .first_key_value()
                    .map_or(Duration::from_secs(1), |((at, _), _)| {
                        let age = now.duration_since(*at).unwrap_or(Duration::ZERO);
                        ttl.saturating_sub(age)
                    });
            return Begin::Full { retry_after };
        }
        self.bytes += size;
        self.entries.insert(
            id,
            Entry {
                state: State::InFlight(fingerprint),
                size,
            },
        );
        Begin::Proceed
    }

    /// Stores the answer to a request that was processed, even beyond the budget (it was
    /// admitted with room for its key; forgetting its answer would let a retry execute it
    /// again). Server errors are not stored (as with Mollie): a retry with the same key is
    /// processed again.
    pub fn finish(&mut self, scope: u64, key: &[u8], reply: &Reply, now: SystemTime) {
        let id: Key = (scope, key.into());
        if reply.status.is_server_error() {
            self.abandon(scope, key);
            return;
        }
        let Some(entry) = self.entries.get_mut(&id) else {
            return;
        };
        let State::InFlight(fingerprint) = entry.state else {
            return;
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        let size = entry_size(key.len(), Some(reply));
        self.bytes = self.bytes - entry.size + size;
        *entry = Entry {
            state: State::Done {
                fingerprint,
                reply: reply.clone(),
                seq,
            },
            size,
        };
        self.expiry.insert((now, seq), id);
    }

    /// Forgets a key whose request was never processed (the client went away).
    pub fn abandon(&mut self, scope: u64, key: &[u8]) {
        let id: Key = (scope, key.into());
        if let Some(entry) = self.entries.get(&id)
            && matches!(entry.state, State::InFlight(_))
        {
            self.bytes -= entry.size;
            self.entries.remove(&id);
        }
    }

    /// Drops the answered keys stored `ttl` or longer before `now`.
    fn expire(&mut self, now: SystemTime, ttl: Duration) {
        while let Some(first) = self.expiry.first_entry() {
            let (at, seq) = *first.key();
            // A clock that went backwards keeps the entry fresh.
            if !now.duration_since(at).is_ok_and(|age| age >= ttl) {
                break;
            }
            let id = first.remove();
            if let Some(entry) = self.entries.get(&id)
                && matches!(entry.state, State::Done { seq: s, .. } if s == seq)
            {
                self.bytes -= entry.size;
                self.entries.remove(&id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    fn fp(body: serde_json::Value) -> Fingerprint {
        Fingerprint::new(
            1,
            Env::Test,
            "POST",
            "/v2/customers",
            &[],
            body.to_string().as_bytes(),
        )
    }

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn fingerprints_cover_credential_mode_endpoint_query_and_body() {
        let body = br#"{"a":1,"b":[true]}"#;
        let f = |scope, env, method, path, query: &[(&str, &str)], body: &[u8]| {
            Fingerprint::new(scope, env, method, path, &q(query), body)
        };
        let a = f(1, Env::Test, "POST", "/v2/x", &[], body);
        assert_eq!(
            a,
            f(
                1,
                Env::Test,
                "POST",
                "/v2/x",
                &[],
                b"{ \"b\": [true], \"a\": 1 }"
            ),
            "key order and whitespace do not matter"
        );
        assert_ne!(
            a,
            f(1, Env::Test, "POST", "/v2/x", &[], br#"{"a":2,"b":[true]}"#)
        );
        assert_ne!(a, f(1, Env::Test, "POST", "/v2/y", &[], body));
        assert_ne!(a, f(1, Env::Test, "PATCH", "/v2/x", &[], body));
        assert_ne!(a, f(2, Env::Test, "POST", "/v2/x", &[], body), "credential");
        assert_ne!(a, f(1, Env::Live, "POST", "/v2/x", &[], body), "mode");
        let include = f(
            1,
            Env::Test,
            "POST",
            "/v2/x",
            &[("include", "details.qrCode")],
            body,
        );
        assert_ne!(a, include, "query");
        assert_eq!(
            f(
                1,
                Env::Test,
                "POST",
                "/v2/x",
                &[("a", "1"), ("b", "2")],
                body
            ),
            f(
                1,
                Env::Test,
                "POST",
                "/v2/x",
                &[("b", "2"), ("a", "1")],
                body
            ),
            "parameter order does not matter"
        );
        assert_ne!(
            f(1, Env::Test, "POST", "/v2/x", &[("a", "1")], body),
            f(1, Env::Test, "POST", "/v2/x", &[("a", "2")], body)
        );
        assert_eq!(
            f(1, Env::Test, "POST", "/v2/x", &[], b"not json"),
            f(1, Env::Test, "POST", "/v2/x", &[], b"not json")
        );
    }

    #[test]
    fn replays_conflicts_and_mismatches() {
        let mut idem = Idempotency::new(1 << 20);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let ttl = Duration::from_secs(86_400);
        let body = serde_json::json!({"name": "a"});
        assert!(matches!(
            idem.begin(1, b"k", fp(body.clone()), now, ttl),
            Begin::Proceed
        ));
        assert!(matches!(
            idem.begin(1, b"k", fp(body.clone()), now, ttl),
            Begin::InFlight
        ));
        let reply = Reply::json(StatusCode::CREATED, b"{}".to_vec());
        idem.finish(1, b"k", &reply, now);
        assert!(matches!(
            idem.begin(1, b"k", fp(body.clone()), now, ttl),
            Begin::Replay(_)
        ));
        assert!(matches!(
            idem.begin(1, b"k", fp(serde_json::json!({"name": "b"})), now, ttl),
            Begin::Mismatch
        ));
        // Another credential has its own keys.
        assert!(matches!(
            idem.begin(2, b"k", fp(body.clone()), now, ttl),
            Begin::Proceed
        ));
        // Keys are bytes: one that differs only in a byte that is not UTF-8 is another key.
        idem.finish(1, b"k\xff", &reply, now);
        assert!(matches!(
            idem.begin(1, b"k\xff", fp(body.clone()), now, ttl),
            Begin::Proceed
        ));
        idem.finish(1, b"k\xff", &reply, now);
        assert!(matches!(
            idem.begin(1, b"k\xfe", fp(body.clone()), now, ttl),
            Begin::Proceed
        ));
        // After the window, the key is new again.
        let later = now + ttl;
        assert!(matches!(
            idem.begin(1, b"k", fp(body), later, ttl),
            Begin::Proceed
        ));
    }

    #[test]
    fn a_full_store_refuses_new_keys_until_old_ones_expire() {
        let reply = Reply::json(StatusCode::CREATED, vec![b'x'; 200]);
        let per_key = entry_size(2, Some(&reply));
        let mut idem = Idempotency::new(per_key * 3 + entry_size(2, None) - 1);
        let ttl = Duration::from_secs(100);
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let body = serde_json::json!({});
        for (i, key) in [b"k0", b"k1", b"k2"].into_iter().enumerate() {
            let at = t0 + Duration::from_secs(10 * i as u64);
            assert!(matches!(
                idem.begin(1, key, fp(body.clone()), at, ttl),
                Begin::Proceed
            ));
            idem.finish(1, key, &reply, at);
        }
        assert_eq!(idem.bytes, per_key * 3);
        // Full: a new key is refused until the oldest ("k0", at t0) expires at t0 + 100 s.
        let now = t0 + Duration::from_secs(30);
        match idem.begin(1, b"k3", fp(body.clone()), now, ttl) {
            Begin::Full { retry_after } => assert_eq!(retry_after, Duration::from_secs(70)),
            _ => panic!("not refused"),
        }
        // Stored keys still replay; nothing was forgotten.
        for key in [b"k0", b"k1", b"k2"] {
            assert!(matches!(
                idem.begin(1, key, fp(body.clone()), now, ttl),
                Begin::Replay(_)
            ));
        }
        // "k0" expires: room for one key.
        let now = t0 + ttl;
        assert!(matches!(
            idem.begin(1, b"k3", fp(body.clone()), now, ttl),
            Begin::Proceed
        ));
        idem.finish(1, b"k3", &reply, now);
        assert!(matches!(
            idem.begin(1, b"k4", fp(body.clone()), now, ttl),
            Begin::Full { .. }
        ));
        // "k1" expires. An abandoned key and a server error give their room back.
        let now = t0 + Duration::from_secs(10) + ttl;
        assert!(matches!(
            idem.begin(1, b"k4", fp(body.clone()), now, ttl),
            Begin::Proceed
        ));
        idem.abandon(1, b"k4");
        assert_eq!(idem.bytes, per_key * 2);
        assert!(matches!(
            idem.begin(1, b"k5", fp(body.clone()), now, ttl),
            Begin::Proceed
        ));
        idem.finish(
            1,
            b"k5",
            &Reply::json(StatusCode::INTERNAL_SERVER_ERROR, b"{}".to_vec()),
            now,
        );
        assert_eq!(idem.bytes, per_key * 2);
        assert_eq!(idem.entries.len(), 2);
        idem.clear();
        assert_eq!(
            (idem.bytes, idem.entries.len(), idem.expiry.len()),
            (0, 0, 0)
        );
    }

    #[test]
    fn a_clock_that_goes_back_keeps_keys() {
        let mut idem = Idempotency::new(1 << 20);
        let ttl = Duration::from_secs(10);
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let body = serde_json::json!({});
        let reply = Reply::json(StatusCode::CREATED, b"{}".to_vec());
        assert!(matches!(
            idem.begin(1, b"k", fp(body.clone()), t0, ttl),
            Begin::Proceed
        ));
        idem.finish(1, b"k", &reply, t0);
        let earlier = t0 - Duration::from_secs(500);
        assert!(matches!(
            idem.begin(1, b"k", fp(body.clone()), earlier, ttl),
            Begin::Replay(_)
        ));
        // A key stored "earlier" expires by its own time, not the first key's.
        assert!(matches!(
            idem.begin(1, b"j", fp(body.clone()), earlier, ttl),
            Begin::Proceed
        ));
        idem.finish(1, b"j", &reply, earlier);
        let later = earlier + ttl;
        assert!(matches!(
            idem.begin(1, b"j", fp(body.clone()), later, ttl),
            Begin::Proceed
        ));
        assert!(matches!(
            idem.begin(1, b"k", fp(body), later, ttl),
            Begin::Replay(_)
        ));
    }
}
