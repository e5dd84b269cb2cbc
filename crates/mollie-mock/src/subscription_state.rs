//! The subscription rules: its schedule (the day of each payment), how it ends (completed,
//! canceled), and the statuses it moves through. Handlers and the agenda parse, call this,
//! and render; nothing here touches the store.
//!
//! ```text
//!  pending ──► active ◄──► suspended
//!                 │
//!                 ├──► completed   (its `times` payments made)
//!                 └──► canceled    (DELETE, revoked mandate, deleted customer,
//!                                   test mode after 10 payments)
//! ```

use mollie_models::{IntervalUnit, SubscriptionStatus, Timestamp};
use time::Date;

use crate::clock;
use crate::store::SubscriptionRec;

/// Mollie cancels a test-mode subscription after this many payments (its spec, `times`).
pub(crate) const TEST_MODE_MAX_PAYMENTS: u32 = 10;

/// The day of payment number `n` (0 for the first) of a schedule that makes payment
/// `anchor.1` on day `anchor.0`, every `count` `unit`s. A schedule anchored on the last day of
/// a month stays on the last day of each month (Mollie: `startDate` 2018-04-30 and `1 month`
/// charges "on the last day of each month"); other days are kept, or clamped to a shorter
/// month's last day. `None` past year 9999 or for an interval the mock does not know.
pub(crate) fn occurrence(
    anchor: (Date, u32),
    (count, unit): (u32, IntervalUnit),
    n: u32,
) -> Option<Date> {
    let steps = n.checked_sub(anchor.1)?;
    let (start, _) = anchor;
    match unit {
        IntervalUnit::Days | IntervalUnit::Weeks => {
            let per = if unit == IntervalUnit::Weeks { 7 } else { 1 };
            let days = i64::from(steps) * i64::from(count) * per;
            start.checked_add(time::Duration::days(days))
        }
        IntervalUnit::Months => {
            let months = steps.checked_mul(count)?;
            let day = clock::plus_months(start, months)?;
            if clock::is_last_of_month(start) {
                // The last day of the target month.
                let mut last = day;
                while let Some(next) = last.next_day().filter(|d| d.month() == last.month()) {
                    last = next;
                }
                Some(last)
            } else {
                Some(day)
            }
        }
        _ => None,
    }
}

/// The day of the subscription's payment after the `made` ones so far.
pub(crate) fn next_date(s: &SubscriptionRec) -> Option<Date> {
    let parts = (s.interval.count()?, s.interval.unit()?);
    occurrence(s.anchor, parts, s.made)
}

/// How many payments are still to come; `None` for a subscription without `times`.
pub(crate) fn times_remaining(s: &SubscriptionRec) -> Option<u32> {
    s.times.map(|times| times.saturating_sub(s.made))
}

/// Cancels `s` at `now`, unless it is canceled or completed already: it charges nothing
/// more. Whether it changed.
pub(crate) fn cancel(s: &mut SubscriptionRec, now: &Timestamp) -> bool {
    if s.status.is_final() {
        return false;
    }
    s.status = SubscriptionStatus::Canceled;
    s.canceled_at = Some(now.clone());
    s.next_payment_date = None;
    true
}

/// After a payment: completed once `times` payments are made, canceled in test mode after
/// [`TEST_MODE_MAX_PAYMENTS`], else the day of the next one.
pub(crate) fn after_payment(s: &mut SubscriptionRec, test_mode: bool, now: &Timestamp) {
    s.made += 1;
    if s.times.is_some_and(|times| s.made >= times) {
        s.status = SubscriptionStatus::Completed;
        s.next_payment_date = None;
    } else if test_mode && s.made >= TEST_MODE_MAX_PAYMENTS {
        cancel(s, now);
    } else {
        s.next_payment_date = next_date(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        clock::parse_date(text).expect(text)
    }

    #[test]
    fn monthly_schedules_keep_their_day() {
        let monthly = (1, IntervalUnit::Months);
        let start = (day("2024-01-15"), 0);
        assert_eq!(occurrence(start, monthly, 0), Some(day("2024-01-15")));
        assert_eq!(occurrence(start, monthly, 1), Some(day("2024-02-15")));
        assert_eq!(occurrence(start, monthly, 12), Some(day("2025-01-15")));
        // The 31st clamps in short months and comes back in long ones.
        let start = (day("2024-01-31"), 0);
        assert_eq!(occurrence(start, monthly, 1), Some(day("2024-02-29")));
        assert_eq!(occurrence(start, monthly, 2), Some(day("2024-03-31")));
        assert_eq!(occurrence(start, monthly, 3), Some(day("2024-04-30")));
        // Mollie's example: from 2018-04-30, the last day of each month.
        let start = (day("2018-04-30"), 0);
        assert_eq!(occurrence(start, monthly, 1), Some(day("2018-05-31")));
        assert_eq!(occurrence(start, monthly, 2), Some(day("2018-06-30")));
        assert_eq!(
            occurrence(start, (3, IntervalUnit::Months), 1),
            Some(day("2018-07-31"))
        );
    }

    #[test]
    fn day_and_week_schedules_and_anchors() {
        let start = (day("2024-02-27"), 0);
        assert_eq!(
            occurrence(start, (1, IntervalUnit::Days), 3),
            Some(day("2024-03-01"))
        );
        assert_eq!(
            occurrence(start, (2, IntervalUnit::Weeks), 2),
            Some(day("2024-03-26"))
        );
        // A schedule re-anchored after 3 payments counts from there.
        let anchored = (day("2024-06-10"), 3);
        assert_eq!(
            occurrence(anchored, (14, IntervalUnit::Days), 4),
            Some(day("2024-06-24"))
        );
        assert_eq!(occurrence(anchored, (14, IntervalUnit::Days), 2), None);
    }
}
