//! Client-side rate limiting that learns from Mollie's 429s, for all tasks of a client at
//! once: after a throttle the client sends at 70% of the rate it measured, then probes back
//! up along a cubic curve (CUBIC congestion control, as aws-sdk's "adaptive" retry mode
//! does), so a batch runs near the allowed rate instead of stampeding and backing off in
//! waves.
//!
//! Dormant until the first 429: before that it never delays a request. The arithmetic is
//! pure ([`AdaptiveRate`]; time is passed in, in seconds); the client keeps one behind a
//! mutex.

/// The share of the measured rate kept after a throttle.
const BETA: f64 = 0.7;
/// How fast the rate grows back (CUBIC's `C`).
const SCALE: f64 = 0.4;
/// Weight of the newest measurement in the smoothed send rate.
const SMOOTH: f64 = 0.8;
/// The send rate is measured in windows of this many seconds.
const WINDOW: f64 = 0.5;
/// The slowest the limiter ever sends, in requests per second.
const MIN_RATE: f64 = 0.5;
/// Throttles this soon after a cut answer requests sent before it: they do not cut again.
/// (Without this, the many requests in flight when the first 429 comes back would each cut
/// the rate by 30%, and 64 tasks would collapse it to the floor.)
const SETTLE: f64 = 1.0;

/// An adaptive send-rate limiter (a token bucket whose fill rate follows CUBIC).
///
/// ```
/// use mollie_core::AdaptiveRate;
///
/// let mut rate = AdaptiveRate::default();
/// assert_eq!(rate.acquire(0.0, 0.5), None, "dormant: no wait before the first 429");
/// for i in 0..100 {
///     rate.on_response(f64::from(i) * 0.01, false); // 100 requests per second
/// }
/// rate.on_response(1.0, true); // Mollie throttles
/// assert!(rate.is_active());
/// assert!(rate.fill_rate() < 100.0, "slower than before: {}", rate.fill_rate());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptiveRate {
    enabled: bool,
    fill_rate: f64,
    capacity: f64,
    tokens: f64,
    last_refill: Option<f64>,
    measured_rate: f64,
    window_start: f64,
    window_count: u64,
    last_max_rate: f64,
    last_throttle: f64,
    time_to_max: f64,
}

impl Default for AdaptiveRate {
    fn default() -> Self {
        Self {
            enabled: false,
            fill_rate: MIN_RATE,
            capacity: 1.0,
            tokens: 1.0,
            last_refill: None,
            measured_rate: 0.0,
            window_start: 0.0,
            window_count: 0,
            last_max_rate: 0.0,
            last_throttle: 0.0,
            time_to_max: 0.0,
        }
    }
}

impl AdaptiveRate {
    /// Whether a 429 has turned the limiter on.
    pub fn is_active(&self) -> bool {
        self.enabled
    }

    /// The current allowed send rate, in requests per second (meaningful once active).
    pub fn fill_rate(&self) -> f64 {
        self.fill_rate
    }

    /// The smoothed rate at which requests were sent, in requests per second.
    pub fn measured_rate(&self) -> f64 {
        self.measured_rate
    }

    /// Asks for a slot for a request to be sent at `now` (seconds): `None` to send at once
    /// (the slot is taken), or how many seconds to wait before asking again (nothing is
    /// taken). `jitter` in `[0, 1]` spreads the waiters of one slot, so that they do not all
    /// ask again at the same moment; asking again means a rate that grew meanwhile shortens
    /// the wait.
    pub fn acquire(&mut self, now: f64, jitter: f64) -> Option<f64> {
        if !self.enabled {
            return None;
        }
        self.refill(now);
        // A hair below one after refilling for exactly the wait it announced is one: else
        // rounding would announce waits too small to move the clock.
        if self.tokens >= 1.0 - 1e-9 {
            self.tokens = (self.tokens - 1.0).max(0.0);
            return None;
        }
        let until_one = (1.0 - self.tokens) / self.fill_rate;
        Some(until_one * (1.0 + jitter.clamp(0.0, 1.0)))
    }

    /// Learns from a response received at `now`: `throttled` for a 429.
    pub fn on_response(&mut self, now: f64, throttled: bool) {
        self.measure(now);
        let rate = if throttled {
            if self.enabled && now - self.last_throttle < SETTLE {
                return;
            }
            let base = if self.enabled {
                self.measured_rate.min(self.fill_rate)
            } else {
                self.measured_rate
            };
            self.last_max_rate = base.max(MIN_RATE);
            self.time_to_max = (self.last_max_rate * (1.0 - BETA) / SCALE).cbrt();
            self.last_throttle = now;
            self.enabled = true;
            self.last_max_rate * BETA
        } else {
            if !self.enabled {
                return;
            }
            let t = now - self.last_throttle - self.time_to_max;
            SCALE * t * t * t + self.last_max_rate
        };
        self.set_fill_rate(now, rate.min(2.0 * self.measured_rate.max(MIN_RATE)));
    }

    fn set_fill_rate(&mut self, now: f64, rate: f64) {
        self.refill(now);
        self.fill_rate = rate.max(MIN_RATE);
        self.capacity = self.fill_rate.max(1.0);
        self.tokens = self.tokens.min(self.capacity);
    }

    fn refill(&mut self, now: f64) {
        if let Some(last) = self.last_refill {
            let elapsed = (now - last).max(0.0);
            self.tokens = (self.tokens + elapsed * self.fill_rate).min(self.capacity);
        }
        self.last_refill = Some(now);
    }

    /// Counts a response into the current window; at a window's end, folds its rate into the
    /// smoothed send rate.
    fn measure(&mut self, now: f64) {
        self.window_count += 1;
        let elapsed = now - self.window_start;
        if elapsed >= WINDOW {
            #[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
            let current = self.window_count as f64 / elapsed;
            self.measured_rate = current * SMOOTH + self.measured_rate * (1.0 - SMOOTH);
            self.window_count = 0;
            self.window_start = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends `per_second` requests a second from `from` for `seconds`, all answered.
    fn send(rate: &mut AdaptiveRate, from: f64, seconds: f64, per_second: f64) -> f64 {
        let mut t = from;
        while t < from + seconds {
            rate.on_response(t, false);
            t += 1.0 / per_second;
        }
        t
    }

    #[test]
    fn dormant_until_the_first_throttle() {
        let mut rate = AdaptiveRate::default();
        let t = send(&mut rate, 0.0, 3.0, 50.0);
        assert!(!rate.is_active());
        assert_eq!(rate.acquire(t, 0.0), None);
        assert!(
            (rate.measured_rate() - 50.0).abs() < 5.0,
            "{}",
            rate.measured_rate()
        );
    }

    #[test]
    fn a_throttle_cuts_the_rate_to_seventy_percent_of_what_was_measured() {
        let mut rate = AdaptiveRate::default();
        let t = send(&mut rate, 0.0, 3.0, 100.0);
        let measured = rate.measured_rate();
        rate.on_response(t, true);
        assert!(rate.is_active());
        assert!((rate.fill_rate() - measured * BETA).abs() < 1e-9);
    }

    #[test]
    fn the_rate_probes_back_up_to_where_it_was_throttled_and_beyond() {
        let mut rate = AdaptiveRate::default();
        let t = send(&mut rate, 0.0, 3.0, 100.0);
        rate.on_response(t, true);
        let after_throttle = rate.fill_rate();
        let max = rate.last_max_rate;
        // Requests sent at the allowed rate and answered: the rate climbs back, never down.
        let mut now = t;
        let mut previous = after_throttle;
        while now < t + rate.time_to_max + 2.0 {
            now += 1.0 / rate.fill_rate();
            rate.on_response(now, false);
            assert!(rate.fill_rate() >= previous - 1e-6, "the rate only grows");
            previous = rate.fill_rate();
        }
        assert!(after_throttle < 0.75 * max);
        assert!(previous > 0.95 * max, "back near {max}: {previous}");
    }

    #[test]
    fn waiters_ask_again_and_take_slots_at_the_learned_rate() {
        let mut rate = AdaptiveRate::default();
        let t = send(&mut rate, 0.0, 2.0, 20.0);
        rate.on_response(t, true); // 70% of about 20/s: about 14/s
        let fill = rate.fill_rate();
        // The bucket holds what it held; once it is empty, asking takes nothing.
        let mut sent = 0;
        while rate.acquire(t, 0.0).is_none() {
            sent += 1;
            assert!(sent < 100);
        }
        let wait = rate.acquire(t, 0.0).unwrap();
        assert!(wait > 0.0 && wait <= 1.0 / fill + 1e-9, "{wait}");
        assert_eq!(
            rate.acquire(t, 1.0),
            Some(2.0 * wait),
            "jitter spreads the waiters"
        );
        // After the wait, one slot is there.
        assert_eq!(rate.acquire(t + wait, 0.0), None);
        // Over ten seconds, about `fill` slots a second are taken.
        let mut taken = 0;
        let mut now = t + wait;
        while now < t + wait + 10.0 {
            match rate.acquire(now, 0.0) {
                None => taken += 1,
                Some(wait) => now += wait,
            }
        }
        let expected = 10.0 * fill;
        assert!(
            (f64::from(taken) - expected).abs() <= expected * 0.1 + 2.0,
            "{taken} vs {expected}"
        );
    }

    #[test]
    fn a_burst_of_throttles_cuts_the_rate_once() {
        let mut rate = AdaptiveRate::default();
        let t = send(&mut rate, 0.0, 3.0, 100.0);
        rate.on_response(t, true);
        let cut = rate.fill_rate();
        // The other requests that were in flight come back throttled too.
        for i in 1..64 {
            rate.on_response(t + f64::from(i) * 0.01, true);
        }
        assert!(
            (rate.fill_rate() - cut).abs() < 1e-9,
            "{} vs {cut}",
            rate.fill_rate()
        );
        // A throttle well after the cut cuts again.
        rate.on_response(t + 2.0, true);
        assert!(rate.fill_rate() < cut);
    }

    #[test]
    fn never_slower_than_the_floor() {
        let mut rate = AdaptiveRate::default();
        for i in 0..50 {
            rate.on_response(f64::from(i), true);
        }
        assert!(rate.fill_rate() >= MIN_RATE);
        assert!(
            rate.acquire(100.0, 0.0)
                .is_none_or(|wait| wait <= 1.0 / MIN_RATE)
        );
    }
}
