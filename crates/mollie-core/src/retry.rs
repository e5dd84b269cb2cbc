//! When to try again, and how long to wait: pure functions, tested without I/O.
//!
//! The send loop of [`Client`](crate::Client) asks [`classify`] about each failed attempt, and
//! [`plan_retry`] for the delay before the next one. Neither does I/O or reads a clock; the
//! loop passes in the time left and a random number.

use std::time::{Duration, SystemTime};

use crate::request::Method;

/// How often and how patiently a call is retried.
///
/// Backoff is capped exponential with full jitter: before retry `n` (0-based) the client
/// waits a random duration in `[0, min(max_backoff, initial_backoff * 2^n)]`, or exactly what
/// the server's `Retry-After` asks if it sent one. A `Retry-After` longer than
/// `max_retry_after` ends the call with the error, so the caller can decide.
///
/// ```
/// use std::time::Duration;
/// use mollie_core::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(100))
///     .max_backoff(Duration::from_secs(2));
/// assert_eq!(policy.backoff(3, 1.0), Duration::from_millis(800));
/// assert_eq!(policy.backoff(9, 1.0), Duration::from_secs(2));
/// assert_eq!(RetryPolicy::disabled().attempts(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff from 250 ms up to 5 s, `Retry-After` honoured up to 30 s.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The most attempts a policy allows, whatever it is configured to.
    pub const MAX_ATTEMPTS: u32 = 20;

    /// One attempt, no retry.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in total, the first included; clamped to `1..=`[`Self::MAX_ATTEMPTS`].
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.clamp(1, Self::MAX_ATTEMPTS);
        self
    }

    /// The backoff cap before the first retry (doubling after each).
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest backoff.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` that is waited out; a longer one ends the call.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Attempts in total.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The longest `Retry-After` that is waited out.
    pub fn retry_after_cap(&self) -> Duration {
        self.max_retry_after
    }

    /// The backoff before retry `retry` (0-based): `jitter` (in `[0, 1]`, clamped; NaN is 0)
    /// times `min(max_backoff, initial_backoff * 2^retry)`.
    pub fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let exponential = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.min(31)));
        let ceiling = exponential.min(self.max_backoff);
        let jitter = if jitter.is_nan() {
            0.0
        } else {
            jitter.clamp(0.0, 1.0)
        };
        // In floating point a ceiling near `Duration::MAX` rounds up past it.
        Duration::try_from_secs_f64(ceiling.as_secs_f64() * jitter)
            .map_or(ceiling, |d| d.min(ceiling))
    }
}

/// What one attempt came to, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// No connection could be made: nothing reached Mollie.
    ConnectFailed,
    /// The attempt timed out: the request may or may not have been processed.
    TimedOut,
    /// The connection broke in another way (reset, truncated body): the request may or may
    /// not have been processed.
    ConnectionFailed,
    /// The request could not be built or sent for a reason another attempt would meet again
    /// (not a network condition).
    Unsendable,
    /// A response arrived.
    Response {
        /// Its status.
        status: u16,
        /// Its `Retry-After`, parsed.
        retry_after: Option<Duration>,
    },
}

/// Whether to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Retry, after the server's `Retry-After` if it gave one, else after backoff.
    Retry {
        /// The wait the server asked for.
        retry_after: Option<Duration>,
    },
    /// Do not retry: the outcome is final.
    Stop,
}

/// Whether a status is a server error that another attempt may not meet: 500 (an error
/// inside Mollie), 502, 503 and 504 (a gateway, an overload, a timeout on the way). Other 5xx
/// say something lasting (501 Not Implemented, 505 HTTP Version Not Supported, 507 ...):
/// retrying them only adds load.
pub fn is_transient_server_error(status: u16) -> bool {
    matches!(status, 500 | 502 | 503 | 504)
}

/// Classifies an attempt: connect failures, timeouts, broken connections, 500/502/503/504
/// and 429 are worth another try (other 5xx are final, see [`is_transient_server_error`]); so is a 409 to a request with an idempotency key, which is how Mollie
/// says that the first request with that key is still being processed (typically after an
/// attempt timed out): the retry then gets the first request's result replayed, so the call
/// ends knowing the outcome. Success and every other status are final.
///
/// A mutating request (POST, PATCH, DELETE) is retried only if it carries an idempotency
/// key, since without one a retry could do the work twice. (The client always gives one, so
/// this is the rule written down rather than a branch that runs.)
pub fn classify(
    outcome: &AttemptOutcome,
    method: Method,
    has_idempotency_key: bool,
) -> RetryDecision {
    let safe_to_repeat = !method.is_mutating() || has_idempotency_key;
    if !safe_to_repeat {
        return RetryDecision::Stop;
    }
    match *outcome {
        AttemptOutcome::ConnectFailed
        | AttemptOutcome::TimedOut
        | AttemptOutcome::ConnectionFailed => RetryDecision::Retry { retry_after: None },
        AttemptOutcome::Response {
            status,
            retry_after,
        } if status == 429 || is_transient_server_error(status) => {
            RetryDecision::Retry { retry_after }
        }
        AttemptOutcome::Response {
            status: 409,
            retry_after,
        } if has_idempotency_key => RetryDecision::Retry { retry_after },
        AttemptOutcome::Response { .. } | AttemptOutcome::Unsendable => RetryDecision::Stop,
    }
}

/// The wait before the next attempt, or `None` to stop and return the last error.
///
/// `attempts_made` counts the attempts so far (1 after the first); `time_left` is what
/// remains of the call's deadline; `jitter` is a random number in `[0, 1]`. Stops when the
/// decision says so, the attempts are used up, the server's `Retry-After` exceeds the
/// policy's cap, or the wait would not end before the deadline.
pub fn plan_retry(
    policy: &RetryPolicy,
    decision: RetryDecision,
    attempts_made: u32,
    time_left: Duration,
    jitter: f64,
) -> Option<Duration> {
    let RetryDecision::Retry { retry_after } = decision else {
        return None;
    };
    if attempts_made >= policy.max_attempts {
        return None;
    }
    let wait = match retry_after {
        Some(after) if after > policy.max_retry_after => return None,
        Some(after) => after,
        None => policy.backoff(attempts_made.saturating_sub(1), jitter),
    };
    // Waiting past the deadline only to be cut off is pointless: stop now, with the error.
    (wait < time_left).then_some(wait)
}

/// Parses a `Retry-After` value: delay seconds (`"120"`) or an HTTP date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`), measured from `now`. A date in the past means no
/// wait. Anything else is ignored (`None`).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurd values saturate rather than fail; the policy's cap handles them.
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET: Method = Method::Get;
    const POST: Method = Method::Post;

    fn status(status: u16) -> AttemptOutcome {
        AttemptOutcome::Response {
            status,
            retry_after: None,
        }
    }

    #[test]
    fn transient_failures_are_retried() {
        for outcome in [
            AttemptOutcome::ConnectFailed,
            AttemptOutcome::TimedOut,
            AttemptOutcome::ConnectionFailed,
            status(500),
            status(502),
            status(503),
            status(504),
            status(429),
        ] {
            assert_eq!(
                classify(&outcome, GET, false),
                RetryDecision::Retry { retry_after: None },
                "{outcome:?}"
            );
            assert!(matches!(
                classify(&outcome, POST, true),
                RetryDecision::Retry { .. }
            ));
        }
    }

    #[test]
    fn refusals_successes_and_lasting_server_errors_are_final() {
        for code in [
            200, 201, 204, 301, 400, 401, 403, 404, 410, 415, 422, 501, 505, 507, 511, 599,
        ] {
            assert_eq!(
                classify(&status(code), GET, false),
                RetryDecision::Stop,
                "{code}"
            );
            assert_eq!(
                classify(&status(code), POST, true),
                RetryDecision::Stop,
                "{code}"
            );
        }
    }

    #[test]
    fn a_conflict_on_an_idempotency_key_is_retried() {
        // Mollie's 409: the first request with this key is still being processed.
        assert!(matches!(
            classify(&status(409), POST, true),
            RetryDecision::Retry { .. }
        ));
        assert_eq!(classify(&status(409), GET, false), RetryDecision::Stop);
        assert_eq!(classify(&status(409), POST, false), RetryDecision::Stop);
    }

    #[test]
    fn mutating_requests_without_a_key_are_never_retried() {
        for method in [Method::Post, Method::Patch, Method::Delete] {
            for outcome in [AttemptOutcome::TimedOut, status(503), status(429)] {
                assert_eq!(classify(&outcome, method, false), RetryDecision::Stop);
            }
        }
    }

    #[test]
    fn retry_after_is_passed_on() {
        let outcome = AttemptOutcome::Response {
            status: 429,
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(
            classify(&outcome, GET, false),
            RetryDecision::Retry {
                retry_after: Some(Duration::from_secs(2))
            }
        );
    }

    #[test]
    fn backoff_is_capped_exponential_with_full_jitter() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_secs(1));
        let ceilings: Vec<_> = (0..6).map(|n| policy.backoff(n, 1.0)).collect();
        assert_eq!(
            ceilings,
            [100, 200, 400, 800, 1000, 1000].map(Duration::from_millis)
        );
        assert_eq!(policy.backoff(3, 0.0), Duration::ZERO);
        assert_eq!(policy.backoff(3, 0.5), Duration::from_millis(400));
        assert_eq!(policy.backoff(u32::MAX, 1.0), Duration::from_secs(1));
        assert_eq!(policy.backoff(1, 7.0), Duration::from_millis(200));
        // Any values a caller may pass: no panic, the ceiling at most.
        let longest = RetryPolicy::default()
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX);
        assert!(longest.backoff(0, 1.0) > Duration::from_secs(u64::MAX / 2));
        assert_eq!(longest.backoff(5, f64::NAN), Duration::ZERO);
        assert_eq!(policy.backoff(2, f64::NAN), Duration::ZERO);
        assert_eq!(policy.backoff(2, f64::INFINITY), Duration::from_millis(400));
    }

    #[test]
    fn plan_bounds_attempts_deadline_and_retry_after() {
        let policy = RetryPolicy::default()
            .max_attempts(3)
            .initial_backoff(Duration::from_millis(100))
            .max_retry_after(Duration::from_secs(10));
        let retry = RetryDecision::Retry { retry_after: None };
        let long = Duration::from_secs(60);
        assert_eq!(
            plan_retry(&policy, retry, 1, long, 1.0),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            plan_retry(&policy, retry, 2, long, 1.0),
            Some(Duration::from_millis(200))
        );
        assert_eq!(
            plan_retry(&policy, retry, 3, long, 1.0),
            None,
            "attempts used up"
        );
        assert_eq!(plan_retry(&policy, RetryDecision::Stop, 1, long, 1.0), None);
        assert_eq!(
            plan_retry(&policy, retry, 1, Duration::from_millis(50), 1.0),
            None,
            "would wake after the deadline"
        );
        let asked = |secs| RetryDecision::Retry {
            retry_after: Some(Duration::from_secs(secs)),
        };
        assert_eq!(
            plan_retry(&policy, asked(7), 1, long, 0.0),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            plan_retry(&policy, asked(11), 1, long, 0.0),
            None,
            "over the cap"
        );
        assert_eq!(
            plan_retry(&policy, asked(7), 1, Duration::from_secs(5), 0.0),
            None
        );
        assert_eq!(
            plan_retry(&RetryPolicy::disabled(), retry, 1, long, 1.0),
            None
        );
    }

    #[test]
    fn attempts_are_bounded() {
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
        assert_eq!(
            RetryPolicy::default().max_attempts(u32::MAX).attempts(),
            RetryPolicy::MAX_ATTEMPTS
        );
    }

    #[test]
    fn retry_after_forms() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        // The obsolete RFC 850 and asctime forms, which RFC 9110 says to accept.
        assert_eq!(
            parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wed Oct 21 07:28:05 2015", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO),
            "a past date means now"
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        for junk in ["", "-1", "1.5", "soon", "Wed, 99 Oct 2015 07:28:00 GMT"] {
            assert_eq!(parse_retry_after(junk, now), None, "{junk}");
        }
    }
}
