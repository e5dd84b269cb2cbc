//! The refund status machine, after Mollie's refunds guide: a refund is created `pending`
//! (as in every refund example of the spec), may be `queued` for lack of balance, then
//! `processing` at the bank, and ends `refunded` or `failed`. While `queued` or `pending` it
//! can be canceled (and is then gone: Mollie answers 404 for a canceled refund).
//!
//! ```text
//!  queued ⇄ pending ──► processing ──► refunded
//!     │         │            └───────► failed
//!     └─────────┴──► refunded, failed (directly), canceled (API DELETE)
//! ```

use mollie_models::RefundStatus;

use crate::errors::{ApiError, quoted};

/// The status of a new refund.
pub(crate) const INITIAL: RefundStatus = RefundStatus::Pending;

/// The statuses the control API sets: all but `canceled`, which is the API's
/// `DELETE /v2/payments/{paymentId}/refunds/{refundId}`.
///
/// # Errors
/// 422 on `status` for any other value.
pub(crate) fn control_target(value: &str) -> Result<RefundStatus, ApiError> {
    match RefundStatus::from(value) {
        status @ (RefundStatus::Queued
        | RefundStatus::Pending
        | RefundStatus::Processing
        | RefundStatus::Refunded
        | RefundStatus::Failed) => Ok(status),
        _ => Err(ApiError::unprocessable(
            "status",
            format!(
                "The status '{}' cannot be set; use queued, pending, processing, refunded or failed (cancel with DELETE)",
                quoted(value)
            ),
        )),
    }
}

/// Whether a refund in `from` may move to `to`.
pub(crate) fn may_change(from: &RefundStatus, to: &RefundStatus) -> bool {
    match from {
        RefundStatus::Queued => matches!(
            to,
            RefundStatus::Pending
                | RefundStatus::Processing
                | RefundStatus::Refunded
                | RefundStatus::Failed
                | RefundStatus::Canceled
        ),
        RefundStatus::Pending => matches!(
            to,
            RefundStatus::Queued
                | RefundStatus::Processing
                | RefundStatus::Refunded
                | RefundStatus::Failed
                | RefundStatus::Canceled
        ),
        RefundStatus::Processing => {
            matches!(to, RefundStatus::Refunded | RefundStatus::Failed)
        }
        _ => false,
    }
}

/// Moves a refund in `from` to `to`.
///
/// # Errors
/// 422 on `status` when it cannot.
pub(crate) fn change(id: &str, from: &RefundStatus, to: &RefundStatus) -> Result<(), ApiError> {
    if may_change(from, to) {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            "status",
            format!("The refund '{id}' is {from} and cannot become {to}"),
        ))
    }
}

/// Whether a refund in `status` can still be canceled (Mollie: only `queued` or `pending`).
pub(crate) fn is_cancelable(status: &RefundStatus) -> bool {
    matches!(status, RefundStatus::Queued | RefundStatus::Pending)
}

/// Whether a refund in `status` takes from the payment (`amountRefunded`): all but a failed
/// or canceled one, whose money stays with the merchant.
pub(crate) fn counts(status: &RefundStatus) -> bool {
    !matches!(status, RefundStatus::Failed | RefundStatus::Canceled)
}

/// Whether becoming `status` calls the payment's classic webhook: Mollie's refunds guide
/// lists `processing`, `refunded` and `failed` (not `queued`, `pending` or `canceled`).
/// Next-gen events (`refund.<status>`) go out for every change.
pub(crate) fn calls_classic_webhook(status: &RefundStatus) -> bool {
    matches!(
        status,
        RefundStatus::Processing | RefundStatus::Refunded | RefundStatus::Failed
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_statuses_never_change() {
        for from in RefundStatus::KNOWN {
            for to in RefundStatus::KNOWN {
                if from.is_final() {
                    assert!(!may_change(from, to), "{from} -> {to}");
                }
            }
        }
        assert!(may_change(&RefundStatus::Queued, &RefundStatus::Pending));
        assert!(may_change(&RefundStatus::Pending, &RefundStatus::Refunded));
        assert!(!may_change(
            &RefundStatus::Processing,
            &RefundStatus::Canceled
        ));
    }

    #[test]
    fn cancelable_and_counted() {
        assert!(is_cancelable(&RefundStatus::Queued));
        assert!(is_cancelable(&RefundStatus::Pending));
        assert!(!is_cancelable(&RefundStatus::Processing));
        assert!(!is_cancelable(&RefundStatus::Refunded));
        assert!(counts(&RefundStatus::Refunded));
        assert!(!counts(&RefundStatus::Failed));
        assert!(control_target("canceled").is_err());
        assert!(control_target("refunded").is_ok());
    }
}
