//! Client-side rate limiting that learns from Mollie's 429s, for all tasks of a client at
//! once: after a throttle the client sends at 70% of the rate Mollie was admitting (the
//! requests it answered with anything but 429), then probes back up along a cubic curve (CUBIC congestion control, as aws-sdk's "adaptive" retry mode
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
    /// The smoothed rate of answers that were not 429: what Mollie admitted.
    admitted_rate: f64,
    window_start: f64,
    window_count: u64,
    window_admitted: u64,
    /// Whether a whole window was measured yet.
    measured_once: bool,
    last_max_rate: f64,
    last_throttle: f64,
    time_to_max: f64,
    /// The latest time an answer was counted at: the curve is read there, never earlier.
    latest_answer: f64,
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
            admitted_rate: 0.0,
            window_start: 0.0,
            window_count: 0,
            window_admitted: 0,
            measured_once: false,
            last_max_rate: 0.0,
            last_throttle: 0.0,
            time_to_max: 0.0,
            latest_answer: 0.0,
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

    /// The smoothed rate of answers that were not throttled: what Mollie admitted, in
    /// requests per second.
    pub fn admitted_rate(&self) -> f64 {
        self.admitted_rate
    }

    /// The rate of answers lately: the smoothed rate, or the window so far before a whole
    /// window was measured.
    fn sent_estimate(&self, now: f64) -> f64 {
        if self.measured_once {
            return self.measured_rate;
        }
        #[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
        let count = self.window_count as f64;
        count / (now - self.window_start).max(0.1)
    }

    /// What Mollie admitted lately: the smoothed rate, or, before a whole window was
    /// measured (a batch throttled within its first half second), the window so far.
    fn admitted_estimate(&self, now: f64) -> f64 {
        if self.measured_once {
            return self.admitted_rate;
        }
        #[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
        let admitted = self.window_admitted as f64;
        // Less than 50 ms says little; the floor keeps one early answer from meaning
        // thousands a second.
        admitted / (now - self.window_start).max(0.1)
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
    ///
    /// A throttle sets the rate to return to at what Mollie was admitting, not at what was
    /// sent: a batch that sent five times the limit would otherwise take seconds of 429s to
    /// come down, and one throttled before a whole window was measured would fall to the
    /// floor.
    pub fn on_response(&mut self, now: f64, throttled: bool) {
        self.measure(now, throttled);
        self.latest_answer = self.latest_answer.max(now);
        let rate = if throttled {
            if self.enabled && now - self.last_throttle < SETTLE {
                return;
            }
            let admitted = self.admitted_estimate(now);
            let base = if self.enabled {
                admitted.min(self.fill_rate)
            } else {
                admitted
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
            // Read at the latest answer's time: an answer timed earlier (a slow one, counted
            // at its sending; or its clock read before another task counted the last) would
            // move back along the curve, and before the last cut far below the cut rate.
            let t = (self.latest_answer - self.last_throttle).max(0.0) - self.time_to_max;
            SCALE * t * t * t + self.last_max_rate
        };
        let sent = self.sent_estimate(now);
        self.set_fill_rate(now, rate.min(2.0 * sent.max(MIN_RATE)));
    }

    fn set_fill_rate(&mut self, now: f64, rate: f64) {
        self.refill(now);
        self.fill_rate = rate.max(MIN_RATE);
        self.capacity = (self.fill_rate * 0.1).max(1.0);
        self.tokens = self.tokens.min(self.capacity);
    }

    fn refill(&mut self, now: f64) {
        if let Some(last) = self.last_refill {
            let elapsed = (now - last).max(0.0);
            self.tokens = (self.tokens + elapsed * self.fill_rate).min(self.capacity);
        }
        // Concurrent calls read the clock at slightly different moments: a time older than
        // the last refill must not move it back, or the next refill would credit twice.
        self.last_refill = Some(self.last_refill.map_or(now, |last| last.max(now)));
    }

    /// Counts a response into the current window; at a window's end, folds its rate into the
    /// smoothed send rate.
    fn measure(&mut self, now: f64, throttled: bool) {
        self.window_count += 1;
        self.window_admitted += u64::from(!throttled);
        let elapsed = now - self.window_start;
        if elapsed >= WINDOW {
            #[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
            let (current, admitted) = (
                self.window_count as f64 / elapsed,
                self.window_admitted as f64 / elapsed,
            );
            let smooth = |old: f64, new: f64| new * SMOOTH + old * (1.0 - SMOOTH);
            self.measured_rate = smooth(self.measured_rate, current);
            self.admitted_rate = if self.measured_once {
                smooth(self.admitted_rate, admitted)
            } else {
                admitted
            };
            if !self.measured_once {
                self.measured_rate = current;
            }
            self.measured_once = true;
            self.window_count = 0;
            self.window_admitted = 0;
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
    fn a_late_clock_reading_credits_no_slot_twice() {
        let mut rate = AdaptiveRate::default();
        let t = send(&mut rate, 0.0, 3.0, 100.0);
        rate.on_response(t, true);
        // Empty the bucket, then ask with a reading older than the last one (another task
        // read the clock first): no slot appears from the difference.
        while rate.acquire(t, 0.0).is_none() {}
        assert!(rate.acquire(t - 0.05, 0.0).is_some());
        let wait = rate.acquire(t, 0.0).expect("still empty");
        assert!(
            wait > 0.0 && wait <= 1.0 / rate.fill_rate(),
            "{wait} against {}",
            rate.fill_rate()
        );
        assert!(
            rate.acquire(t + 0.5 / rate.fill_rate(), 0.0).is_some(),
            "half a slot's time gave a slot"
        );
    }

    #[test]
    fn an_answer_to_a_request_sent_before_the_cut_does_not_cut_again() {
        let mut rate = AdaptiveRate::default();
        let t = send(&mut rate, 0.0, 3.0, 100.0);
        rate.on_response(t, true);
        let cut = rate.fill_rate();
        // A slow success sent two seconds before the 429 (or read the clock before another
        // task counted the 429): the rate stays where the cut put it.
        rate.on_response(t - 2.0, false);
        assert!(
            rate.fill_rate() >= cut - 1e-9,
            "after the cut {cut}/s, after a late success {}/s",
            rate.fill_rate()
        );
        // And it probes back up from there as time goes on.
        rate.on_response(t + 1.0, false);
        assert!(rate.fill_rate() > cut);
    }

    #[test]
    fn an_answer_out_of_order_never_lowers_the_rate() {
        let mut rate = AdaptiveRate::default();
        let t = send(&mut rate, 0.0, 3.0, 100.0);
        rate.on_response(t, true);
        let after = send(&mut rate, t + 0.01, 3.0, 100.0);
        let probed = rate.fill_rate();
        assert!(probed > 90.0, "{probed}");
        // A slow answer, timed a second after the cut, arrives after those of the next
        // three seconds: the rate keeps to where the curve had come.
        rate.on_response(after - 2.0, false);
        assert!(
            rate.fill_rate() >= probed - 1e-9,
            "probed up to {probed}/s, then {}/s",
            rate.fill_rate()
        );
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
    fn a_throttle_returns_to_what_mollie_admitted_not_to_what_was_sent() {
        let mut rate = AdaptiveRate::default();
        // 1,000 answers a second, all admitted, then a first 429: 70% of 1,000.
        let t = send(&mut rate, 0.0, 2.0, 1000.0);
        rate.on_response(t, true);
        assert!(
            (rate.fill_rate() - 700.0).abs() < 50.0,
            "{}",
            rate.fill_rate()
        );
        // Then 1,000 answers a second still come back (requests paced before the cut,
        // other clients' load), and Mollie admits one in five: 200 a second. The first 429
        // after the settling time cuts again, to 70% of what Mollie admitted (about 140),
        // not of what was sent (700).
        let mut now = t;
        for i in 1..=1500 {
            now = t + f64::from(i) * 0.001;
            rate.on_response(now, i % 5 != 0);
        }
        assert!(now - t > SETTLE);
        assert!(
            rate.fill_rate() < 250.0,
            "{} after Mollie admitted {}",
            rate.fill_rate(),
            rate.admitted_rate()
        );
        assert!(rate.fill_rate() >= 0.7 * 150.0, "{}", rate.fill_rate());
    }

    #[test]
    fn a_batch_throttled_in_its_first_half_second_keeps_its_pace() {
        let mut rate = AdaptiveRate::default();
        // 100 answers in 0.2 s (500 a second), then a 429: no window was completed.
        for i in 0..100 {
            rate.on_response(f64::from(i) * 0.002, false);
        }
        rate.on_response(0.2, true);
        assert!(
            rate.fill_rate() > 0.7 * 400.0,
            "fell to {} instead of about 350",
            rate.fill_rate()
        );
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

    /// A batch against a token bucket of `limit` requests per second (burst `limit / 10`),
    /// as the mock and Mollie answer: `tasks` callers each sending one request after the
    /// other, `latency` seconds each, waiting `Retry-After: 1` after a 429 and a paced slot
    /// before every attempt. Returns (admitted per second, 429s after the first second).
    fn simulate(limit: f64, seconds: f64, tasks: usize, latency: f64) -> (f64, u32) {
        use std::collections::BTreeMap;
        #[derive(Clone, Copy)]
        enum Event {
            Ready,
            Answer(bool),
        }
        let mut rate = AdaptiveRate::default();
        let burst = (limit / 10.0).max(1.0);
        let (mut tokens, mut refilled) = (burst, 0.0_f64);
        let mut events: BTreeMap<(u64, usize), Event> = BTreeMap::new();
        let at = |t: f64| (t * 1e9) as u64;
        for task in 0..tasks {
            events.insert((0, task), Event::Ready);
        }
        let (mut admitted, mut late_throttles) = (0u32, 0u32);
        let mut jitter = 0.37_f64;
        while let Some(((when, task), event)) = events.pop_first() {
            let now = when as f64 / 1e9;
            if now > seconds {
                break;
            }
            match event {
                Event::Ready => {
                    jitter = (jitter * 7.13 + 0.11).fract();
                    if let Some(wait) = rate.acquire(now, jitter) {
                        // As tokio's timer, never a wait of nothing.
                        events.insert((at(now + wait.max(1e-3)), task), Event::Ready);
                        continue;
                    }
                    // The server sees it half a latency later.
                    let arrives = now + latency / 2.0;
                    tokens = (tokens + (arrives - refilled) * limit).min(burst);
                    refilled = arrives;
                    let throttled = tokens < 1.0;
                    if !throttled {
                        tokens -= 1.0;
                    }
                    events.insert((at(now + latency), task), Event::Answer(throttled));
                }
                Event::Answer(throttled) => {
                    rate.on_response(now, throttled);
                    if throttled {
                        late_throttles += u32::from(now > 1.0);
                        events.insert((at(now + 1.0), task), Event::Ready);
                    } else {
                        admitted += 1;
                        events.insert((at(now), task), Event::Ready);
                    }
                }
            }
        }
        (f64::from(admitted) / seconds, late_throttles)
    }

    #[test]
    fn a_month_end_batch_runs_near_the_allowed_rate_with_few_429s() {
        for (limit, tasks, latency) in [(250.0, 500, 0.01), (500.0, 64, 0.02), (100.0, 16, 0.05)] {
            let seconds = 20.0;
            let (achieved, late) = simulate(limit, seconds, tasks, latency);
            let calls = achieved * seconds;
            assert!(
                achieved >= 0.9 * limit,
                "{achieved:.0}/s of {limit} ({tasks} tasks)"
            );
            assert!(
                f64::from(late) < 0.01 * calls,
                "{late} 429s after the first second in {calls:.0} calls ({limit}/s, {tasks} tasks)"
            );
        }
    }
}
