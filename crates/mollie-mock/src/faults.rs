//! Fault injection: the `X-Mock-Fault` syntax and the queue behind `POST /__mock/faults`.

use std::fmt;
use std::time::Duration;

use axum::http::Method;
use serde::Serialize;

/// The longest delay a fault may ask for: a mock must never hang a test for long.
const MAX_DELAY_MS: u64 = 60_000;

/// What to do to a request, as parsed from the fault syntax (see the crate docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fault {
    /// Wait this long first (interruptible by `POST /__mock/release`).
    pub delay: Option<Duration>,
    pub action: Option<Action>,
}

/// The failure itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// Answer with this status and Mollie's error body, without processing the request.
    Status {
        status: u16,
        retry_after: Option<u32>,
    },
    /// Close the connection without answering, without processing the request.
    Drop,
    /// Process the request (and store its result, idempotency included), then fail.
    FailAfterCommit(AfterCommit),
}

/// How a processed request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AfterCommit {
    Status(u16),
    Drop,
}

/// A fault specification that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultSyntaxError(String);

impl FaultSyntaxError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for FaultSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid fault: {}", self.0)
    }
}

impl std::error::Error for FaultSyntaxError {}

fn error_status(value: &str) -> Result<u16, FaultSyntaxError> {
    match value.trim().parse::<u16>() {
        Ok(s) if (400..=599).contains(&s) => Ok(s),
        _ => Err(FaultSyntaxError(format!(
            "status {:?} is not a number from 400 to 599",
            crate::errors::quoted(value)
        ))),
    }
}

/// Parses `status=503`, `status=429;retry-after=1`, `delay-ms=200`, `drop`,
/// `fail-after-commit[=500|=drop]`, parts joined by `;` or `,`.
pub(crate) fn parse(spec: &str) -> Result<Fault, FaultSyntaxError> {
    let mut delay = None;
    let mut action = None;
    let mut retry_after = None;
    let set = |a: Action, action: &mut Option<Action>| {
        if action.replace(a).is_some() {
            Err(FaultSyntaxError(
                "only one of status, drop and fail-after-commit may be given".into(),
            ))
        } else {
            Ok(())
        }
    };
    for part in spec
        .split([';', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (key, value) = match part.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v.trim())),
            None => (part.to_ascii_lowercase(), None),
        };
        match (key.as_str(), value) {
            ("status", Some(v)) => set(
                Action::Status {
                    status: error_status(v)?,
                    retry_after: None,
                },
                &mut action,
            )?,
            ("retry-after", Some(v)) => {
                retry_after = Some(v.parse::<u32>().map_err(|_| {
                    FaultSyntaxError("retry-after must be a number of seconds".into())
                })?);
            }
            ("delay-ms", Some(v)) => match v.parse::<u64>() {
                Ok(ms) if ms <= MAX_DELAY_MS => delay = Some(Duration::from_millis(ms)),
                _ => {
                    return Err(FaultSyntaxError(format!(
                        "delay-ms must be a number from 0 to {MAX_DELAY_MS}"
                    )));
                }
            },
            ("drop", None) => set(Action::Drop, &mut action)?,
            ("fail-after-commit", None) => set(
                Action::FailAfterCommit(AfterCommit::Status(500)),
                &mut action,
            )?,
            ("fail-after-commit", Some(v)) if v.eq_ignore_ascii_case("drop") => {
                set(Action::FailAfterCommit(AfterCommit::Drop), &mut action)?;
            }
            ("fail-after-commit", Some(v)) => set(
                Action::FailAfterCommit(AfterCommit::Status(error_status(v)?)),
                &mut action,
            )?,
            _ => {
                return Err(FaultSyntaxError(format!(
                    "unknown part {:?}; expected status=CODE, retry-after=SECONDS, delay-ms=MS, drop or fail-after-commit[=CODE|drop]",
                    crate::errors::quoted(part)
                )));
            }
        }
    }
    if let Some(seconds) = retry_after {
        match &mut action {
            Some(Action::Status { retry_after, .. }) => *retry_after = Some(seconds),
            _ => return Err(FaultSyntaxError("retry-after needs a status".into())),
        }
    }
    if delay.is_none() && action.is_none() {
        return Err(FaultSyntaxError("the fault is empty".into()));
    }
    Ok(Fault { delay, action })
}

/// Which requests a queued fault applies to: a method, a path prefix, or both
/// (`"POST"`, `"/v2/customers"`, `"POST /v2/customers"`); none matches every API request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub(crate) struct Matcher {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(rename = "pathPrefix", skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
}

impl Matcher {
    /// Parses the `match` of a queued fault.
    pub fn parse(spec: &str) -> Result<Self, FaultSyntaxError> {
        let mut matcher = Matcher::default();
        for word in spec.split_whitespace() {
            if word.starts_with('/') && matcher.path_prefix.is_none() {
                matcher.path_prefix = Some(word.to_owned());
            } else if word.bytes().all(|b| b.is_ascii_alphabetic()) && matcher.method.is_none() {
                matcher.method = Some(word.to_ascii_uppercase());
            } else {
                return Err(FaultSyntaxError(format!(
                    "match {:?} is not a method, a path prefix starting with `/`, or both",
                    crate::errors::quoted(spec)
                )));
            }
        }
        Ok(matcher)
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method.as_str())
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
    }
}

/// A fault waiting in the queue.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Queued {
    pub fault: String,
    pub remaining: u32,
    #[serde(rename = "match")]
    pub matcher: Matcher,
    #[serde(skip)]
    pub parsed: Fault,
}

/// Faults for the next N matching requests, first queued first used.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    pub queued: Vec<Queued>,
}

/// At most this many distinct queued faults: the queue is bounded like everything else.
pub(crate) const MAX_QUEUED: usize = 1000;

impl FaultQueue {
    /// The fault for this request, if one is queued for it; uses up one of its count.
    pub fn take(&mut self, method: &Method, path: &str) -> Option<(Fault, String)> {
        let index = self
            .queued
            .iter()
            .position(|q| q.remaining > 0 && q.matcher.matches(method, path))?;
        let entry = &mut self.queued[index];
        entry.remaining -= 1;
        let taken = (entry.parsed.clone(), entry.fault.clone());
        if entry.remaining == 0 {
            self.queued.remove(index);
        }
        Some(taken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_syntax() {
        assert_eq!(
            parse("status=429; retry-after=0").expect("ok").action,
            Some(Action::Status {
                status: 429,
                retry_after: Some(0)
            })
        );
        let f = parse("delay-ms=200,fail-after-commit=drop").expect("ok");
        assert_eq!(f.delay, Some(Duration::from_millis(200)));
        assert_eq!(f.action, Some(Action::FailAfterCommit(AfterCommit::Drop)));
        assert_eq!(
            parse("fail-after-commit").expect("ok").action,
            Some(Action::FailAfterCommit(AfterCommit::Status(500)))
        );
        assert_eq!(parse("drop").expect("ok").action, Some(Action::Drop));
    }

    #[test]
    fn refuses_nonsense() {
        for bad in [
            "",
            "status=200",
            "status=abc",
            "drop;status=500",
            "retry-after=1",
            "delay-ms=999999",
            "explode",
            "drop=1",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn queue_counts_down_and_matches() {
        let mut queue = FaultQueue::default();
        queue.queued.push(Queued {
            fault: "status=503".into(),
            remaining: 2,
            matcher: Matcher::parse("POST /v2/customers").expect("ok"),
            parsed: parse("status=503").expect("ok"),
        });
        assert!(queue.take(&Method::GET, "/v2/customers").is_none());
        assert!(
            queue
                .take(&Method::POST, "/v2/customers/cst_a/payments")
                .is_some()
        );
        assert!(queue.take(&Method::POST, "/v2/customers").is_some());
        assert!(queue.take(&Method::POST, "/v2/customers").is_none());
    }
}
