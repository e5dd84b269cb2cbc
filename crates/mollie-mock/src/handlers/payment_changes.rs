//! What happens to a payment after it is made: *Update payment*, *Cancel payment*,
//! *Release authorization*, and the status changes of the control API. The rules are
//! [`crate::payment_state`]'s; this module parses, applies and renders.

use std::time::SystemTime;

use axum::http::StatusCode;
use mollie_models::{Address, Locale, Payment, PaymentMethod, PaymentStatus, ProfileId};
use serde_json::Value;

use super::payments::{country, method, render};
use super::{Ctx, no_such, to_json};
use crate::app::{App, lock};
use crate::errors::{ApiError, Reply, quoted};
use crate::payment_state;
use crate::store::PaymentRec;
use crate::validate::{self, Body};

/// The fields an update sends, checked. `Some(None)`: sent as `null`, which clears.
#[derive(Default)]
struct Changes {
    description: Option<String>,
    redirect_url: Option<Option<String>>,
    cancel_url: Option<Option<String>>,
    webhook_url: Option<Option<String>>,
    metadata: Option<Value>,
    method: Option<Option<PaymentMethod>>,
    locale: Option<Option<Locale>>,
    restrict_to_country: Option<Option<String>>,
    billing_address: Option<Option<Address>>,
    shipping_address: Option<Option<Address>>,
    billing_email: Option<String>,
}

fn parse_changes(body: &Body) -> Result<Changes, ApiError> {
    let sent = |field: &str| body.contains_key(field);
    let mut changes = Changes::default();
    if sent("description") {
        let description = validate::req_str(body, "description")?;
        validate::max_chars(
            "description",
            description,
            mollie_models::DESCRIPTION_MAX_CHARS,
        )?;
        changes.description = Some(description.to_owned());
    }
    for (field, slot) in [
        ("redirectUrl", &mut changes.redirect_url),
        ("cancelUrl", &mut changes.cancel_url),
        ("webhookUrl", &mut changes.webhook_url),
    ] {
        if sent(field) {
            let url = validate::opt_str(body, field)?;
            if let Some(url) = url {
                validate::url(field, url)?;
            }
            *slot = Some(url.map(str::to_owned));
        }
    }
    if sent("metadata") {
        changes.metadata = Some(validate::metadata(body)?);
    }
    if sent("method") {
        changes.method = Some(method(body)?);
    }
    if sent("locale") {
        changes.locale = Some(validate::opt_locale(body, "locale")?);
    }
    if sent("restrictPaymentMethodsToCountry") {
        changes.restrict_to_country = Some(country(body, "restrictPaymentMethodsToCountry")?);
    }
    for (field, slot) in [
        ("billingAddress", &mut changes.billing_address),
        ("shippingAddress", &mut changes.shipping_address),
    ] {
        if sent(field) {
            *slot = Some(validate::opt_typed::<Address>(body, field)?);
        }
    }
    if let Some(email) = validate::opt_str(body, "billingEmail")? {
        validate::email("billingEmail", email)?;
        changes.billing_email = Some(email.to_owned());
    }
    // Taken and checked, but nothing the mock shows: a bank transfer's due date and the
    // issuer preselected at the checkout.
    validate::opt_date(body, "dueDate")?;
    validate::opt_str(body, "issuer")?;
    Ok(changes)
}

fn apply(p: &mut PaymentRec, changes: Changes) {
    if let Some(description) = changes.description {
        p.description = description;
    }
    if let Some(url) = changes.redirect_url {
        p.redirect_url = url;
    }
    if let Some(url) = changes.cancel_url {
        p.cancel_url = url;
    }
    if let Some(url) = changes.webhook_url {
        p.webhook_url = url;
    }
    if let Some(metadata) = changes.metadata {
        p.metadata = metadata;
    }
    if let Some(method) = changes.method {
        p.method = method;
    }
    if let Some(locale) = changes.locale {
        p.locale = locale;
    }
    if let Some(country) = changes.restrict_to_country {
        p.restrict_payment_methods_to_country = country;
    }
    if let Some(address) = changes.billing_address {
        p.billing_address = address;
    }
    if let Some(address) = changes.shipping_address {
        p.shipping_address = address;
    }
    if let Some(email) = changes.billing_email {
        p.billing_address.get_or_insert_with(Address::default).email = Some(email);
    }
}

/// `PATCH /v2/payments/{paymentId}`: changes the fields sent, each only in the statuses
/// Mollie allows ([`payment_state::check_update`]). Sends no webhook, as at Mollie.
pub(crate) fn update(app: &App, ctx: &Ctx<'_>, id: &str, body: &Body) -> Result<Reply, ApiError> {
    let changes = parse_changes(body)?;
    let mut store = lock(&app.store);
    let payment = store
        .payments
        .get_mut(id)
        .filter(|p| p.env == ctx.env)
        .ok_or_else(|| no_such("payment", id))?;
    for field in body.keys() {
        payment_state::check_update(payment, field)?;
    }
    apply(payment, changes);
    Ok(Reply::json(
        StatusCode::OK,
        to_json(&render(payment, ctx.base, true))?,
    ))
}

/// Applies `change` to payment `id` of mode `env` (any mode when `None`), then sends the
/// webhooks of its new status (after the store's lock is released).
fn change_and_notify(
    app: &App,
    base: &str,
    env: Option<crate::auth::Env>,
    id: &str,
    change: impl FnOnce(&mut crate::store::Store, &mut PaymentRec) -> Result<(), ApiError>,
) -> Result<Payment, ApiError> {
    let mut store = lock(&app.store);
    let mut updated = store
        .payments
        .get(id)
        .filter(|p| env.is_none_or(|env| p.env == env))
        .ok_or_else(|| no_such("payment", id))?
        .clone();
    change(&mut store, &mut updated)?;
    let payment = render(&updated, base, true);
    let webhook_url = updated.webhook_url.clone();
    store.replace_payment(updated);
    drop(store);
    app.webhooks.notify(&payment, webhook_url.as_deref(), base);
    Ok(payment)
}

/// `DELETE /v2/payments/{paymentId}`: cancels a payment while it `isCancelable`, and sends
/// its webhooks.
pub(crate) fn cancel(app: &App, ctx: &Ctx<'_>, id: &str) -> Result<Reply, ApiError> {
    let payment = change_and_notify(app, ctx.base, Some(ctx.env), id, |_, p| {
        payment_state::cancel(p, ctx.now)
    })?;
    Ok(Reply::json(StatusCode::OK, to_json(&payment)?))
}

/// `POST /v2/payments/{paymentId}/release-authorization`: 202, and the authorized payment
/// (the mock has no captures) becomes `canceled`, with its webhooks. The body may name the
/// `profileId` (organization tokens).
pub(crate) fn release(app: &App, ctx: &Ctx<'_>, id: &str, body: &Body) -> Result<Reply, ApiError> {
    if let Some(profile) = validate::opt_str(body, "profileId")? {
        ProfileId::parse(profile).map_err(|_| {
            ApiError::unprocessable(
                "profileId",
                format!("The profile id '{}' is invalid", quoted(profile)),
            )
        })?;
    }
    change_and_notify(app, ctx.base, Some(ctx.env), id, |_, p| {
        payment_state::release(p, ctx.now)
    })?;
    Ok(Reply::empty(StatusCode::ACCEPTED))
}

/// Moves payment `id` (of either mode) to `to`, as the customer would at Mollie's checkout
/// ([`payment_state::change`]), gives the customer a mandate when a `first` payment is paid,
/// and sends the webhooks. `base` is where the links point.
///
/// # Errors
/// 404 for an unknown payment, 422 on `status` when the payment cannot move to `to`, 422
/// when the store is full and a mandate would be created.
pub(crate) fn change_status(
    app: &App,
    base: &str,
    now: SystemTime,
    id: &str,
    to: PaymentStatus,
) -> Result<Payment, ApiError> {
    change_and_notify(app, base, None, id, |store, p| {
        payment_state::change(p, to, now)?;
        if payment_state::creates_mandate(p) {
            p.mandate_id = super::mandates::create_for_first_payment(store, p, now)?;
        }
        Ok(())
    })
}
