//! What refunds and chargebacks share as sub-resources of a payment: their read endpoints
//! (one, a payment's list and the account-wide list, each with `embed=payment`) and their
//! webhooks, which are their payment's.

use std::collections::{BTreeMap, HashMap};
use std::sync::MutexGuard;

use axum::http::StatusCode;
use mollie_models::{ListItem, Payment, PaymentId};

use super::{AccountWide, Ctx, cursor, list_account_wide, list_reply, no_such, payments, to_json};
use crate::app::{App, lock};
use crate::auth::Env;
use crate::errors::{ApiError, Reply};
use crate::expand;
use crate::lists;
use crate::store::{PaymentRec, Store, page};

/// The `embed` values of every endpoint here.
const EMBED: &[&str] = &["payment"];

/// A stored refund or chargeback: where the store keeps it and how the API shows it.
pub(crate) trait PaymentChild: AccountWide + Sized {
    /// What the API shows.
    type Shown: ListItem + serde::Serialize;
    /// Its name in 404s: `No refund exists with token ...`.
    const NAME: &'static str;
    /// Its path segment, under a payment and account-wide: `refunds`.
    const SEGMENT: &'static str;
    /// The documentation its lists link.
    const DOC: &'static str;

    fn payment_id(&self) -> &PaymentId;
    /// Every one stored, by id.
    fn all(store: &Store) -> &HashMap<String, Self>;
    /// Those of mode `env`, in creation order.
    fn order(store: &Store, env: Env) -> &BTreeMap<u64, String>;
    /// Those of `payment`, in creation order.
    fn of(payment: &PaymentRec) -> &BTreeMap<u64, String>;
    /// As the API shows it, with `payment` embedded when given.
    fn render(&self, base: &str, payment: Option<Payment>) -> Self::Shown;
    /// Sends the webhooks of `shown` to its `payment`'s URLs.
    fn deliver(app: &App, payment: &Payment, shown: &Self::Shown, base: &str);
}

/// Whether the query asks for `embed=payment`.
fn embed(ctx: &Ctx<'_>) -> Result<bool, ApiError> {
    Ok(!expand::values(ctx.query, "embed", EMBED)?.is_empty())
}

/// Renders `r`, embedding its payment when `embed` is set.
fn render_in<R: PaymentChild>(store: &Store, r: &R, base: &str, embed: bool) -> R::Shown {
    let payment = embed
        .then(|| store.payments.get(r.payment_id().as_str()))
        .flatten()
        .map(|p| payments::render(p, base, false));
    r.render(base, payment)
}

/// The record `id` of payment `payment_id`, both of the request's mode. An unknown payment
/// is the payment's 404, checked first.
pub(crate) fn find<'s, R: PaymentChild>(
    store: &'s Store,
    ctx: &Ctx<'_>,
    payment_id: &str,
    id: &str,
) -> Result<&'s R, ApiError> {
    store
        .payment(ctx.env, payment_id)
        .ok_or_else(|| no_such("payment", payment_id))?;
    R::all(store)
        .get(id)
        .filter(|r| r.env() == ctx.env && r.payment_id().as_str() == payment_id)
        .ok_or_else(|| no_such(R::NAME, id))
}

/// `GET /v2/payments/{paymentId}/<segment>/{id}`.
pub(crate) fn get<R: PaymentChild>(
    app: &App,
    ctx: &Ctx<'_>,
    payment_id: &str,
    id: &str,
) -> Result<Reply, ApiError> {
    let embed = embed(ctx)?;
    let store = lock(&app.store);
    let r = find::<R>(&store, ctx, payment_id, id)?;
    Ok(Reply::json(
        StatusCode::OK,
        to_json(&render_in(&store, r, ctx.base, embed))?,
    ))
}

/// `GET /v2/payments/{paymentId}/<segment>`: the payment's, in its mode.
pub(crate) fn list<R: PaymentChild>(
    app: &App,
    ctx: &Ctx<'_>,
    payment_id: &str,
) -> Result<Reply, ApiError> {
    let embed = embed(ctx)?;
    let params = lists::params(ctx.query, &["testmode", "embed"])?;
    let store = lock(&app.store);
    let payment = store
        .payment(ctx.env, payment_id)
        .ok_or_else(|| no_such("payment", payment_id))?;
    let from = cursor(
        R::all(&store),
        params.from.as_deref(),
        |r| r.payment_id() == &payment.id,
        R::seq,
    )?;
    let page = page(R::of(payment), from, params.limit, params.desc(), |_| true);
    let path = format!("/v2/payments/{payment_id}/{}", R::SEGMENT);
    list_reply(
        ctx,
        &page,
        R::all(&store),
        |r| render_in(&store, r, ctx.base, embed),
        (&path, &params, R::DOC),
    )
}

/// `GET /v2/<segment>`: every one of the mode, optionally only those of `profileId`.
pub(crate) fn list_all<R: PaymentChild>(app: &App, ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let embed = embed(ctx)?;
    let params = lists::params(ctx.query, &["testmode", "profileId", "embed"])?;
    let store = lock(&app.store);
    let path = format!("/v2/{}", R::SEGMENT);
    list_account_wide(
        ctx,
        R::all(&store),
        R::order(&store, ctx.env),
        &params,
        |r| render_in(&store, r, ctx.base, embed),
        (&path, R::DOC),
    )
}

/// Sends the webhooks of `r` (as it now is) with its payment as it now is, if that is still
/// stored; `r` as the API shows it.
pub(crate) fn notify<R: PaymentChild>(
    app: &App,
    store: MutexGuard<'_, Store>,
    r: &R,
    base: &str,
) -> R::Shown {
    let shown = r.render(base, None);
    let payment = store
        .payments
        .get(r.payment_id().as_str())
        .map(|p| payments::render(p, base, true));
    // The store's lock is released: deliveries run on their own.
    drop(store);
    if let Some(payment) = payment {
        R::deliver(app, &payment, &shown, base);
    }
    shown
}
