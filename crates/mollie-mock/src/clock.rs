//! Time: the mock's virtual clock, and Mollie's formats and calendar for timestamps and
//! dates.
//!
//! The mock's "now" is a base clock ([`MockConfig::clock`](crate::MockConfig::clock), the
//! system clock by default) plus an offset that only grows: `/__mock/clock` and
//! [`MockServer::advance_clock`](crate::MockServer::advance_clock) move it forward, never
//! back, so that what already happened (payments made, keys used) stays in the past.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::{Date, Month, OffsetDateTime, Weekday};
use tokio::sync::watch;

use crate::app::lock;

/// Where the mock gets "now" from. Tests replace it to move time forward (e.g. past the
/// idempotency window) without sleeping.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The system clock.
pub(crate) fn system() -> Clock {
    Arc::new(SystemTime::now)
}

/// The latest time the mock's formats can write: 9999-12-31T23:59:59Z.
pub(crate) const LATEST_SECS: u64 = 253_402_300_799;

/// The latest time the mock's clock can show.
pub(crate) fn latest() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(LATEST_SECS)
}

/// The mock's clock: the base clock plus an offset that `advance` and `set` grow.
pub(crate) struct VirtualClock {
    base: Clock,
    offset: Mutex<Duration>,
    /// Bumped whenever the offset grows, so that waits on mock time (webhook retries) wake.
    moved: watch::Sender<u64>,
}

/// A request to set the clock before its current time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backwards {
    pub now: SystemTime,
}

impl VirtualClock {
    pub fn new(base: Clock) -> Self {
        Self {
            base,
            offset: Mutex::new(Duration::ZERO),
            moved: watch::Sender::new(0),
        }
    }

    /// The mock's now, at most [`latest`]: time never wraps back to the base clock.
    pub fn now(&self) -> SystemTime {
        let offset = *lock(&self.offset);
        let base = (self.base)();
        base.checked_add(offset)
            .unwrap_or_else(latest)
            .min(latest())
    }

    /// How far the mock is ahead of its base clock.
    pub fn offset(&self) -> Duration {
        *lock(&self.offset)
    }

    /// Moves the clock forward by `by` (at most to [`latest`]); the new now.
    pub fn advance(&self, by: Duration) -> SystemTime {
        {
            let room = latest()
                .duration_since(self.now())
                .unwrap_or(Duration::ZERO);
            let mut offset = lock(&self.offset);
            *offset = offset.saturating_add(by.min(room));
        }
        self.moved.send_modify(|n| *n = n.wrapping_add(1));
        self.now()
    }

    /// Moves the clock forward to `to`.
    ///
    /// # Errors
    /// [`Backwards`] when `to` is before now: the mock's time never goes back.
    pub fn set(&self, to: SystemTime) -> Result<SystemTime, Backwards> {
        let now = self.now();
        let by = to.duration_since(now).map_err(|_| Backwards { now })?;
        Ok(self.advance(by))
    }

    /// Waits until the mock's now reaches `at`, on the base clock's pace or sooner when the
    /// clock is moved forward.
    pub async fn sleep_until(&self, at: SystemTime) {
        let mut moved = self.moved.subscribe();
        loop {
            let Ok(left) = at.duration_since(self.now()) else {
                return;
            };
            if left.is_zero() {
                return;
            }
            tokio::select! {
                () = tokio::time::sleep(left) => {}
                // The sender lives as long as the clock; an error cannot happen while
                // someone waits, and would only end the wait early.
                _ = moved.changed() => {}
            }
        }
    }
}

/// `t` as a UTC date-time; out-of-range times are clamped to `time`'s range.
pub(crate) fn utc(t: SystemTime) -> OffsetDateTime {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(if secs < 0 {
        OffsetDateTime::UNIX_EPOCH
    } else {
        // 9999-12-31T23:59:59Z: Mollie's formats have four-digit years.
        OffsetDateTime::from_unix_timestamp(253_402_300_799).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    })
}

/// The instant of a UTC date-time.
pub(crate) fn instant(t: OffsetDateTime) -> SystemTime {
    let secs = t.unix_timestamp();
    match u64::try_from(secs) {
        Ok(s) => UNIX_EPOCH + Duration::from_secs(s),
        Err(_) => UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs()),
    }
}

/// Midnight UTC at the start of `date`.
pub(crate) fn start_of(date: Date) -> SystemTime {
    instant(date.midnight().assume_utc())
}

/// `2024-03-20T09:13:37+00:00`, as Mollie writes `createdAt`.
pub(crate) fn timestamp(t: SystemTime) -> String {
    let t = utc(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `2024-03-20`, as Mollie writes dates.
pub(crate) fn date_string(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// `2024-03-20`, the UTC date of `t`.
pub(crate) fn date(t: SystemTime) -> String {
    date_string(utc(t).date())
}

/// Parses `2024-03-20`.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    let (y, rest) = text.split_once('-')?;
    let (m, d) = rest.split_once('-')?;
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// Parses an RFC 3339 timestamp (`2027-01-01T00:00:00+00:00`, `...Z`).
pub(crate) fn parse_timestamp(text: &str) -> Option<SystemTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(instant)
}

/// `t + minutes`, saturating.
pub(crate) fn plus_minutes(t: SystemTime, minutes: u64) -> SystemTime {
    t.checked_add(Duration::from_secs(minutes.saturating_mul(60)))
        .unwrap_or(t)
}

/// `months` calendar months after `date`, on the same day of the month or the month's last
/// day when it is shorter (31 January + 1 month: 28 or 29 February). `None` past year 9999.
pub(crate) fn plus_months(date: Date, months: u32) -> Option<Date> {
    let index = i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1;
    let target = index.checked_add(i64::from(months))?;
    let year = i32::try_from(target.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(target.rem_euclid(12) + 1).ok()?).ok()?;
    if year > 9999 {
        return None;
    }
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).ok()
}

/// Whether `date` is the last day of its month.
pub(crate) fn is_last_of_month(date: Date) -> bool {
    date.next_day()
        .is_none_or(|next| next.month() != date.month())
}

/// The `n`-th business day after `date` (Monday to Friday; bank holidays are not known to
/// the mock).
pub(crate) fn plus_business_days(date: Date, n: u32) -> Option<Date> {
    let mut day = date;
    let mut left = n;
    while left > 0 {
        day = day.next_day()?;
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    Some(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        parse_date(text).expect(text)
    }

    #[test]
    fn formats_like_mollie() {
        let t = UNIX_EPOCH + Duration::from_secs(1_710_926_017);
        assert_eq!(timestamp(t), "2024-03-20T09:13:37+00:00");
        assert_eq!(date(t), "2024-03-20");
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00+00:00");
        // A leap day.
        let leap = UNIX_EPOCH + Duration::from_secs(1_709_164_800);
        assert_eq!(date(leap), "2024-02-29");
        assert_eq!(
            parse_timestamp("2024-03-20T09:13:37+00:00"),
            Some(t),
            "round trip"
        );
        assert_eq!(parse_timestamp("2024-03-20T10:13:37+01:00"), Some(t));
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(
            start_of(day("2024-03-20")),
            UNIX_EPOCH + Duration::from_secs(1_710_892_800)
        );
    }

    #[test]
    fn months_keep_the_day_or_take_the_last() {
        assert_eq!(plus_months(day("2024-01-31"), 1), Some(day("2024-02-29")));
        assert_eq!(plus_months(day("2023-01-31"), 1), Some(day("2023-02-28")));
        assert_eq!(plus_months(day("2024-01-31"), 2), Some(day("2024-03-31")));
        assert_eq!(plus_months(day("2024-11-15"), 3), Some(day("2025-02-15")));
        assert_eq!(plus_months(day("2024-06-01"), 0), Some(day("2024-06-01")));
        assert_eq!(plus_months(day("9999-12-01"), 1), None);
        assert!(is_last_of_month(day("2024-02-29")));
        assert!(!is_last_of_month(day("2024-02-28")));
    }

    #[test]
    fn business_days_skip_weekends() {
        // 2022-01-04 was a Tuesday (the spec's direct debit example: due the next day).
        assert_eq!(
            plus_business_days(day("2022-01-04"), 1),
            Some(day("2022-01-05"))
        );
        // Friday + 1: Monday.
        assert_eq!(
            plus_business_days(day("2022-01-07"), 1),
            Some(day("2022-01-10"))
        );
        // Saturday + 1: Monday; + 2: Tuesday.
        assert_eq!(
            plus_business_days(day("2022-01-08"), 1),
            Some(day("2022-01-10"))
        );
        assert_eq!(
            plus_business_days(day("2022-01-08"), 2),
            Some(day("2022-01-11"))
        );
        assert_eq!(
            plus_business_days(day("2022-01-08"), 0),
            Some(day("2022-01-08"))
        );
    }

    #[test]
    fn the_virtual_clock_only_moves_forward() {
        let base = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let clock = VirtualClock::new(Arc::new(move || base));
        assert_eq!(clock.now(), base);
        let later = clock.advance(Duration::from_secs(60));
        assert_eq!(later, base + Duration::from_secs(60));
        assert_eq!(clock.set(base), Err(Backwards { now: later }));
        assert_eq!(
            clock.set(base + Duration::from_secs(3600)),
            Ok(base + Duration::from_secs(3600))
        );
        assert_eq!(clock.offset(), Duration::from_secs(3600));
        // Past the year 9999 it stops there, and never wraps back.
        assert_eq!(clock.advance(Duration::MAX), latest());
        assert_eq!(clock.now(), latest());
        assert_eq!(clock.advance(Duration::from_secs(1)), latest());
    }
}
