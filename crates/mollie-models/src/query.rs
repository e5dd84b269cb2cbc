//! Values of the `include` and `embed` query parameters of the Payments, Refunds and
//! Chargebacks APIs.
//!
//! Mollie takes several values of one parameter comma-separated (`embed=refunds,chargebacks`);
//! [`join`] writes them so. A value Mollie adds later can be sent as `Unknown("...")`.

use crate::open_enum::open_enum;

open_enum! {
    /// A value of the `include` parameter of *Get payment* (and, `details.qrCode` only, of
    /// *Create payment*).
    pub enum PaymentInclude {
        /// A QR code in `details.qrCode` (iDEAL, Bancontact and bank transfer only).
        QrCode = "details.qrCode",
        /// The details of the remainder payment, when gift cards or vouchers paid part of it
        /// (*Get payment* only).
        RemainderDetails = "details.remainderDetails",
    }
}

open_enum! {
    /// A value of the `embed` parameter of *Get payment*: the resources that come in the
    /// payment's `_embedded`.
    pub enum PaymentEmbed {
        /// Every capture of the payment.
        Captures = "captures",
        /// Every refund of the payment.
        Refunds = "refunds",
        /// Every chargeback of the payment.
        Chargebacks = "chargebacks",
    }
}

open_enum! {
    /// A value of the `embed` parameter of the refund endpoints (get, list, list all).
    pub enum RefundEmbed {
        /// The payment refunded, in the refund's `_embedded.payment`.
        Payment = "payment",
    }
}

open_enum! {
    /// A value of the `embed` parameter of the chargeback endpoints (get, list, list all).
    pub enum ChargebackEmbed {
        /// The payment charged back, in the chargeback's `_embedded.payment`.
        Payment = "payment",
    }
}

/// The values as one query parameter value, comma-separated, e.g. `refunds,chargebacks`;
/// `None` when there are none (then the parameter is left out).
///
/// ```
/// use mollie_models::{PaymentEmbed, query};
///
/// let embed = query::join(&[PaymentEmbed::Refunds, PaymentEmbed::Chargebacks]);
/// assert_eq!(embed.as_deref(), Some("refunds,chargebacks"));
/// assert_eq!(query::join::<PaymentEmbed>(&[]), None);
/// ```
pub fn join<T: std::fmt::Display>(values: &[T]) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    Some(
        values
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_values() {
        assert_eq!(PaymentInclude::QrCode.as_str(), "details.qrCode");
        assert_eq!(
            PaymentInclude::RemainderDetails.as_str(),
            "details.remainderDetails"
        );
        assert_eq!(PaymentEmbed::KNOWN.len(), 3);
        assert_eq!(RefundEmbed::Payment.as_str(), "payment");
        assert_eq!(ChargebackEmbed::Payment.to_string(), "payment");
        assert_eq!(
            join(&[PaymentInclude::QrCode, PaymentInclude::Unknown("x".into())]).as_deref(),
            Some("details.qrCode,x")
        );
    }
}
