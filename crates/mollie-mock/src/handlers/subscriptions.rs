//! Subscriptions: create, get, update, cancel and list a customer's; list all; list a
//! subscription's payments. What a subscription does as time passes is in
//! [`crate::schedule`]; its rules are [`crate::subscription_state`]'s.

use axum::http::StatusCode;
use mollie_models::{
    ApplicationFee, Interval, MandateId, MandateStatus, Money, Subscription, SubscriptionLinks,
    SubscriptionMethod, SubscriptionStatus, Timestamp,
};
use serde_json::Value;

use super::{
    Ctx, body_profile, cursor, list_account_wide, list_reply, no_such, profile_filter, to_json,
};
use crate::app::{App, lock};
use crate::clock;
use crate::errors::{ApiError, Reply, quoted};
use crate::links::{self, DOC_SUBSCRIPTIONS};
use crate::lists;
use crate::schedule;
use crate::store::{CustomerRec, MandateRec, Store, SubscriptionRec, page};
use crate::subscription_state::{self, Anchor, times_remaining};
use crate::validate::{self, Body};

/// The subscription as the API shows it. `single` responses link the documentation.
pub(crate) fn render(s: &SubscriptionRec, base: &str, single: bool) -> Subscription {
    let customer = format!("/v2/customers/{}", s.customer_id);
    let path = format!("{customer}/subscriptions/{}", s.id);
    Subscription {
        resource: "subscription".into(),
        id: s.id.clone(),
        mode: s.env.mode(),
        status: s.status.clone(),
        amount: s.amount.clone(),
        times: s.times,
        times_remaining: times_remaining(s),
        interval: s.interval.clone(),
        start_date: date(s.start_date),
        next_payment_date: s.next_payment_date.map(date),
        description: s.description.clone(),
        method: s.method.clone(),
        application_fee: s.application_fee.clone(),
        metadata: Some(s.metadata.clone()),
        webhook_url: s.webhook_url.clone(),
        customer_id: s.customer_id.clone(),
        mandate_id: s.mandate_id.clone(),
        created_at: s.created_at.clone(),
        canceled_at: s.canceled_at.clone(),
        links: SubscriptionLinks {
            self_: links::api(base, &path),
            customer: links::api(base, &customer),
            mandate: s
                .mandate_id
                .as_ref()
                .map(|m| links::api(base, &format!("{customer}/mandates/{m}"))),
            profile: Some(links::api(base, &format!("/v2/profiles/{}", s.profile_id))),
            payments: (!s.payments.is_empty())
                .then(|| links::api(base, &format!("{path}/payments"))),
            documentation: single.then(|| links::doc(DOC_SUBSCRIPTIONS)),
        },
    }
}

fn date(day: time::Date) -> mollie_models::Date {
    mollie_models::Date::from(day)
}

/// A positive whole number (`times`), if sent.
fn opt_count(body: &Body, field: &str) -> Result<Option<u32>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .filter(|n| *n >= 1)
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::unprocessable(
                    field,
                    format!("The '{field}' field must be a whole number of at least 1"),
                )
            }),
    }
}

fn interval(body: &Body) -> Result<Option<Interval>, ApiError> {
    validate::opt_str(body, "interval")?
        .map(|text| {
            Interval::parse(text).map_err(|e| {
                ApiError::unprocessable(
                    "interval",
                    format!("Invalid interval '{}': {}", quoted(text), e.reason()),
                )
            })
        })
        .transpose()
}

fn start_date(body: &Body) -> Result<Option<time::Date>, ApiError> {
    Ok(validate::opt_date(body, "startDate")?.and_then(|d| clock::parse_date(d.as_str())))
}

fn method(body: &Body) -> Result<Option<SubscriptionMethod>, ApiError> {
    match validate::opt_str(body, "method")? {
        None => Ok(None),
        Some(m) => match SubscriptionMethod::from(m) {
            SubscriptionMethod::Unknown(_) => Err(ApiError::unprocessable(
                "method",
                format!(
                    "The method '{}' is invalid; use creditcard, directdebit or paypal",
                    quoted(m)
                ),
            )),
            known => Ok(Some(known)),
        },
    }
}

fn mandate_id(body: &Body) -> Result<Option<MandateId>, ApiError> {
    validate::opt_str(body, "mandateId")?
        .map(|m| {
            MandateId::parse(m).map_err(|_| {
                ApiError::unprocessable(
                    "mandateId",
                    format!("The mandate id '{}' is invalid", quoted(m)),
                )
            })
        })
        .transpose()
}

fn webhook_url(body: &Body) -> Result<Option<String>, ApiError> {
    let url = validate::opt_str(body, "webhookUrl")?;
    if let Some(url) = url {
        validate::url("webhookUrl", url)?;
    }
    Ok(url.map(str::to_owned))
}

fn description(body: &Body) -> Result<String, ApiError> {
    let description = validate::req_str(body, "description")?;
    validate::max_chars(
        "description",
        description,
        mollie_models::DESCRIPTION_MAX_CHARS,
    )?;
    Ok(description.to_owned())
}

fn application_fee(body: &Body, amount: &Money) -> Result<Option<ApplicationFee>, ApiError> {
    let Some(fee) = validate::opt_typed::<ApplicationFee>(body, "applicationFee")? else {
        return Ok(None);
    };
    let fee_minor = fee.amount.minor_units().unwrap_or(-1);
    if fee.amount.currency() != amount.currency()
        || fee_minor < 0
        || fee_minor >= amount.minor_units().unwrap_or(0)
    {
        return Err(ApiError::unprocessable(
            "applicationFee.amount",
            "The application fee must be in the subscription's currency and below its amount",
        ));
    }
    Ok(Some(fee))
}

/// Whether `m` can charge for a subscription of `method` (any method when `None`).
fn suits(m: &MandateRec, method: Option<&SubscriptionMethod>) -> bool {
    method.is_none_or(|want| want.as_str() == m.method.as_str())
}

/// The status a subscription starts in: `active` with a valid mandate to charge, `pending`
/// with a pending one (Mollie waits for it), else Mollie's 422.
fn starting_status(
    store: &Store,
    customer: &CustomerRec,
    mandate: Option<&MandateId>,
    method: Option<&SubscriptionMethod>,
) -> Result<SubscriptionStatus, ApiError> {
    let status_of = |m: &MandateRec| match m.status {
        MandateStatus::Valid => Some(SubscriptionStatus::Active),
        MandateStatus::Pending => Some(SubscriptionStatus::Pending),
        _ => None,
    };
    if let Some(id) = mandate {
        let m = store
            .mandates
            .get(id.as_str())
            .filter(|m| m.env == customer.env && m.customer_id == customer.id)
            .ok_or_else(|| {
                ApiError::unprocessable(
                    "mandateId",
                    format!("The mandate '{id}' does not exist for this customer"),
                )
            })?;
        if !suits(m, method) {
            return Err(ApiError::unprocessable(
                "mandateId",
                format!("The mandate '{id}' is not of the subscription's method"),
            ));
        }
        return status_of(m).ok_or_else(|| {
            ApiError::unprocessable("mandateId", format!("The mandate '{id}' is not valid"))
        });
    }
    let mandates: Vec<&MandateRec> = customer
        .mandates
        .values()
        .filter_map(|id| store.mandates.get(id))
        .filter(|m| suits(m, method))
        .collect();
    mandates
        .iter()
        .filter_map(|m| status_of(m))
        .min_by_key(|s| usize::from(*s != SubscriptionStatus::Active))
        .ok_or_else(|| {
            ApiError::unprocessable(
                "mandateId",
                "No suitable mandates found for customer: a subscription needs a valid (or pending) mandate",
            )
        })
}

/// Mollie asks descriptions to be unique among a customer's subscriptions that still run.
fn unique_description(
    store: &Store,
    customer: &CustomerRec,
    description: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    let taken = customer
        .subscriptions
        .values()
        .filter(|id| Some(id.as_str()) != except)
        .filter_map(|id| store.subscriptions.get(id))
        .any(|s| !s.status.is_final() && s.description == description);
    if taken {
        return Err(ApiError::unprocessable(
            "description",
            format!(
                "The description '{}' is used by another subscription of this customer; it must be unique",
                quoted(description)
            ),
        ));
    }
    Ok(())
}

/// `POST /v2/customers/{customerId}/subscriptions`.
pub(crate) fn create(
    app: &App,
    ctx: &Ctx<'_>,
    customer_id: &str,
    body: &Body,
) -> Result<Reply, ApiError> {
    if lock(&app.store).customer(ctx.env, customer_id).is_none() {
        return Err(no_such("customer", customer_id));
    }
    let amount = validate::amount(body, false)?;
    let interval = interval(body)?
        .ok_or_else(|| ApiError::unprocessable("interval", "The 'interval' field is missing"))?;
    let description = description(body)?;
    let times = opt_count(body, "times")?;
    let start = start_date(body)?;
    let method = method(body)?;
    let application_fee = application_fee(body, &amount)?;
    let metadata = validate::metadata(body)?;
    let webhook_url = webhook_url(body)?;
    let mandate_id = mandate_id(body)?;
    let profile_id = body_profile(app, ctx, body)?;

    let today = clock::utc(ctx.now).date();
    let start_date = start.unwrap_or(today);
    let first = subscription_state::first_due(start_date, &interval, today).ok_or_else(|| {
        ApiError::unprocessable("startDate", "The schedule runs past the year 9999")
    })?;
    // A start gone by charges from `first`, on the start's day of the month.
    let anchor = subscription_state::reanchor(Anchor::on(start_date, 0), &interval, first, 0);
    let mut store = lock(&app.store);
    let customer = store
        .customer(ctx.env, customer_id)
        .ok_or_else(|| no_such("customer", customer_id))?;
    let status = starting_status(&store, customer, mandate_id.as_ref(), method.as_ref())?;
    unique_description(&store, customer, &description, None)?;
    let customer_id = customer.id.clone();
    store.check_capacity()?;
    let id = store.fresh_id("sub_", |s| mollie_models::SubscriptionId::parse(s).ok());
    let seq = store.seq();
    let subscription = SubscriptionRec {
        seq,
        id: id.clone(),
        env: ctx.env,
        customer_id,
        profile_id,
        status,
        amount,
        times,
        interval,
        start_date,
        anchor,
        made: 0,
        next_payment_date: Some(first),
        description,
        method,
        application_fee,
        metadata,
        webhook_url,
        mandate_id,
        created_at: Timestamp::new(clock::timestamp(ctx.now)),
        canceled_at: None,
        payments: Default::default(),
        fail_next: None,
        due_at: None,
    };
    store.insert_subscription(subscription);
    schedule::plan(&mut store, id.as_str(), ctx.now);
    let json = to_json(&render(&store.subscriptions[id.as_str()], ctx.base, true))?;
    Ok(Reply::json(StatusCode::CREATED, json))
}

/// The customer's subscription `id` (404 for either).
fn find<'s>(
    store: &'s Store,
    ctx: &Ctx<'_>,
    customer_id: &str,
    id: &str,
) -> Result<&'s SubscriptionRec, ApiError> {
    store
        .customer(ctx.env, customer_id)
        .ok_or_else(|| no_such("customer", customer_id))?;
    store
        .subscriptions
        .get(id)
        .filter(|s| s.env == ctx.env && s.customer_id.as_str() == customer_id)
        .ok_or_else(|| no_such("subscription", id))
}

/// `GET /v2/customers/{customerId}/subscriptions/{subscriptionId}`.
pub(crate) fn get(
    app: &App,
    ctx: &Ctx<'_>,
    customer_id: &str,
    id: &str,
) -> Result<Reply, ApiError> {
    let store = lock(&app.store);
    let s = find(&store, ctx, customer_id, id)?;
    Ok(Reply::json(
        StatusCode::OK,
        to_json(&render(s, ctx.base, true))?,
    ))
}

/// `PATCH /v2/customers/{customerId}/subscriptions/{subscriptionId}`: changes the fields
/// sent, from the next payment on. A new `interval` keeps the next payment's day and counts
/// from it; a new `startDate` (today or later) is the next payment's day. Canceled and
/// completed subscriptions cannot be updated.
pub(crate) fn update(
    app: &App,
    ctx: &Ctx<'_>,
    customer_id: &str,
    id: &str,
    body: &Body,
) -> Result<Reply, ApiError> {
    let amount = body
        .contains_key("amount")
        .then(|| validate::amount(body, false))
        .transpose()?;
    let description = body
        .contains_key("description")
        .then(|| description(body))
        .transpose()?;
    let interval = interval(body)?;
    let start = start_date(body)?;
    let times = opt_count(body, "times")?;
    let metadata = body
        .contains_key("metadata")
        .then(|| validate::metadata(body))
        .transpose()?;
    let webhook_url = webhook_url(body)?;
    let mandate_id = mandate_id(body)?;
    let today = clock::utc(ctx.now).date();
    if start.is_some_and(|d| d < today) {
        return Err(ApiError::unprocessable(
            "startDate",
            "The start date cannot be in the past",
        ));
    }

    let mut store = lock(&app.store);
    let s = find(&store, ctx, customer_id, id)?;
    if s.status.is_final() {
        return Err(ApiError::unprocessable(
            "status",
            format!("The subscription is {}: it cannot be updated", s.status),
        ));
    }
    if let Some(times) = times
        && times <= s.made
    {
        return Err(ApiError::unprocessable(
            "times",
            format!(
                "The subscription made {} payments already; 'times' must be more",
                s.made
            ),
        ));
    }
    let customer = store
        .customer(ctx.env, customer_id)
        .ok_or_else(|| no_such("customer", customer_id))?;
    if let Some(description) = &description {
        unique_description(&store, customer, description, Some(id))?;
    }
    let status = match &mandate_id {
        Some(m) => Some(starting_status(
            &store,
            customer,
            Some(m),
            s.method.as_ref(),
        )?),
        None => None,
    };
    if let Some(fee) = &s.application_fee
        && let Some(amount) = &amount
        && (fee.amount.currency() != amount.currency()
            || fee.amount.minor_units() >= amount.minor_units())
    {
        return Err(ApiError::unprocessable(
            "amount",
            "The amount must stay in the application fee's currency and above the fee",
        ));
    }
    // A schedule moved to a day already charged would charge that day twice.
    let last_charged = s
        .payments
        .values()
        .next_back()
        .and_then(|p| store.payments.get(p))
        .and_then(|p| clock::parse_date(p.created_at.as_str().get(..10)?));
    if let (Some(start), Some(last)) = (start, last_charged)
        && start <= last
    {
        return Err(ApiError::unprocessable(
            "startDate",
            format!(
                "The subscription's last payment was on {}; the start date must be later",
                clock::date_string(last)
            ),
        ));
    }
    let Some(s) = store.subscriptions.get_mut(id) else {
        return Err(no_such("subscription", id));
    };
    if let Some(amount) = amount {
        s.amount = amount;
    }
    if let Some(description) = description {
        s.description = description;
    }
    if let Some(metadata) = metadata {
        s.metadata = metadata;
    }
    if let Some(url) = webhook_url {
        s.webhook_url = Some(url);
    }
    if let Some(times) = times {
        s.times = Some(times);
    }
    if let Some(interval) = interval {
        // The new interval counts from the next payment, on the old schedule's day of the
        // month.
        let next = s.next_payment_date.unwrap_or(today);
        s.anchor = subscription_state::reanchor(s.anchor, &s.interval, next, s.made);
        s.interval = interval;
    }
    if let Some(start) = start {
        // A start date given is a new schedule, on its own day.
        s.start_date = start;
        s.anchor = Anchor::on(start, s.made);
    }
    s.next_payment_date = subscription_state::next_date(s);
    if let (Some(m), Some(status)) = (mandate_id, status) {
        s.mandate_id = Some(m);
        // A subscription that waited (suspended, pending) charges from today on, not the
        // days it missed.
        if status == SubscriptionStatus::Active
            && s.status != SubscriptionStatus::Active
            && s.next_payment_date.is_some_and(|d| d < today)
        {
            s.anchor = Anchor::on(today, s.made);
            s.next_payment_date = Some(today);
        }
        s.status = status;
    }
    schedule::plan(&mut store, id, ctx.now);
    let json = to_json(&render(&store.subscriptions[id], ctx.base, true))?;
    Ok(Reply::json(StatusCode::OK, json))
}

/// `DELETE /v2/customers/{customerId}/subscriptions/{subscriptionId}`: 200 with the
/// canceled subscription; its mandates stay.
pub(crate) fn cancel(
    app: &App,
    ctx: &Ctx<'_>,
    customer_id: &str,
    id: &str,
) -> Result<Reply, ApiError> {
    let mut store = lock(&app.store);
    let s = find(&store, ctx, customer_id, id)?;
    if s.status.is_final() {
        return Err(ApiError::unprocessable(
            "status",
            format!("The subscription is {} already", s.status),
        ));
    }
    let now = Timestamp::new(clock::timestamp(ctx.now));
    let Some(s) = store.subscriptions.get_mut(id) else {
        return Err(no_such("subscription", id));
    };
    subscription_state::cancel(s, &now);
    schedule::unplan(&mut store, id);
    let s = &store.subscriptions[id];
    Ok(Reply::json(
        StatusCode::OK,
        to_json(&render(s, ctx.base, true))?,
    ))
}

/// `GET /v2/customers/{customerId}/subscriptions`.
pub(crate) fn list(app: &App, ctx: &Ctx<'_>, customer_id: &str) -> Result<Reply, ApiError> {
    let params = lists::params(ctx.query, &["testmode"])?;
    let store = lock(&app.store);
    let customer = store
        .customer(ctx.env, customer_id)
        .ok_or_else(|| no_such("customer", customer_id))?;
    let from = cursor(
        &store.subscriptions,
        params.from.as_deref(),
        |s| s.customer_id == customer.id,
        |s| s.seq,
    )?;
    let page = page(
        &customer.subscriptions,
        from,
        params.limit,
        params.desc(),
        |_| true,
    );
    let path = format!("/v2/customers/{customer_id}/subscriptions");
    list_reply(
        ctx,
        &page,
        &store.subscriptions,
        |s| render(s, ctx.base, false),
        (&path, &params, DOC_SUBSCRIPTIONS),
    )
}

/// `GET /v2/subscriptions`: every subscription of the mode, optionally only those of
/// `profileId`.
pub(crate) fn list_all(app: &App, ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let params = lists::params(ctx.query, &["testmode", "profileId"])?;
    let store = lock(&app.store);
    list_account_wide(
        ctx,
        &store.subscriptions,
        &store.subscription_order[ctx.env.index()],
        &params,
        |s| render(s, ctx.base, false),
        ("/v2/subscriptions", DOC_SUBSCRIPTIONS),
    )
}

/// `GET /v2/customers/{customerId}/subscriptions/{subscriptionId}/payments`.
pub(crate) fn payments(
    app: &App,
    ctx: &Ctx<'_>,
    customer_id: &str,
    id: &str,
) -> Result<Reply, ApiError> {
    let params = lists::params(ctx.query, &["testmode", "profileId"])?;
    let profile = profile_filter(ctx.query)?;
    let store = lock(&app.store);
    let s = find(&store, ctx, customer_id, id)?;
    let path = format!("/v2/customers/{customer_id}/subscriptions/{id}/payments");
    super::payments::list_owned(
        &store,
        ctx,
        profile,
        (&s.payments, |p| p.subscription_id.as_ref() == Some(&s.id)),
        (&path, &params),
    )
}
