//! The request log behind `GET /__mock/requests`: what clients sent, so that tests can
//! assert it. Bounded; `Authorization` is never kept.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

/// One request as the mock received it, and what it answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RecordedRequest {
    /// Increasing number of the request since the server started.
    pub seq: u64,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, e.g. `/v2/customers`.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The headers (lower-case names; repeated headers joined with `, `), with
    /// `authorization` replaced by `[redacted]`.
    pub headers: BTreeMap<String, String>,
    /// The body: its JSON when it is JSON, else its text; `None` when empty.
    pub body: Option<serde_json::Value>,
    /// The `Idempotency-Key` header, if sent.
    pub idempotency_key: Option<String>,
    /// The fault applied, in the fault syntax, if any.
    pub fault: Option<String>,
    /// True while the request is being processed (past auth and idempotency checks).
    pub processing: bool,
    /// The status sent, once answered; `None` while in flight or when dropped.
    pub status: Option<u16>,
    /// Whether the connection was closed without an answer (`drop` faults).
    pub dropped: bool,
    /// Whether the answer was an idempotent replay.
    pub replayed: bool,
}

/// The log, a ring of the most recent requests.
#[derive(Debug)]
pub(crate) struct RequestLog {
    entries: VecDeque<RecordedRequest>,
    next_seq: u64,
    cap: usize,
}

impl RequestLog {
    pub fn new(cap: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            next_seq: 1,
            cap,
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Adds a request; returns its sequence number.
    pub fn push(&mut self, mut entry: RecordedRequest) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.cap == 0 {
            return seq;
        }
        entry.seq = seq;
        while self.entries.len() >= self.cap {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
        seq
    }

    /// Changes the entry `seq`, if it is still in the log.
    pub fn update(&mut self, seq: u64, change: impl FnOnce(&mut RecordedRequest)) {
        let Some(front) = self.entries.front().map(|e| e.seq) else {
            return;
        };
        let Some(index) = seq.checked_sub(front) else {
            return;
        };
        if let Some(entry) = usize::try_from(index)
            .ok()
            .and_then(|i| self.entries.get_mut(i))
            .filter(|e| e.seq == seq)
        {
            change(entry);
        }
    }

    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        self.entries.iter().cloned().collect()
    }
}
