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

use mollie_models::{Interval, IntervalUnit, SubscriptionStatus, Timestamp};
use time::Date;

use crate::clock;
use crate::store::SubscriptionRec;

/// Mollie cancels a test-mode subscription after this many payments (its spec, `times`).
pub(crate) const TEST_MODE_MAX_PAYMENTS: u32 = 10;

/// Where a schedule counts from: payment `number` (0 for the first) is on `date`, and a
/// monthly schedule charges on `day` of each month, or on a shorter month's last day (31: the
/// last day of every month). `day` is kept apart from `date` so that a schedule of the 30th
/// re-anchored on 28 February goes on on the 30th.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Anchor {
    pub date: Date,
    pub number: u32,
    pub day: u8,
}

impl Anchor {
    /// Payment `number` on `date`, and monthly on `date`'s day, or on the last day of each
    /// month if `date` is one (Mollie: `startDate` 2018-04-30 and `1 month` charges "on the
    /// last day of each month").
    pub(crate) fn on(date: Date, number: u32) -> Self {
        let day = if clock::is_last_of_month(date) {
            31
        } else {
            date.day()
        };
        Self { date, number, day }
    }

    /// Payment `number` on `date`, and monthly on `day`: `None` unless `day` is 1 to 31 and
    /// `date` is on it (or on its month's last day, when that is before `day`).
    pub(crate) fn with_day(date: Date, number: u32, day: u8) -> Option<Self> {
        let fits = (1..=31).contains(&day) && date.day() == clamped(day, date);
        fits.then_some(Self { date, number, day })
    }
}

/// `day`, or the last day of `date`'s month when that month is shorter.
fn clamped(day: u8, date: Date) -> u8 {
    day.min(time::util::days_in_month(date.month(), date.year()))
}

/// The anchor of a new schedule from payment `number` on `date`, a day of the schedule that
/// `from` anchors every `interval`. A monthly schedule's day of the month goes on: one of the
/// 30th re-anchored on 28 February (or 30 April, a last day too) charges on the 30th after,
/// not on month-ends. A day off that schedule anchors on its own day.
pub(crate) fn reanchor(from: Anchor, interval: &Interval, date: Date, number: u32) -> Anchor {
    Anchor::with_day(date, number, from.day)
        .filter(|_| interval.unit() == Some(IntervalUnit::Months))
        .unwrap_or_else(|| Anchor::on(date, number))
}

/// The first day of a schedule from `start` that is not before `today`: a start in the past
/// charges nothing for the days gone by.
pub(crate) fn first_due(
    start: time::Date,
    interval: &Interval,
    today: time::Date,
) -> Option<time::Date> {
    let (count, unit) = (interval.count()?, interval.unit()?);
    if start >= today {
        return Some(start);
    }
    // The occurrence just before today, computed, then the first one on or after it: a
    // start decades back costs no more than one today.
    let days = (today - start).whole_days();
    let before = match unit {
        IntervalUnit::Days => days / i64::from(count),
        IntervalUnit::Weeks => days / (7 * i64::from(count)),
        _ => {
            let months = |d: time::Date| i64::from(d.year()) * 12 + i64::from(u8::from(d.month()));
            (months(today) - months(start)) / i64::from(count)
        }
    };
    let from = u32::try_from(before.saturating_sub(1).max(0)).ok()?;
    (from..from.saturating_add(4))
        .map_while(|n| occurrence(Anchor::on(start, 0), (count, unit), n))
        .find(|d| *d >= today)
}

/// The day of payment number `n` (0 for the first) of the schedule `anchor` sets, every
/// `count` `unit`s: monthly ones on the anchor's day of the month, clamped to a shorter
/// month's last day. `None` past year 9999, for an interval the mock does not know or for an
/// anchor on day 0.
pub(crate) fn occurrence(
    anchor: Anchor,
    (count, unit): (u32, IntervalUnit),
    n: u32,
) -> Option<Date> {
    let steps = n.checked_sub(anchor.number)?;
    let start = anchor.date;
    match unit {
        IntervalUnit::Days | IntervalUnit::Weeks => {
            let per = if unit == IntervalUnit::Weeks { 7 } else { 1 };
            let days = i64::from(steps) * i64::from(count) * per;
            start.checked_add(time::Duration::days(days))
        }
        IntervalUnit::Months => {
            let months = steps.checked_mul(count)?;
            let month = clock::plus_months(start, months)?;
            month.replace_day(clamped(anchor.day, month)).ok()
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
    fn a_past_start_charges_from_today() {
        let day = |t: &str| clock::parse_date(t).expect(t);
        let monthly = Interval::months(1).expect("valid");
        assert_eq!(
            first_due(day("2024-01-31"), &monthly, day("2024-03-15")),
            Some(day("2024-03-31"))
        );
        assert_eq!(
            first_due(day("2024-03-15"), &monthly, day("2024-03-15")),
            Some(day("2024-03-15"))
        );
        assert_eq!(
            first_due(
                day("1990-01-01"),
                &Interval::days(1).expect("valid"),
                day("2026-02-01")
            ),
            Some(day("2026-02-01"))
        );
        // Decades back: computed, not walked.
        let daily = Interval::days(1).expect("valid");
        assert_eq!(
            first_due(day("1990-01-01"), &daily, day("2026-01-05")),
            Some(day("2026-01-05"))
        );
        let fortnightly = Interval::weeks(2).expect("valid");
        assert_eq!(
            first_due(day("1990-01-01"), &fortnightly, day("2026-01-05")),
            Some(day("2026-01-12"))
        );
        assert_eq!(
            first_due(
                day("1990-01-31"),
                &Interval::months(3).expect("valid"),
                day("2026-01-05")
            ),
            Some(day("2026-01-31"))
        );
    }

    #[test]
    fn monthly_schedules_keep_their_day() {
        let monthly = (1, IntervalUnit::Months);
        let start = Anchor::on(day("2024-01-15"), 0);
        assert_eq!(occurrence(start, monthly, 0), Some(day("2024-01-15")));
        assert_eq!(occurrence(start, monthly, 1), Some(day("2024-02-15")));
        assert_eq!(occurrence(start, monthly, 12), Some(day("2025-01-15")));
        // The 31st clamps in short months and comes back in long ones.
        let start = Anchor::on(day("2024-01-31"), 0);
        assert_eq!(occurrence(start, monthly, 1), Some(day("2024-02-29")));
        assert_eq!(occurrence(start, monthly, 2), Some(day("2024-03-31")));
        assert_eq!(occurrence(start, monthly, 3), Some(day("2024-04-30")));
        // Mollie's example: from 2018-04-30, the last day of each month.
        let start = Anchor::on(day("2018-04-30"), 0);
        assert_eq!(occurrence(start, monthly, 1), Some(day("2018-05-31")));
        assert_eq!(occurrence(start, monthly, 2), Some(day("2018-06-30")));
        assert_eq!(
            occurrence(start, (3, IntervalUnit::Months), 1),
            Some(day("2018-07-31"))
        );
    }

    #[test]
    fn day_and_week_schedules_and_anchors() {
        let start = Anchor::on(day("2024-02-27"), 0);
        assert_eq!(
            occurrence(start, (1, IntervalUnit::Days), 3),
            Some(day("2024-03-01"))
        );
        assert_eq!(
            occurrence(start, (2, IntervalUnit::Weeks), 2),
            Some(day("2024-03-26"))
        );
        // A schedule re-anchored after 3 payments counts from there.
        let anchored = Anchor::on(day("2024-06-10"), 3);
        assert_eq!(
            occurrence(anchored, (14, IntervalUnit::Days), 4),
            Some(day("2024-06-24"))
        );
        assert_eq!(occurrence(anchored, (14, IntervalUnit::Days), 2), None);
    }

    #[test]
    fn a_schedule_re_anchored_on_a_clamped_day_keeps_its_day() {
        let monthly = (1, IntervalUnit::Months);
        let every_month = Interval::months(1).expect("valid");
        // Started on the 30th: its second payment is on the last of February.
        let start = Anchor::on(day("2025-01-30"), 0);
        assert_eq!(occurrence(start, monthly, 1), Some(day("2025-02-28")));
        // Re-anchored there (a new interval), it goes on on the 30th, not on month-ends.
        let moved = reanchor(start, &every_month, day("2025-02-28"), 1);
        let kept = Anchor {
            date: day("2025-02-28"),
            number: 1,
            day: 30,
        };
        assert_eq!(moved, kept);
        assert_eq!(occurrence(moved, monthly, 1), Some(day("2025-02-28")));
        assert_eq!(occurrence(moved, monthly, 2), Some(day("2025-03-30")));
        assert_eq!(occurrence(moved, monthly, 3), Some(day("2025-04-30")));
        assert_eq!(occurrence(moved, monthly, 4), Some(day("2025-05-30")));
        let two_months = (2, IntervalUnit::Months);
        assert_eq!(occurrence(moved, two_months, 2), Some(day("2025-04-30")));
        assert_eq!(occurrence(moved, two_months, 4), Some(day("2025-08-30")));
        // 30 April is the 30th, and a last day too: the 30th still.
        let moved = reanchor(start, &every_month, day("2025-04-30"), 3);
        assert_eq!(occurrence(moved, monthly, 4), Some(day("2025-05-30")));
        // A month-end schedule stays one, re-anchored anywhere.
        let ends = Anchor::on(day("2025-01-31"), 0);
        let moved = reanchor(ends, &every_month, day("2025-04-30"), 3);
        assert_eq!(occurrence(moved, monthly, 4), Some(day("2025-05-31")));
        // A day that is not the schedule's (a weekly one's, or another) is its own: the
        // last of February charges on month-ends.
        let weekly = Interval::weeks(1).expect("valid");
        let fridays = Anchor::on(day("2025-02-14"), 0);
        let moved = reanchor(fridays, &weekly, day("2025-02-28"), 2);
        assert_eq!(occurrence(moved, monthly, 3), Some(day("2025-03-31")));
        let moved = reanchor(start, &every_month, day("2025-02-27"), 1);
        assert_eq!(occurrence(moved, monthly, 2), Some(day("2025-03-27")));
        // A day given anew is its own, as a start date is.
        let given = Anchor::on(day("2025-02-28"), 1);
        assert_eq!(occurrence(given, monthly, 2), Some(day("2025-03-31")));
    }

    #[test]
    fn odd_anchors_give_no_day_rather_than_panic() {
        let monthly = (1, IntervalUnit::Months);
        let on = |day_of_month| Anchor {
            date: day("2025-01-15"),
            number: 0,
            day: day_of_month,
        };
        assert_eq!(occurrence(on(0), monthly, 1), None);
        assert_eq!(occurrence(on(u8::MAX), monthly, 1), Some(day("2025-02-28")));
        let last = Anchor::on(day("9999-12-31"), 0);
        assert_eq!(occurrence(last, monthly, 1), None);
        assert_eq!(occurrence(last, monthly, u32::MAX), None);
    }
}
