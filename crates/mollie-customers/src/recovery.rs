//! Crash recovery for charges: find the payment an earlier call may have made, after Mollie
//! no longer replays its idempotency key.
//!
//! An idempotency key makes a re-sent charge safe only while Mollie remembers the key, and
//! only with the same body. A service that crashed mid-charge and comes back later (a deploy,
//! a night) should look before it sends again: Mollie's own advice for a failed request is to
//! inspect the API's list endpoints to see whether it was executed
//! (<https://docs.mollie.com/reference/api-idempotency>). With
//! [`CreateCustomerPayment::mark_with_key`](crate::CreateCustomerPayment::mark_with_key) the
//! SDK writes the call's key into the payment's metadata, and
//! [`CustomerPayments::find_by_key`](crate::CustomerPayments::find_by_key) finds it again
//! among the customer's recent payments.

use futures::StreamExt;
use mollie_core::{IdempotencyKey, Request};
use mollie_models::{Payment, ValidationError, metadata_value};

/// The member of a payment's `metadata` object that carries the idempotency key of the call
/// that made it.
pub const KEY_MARKER: &str = "mollieSdkIdempotencyKey";

/// How many of a customer's most recent payments [`find_by_key`] looks through by
/// default: two pages of 250.
///
/// [`find_by_key`]: crate::CustomerPayments::find_by_key
pub const DEFAULT_LOOKBACK: usize = 500;

/// Writes the request's idempotency key into its body's `metadata` object (a [`Finish`] of
/// the call, so it sees the final key).
///
/// [`Finish`]: mollie_core::Finish
pub(crate) fn stamp_key(request: Request) -> Result<Request, ValidationError> {
    let refuse = |why: &str| ValidationError::new("metadata", why);
    let key = request
        .request_options()
        .idempotency_key
        .clone()
        .ok_or_else(|| refuse("a payment marked with its key needs an idempotency key"))?;
    let mut body = request
        .body()
        .cloned()
        .unwrap_or_else(|| serde_json::json!({}));
    let Some(fields) = body.as_object_mut() else {
        return Err(refuse("the payment body is not a JSON object"));
    };
    let metadata = fields
        .entry("metadata")
        .or_insert_with(|| serde_json::json!({}));
    if metadata.is_null() {
        *metadata = serde_json::json!({});
    }
    let Some(members) = metadata.as_object_mut() else {
        return Err(refuse(
            "must be a JSON object (or unset) to carry the idempotency key marker",
        ));
    };
    members.insert(KEY_MARKER.to_owned(), key.as_str().into());
    // Mollie's 1 kB limit holds with the marker in.
    metadata_value(&*metadata)?;
    Ok(request.json_value(body))
}

/// Whether `payment` was made by the call that sent `key` with the marker.
pub(crate) fn made_with(payment: &Payment, key: &IdempotencyKey) -> bool {
    payment
        .metadata
        .as_ref()
        .and_then(|metadata| metadata.get(KEY_MARKER))
        .and_then(|value| value.as_str())
        == Some(key.as_str())
}

/// The first payment of `pages` (newest first) made with `key`, within `lookback` payments.
pub(crate) async fn find(
    pages: mollie_core::PageStream<Payment>,
    key: &IdempotencyKey,
    lookback: usize,
) -> Result<Option<Payment>, mollie_core::Error> {
    let mut pages = std::pin::pin!(pages);
    let mut seen = 0;
    while seen < lookback {
        let Some(page) = pages.next().await else {
            return Ok(None);
        };
        let page = page?;
        let take = page.len().min(lookback - seen);
        seen += page.len();
        if let Some(found) = page
            .into_items()
            .into_iter()
            .take(take)
            .find(|p| made_with(p, key))
        {
            return Ok(Some(found));
        }
    }
    Ok(None)
}
