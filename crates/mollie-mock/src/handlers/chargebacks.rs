//! Chargebacks: how the API shows one, get and list (a payment's and all, as
//! [`super::payment_children`] does them). The customer's bank makes them, so the mock makes
//! them through the control API ([`create`], [`reverse`]).

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use mollie_models::{
    Chargeback, ChargebackEmbedded, ChargebackLinks, ChargebackReason, Payment, PaymentId,
    PaymentStatus, Timestamp,
};
use serde_json::Value;

use super::payment_children::{self, PaymentChild};
use super::{Ctx, no_such};
use crate::amounts;
use crate::app::{App, lock};
use crate::auth::Env;
use crate::clock;
use crate::errors::{ApiError, Reply};
use crate::links::{self, DOC_CHARGEBACKS};
use crate::store::{ChargebackRec, PaymentRec, Store};
use crate::validate::{self, Body};

/// The chargeback as the API shows it, with its payment embedded when given. Chargebacks
/// have no `mode`, and link the documentation in lists too (the spec's examples).
pub(crate) fn render(c: &ChargebackRec, base: &str, payment: Option<Payment>) -> Chargeback {
    let payment_path = format!("/v2/payments/{}", c.payment_id);
    Chargeback {
        resource: "chargeback".into(),
        id: c.id.clone(),
        amount: c.amount.clone(),
        settlement_amount: amounts::settlement(&c.amount, true),
        reason: c.reason.clone(),
        payment_id: c.payment_id.clone(),
        settlement_id: None,
        created_at: c.created_at.clone(),
        reversed_at: c.reversed_at.clone(),
        links: ChargebackLinks {
            self_: links::api(base, &format!("{payment_path}/chargebacks/{}", c.id)),
            payment: links::api(base, &payment_path),
            settlement: None,
            documentation: Some(links::doc(DOC_CHARGEBACKS)),
        },
        embedded: payment.map(|p| ChargebackEmbedded {
            payment: Some(Box::new(p)),
        }),
    }
}

impl PaymentChild for ChargebackRec {
    type Shown = Chargeback;
    const NAME: &'static str = "chargeback";
    const SEGMENT: &'static str = "chargebacks";
    const DOC: &'static str = DOC_CHARGEBACKS;

    fn payment_id(&self) -> &PaymentId {
        &self.payment_id
    }
    fn all(store: &Store) -> &HashMap<String, Self> {
        &store.chargebacks
    }
    fn order(store: &Store, env: Env) -> &BTreeMap<u64, String> {
        &store.chargeback_order[env.index()]
    }
    fn of(payment: &PaymentRec) -> &BTreeMap<u64, String> {
        &payment.chargebacks
    }
    fn render(&self, base: &str, payment: Option<Payment>) -> Chargeback {
        render(self, base, payment)
    }
    fn deliver(app: &App, payment: &Payment, chargeback: &Chargeback, base: &str) {
        app.webhooks
            .notify_chargeback(payment, chargeback, payment.webhook_url.as_deref(), base);
    }
}

/// `GET /v2/payments/{paymentId}/chargebacks/{chargebackId}`, with `embed=payment`.
pub(crate) fn get(
    app: &App,
    ctx: &Ctx<'_>,
    payment_id: &str,
    chargeback_id: &str,
) -> Result<Reply, ApiError> {
    payment_children::get::<ChargebackRec>(app, ctx, payment_id, chargeback_id)
}

/// `GET /v2/payments/{paymentId}/chargebacks`, with `embed=payment`.
pub(crate) fn list(app: &App, ctx: &Ctx<'_>, payment_id: &str) -> Result<Reply, ApiError> {
    payment_children::list::<ChargebackRec>(app, ctx, payment_id)
}

/// `GET /v2/chargebacks`: every chargeback of the mode, optionally only those of
/// `profileId`, with `embed=payment`.
pub(crate) fn list_all(app: &App, ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    payment_children::list_all::<ChargebackRec>(app, ctx)
}

/// The optional `reason` of a new chargeback: `{"code": "AC01", "description": "..."}`.
fn reason(body: &Body) -> Result<Option<ChargebackReason>, ApiError> {
    validate::opt_typed::<ChargebackReason>(body, "reason")
}

/// Makes a chargeback of paid payment `payment_id` (of either mode), for the control API:
/// `amount` (default: all that is not charged back yet) in the payment's currency, at most
/// what is not charged back yet, and an optional `reason`. Updates the payment's
/// `amountChargedBack` and `amountRemaining` and calls its webhooks (`chargeback.received`).
///
/// # Errors
/// 404 for an unknown payment, 422 for a payment that is not paid (`status`), a bad or too
/// large amount (`amount`, `amount.currency`, `amount.value`), a bad reason (`reason`), or a
/// full store.
pub(crate) fn create(
    app: &App,
    base: &str,
    now: SystemTime,
    payment_id: &str,
    body: &Body,
) -> Result<Chargeback, ApiError> {
    let asked = match body.get("amount") {
        None | Some(Value::Null) => None,
        Some(_) => Some(validate::amount(body, false)?),
    };
    let reason = reason(body)?;
    let mut store = lock(&app.store);
    let payment = store
        .payments
        .get(payment_id)
        .ok_or_else(|| no_such("payment", payment_id))?;
    if payment.status != PaymentStatus::Paid {
        return Err(ApiError::unprocessable(
            "status",
            format!(
                "The payment '{payment_id}' is {}; only a paid payment can be charged back",
                payment.status
            ),
        ));
    }
    let currency = payment.amount.currency();
    let open = payment
        .amount
        .minor_units()
        .unwrap_or(0)
        .saturating_sub(payment.charged_back);
    let amount = match asked {
        Some(amount) if amount.currency() != currency => {
            return Err(ApiError::unprocessable(
                "amount.currency",
                format!(
                    "The chargeback's currency {} differs from the payment's {currency}",
                    amount.currency()
                ),
            ));
        }
        Some(amount) => amount,
        None => mollie_models::Money::from_minor_units(currency, open)
            .map_err(|e| ApiError::unprocessable("amount", e.to_string()))?,
    };
    if open <= 0 || amount.minor_units().unwrap_or(i64::MAX) > open {
        return Err(ApiError::unprocessable(
            "amount",
            format!(
                "The amount is higher than what is not charged back yet of payment '{payment_id}'"
            ),
        ));
    }
    let (env, payment_id, profile_id) =
        (payment.env, payment.id.clone(), payment.profile_id.clone());
    store.check_capacity()?;
    let id = store.fresh_id("chb_", |s| mollie_models::ChargebackId::parse(s).ok());
    let seq = store.seq();
    let chargeback = ChargebackRec {
        seq,
        id,
        env,
        payment_id,
        profile_id,
        amount,
        reason,
        created_at: Timestamp::new(clock::timestamp(now)),
        reversed_at: None,
    };
    store.insert_chargeback(chargeback.clone());
    Ok(payment_children::notify(app, store, &chargeback, base))
}

/// Reverses chargeback `id` (of either mode), for the control API: sets `reversedAt`, gives
/// the amount back to the payment and calls its webhooks (`chargeback.reversed`).
///
/// # Errors
/// 404 for an unknown chargeback, 422 on `reversedAt` when it is reversed already.
pub(crate) fn reverse(
    app: &App,
    base: &str,
    now: SystemTime,
    id: &str,
) -> Result<Chargeback, ApiError> {
    let mut store = lock(&app.store);
    let chargeback = store
        .chargebacks
        .get_mut(id)
        .ok_or_else(|| no_such("chargeback", id))?;
    if chargeback.reversed_at.is_some() {
        return Err(ApiError::unprocessable(
            "reversedAt",
            format!("The chargeback '{id}' is reversed already"),
        ));
    }
    chargeback.reversed_at = Some(Timestamp::new(clock::timestamp(now)));
    let chargeback = chargeback.clone();
    store.recount(chargeback.payment_id.as_str());
    Ok(payment_children::notify(app, store, &chargeback, base))
}
