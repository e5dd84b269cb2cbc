//! The shared state of a running mock. Every lock is held briefly and never across an
//! `.await`.

use std::hash::RandomState;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use mollie_models::ProfileId;
use tokio::sync::Notify;

use crate::clock::VirtualClock;
use crate::faults::FaultQueue;
use crate::idempotency::Idempotency;
use crate::log::RequestLog;
use crate::rate_limit::Limiter;
use crate::store::Store;
use crate::webhooks::Webhooks;

/// The settings the server runs with (from `MockConfig`).
pub(crate) struct Settings {
    pub max_body_bytes: usize,
    pub idempotency_ttl: Duration,
    pub profile_id: ProfileId,
}

/// The state behind every request.
pub(crate) struct App {
    pub settings: Settings,
    /// The mock's time: the configured clock, moved forward by `/__mock/clock`.
    pub clock: Arc<VirtualClock>,
    pub local_addr: SocketAddr,
    /// `http`, or `https` when serving TLS: the scheme of every link.
    pub scheme: &'static str,
    pub hasher: RandomState,
    pub store: Mutex<Store>,
    pub idempotency: Mutex<Idempotency>,
    pub faults: Mutex<FaultQueue>,
    pub log: Mutex<RequestLog>,
    /// Wakes requests held by a `delay-ms` fault (`POST /__mock/release`).
    pub release: Notify,
    /// Sends and logs the webhooks of status changes.
    pub webhooks: Arc<Webhooks>,
    /// The buckets of `MockConfig::rate_limit` (or `MockServer::set_rate_limit`); `None`:
    /// no limit.
    pub rate_limit: Mutex<Option<Limiter>>,
}

/// Locks `mutex`, also after a panic elsewhere: the data is plain state that stays
/// consistent between statements, and a mock must keep answering.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl App {
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// Forgets everything: objects, idempotency keys, queued faults, the request log, the
    /// webhook deliveries (those in progress are canceled) and the rate limit's buckets.
    pub fn reset(&self) {
        self.webhooks.clear();
        lock(&self.store).clear();
        lock(&self.idempotency).clear();
        lock(&self.faults).queued.clear();
        lock(&self.log).clear();
        if let Some(limiter) = lock(&self.rate_limit).as_mut() {
            limiter.clear();
        }
    }
}
