//! Idempotency keys, as Mollie documents them: a replay within the window answers the first
//! response again, a key reused for another request is refused, a duplicate in flight
//! conflicts.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use crate::errors::Reply;

/// What makes two requests "the same": endpoint and body. The body is compared as JSON when
/// it is JSON (so key order and whitespace do not matter), else byte for byte, through a
/// keyed 128-bit digest: a stored key costs a few bytes whatever the body's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint(u64, u64);

impl Fingerprint {
    /// The fingerprint of a request to `method` `path` with `body`.
    pub fn new(method: &str, path: &str, body: &[u8]) -> Self {
        use std::hash::{BuildHasher, Hash, Hasher};
        // Keys drawn once per process, so that nobody can craft two bodies that collide.
        static KEYS: std::sync::OnceLock<[std::collections::hash_map::RandomState; 2]> =
            std::sync::OnceLock::new();
        let keys = KEYS.get_or_init(Default::default);
        // serde_json's objects are sorted maps: the same JSON always prints the same way.
        let canonical = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(json) => std::borrow::Cow::Owned(json.to_string().into_bytes()),
            Err(_) => std::borrow::Cow::Borrowed(body),
        };
        let digest = |state: &std::collections::hash_map::RandomState| {
            let mut hasher = state.build_hasher();
            (method, path).hash(&mut hasher);
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
        at: SystemTime,
    },
}

/// A key's state, and the insertion it belongs to: a key that expired and came back is a new
/// insertion, and only its own place in the eviction order may evict it.
#[derive(Debug)]
struct Entry {
    state: State,
    generation: u64,
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
}

type Key = (u64, String);

/// The key store, bounded: beyond `cap` keys the oldest finished ones are forgotten.
#[derive(Debug)]
pub(crate) struct Idempotency {
    entries: HashMap<Key, Entry>,
    order: VecDeque<(Key, u64)>,
    next_generation: u64,
    cap: usize,
}

impl Idempotency {
    pub fn new(cap: usize) -> Self {
        Self {
            entries: HashMap::new(),
            order: VecDeque::new(),
            next_generation: 0,
            cap: cap.max(1),
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
    }

    pub fn begin(
        &mut self,
        scope: u64,
        key: &str,
        fingerprint: Fingerprint,
        now: SystemTime,
        ttl: Duration,
    ) -> Begin {
        let id = (scope, key.to_owned());
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
                at,
            }) => {
                // A clock that went backwards keeps the entry fresh.
                let fresh = match now.duration_since(*at) {
                    Ok(age) => age < ttl,
                    Err(_) => true,
                };
                if fresh {
                    return if *first == fingerprint {
                        Begin::Replay(reply.clone())
                    } else {
                        Begin::Mismatch
                    };
                }
                // Expired: the key is new again.
            }
            None => {}
        }
        let generation = self.next_generation;
        self.next_generation += 1;
        self.entries.insert(
            id.clone(),
            Entry {
                state: State::InFlight(fingerprint),
                generation,
            },
        );
        self.order.push_back((id, generation));
        self.evict();
        Begin::Proceed
    }

    /// Stores the answer to a request that was processed. Server errors are not stored (as
    /// with Mollie): a retry with the same key is processed again.
    pub fn finish(&mut self, scope: u64, key: &str, reply: &Reply, now: SystemTime) {
        let id = (scope, key.to_owned());
        if reply.status.is_server_error() {
            self.entries.remove(&id);
            return;
        }
        if let Some(entry) = self.entries.get_mut(&id)
            && let State::InFlight(fingerprint) = entry.state
        {
            entry.state = State::Done {
                fingerprint,
                reply: reply.clone(),
                at: now,
            };
        }
    }

    /// Forgets a key whose request was never processed (the client went away).
    pub fn abandon(&mut self, scope: u64, key: &str) {
        let id = (scope, key.to_owned());
        if matches!(
            self.entries.get(&id).map(|e| &e.state),
            Some(State::InFlight(_))
        ) {
            self.entries.remove(&id);
        }
    }

    fn evict(&mut self) {
        let mut in_flight_seen = 0;
        while self.entries.len() > self.cap {
            let Some((oldest, generation)) = self.order.pop_front() else {
                break;
            };
            match self.entries.get(&oldest) {
                // A stale place: the key was removed, or inserted again since.
                None => {}
                Some(entry) if entry.generation != generation => {}
                Some(Entry {
                    state: State::Done { .. },
                    ..
                }) => {
                    self.entries.remove(&oldest);
                }
                Some(_) => {
                    // In flight: keep it (at the back), and stop once every key is.
                    self.order.push_back((oldest, generation));
                    in_flight_seen += 1;
                    if in_flight_seen >= self.entries.len() {
                        break;
                    }
                }
            }
        }
        // `order` may hold stale places; keep it from growing without bound.
        if self.order.len() > self.cap.saturating_mul(2) {
            let entries = &self.entries;
            self.order.retain(|(key, generation)| {
                entries
                    .get(key)
                    .is_some_and(|e| e.generation == *generation)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    fn fp(body: serde_json::Value) -> Fingerprint {
        Fingerprint::new("POST", "/v2/customers", body.to_string().as_bytes())
    }

    #[test]
    fn fingerprints_compare_json_not_bytes() {
        let a = Fingerprint::new("POST", "/v2/x", br#"{"a":1,"b":[true]}"#);
        let b = Fingerprint::new("POST", "/v2/x", b"{ \"b\": [true], \"a\": 1 }");
        assert_eq!(a, b, "order and whitespace do not matter");
        assert_ne!(
            a,
            Fingerprint::new("POST", "/v2/x", br#"{"a":2,"b":[true]}"#)
        );
        assert_ne!(
            a,
            Fingerprint::new("POST", "/v2/y", br#"{"a":1,"b":[true]}"#)
        );
        assert_ne!(
            a,
            Fingerprint::new("PATCH", "/v2/x", br#"{"a":1,"b":[true]}"#)
        );
        assert_eq!(
            Fingerprint::new("POST", "/v2/x", b"not json"),
            Fingerprint::new("POST", "/v2/x", b"not json")
        );
    }

    #[test]
    fn a_key_that_expired_and_came_back_is_not_evicted_by_its_old_place() {
        let mut idem = Idempotency::new(2);
        let ttl = Duration::from_secs(10);
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let t1 = t0 + Duration::from_secs(60);
        let reply = Reply::json(StatusCode::CREATED, b"{}".to_vec());
        let body = serde_json::json!({});
        let mut use_key = |key: &str, at: SystemTime| {
            assert!(matches!(
                idem.begin(1, key, fp(body.clone()), at, ttl),
                Begin::Proceed
            ));
            idem.finish(1, key, &reply, at);
        };
        // "k" is used, expires, "x" is used, then "k" again: "k"'s first place is stale.
        use_key("k", t0);
        use_key("x", t1);
        use_key("k", t1);
        // "y" overflows the cap of 2: the oldest live key is "x", not the fresh "k".
        use_key("y", t1);
        assert!(matches!(
            idem.begin(1, "k", fp(body.clone()), t1, ttl),
            Begin::Replay(_)
        ));
        assert!(matches!(
            idem.begin(1, "y", fp(body.clone()), t1, ttl),
            Begin::Replay(_)
        ));
        assert!(matches!(
            idem.begin(1, "x", fp(body.clone()), t1, ttl),
            Begin::Proceed
        ));
    }

    #[test]
    fn replays_conflicts_and_mismatches() {
        let mut idem = Idempotency::new(10);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let ttl = Duration::from_secs(86_400);
        let body = serde_json::json!({"name": "a"});
        assert!(matches!(
            idem.begin(1, "k", fp(body.clone()), now, ttl),
            Begin::Proceed
        ));
        assert!(matches!(
            idem.begin(1, "k", fp(body.clone()), now, ttl),
            Begin::InFlight
        ));
        let reply = Reply::json(StatusCode::CREATED, b"{}".to_vec());
        idem.finish(1, "k", &reply, now);
        assert!(matches!(
            idem.begin(1, "k", fp(body.clone()), now, ttl),
            Begin::Replay(_)
        ));
        assert!(matches!(
            idem.begin(1, "k", fp(serde_json::json!({"name": "b"})), now, ttl),
            Begin::Mismatch
        ));
        // Another credential has its own keys.
        assert!(matches!(
            idem.begin(2, "k", fp(body.clone()), now, ttl),
            Begin::Proceed
        ));
        // After the window, the key is new again.
        let later = now + ttl;
        assert!(matches!(
            idem.begin(1, "k", fp(body), later, ttl),
            Begin::Proceed
        ));
    }

    #[test]
    fn is_bounded() {
        let mut idem = Idempotency::new(3);
        let now = SystemTime::UNIX_EPOCH;
        let reply = Reply::json(StatusCode::CREATED, b"{}".to_vec());
        for i in 0..100 {
            let key = format!("k{i}");
            let _ = idem.begin(1, &key, fp(serde_json::json!(i)), now, Duration::MAX);
            idem.finish(1, &key, &reply, now);
        }
        assert!(idem.entries.len() <= 3);
        assert!(idem.order.len() <= 7);
    }
}
