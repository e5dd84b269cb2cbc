//! What a successful call returns besides its model: status, idempotency key, replay flag.

use crate::request::IdempotencyKey;

/// Facts about the response of a successful call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseMeta {
    pub(crate) status: u16,
    pub(crate) idempotency_key: Option<IdempotencyKey>,
    pub(crate) replayed: bool,
    pub(crate) request_id: Option<String>,
    pub(crate) attempts: u32,
}

impl ResponseMeta {
    /// The HTTP status, e.g. 201 for a create.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The idempotency key the request was sent with.
    pub fn idempotency_key(&self) -> Option<&IdempotencyKey> {
        self.idempotency_key.as_ref()
    }

    /// Whether Mollie replayed an earlier response to the same idempotency key
    /// (`Idempotent-Replayed: true`) instead of doing the work again.
    pub fn idempotent_replayed(&self) -> bool {
        self.replayed
    }

    /// The request id the server sent back, if it did.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How many attempts the call took (1 when the first succeeded).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// A decoded model with the [`ResponseMeta`] of the response it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// The decoded body.
    pub value: T,
    /// Facts about the response.
    pub meta: ResponseMeta,
}

impl<T> Response<T> {
    /// The decoded body, without the facts.
    pub fn into_value(self) -> T {
        self.value
    }
}
