//! Customers: create, get, update, delete, list.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use mollie_models::{Customer, CustomerLinks, Timestamp};

use super::{Ctx, cursor, list_reply, no_such, to_json};
use crate::app::{App, lock};
use crate::clock;
use crate::errors::{ApiError, Reply};
use crate::links::{self, DOC_CUSTOMERS};
use crate::lists;
use crate::store::{CustomerRec, page};
use crate::validate::{self, Body};

/// The longest name the mock stores.
const NAME_MAX_CHARS: usize = 255;

/// The customer as the API shows it. `single` responses link the documentation; list items
/// do not (as in Mollie's examples).
pub(crate) fn render(c: &CustomerRec, base: &str, single: bool) -> Customer {
    let path = format!("/v2/customers/{}", c.id);
    Customer {
        resource: "customer".into(),
        id: c.id.clone(),
        mode: c.env.mode(),
        name: c.name.clone(),
        email: c.email.clone(),
        locale: c.locale.clone(),
        metadata: Some(c.metadata.clone()),
        created_at: c.created_at.clone(),
        links: CustomerLinks {
            self_: links::api(base, &path),
            dashboard: links::dashboard("customers", c.id.as_str()),
            payments: (!c.payments.is_empty())
                .then(|| links::api(base, &format!("{path}/payments"))),
            mandates: (!c.mandates.is_empty())
                .then(|| links::api(base, &format!("{path}/mandates"))),
            subscriptions: (!c.subscriptions.is_empty())
                .then(|| links::api(base, &format!("{path}/subscriptions"))),
            documentation: single.then(|| links::doc(DOC_CUSTOMERS)),
        },
    }
}

/// The writable fields of a customer, checked.
struct Fields {
    name: Option<Option<String>>,
    email: Option<Option<String>>,
    locale: Option<Option<mollie_models::Locale>>,
    metadata: Option<serde_json::Value>,
}

fn fields(body: &Body) -> Result<Fields, ApiError> {
    let name = validate::opt_str(body, "name")?;
    if let Some(name) = name {
        validate::max_chars("name", name, NAME_MAX_CHARS)?;
    }
    let email = validate::opt_str(body, "email")?;
    if let Some(email) = email {
        validate::email("email", email)?;
    }
    let locale = validate::opt_locale(body, "locale")?;
    let metadata = validate::metadata(body)?;
    // `Some(None)`: the field was sent as null, which clears it on update.
    let present = |key: &str| body.contains_key(key);
    Ok(Fields {
        name: present("name").then(|| name.map(str::to_owned)),
        email: present("email").then(|| email.map(str::to_owned)),
        locale: present("locale").then_some(locale),
        metadata: present("metadata").then_some(metadata),
    })
}

/// `POST /v2/customers`.
pub(crate) fn create(app: &App, ctx: &Ctx<'_>, body: &Body) -> Result<Reply, ApiError> {
    let f = fields(body)?;
    let mut store = lock(&app.store);
    store.check_capacity()?;
    let id = store.fresh_id("cst_", |s| mollie_models::CustomerId::parse(s).ok());
    let seq = store.seq();
    let customer = CustomerRec {
        seq,
        id: id.clone(),
        env: ctx.env,
        name: f.name.flatten(),
        email: f.email.flatten(),
        locale: f.locale.flatten(),
        metadata: f.metadata.unwrap_or(serde_json::Value::Null),
        created_at: Timestamp::new(clock::timestamp(ctx.now)),
        mandates: BTreeMap::new(),
        payments: BTreeMap::new(),
        subscriptions: BTreeMap::new(),
    };
    let json = to_json(&render(&customer, ctx.base, true))?;
    store.insert_customer(customer);
    Ok(Reply::json(StatusCode::CREATED, json))
}

/// `GET /v2/customers/{id}`.
pub(crate) fn get(app: &App, ctx: &Ctx<'_>, id: &str) -> Result<Reply, ApiError> {
    let store = lock(&app.store);
    let customer = store
        .customer(ctx.env, id)
        .ok_or_else(|| no_such("customer", id))?;
    Ok(Reply::json(
        StatusCode::OK,
        to_json(&render(customer, ctx.base, true))?,
    ))
}

/// `PATCH /v2/customers/{id}`: changes only the fields sent.
pub(crate) fn update(app: &App, ctx: &Ctx<'_>, id: &str, body: &Body) -> Result<Reply, ApiError> {
    let f = fields(body)?;
    let mut store = lock(&app.store);
    let customer = store
        .customer_mut(ctx.env, id)
        .ok_or_else(|| no_such("customer", id))?;
    if let Some(name) = f.name {
        customer.name = name;
    }
    if let Some(email) = f.email {
        customer.email = email;
    }
    if let Some(locale) = f.locale {
        customer.locale = locale;
    }
    if let Some(metadata) = f.metadata {
        customer.metadata = metadata;
    }
    Ok(Reply::json(
        StatusCode::OK,
        to_json(&render(customer, ctx.base, true))?,
    ))
}

/// `DELETE /v2/customers/{id}`: the customer's mandates are revoked with it.
pub(crate) fn delete(app: &App, ctx: &Ctx<'_>, id: &str) -> Result<Reply, ApiError> {
    let now = mollie_models::Timestamp::new(clock::timestamp(ctx.now));
    if lock(&app.store).delete_customer(ctx.env, id, &now) {
        Ok(Reply::no_content())
    } else {
        Err(no_such("customer", id))
    }
}

/// `GET /v2/customers`.
pub(crate) fn list(app: &App, ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let params = lists::params(ctx.query, &["testmode"])?;
    let store = lock(&app.store);
    let from = cursor(
        &store.customers,
        params.from.as_deref(),
        |c| c.env == ctx.env,
        |c| c.seq,
    )?;
    let order = &store.customer_order[ctx.env.index()];
    let page = page(order, from, params.limit, params.desc(), |_| true);
    list_reply(
        ctx,
        &page,
        &store.customers,
        |c| render(c, ctx.base, false),
        ("/v2/customers", &params, DOC_CUSTOMERS),
    )
}
