//! Rate limits per credential, answered as Mollie does: 429 with Mollie's error body and a
//! `Retry-After` header. A token bucket per credential. The buckets take "now" as an
//! argument (only [`admit`] reads the mock's clock), so their tests need no sleeping.
//!
//! A bucket is kept as a single instant, `full_at`: when it will be full again. Its debt,
//! `full_at - now` (at most `burst` intervals), is what it lacks, one `1 / rate` second
//! interval per token; a request may take a token while the debt is at most `burst - 1`
//! intervals, and adds one interval to it. That is the token bucket (in the form known as
//! GCRA) in integer nanoseconds: no float rounding in `Retry-After`.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use axum::http::{HeaderValue, StatusCode, header};

use crate::app::{App, lock};
use crate::errors::ApiError;

/// How many credentials are tracked at most. Beyond that, full buckets are forgotten
/// (which changes nothing), then those closest to full.
const MAX_TRACKED: usize = 10_000;

/// The detail of Mollie's 429 (the spec's example).
const DETAIL: &str = "You have exceeded the rate limit. Please slow down your requests.";

/// A rate limit for each credential (API key or access token): a token bucket that holds
/// `burst` requests and refills at `rate` per second. See
/// [Rate limits](crate#rate-limits).
///
/// ```
/// # async fn demo() -> std::io::Result<()> {
/// use mollie_mock::{MockConfig, RateLimit};
///
/// // 25 requests per second per API key, and bursts of up to 50.
/// let server = MockConfig::new()
///     .rate_limit(RateLimit::per_second(25).burst(50))
///     .start()
///     .await?;
/// # server.shutdown().await;
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    rate: u32,
    burst: u32,
}

impl RateLimit {
    /// `rate` requests per second (at least 1), in bursts of as many: a credential that
    /// was idle for a second may send `rate` requests at once.
    pub fn per_second(rate: u32) -> Self {
        let rate = rate.max(1);
        Self { rate, burst: rate }
    }

    /// How many requests a credential may send at once after a pause (the bucket's
    /// capacity, at least 1; default: the rate).
    #[must_use]
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// The time one token takes to come back.
    fn interval(self) -> Duration {
        Duration::from_secs(1) / self.rate
    }
}

/// The buckets of the credentials, by their keyed hash ([`crate::auth::Caller::scope`]):
/// the credential itself is never kept.
#[derive(Debug)]
pub(crate) struct Limiter {
    limit: RateLimit,
    max_tracked: usize,
    /// When each bucket is full again.
    buckets: HashMap<u64, SystemTime>,
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Self {
        Self::bounded(limit, MAX_TRACKED)
    }

    fn bounded(limit: RateLimit, max_tracked: usize) -> Self {
        Self {
            limit,
            max_tracked: max_tracked.max(1),
            buckets: HashMap::new(),
        }
    }

    /// Takes a token from `credential`'s bucket at `now`; else (nothing changes) how long
    /// until the bucket has one.
    pub fn check(&mut self, credential: u64, now: SystemTime) -> Result<(), Duration> {
        let interval = self.limit.interval();
        let full_at = self.buckets.get(&credential).copied();
        let owed = full_at
            .and_then(|t| t.duration_since(now).ok())
            .unwrap_or_default();
        // No more than an empty bucket: more means the clock was set back.
        let empty = interval.saturating_mul(self.limit.burst);
        let debt = owed.min(empty);
        let allowance = interval.saturating_mul(self.limit.burst - 1);
        if debt > allowance {
            if owed > empty {
                // Start over from an empty bucket, so that the credential is not locked
                // out until the clock catches up.
                let full_at = now.checked_add(empty).unwrap_or(now);
                self.buckets.insert(credential, full_at);
            }
            return Err(debt - allowance);
        }
        if full_at.is_none() {
            self.make_room(now);
        }
        let full_at = now.checked_add(debt + interval).unwrap_or(now);
        self.buckets.insert(credential, full_at);
        Ok(())
    }

    /// Forgets every bucket (`POST /__mock/reset`).
    pub fn clear(&mut self) {
        self.buckets.clear();
    }

    /// Makes room for one more bucket. A full bucket is the same as none, so those go
    /// first; if more than `max_tracked` credentials are busy at once (abuse), those closest
    /// to full, which gain least from being forgotten. A tenth at a time, so that this
    /// O(n) pass happens once per `max_tracked / 10` new credentials at most.
    fn make_room(&mut self, now: SystemTime) {
        if self.buckets.len() < self.max_tracked {
            return;
        }
        self.buckets.retain(|_, full_at| *full_at > now);
        let keep = self.max_tracked - (self.max_tracked / 10).max(1);
        if self.buckets.len() <= keep {
            return;
        }
        let mut by_full_at: Vec<(SystemTime, u64)> =
            self.buckets.iter().map(|(k, t)| (*t, *k)).collect();
        let excess = by_full_at.len() - keep;
        by_full_at.select_nth_unstable(excess - 1);
        for (_, credential) in &by_full_at[..excess] {
            self.buckets.remove(credential);
        }
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.buckets.len()
    }
}

/// `Retry-After` for a wait: whole seconds, rounded up, at least 1.
pub(crate) fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

/// Mollie's 429 for a wait.
pub(crate) fn too_many_requests(wait: Duration) -> ApiError {
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, DETAIL).with_header(
        header::RETRY_AFTER,
        HeaderValue::from(retry_after_secs(wait)),
    )
}

/// Admits a request of the credential with keyed hash `scope`, or refuses it with a 429
/// (then nothing was counted). Always admits when no limit is configured.
pub(crate) fn admit(app: &App, scope: u64) -> Result<(), ApiError> {
    let mut limiter = lock(&app.rate_limit);
    let Some(limiter) = limiter.as_mut() else {
        return Ok(());
    };
    limiter.check(scope, app.now()).map_err(too_many_requests)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn at(millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000) + Duration::from_millis(millis)
    }

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    #[test]
    fn a_full_bucket_takes_a_burst_then_refuses() {
        let mut limiter = Limiter::new(RateLimit::per_second(5));
        for _ in 0..5 {
            assert_eq!(limiter.check(1, at(0)), Ok(()));
        }
        // The next token comes back 1/5 s after the first was taken.
        assert_eq!(limiter.check(1, at(0)), Err(ms(200)));
        assert_eq!(limiter.check(1, at(50)), Err(ms(150)));
    }

    #[test]
    fn refused_requests_take_nothing() {
        let mut limiter = Limiter::new(RateLimit::per_second(1));
        assert_eq!(limiter.check(1, at(0)), Ok(()));
        for _ in 0..100 {
            assert_eq!(limiter.check(1, at(500)), Err(ms(500)));
        }
        assert_eq!(limiter.check(1, at(1000)), Ok(()));
    }

    #[test]
    fn refills_at_the_rate() {
        let mut limiter = Limiter::new(RateLimit::per_second(5).burst(5));
        for _ in 0..5 {
            assert_eq!(limiter.check(1, at(0)), Ok(()));
        }
        assert_eq!(limiter.check(1, at(199)), Err(ms(1)));
        assert_eq!(limiter.check(1, at(200)), Ok(()));
        assert_eq!(limiter.check(1, at(200)), Err(ms(200)));
        // Steady state: one request every 200 ms passes, forever.
        for n in 2..50 {
            assert_eq!(limiter.check(1, at(200 * n)), Ok(()), "request {n}");
            assert!(limiter.check(1, at(200 * n)).is_err(), "request {n}");
        }
    }

    #[test]
    fn a_long_pause_refills_only_up_to_the_burst() {
        let mut limiter = Limiter::new(RateLimit::per_second(10).burst(3));
        assert_eq!(limiter.check(1, at(0)), Ok(()));
        let later = 3_600_000;
        for _ in 0..3 {
            assert_eq!(limiter.check(1, at(later)), Ok(()));
        }
        assert_eq!(limiter.check(1, at(later)), Err(ms(100)));
    }

    #[test]
    fn burst_and_rate_differ() {
        // Rate 2/s, burst 6: six at once, then one per 500 ms.
        let mut limiter = Limiter::new(RateLimit::per_second(2).burst(6));
        for _ in 0..6 {
            assert_eq!(limiter.check(1, at(0)), Ok(()));
        }
        assert_eq!(limiter.check(1, at(0)), Err(ms(500)));
        assert_eq!(limiter.check(1, at(500)), Ok(()));
        assert_eq!(limiter.check(1, at(900)), Err(ms(100)));
        // A burst smaller than the rate: at most 1 at once, yet 10 a second over time.
        let mut limiter = Limiter::new(RateLimit::per_second(10).burst(1));
        assert_eq!(limiter.check(1, at(0)), Ok(()));
        assert_eq!(limiter.check(1, at(0)), Err(ms(100)));
        assert_eq!(limiter.check(1, at(100)), Ok(()));
    }

    #[test]
    fn credentials_have_their_own_buckets() {
        let mut limiter = Limiter::new(RateLimit::per_second(1));
        assert_eq!(limiter.check(1, at(0)), Ok(()));
        assert!(limiter.check(1, at(0)).is_err());
        assert_eq!(limiter.check(2, at(0)), Ok(()));
        assert!(limiter.check(2, at(0)).is_err());
    }

    #[test]
    fn zero_means_one() {
        assert_eq!(RateLimit::per_second(0), RateLimit::per_second(1));
        assert_eq!(
            RateLimit::per_second(3).burst(0),
            RateLimit::per_second(3).burst(1)
        );
        let mut limiter = Limiter::new(RateLimit::per_second(0).burst(0));
        assert_eq!(limiter.check(1, at(0)), Ok(()));
        assert_eq!(limiter.check(1, at(0)), Err(ms(1000)));
    }

    #[test]
    fn extreme_settings_neither_overflow_nor_panic() {
        let mut limiter = Limiter::new(RateLimit::per_second(u32::MAX).burst(u32::MAX));
        for _ in 0..1000 {
            assert_eq!(limiter.check(1, at(0)), Ok(()));
        }
        let mut limiter = Limiter::new(RateLimit::per_second(1).burst(u32::MAX));
        for _ in 0..1000 {
            assert_eq!(limiter.check(1, at(0)), Ok(()));
        }
        let mut limiter = Limiter::new(RateLimit::per_second(1));
        assert_eq!(limiter.check(1, UNIX_EPOCH), Ok(()));
        assert!(limiter.check(1, UNIX_EPOCH).is_err());
    }

    #[test]
    fn a_clock_set_back_costs_at_most_one_interval() {
        let mut limiter = Limiter::new(RateLimit::per_second(1).burst(2));
        assert_eq!(limiter.check(1, at(3_600_000)), Ok(()));
        // An hour earlier, the bucket counts as empty at worst, not an hour in debt.
        assert_eq!(limiter.check(1, at(0)), Err(ms(1000)));
        assert_eq!(limiter.check(1, at(1000)), Ok(()));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds_at_least_one() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_nanos(1)), 1);
        assert_eq!(retry_after_secs(ms(200)), 1);
        assert_eq!(retry_after_secs(ms(1000)), 1);
        assert_eq!(retry_after_secs(ms(1001)), 2);
        assert_eq!(
            retry_after_secs(Duration::from_secs(2) + Duration::from_nanos(1)),
            3
        );
        assert_eq!(retry_after_secs(Duration::from_secs(60)), 60);
    }

    #[test]
    fn the_429_is_mollies() {
        let reply = too_many_requests(ms(1500)).into_reply();
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            reply
                .headers
                .iter()
                .any(|(n, v)| n == header::RETRY_AFTER && v == "2")
        );
        let body: serde_json::Value =
            serde_json::from_slice(reply.body.as_deref().expect("a body")).expect("json");
        assert_eq!(body["status"], 429);
        assert_eq!(body["title"], "Too Many Requests");
        assert_eq!(body["detail"], DETAIL);
        assert_eq!(
            body["_links"]["documentation"]["href"],
            "https://docs.mollie.com/overview/handling-errors"
        );
    }

    #[test]
    fn full_buckets_are_forgotten_first() {
        let mut limiter = Limiter::bounded(RateLimit::per_second(1), 4);
        for credential in 0..4 {
            assert_eq!(limiter.check(credential, at(0)), Ok(()));
        }
        assert_eq!(limiter.tracked(), 4);
        // A second later all four are full again: room for the fifth without any loss.
        assert_eq!(limiter.check(4, at(1000)), Ok(()));
        assert_eq!(limiter.tracked(), 1);
    }

    #[test]
    fn many_credentials_stay_bounded_and_a_busy_one_stays_limited() {
        let mut limiter = Limiter::bounded(RateLimit::per_second(1).burst(10), 100);
        for _ in 0..10 {
            assert_eq!(limiter.check(u64::MAX, at(0)), Ok(()));
        }
        assert_eq!(limiter.check(u64::MAX, at(0)), Err(ms(1000)));
        // A flood of new credentials, none of whose buckets is full yet.
        for credential in 0..10_000 {
            assert_eq!(limiter.check(credential, at(1)), Ok(()));
            assert!(limiter.tracked() <= 100);
        }
        // The exhausted bucket was the farthest from full: it was kept.
        assert_eq!(limiter.check(u64::MAX, at(1)), Err(ms(999)));
    }

    #[test]
    fn a_bound_of_one_works() {
        let mut limiter = Limiter::bounded(RateLimit::per_second(1), 1);
        assert_eq!(limiter.check(1, at(0)), Ok(()));
        assert_eq!(limiter.check(2, at(0)), Ok(()));
        assert_eq!(limiter.tracked(), 1);
        assert_eq!(limiter.check(2, at(0)), Err(ms(1000)));
    }

    #[test]
    fn clear_forgets_every_bucket() {
        let mut limiter = Limiter::new(RateLimit::per_second(1));
        assert_eq!(limiter.check(1, at(0)), Ok(()));
        assert!(limiter.check(1, at(0)).is_err());
        limiter.clear();
        assert_eq!(limiter.tracked(), 0);
        assert_eq!(limiter.check(1, at(0)), Ok(()));
    }
}
