//! The operations of the Customers and Mandates APIs (eleven), of the Payments, Refunds and
//! Chargebacks APIs (fourteen) and of the Subscriptions API (seven): routing, and the helpers
//! they share.

use std::time::SystemTime;

use axum::http::Method;

use crate::app::App;
use crate::auth::{Caller, Env};
use crate::errors::{ApiError, Reply, quoted};
use crate::validate::Body;

pub(crate) mod chargebacks;
pub(crate) mod customers;
pub(crate) mod mandates;
pub(crate) mod payment_changes;
pub(crate) mod payment_children;
pub(crate) mod payments;
pub(crate) mod refunds;
pub(crate) mod subscriptions;

/// A payment's sub-resource as the account-wide lists (`/v2/refunds`, `/v2/chargebacks`)
/// see it: its mode, its place in creation order and its profile.
pub(crate) trait AccountWide {
    fn env(&self) -> Env;
    fn seq(&self) -> u64;
    fn profile_id(&self) -> &mollie_models::ProfileId;
}

/// An account-wide list: every record of the request's mode in `order`, only those of
/// `profileId` if the query names one, rendered by `render`.
pub(crate) fn list_account_wide<R: AccountWide, T>(
    ctx: &Ctx<'_>,
    records: &std::collections::HashMap<String, R>,
    order: &std::collections::BTreeMap<u64, String>,
    params: &crate::lists::ListParams,
    render: impl Fn(&R) -> T,
    (path, doc): (&str, &str),
) -> Result<Reply, ApiError>
where
    T: mollie_models::ListItem + serde::Serialize,
{
    let profile = profile_filter(ctx.query)?;
    let wanted = |r: &R| profile.as_ref().is_none_or(|want| r.profile_id() == want);
    let from = cursor(
        records,
        params.from.as_deref(),
        |r| r.env() == ctx.env && wanted(r),
        R::seq,
    )?;
    let keep = |id: &str| records.get(id).is_some_and(wanted);
    let page = crate::store::page(order, from, params.limit, params.desc(), keep);
    list_reply(ctx, &page, records, render, (path, params, doc))
}

/// The sequence number of a list's `from` cursor: a record that `accept` takes (the list's
/// own kind, owner and filters), else Mollie's 400 on `from`.
pub(crate) fn cursor<R>(
    records: &std::collections::HashMap<String, R>,
    from: Option<&str>,
    accept: impl Fn(&R) -> bool,
    seq: impl Fn(&R) -> u64,
) -> Result<Option<u64>, ApiError> {
    from.map(|from| {
        records
            .get(from)
            .filter(|r| accept(r))
            .map(&seq)
            .ok_or_else(|| crate::lists::invalid_cursor(from))
    })
    .transpose()
}

/// Mollie's body for one page of a list: the records on `page`, rendered, and its `_links`.
pub(crate) fn list_reply<R, T>(
    ctx: &Ctx<'_>,
    page: &crate::store::Page,
    records: &std::collections::HashMap<String, R>,
    render: impl Fn(&R) -> T,
    (path, params, doc): (&str, &crate::lists::ListParams, &str),
) -> Result<Reply, ApiError>
where
    T: mollie_models::ListItem + serde::Serialize,
{
    let items: Vec<T> = page
        .ids
        .iter()
        .filter_map(|id| records.get(id))
        .map(render)
        .collect();
    let list = mollie_models::List {
        count: u32::try_from(items.len()).unwrap_or(u32::MAX),
        items,
        links: crate::lists::links(ctx.base, path, params, page, doc),
    };
    Ok(Reply::json(axum::http::StatusCode::OK, to_json(&list)?))
}

/// What every operation needs to know about its request.
pub(crate) struct Ctx<'a> {
    /// `http://HOST`, for `_links`.
    pub base: &'a str,
    pub caller: Caller,
    pub env: Env,
    pub query: &'a [(String, String)],
    pub now: SystemTime,
}

/// An endpoint, with the ids from its path (already checked for Mollie's shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    Customers,
    Customer(String),
    CustomerPayments(String),
    CustomerMandates(String),
    Mandate(String, String),
    Payments,
    Payment(String),
    ReleaseAuthorization(String),
    PaymentRefunds(String),
    PaymentRefund(String, String),
    Refunds,
    PaymentChargebacks(String),
    PaymentChargeback(String, String),
    Chargebacks,
    CustomerSubscriptions(String),
    Subscription(String, String),
    SubscriptionPayments(String, String),
    Subscriptions,
}

/// The 404 Mollie answers for an id that names nothing.
pub(crate) fn no_such(kind: &str, id: &str) -> ApiError {
    ApiError::not_found(format!("No {kind} exists with token {}.", quoted(id)))
}

fn checked(kind: &str, id: &str, valid: bool) -> Result<String, ApiError> {
    if valid {
        Ok(id.to_owned())
    } else {
        Err(no_such(kind, id))
    }
}

fn customer_id(id: &str) -> Result<String, ApiError> {
    checked("customer", id, mollie_models::CustomerId::parse(id).is_ok())
}

fn payment_id(id: &str) -> Result<String, ApiError> {
    checked("payment", id, mollie_models::PaymentId::parse(id).is_ok())
}

fn subscription_id(id: &str) -> Result<String, ApiError> {
    checked(
        "subscription",
        id,
        mollie_models::SubscriptionId::parse(id).is_ok(),
    )
}

fn refund_id(id: &str) -> Result<String, ApiError> {
    checked("refund", id, mollie_models::RefundId::parse(id).is_ok())
}

fn chargeback_id(id: &str) -> Result<String, ApiError> {
    checked(
        "chargeback",
        id,
        mollie_models::ChargebackId::parse(id).is_ok(),
    )
}

/// The profile of a new object: an API key's own (what it sends does not change that), or
/// the `profileId` of the body, which access tokens must send.
///
/// # Errors
/// 422 on `profileId` when a token sends none or an invalid one.
pub(crate) fn body_profile(
    app: &App,
    ctx: &Ctx<'_>,
    body: &Body,
) -> Result<mollie_models::ProfileId, ApiError> {
    match crate::validate::opt_str(body, "profileId")? {
        Some(p) if ctx.caller.is_access_token() => {
            mollie_models::ProfileId::parse(p).map_err(|_| {
                ApiError::unprocessable(
                    "profileId",
                    format!("The profile id '{}' is invalid", quoted(p)),
                )
            })
        }
        _ if !ctx.caller.is_access_token() => Ok(app.settings.profile_id.clone()),
        _ => Err(ApiError::unprocessable(
            "profileId",
            "The 'profileId' field is missing; organization tokens must name a profile",
        )),
    }
}

/// The `profileId` filter of a list, if any.
///
/// # Errors
/// 400 on `profileId` for a value that is not a profile id.
pub(crate) fn profile_filter(
    query: &[(String, String)],
) -> Result<Option<mollie_models::ProfileId>, ApiError> {
    match query.iter().rev().find(|(k, _)| k == "profileId") {
        Some((_, p)) => mollie_models::ProfileId::parse(p).map(Some).map_err(|_| {
            ApiError::bad_request(format!("The profile id '{}' is invalid", quoted(p)))
                .with_field("profileId")
        }),
        None => Ok(None),
    }
}

/// The endpoint at `path` (the raw, still percent-encoded path).
///
/// # Errors
/// 404 for an unknown endpoint or an id that is not of Mollie's shape.
pub(crate) fn route(path: &str) -> Result<Route, ApiError> {
    let unknown = || ApiError::not_found("The requested endpoint does not exist");
    let rest = path.strip_prefix("/v2/").ok_or_else(unknown)?;
    let segments: Vec<&str> = rest.split('/').collect();
    Ok(match segments.as_slice() {
        ["customers"] => Route::Customers,
        ["customers", c] => Route::Customer(customer_id(c)?),
        ["customers", c, "payments"] => Route::CustomerPayments(customer_id(c)?),
        ["customers", c, "mandates"] => Route::CustomerMandates(customer_id(c)?),
        ["customers", c, "mandates", m] => Route::Mandate(
            customer_id(c)?,
            checked("mandate", m, mollie_models::MandateId::parse(m).is_ok())?,
        ),
        ["payments"] => Route::Payments,
        ["payments", p] => Route::Payment(payment_id(p)?),
        ["payments", p, "release-authorization"] => Route::ReleaseAuthorization(payment_id(p)?),
        ["payments", p, "refunds"] => Route::PaymentRefunds(payment_id(p)?),
        ["payments", p, "refunds", r] => Route::PaymentRefund(payment_id(p)?, refund_id(r)?),
        ["refunds"] => Route::Refunds,
        ["payments", p, "chargebacks"] => Route::PaymentChargebacks(payment_id(p)?),
        ["payments", p, "chargebacks", c] => {
            Route::PaymentChargeback(payment_id(p)?, chargeback_id(c)?)
        }
        ["chargebacks"] => Route::Chargebacks,
        ["customers", c, "subscriptions"] => Route::CustomerSubscriptions(customer_id(c)?),
        ["customers", c, "subscriptions", s] => {
            Route::Subscription(customer_id(c)?, subscription_id(s)?)
        }
        ["customers", c, "subscriptions", s, "payments"] => {
            Route::SubscriptionPayments(customer_id(c)?, subscription_id(s)?)
        }
        ["subscriptions"] => Route::Subscriptions,
        _ => return Err(unknown()),
    })
}

/// The methods an endpoint takes.
pub(crate) fn allowed(route: &Route) -> &'static [Method] {
    match route {
        Route::Customers
        | Route::CustomerPayments(_)
        | Route::CustomerMandates(_)
        | Route::Payments
        | Route::PaymentRefunds(_)
        | Route::CustomerSubscriptions(_) => &[Method::GET, Method::POST],
        Route::Subscription(..) => &[Method::GET, Method::PATCH, Method::DELETE],
        Route::Customer(_) | Route::Payment(_) => &[Method::GET, Method::PATCH, Method::DELETE],
        Route::Mandate(..) | Route::PaymentRefund(..) => &[Method::GET, Method::DELETE],
        Route::ReleaseAuthorization(_) => &[Method::POST],
        Route::Refunds
        | Route::PaymentChargebacks(_)
        | Route::PaymentChargeback(..)
        | Route::Chargebacks
        | Route::SubscriptionPayments(..)
        | Route::Subscriptions => &[Method::GET],
    }
}

/// Runs the operation. The method is one that [`allowed`] lists for the route.
pub(crate) fn handle(
    app: &App,
    ctx: &Ctx<'_>,
    route: &Route,
    method: &Method,
    body: &Body,
) -> Result<Reply, ApiError> {
    match (route, method.as_str()) {
        (Route::Customers, "GET") => customers::list(app, ctx),
        (Route::Customers, _) => customers::create(app, ctx, body),
        (Route::Customer(c), "GET") => customers::get(app, ctx, c),
        (Route::Customer(c), "PATCH") => customers::update(app, ctx, c, body),
        (Route::Customer(c), _) => customers::delete(app, ctx, c),
        (Route::CustomerPayments(c), "GET") => payments::list(app, ctx, c),
        (Route::CustomerPayments(c), _) => payments::create(app, ctx, Some(c), body),
        (Route::CustomerMandates(c), "GET") => mandates::list(app, ctx, c),
        (Route::CustomerMandates(c), _) => mandates::create(app, ctx, c, body),
        (Route::Mandate(c, m), "GET") => mandates::get(app, ctx, c, m),
        (Route::Mandate(c, m), _) => mandates::revoke(app, ctx, c, m),
        (Route::Payments, "GET") => payments::list_all(app, ctx),
        (Route::Payments, _) => payments::create(app, ctx, None, body),
        (Route::Payment(p), "GET") => payments::get(app, ctx, p),
        (Route::Payment(p), "PATCH") => payment_changes::update(app, ctx, p, body),
        (Route::Payment(p), _) => payment_changes::cancel(app, ctx, p),
        (Route::ReleaseAuthorization(p), _) => payment_changes::release(app, ctx, p, body),
        (Route::PaymentRefunds(p), "GET") => refunds::list(app, ctx, p),
        (Route::PaymentRefunds(p), _) => refunds::create(app, ctx, p, body),
        (Route::PaymentRefund(p, r), "GET") => refunds::get(app, ctx, p, r),
        (Route::PaymentRefund(p, r), _) => refunds::cancel(app, ctx, p, r),
        (Route::Refunds, _) => refunds::list_all(app, ctx),
        (Route::PaymentChargebacks(p), _) => chargebacks::list(app, ctx, p),
        (Route::PaymentChargeback(p, c), _) => chargebacks::get(app, ctx, p, c),
        (Route::Chargebacks, _) => chargebacks::list_all(app, ctx),
        (Route::CustomerSubscriptions(c), "GET") => subscriptions::list(app, ctx, c),
        (Route::CustomerSubscriptions(c), _) => subscriptions::create(app, ctx, c, body),
        (Route::Subscription(c, s), "GET") => subscriptions::get(app, ctx, c, s),
        (Route::Subscription(c, s), "PATCH") => subscriptions::update(app, ctx, c, s, body),
        (Route::Subscription(c, s), _) => subscriptions::cancel(app, ctx, c, s),
        (Route::SubscriptionPayments(c, s), _) => subscriptions::payments(app, ctx, c, s),
        (Route::Subscriptions, _) => subscriptions::list_all(app, ctx),
    }
}

/// Serializes a response body.
pub(crate) fn to_json(value: &impl serde::Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("The mock could not serialize its response: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert!(matches!(route("/v2/customers"), Ok(Route::Customers)));
        assert!(matches!(
            route("/v2/customers/cst_abc/mandates/mdt_x"),
            Ok(Route::Mandate(..))
        ));
        assert!(matches!(
            route("/v2/payments/tr_a/refunds/re_b"),
            Ok(Route::PaymentRefund(..))
        ));
        assert!(matches!(
            route("/v2/payments/tr_a/chargebacks/chb_b"),
            Ok(Route::PaymentChargeback(..))
        ));
        assert!(matches!(
            route("/v2/customers/cst_a/subscriptions/sub_b/payments"),
            Ok(Route::SubscriptionPayments(..))
        ));
        assert!(matches!(
            route("/v2/payments/tr_a/release-authorization"),
            Ok(Route::ReleaseAuthorization(_))
        ));
        for bad in [
            "/v2/customers/abc",
            "/v2/customers/cst_a%2F",
            "/v2/customers/cst_a/mandates/cst_b",
            "/v2/nope",
            "/v1/customers",
            "/v2/customers/",
            "/v2/payments/tr_a/refunds/chb_b",
            "/v2/payments/re_a/refunds",
            "/v2/payments/tr_a/chargebacks/re_b",
            "/v2/refunds/re_a",
            "/v2/customers/cst_a/subscriptions/tr_b",
            "/v2/subscriptions/sub_a",
        ] {
            assert_eq!(route(bad).expect_err(bad).status.as_u16(), 404, "{bad}");
        }
    }
}
