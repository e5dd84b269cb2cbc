//! Refunds: create, get, list (a payment's and all), cancel; and the status changes of the
//! control API. The status rules are [`crate::refund_state`]'s.

use axum::http::StatusCode;
use mollie_models::{
    NewRoutingReversal, Payment, Refund, RefundEmbedded, RefundExternalReference, RefundLinks,
    RefundStatus, Timestamp,
};

use super::{Ctx, cursor, list_account_wide, list_reply, no_such, payments, to_json};
use crate::amounts;
use crate::app::{App, lock};
use crate::clock;
use crate::errors::{ApiError, Reply};
use crate::expand;
use crate::links::{self, DOC_REFUNDS};
use crate::lists;
use crate::payment_state;
use crate::refund_state;
use crate::store::{RefundRec, Store, page};
use crate::validate::{self, Body};

/// The `embed` values of the refund endpoints.
const EMBED: &[&str] = &["payment"];

/// The refund as the API shows it, with its payment embedded when given. Refunds link the
/// documentation in lists too, as in the spec's examples.
pub(crate) fn render(r: &RefundRec, base: &str, payment: Option<Payment>) -> Refund {
    let payment_path = format!("/v2/payments/{}", r.payment_id);
    Refund {
        resource: "refund".into(),
        id: r.id.clone(),
        mode: r.env.mode(),
        description: r.description.clone(),
        amount: r.amount.clone(),
        settlement_amount: amounts::settlement(&r.amount, true),
        metadata: Some(r.metadata.clone()),
        payment_id: r.payment_id.clone(),
        settlement_id: None,
        status: r.status.clone(),
        created_at: r.created_at.clone(),
        external_reference: r.external_reference.clone(),
        reverse_routing: None,
        routing_reversals: None,
        links: RefundLinks {
            self_: links::api(base, &format!("{payment_path}/refunds/{}", r.id)),
            payment: links::api(base, &payment_path),
            settlement: None,
            documentation: Some(links::doc(DOC_REFUNDS)),
        },
        embedded: payment.map(|p| RefundEmbedded {
            payment: Some(Box::new(p)),
        }),
    }
}

/// Renders `r`, embedding its payment when `embed` is set.
fn render_in(store: &Store, r: &RefundRec, base: &str, embed: bool) -> Refund {
    let payment = embed
        .then(|| store.payments.get(r.payment_id.as_str()))
        .flatten()
        .map(|p| payments::render(p, base, false));
    render(r, base, payment)
}

/// `POST /v2/payments/{paymentId}/refunds`: a `pending` refund of a paid payment, in its
/// currency and at most what is left to refund (`amountRemaining`).
pub(crate) fn create(
    app: &App,
    ctx: &Ctx<'_>,
    payment_id: &str,
    body: &Body,
) -> Result<Reply, ApiError> {
    // Like Mollie, an unknown payment is a 404 before the body is looked at.
    if lock(&app.store).payment(ctx.env, payment_id).is_none() {
        return Err(no_such("payment", payment_id));
    }
    let amount = validate::amount(body, false)?;
    let description = validate::opt_str(body, "description")?.unwrap_or_default();
    validate::max_chars(
        "description",
        description,
        mollie_models::DESCRIPTION_MAX_CHARS,
    )?;
    let metadata = validate::metadata(body)?;
    let external_reference =
        validate::opt_typed::<RefundExternalReference>(body, "externalReference")?;
    // The mock's payments have no routing (Mollie Connect): nothing to reverse.
    if validate::opt_bool(body, "reverseRouting")? == Some(true) {
        return Err(ApiError::unprocessable(
            "reverseRouting",
            "The payment has no routing to reverse",
        ));
    }
    let reversals = validate::opt_typed::<Vec<NewRoutingReversal>>(body, "routingReversals")?;
    if reversals.is_some_and(|r| !r.is_empty()) {
        return Err(ApiError::unprocessable(
            "routingReversals",
            "The payment has no routing to reverse",
        ));
    }

    let mut store = lock(&app.store);
    let payment = store
        .payment(ctx.env, payment_id)
        .ok_or_else(|| no_such("payment", payment_id))?;
    payment_state::refundable(payment)?;
    if amount.currency() != payment.amount.currency() {
        return Err(ApiError::unprocessable(
            "amount.currency",
            format!(
                "The refund's currency {} differs from the payment's {}",
                amount.currency(),
                payment.amount.currency()
            ),
        ));
    }
    let remaining = amounts::remaining(payment);
    if amount.minor_units().unwrap_or(i64::MAX) > remaining {
        let left = mollie_models::Money::from_minor_units(amount.currency(), remaining)
            .map_or_else(|_| remaining.to_string(), |m| m.to_string());
        return Err(ApiError::unprocessable(
            "amount",
            format!("The amount is higher than the amount remaining to refund, {left}"),
        ));
    }
    let (payment_id, profile_id) = (payment.id.clone(), payment.profile_id.clone());
    store.check_capacity()?;
    let id = store.fresh_id("re_", |s| mollie_models::RefundId::parse(s).ok());
    let seq = store.seq();
    let refund = RefundRec {
        seq,
        id,
        env: ctx.env,
        payment_id,
        profile_id,
        amount,
        description: description.to_owned(),
        metadata,
        external_reference,
        status: refund_state::INITIAL,
        created_at: Timestamp::new(clock::timestamp(ctx.now)),
    };
    let json = to_json(&render(&refund, ctx.base, None))?;
    store.insert_refund(refund);
    Ok(Reply::json(StatusCode::CREATED, json))
}

/// The refund `refund_id` of payment `payment_id`, both of the request's mode.
fn find<'s>(
    store: &'s Store,
    ctx: &Ctx<'_>,
    payment_id: &str,
    refund_id: &str,
) -> Result<&'s RefundRec, ApiError> {
    store
        .payment(ctx.env, payment_id)
        .ok_or_else(|| no_such("payment", payment_id))?;
    store
        .refunds
        .get(refund_id)
        .filter(|r| r.env == ctx.env && r.payment_id.as_str() == payment_id)
        .ok_or_else(|| no_such("refund", refund_id))
}

/// `GET /v2/payments/{paymentId}/refunds/{refundId}`, with `embed=payment`.
pub(crate) fn get(
    app: &App,
    ctx: &Ctx<'_>,
    payment_id: &str,
    refund_id: &str,
) -> Result<Reply, ApiError> {
    let embed = !expand::values(ctx.query, "embed", EMBED)?.is_empty();
    let store = lock(&app.store);
    let refund = find(&store, ctx, payment_id, refund_id)?;
    Ok(Reply::json(
        StatusCode::OK,
        to_json(&render_in(&store, refund, ctx.base, embed))?,
    ))
}

/// `GET /v2/payments/{paymentId}/refunds`, with `embed=payment`.
pub(crate) fn list(app: &App, ctx: &Ctx<'_>, payment_id: &str) -> Result<Reply, ApiError> {
    let embed = !expand::values(ctx.query, "embed", EMBED)?.is_empty();
    let params = lists::params(ctx.query, &["testmode", "embed"])?;
    let store = lock(&app.store);
    let payment = store
        .payment(ctx.env, payment_id)
        .ok_or_else(|| no_such("payment", payment_id))?;
    let from = cursor(
        &store.refunds,
        params.from.as_deref(),
        |r| r.payment_id == payment.id,
        |r| r.seq,
    )?;
    let page = page(&payment.refunds, from, params.limit, params.desc(), |_| {
        true
    });
    let path = format!("/v2/payments/{payment_id}/refunds");
    list_reply(
        ctx,
        &page,
        &store.refunds,
        |r| render_in(&store, r, ctx.base, embed),
        (&path, &params, DOC_REFUNDS),
    )
}

/// `GET /v2/refunds`: every refund of the mode, optionally only those of `profileId`,
/// with `embed=payment`.
pub(crate) fn list_all(app: &App, ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let embed = !expand::values(ctx.query, "embed", EMBED)?.is_empty();
    let params = lists::params(ctx.query, &["testmode", "profileId", "embed"])?;
    let store = lock(&app.store);
    list_account_wide(
        ctx,
        &store.refunds,
        &store.refund_order[ctx.env.index()],
        &params,
        |r| render_in(&store, r, ctx.base, embed),
        ("/v2/refunds", DOC_REFUNDS),
    )
}

/// `DELETE /v2/payments/{paymentId}/refunds/{refundId}`: 204 while the refund is `queued` or
/// `pending`. A canceled refund is gone (Mollie answers 404 for it), its amount is free to
/// refund again, and a `refund.canceled` event goes out (no classic webhook, as at Mollie).
pub(crate) fn cancel(
    app: &App,
    ctx: &Ctx<'_>,
    payment_id: &str,
    refund_id: &str,
) -> Result<Reply, ApiError> {
    let mut store = lock(&app.store);
    let refund = find(&store, ctx, payment_id, refund_id)?;
    if !refund_state::is_cancelable(&refund.status) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "The refund cannot be canceled: it is {}; only queued or pending refunds can be",
                refund.status
            ),
        ));
    }
    let Some(mut canceled) = store.remove_refund(refund_id) else {
        return Err(no_such("refund", refund_id));
    };
    canceled.status = RefundStatus::Canceled;
    notify(app, store, &canceled, ctx.base);
    Ok(Reply::no_content())
}

/// Sends the webhooks of `refund`'s new status, with its payment as it now is.
fn notify(app: &App, store: std::sync::MutexGuard<'_, Store>, refund: &RefundRec, base: &str) {
    let Some(payment) = store.payments.get(refund.payment_id.as_str()) else {
        return;
    };
    let rendered = payments::render(payment, base, true);
    let webhook_url = payment.webhook_url.clone();
    let refund = render(refund, base, None);
    // The store's lock is released: deliveries run on their own.
    drop(store);
    app.webhooks
        .notify_refund(&rendered, &refund, webhook_url.as_deref(), base);
}

/// Moves refund `id` (of either mode) to `to` for the control API, updates its payment's
/// amounts and sends the webhooks. `base` is where the links point.
///
/// # Errors
/// 404 for an unknown refund, 422 on `status` when the refund cannot move to `to`.
pub(crate) fn change_status(
    app: &App,
    base: &str,
    id: &str,
    to: RefundStatus,
) -> Result<Refund, ApiError> {
    let mut store = lock(&app.store);
    let refund = store
        .refunds
        .get_mut(id)
        .ok_or_else(|| no_such("refund", id))?;
    refund_state::change(id, &refund.status, &to)?;
    refund.status = to;
    let refund = refund.clone();
    store.recount(refund.payment_id.as_str());
    let rendered = render(&refund, base, None);
    notify(app, store, &refund, base);
    Ok(rendered)
}
