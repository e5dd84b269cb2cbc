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
use crate::handlers::{payments, to_json};
use crate::links;

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
        let to = payments::target_status(status)?;
        let changed = payments::change_status(self, base, self.now(), id, to)?;
        // The store's lock is released: deliveries run on their own.
        self.webhooks
            .notify(&changed.payment, changed.webhook_url.as_deref(), base);
        Ok(changed.payment)
    }
}

/// The payment id of `/__mock/payments/{paymentId}/status`.
fn status_path(path: &str) -> Option<&str> {
    path.strip_prefix("/__mock/payments/")?
        .strip_suffix("/status")
        .filter(|id| !id.contains('/'))
}

/// `POST /__mock/payments/{paymentId}/status` with `{"status": "paid"}`.
fn status_from_body(
    app: &App,
    parts: &Parts,
    id: &str,
    bytes: &[u8],
) -> Result<Response, ApiError> {
    let body: Value = serde_json::from_slice(bytes)
        .map_err(|_| ApiError::bad_request("The body must be JSON like {\"status\": \"paid\"}"))?;
    let Some(body) = body.as_object() else {
        return Err(ApiError::bad_request(
            "The body must be a JSON object like {\"status\": \"paid\"}",
        ));
    };
    let status = match body.get("status") {
        None | Some(Value::Null) => {
            return Err(ApiError::unprocessable(
                "status",
                "The 'status' field is missing",
            ));
        }
        Some(Value::String(s)) => s.as_str(),
        Some(_) => {
            return Err(ApiError::unprocessable(
                "status",
                "The 'status' field must be a string",
            ));
        }
    };
    let base = links::base_url(app.scheme, &parts.headers, &parts.uri, app.local_addr);
    let payment = app.set_payment_status(id, status, &base)?;
    Ok(Reply::json(StatusCode::OK, to_json(&payment)?).into_response())
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
        (&Method::GET, "/__mock/health") => Ok(json_response(
            StatusCode::OK,
            &json!({"status": "ok", "objects": lock(&app.store).objects()}),
        )),
        (&Method::POST, p) if status_path(p).is_some() => {
            status_from_body(app, parts, status_path(p).unwrap_or_default(), &bytes)
        }
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
