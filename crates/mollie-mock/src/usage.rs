//! What the mock's stores that are bounded in bytes take, by the mock's own accounting.

use crate::app::{App, lock};

/// What the stores that are bounded in bytes take now, as the mock counts them against
/// their bounds ([`MockServer::memory`](crate::MockServer::memory)); each stays within its
/// bound (see [Connections](crate#connections) for what a full store answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MemoryUsage {
    /// The request log: the estimated cost of its entries (bodies, query strings, headers,
    /// keys; see [`MockConfig::max_log_bytes`](crate::MockConfig::max_log_bytes)).
    pub request_log_bytes: usize,
    /// Its bound, [`MockConfig::max_log_bytes`](crate::MockConfig::max_log_bytes).
    pub request_log_max_bytes: usize,
    /// The idempotency keys and their stored answers.
    pub idempotency_bytes: usize,
    /// Their bound,
    /// [`MockConfig::max_idempotency_bytes`](crate::MockConfig::max_idempotency_bytes).
    pub idempotency_max_bytes: usize,
    /// The webhook deliveries waiting for an attempt.
    pub webhook_queue_bytes: usize,
    /// Their bound,
    /// [`MockConfig::max_webhook_queue_bytes`](crate::MockConfig::max_webhook_queue_bytes).
    pub webhook_queue_max_bytes: usize,
    /// The stored objects (customers, mandates, payments, refunds, chargebacks,
    /// subscriptions), estimated from their records, strings and JSON values.
    pub objects_bytes: usize,
    /// Their bound, [`MockConfig::max_object_bytes`](crate::MockConfig::max_object_bytes).
    pub objects_max_bytes: usize,
}

impl MemoryUsage {
    pub(crate) fn of(app: &App) -> Self {
        let (request_log_bytes, request_log_max_bytes) = lock(&app.log).bytes();
        let (idempotency_bytes, idempotency_max_bytes) = {
            let keys = lock(&app.idempotency);
            (keys.bytes(), keys.max_bytes())
        };
        let (webhook_queue_bytes, webhook_queue_max_bytes) = app.webhooks.queue_bytes();
        let (objects_bytes, objects_max_bytes) = lock(&app.store).bytes();
        Self {
            objects_bytes,
            objects_max_bytes,
            request_log_bytes,
            request_log_max_bytes,
            idempotency_bytes,
            idempotency_max_bytes,
            webhook_queue_bytes,
            webhook_queue_max_bytes,
        }
    }
}
