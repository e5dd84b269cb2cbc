//! The amounts a payment shows besides `amount`, as Mollie's examples show them, and the
//! `settlementAmount` of payments, refunds and chargebacks.
//!
//! - A paid payment carries `amountRefunded` and `amountRemaining` (every paid payment in
//!   the spec's examples does), and `amountChargedBack` once a chargeback is not reversed.
//! - `amountRefunded` is what its refunds take, except failed and canceled ones.
//! - `amountRemaining` is what can still be refunded: the amount, less the refunds and the
//!   chargebacks, never below zero. (The spec describes it as "the remaining amount that can
//!   be refunded", and money the customer's bank took back cannot be refunded again.)
//! - `settlementAmount` is what Mollie settles: the mock's account settles in euros and has
//!   no exchange rates, so it is shown for euro amounts only (as the amount, negative for a
//!   refund or chargeback), on paid payments.

use mollie_models::{Currency, Money, PaymentStatus};

use crate::store::PaymentRec;

/// The amounts of a payment that depend on its refunds and chargebacks.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Shown {
    pub refunded: Option<Money>,
    pub remaining: Option<Money>,
    pub charged_back: Option<Money>,
    pub settlement: Option<Money>,
}

fn money(currency: Currency, minor: i64) -> Option<Money> {
    Money::from_minor_units(currency, minor).ok()
}

/// What can still be refunded of `p`, in minor units.
pub(crate) fn remaining(p: &PaymentRec) -> i64 {
    p.amount
        .minor_units()
        .unwrap_or(0)
        .saturating_sub(p.refunded)
        .saturating_sub(p.charged_back)
        .max(0)
}

/// The amounts `p` shows.
pub(crate) fn shown(p: &PaymentRec) -> Shown {
    if p.status != PaymentStatus::Paid {
        return Shown::default();
    }
    let currency = p.amount.currency();
    Shown {
        refunded: money(currency, p.refunded),
        remaining: money(currency, remaining(p)),
        charged_back: (p.charged_back != 0)
            .then(|| money(currency, p.charged_back))
            .flatten(),
        settlement: settlement(&p.amount, false),
    }
}

/// The `settlementAmount` of `amount` (negated for money going back), euros only.
pub(crate) fn settlement(amount: &Money, negative: bool) -> Option<Money> {
    if amount.currency() != Currency::EUR {
        return None;
    }
    let minor = amount.minor_units()?;
    money(Currency::EUR, if negative { -minor } else { minor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settlement_in_euros_only() {
        let eur = Money::eur("10.00").expect("eur");
        assert_eq!(
            settlement(&eur, true).map(|m| m.value().to_owned()),
            Some("-10.00".to_owned())
        );
        assert_eq!(settlement(&eur, false), Some(eur));
        let usd = Money::new("USD", "10.00").expect("usd");
        assert_eq!(settlement(&usd, false), None);
    }
}
