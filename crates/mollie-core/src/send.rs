//! The send loop: one prepared request through the [`Transport`], attempt after attempt, until
//! a success, a final error, or the deadline; and the error the call ends with.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;

use crate::client::{Shared, lock};
use crate::config::{Config, MAX_RESPONSE_BYTES};
use crate::error::{Error, TimeoutKind};
use crate::hal::{self, Context};
use crate::prepare::{Prepared, prepare};
use crate::request::Request;
use crate::response::ResponseMeta;
use crate::retry::{AttemptOutcome, classify, parse_retry_after, plan_retry};
use crate::transport::{HttpResponse, Transport, TransportError};

/// Headers a request id may come back in; Mollie does not document one, proxies and the
/// fake server use these.
const REQUEST_ID_HEADERS: [&str; 2] = ["x-request-id", "request-id"];

/// A wait on `Retry-After` longer than this is logged at WARN: the caller's call is parked.
const LONG_WAIT: Duration = Duration::from_secs(1);

/// Why an attempt produced no usable response.
enum AttemptError {
    Transport(TransportError),
    /// The client's own per-attempt timer ran out.
    TimedOut,
}

/// What a finished call logs: one DEBUG event, once the caller has decoded the answer (a
/// 2xx whose body does not decode is a failed call).
pub(crate) struct CallLog {
    method: &'static str,
    template: String,
    started: Instant,
    attempts: u32,
    span: tracing::Span,
}

impl CallLog {
    /// Logs the end of the call: its facts on success, its error's kind on failure.
    pub(crate) fn finish<T>(&self, result: &Result<T, Error>, meta: Option<&ResponseMeta>) {
        let elapsed_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.span.in_scope(|| match (result, meta) {
            (Ok(_), Some(meta)) => tracing::debug!(
                method = self.method,
                path = %self.template,
                status = meta.status,
                attempts = meta.attempts,
                elapsed_ms,
                request_id = meta.request_id.as_deref().unwrap_or(""),
                replayed = meta.replayed,
                "mollie call succeeded"
            ),
            (Ok(_), None) => {}
            (Err(error), _) => tracing::debug!(
                method = self.method,
                path = %self.template,
                status = error.status().unwrap_or(0),
                attempts = self.attempts,
                elapsed_ms,
                request_id = error.request_id().unwrap_or(""),
                error_kind = error.kind_name(),
                "mollie call failed"
            ),
        });
    }
}

/// Prepares `request` and runs the send loop; the caller decodes and then
/// [`finish`](CallLog::finish)es the log.
pub(crate) async fn execute(
    transport: &dyn Transport,
    config: &Config,
    shared: &Shared,
    request: &Request,
) -> (Result<(HttpResponse, ResponseMeta), Error>, CallLog) {
    let started = Instant::now();
    let prepared = prepare(config, request);
    let template = match &prepared {
        Ok(p) => p.template.clone(),
        Err(_) => request.path_template(),
    };
    let span = tracing::info_span!(
        "mollie.request",
        method = request.method().as_str(),
        path = %template,
        idempotency_key = Empty,
        attempts = Empty,
        status = Empty,
        request_id = Empty,
    );
    let (result, attempts) = match prepared {
        Ok(p) => {
            if let Some(key) = &p.idempotency_key {
                span.record("idempotency_key", key.as_str());
            }
            run(transport, config, shared, p)
                .instrument(span.clone())
                .await
        }
        Err(error) => (Err(error), 0),
    };
    let log = CallLog {
        method: request.method().as_str(),
        template,
        started,
        attempts,
        span,
    };
    (result, log)
}

/// Attempts until a success, a final error, or the deadline.
async fn run(
    transport: &dyn Transport,
    config: &Config,
    shared: &Shared,
    p: Prepared,
) -> (Result<(HttpResponse, ResponseMeta), Error>, u32) {
    let span = tracing::Span::current();
    let started = Instant::now();
    let deadline_at = started + p.deadline;
    let mut attempts = 0u32;
    // Whether an attempt so far may have been processed: then no later answer makes the
    // call's outcome "not sent" or "rejected".
    let mut maybe_processed = false;
    loop {
        let time_left = deadline_at.saturating_duration_since(Instant::now());
        if time_left.is_zero() {
            span.record("attempts", attempts);
            let error = Error::Timeout {
                kind: TimeoutKind::Deadline,
                attempts,
                idempotency_key: p.idempotency_key.clone(),
            };
            return (Err(error), attempts);
        }
        // After a 429, every call of the client keeps to the learned send rate: it waits for
        // a slot, asking again after each wait (the rate may have grown meanwhile); the
        // deadline bounds the waiting.
        if let Some(wait) = pace(shared) {
            tokio::time::sleep(wait.min(time_left)).await;
            continue;
        }
        attempts += 1;
        // The attempt may use what is left of the deadline, no more.
        let cut_by_deadline = time_left < p.timeout;
        let timeout = p.timeout.min(time_left);
        let attempt_span = tracing::debug_span!(
            "mollie.attempt",
            attempt = attempts,
            status = Empty,
            request_id = Empty
        );
        let mut http = p.http.clone();
        http.timeout = timeout;
        let result = match tokio::time::timeout(timeout, transport.send(http))
            .instrument(attempt_span.clone())
            .await
        {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(error)) => Err(AttemptError::Transport(error)),
            Err(_) => Err(AttemptError::TimedOut),
        };

        if let (Some(rate), Ok(response)) = (&shared.rate, &result) {
            lock(rate).on_response(seconds(shared), response.status == 429);
        }
        let outcome = match &result {
            Ok(response) => {
                attempt_span.record("status", response.status);
                if let Some(id) = request_id(response, config) {
                    attempt_span.record("request_id", id.as_str());
                }
                AttemptOutcome::Response {
                    status: response.status,
                    retry_after: retry_after(response),
                }
            }
            Err(AttemptError::Transport(e)) if e.is_connect() => AttemptOutcome::ConnectFailed,
            Err(AttemptError::Transport(e)) if e.is_timeout() => AttemptOutcome::TimedOut,
            Err(AttemptError::Transport(e)) if e.is_redirect() => AttemptOutcome::Unsendable,
            Err(AttemptError::Transport(_)) => AttemptOutcome::ConnectionFailed,
            Err(AttemptError::TimedOut) => AttemptOutcome::TimedOut,
        };

        let result = match result {
            Ok(response) if (200..=299).contains(&response.status) && !too_large(&response) => {
                let meta = ResponseMeta {
                    status: response.status,
                    idempotency_key: p.idempotency_key.clone(),
                    replayed: response
                        .header_value("idempotent-replayed")
                        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
                    request_id: request_id(&response, config),
                    attempts,
                };
                lock(&shared.budget).pay_back_success();
                span.record("attempts", attempts);
                span.record("status", response.status);
                if let Some(id) = &meta.request_id {
                    span.record("request_id", id.as_str());
                }
                return (Ok((response, meta)), attempts);
            }
            other => other,
        };

        let decision = classify(&outcome, p.http.method, p.idempotency_key.is_some());
        let time_left = deadline_at.saturating_duration_since(Instant::now());
        let planned = plan_retry(&p.retry, decision, attempts, time_left, fastrand::f64())
            .filter(|_| afford_retry(shared, &outcome));
        if let Some(wait) = planned {
            let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
            if let AttemptOutcome::Response {
                status,
                retry_after: Some(_),
            } = outcome
                && wait > LONG_WAIT
            {
                tracing::warn!(
                    attempt = attempts,
                    status,
                    wait_ms,
                    "waiting on Mollie's Retry-After before the next attempt"
                );
            } else {
                tracing::debug!(attempt = attempts, wait_ms, outcome = ?outcome, "retrying");
            }
            maybe_processed |= may_have_been_processed(&outcome);
            tokio::time::sleep(wait).await;
            continue;
        }

        span.record("attempts", attempts);
        let context = FinalContext {
            attempts,
            cut_by_deadline,
            maybe_processed,
        };
        return (Err(final_error(result, &p, config, context)), attempts);
    }
}

/// The limiter's clock: seconds since the client was built.
fn seconds(shared: &Shared) -> f64 {
    shared.epoch.elapsed().as_secs_f64()
}

/// How long this attempt waits for its turn under the learned send rate, if it must.
fn pace(shared: &Shared) -> Option<Duration> {
    let rate = shared.rate.as_ref()?;
    let wait = lock(rate).acquire(seconds(shared), fastrand::f64())?;
    Some(Duration::from_secs_f64(wait.min(60.0)))
}

/// Withdraws a retry's cost from the shared budget; `false` when it is empty, and the call
/// then ends with its error (retryable, with its key) instead of adding load.
fn afford_retry(shared: &Shared, outcome: &AttemptOutcome) -> bool {
    let mut budget = lock(&shared.budget);
    let paid = match outcome {
        // With the adaptive rate limit on, a retry after a 429 waits for a paced slot: it
        // cannot add load beyond the learned rate, so it costs the budget nothing.
        AttemptOutcome::Response { status: 429, .. } if shared.rate.is_some() => true,
        AttemptOutcome::Response { status: 429, .. } => budget.withdraw_for_throttle(),
        _ => budget.withdraw_for_error(),
    };
    if !paid {
        tracing::debug!(
            tokens = budget.tokens(),
            "retry budget empty: the call ends with its error instead of retrying"
        );
    }
    paid
}

/// Whether a body was cut short by the transport or is over the client's limit anyway.
fn too_large(response: &HttpResponse) -> bool {
    response.truncated || response.body.len() > MAX_RESPONSE_BYTES
}

/// Whether an attempt that ended so may have been processed by the server: only a refused
/// connection, an unsendable request and a 4xx answer (429 included) certainly were not.
fn may_have_been_processed(outcome: &AttemptOutcome) -> bool {
    match outcome {
        AttemptOutcome::ConnectFailed | AttemptOutcome::Unsendable => false,
        AttemptOutcome::Response { status, .. } => !(400..=499).contains(status),
        _ => true,
    }
}

/// What the loop knows when it gives up.
struct FinalContext {
    attempts: u32,
    cut_by_deadline: bool,
    /// An attempt before the last may have been processed.
    maybe_processed: bool,
}

/// The error a call ends with, from its last attempt.
fn final_error(
    result: Result<HttpResponse, AttemptError>,
    p: &Prepared,
    config: &Config,
    FinalContext {
        attempts,
        cut_by_deadline,
        maybe_processed,
    }: FinalContext,
) -> Error {
    let timeout_kind = if cut_by_deadline {
        TimeoutKind::Deadline
    } else {
        TimeoutKind::Attempt
    };
    match result {
        Ok(response) => {
            tracing::Span::current().record("status", response.status);
            let context = Context {
                idempotency_key: p.idempotency_key.clone(),
                request_id: request_id(&response, config),
                maybe_processed,
                redactor: config.redactor.clone(),
            };
            if too_large(&response) {
                return Error::UnexpectedResponse {
                    status: response.status,
                    reason: format!("the body is larger than {MAX_RESPONSE_BYTES} bytes"),
                    excerpt: hal::excerpt(&response.body, &config.redactor),
                    idempotency_key: context.idempotency_key,
                    request_id: context.request_id,
                    committed: (200..=299)
                        .contains(&response.status)
                        .then(|| Box::new(hal::committed(&response.body, &config.redactor))),
                };
            }
            hal::error_from(
                response.status,
                retry_after(&response),
                &response.body,
                &context,
            )
        }
        Err(AttemptError::TimedOut) => Error::Timeout {
            kind: timeout_kind,
            attempts,
            idempotency_key: p.idempotency_key.clone(),
        },
        Err(AttemptError::Transport(e)) if e.is_timeout() => Error::Timeout {
            kind: timeout_kind,
            attempts,
            idempotency_key: p.idempotency_key.clone(),
        },
        Err(AttemptError::Transport(source)) => Error::Transport {
            source,
            idempotency_key: p.idempotency_key.clone(),
            maybe_processed,
        },
    }
}

fn retry_after(response: &HttpResponse) -> Option<Duration> {
    response
        .header_value("retry-after")
        .and_then(|v| parse_retry_after(v, SystemTime::now()))
}

/// The request id the server sent, redacted (a server picks its value).
fn request_id(response: &HttpResponse, config: &Config) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| response.header_value(name))
        .filter(|v| v.len() <= 200)
        .map(|v| config.redactor.text(v))
}
