//! The request log behind `GET /__mock/requests`: what clients sent, so that tests can
//! assert it. Bounded in count and in bytes (every kept string counts, query strings too);
//! `Authorization` is never kept.

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

/// The log, a ring of the most recent requests, bounded in count and in memory.
#[derive(Debug)]
pub(crate) struct RequestLog {
    entries: VecDeque<RecordedRequest>,
    /// The estimated memory of each entry, in the order of `entries`.
    costs: VecDeque<usize>,
    cost: usize,
    next_seq: u64,
    cap: usize,
    budget: usize,
}

/// What an entry may cost, counted generously so that it bounds both the memory the entry
/// takes and its JSON in `GET /__mock/requests`: a parsed JSON body can take up to about 16
/// times its text (`[0,0,...]`: 2 bytes of text, a 32-byte value each); every string the
/// entry keeps (path, query string, headers, idempotency key, fault) counts twice, as JSON
/// may escape each of its characters (`"` becomes `\"`); plus the rest of the entry.
pub(crate) fn estimated_cost(body_bytes: usize, entry: &RecordedRequest) -> usize {
    let twice = |s: &str| s.len().saturating_mul(2);
    let headers: usize = entry
        .headers
        .iter()
        .map(|(k, v)| twice(k) + twice(v) + 48)
        .sum();
    let strings = twice(&entry.method)
        + twice(&entry.path)
        + entry.query.as_deref().map_or(0, twice)
        + entry.idempotency_key.as_deref().map_or(0, twice)
        + entry.fault.as_deref().map_or(0, twice);
    body_bytes
        .saturating_mul(16)
        .saturating_add(headers)
        .saturating_add(strings)
        .saturating_add(256)
}

impl RequestLog {
    pub fn new(cap: usize, budget: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            costs: VecDeque::new(),
            cost: 0,
            next_seq: 1,
            cap,
            budget,
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.costs.clear();
        self.cost = 0;
    }

    /// Adds a request that cost `cost` bytes (see [`estimated_cost`]); returns its sequence
    /// number. The oldest entries go first when the count or the memory budget is exceeded.
    pub fn push(&mut self, mut entry: RecordedRequest, cost: usize) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.cap == 0 || cost > self.budget {
            return seq;
        }
        entry.seq = seq;
        while self.entries.len() >= self.cap || self.cost + cost > self.budget {
            self.entries.pop_front();
            self.cost -= self.costs.pop_front().unwrap_or(0);
        }
        self.entries.push_back(entry);
        self.costs.push_back(cost);
        self.cost += cost;
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

    /// What the entries cost in all (see [`estimated_cost`]), and the budget.
    pub fn bytes(&self) -> (usize, usize) {
        (self.cost, self.budget)
    }

    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        self.entries.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> RecordedRequest {
        RecordedRequest {
            seq: 0,
            method: "POST".into(),
            path: "/v2/customers".into(),
            query: None,
            headers: BTreeMap::new(),
            body: None,
            idempotency_key: None,
            fault: None,
            processing: false,
            status: None,
            dropped: false,
            replayed: false,
        }
    }

    #[test]
    fn the_log_stays_within_its_count_and_its_memory() {
        let mut log = RequestLog::new(3, 1000);
        for _ in 0..5 {
            log.push(entry(), 100);
        }
        let seqs: Vec<u64> = log.snapshot().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [3, 4, 5], "the count cap keeps the newest");

        // Two entries of 400 fit in 1000; a third pushes the oldest out.
        log.clear();
        for _ in 0..3 {
            log.push(entry(), 400);
        }
        assert_eq!(log.snapshot().len(), 2);
        assert!(log.cost <= 1000);

        // An entry larger than the whole budget is not kept, and evicts nothing.
        log.push(entry(), 5000);
        assert_eq!(log.snapshot().len(), 2);
        assert!(estimated_cost(1000, &entry()) >= 16_000);
    }

    #[test]
    fn the_query_string_and_every_kept_string_count() {
        let small = estimated_cost(0, &entry());
        let mut long = entry();
        long.query = Some("q=".to_owned() + &"x".repeat(60_000));
        long.idempotency_key = Some("k".repeat(1000));
        long.fault = Some("status=500".to_owned());
        long.headers.insert("x-big".into(), "v".repeat(5000));
        let cost = estimated_cost(0, &long);
        assert!(cost >= small + 2 * (60_002 + 1000 + 10 + 5005), "{cost}");
        // The entry's JSON (what `GET /__mock/requests` sends) never exceeds its cost.
        long.query = Some("\"".repeat(30_000));
        let json = serde_json::to_vec(&long).expect("json");
        assert!(json.len() <= estimated_cost(0, &long));
    }
}
