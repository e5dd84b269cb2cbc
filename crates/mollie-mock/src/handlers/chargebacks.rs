//! Chargebacks: get and list (a payment's and all). The customer's bank makes them, so the
//! mock makes them through the control API ([`create`], [`reverse`]).

use std::time::SystemTime;

use axum::http::StatusCode;
use mollie_models::{
    Chargeback, ChargebackEmbedded, ChargebackLinks, ChargebackReason, Payment, PaymentStatus,
    Timestamp,
};
use serde_json::Value;

use super::{Ctx, cursor, list_account_wide, list_reply, no_such, payments, to_json};
use crate::amounts;
use crate::app::{App, lock};
use crate::clock;
use crate::errors::{ApiError, Reply};
use crate::expand;
use crate::links::{self, DOC_CHARGEBACKS};
use crate::lists;
use crate::store::{ChargebackRec, Store, page};
use crate::validate::{self, Body};

/// The `embed` values of the chargeback endpoints.
const EMBED: &[&str] = &["payment"];

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

/// Renders `c`, embedding its payment when `embed` is set.
fn render_in(store: &Store, c: &ChargebackRec, base: &str, embed: bool) -> Chargeback {
    let payment = embed
        .then(|| store.payments.get(c.payment_id.as_str()))
        .flatten()
        .map(|p| payments::render(p, base, false));
    render(c, base, payment)
}

/// `GET /v2/payments/{paymentId}/chargebacks/{chargebackId}`, with `embed=payment`.
pub(crate) fn get(
    app: &App,
    ctx: &Ctx<'_>,
    payment_id: &str,
    chargeback_id: &str,
) -> Result<Reply, ApiError> {
    let embed = !expand::values(ctx.query, "embed", EMBED)?.is_empty();
    let store = lock(&app.store);
    store
        .payment(ctx.env, payment_id)
        .ok_or_else(|| no_such("payment", payment_id))?;
    let chargeback = store
        .chargebacks
        .get(chargeback_id)
        .filter(|c| c.env == ctx.env && c.payment_id.as_str() == payment_id)
        .ok_or_else(|| no_such("chargeback", chargeback_id))?;
    Ok(Reply::json(
        StatusCode::OK,
        to_json(&render_in(&store, chargeback, ctx.base, embed))?,
    ))
}

/// `GET /v2/payments/{paymentId}/chargebacks`, with `embed=payment`.
pub(crate) fn list(app: &App, ctx: &Ctx<'_>, payment_id: &str) -> Result<Reply, ApiError> {
    let embed = !expand::values(ctx.query, "embed", EMBED)?.is_empty();
    let params = lists::params(ctx.query, &["testmode", "embed"])?;
    let store = lock(&app.store);
    let payment = store
        .payment(ctx.env, payment_id)
        .ok_or_else(|| no_such("payment", payment_id))?;
    let from = cursor(
        &store.chargebacks,
        params.from.as_deref(),
        |c| c.payment_id == payment.id,
        |c| c.seq,
    )?;
    let page = page(
        &payment.chargebacks,
        from,
        params.limit,
        params.desc(),
        |_| true,
    );
    let path = format!("/v2/payments/{payment_id}/chargebacks");
    list_reply(
        ctx,
        &page,
        &store.chargebacks,
        |c| render_in(&store, c, ctx.base, embed),
        (&path, &params, DOC_CHARGEBACKS),
    )
}

/// `GET /v2/chargebacks`: every chargeback of the mode, optionally only those of
/// `profileId`, with `embed=payment`.
pub(crate) fn list_all(app: &App, ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let embed = !expand::values(ctx.query, "embed", EMBED)?.is_empty();
    let params = lists::params(ctx.query, &["testmode", "profileId", "embed"])?;
    let store = lock(&app.store);
    list_account_wide(
        ctx,
        &store.chargebacks,
        &store.chargeback_order[ctx.env.index()],
        &params,
        |c| render_in(&store, c, ctx.base, embed),
        ("/v2/chargebacks", DOC_CHARGEBACKS),
    )
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
    Ok(notify(app, store, &chargeback, base))
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
    Ok(notify(app, store, &chargeback, base))
}

/// Sends the webhooks of `chargeback` with its payment as it now is; the chargeback as the
/// API shows it.
fn notify(
    app: &App,
    store: std::sync::MutexGuard<'_, Store>,
    chargeback: &ChargebackRec,
    base: &str,
) -> Chargeback {
    let rendered = render(chargeback, base, None);
    let Some(payment) = store.payments.get(chargeback.payment_id.as_str()) else {
        return rendered;
    };
    let payment = payments::render(payment, base, true);
    let webhook_url = payment.webhook_url.clone();
    // The store's lock is released: deliveries run on their own.
    drop(store);
    app.webhooks
        .notify_chargeback(&payment, &rendered, webhook_url.as_deref(), base);
    rendered
}
