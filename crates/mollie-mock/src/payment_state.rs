//! The payment status machine: which statuses a payment can move to, whether it can be
//! canceled, and what a status change implies (timestamps, the method chosen at the
//! checkout, the end of `expiresAt`). Handlers parse, call this, and render; nothing here
//! touches the store.
//!
//! ```text
//!            ┌──────────────► paid ◄──────────┐
//!  open ─────┼──────────────► failed          │
//!  pending ──┼──────────────► canceled ◄──────┤
//!            ├──────────────► expired ◄───────┤
//!            └──────────────► authorized ─────┘
//! ```
//!
//! An `open` or `pending` payment can reach any final status or `authorized`; an
//! `authorized` one can be captured (`paid`), released or canceled (`canceled`) or left to
//! expire; `paid`, `canceled`, `expired` and `failed` never change.

use std::time::SystemTime;

use axum::http::StatusCode;
use mollie_models::{PaymentMethod, PaymentStatus, SequenceType, Timestamp};

use crate::clock;
use crate::errors::{ApiError, quoted};
use crate::store::PaymentRec;

/// The statuses the control API sets: those of Mollie's test-mode checkout page (`paid`,
/// `failed`, `canceled`, `expired`) and `authorized`.
///
/// # Errors
/// 422 on `status` for any other value.
pub(crate) fn control_target(value: &str) -> Result<PaymentStatus, ApiError> {
    match PaymentStatus::from(value) {
        status @ (PaymentStatus::Paid
        | PaymentStatus::Failed
        | PaymentStatus::Canceled
        | PaymentStatus::Expired
        | PaymentStatus::Authorized) => Ok(status),
        _ => Err(ApiError::unprocessable(
            "status",
            format!(
                "The status '{}' cannot be set; use paid, failed, canceled, expired or authorized",
                quoted(value)
            ),
        )),
    }
}

/// Whether a payment in `from` may move to `to`: an `open` or `pending` payment to any
/// target, an `authorized` one to `paid`, `canceled` or `expired`; a final status never
/// changes.
pub(crate) fn may_change(from: &PaymentStatus, to: &PaymentStatus) -> bool {
    match from {
        PaymentStatus::Open | PaymentStatus::Pending => {
            to.is_final() || *to == PaymentStatus::Authorized
        }
        PaymentStatus::Authorized => matches!(
            to,
            PaymentStatus::Paid | PaymentStatus::Canceled | PaymentStatus::Expired
        ),
        _ => false,
    }
}

/// Mollie's `isCancelable`: omitted (`None`) once the payment is final. Of the others, an
/// authorization can be canceled (released), as can an open bank transfer and a pending
/// direct debit (the spec's examples: `isCancelable: true` on a pending recurring direct
/// debit, `false` on every open iDEAL, card or PayPal payment and on one with no method yet;
/// its *Cancel payment* example is a bank transfer).
pub(crate) fn is_cancelable(p: &PaymentRec) -> Option<bool> {
    match p.status {
        PaymentStatus::Authorized => Some(true),
        PaymentStatus::Open => Some(p.method == Some(PaymentMethod::BankTransfer)),
        PaymentStatus::Pending => Some(p.method == Some(PaymentMethod::DirectDebit)),
        _ => None,
    }
}

/// *Cancel payment*: `canceled`, when [`is_cancelable`] says so.
///
/// # Errors
/// 422 (no field, as in the spec's example) when the payment cannot be canceled.
pub(crate) fn cancel(p: &mut PaymentRec, now: SystemTime) -> Result<(), ApiError> {
    if is_cancelable(p) != Some(true) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("The payment cannot be canceled: it is {}", p.status),
        ));
    }
    change(p, PaymentStatus::Canceled, now)
}

/// *Release authorization*: an `authorized` payment without captures (the mock has none)
/// becomes `canceled`.
///
/// # Errors
/// 422 (no field) when the payment is not authorized.
pub(crate) fn release(p: &mut PaymentRec, now: SystemTime) -> Result<(), ApiError> {
    if p.status != PaymentStatus::Authorized {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "Authorization cannot be released because the payment is not in the authorized state (it is {}).",
                p.status
            ),
        ));
    }
    change(p, PaymentStatus::Canceled, now)
}

/// Whether `p` can be refunded: only a `paid` payment.
///
/// # Errors
/// 422 (no field) otherwise.
pub(crate) fn refundable(p: &PaymentRec) -> Result<(), ApiError> {
    if p.status == PaymentStatus::Paid {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "The payment '{}' cannot be refunded: it is {}, not paid",
                p.id, p.status
            ),
        ))
    }
}

/// When a field of *Update payment* may change, after Mollie's documentation of the
/// endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UpdateRule {
    /// In any status: `description`, `webhookUrl`, `metadata`.
    Always,
    /// Until the payment is finalized (paid, canceled, expired, failed): `redirectUrl`,
    /// `cancelUrl` (so documented), and what only the checkout uses: `locale`,
    /// `restrictPaymentMethodsToCountry`, `dueDate`, `issuer`, the addresses, `billingEmail`.
    UntilFinal,
    /// `method`: only while open, and only when the payment was created without one.
    Method,
}

/// The rule of an updatable field, `None` for a field *Update payment* does not take.
pub(crate) fn update_rule(field: &str) -> Option<UpdateRule> {
    Some(match field {
        "description" | "webhookUrl" | "metadata" => UpdateRule::Always,
        "redirectUrl"
        | "cancelUrl"
        | "locale"
        | "restrictPaymentMethodsToCountry"
        | "dueDate"
        | "issuer"
        | "billingAddress"
        | "shippingAddress"
        | "billingEmail" => UpdateRule::UntilFinal,
        "method" => UpdateRule::Method,
        _ => return None,
    })
}

/// Whether `field` of `p` may be updated now.
///
/// # Errors
/// 422 on `field` when it may not (e.g. "The 'redirectUrl' field cannot be updated when the
/// payment is finalized").
pub(crate) fn check_update(p: &PaymentRec, field: &str) -> Result<(), ApiError> {
    let allowed = match update_rule(field) {
        None | Some(UpdateRule::Always) => true,
        Some(UpdateRule::UntilFinal) => !p.status.is_final(),
        Some(UpdateRule::Method) => p.status == PaymentStatus::Open && !p.method_fixed,
    };
    if allowed {
        return Ok(());
    }
    let why = if update_rule(field) == Some(UpdateRule::Method) && p.method_fixed {
        "was created with a method".to_owned()
    } else if p.status.is_final() {
        format!("is finalized ({})", p.status)
    } else {
        format!("is {}", p.status)
    };
    Err(ApiError::unprocessable(
        field,
        format!("The '{field}' field cannot be updated when the payment {why}"),
    ))
}

/// Moves `p` to `to`, as the customer would at Mollie's checkout: sets the matching `...At`
/// timestamp, ends `expiresAt`, and chooses `creditcard` when a paid or authorized payment
/// had no method yet.
///
/// # Errors
/// 422 on `status` when the payment cannot move to `to` (it is left unchanged).
pub(crate) fn change(
    p: &mut PaymentRec,
    to: PaymentStatus,
    now: SystemTime,
) -> Result<(), ApiError> {
    if !may_change(&p.status, &to) {
        return Err(ApiError::unprocessable(
            "status",
            format!(
                "The payment '{}' is {} and cannot become {to}",
                p.id, p.status
            ),
        ));
    }
    let stamp = Some(Timestamp::new(clock::timestamp(now)));
    p.expires_at = None;
    match to {
        PaymentStatus::Paid | PaymentStatus::Authorized => {
            // Whoever pays has chosen a method at the checkout.
            p.method.get_or_insert(PaymentMethod::CreditCard);
            if to == PaymentStatus::Paid {
                p.paid_at = stamp;
            } else {
                p.authorized_at = stamp;
            }
        }
        PaymentStatus::Failed => p.failed_at = stamp,
        PaymentStatus::Canceled => p.canceled_at = stamp,
        _ => p.expired_at = stamp,
    }
    p.status = to;
    Ok(())
}

/// Whether `p`, now in its new status, should give its customer a mandate: a `first`
/// payment that is paid and has none yet.
pub(crate) fn creates_mandate(p: &PaymentRec) -> bool {
    p.status == PaymentStatus::Paid
        && p.sequence_type == SequenceType::First
        && p.mandate_id.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_statuses_never_change() {
        let all = [
            PaymentStatus::Open,
            PaymentStatus::Pending,
            PaymentStatus::Authorized,
            PaymentStatus::Paid,
            PaymentStatus::Canceled,
            PaymentStatus::Expired,
            PaymentStatus::Failed,
        ];
        for from in &all {
            for to in &all {
                let allowed = may_change(from, to);
                if from.is_final() {
                    assert!(!allowed, "{from} -> {to}");
                }
            }
        }
        assert!(may_change(&PaymentStatus::Authorized, &PaymentStatus::Paid));
        assert!(may_change(&PaymentStatus::Open, &PaymentStatus::Authorized));
        assert!(!may_change(&PaymentStatus::Open, &PaymentStatus::Pending));
        assert!(!may_change(
            &PaymentStatus::Authorized,
            &PaymentStatus::Failed
        ));
    }

    #[test]
    fn update_rules() {
        assert_eq!(update_rule("metadata"), Some(UpdateRule::Always));
        assert_eq!(update_rule("webhookUrl"), Some(UpdateRule::Always));
        assert_eq!(update_rule("redirectUrl"), Some(UpdateRule::UntilFinal));
        assert_eq!(update_rule("billingEmail"), Some(UpdateRule::UntilFinal));
        assert_eq!(update_rule("method"), Some(UpdateRule::Method));
        assert_eq!(update_rule("amount"), None);
    }

    #[test]
    fn control_targets() {
        assert_eq!(control_target("paid").ok(), Some(PaymentStatus::Paid));
        for bad in ["open", "pending", "refunded", "PAID", ""] {
            assert_eq!(
                control_target(bad).expect_err(bad).field.as_deref(),
                Some("status")
            );
        }
    }
}
