//! The control API under `/__mock/` (documented in the crate docs). It needs no
//! authentication and is never subject to faults.

use axum::body::Body as HttpBody;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::app::{App, lock};
use crate::dispatch::read_body;
use crate::errors::{ApiError, Reply};
use crate::faults::{self, FaultSyntaxError, MAX_QUEUED, Matcher, Queued};
use crate::handlers::{chargebacks, payment_changes, refunds, to_json};
use crate::links;
use crate::payment_state;
use crate::refund_state;
use crate::validate::Body;

/// The most requests one queued fault may apply to.
const MAX_COUNT: u64 = 1_000_000;

fn json_response(status: StatusCode, value: &Value) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

impl App {
    /// Queues `fault` for the next `count` requests that `matcher` matches.
    pub(crate) fn queue_fault(
        &self,
        fault: &str,
        count: u32,
        matcher: Option<&str>,
    ) -> Result<Queued, FaultSyntaxError> {
        let parsed = faults::parse(fault)?;
        let matcher = matcher.map(Matcher::parse).transpose()?.unwrap_or_default();
        let queued = Queued {
            fault: fault.to_owned(),
            remaining: count.max(1),
            matcher,
            parsed,
        };
        let mut queue = lock(&self.faults);
        if queue.queued.len() >= MAX_QUEUED {
            return Err(FaultSyntaxError::new(format!(
                "at most {MAX_QUEUED} faults may be queued"
            )));
        }
        queue.queued.push(queued.clone());
        Ok(queued)
    }
}

impl App {
    /// Moves payment `id` to `status` (as the control endpoint does) and sends its
    /// webhooks; `base` is where the links point. The payment as the API now shows it.
    pub(crate) fn set_payment_status(
        &self,
        id: &str,
        status: &str,
        base: &str,
    ) -> Result<mollie_models::Payment, ApiError> {
        let to = payment_state::control_target(status)?;
        payment_changes::change_status(self, base, self.now(), id, to)
    }

    /// Moves refund `id` to `status` and sends the payment's webhooks; the refund as the API
    /// now shows it.
    pub(crate) fn set_refund_status(
        &self,
        id: &str,
        status: &str,
        base: &str,
    ) -> Result<mollie_models::Refund, ApiError> {
        let to = refund_state::control_target(status)?;
        refunds::change_status(self, base, id, to)
    }

    /// Makes a chargeback of payment `id` (`amount`, `reason` in `body`) and sends the
    /// payment's webhooks.
    pub(crate) fn create_chargeback(
        &self,
        id: &str,
        body: &Body,
        base: &str,
    ) -> Result<mollie_models::Chargeback, ApiError> {
        chargebacks::create(self, base, self.now(), id, body)
    }

    /// Reverses chargeback `id` and sends the payment's webhooks.
    pub(crate) fn reverse_chargeback(
        &self,
        id: &str,
        base: &str,
    ) -> Result<mollie_models::Chargeback, ApiError> {
        chargebacks::reverse(self, base, self.now(), id)
    }
}

/// The id in `/__mock/{collection}/{id}/{action}`.
fn id_in<'p>(path: &'p str, collection: &str, action: &str) -> Option<&'p str> {
    path.strip_prefix("/__mock/")?
        .strip_prefix(collection)?
        .strip_prefix('/')?
        .strip_suffix(action)?
        .strip_suffix('/')
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

/// A control body: a JSON object (`{}` when empty).
fn control_body(bytes: &[u8], example: &str) -> Result<Body, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Body::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::bad_request(format!(
            "The body must be a JSON object like {example}"
        ))),
    }
}

/// The `status` of a control body.
fn status_field(body: &Body) -> Result<&str, ApiError> {
    match body.get("status") {
        None | Some(Value::Null) => Err(ApiError::unprocessable(
            "status",
            "The 'status' field is missing",
        )),
        Some(Value::String(s)) => Ok(s.as_str()),
        Some(_) => Err(ApiError::unprocessable(
            "status",
            "The 'status' field must be a string",
        )),
    }
}

/// A control answer: `status` and the object as JSON.
fn control_reply(status: StatusCode, value: &impl serde::Serialize) -> Result<Response, ApiError> {
    Ok(Reply::json(status, to_json(value)?).into_response())
}

/// `POST /__mock/payments/{paymentId}/status` with `{"status": "paid"}`.
fn payment_status(app: &App, base: &str, id: &str, bytes: &[u8]) -> Result<Response, ApiError> {
    let body = control_body(bytes, "{\"status\": \"paid\"}")?;
    let payment = app.set_payment_status(id, status_field(&body)?, base)?;
    control_reply(StatusCode::OK, &payment)
}

/// `POST /__mock/refunds/{refundId}/status` with `{"status": "refunded"}`.
fn refund_status(app: &App, base: &str, id: &str, bytes: &[u8]) -> Result<Response, ApiError> {
    let body = control_body(bytes, "{\"status\": \"refunded\"}")?;
    let refund = app.set_refund_status(id, status_field(&body)?, base)?;
    control_reply(StatusCode::OK, &refund)
}

/// `POST /__mock/payments/{paymentId}/chargebacks` with an optional `amount` and `reason`.
fn new_chargeback(app: &App, base: &str, id: &str, bytes: &[u8]) -> Result<Response, ApiError> {
    let example = "{\"amount\": {\"currency\": \"EUR\", \"value\": \"10.00\"}}";
    let body = control_body(bytes, example)?;
    let chargeback = app.create_chargeback(id, &body, base)?;
    control_reply(StatusCode::CREATED, &chargeback)
}

/// `POST /__mock/chargebacks/{chargebackId}/reverse`.
fn reverse(app: &App, base: &str, id: &str) -> Result<Response, ApiError> {
    let chargeback = app.reverse_chargeback(id, base)?;
    control_reply(StatusCode::OK, &chargeback)
}

/// The control endpoints about payments, refunds and chargebacks (all `POST`); `None` for
/// any other request.
fn objects(app: &App, parts: &Parts, bytes: &[u8]) -> Option<Result<Response, ApiError>> {
    if parts.method != Method::POST {
        return None;
    }
    let path = parts.uri.path();
    let base = links::base_url(app.scheme, &parts.headers, &parts.uri, app.local_addr);
    if let Some(id) = id_in(path, "payments", "status") {
        Some(payment_status(app, &base, id, bytes))
    } else if let Some(id) = id_in(path, "refunds", "status") {
        Some(refund_status(app, &base, id, bytes))
    } else if let Some(id) = id_in(path, "payments", "chargebacks") {
        Some(new_chargeback(app, &base, id, bytes))
    } else if let Some(id) = id_in(path, "subscriptions", "fail-next") {
        Some(fail_next(app, id, bytes))
    } else {
        id_in(path, "chargebacks", "reverse").map(|id| reverse(app, &base, id))
    }
}

/// `POST /__mock/subscriptions/{subscriptionId}/fail-next`, optionally `{"reason": "AM04"}`.
fn fail_next(app: &App, id: &str, bytes: &[u8]) -> Result<Response, ApiError> {
    let body = control_body(bytes, "{\"reason\": \"AM04\"}")?;
    let reason = match body.get("reason") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            return Err(ApiError::unprocessable(
                "reason",
                "The 'reason' field must be a string such as \"AM04\"",
            ));
        }
    };
    app.fail_next(id, reason)?;
    Ok(Reply::no_content().into_response())
}

/// The clock's state: `{"now": "...", "offsetSeconds": N}`.
fn clock_state(app: &App) -> Value {
    json!({
        "now": crate::clock::timestamp(app.now()),
        "offsetSeconds": app.clock.offset().as_secs(),
    })
}

/// A duration such as `"4 months"`, `"36 hours"` or `"90 seconds"` from now: calendar
/// months, else a fixed number of seconds.
fn advance_target(app: &App, text: &str) -> Result<std::time::SystemTime, ApiError> {
    let invalid = || {
        ApiError::unprocessable(
            "advance",
            format!(
                "Invalid duration '{}': use a whole number and seconds, minutes, hours, days, weeks or months, like \"4 months\"",
                crate::errors::quoted(text)
            ),
        )
    };
    let (count, unit) = text.trim().split_once(' ').ok_or_else(invalid)?;
    let count: u32 = count.parse().map_err(|_| invalid())?;
    let now = app.now();
    let seconds: u64 = match unit.trim_end_matches('s') {
        "second" => 1,
        "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        "week" => 7 * 86_400,
        "month" => {
            let at = crate::clock::utc(now);
            let day = crate::clock::plus_months(at.date(), count).ok_or_else(invalid)?;
            return Ok(crate::clock::instant(at.replace_date(day)));
        }
        _ => return Err(invalid()),
    };
    now.checked_add(std::time::Duration::from_secs(u64::from(count) * seconds))
        .ok_or_else(invalid)
}

/// `POST /__mock/clock` with `{"advance": "4 months"}`, `{"advanceSeconds": 3600}` or
/// `{"set": "2027-01-01T00:00:00+00:00"}`: moves the mock's time forward and runs what falls
/// due.
fn move_clock(app: &App, bytes: &[u8]) -> Result<Response, ApiError> {
    let body = control_body(bytes, "{\"advance\": \"4 months\"}")?;
    let given: Vec<&str> = ["advance", "advanceSeconds", "set"]
        .into_iter()
        .filter(|k| body.get(*k).is_some_and(|v| !v.is_null()))
        .collect();
    let [field] = given.as_slice() else {
        return Err(ApiError::unprocessable(
            "advance",
            "Send exactly one of 'advance' (\"4 months\"), 'advanceSeconds' (3600) or 'set' (an RFC 3339 time)",
        ));
    };
    let target = match (*field, &body[*field]) {
        ("advance", Value::String(text)) => advance_target(app, text)?,
        ("advanceSeconds", v) => {
            let seconds = v.as_u64().ok_or_else(|| {
                ApiError::unprocessable(
                    "advanceSeconds",
                    "'advanceSeconds' must be a whole number of seconds",
                )
            })?;
            app.now()
                .checked_add(std::time::Duration::from_secs(seconds))
                .ok_or_else(|| ApiError::unprocessable("advanceSeconds", "That is too far"))?
        }
        ("set", Value::String(text)) => crate::clock::parse_timestamp(text).ok_or_else(|| {
            ApiError::unprocessable(
                "set",
                format!(
                    "Invalid time '{}': use RFC 3339, like 2027-01-01T00:00:00+00:00",
                    crate::errors::quoted(text)
                ),
            )
        })?,
        (other, _) => {
            return Err(ApiError::unprocessable(
                other,
                format!("The '{other}' field must be a string"),
            ));
        }
    };
    let report = app.set_clock(target, field)?;
    Ok(json_response(
        StatusCode::OK,
        &serde_json::to_value(&report).unwrap_or(Value::Null),
    ))
}

fn queue_from_body(app: &App, bytes: &[u8]) -> Result<Response, ApiError> {
    let body: Value = serde_json::from_slice(bytes).map_err(|_| {
        ApiError::bad_request(
            "The body must be JSON like {\"fault\": \"status=503\", \"count\": 1}",
        )
    })?;
    let fault = body
        .get("fault")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::unprocessable("fault", "The 'fault' field must be a string"))?;
    let count = match body.get("count") {
        None | Some(Value::Null) => 1,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=MAX_COUNT).contains(&n) => u32::try_from(n).unwrap_or(1),
            _ => {
                return Err(ApiError::unprocessable(
                    "count",
                    format!("The 'count' field must be a number from 1 to {MAX_COUNT}"),
                ));
            }
        },
    };
    let matcher = match body.get("match") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            return Err(ApiError::unprocessable(
                "match",
                "The 'match' field must be a string such as \"POST /v2/customers\"",
            ));
        }
    };
    let queued = app
        .queue_fault(fault, count, matcher)
        .map_err(|e| ApiError::unprocessable("fault", e.to_string()))?;
    Ok(json_response(
        StatusCode::CREATED,
        &serde_json::to_value(&queued).unwrap_or(Value::Null),
    ))
}

/// `PUT /__mock/state` with a state document: replaces the objects (see the crate docs'
/// State). 200 with how many of each it stored.
fn import_state(app: &App, bytes: &[u8]) -> Result<Response, ApiError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(format!(
            "The body must be a state document in JSON, like GET /__mock/state returns: {}",
            crate::errors::quoted(&e.to_string())
        ))
    })?;
    let imported = crate::state::import(app, &doc)?;
    Ok(json_response(
        StatusCode::OK,
        &serde_json::to_value(imported).unwrap_or(Value::Null),
    ))
}

fn checkout_page(app: &App, id: &str) -> Response {
    let store = lock(&app.store);
    let Some(payment) = store.payments.get(id) else {
        return ApiError::not_found("No such checkout")
            .into_reply()
            .into_response();
    };
    let html = format!(
        "<!doctype html><title>mollie-mock checkout</title><h1>Checkout of {}</h1><p>{} {} — status {}</p>",
        payment.id,
        payment.amount.currency(),
        payment.amount.value(),
        payment.status
    );
    let mut response = (StatusCode::OK, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// Serves `/__mock/...`.
pub(crate) async fn handle(app: &App, parts: &Parts, body: HttpBody) -> Response {
    let bytes = match read_body(body, app.settings.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(error) => return error.into_reply().into_response(),
    };
    // What fell due since the last request happens before this one is looked at.
    app.catch_up();
    if let Some(result) = objects(app, parts, &bytes) {
        return result.unwrap_or_else(|e| e.into_reply().into_response());
    }
    let path = parts.uri.path();
    let result = match (&parts.method, path) {
        (&Method::POST, "/__mock/faults") => queue_from_body(app, &bytes),
        (&Method::GET, "/__mock/faults") => {
            let queued = lock(&app.faults).queued.clone();
            Ok(json_response(
                StatusCode::OK,
                &serde_json::to_value(&queued).unwrap_or(Value::Null),
            ))
        }
        (&Method::DELETE, "/__mock/faults") => {
            lock(&app.faults).queued.clear();
            Ok(Reply::no_content().into_response())
        }
        (&Method::GET, "/__mock/clock") => Ok(json_response(StatusCode::OK, &clock_state(app))),
        (&Method::POST, "/__mock/clock") => move_clock(app, &bytes),
        (&Method::POST, "/__mock/reset") => {
            app.reset();
            Ok(Reply::no_content().into_response())
        }
        (&Method::GET, "/__mock/requests") => {
            let log = lock(&app.log).snapshot();
            Ok(json_response(
                StatusCode::OK,
                &serde_json::to_value(&log).unwrap_or(Value::Null),
            ))
        }
        (&Method::DELETE, "/__mock/requests") => {
            lock(&app.log).clear();
            Ok(Reply::no_content().into_response())
        }
        (&Method::POST, "/__mock/release") => {
            app.release.notify_waiters();
            Ok(Reply::no_content().into_response())
        }
        (&Method::GET, "/__mock/state") => {
            Ok(json_response(StatusCode::OK, &crate::state::export(app)))
        }
        (&Method::PUT, "/__mock/state") => import_state(app, &bytes),
        (&Method::GET, "/__mock/health") => Ok(json_response(StatusCode::OK, &{
            let store = lock(&app.store);
            json!({"status": "ok", "objects": store.objects(), "scheduled": store.agenda.len()})
        })),
        (&Method::GET, "/__mock/webhooks") => Ok(json_response(
            StatusCode::OK,
            &serde_json::to_value(app.webhooks.deliveries()).unwrap_or(Value::Null),
        )),
        (&Method::DELETE, "/__mock/webhooks") => {
            app.webhooks.clear();
            Ok(Reply::no_content().into_response())
        }
        (&Method::GET, p) if p.starts_with("/__mock/checkout/") => {
            Ok(checkout_page(app, &p["/__mock/checkout/".len()..]))
        }
        _ => Err(ApiError::not_found(
            "Unknown control endpoint; see the mollie-mock crate docs",
        )),
    };
    result.unwrap_or_else(|e| e.into_reply().into_response())
}
