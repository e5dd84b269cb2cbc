//! Refunds: how the API shows one, create, cancel; and the status changes of the control
//! API. Get and list are [`super::payment_children`]'s, the status rules
//! [`crate::refund_state`]'s.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use mollie_models::{
    NewRoutingReversal, Payment, PaymentId, Refund, RefundEmbedded, RefundExternalReference,
    RefundLinks, RefundStatus, Timestamp,
};

use super::payment_children::{self, PaymentChild};
use super::{Ctx, no_such, to_json};
use crate::amounts;
use crate::app::{App, lock};
use crate::auth::Env;
use crate::clock;
use crate::errors::{ApiError, Reply};
use crate::links::{self, DOC_REFUNDS};
use crate::payment_state;
use crate::refund_state;
use crate::store::{PaymentRec, RefundRec, Store};
use crate::validate::{self, Body};

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

impl PaymentChild for RefundRec {
    type Shown = Refund;
    const NAME: &'static str = "refund";
    const SEGMENT: &'static str = "refunds";
    const DOC: &'static str = DOC_REFUNDS;

    fn payment_id(&self) -> &PaymentId {
        &self.payment_id
    }
    fn all(store: &Store) -> &HashMap<String, Self> {
        &store.refunds
    }
    fn order(store: &Store, env: Env) -> &BTreeMap<u64, String> {
        &store.refund_order[env.index()]
    }
    fn of(payment: &PaymentRec) -> &BTreeMap<u64, String> {
        &payment.refunds
    }
    fn render(&self, base: &str, payment: Option<Payment>) -> Refund {
        render(self, base, payment)
    }
    fn deliver(app: &App, payment: &Payment, refund: &Refund, base: &str) {
        app.webhooks
            .notify_refund(payment, refund, payment.webhook_url.as_deref(), base);
    }
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

/// `GET /v2/payments/{paymentId}/refunds/{refundId}`, with `embed=payment`.
pub(crate) fn get(
    app: &App,
    ctx: &Ctx<'_>,
    payment_id: &str,
    refund_id: &str,
) -> Result<Reply, ApiError> {
    payment_children::get::<RefundRec>(app, ctx, payment_id, refund_id)
}

/// `GET /v2/payments/{paymentId}/refunds`, with `embed=payment`.
pub(crate) fn list(app: &App, ctx: &Ctx<'_>, payment_id: &str) -> Result<Reply, ApiError> {
    payment_children::list::<RefundRec>(app, ctx, payment_id)
}

/// `GET /v2/refunds`: every refund of the mode, optionally only those of `profileId`,
/// with `embed=payment`.
pub(crate) fn list_all(app: &App, ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    payment_children::list_all::<RefundRec>(app, ctx)
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
    let refund = payment_children::find::<RefundRec>(&store, ctx, payment_id, refund_id)?;
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
    payment_children::notify(app, store, &canceled, ctx.base);
    Ok(Reply::no_content())
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
    Ok(payment_children::notify(app, store, &refund, base))
}
