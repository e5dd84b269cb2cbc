//! Customer payments: create and list (and get, for the `self` links).

use std::time::SystemTime;

use axum::http::StatusCode;
use mollie_models::{
    Address, MandateId, MandateStatus, Payment, PaymentLine, PaymentLinks, PaymentMethod,
    PaymentStatus, ProfileId, SequenceType, Timestamp,
};
use serde_json::Value;

use super::{Ctx, cursor, list_reply, no_such, to_json};
use crate::app::{App, lock};
use crate::clock;
use crate::errors::{ApiError, Reply, quoted};
use crate::links::{self, DOC_PAYMENTS};
use crate::lists;
use crate::store::{PaymentRec, page};
use crate::validate::{self, Body};

/// How long an open payment waits for its customer, as with Mollie's most methods.
const EXPIRY_MINUTES: u64 = 15;

/// The payment as the API shows it.
pub(crate) fn render(p: &PaymentRec, base: &str, single: bool) -> Payment {
    let customer = format!("/v2/customers/{}", p.customer_id);
    Payment {
        resource: "payment".into(),
        id: p.id.clone(),
        mode: p.env.mode(),
        description: p.description.clone(),
        amount: p.amount.clone(),
        amount_refunded: None,
        amount_remaining: None,
        amount_captured: None,
        amount_charged_back: None,
        settlement_amount: None,
        redirect_url: p.redirect_url.clone(),
        cancel_url: p.cancel_url.clone(),
        webhook_url: p.webhook_url.clone(),
        lines: p.lines.clone(),
        billing_address: p.billing_address.clone(),
        shipping_address: p.shipping_address.clone(),
        locale: p.locale.clone(),
        country_code: None,
        method: p.method.clone(),
        restrict_payment_methods_to_country: None,
        metadata: Some(p.metadata.clone()),
        capture_mode: None,
        capture_delay: None,
        capture_before: None,
        application_fee: None,
        routing: None,
        sequence_type: p.sequence_type.clone(),
        subscription_id: None,
        mandate_id: p.mandate_id.clone(),
        customer_id: Some(p.customer_id.clone()),
        profile_id: p.profile_id.clone(),
        settlement_id: None,
        order_id: None,
        status: p.status.clone(),
        status_reason: None,
        // Only an authorization can still be released (canceled) by the merchant here.
        is_cancelable: Some(p.status == PaymentStatus::Authorized),
        details: None,
        created_at: p.created_at.clone(),
        authorized_at: p.authorized_at.clone(),
        paid_at: p.paid_at.clone(),
        canceled_at: p.canceled_at.clone(),
        expires_at: p.expires_at.clone(),
        expired_at: p.expired_at.clone(),
        failed_at: p.failed_at.clone(),
        links: PaymentLinks {
            self_: links::api(base, &format!("/v2/payments/{}", p.id)),
            checkout: (p.status == PaymentStatus::Open)
                .then(|| mollie_models::Link::html(format!("{base}/__mock/checkout/{}", p.id))),
            mobile_app_checkout: None,
            change_payment_state: None,
            dashboard: links::dashboard("payments", p.id.as_str()),
            refunds: None,
            chargebacks: None,
            captures: None,
            settlement: None,
            customer: Some(links::api(base, &customer)),
            mandate: p
                .mandate_id
                .as_ref()
                .map(|m| links::api(base, &format!("{customer}/mandates/{m}"))),
            subscription: None,
            order: None,
            terminal: None,
            routes: None,
            documentation: single.then(|| links::doc(DOC_PAYMENTS)),
            status: None,
            pay_online: None,
        },
    }
}

/// `method`: one method, or a list to choose from (then none is chosen yet).
fn method(body: &Body) -> Result<Option<PaymentMethod>, ApiError> {
    match body.get("method") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => validate::payment_method("method", s).map(Some),
        Some(Value::Array(items)) => {
            let mut methods = Vec::new();
            for item in items {
                let Value::String(s) = item else {
                    return Err(ApiError::unprocessable(
                        "method",
                        "The 'method' field must be a string or an array of strings",
                    ));
                };
                methods.push(validate::payment_method("method", s)?);
            }
            Ok(match methods.as_slice() {
                [one] => Some(one.clone()),
                _ => None,
            })
        }
        Some(_) => Err(ApiError::unprocessable(
            "method",
            "The 'method' field must be a string or an array of strings",
        )),
    }
}

/// `POST /v2/customers/{customerId}/payments`.
pub(crate) fn create(
    app: &App,
    ctx: &Ctx<'_>,
    customer_id: &str,
    body: &Body,
) -> Result<Reply, ApiError> {
    // Like Mollie, an unknown customer is a 404 before the body is looked at.
    if lock(&app.store).customer(ctx.env, customer_id).is_none() {
        return Err(no_such("customer", customer_id));
    }
    let sequence_type = match validate::opt_str(body, "sequenceType")? {
        None => SequenceType::Oneoff,
        Some(s) => match SequenceType::from(s) {
            SequenceType::Unknown(_) => {
                return Err(ApiError::unprocessable(
                    "sequenceType",
                    format!("The sequence type '{}' is invalid", quoted(s)),
                ));
            }
            known => known,
        },
    };
    let recurring = sequence_type == SequenceType::Recurring;
    let amount = validate::amount(body, sequence_type == SequenceType::First)?;
    let description = validate::req_str(body, "description")?;
    validate::max_chars(
        "description",
        description,
        mollie_models::DESCRIPTION_MAX_CHARS,
    )?;
    let mut urls = [None, None, None];
    for (slot, field) in urls
        .iter_mut()
        .zip(["redirectUrl", "cancelUrl", "webhookUrl"])
    {
        if let Some(url) = validate::opt_str(body, field)? {
            validate::url(field, url)?;
            *slot = Some(url.to_owned());
        }
    }
    let [redirect_url, cancel_url, webhook_url] = urls;
    if redirect_url.is_none() && !recurring && !body.contains_key("applePayPaymentToken") {
        return Err(ApiError::unprocessable(
            "redirectUrl",
            "The 'redirectUrl' field is missing",
        ));
    }
    let locale = validate::opt_locale(body, "locale")?;
    let chosen_method = method(body)?;
    let metadata = validate::metadata(body)?;
    let mandate_id = match validate::opt_str(body, "mandateId")? {
        Some(m) => Some(MandateId::parse(m).map_err(|_| {
            ApiError::unprocessable(
                "mandateId",
                format!("The mandate id '{}' is invalid", quoted(m)),
            )
        })?),
        None => None,
    };
    let profile_id = match validate::opt_str(body, "profileId")? {
        Some(p) if ctx.caller.is_access_token() => ProfileId::parse(p).map_err(|_| {
            ApiError::unprocessable(
                "profileId",
                format!("The profile id '{}' is invalid", quoted(p)),
            )
        })?,
        // An API key belongs to one profile: what it sends does not change that.
        _ if !ctx.caller.is_access_token() => app.settings.profile_id.clone(),
        _ => {
            return Err(ApiError::unprocessable(
                "profileId",
                "The 'profileId' field is missing; organization tokens must name a profile",
            ));
        }
    };
    let lines = validate::opt_typed::<Vec<PaymentLine>>(body, "lines")?;
    let billing_address = validate::opt_typed::<Address>(body, "billingAddress")?;
    let shipping_address = validate::opt_typed::<Address>(body, "shippingAddress")?;
    validate::opt_date(body, "dueDate")?;

    let now = Timestamp::new(clock::timestamp(ctx.now));
    let mut store = lock(&app.store);
    let customer = store
        .customer(ctx.env, customer_id)
        .ok_or_else(|| no_such("customer", customer_id))?;
    let (status, method, mandate_id, expires_at, paid_at) = if recurring {
        let mandate = match &mandate_id {
            Some(m) => {
                let mandate = store
                    .mandates
                    .get(m.as_str())
                    .filter(|x| x.env == ctx.env && x.customer_id.as_str() == customer_id)
                    .ok_or_else(|| {
                        ApiError::unprocessable(
                            "mandateId",
                            format!("The mandate '{m}' does not exist for this customer"),
                        )
                    })?;
                if mandate.status != MandateStatus::Valid {
                    return Err(ApiError::unprocessable(
                        "mandateId",
                        format!("The mandate '{m}' is not valid"),
                    ));
                }
                mandate
            }
            // Without a mandate id, Mollie charges one of the customer's valid mandates.
            None => customer
                .mandates
                .values()
                .rev()
                .filter_map(|id| store.mandates.get(id))
                .find(|m| m.status == MandateStatus::Valid)
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "mandateId",
                        "The customer has no valid mandate to charge",
                    )
                })?,
        };
        let method = PaymentMethod::from(mandate.method.as_str());
        // Direct debits take days to clear; cards and PayPal are paid at once.
        let (status, paid_at) = if method == PaymentMethod::DirectDebit {
            (PaymentStatus::Pending, None)
        } else {
            (PaymentStatus::Paid, Some(now.clone()))
        };
        (
            status,
            Some(method),
            Some(mandate.id.clone()),
            None,
            paid_at,
        )
    } else {
        let expires = Timestamp::new(clock::timestamp(clock::plus_minutes(
            ctx.now,
            EXPIRY_MINUTES,
        )));
        (
            PaymentStatus::Open,
            chosen_method,
            None,
            Some(expires),
            None,
        )
    };
    let customer_id = customer.id.clone();
    store.check_capacity()?;
    let id = store.fresh_id("tr_", |s| mollie_models::PaymentId::parse(s).ok());
    let seq = store.seq();
    let payment = PaymentRec {
        seq,
        id: id.clone(),
        env: ctx.env,
        customer_id,
        amount,
        description: description.to_owned(),
        redirect_url,
        cancel_url,
        webhook_url,
        locale,
        method,
        metadata,
        sequence_type,
        mandate_id,
        profile_id,
        status,
        lines,
        billing_address,
        shipping_address,
        created_at: now,
        expires_at,
        paid_at,
        authorized_at: None,
        canceled_at: None,
        expired_at: None,
        failed_at: None,
    };
    let json = to_json(&render(&payment, ctx.base, true))?;
    if let Some(c) = store.customer_mut(ctx.env, customer_id_str(&payment)) {
        c.payments.insert(seq, id.as_str().to_owned());
    }
    store.payments.insert(id.into_string(), payment);
    Ok(Reply::json(StatusCode::CREATED, json))
}

fn customer_id_str(p: &PaymentRec) -> &str {
    p.customer_id.as_str()
}

/// `GET /v2/payments/{id}` (not one of the eleven operations, but where `self` points).
pub(crate) fn get(app: &App, ctx: &Ctx<'_>, id: &str) -> Result<Reply, ApiError> {
    let store = lock(&app.store);
    let payment = store
        .payments
        .get(id)
        .filter(|p| p.env == ctx.env)
        .ok_or_else(|| no_such("payment", id))?;
    Ok(Reply::json(
        StatusCode::OK,
        to_json(&render(payment, ctx.base, true))?,
    ))
}

/// `GET /v2/customers/{customerId}/payments`, optionally only those of `profileId`.
pub(crate) fn list(app: &App, ctx: &Ctx<'_>, customer_id: &str) -> Result<Reply, ApiError> {
    let params = lists::params(ctx.query, &["testmode", "profileId"])?;
    let profile = match ctx.query.iter().rev().find(|(k, _)| k == "profileId") {
        Some((_, p)) => Some(ProfileId::parse(p).map_err(|_| {
            ApiError::bad_request(format!("The profile id '{}' is invalid", quoted(p)))
                .with_field("profileId")
        })?),
        None => None,
    };
    let store = lock(&app.store);
    let customer = store
        .customer(ctx.env, customer_id)
        .ok_or_else(|| no_such("customer", customer_id))?;
    let wanted = |p: &PaymentRec| profile.as_ref().is_none_or(|want| &p.profile_id == want);
    let from = cursor(
        &store.payments,
        params.from.as_deref(),
        |p| p.customer_id.as_str() == customer_id && wanted(p),
        |p| p.seq,
    )?;
    let keep = |id: &str| store.payments.get(id).is_some_and(wanted);
    let page = page(&customer.payments, from, params.limit, params.desc(), keep);
    let path = format!("/v2/customers/{customer_id}/payments");
    list_reply(
        ctx,
        &page,
        &store.payments,
        |p| render(p, ctx.base, false),
        (&path, &params, DOC_PAYMENTS),
    )
}

/// The statuses the control API sets: those of Mollie's test-mode checkout page (`paid`,
/// `failed`, `canceled`, `expired`) and `authorized`.
///
/// # Errors
/// 422 on `status` for any other value.
pub(crate) fn target_status(value: &str) -> Result<PaymentStatus, ApiError> {
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
fn may_change(from: &PaymentStatus, to: &PaymentStatus) -> bool {
    match from {
        PaymentStatus::Open | PaymentStatus::Pending => true,
        PaymentStatus::Authorized => matches!(
            to,
            PaymentStatus::Paid | PaymentStatus::Canceled | PaymentStatus::Expired
        ),
        _ => false,
    }
}

/// A payment after a status change, and where its classic webhook goes.
pub(crate) struct Changed {
    pub payment: Payment,
    pub webhook_url: Option<String>,
}

/// Moves payment `id` (of either mode) to `to`, as the customer would at Mollie's checkout:
/// sets the matching `...At` timestamp, ends `expiresAt`, chooses `creditcard` when a paid or
/// authorized payment had no method yet, and gives the customer a mandate when a `first`
/// payment is paid.
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
) -> Result<Changed, ApiError> {
    let mut store = lock(&app.store);
    let current = store
        .payments
        .get(id)
        .ok_or_else(|| no_such("payment", id))?;
    if !may_change(&current.status, &to) {
        return Err(ApiError::unprocessable(
            "status",
            format!(
                "The payment '{id}' is {} and cannot become {to}",
                current.status
            ),
        ));
    }
    let mut updated = current.clone();
    let stamp = Some(Timestamp::new(clock::timestamp(now)));
    updated.status = to.clone();
    updated.expires_at = None;
    match to {
        PaymentStatus::Paid | PaymentStatus::Authorized => {
            // Whoever pays has chosen a method at the checkout.
            updated.method.get_or_insert(PaymentMethod::CreditCard);
            if to == PaymentStatus::Paid {
                updated.paid_at = stamp;
            } else {
                updated.authorized_at = stamp;
            }
        }
        PaymentStatus::Failed => updated.failed_at = stamp,
        PaymentStatus::Canceled => updated.canceled_at = stamp,
        _ => updated.expired_at = stamp,
    }
    if to == PaymentStatus::Paid
        && updated.sequence_type == SequenceType::First
        && updated.mandate_id.is_none()
    {
        updated.mandate_id = super::mandates::create_for_first_payment(&mut store, &updated, now)?;
    }
    let payment = render(&updated, base, true);
    let webhook_url = updated.webhook_url.clone();
    store.payments.insert(id.to_owned(), updated);
    Ok(Changed {
        payment,
        webhook_url,
    })
}
