//! The send loop: one prepared request through the [`Transport`], attempt after attempt, until
//! a success, a final error, or the deadline; and the error the call ends with.

use std::time::{Duration, SystemTime};

use futures::future::Either;
use reqwest::header::{HeaderName, RETRY_AFTER};
use tokio::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;
use tracing::instrument::Instrumented;

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
const REQUEST_ID_HEADERS: [HeaderName; 2] = [
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static("request-id"),
];

const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

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
pub(crate) struct CallLog<'a> {
    request: &'a Request,
    started: Instant,
    span: tracing::Span,
}

impl CallLog<'_> {
    /// Logs the end of the call after `attempts`: its facts on success, its error's kind on
    /// failure.
    pub(crate) fn finish(&self, attempts: u32, outcome: Result<&ResponseMeta, &Error>) {
        self.span.in_scope(|| {
            // Asked inside the call's span, which a filter may be scoped to. Off (the usual
            // case in production), the call pays for neither clock nor fields.
            if !tracing::enabled!(tracing::Level::DEBUG) {
                return;
            }
            self.emit(attempts, outcome);
        });
    }

    fn emit(&self, attempts: u32, outcome: Result<&ResponseMeta, &Error>) {
        let elapsed_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let method = self.request.method().as_str();
        let path = self.request.template();
        match outcome {
            Ok(meta) => tracing::debug!(
                method,
                path = %path,
                status = meta.status,
                attempts = meta.attempts,
                elapsed_ms,
                request_id = meta.request_id.as_deref().unwrap_or(""),
                replayed = meta.replayed,
                "mollie call succeeded"
            ),
            Err(error) => tracing::debug!(
                method,
                path = %path,
                status = error.status().unwrap_or(0),
                attempts,
                elapsed_ms,
                request_id = error.request_id().unwrap_or(""),
                error_kind = error.kind_name(),
                "mollie call failed"
            ),
        }
    }
}

/// A call's result and how many attempts it made.
pub(crate) type Outcome = (Result<(HttpResponse, ResponseMeta), Error>, u32);

/// Starts a call: the future that prepares `request` and runs the send loop, and the log
/// the caller [`finish`](CallLog::finish)es once it has decoded the answer. Not an `async fn`:
/// the caller awaits the loop itself, one state machine and one copy of its result fewer.
pub(crate) fn start<'a>(
    transport: &'a dyn Transport,
    config: &'a Config,
    shared: &'a Shared,
    request: &'a Request,
) -> (impl Future<Output = Outcome> + Send + 'a, CallLog<'a>) {
    let started = Instant::now();
    // The path is written only if the span is on.
    let span = tracing::info_span!(
        "mollie.request",
        method = request.method().as_str(),
        path = %request.template(),
        idempotency_key = Empty,
        attempts = Empty,
        status = Empty,
        request_id = Empty,
    );
    // Boxed: the loop's state is most of a call's, and outer futures that held it inline
    // would copy it whole at every level of `.await`.
    let run = Box::pin(run(
        transport,
        config,
        shared,
        request,
        started,
        span.clone(),
    ));
    let run = traced(run, &span);
    (
        run,
        CallLog {
            request,
            started,
            span,
        },
    )
}

/// Prepares the request, then attempts until a success, a final error, or the deadline.
async fn run(
    transport: &dyn Transport,
    config: &Config,
    shared: &Shared,
    request: &Request,
    started: Instant,
    span: tracing::Span,
) -> Outcome {
    let p = match prepare(config, request) {
        Ok(p) => p,
        Err(error) => return (Err(error), 0),
    };
    if let Some(key) = &p.idempotency_key {
        span.record("idempotency_key", key.as_str());
    }
    // Needed only once an attempt has failed.
    let deadline_at = || started + p.deadline;
    let mut attempts = 0u32;
    // Whether an attempt so far may have been processed: then no later answer makes the
    // call's outcome "not sent" or "rejected".
    let mut maybe_processed = false;
    let mut first = true;
    loop {
        // One clock read serves the deadline, the pacing and the attempt's timer; the first
        // attempt's is the call's own, with the whole deadline left.
        let (now, time_left) = if std::mem::take(&mut first) {
            (started, p.deadline)
        } else {
            let now = Instant::now();
            (now, deadline_at().saturating_duration_since(now))
        };
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
        if let Some(wait) = pace(shared, now) {
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
        let attempt = tokio::time::timeout_at(now + timeout, transport.send(http));
        let result = match traced(attempt, &attempt_span).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(error)) => Err(AttemptError::Transport(error)),
            Err(_) => Err(AttemptError::TimedOut),
        };

        if let (Some(rate), Ok(response)) = (&shared.rate, &result) {
            // Timed by when the request was sent: a 429 to a request sent before the last
            // cut says nothing of the rate since (and the clock is not read again).
            lock(rate).on_response(seconds_at(shared, now), response.status == 429);
        }
        if let Ok(response) = &result
            && !attempt_span.is_disabled()
        {
            attempt_span.record("status", response.status);
            if let Some(id) = ResponseFacts::read(response, config).request_id {
                attempt_span.record("request_id", id.as_str());
            }
        }

        let result = match result {
            Ok(response) if (200..=299).contains(&response.status) && !too_large(&response) => {
                let facts = ResponseFacts::read(&response, config);
                let meta = ResponseMeta {
                    status: response.status,
                    idempotency_key: p.idempotency_key.clone(),
                    replayed: facts.replayed,
                    request_id: facts.request_id,
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

        let outcome = match &result {
            Ok(response) => AttemptOutcome::Response {
                status: response.status,
                retry_after: retry_after(response),
            },
            Err(AttemptError::Transport(e)) if e.is_connect() => AttemptOutcome::ConnectFailed,
            Err(AttemptError::Transport(e)) if e.is_timeout() => AttemptOutcome::TimedOut,
            Err(AttemptError::Transport(e)) if e.is_redirect() => AttemptOutcome::Unsendable,
            Err(AttemptError::Transport(_)) => AttemptOutcome::ConnectionFailed,
            Err(AttemptError::TimedOut) => AttemptOutcome::TimedOut,
        };
        let decision = classify(&outcome, p.http.method, p.idempotency_key.is_some());
        let time_left = deadline_at().saturating_duration_since(Instant::now());
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

/// `future` inside `span`, or as it is when the span is off (no subscriber wants it): then
/// the wrapper's enter and exit at every poll would be for nothing.
fn traced<F: Future>(future: F, span: &tracing::Span) -> Either<F, Instrumented<F>> {
    if span.is_disabled() {
        Either::Left(future)
    } else {
        Either::Right(future.instrument(span.clone()))
    }
}

/// The limiter's clock: seconds since the client was built.
fn seconds_at(shared: &Shared, now: Instant) -> f64 {
    now.saturating_duration_since(shared.epoch).as_secs_f64()
}

/// How long this attempt waits for its turn under the learned send rate, if it must.
fn pace(shared: &Shared, now: Instant) -> Option<Duration> {
    let mut rate = lock(shared.rate.as_ref()?);
    if !rate.is_active() {
        return None;
    }
    let wait = rate.acquire(seconds_at(shared, now), fastrand::f64())?;
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
            let request_id = ResponseFacts::read(&response, config).request_id;
            let context = Context {
                idempotency_key: p.idempotency_key.as_ref(),
                request_id: request_id.as_deref(),
                maybe_processed,
                redactor: &config.redactor,
            };
            if too_large(&response) {
                return Error::UnexpectedResponse {
                    status: response.status,
                    reason: format!("the body is larger than {MAX_RESPONSE_BYTES} bytes"),
                    excerpt: hal::excerpt(&response.body, &config.redactor),
                    idempotency_key: p.idempotency_key.clone(),
                    request_id,
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
        .header_named(&RETRY_AFTER)
        .and_then(|v| parse_retry_after(v, SystemTime::now()))
}

/// What a response's headers say of it, read in one pass over them (a lookup per header
/// name would hash each name).
struct ResponseFacts {
    replayed: bool,
    request_id: Option<String>,
}

impl ResponseFacts {
    fn read(response: &HttpResponse, config: &Config) -> Self {
        if !response.raw_headers.is_empty() {
            // A fake's response with headers that are not valid HTTP: by name, as ever.
            let request_id = REQUEST_ID_HEADERS
                .iter()
                .find_map(|name| response.header_named(name));
            return Self {
                replayed: replayed(response.header_named(&IDEMPOTENT_REPLAYED)),
                request_id: redacted_request_id(request_id, config),
            };
        }
        // The first value of each, as `HeaderMap::get` would give.
        let [mut replayed_value, mut x_request_id, mut plain_request_id] = [None; 3];
        for (name, value) in &response.headers {
            let slot = if *name == IDEMPOTENT_REPLAYED {
                &mut replayed_value
            } else if *name == REQUEST_ID_HEADERS[0] {
                &mut x_request_id
            } else if *name == REQUEST_ID_HEADERS[1] {
                &mut plain_request_id
            } else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(value.to_str().ok());
            }
        }
        Self {
            replayed: replayed(replayed_value.flatten()),
            request_id: redacted_request_id(
                x_request_id.flatten().or(plain_request_id.flatten()),
                config,
            ),
        }
    }
}

fn replayed(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// A request id as kept: at most 200 bytes, redacted (a server picks its value).
fn redacted_request_id(value: Option<&str>, config: &Config) -> Option<String> {
    value
        .filter(|v| v.len() <= 200)
        .map(|v| config.redactor.text(v))
}
