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

/// An adaptive send-rate limiter (a token bucket whose fill rate follows CUBIC).
///
/// ```
/// use mollie_core::AdaptiveRate;
///
/// let mut rate = AdaptiveRate::default();
/// assert_eq!(rate.acquire(0.0), None, "dormant: no wait before the first 429");
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

    /// Takes a slot for a request to be sent at `now` (seconds): `None` to send at once, or
    /// how many seconds to wait first. The slot is reserved either way, so concurrent tasks
    /// queue up one after the other instead of all waking at the same moment.
    pub fn acquire(&mut self, now: f64) -> Option<f64> {
        if !self.enabled {
            return None;
        }
        self.refill(now);
        self.tokens -= 1.0;
        (self.tokens < 0.0).then(|| -self.tokens / self.fill_rate)
    }

    /// Learns from a response received at `now`: `throttled` for a 429.
    pub fn on_response(&mut self, now: f64, throttled: bool) {
        self.measure(now);
        let rate = if throttled {
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
        assert_eq!(rate.acquire(t), None);
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
    fn concurrent_requests_queue_one_after_the_other() {
        let mut rate = AdaptiveRate::default();
        let t = send(&mut rate, 0.0, 2.0, 20.0);
        rate.on_response(t, true); // 70% of about 20/s: about 14/s
        let fill = rate.fill_rate();
        let waits: Vec<f64> = (0..5).map(|_| rate.acquire(t).unwrap_or(0.0)).collect();
        // Each waits one slot longer than the one before: no thundering herd.
        for pair in waits.windows(2) {
            assert!((pair[1] - pair[0] - 1.0 / fill).abs() < 1e-9, "{waits:?}");
        }
    }

    #[test]
    fn never_slower_than_the_floor() {
        let mut rate = AdaptiveRate::default();
        for i in 0..50 {
            rate.on_response(f64::from(i), true);
        }
        assert!(rate.fill_rate() >= MIN_RATE);
        assert!(
            rate.acquire(100.0)
                .is_none_or(|wait| wait <= 1.0 / MIN_RATE)
        );
    }
}
