//! Idempotency keys, as Mollie documents them: a replay within the window answers the first
//! response again, a key reused for another request is refused, a duplicate in flight
//! conflicts.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use crate::errors::Reply;

/// What makes two requests "the same": endpoint and body. The body is compared as JSON when
/// it is JSON (so key order and whitespace do not matter), else byte for byte.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fingerprint {
    pub method: String,
    pub path: String,
    pub body: FingerprintBody,
}

/// The body part of a [`Fingerprint`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FingerprintBody {
    Json(serde_json::Value),
    Raw(Vec<u8>),
}

#[derive(Debug)]
enum Entry {
    InFlight(Fingerprint),
    Done {
        fingerprint: Fingerprint,
        reply: Reply,
        at: SystemTime,
    },
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
    order: VecDeque<Key>,
    cap: usize,
}

impl Idempotency {
    pub fn new(cap: usize) -> Self {
        Self {
            entries: HashMap::new(),
            order: VecDeque::new(),
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
        match self.entries.get(&id) {
            Some(Entry::InFlight(first)) => {
                return if *first == fingerprint {
                    Begin::InFlight
                } else {
                    Begin::Mismatch
                };
            }
            Some(Entry::Done {
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
        self.entries
            .insert(id.clone(), Entry::InFlight(fingerprint));
        self.order.push_back(id);
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
            && let Entry::InFlight(fingerprint) = entry
        {
            *entry = Entry::Done {
                fingerprint: fingerprint.clone(),
                reply: reply.clone(),
                at: now,
            };
        }
    }

    /// Forgets a key whose request was never processed (the client went away).
    pub fn abandon(&mut self, scope: u64, key: &str) {
        let id = (scope, key.to_owned());
        if matches!(self.entries.get(&id), Some(Entry::InFlight(_))) {
            self.entries.remove(&id);
        }
    }

    fn evict(&mut self) {
        while self.entries.len() > self.cap {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if matches!(self.entries.get(&oldest), Some(Entry::Done { .. })) {
                self.entries.remove(&oldest);
            } else if self.entries.contains_key(&oldest) {
                // In flight: keep it, look further.
                self.order.push_back(oldest);
                if self
                    .entries
                    .values()
                    .all(|e| matches!(e, Entry::InFlight(_)))
                {
                    break;
                }
            }
        }
        // `order` may hold keys already removed or re-inserted; keep it from growing without
        // bound.
        if self.order.len() > self.cap.saturating_mul(2) {
            let entries = &self.entries;
            let mut seen = std::collections::HashSet::new();
            self.order
                .retain(|k| entries.contains_key(k) && seen.insert(k.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    fn fp(body: serde_json::Value) -> Fingerprint {
        Fingerprint {
            method: "POST".into(),
            path: "/v2/customers".into(),
            body: FingerprintBody::Json(body),
        }
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
