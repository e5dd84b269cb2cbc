//! The request pipeline: body cap and timeout, `HEAD` as `GET`, fault injection, request
//! log, auth, rate limit, routing, idempotency, then the operation.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body as HttpBody;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde_json::Value;
use tokio::sync::futures::Notified;

use crate::app::{App, lock};
use crate::auth;
use crate::conn::Cutter;
use crate::control;
use crate::errors::{ApiError, Reply, quoted};
use crate::faults::{self, Action, AfterCommit, Fault};
use crate::handlers::{self, Ctx};
use crate::idempotency::{Begin, Fingerprint};
use crate::links;
use crate::log::RecordedRequest;
use crate::rate_limit;
use crate::validate;

/// The request header that injects a fault into one request.
pub(crate) const FAULT_HEADER: &str = "x-mock-fault";
/// The longest idempotency key accepted (bytes); anything shorter, of any shape, is fine.
const MAX_IDEMPOTENCY_KEY: usize = 1024;
/// How much of an oversized body is read (and thrown away) so that the client, still
/// sending, gets the 413 rather than a broken pipe. Beyond it the connection is closed.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;

/// Reads a body of at most `max` bytes.
///
/// # Errors
/// 413 (Mollie-style body) when it is larger, 400 when it cannot be read.
pub(crate) async fn read_body(mut body: HttpBody, max: usize) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|_| ApiError::bad_request("The request body could not be read"))?;
        if let Ok(data) = frame.into_data() {
            total = total.saturating_add(data.len());
            if total <= max {
                bytes.extend_from_slice(&data);
            } else if total > DRAIN_LIMIT {
                break;
            }
        }
    }
    if total > max {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The request body is larger than {max} bytes"),
        ));
    }
    Ok(bytes)
}

/// Reads a body of at most `max` bytes that must arrive within `timeout`.
///
/// # Errors
/// As [`read_body`]; 408 (Mollie-style body, `Connection: close`) when it takes longer: the
/// client may still be sending, so the connection ends with the answer.
async fn read_body_within(
    body: HttpBody,
    max: usize,
    timeout: Duration,
) -> Result<Vec<u8>, ApiError> {
    match tokio::time::timeout(timeout, read_body(body, max)).await {
        Ok(read) => read,
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "The request body did not arrive within {} ms (MockConfig::body_timeout)",
                timeout.as_millis()
            ),
        )
        .with_header(header::CONNECTION, HeaderValue::from_static("close"))),
    }
}

/// Marks a `HEAD` request, which is handled as a `GET`.
#[derive(Debug, Clone, Copy)]
struct HeadRequest;

/// What to send back.
enum Outcome {
    Reply { reply: Reply, replayed: bool },
    Drop,
}

/// The one handler behind every path.
pub(crate) async fn dispatch(
    State(app): State<Arc<App>>,
    ConnectInfo(cutter): ConnectInfo<Cutter>,
    request: Request,
) -> Response {
    // While it is handled, the connection's header and idle timeouts wait.
    let _busy = cutter.busy();
    if cutter.plain_on_tls() {
        return plain_on_tls(&app);
    }
    let (mut parts, body) = request.into_parts();
    // HEAD is a GET whose answer hyper sends without its body (keeping `Content-Length`).
    let head = parts.method == Method::HEAD;
    if head {
        parts.method = Method::GET;
        parts.extensions.insert(HeadRequest);
    }
    let body = read_body_within(body, app.settings.max_body_bytes, cutter.body_timeout()).await;
    let path = parts.uri.path();
    if path == "/__mock" || path.starts_with("/__mock/") {
        return match body {
            Ok(bytes) => control::handle(&app, &parts, HttpBody::from(bytes)).await,
            Err(error) => error.into_reply().into_response(),
        };
    }
    // Kept exactly as sent: keys that differ in any byte are different keys.
    let idempotency_key = parts
        .headers
        .get("idempotency-key")
        .map(|v| v.as_bytes().to_vec())
        .filter(|k| !k.is_empty());
    let fault_header = parts
        .headers
        .get(FAULT_HEADER)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let (fault, fault_spec, fault_error) = match fault_header {
        Some(spec) => match faults::parse(&spec) {
            Ok(fault) => (Some(fault), Some(spec), None),
            Err(e) => (None, Some(spec), Some(ApiError::bad_request(e.to_string()))),
        },
        None => match lock(&app.faults).take(&parts.method, path) {
            Some((fault, spec)) => (Some(fault), Some(spec), None),
            None => (None, None, None),
        },
    };
    let mut entry = record(
        &parts,
        body.as_deref().ok(),
        idempotency_key
            .as_deref()
            .map(|k| String::from_utf8_lossy(k).into_owned()),
        fault_spec,
    );
    if head {
        Method::HEAD.as_str().clone_into(&mut entry.method);
    }
    let cost = crate::log::estimated_cost(body.as_deref().map_or(0, <[u8]>::len), &entry);
    let seq = lock(&app.log).push(entry, cost);
    let outcome = match (body, fault_error) {
        (_, Some(error)) | (Err(error), None) => Outcome::Reply {
            reply: error.into_reply(),
            replayed: false,
        },
        (Ok(bytes), None) => run(&app, &parts, &bytes, idempotency_key, fault, seq).await,
    };
    match outcome {
        Outcome::Reply { reply, replayed } => {
            let status = reply.status.as_u16();
            lock(&app.log).update(seq, |e| {
                e.status = Some(status);
                e.replayed = replayed;
                e.processing = false;
            });
            reply.into_response()
        }
        Outcome::Drop => {
            lock(&app.log).update(seq, |e| {
                e.dropped = true;
                e.processing = false;
            });
            cutter.cut();
            // Never reaches the client: writing it fails and hyper closes the connection.
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The answer to plain HTTP on the TLS port: a 400 that says what to do (as web servers
/// do), then the connection closes. Nothing is processed or logged.
fn plain_on_tls(app: &App) -> Response {
    let detail = format!(
        "This mock serves HTTPS: use https://{} (the certificate is self-signed; trust it, e.g. with NODE_EXTRA_CA_CERTS or curl --cacert)",
        app.local_addr
    );
    let mut response = ApiError::bad_request(detail).into_reply().into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Waits out a fault's delay, or until `POST /__mock/release`.
async fn wait(delay: Option<Duration>, released: Notified<'_>) {
    if let Some(delay) = delay {
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = released => {}
        }
    }
}

/// The reply of an injected status.
fn fault_reply(status: u16, retry_after: Option<u32>) -> Reply {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let detail = match status {
        429 => "You have exceeded the rate limit. Please slow down your requests.",
        500 => {
            "An internal server error occurred while processing your request (injected by mollie-mock)"
        }
        502 => "Bad gateway (injected by mollie-mock)",
        503 => "The service is temporarily unavailable (injected by mollie-mock)",
        _ => "Fault injected by mollie-mock",
    };
    let mut error = ApiError::new(code, detail);
    if status == 429 || retry_after.is_some() {
        error = error.with_header(
            header::RETRY_AFTER,
            HeaderValue::from(retry_after.unwrap_or(1)),
        );
    }
    error.into_reply()
}

async fn run(
    app: &App,
    parts: &Parts,
    bytes: &[u8],
    idempotency_key: Option<Vec<u8>>,
    fault: Option<Fault>,
    seq: u64,
) -> Outcome {
    let (delay, action) = fault.map_or((None, None), |f| (f.delay, f.action));
    match action {
        Some(Action::Status {
            status,
            retry_after,
        }) => {
            wait(delay, app.release.notified()).await;
            return Outcome::Reply {
                reply: fault_reply(status, retry_after),
                replayed: false,
            };
        }
        Some(Action::Drop) => {
            wait(delay, app.release.notified()).await;
            return Outcome::Drop;
        }
        _ => {}
    }
    let (reply, replayed) = match process(app, parts, bytes, idempotency_key, delay, seq).await {
        Ok(done) => done,
        Err(error) => (error.into_reply(), false),
    };
    match action {
        Some(Action::FailAfterCommit(AfterCommit::Status(status))) => Outcome::Reply {
            reply: fault_reply(status, None),
            replayed: false,
        },
        Some(Action::FailAfterCommit(AfterCommit::Drop)) => Outcome::Drop,
        _ => Outcome::Reply { reply, replayed },
    }
}

/// Releases an idempotency key that was never answered (the client went away mid-delay).
struct KeyGuard<'a> {
    app: &'a App,
    scope: u64,
    key: Vec<u8>,
    finished: bool,
}

impl KeyGuard<'_> {
    fn finish(mut self, reply: &Reply) {
        let now = self.app.now();
        lock(&self.app.idempotency).finish(self.scope, &self.key, reply, now);
        self.finished = true;
    }
}

impl Drop for KeyGuard<'_> {
    fn drop(&mut self) {
        if !self.finished {
            lock(&self.app.idempotency).abandon(self.scope, &self.key);
        }
    }
}

fn testmode_query(query: &[(String, String)]) -> Result<Option<bool>, ApiError> {
    match query.iter().rev().find(|(k, _)| k == "testmode") {
        None => Ok(None),
        Some((_, v)) => match v.as_str() {
            "true" | "1" => Ok(Some(true)),
            "false" | "0" => Ok(Some(false)),
            _ => Err(ApiError::bad_request(format!(
                "Invalid testmode '{}': it must be true or false",
                quoted(v)
            ))
            .with_field("testmode")),
        },
    }
}

/// Auth, rate limit, routing, idempotency and the operation.
async fn process(
    app: &App,
    parts: &Parts,
    bytes: &[u8],
    idempotency_key: Option<Vec<u8>>,
    delay: Option<Duration>,
    seq: u64,
) -> Result<(Reply, bool), ApiError> {
    let caller = auth::authenticate(&parts.headers, &app.hasher)?;
    rate_limit::admit(app, caller.scope)?;
    // What fell due since the last request (a subscription's day, a settled direct debit)
    // happens before this one is answered.
    app.catch_up();
    let route = handlers::route(parts.uri.path())?;
    let allowed = handlers::allowed(&route);
    if !allowed.contains(&parts.method) {
        let mut allow: Vec<&str> = allowed.iter().map(Method::as_str).collect();
        // Every readable endpoint answers HEAD too.
        if let Some(get) = allow.iter().position(|m| *m == Method::GET.as_str()) {
            allow.insert(get + 1, Method::HEAD.as_str());
        }
        let sent = if parts.extensions.get::<HeadRequest>().is_some() {
            &Method::HEAD
        } else {
            &parts.method
        };
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "The method {} is not available on this endpoint",
                quoted(sent.as_str())
            ),
        )
        .with_header(
            header::ALLOW,
            HeaderValue::from_str(&allow.join(", ")).unwrap_or(HeaderValue::from_static("GET")),
        ));
    }
    let Query(query) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
        .map_err(|_| ApiError::bad_request("The query string is invalid"))?;
    let writes = parts.method != Method::GET;
    // A GET body means nothing to Mollie; it is ignored.
    let body = if writes {
        validate::parse_body(bytes)?
    } else {
        validate::Body::new()
    };
    let testmode = match validate::opt_bool(&body, "testmode")? {
        Some(t) => Some(t),
        None => testmode_query(&query)?,
    };
    let env = caller.env(testmode);

    let mut guard = None;
    if let Some(key) = idempotency_key.filter(|_| writes) {
        if key.len() > MAX_IDEMPOTENCY_KEY {
            return Err(ApiError::bad_request(format!(
                "The Idempotency-Key is longer than {MAX_IDEMPOTENCY_KEY} bytes"
            )));
        }
        let fingerprint = Fingerprint::new(
            caller.scope,
            env,
            parts.method.as_str(),
            parts.uri.path(),
            &query,
            bytes,
        );
        let begun = lock(&app.idempotency).begin(
            caller.scope,
            &key,
            fingerprint,
            app.now(),
            app.settings.idempotency_ttl,
        );
        match begun {
            Begin::Proceed => {
                guard = Some(KeyGuard {
                    app,
                    scope: caller.scope,
                    key,
                    finished: false,
                });
            }
            Begin::Replay(reply) => {
                let reply =
                    reply.with_header(idempotent_replayed(), HeaderValue::from_static("true"));
                return Ok((reply, true));
            }
            Begin::InFlight => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "A request with this Idempotency-Key is still being processed; retry later",
                ));
            }
            Begin::Mismatch => {
                return Err(ApiError::bad_request(
                    "The Idempotency-Key was already used for a different request (another endpoint, mode, query or body)",
                ));
            }
            Begin::Full { retry_after } => return Err(keys_full(app, retry_after)),
        }
    }

    // Register for release before announcing that the request is in its processing window,
    // so that a release seen after the announcement is never missed.
    let released = app.release.notified();
    lock(&app.log).update(seq, |e| e.processing = true);
    wait(delay, released).await;

    let base = links::base_url(app.scheme, &parts.headers, &parts.uri, app.local_addr);
    let ctx = Ctx {
        base: &base,
        caller,
        env,
        query: &query,
        now: app.now(),
    };
    let reply = handlers::handle(app, &ctx, &route, &parts.method, &body)
        .unwrap_or_else(ApiError::into_reply);
    // What the request made due now (a subscription starting today) happens at once.
    app.catch_up();
    if let Some(guard) = guard {
        guard.finish(&reply);
    }
    Ok((reply, false))
}

/// The 503 of a new key when the key store is full: the request is not executed.
fn keys_full(app: &App, retry_after: Duration) -> ApiError {
    let budget = lock(&app.idempotency).max_bytes();
    let window = app.settings.idempotency_ttl.as_secs();
    let seconds = retry_after
        .as_secs()
        .saturating_add(u64::from(retry_after.subsec_nanos() > 0))
        .max(1);
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "mollie-mock keeps every Idempotency-Key for its window ({window} s) and its store of keys is full ({budget} bytes, MockConfig::max_idempotency_bytes): this request was not executed. Retry it after the oldest key expires (Retry-After), or reset the mock (POST /__mock/reset)"
        ),
    )
    .with_header(header::RETRY_AFTER, HeaderValue::from(seconds))
}

fn idempotent_replayed() -> header::HeaderName {
    header::HeaderName::from_static("idempotent-replayed")
}

/// The log entry of a request; `Authorization` is redacted.
fn record(
    parts: &Parts,
    body: Option<&[u8]>,
    idempotency_key: Option<String>,
    fault: Option<String>,
) -> RecordedRequest {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &parts.headers {
        let value = if name == header::AUTHORIZATION {
            "[redacted]".to_owned()
        } else {
            String::from_utf8_lossy(value.as_bytes()).into_owned()
        };
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    let body = body.filter(|b| !b.is_empty()).map(|b| {
        serde_json::from_slice::<Value>(b)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(b).into_owned()))
    });
    RecordedRequest {
        seq: 0,
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers,
        body,
        idempotency_key,
        fault,
        processing: false,
        status: None,
        dropped: false,
        replayed: false,
    }
}
