//! Time: an injectable clock and Mollie's formats for timestamps and dates.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where the mock gets "now" from. Tests replace it to move time forward (e.g. past the
/// idempotency window) without sleeping.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The system clock.
pub(crate) fn system() -> Clock {
    Arc::new(SystemTime::now)
}

/// Seconds since the epoch, clamped at 0 for a clock set before 1970.
fn unix_seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2))
        .unwrap_or(0)
}

/// Days since 1970-01-01 to (year, month, day): Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `2024-03-20T09:13:37+00:00`, as Mollie writes `createdAt`.
pub(crate) fn timestamp(t: SystemTime) -> String {
    let secs = unix_seconds(t);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// `2024-03-20`, the UTC date of `t`.
pub(crate) fn date(t: SystemTime) -> String {
    let (y, m, d) = civil_from_days(unix_seconds(t).div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `t + minutes`, saturating.
pub(crate) fn plus_minutes(t: SystemTime, minutes: u64) -> SystemTime {
    t.checked_add(Duration::from_secs(minutes * 60))
        .unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_mollie() {
        let t = UNIX_EPOCH + Duration::from_secs(1_710_926_017);
        assert_eq!(timestamp(t), "2024-03-20T09:13:37+00:00");
        assert_eq!(date(t), "2024-03-20");
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00+00:00");
        // A leap day.
        let leap = UNIX_EPOCH + Duration::from_secs(1_709_164_800);
        assert_eq!(date(leap), "2024-02-29");
    }
}
