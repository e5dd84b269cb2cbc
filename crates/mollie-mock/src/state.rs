//! The mock's state as one JSON document: what `GET /__mock/state` exports and
//! `PUT /__mock/state` imports, and what the program's `--seed` and `--state` files hold. The
//! format is documented in the crate docs ([State](crate#state)).
//!
//! Each record is the object as the API shows it (the handlers' `render`), without `_links`,
//! plus, under `_mock`, the little the mock keeps that the API does not show. Importing maps
//! the records back to the store's, fills in what a seed leaves out, and rebuilds what follows
//! from them: the links between objects, the amounts refunded and charged back, and the agenda
//! (pending direct debits settle, open payments expire, active subscriptions charge). Nothing
//! changes unless the whole document is valid.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, SystemTime};

use mollie_models::{
    Address, ApplicationFee, CardDetails, ChargebackId, ChargebackReason, CustomerId, Date,
    DirectDebitDetails, Iban, Interval, MandateDetails, MandateId, MandateMethod, MandateScope,
    MandateStatus, Money, PayPalDetails, PaymentDetails, PaymentId, PaymentLine, PaymentMethod,
    PaymentStatus, ProfileId, RawMandateDetails, RefundExternalReference, RefundId, RefundStatus,
    SequenceType, StatusReason, SubscriptionId, SubscriptionMethod, SubscriptionStatus, Timestamp,
};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::app::{App, lock};
use crate::auth::Env;
use crate::clock;
use crate::errors::{ApiError, quoted};
use crate::handlers::{chargebacks, customers, mandates, payments, refunds, subscriptions};
use crate::ids::random_id;
use crate::schedule;
use crate::store::{
    ChargebackRec, CustomerRec, Due, MandateRec, PaymentRec, RefundRec, Store, SubscriptionRec,
};
use crate::subscription_state::{self, Anchor};
use crate::validate::{self, Body};

/// The version of the document this mock writes and reads.
pub(crate) const VERSION: u64 = 1;

/// The lists of a document, in the order they are imported (each may refer to the ones
/// before it, and payments to subscriptions by id).
const COLLECTIONS: [&str; 6] = [
    "customers",
    "mandates",
    "payments",
    "subscriptions",
    "refunds",
    "chargebacks",
];
const CUSTOMERS: usize = 0;
const MANDATES: usize = 1;
const PAYMENTS: usize = 2;
const SUBSCRIPTIONS: usize = 3;
const REFUNDS: usize = 4;
const CHARGEBACKS: usize = 5;

/// The id prefix of each collection, in the order of [`COLLECTIONS`].
const PREFIXES: [&str; 6] = ["cst_", "mdt_", "tr_", "sub_", "re_", "chb_"];

/// How long an open payment waits for its customer (as `POST /v2/payments` makes them).
const EXPIRY_MINUTES: u64 = 15;

/// The longest customer name (as the Customers API takes it).
const NAME_MAX_CHARS: usize = 255;

/// How many objects of each kind an import stored.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Imported {
    pub customers: usize,
    pub mandates: usize,
    pub payments: usize,
    pub refunds: usize,
    pub chargebacks: usize,
    pub subscriptions: usize,
}

// ---------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------

/// The state document of everything stored: every object of both modes, oldest first.
pub(crate) fn export(app: &App) -> Value {
    let store = lock(&app.store);
    let base = app.own_base();
    let profile = &app.settings.profile_id;
    let customers: Vec<Value> = by_seq(&store.customers, |c| c.seq)
        .map(|c| record(&customers::render(c, &base, false), Map::new()))
        .collect();
    let mandates: Vec<Value> = by_seq(&store.mandates, |m| m.seq)
        .map(|m| record(&mandates::render(m, &base, false), Map::new()))
        .collect();
    let payments: Vec<Value> = by_seq(&store.payments, |p| p.seq)
        .map(|p| record(&payments::render(p, &base, false), payment_extra(p)))
        .collect();
    let subscriptions: Vec<Value> = by_seq(&store.subscriptions, |s| s.seq)
        .map(|s| {
            let extra = subscription_extra(s, profile);
            record(&subscriptions::render(s, &base, false), extra)
        })
        .collect();
    let refunds: Vec<Value> = by_seq(&store.refunds, |r| r.seq)
        .map(|r| record(&refunds::render(r, &base, None), Map::new()))
        .collect();
    let chargebacks: Vec<Value> = by_seq(&store.chargebacks, |c| c.seq)
        .map(|c| record(&chargebacks::render(c, &base, None), Map::new()))
        .collect();
    json!({
        "version": VERSION,
        "clockOffsetSeconds": app.clock.offset().as_secs(),
        "customers": customers,
        "mandates": mandates,
        "payments": payments,
        "subscriptions": subscriptions,
        "refunds": refunds,
        "chargebacks": chargebacks,
    })
}

/// The records of `map` in creation order.
fn by_seq<R>(map: &HashMap<String, R>, seq: impl Fn(&R) -> u64) -> impl Iterator<Item = &R> {
    let mut records: Vec<&R> = map.values().collect();
    records.sort_by_key(|r| seq(r));
    records.into_iter()
}

/// An object as the API shows it, without its links (they follow from the ids and the host),
/// with what only the mock knows under `_mock` (when there is any).
fn record(rendered: &impl Serialize, extra: Map<String, Value>) -> Value {
    let mut value = serde_json::to_value(rendered).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("_links");
        map.remove("_embedded");
        if !extra.is_empty() {
            map.insert("_mock".to_owned(), Value::Object(extra));
        }
    }
    value
}

fn payment_extra(p: &PaymentRec) -> Map<String, Value> {
    let mut extra = Map::new();
    if let Some(code) = &p.fails_with {
        extra.insert("failsWith".to_owned(), json!(code));
    }
    extra
}

/// How many payments a subscription made, when the document does not say: `times` less
/// `timesRemaining`, else the payments that name it.
fn default_made(times: Option<u32>, remaining: Option<u32>, linked: usize) -> u32 {
    match (times, remaining) {
        (Some(times), Some(remaining)) => times.saturating_sub(remaining),
        _ => u32::try_from(linked).unwrap_or(u32::MAX),
    }
}

/// The day a subscription's schedule counts from, when the document does not say: its next
/// payment's day (else its start), at the number of payments made; a monthly one on its
/// start's day of the month where the next payment is on it (a start on the 30th, next on
/// 28 February).
fn default_anchor(
    next: Option<time::Date>,
    start: time::Date,
    made: u32,
    interval: &Interval,
) -> Anchor {
    match next {
        Some(next) => subscription_state::reanchor(Anchor::on(start, 0), interval, next, made),
        None => Anchor::on(start, made),
    }
}

fn subscription_extra(s: &SubscriptionRec, default_profile: &ProfileId) -> Map<String, Value> {
    let mut extra = Map::new();
    if &s.profile_id != default_profile {
        extra.insert("profileId".to_owned(), json!(s.profile_id.as_str()));
    }
    let remaining = subscription_state::times_remaining(s);
    if s.made != default_made(s.times, remaining, s.payments.len()) {
        extra.insert("paymentsMade".to_owned(), json!(s.made));
    }
    let default = default_anchor(s.next_payment_date, s.start_date, s.made, &s.interval);
    if !s.status.is_final() && s.anchor != default {
        let mut anchor = json!({
            "date": clock::date_string(s.anchor.date),
            "paymentNumber": s.anchor.number,
        });
        // Left out when it is the date's own day: what an anchor without it means.
        if s.anchor.day != Anchor::on(s.anchor.date, 0).day {
            anchor["dayOfMonth"] = json!(s.anchor.day);
        }
        extra.insert("scheduleAnchor".to_owned(), anchor);
    }
    if let Some(code) = &s.fail_next {
        extra.insert("failNext".to_owned(), json!(code));
    }
    extra
}

// ---------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------

/// Replaces the store with the objects of `doc` (and moves the clock forward to its
/// `clockOffsetSeconds`, if that is ahead). Nothing changes when it fails.
///
/// # Errors
/// 400 when `doc` is not a JSON object; 422 naming the field (`payments[2].amount.value`)
/// for anything else that is wrong, or when the objects do not fit in the store.
pub(crate) fn import(app: &App, doc: &Value) -> Result<Imported, ApiError> {
    let Value::Object(doc) = doc else {
        return Err(ApiError::bad_request(
            "The state must be a JSON object like {\"version\": 1, \"customers\": [{\"name\": \"Jane Doe\"}]}",
        ));
    };
    for key in doc.keys() {
        if key != "version" && key != "clockOffsetSeconds" && !COLLECTIONS.contains(&key.as_str()) {
            return Err(ApiError::unprocessable(
                key,
                format!(
                    "Unknown field '{}': a state has version, clockOffsetSeconds, customers, mandates, payments, subscriptions, refunds and chargebacks",
                    quoted(key)
                ),
            ));
        }
    }
    match doc.get("version") {
        None | Some(Value::Null) => {}
        Some(v) if v.as_u64() == Some(VERSION) => {}
        Some(_) => {
            return Err(ApiError::unprocessable(
                "version",
                format!("The state's version must be {VERSION}, the only one this mock reads"),
            ));
        }
    }
    let offset = match doc.get("clockOffsetSeconds") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| {
            ApiError::unprocessable(
                "clockOffsetSeconds",
                "The 'clockOffsetSeconds' field must be a whole number of seconds, 0 or more",
            )
        })?),
    };
    // The mock's time only moves forward: an offset behind the current one is kept as it is.
    let ahead = offset.map_or(Duration::ZERO, |o| {
        Duration::from_secs(o).saturating_sub(app.clock.offset())
    });
    let now = app.now().checked_add(ahead).ok_or_else(|| {
        ApiError::unprocessable("clockOffsetSeconds", "The clock offset is too far ahead")
    })?;

    let mut lists: Vec<Vec<&Body>> = Vec::with_capacity(COLLECTIONS.len());
    for name in COLLECTIONS {
        lists.push(collection(doc, name)?);
    }
    let max = lock(&app.store).max_objects();
    let mut total = 0usize;
    for (name, list) in COLLECTIONS.iter().zip(&lists) {
        total += list.len();
        if total > max {
            return Err(ApiError::unprocessable(
                &format!("{name}[{}]", list.len() - (total - max)),
                format!("The mock stores at most {max} objects (MockConfig::max_objects)"),
            ));
        }
    }
    let ids = assign_ids(&lists)?;
    let mut builder = Builder {
        store: {
            let (_, max_bytes) = lock(&app.store).bytes();
            Store::new(max, max_bytes)
        },
        now,
        stamp: Timestamp::new(clock::timestamp(now)),
        profile: app.settings.profile_id.clone(),
        subscription_ids: ids[SUBSCRIPTIONS].iter().cloned().collect(),
    };
    builder.build(&lists, &ids)?;
    let imported = Imported {
        customers: lists[CUSTOMERS].len(),
        mandates: lists[MANDATES].len(),
        payments: lists[PAYMENTS].len(),
        refunds: lists[REFUNDS].len(),
        chargebacks: lists[CHARGEBACKS].len(),
        subscriptions: lists[SUBSCRIPTIONS].len(),
    };
    // Everything checked: the document replaces the store. The clock moves under the
    // store's lock, so that nothing runs what falls due between the move and the swap.
    let mut store = lock(&app.store);
    if !ahead.is_zero() {
        app.clock.advance(ahead);
    }
    builder.store.recount_bytes();
    let (bytes, max_bytes) = builder.store.bytes();
    if bytes > max_bytes {
        return Err(ApiError::unprocessable(
            "version",
            format!(
                "The document's objects take about {bytes} bytes; the mock keeps at most {max_bytes} (MockConfig::max_object_bytes)"
            ),
        ));
    }
    *store = builder.store;
    Ok(imported)
}

/// The records of list `name`: absent or `null` is none; anything but an array of objects
/// is a 422.
fn collection<'d>(doc: &'d Map<String, Value>, name: &str) -> Result<Vec<&'d Body>, ApiError> {
    match doc.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(record) => Ok(record),
                _ => Err(ApiError::unprocessable(
                    &format!("{name}[{i}]"),
                    format!("Each of '{name}' must be a JSON object"),
                )),
            })
            .collect(),
        Some(_) => Err(ApiError::unprocessable(
            name,
            format!("The '{name}' field must be an array of objects"),
        )),
    }
}

/// Whether `id` is of Mollie's shape for the objects of collection `kind`.
fn id_of_kind(kind: usize, id: &str) -> bool {
    match kind {
        CUSTOMERS => CustomerId::parse(id).is_ok(),
        MANDATES => MandateId::parse(id).is_ok(),
        PAYMENTS => PaymentId::parse(id).is_ok(),
        SUBSCRIPTIONS => SubscriptionId::parse(id).is_ok(),
        REFUNDS => RefundId::parse(id).is_ok(),
        _ => ChargebackId::parse(id).is_ok(),
    }
}

/// The id of every record: its `id`, checked and unique, or a new one.
fn assign_ids(lists: &[Vec<&Body>]) -> Result<Vec<Vec<String>>, ApiError> {
    let mut taken: HashSet<String> = HashSet::new();
    for (kind, list) in lists.iter().enumerate() {
        for (i, record) in list.iter().enumerate() {
            let path = format!("{}[{i}]", COLLECTIONS[kind]);
            let Some(id) = validate::opt_str(record, "id").map_err(within(&path))? else {
                continue;
            };
            if !id_of_kind(kind, id) {
                return Err(ApiError::unprocessable(
                    &format!("{path}.id"),
                    format!(
                        "The id '{}' is not of Mollie's shape for {}: '{}' and letters or digits",
                        quoted(id),
                        COLLECTIONS[kind],
                        PREFIXES[kind]
                    ),
                ));
            }
            if !taken.insert(id.to_owned()) {
                return Err(ApiError::unprocessable(
                    &format!("{path}.id"),
                    format!("The id '{}' is used twice", quoted(id)),
                ));
            }
        }
    }
    let mut ids = Vec::with_capacity(lists.len());
    for (kind, list) in lists.iter().enumerate() {
        let mut these = Vec::with_capacity(list.len());
        for record in list {
            let id = match record.get("id").and_then(Value::as_str) {
                Some(id) => id.to_owned(),
                None => loop {
                    let id = random_id(PREFIXES[kind]);
                    if taken.insert(id.clone()) {
                        break id;
                    }
                },
            };
            these.push(id);
        }
        ids.push(these);
    }
    Ok(ids)
}

/// Names the field of an error inside record `path`: `email` becomes `customers[0].email`.
fn within(path: &str) -> impl Fn(ApiError) -> ApiError + '_ {
    move |mut error| {
        error.field = Some(match error.field.take() {
            Some(field) => format!("{path}.{field}"),
            None => path.to_owned(),
        });
        error
    }
}

/// A string field of an open enum (`status`, `method`, ...): `None` when absent, a 422 for
/// a value the mock does not know.
fn known<T: for<'a> From<&'a str>>(
    record: &Body,
    field: &str,
    unknown: impl Fn(&T) -> bool,
) -> Result<Option<T>, ApiError> {
    let Some(text) = validate::opt_str(record, field)? else {
        return Ok(None);
    };
    let value = T::from(text);
    if unknown(&value) {
        return Err(ApiError::unprocessable(
            field,
            format!("The {field} '{}' is not one the mock knows", quoted(text)),
        ));
    }
    Ok(Some(value))
}

/// An id field of type `T`.
fn opt_id<T, E>(
    record: &Body,
    field: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, ApiError> {
    validate::opt_str(record, field)?
        .map(|text| {
            parse(text).map_err(|_| {
                ApiError::unprocessable(field, format!("The id '{}' is invalid", quoted(text)))
            })
        })
        .transpose()
}

/// A required id field of type `T`.
fn req_id<T, E>(
    record: &Body,
    field: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<T, ApiError> {
    opt_id(record, field, parse)?
        .ok_or_else(|| ApiError::unprocessable(field, format!("The '{field}' field is missing")))
}

/// An RFC 3339 time, written as Mollie writes them (`2024-03-20T09:13:37+00:00`).
fn opt_timestamp(record: &Body, field: &str) -> Result<Option<Timestamp>, ApiError> {
    validate::opt_str(record, field)?
        .map(|text| {
            clock::parse_timestamp(text)
                .map(|t| Timestamp::new(clock::timestamp(t)))
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        field,
                        format!(
                            "The time '{}' is not RFC 3339, like 2026-01-05T10:00:00+00:00",
                            quoted(text)
                        ),
                    )
                })
        })
        .transpose()
}

/// A `YYYY-MM-DD` day.
fn opt_day(record: &Body, field: &str) -> Result<Option<time::Date>, ApiError> {
    Ok(validate::opt_date(record, field)?.and_then(|d| clock::parse_date(d.as_str())))
}

/// `mode`: `test` or `live`; `default` when absent.
fn mode(record: &Body, default: Env) -> Result<Env, ApiError> {
    match validate::opt_str(record, "mode")? {
        None => Ok(default),
        Some("test") => Ok(Env::Test),
        Some("live") => Ok(Env::Live),
        Some(other) => Err(ApiError::unprocessable(
            "mode",
            format!("The mode '{}' is not test or live", quoted(other)),
        )),
    }
}

/// `mode` of an object that belongs to another (a mandate to its customer, a refund to its
/// payment): the owner's, and a 422 when the record says otherwise.
fn same_mode(record: &Body, owner: Env, what: &str) -> Result<Env, ApiError> {
    let env = mode(record, owner)?;
    if env != owner {
        return Err(ApiError::unprocessable(
            "mode",
            format!("The mode differs from its {what}'s"),
        ));
    }
    Ok(env)
}

/// A description of at most Mollie's length.
fn description(record: &Body, required: bool) -> Result<String, ApiError> {
    let text = if required {
        validate::req_str(record, "description")?
    } else {
        validate::opt_str(record, "description")?.unwrap_or_default()
    };
    validate::max_chars("description", text, mollie_models::DESCRIPTION_MAX_CHARS)?;
    Ok(text.to_owned())
}

/// An optional `http(s)` URL.
fn opt_url(record: &Body, field: &str) -> Result<Option<String>, ApiError> {
    let url = validate::opt_str(record, field)?;
    if let Some(url) = url {
        validate::url(field, url)?;
    }
    Ok(url.map(str::to_owned))
}

/// A SEPA bank reason code such as `AM04`.
fn opt_reason_code(record: &Body, field: &str) -> Result<Option<String>, ApiError> {
    validate::opt_str(record, field)?
        .map(|code| {
            if code.len() == 4 && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
                Ok(code.to_ascii_uppercase())
            } else {
                Err(ApiError::unprocessable(
                    field,
                    "A bank reason code is four letters and digits, such as AM04",
                ))
            }
        })
        .transpose()
}

/// A whole number field of at least `min`.
fn opt_count(record: &Body, field: &str, min: u64) -> Result<Option<u32>, ApiError> {
    match record.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .filter(|n| *n >= min)
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::unprocessable(
                    field,
                    format!("The '{field}' field must be a whole number of at least {min}"),
                )
            }),
    }
}

/// The `_mock` object of a record (what only the mock keeps); empty when absent.
fn extra(record: &Body) -> Result<Body, ApiError> {
    match record.get("_mock") {
        None | Some(Value::Null) => Ok(Body::new()),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(_) => Err(ApiError::unprocessable(
            "_mock",
            "The '_mock' field must be an object",
        )),
    }
}

/// The instant of a timestamp the builder wrote (always RFC 3339).
fn instant(t: &Timestamp) -> Option<SystemTime> {
    clock::parse_timestamp(t.as_str())
}

/// Builds a store from a document's records.
struct Builder {
    store: Store,
    /// The mock's now once the document is in (its clock offset applied).
    now: SystemTime,
    stamp: Timestamp,
    /// The profile of API keys: the default `profileId`.
    profile: ProfileId,
    subscription_ids: HashSet<String>,
}

impl Builder {
    fn build(&mut self, lists: &[Vec<&Body>], ids: &[Vec<String>]) -> Result<(), ApiError> {
        let each = |kind: usize| {
            lists[kind]
                .iter()
                .zip(&ids[kind])
                .enumerate()
                .map(move |(i, (record, id))| (format!("{}[{i}]", COLLECTIONS[kind]), *record, id))
        };
        for (path, record, id) in each(CUSTOMERS) {
            self.customer(record, id).map_err(within(&path))?;
        }
        for (path, record, id) in each(MANDATES) {
            self.mandate(record, id).map_err(within(&path))?;
        }
        let mut made_by: HashMap<String, BTreeMap<u64, String>> = HashMap::new();
        for (path, record, id) in each(PAYMENTS) {
            let payment = self.payment(record, id).map_err(within(&path))?;
            if let Some(s) = &payment.subscription_id {
                made_by
                    .entry(s.as_str().to_owned())
                    .or_default()
                    .insert(payment.seq, id.clone());
            }
            self.store.insert_payment(payment);
        }
        for (path, record, id) in each(SUBSCRIPTIONS) {
            let payments = made_by.remove(id.as_str()).unwrap_or_default();
            self.subscription(record, id, payments)
                .map_err(within(&path))?;
        }
        for (path, record, id) in each(REFUNDS) {
            self.refund(record, id).map_err(within(&path))?;
        }
        for (path, record, id) in each(CHARGEBACKS) {
            self.chargeback(record, id).map_err(within(&path))?;
        }
        self.agenda();
        Ok(())
    }

    fn created(&self, record: &Body) -> Result<Timestamp, ApiError> {
        Ok(opt_timestamp(record, "createdAt")?.unwrap_or_else(|| self.stamp.clone()))
    }

    fn customer(&mut self, record: &Body, id: &str) -> Result<(), ApiError> {
        let name = validate::opt_str(record, "name")?;
        if let Some(name) = name {
            validate::max_chars("name", name, NAME_MAX_CHARS)?;
        }
        let email = validate::opt_str(record, "email")?;
        if let Some(email) = email {
            validate::email("email", email)?;
        }
        let seq = self.store.seq();
        let customer = CustomerRec {
            seq,
            id: assigned(id, CustomerId::parse)?,
            env: mode(record, Env::Test)?,
            name: name.map(str::to_owned),
            email: email.map(str::to_owned),
            locale: validate::opt_locale(record, "locale")?,
            metadata: validate::metadata(record)?,
            created_at: self.created(record)?,
            mandates: BTreeMap::new(),
            payments: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
        };
        self.store.customer_order[customer.env.index()].insert(seq, id.to_owned());
        self.store.customers.insert(id.to_owned(), customer);
        Ok(())
    }

    fn mandate(&mut self, record: &Body, id: &str) -> Result<(), ApiError> {
        let customer_id = req_id(record, "customerId", CustomerId::parse)?;
        let owner = self
            .store
            .customers
            .get(customer_id.as_str())
            .map(|c| c.env)
            .ok_or_else(|| not_in_state("customerId", "customer", customer_id.as_str()))?;
        let env = same_mode(record, owner, "customer")?;
        let method = known(record, "method", MandateMethod::is_unknown)?
            .ok_or_else(|| ApiError::unprocessable("method", "The 'method' field is missing"))?;
        let status =
            known(record, "status", MandateStatus::is_unknown)?.unwrap_or(MandateStatus::Valid);
        let raw = validate::opt_typed::<RawMandateDetails>(record, "details")?
            .ok_or_else(|| ApiError::unprocessable("details", "The 'details' field is missing"))?;
        let details = mandate_details(&method, raw)?;
        let created_at = self.created(record)?;
        let signature_date = match validate::opt_date(record, "signatureDate")? {
            Some(day) => Some(day),
            None => instant(&created_at).and_then(|t| Date::parse(&clock::date(t)).ok()),
        };
        let reference = validate::opt_str(record, "mandateReference")?;
        if let Some(reference) = reference {
            validate::max_chars("mandateReference", reference, 35)?;
        }
        let scopes = match validate::opt_typed::<Vec<MandateScope>>(record, "scopes")? {
            Some(scopes) => {
                if let Some(bad) = scopes.iter().find(|s| s.is_unknown()) {
                    return Err(ApiError::unprocessable(
                        "scopes",
                        format!(
                            "The scope '{}' is not one the mock knows",
                            quoted(bad.as_str())
                        ),
                    ));
                }
                scopes
            }
            None => vec![MandateScope::CustomerNotPresent],
        };
        let seq = self.store.seq();
        let mandate = MandateRec {
            seq,
            id: assigned(id, MandateId::parse)?,
            env,
            customer_id: customer_id.clone(),
            method,
            status,
            details,
            mandate_reference: reference.map(str::to_owned),
            signature_date,
            scopes,
            created_at,
        };
        if let Some(c) = self.store.customers.get_mut(customer_id.as_str()) {
            c.mandates.insert(seq, id.to_owned());
        }
        self.store.mandates.insert(id.to_owned(), mandate);
        Ok(())
    }

    fn payment(&mut self, record: &Body, id: &str) -> Result<PaymentRec, ApiError> {
        let customer_id = opt_id(record, "customerId", CustomerId::parse)?;
        // A payment may name a customer that is not in the state: a deleted customer's
        // payments stay, as at Mollie.
        let owner = customer_id
            .as_ref()
            .and_then(|c| self.store.customers.get(c.as_str()))
            .map(|c| c.env);
        let env = match owner {
            Some(owner) => same_mode(record, owner, "customer")?,
            None => mode(record, Env::Test)?,
        };
        let sequence_type = known(record, "sequenceType", SequenceType::is_unknown)?
            .unwrap_or(SequenceType::Oneoff);
        if sequence_type != SequenceType::Oneoff && customer_id.is_none() {
            return Err(ApiError::unprocessable(
                "customerId",
                format!(
                    "A {sequence_type} payment needs a customer: the 'customerId' field is missing"
                ),
            ));
        }
        let status =
            known(record, "status", PaymentStatus::is_unknown)?.unwrap_or(PaymentStatus::Open);
        let method = known(record, "method", PaymentMethod::is_unknown)?;
        let mandate_id = opt_id(record, "mandateId", MandateId::parse)?;
        let subscription_id = opt_id(record, "subscriptionId", SubscriptionId::parse)?;
        if let Some(s) = &subscription_id
            && !self.subscription_ids.contains(s.as_str())
        {
            return Err(not_in_state("subscriptionId", "subscription", s.as_str()));
        }
        let created_at = self.created(record)?;
        let created = instant(&created_at).unwrap_or(self.now);
        // The time of the status it is in, when the record does not give it.
        let at = |field: &str, when: PaymentStatus| -> Result<Option<Timestamp>, ApiError> {
            Ok(opt_timestamp(record, field)?
                .or_else(|| (status == when).then(|| created_at.clone())))
        };
        let expires_at = match opt_timestamp(record, "expiresAt")? {
            Some(t) => Some(t),
            None if status == PaymentStatus::Open => Some(Timestamp::new(clock::timestamp(
                clock::plus_minutes(created, EXPIRY_MINUTES),
            ))),
            None => None,
        };
        let mut details = validate::opt_typed::<PaymentDetails>(record, "details")?;
        if details.is_none()
            && status == PaymentStatus::Pending
            && method == Some(PaymentMethod::DirectDebit)
            && let Some(mandate) = mandate_id
                .as_ref()
                .and_then(|m| self.store.mandates.get(m.as_str()))
        {
            // A direct debit shows its mandate and collection, as one the API makes.
            details = Some(schedule::direct_debit(mandate, created).0);
        }
        let mock = extra(record)?;
        let payment = PaymentRec {
            seq: self.store.seq(),
            id: assigned(id, PaymentId::parse)?,
            env,
            customer_id,
            amount: validate::amount(record, true)?,
            description: description(record, true)?,
            redirect_url: opt_url(record, "redirectUrl")?,
            cancel_url: opt_url(record, "cancelUrl")?,
            webhook_url: opt_url(record, "webhookUrl")?,
            locale: validate::opt_locale(record, "locale")?,
            // Only an open payment's method can change, and only when none was given.
            method_fixed: method.is_some(),
            method,
            restrict_payment_methods_to_country: payments::country(
                record,
                "restrictPaymentMethodsToCountry",
            )?,
            metadata: validate::metadata(record)?,
            sequence_type,
            mandate_id,
            profile_id: opt_id(record, "profileId", ProfileId::parse)?
                .unwrap_or_else(|| self.profile.clone()),
            lines: validate::opt_typed::<Vec<PaymentLine>>(record, "lines")?,
            billing_address: validate::opt_typed::<Address>(record, "billingAddress")?,
            shipping_address: validate::opt_typed::<Address>(record, "shippingAddress")?,
            expires_at,
            paid_at: at("paidAt", PaymentStatus::Paid)?,
            authorized_at: at("authorizedAt", PaymentStatus::Authorized)?,
            canceled_at: at("canceledAt", PaymentStatus::Canceled)?,
            expired_at: at("expiredAt", PaymentStatus::Expired)?,
            failed_at: at("failedAt", PaymentStatus::Failed)?,
            created_at,
            status,
            refunds: BTreeMap::new(),
            chargebacks: BTreeMap::new(),
            refunded: 0,
            charged_back: 0,
            subscription_id,
            details: details.map(Box::new),
            fails_with: opt_reason_code(&mock, "failsWith").map_err(within("_mock"))?,
            status_reason: validate::opt_typed::<StatusReason>(record, "statusReason")?,
        };
        Ok(payment)
    }

    fn subscription(
        &mut self,
        record: &Body,
        id: &str,
        payments: BTreeMap<u64, String>,
    ) -> Result<(), ApiError> {
        let customer_id = req_id(record, "customerId", CustomerId::parse)?;
        let status = known(record, "status", SubscriptionStatus::is_unknown)?
            .unwrap_or(SubscriptionStatus::Active);
        let running = !status.is_final();
        let owner = self
            .store
            .customers
            .get(customer_id.as_str())
            .map(|c| c.env);
        // A canceled or completed subscription may name a deleted customer; one that still
        // runs charges its customer, who must be there.
        let env = match owner {
            Some(owner) => same_mode(record, owner, "customer")?,
            None if running => {
                return Err(not_in_state("customerId", "customer", customer_id.as_str()));
            }
            None => mode(record, Env::Test)?,
        };
        let mandate_id = opt_id(record, "mandateId", MandateId::parse)?;
        if running
            && let Some(m) = &mandate_id
            && !self
                .store
                .mandates
                .get(m.as_str())
                .is_some_and(|x| x.customer_id == customer_id && x.env == env)
        {
            return Err(not_in_state(
                "mandateId",
                "mandate of the customer",
                m.as_str(),
            ));
        }
        let amount = validate::amount(record, false)?;
        let interval_text = validate::req_str(record, "interval")?;
        let interval = Interval::parse(interval_text).map_err(|e| {
            ApiError::unprocessable(
                "interval",
                format!(
                    "Invalid interval '{}': {}",
                    quoted(interval_text),
                    e.reason()
                ),
            )
        })?;
        let today = clock::utc(self.now).date();
        let start_date = opt_day(record, "startDate")?.unwrap_or(today);
        let next_payment_date = match opt_day(record, "nextPaymentDate")? {
            Some(day) => Some(day),
            None if running => Some(
                subscription_state::first_due(start_date, &interval, today).ok_or_else(|| {
                    ApiError::unprocessable("interval", "The schedule has no day on or after today")
                })?,
            ),
            None => None,
        };
        let times = opt_count(record, "times", 1)?;
        let remaining = opt_count(record, "timesRemaining", 0)?;
        let mock = extra(record)?;
        let made = opt_count(&mock, "paymentsMade", 0)
            .map_err(within("_mock"))?
            .unwrap_or_else(|| default_made(times, remaining, payments.len()));
        let anchor = match mock.get("scheduleAnchor") {
            None | Some(Value::Null) => {
                default_anchor(next_payment_date, start_date, made, &interval)
            }
            Some(Value::Object(a)) => {
                let at = |e| within("_mock.scheduleAnchor")(e);
                let day = opt_day(a, "date").map_err(at)?;
                let number = opt_count(a, "paymentNumber", 0).map_err(at)?;
                let day_of_month = opt_count(a, "dayOfMonth", 1).map_err(at)?;
                match (day, number, day_of_month) {
                    // Without `dayOfMonth` (files from before it): the date's own.
                    (Some(day), Some(number), None) => Anchor::on(day, number),
                    (Some(day), Some(number), Some(of)) => u8::try_from(of)
                        .ok()
                        .and_then(|of| Anchor::with_day(day, number, of))
                        .ok_or_else(|| {
                            ApiError::unprocessable(
                                "_mock.scheduleAnchor.dayOfMonth",
                                "The schedule anchor's 'dayOfMonth' is 1 to 31, and its \
                                 'date' is on it (or on its month's last day, before it)",
                            )
                        })?,
                    _ => {
                        return Err(ApiError::unprocessable(
                            "_mock.scheduleAnchor",
                            "The schedule anchor has a 'date' and a 'paymentNumber'",
                        ));
                    }
                }
            }
            Some(_) => {
                return Err(ApiError::unprocessable(
                    "_mock.scheduleAnchor",
                    "The schedule anchor is an object with 'date' and 'paymentNumber'",
                ));
            }
        };
        let method = known(record, "method", SubscriptionMethod::is_unknown)?;
        let application_fee = validate::opt_typed::<ApplicationFee>(record, "applicationFee")?;
        let created_at = self.created(record)?;
        let canceled_at = match opt_timestamp(record, "canceledAt")? {
            Some(t) => Some(t),
            None if status == SubscriptionStatus::Canceled => Some(created_at.clone()),
            None => None,
        };
        let subscription = SubscriptionRec {
            seq: self.store.seq(),
            id: assigned(id, SubscriptionId::parse)?,
            env,
            customer_id,
            profile_id: opt_id(&mock, "profileId", ProfileId::parse)
                .map_err(within("_mock"))?
                .unwrap_or_else(|| self.profile.clone()),
            status,
            amount,
            times,
            interval,
            start_date,
            anchor,
            made,
            next_payment_date,
            description: description(record, true)?,
            method,
            application_fee,
            metadata: validate::metadata(record)?,
            webhook_url: opt_url(record, "webhookUrl")?,
            mandate_id,
            created_at,
            canceled_at,
            payments,
            fail_next: opt_reason_code(&mock, "failNext").map_err(within("_mock"))?,
            due_at: None,
        };
        self.store.insert_subscription(subscription);
        Ok(())
    }

    /// The payment a refund or chargeback belongs to: its mode, profile and currency.
    fn owner(&self, record: &Body) -> Result<(PaymentId, Env, ProfileId, Money), ApiError> {
        let payment_id = req_id(record, "paymentId", PaymentId::parse)?;
        let payment = self
            .store
            .payments
            .get(payment_id.as_str())
            .ok_or_else(|| not_in_state("paymentId", "payment", payment_id.as_str()))?;
        Ok((
            payment_id,
            payment.env,
            payment.profile_id.clone(),
            payment.amount.clone(),
        ))
    }

    fn refund(&mut self, record: &Body, id: &str) -> Result<(), ApiError> {
        let (payment_id, owner, profile_id, paid) = self.owner(record)?;
        let env = same_mode(record, owner, "payment")?;
        let amount = validate::amount(record, false)?;
        same_currency(&amount, &paid)?;
        let status =
            known(record, "status", RefundStatus::is_unknown)?.unwrap_or(RefundStatus::Pending);
        if status == RefundStatus::Canceled {
            return Err(ApiError::unprocessable(
                "status",
                "A canceled refund is not kept (the API answers 404 for it); leave it out",
            ));
        }
        let refund = RefundRec {
            seq: self.store.seq(),
            id: assigned(id, RefundId::parse)?,
            env,
            payment_id,
            profile_id,
            amount,
            description: description(record, false)?,
            metadata: validate::metadata(record)?,
            external_reference: validate::opt_typed::<RefundExternalReference>(
                record,
                "externalReference",
            )?,
            status,
            created_at: self.created(record)?,
        };
        self.store.insert_refund(refund);
        Ok(())
    }

    fn chargeback(&mut self, record: &Body, id: &str) -> Result<(), ApiError> {
        let (payment_id, env, profile_id, paid) = self.owner(record)?;
        let amount = match record.get("amount") {
            None | Some(Value::Null) => paid.clone(),
            Some(_) => validate::amount(record, false)?,
        };
        same_currency(&amount, &paid)?;
        let chargeback = ChargebackRec {
            seq: self.store.seq(),
            id: assigned(id, ChargebackId::parse)?,
            env,
            payment_id,
            profile_id,
            amount,
            reason: validate::opt_typed::<ChargebackReason>(record, "reason")?,
            created_at: self.created(record)?,
            reversed_at: opt_timestamp(record, "reversedAt")?,
        };
        self.store.insert_chargeback(chargeback);
        Ok(())
    }

    /// What is due later, as when the objects were made: pending direct debits settle one
    /// business day after they are due, open payments expire, active subscriptions charge.
    fn agenda(&mut self) {
        let mut due: Vec<(i64, Due)> = Vec::new();
        for p in by_seq(&self.store.payments, |p| p.seq) {
            let id = p.id.as_str().to_owned();
            if p.status == PaymentStatus::Open
                && let Some(at) = p.expires_at.as_ref().and_then(instant)
            {
                due.push((schedule::unix(at), Due::Expire(id)));
            } else if p.status == PaymentStatus::Pending
                && p.method == Some(PaymentMethod::DirectDebit)
            {
                let created = instant(&p.created_at).unwrap_or(self.now);
                let collected = p
                    .details
                    .as_ref()
                    .and_then(|d| d.due_date.as_ref())
                    .and_then(|d| clock::parse_date(d.as_str()))
                    .or_else(|| {
                        let day = clock::utc(created).date();
                        clock::plus_business_days(day, 1)
                    });
                if let Some(settles) = collected.and_then(|d| clock::plus_business_days(d, 1)) {
                    due.push((schedule::unix(clock::start_of(settles)), Due::Settle(id)));
                }
            }
        }
        for (at, entry) in due {
            self.store.schedule(at, entry);
        }
        let running: Vec<String> = by_seq(&self.store.subscriptions, |s| s.seq)
            .map(|s| s.id.as_str().to_owned())
            .collect();
        for id in running {
            schedule::plan(&mut self.store, &id, self.now);
        }
    }
}

/// The typed id of a record: its `id` (checked by [`assign_ids`]) or a new one.
fn assigned<T, E>(id: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<T, ApiError> {
    parse(id)
        .map_err(|_| ApiError::unprocessable("id", format!("The id '{}' is invalid", quoted(id))))
}

/// The 422 for a reference to an object the document does not have.
fn not_in_state(field: &str, kind: &str, id: &str) -> ApiError {
    ApiError::unprocessable(
        field,
        format!(
            "The {kind} '{}' is not in the state (list it before what refers to it)",
            quoted(id)
        ),
    )
}

/// A refund or chargeback is in its payment's currency.
fn same_currency(amount: &Money, paid: &Money) -> Result<(), ApiError> {
    if amount.currency() != paid.currency() {
        return Err(ApiError::unprocessable(
            "amount.currency",
            format!(
                "The currency {} differs from the payment's {}",
                amount.currency(),
                paid.currency()
            ),
        ));
    }
    Ok(())
}

/// A mandate's flat `details`, by its method (an IBAN is checked and written as the API
/// writes it).
fn mandate_details(
    method: &MandateMethod,
    raw: RawMandateDetails,
) -> Result<MandateDetails, ApiError> {
    Ok(match method {
        MandateMethod::DirectDebit => {
            let account = raw
                .consumer_account
                .map(|a| {
                    Iban::parse(&a)
                        .map(|iban| iban.as_str().to_owned())
                        .map_err(|_| {
                            ApiError::unprocessable(
                                "details.consumerAccount",
                                format!("The IBAN '{}' is invalid", quoted(&a)),
                            )
                        })
                })
                .transpose()?;
            MandateDetails::DirectDebit(DirectDebitDetails {
                consumer_name: raw.consumer_name,
                consumer_account: account,
                consumer_bic: raw.consumer_bic,
            })
        }
        MandateMethod::CreditCard => MandateDetails::CreditCard(CardDetails {
            card_holder: raw.card_holder,
            card_number: raw.card_number,
            card_expiry_date: raw.card_expiry_date,
            card_label: raw.card_label,
            card_fingerprint: raw.card_fingerprint,
        }),
        MandateMethod::PayPal => MandateDetails::PayPal(PayPalDetails {
            consumer_name: raw.consumer_name,
            consumer_account: raw.consumer_account,
        }),
        _ => MandateDetails::Other(raw),
    })
}
