//! Payments: create (`/v2/payments` and a customer's), get, and list (all, or a
//! customer's). Changes to a payment are in [`super::payment_changes`].

use axum::http::StatusCode;
use mollie_models::{
    Address, CustomerId, MandateId, MandateStatus, Payment, PaymentDetails, PaymentEmbedded,
    PaymentLine, PaymentLinks, PaymentMethod, PaymentStatus, ProfileId, QrCode, SequenceType,
    Timestamp,
};
use serde_json::Value;

use super::{Ctx, chargebacks, cursor, list_reply, no_such, profile_filter, refunds, to_json};
use crate::amounts;
use crate::app::{App, lock};
use crate::clock;
use crate::errors::{ApiError, Reply, quoted};
use crate::expand;
use crate::links::{self, DOC_PAYMENTS};
use crate::lists;
use crate::payment_state;
use crate::schedule;
use crate::store::{PaymentRec, Store, page};
use crate::validate::{self, Body};

/// How long an open payment waits for its customer, as with Mollie's most methods.
const EXPIRY_MINUTES: u64 = 15;

/// The `include` values of *Create payment* and *Get payment*.
const INCLUDE_CREATE: &[&str] = &["details.qrCode"];
const INCLUDE_GET: &[&str] = &["details.qrCode", "details.remainderDetails"];
/// The `embed` values of *Get payment*.
const EMBED_GET: &[&str] = &["captures", "refunds", "chargebacks"];

/// The payment as the API shows it: amounts after its refunds and chargebacks, links to
/// them once there are some. `single` responses link the documentation; list items do not.
pub(crate) fn render(p: &PaymentRec, base: &str, single: bool) -> Payment {
    let customer = p.customer_id.as_ref().map(|c| format!("/v2/customers/{c}"));
    let path = format!("/v2/payments/{}", p.id);
    let shown = amounts::shown(p);
    Payment {
        resource: "payment".into(),
        id: p.id.clone(),
        mode: p.env.mode(),
        description: p.description.clone(),
        amount: p.amount.clone(),
        amount_refunded: shown.refunded,
        amount_remaining: shown.remaining,
        amount_captured: None,
        amount_charged_back: shown.charged_back,
        settlement_amount: shown.settlement,
        redirect_url: p.redirect_url.clone(),
        cancel_url: p.cancel_url.clone(),
        webhook_url: p.webhook_url.clone(),
        lines: p.lines.clone(),
        billing_address: p.billing_address.clone(),
        shipping_address: p.shipping_address.clone(),
        locale: p.locale.clone(),
        country_code: None,
        method: p.method.clone(),
        restrict_payment_methods_to_country: p.restrict_payment_methods_to_country.clone(),
        metadata: Some(p.metadata.clone()),
        capture_mode: None,
        capture_delay: None,
        capture_before: None,
        application_fee: None,
        routing: None,
        sequence_type: p.sequence_type.clone(),
        subscription_id: p.subscription_id.clone(),
        mandate_id: p.mandate_id.clone(),
        customer_id: p.customer_id.clone(),
        profile_id: p.profile_id.clone(),
        settlement_id: None,
        order_id: None,
        status: p.status.clone(),
        status_reason: p.status_reason.clone(),
        is_cancelable: payment_state::is_cancelable(p),
        details: p.details.as_deref().cloned(),
        created_at: p.created_at.clone(),
        authorized_at: p.authorized_at.clone(),
        paid_at: p.paid_at.clone(),
        canceled_at: p.canceled_at.clone(),
        expires_at: p.expires_at.clone(),
        expired_at: p.expired_at.clone(),
        failed_at: p.failed_at.clone(),
        links: PaymentLinks {
            self_: links::api(base, &path),
            checkout: (p.status == PaymentStatus::Open)
                .then(|| mollie_models::Link::html(format!("{base}/__mock/checkout/{}", p.id))),
            mobile_app_checkout: None,
            // Mollie links its test-mode page that sets a status; the mock's checkout page
            // names the control endpoint that does.
            change_payment_state: (p.env == crate::auth::Env::Test && !p.status.is_final())
                .then(|| mollie_models::Link::html(format!("{base}/__mock/checkout/{}", p.id))),
            dashboard: links::dashboard("payments", p.id.as_str()),
            refunds: (!p.refunds.is_empty()).then(|| links::api(base, &format!("{path}/refunds"))),
            chargebacks: (!p.chargebacks.is_empty())
                .then(|| links::api(base, &format!("{path}/chargebacks"))),
            captures: None,
            settlement: None,
            customer: customer.as_ref().map(|c| links::api(base, c)),
            mandate: match (&customer, &p.mandate_id) {
                (Some(c), Some(m)) => Some(links::api(base, &format!("{c}/mandates/{m}"))),
                _ => None,
            },
            subscription: match (&customer, &p.subscription_id) {
                (Some(c), Some(s)) => Some(links::api(base, &format!("{c}/subscriptions/{s}"))),
                _ => None,
            },
            order: None,
            terminal: None,
            routes: None,
            documentation: single.then(|| links::doc(DOC_PAYMENTS)),
            status: None,
            pay_online: None,
        },
        embedded: None,
    }
}

/// What a request asks to add to a payment (`include`, `embed`).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Extras {
    pub qr_code: bool,
    pub refunds: bool,
    pub chargebacks: bool,
    pub captures: bool,
}

impl Extras {
    /// Reads `include` (of `includes`) and `embed` (of `embeds`) from the query.
    ///
    /// # Errors
    /// 400 on `include` or `embed` for a value the endpoint does not take.
    fn parse(ctx: &Ctx<'_>, includes: &[&str], embeds: &[&str]) -> Result<Self, ApiError> {
        let include = expand::values(ctx.query, "include", includes)?;
        let embed = expand::values(ctx.query, "embed", embeds)?;
        Ok(Self {
            qr_code: include.contains(&"details.qrCode"),
            refunds: embed.contains(&"refunds"),
            chargebacks: embed.contains(&"chargebacks"),
            captures: embed.contains(&"captures"),
        })
    }
}

/// [`render`] with what `extras` asks for: a QR code (open iDEAL, Bancontact and bank
/// transfer payments, as Mollie offers one) and the embedded refunds, chargebacks and
/// captures (the mock has none), newest first like their lists.
pub(crate) fn render_with(
    store: &Store,
    p: &PaymentRec,
    base: &str,
    single: bool,
    extras: Extras,
) -> Payment {
    let mut payment = render(p, base, single);
    let qr_method = matches!(
        p.method,
        Some(PaymentMethod::Ideal | PaymentMethod::Bancontact | PaymentMethod::BankTransfer)
    );
    if extras.qr_code && qr_method && p.status == PaymentStatus::Open {
        payment
            .details
            .get_or_insert_with(PaymentDetails::default)
            .qr_code = Some(QrCode {
            height: Some(180),
            width: Some(180),
            src: Some(format!("{base}/__mock/checkout/{}", p.id)),
        });
    }
    if extras.refunds || extras.chargebacks || extras.captures {
        payment.embedded = Some(PaymentEmbedded {
            refunds: extras.refunds.then(|| {
                p.refunds
                    .values()
                    .rev()
                    .filter_map(|id| store.refunds.get(id))
                    .map(|r| refunds::render(r, base, None))
                    .collect()
            }),
            chargebacks: extras.chargebacks.then(|| {
                p.chargebacks
                    .values()
                    .rev()
                    .filter_map(|id| store.chargebacks.get(id))
                    .map(|c| chargebacks::render(c, base, None))
                    .collect()
            }),
            captures: extras.captures.then(Vec::new),
        });
    }
    payment
}

/// `method`: one method, or a list to choose from (then none is chosen yet).
pub(crate) fn method(body: &Body) -> Result<Option<PaymentMethod>, ApiError> {
    let invalid = || {
        ApiError::unprocessable(
            "method",
            "The 'method' field must be a string or an array of strings",
        )
    };
    match body.get("method") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => validate::payment_method("method", s).map(Some),
        Some(Value::Array(items)) => {
            let mut methods = Vec::new();
            for item in items {
                let Value::String(s) = item else {
                    return Err(invalid());
                };
                methods.push(validate::payment_method("method", s)?);
            }
            Ok(match methods.as_slice() {
                [one] => Some(one.clone()),
                _ => None,
            })
        }
        Some(_) => Err(invalid()),
    }
}

/// An optional two-letter country code (`restrictPaymentMethodsToCountry`).
pub(crate) fn country(body: &Body, field: &str) -> Result<Option<String>, ApiError> {
    let Some(value) = validate::opt_str(body, field)? else {
        return Ok(None);
    };
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(Some(value.to_owned()))
    } else {
        Err(ApiError::unprocessable(
            field,
            format!(
                "The country code '{}' is not an ISO 3166-1 alpha-2 code such as NL",
                quoted(value)
            ),
        ))
    }
}

/// The checked body of a new payment (everything but what needs the store).
struct NewPayment {
    sequence_type: SequenceType,
    amount: mollie_models::Money,
    description: String,
    redirect_url: Option<String>,
    cancel_url: Option<String>,
    webhook_url: Option<String>,
    locale: Option<mollie_models::Locale>,
    method: Option<PaymentMethod>,
    restrict_to_country: Option<String>,
    metadata: Value,
    mandate_id: Option<MandateId>,
    profile_id: ProfileId,
    lines: Option<Vec<PaymentLine>>,
    billing_address: Option<Address>,
    shipping_address: Option<Address>,
}

fn parse_new(app: &App, ctx: &Ctx<'_>, body: &Body) -> Result<NewPayment, ApiError> {
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
    let method = method(body)?;
    let restrict_to_country = country(body, "restrictPaymentMethodsToCountry")?;
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
    let profile_id = super::body_profile(app, ctx, body)?;
    let lines = validate::opt_typed::<Vec<PaymentLine>>(body, "lines")?;
    let billing_address = validate::opt_typed::<Address>(body, "billingAddress")?;
    let shipping_address = validate::opt_typed::<Address>(body, "shippingAddress")?;
    validate::opt_date(body, "dueDate")?;
    Ok(NewPayment {
        sequence_type,
        amount,
        description: description.to_owned(),
        redirect_url,
        cancel_url,
        webhook_url,
        locale,
        method,
        restrict_to_country,
        metadata,
        mandate_id,
        profile_id,
        lines,
        billing_address,
        shipping_address,
    })
}

/// How a new payment starts: its status, method, mandate and timestamps, and what is due
/// later (a direct debit settles, an open payment expires).
struct Start {
    status: PaymentStatus,
    method: Option<PaymentMethod>,
    mandate_id: Option<MandateId>,
    expires_at: Option<Timestamp>,
    paid_at: Option<Timestamp>,
    details: Option<Box<PaymentDetails>>,
    later: Option<Later>,
}

/// What is due for a new payment, and when (unix seconds): its agenda entry, made from its
/// id.
type Later = (i64, fn(String) -> crate::store::Due);

/// A recurring payment charges a valid mandate of the customer (the one in `mandateId`,
/// else the newest valid one), takes its method, and is `pending` (direct debit) or `paid`
/// (card, PayPal). Anything else is `open`, for 15 minutes.
fn start(
    store: &Store,
    ctx: &Ctx<'_>,
    new: &NewPayment,
    customer: Option<&crate::store::CustomerRec>,
    now: &Timestamp,
) -> Result<Start, ApiError> {
    if new.sequence_type != SequenceType::Recurring {
        let expires = clock::plus_minutes(ctx.now, EXPIRY_MINUTES);
        return Ok(Start {
            status: PaymentStatus::Open,
            method: new.method.clone(),
            mandate_id: None,
            expires_at: Some(Timestamp::new(clock::timestamp(expires))),
            paid_at: None,
            details: None,
            later: Some((schedule::unix(expires), crate::store::Due::Expire)),
        });
    }
    let Some(customer) = customer else {
        return Err(needs_customer(&new.sequence_type));
    };
    let mandate = match &new.mandate_id {
        Some(m) => {
            let mandate = store
                .mandates
                .get(m.as_str())
                .filter(|x| x.env == ctx.env && x.customer_id == customer.id)
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
                ApiError::unprocessable("mandateId", "The customer has no valid mandate to charge")
            })?,
    };
    let method = PaymentMethod::from(mandate.method.as_str());
    // Direct debits take days to clear; cards and PayPal are paid at once.
    if method == PaymentMethod::DirectDebit {
        let (details, settles) = schedule::direct_debit(mandate, ctx.now);
        return Ok(Start {
            status: PaymentStatus::Pending,
            method: Some(method),
            mandate_id: Some(mandate.id.clone()),
            expires_at: None,
            paid_at: None,
            details: Some(Box::new(details)),
            later: Some((settles, crate::store::Due::Settle)),
        });
    }
    Ok(Start {
        status: PaymentStatus::Paid,
        method: Some(method),
        mandate_id: Some(mandate.id.clone()),
        expires_at: None,
        paid_at: Some(now.clone()),
        details: None,
        later: None,
    })
}

/// The 422 for a `first` or `recurring` payment without a customer.
fn needs_customer(sequence_type: &SequenceType) -> ApiError {
    ApiError::unprocessable(
        "customerId",
        format!("A {sequence_type} payment needs a customer: the 'customerId' field is missing"),
    )
}

/// `POST /v2/payments` (`customer_path`: `None`; the body may name a `customerId`) and
/// `POST /v2/customers/{customerId}/payments`.
pub(crate) fn create(
    app: &App,
    ctx: &Ctx<'_>,
    customer_path: Option<&str>,
    body: &Body,
) -> Result<Reply, ApiError> {
    // Like Mollie, an unknown customer in the path is a 404 before the body is looked at.
    if let Some(c) = customer_path
        && lock(&app.store).customer(ctx.env, c).is_none()
    {
        return Err(no_such("customer", c));
    }
    // *Create payment* takes `include` (and no `embed`); the customer's endpoint neither.
    let extras = Extras {
        qr_code: customer_path.is_none()
            && expand::values(ctx.query, "include", INCLUDE_CREATE)?.contains(&"details.qrCode"),
        ..Extras::default()
    };
    let new = parse_new(app, ctx, body)?;
    let customer_id = match customer_path {
        Some(c) => Some(c.to_owned()),
        None => match validate::opt_str(body, "customerId")? {
            Some(c) => Some(
                CustomerId::parse(c)
                    .map_err(|_| {
                        ApiError::unprocessable(
                            "customerId",
                            format!("The customer id '{}' is invalid", quoted(c)),
                        )
                    })?
                    .into_string(),
            ),
            None => None,
        },
    };
    if customer_id.is_none() && new.sequence_type != SequenceType::Oneoff {
        return Err(needs_customer(&new.sequence_type));
    }

    let now = Timestamp::new(clock::timestamp(ctx.now));
    let mut store = lock(&app.store);
    let customer = match &customer_id {
        Some(c) => Some(store.customer(ctx.env, c).ok_or_else(|| {
            if customer_path.is_some() {
                no_such("customer", c)
            } else {
                ApiError::unprocessable("customerId", format!("The customer '{c}' does not exist"))
            }
        })?),
        None => None,
    };
    let start = start(&store, ctx, &new, customer, &now)?;
    let customer_id = customer.map(|c| c.id.clone());
    store.check_capacity()?;
    let id = store.fresh_id("tr_", |s| mollie_models::PaymentId::parse(s).ok());
    let seq = store.seq();
    let payment = PaymentRec {
        seq,
        id,
        env: ctx.env,
        customer_id,
        amount: new.amount,
        description: new.description,
        redirect_url: new.redirect_url,
        cancel_url: new.cancel_url,
        webhook_url: new.webhook_url,
        locale: new.locale,
        method_fixed: new.method.is_some(),
        method: start.method,
        restrict_payment_methods_to_country: new.restrict_to_country,
        metadata: new.metadata,
        sequence_type: new.sequence_type,
        mandate_id: start.mandate_id,
        profile_id: new.profile_id,
        status: start.status,
        lines: new.lines,
        billing_address: new.billing_address,
        shipping_address: new.shipping_address,
        created_at: now,
        expires_at: start.expires_at,
        paid_at: start.paid_at,
        authorized_at: None,
        canceled_at: None,
        expired_at: None,
        failed_at: None,
        refunds: Default::default(),
        chargebacks: Default::default(),
        refunded: 0,
        charged_back: 0,
        subscription_id: None,
        details: start.details,
        fails_with: None,
        status_reason: None,
    };
    let json = to_json(&render_with(&store, &payment, ctx.base, true, extras))?;
    if let Some((at, due)) = start.later {
        store.schedule(at, due(payment.id.as_str().to_owned()));
    }
    store.insert_payment(payment);
    Ok(Reply::json(StatusCode::CREATED, json))
}

/// `GET /v2/payments/{paymentId}`, with `include` and `embed`. A deleted customer's
/// payments stay here, as at Mollie.
pub(crate) fn get(app: &App, ctx: &Ctx<'_>, id: &str) -> Result<Reply, ApiError> {
    let extras = Extras::parse(ctx, INCLUDE_GET, EMBED_GET)?;
    let store = lock(&app.store);
    let payment = store
        .payment(ctx.env, id)
        .ok_or_else(|| no_such("payment", id))?;
    Ok(Reply::json(
        StatusCode::OK,
        to_json(&render_with(&store, payment, ctx.base, true, extras))?,
    ))
}

/// `GET /v2/payments`: every payment of the mode, optionally only those of `profileId`.
pub(crate) fn list_all(app: &App, ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let params = lists::params(ctx.query, &["testmode", "profileId"])?;
    let profile = profile_filter(ctx.query)?;
    let store = lock(&app.store);
    let wanted = |p: &PaymentRec| profile.as_ref().is_none_or(|want| &p.profile_id == want);
    let from = cursor(
        &store.payments,
        params.from.as_deref(),
        |p| p.env == ctx.env && wanted(p),
        |p| p.seq,
    )?;
    let keep = |id: &str| store.payments.get(id).is_some_and(wanted);
    let order = &store.payment_order[ctx.env.index()];
    let page = page(order, from, params.limit, params.desc(), keep);
    list_reply(
        ctx,
        &page,
        &store.payments,
        |p| render(p, ctx.base, false),
        ("/v2/payments", &params, DOC_PAYMENTS),
    )
}

/// `GET /v2/customers/{customerId}/payments`, optionally only those of `profileId`.
pub(crate) fn list(app: &App, ctx: &Ctx<'_>, customer_id: &str) -> Result<Reply, ApiError> {
    let params = lists::params(ctx.query, &["testmode", "profileId"])?;
    let profile = profile_filter(ctx.query)?;
    let store = lock(&app.store);
    let customer = store
        .customer(ctx.env, customer_id)
        .ok_or_else(|| no_such("customer", customer_id))?;
    let path = format!("/v2/customers/{customer_id}/payments");
    list_owned(
        &store,
        ctx,
        profile,
        (&customer.payments, |p| {
            p.customer_id.as_ref() == Some(&customer.id)
        }),
        (&path, &params),
    )
}

/// One page of the payments of an owner (a customer, a subscription): those in `order`,
/// which `owns` tells apart (for the `from` cursor), only those of `profile` if given.
pub(crate) fn list_owned(
    store: &Store,
    ctx: &Ctx<'_>,
    profile: Option<ProfileId>,
    (order, owns): (
        &std::collections::BTreeMap<u64, String>,
        impl Fn(&PaymentRec) -> bool,
    ),
    (path, params): (&str, &lists::ListParams),
) -> Result<Reply, ApiError> {
    let wanted = |p: &PaymentRec| profile.as_ref().is_none_or(|want| &p.profile_id == want);
    let from = cursor(
        &store.payments,
        params.from.as_deref(),
        |p| owns(p) && wanted(p),
        |p| p.seq,
    )?;
    let keep = |id: &str| store.payments.get(id).is_some_and(wanted);
    let page = page(order, from, params.limit, params.desc(), keep);
    list_reply(
        ctx,
        &page,
        &store.payments,
        |p| render(p, ctx.base, false),
        (path, params, DOC_PAYMENTS),
    )
}
