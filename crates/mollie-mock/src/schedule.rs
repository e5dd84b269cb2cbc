//! What happens at a later mock time: subscriptions charging on their days, direct debits
//! settling after business days, open payments expiring. Each is an entry of the store's
//! agenda; [`App::catch_up`] runs every entry due by the mock's now, in time order, stamping
//! what it does with the entry's own time, then sends the webhooks.
//!
//! Catching up runs before every API and control request and once a second in the
//! background, so whether time passes on the wall clock or through `/__mock/clock`, the
//! same things happen in the same order.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mollie_models::{
    Date, MandateDetails, MandateStatus, PaymentDetails, PaymentMethod, PaymentStatus,
    SequenceType, StatusReason, StatusReasonCode, SubscriptionStatus, Timestamp,
};
use serde::Serialize;

use crate::app::{App, lock};
use crate::auth::Env;
use crate::clock;
use crate::errors::ApiError;
use crate::handlers::payments::render;
use crate::payment_state;
use crate::store::{Due, MandateRec, PaymentRec, Store};
use crate::subscription_state::{self, Anchor};

/// Mollie's creditor identifier, which its direct debits show (the spec's example).
const CREDITOR_IDENTIFIER: &str = "NL08ZZZ502057730000";
/// The bank reason of a failed direct debit when the control API names none: insufficient
/// funds, the most common.
pub(crate) const DEFAULT_BANK_REASON: &str = "AM04";

/// What a catch-up did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ran {
    /// Payments made by subscriptions.
    pub charged: u32,
    /// Direct debits that became paid.
    pub settled: u32,
    /// Payments that failed (direct debits at settlement, card and PayPal charges at once).
    pub failed: u32,
    /// Open payments that expired.
    pub expired: u32,
    /// Subscriptions that completed or were canceled by a schedule (test mode's ten).
    pub ended: u32,
}

/// A payment whose webhooks are due (its status changed, or it was made).
struct Notice(String);

/// Unix seconds of `t` (0 before 1970).
pub(crate) fn unix(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn instant(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0))
}

/// The SEPA reason text of a bank reason code (R-transaction codes); the mock's own text
/// for codes it does not know.
pub(crate) fn bank_reason(code: &str) -> &'static str {
    match code {
        "AC01" => "Account identifier incorrect (i.e. invalid IBAN)",
        "AC04" => "Account closed",
        "AC06" => "Account blocked",
        "AG01" => "Direct debit forbidden on this account for regulatory reasons",
        "AM04" => "Insufficient funds",
        "MD01" => "No mandate",
        "MD06" => "Refund request by end customer",
        "MD07" => "End customer deceased",
        "MS02" => "Refused by debtor",
        "MS03" => "Reason not specified",
        "SL01" => "Specific service offered by the debtor bank",
        _ => "Failed (reason set by mollie-mock)",
    }
}

/// The details of a direct debit from `mandate`, collected on the business day after
/// `created` (the spec's example: created 2022-01-04, due 2022-01-05), with a transfer
/// reference of Mollie's shape. The day it settles: one business day after it is due
/// (Mollie: "Status is updated 1 business day after direct debit date").
pub(crate) fn direct_debit(mandate: &MandateRec, created: SystemTime) -> (PaymentDetails, i64) {
    let today = clock::utc(created).date();
    let due = clock::plus_business_days(today, 1).unwrap_or(today);
    let settles = clock::plus_business_days(due, 1).unwrap_or(due);
    let account = match &mandate.details {
        MandateDetails::DirectDebit(d) => d.clone(),
        _ => Default::default(),
    };
    let digits: String = (0..14)
        .map(|_| char::from(b'0' + fastrand::u8(0..10)))
        .collect();
    let details = PaymentDetails {
        transfer_reference: Some(format!(
            "SD{}-{}-{}-{}",
            &digits[0..2],
            &digits[2..6],
            &digits[6..10],
            &digits[10..14]
        )),
        creditor_identifier: Some(CREDITOR_IDENTIFIER.to_owned()),
        consumer_name: account.consumer_name,
        consumer_account: account.consumer_account,
        consumer_bic: account.consumer_bic,
        due_date: Some(Date::from(due)),
        signature_date: mandate.signature_date.clone(),
        ..PaymentDetails::default()
    };
    (details, unix(clock::start_of(settles)))
}

impl App {
    /// `SCHEME://ADDR` of the server itself: the base of links in what the agenda renders.
    pub(crate) fn own_base(&self) -> String {
        format!("{}://{}", self.scheme, self.local_addr)
    }

    /// Runs every agenda entry due by now, in order, and hands their webhooks over as each
    /// runs (they are queued, never sent under the lock), so that a year of payments never
    /// sits in memory as rendered bodies.
    pub(crate) fn catch_up(&self) -> Ran {
        let mut store = lock(&self.store);
        self.catch_up_locked(&mut store)
    }

    /// [`App::catch_up`] with the store's lock held by the caller (who may move the clock
    /// under it, so that nothing else runs what falls due in between).
    fn catch_up_locked(&self, store: &mut Store) -> Ran {
        let now = unix(self.now());
        let mut ran = Ran::default();
        let due = store
            .agenda
            .first_key_value()
            .is_some_and(|(k, _)| k.0 <= now);
        if !due {
            return ran;
        }
        let base = self.own_base();
        let mut notices = Vec::new();
        while let Some(entry) = store.agenda.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let key = *entry.key();
            let due = entry.remove();
            run(store, key, due, &mut ran, &mut notices);
            for Notice(id) in notices.drain(..) {
                if let Some(p) = store.payments.get(&id) {
                    let url = p.webhook_url.as_deref();
                    let render = || render(p, &base, true);
                    self.webhooks.notify_payment(
                        &p.id,
                        &p.status,
                        url,
                        (&base, instant(key.0)),
                        render,
                    );
                }
            }
        }
        ran
    }
}

fn run(store: &mut Store, key: (i64, u64), due: Due, ran: &mut Ran, notices: &mut Vec<Notice>) {
    let at = key.0;
    match due {
        Due::Charge(id) => charge(store, key, &id, ran, notices),
        Due::Settle(id) => settle(store, at, &id, ran, notices),
        Due::Expire(id) => expire(store, at, &id, ran, notices),
    }
}

fn notice(p: &PaymentRec) -> Notice {
    Notice(p.id.as_str().to_owned())
}

/// A pending direct debit becomes paid, or failed with its bank reason.
fn settle(store: &mut Store, at: i64, id: &str, ran: &mut Ran, out: &mut Vec<Notice>) {
    let Some(p) = store.payments.get_mut(id) else {
        return;
    };
    if p.status != PaymentStatus::Pending || p.method != Some(PaymentMethod::DirectDebit) {
        return;
    }
    let to = if p.fails_with.is_some() {
        PaymentStatus::Failed
    } else {
        PaymentStatus::Paid
    };
    if payment_state::change(p, to.clone(), instant(at)).is_err() {
        return;
    }
    if let Some(code) = p.fails_with.take() {
        let details = p.details.get_or_insert_with(Box::default);
        details.bank_reason = Some(bank_reason(&code).to_owned());
        details.bank_reason_code = Some(code);
        ran.failed += 1;
    } else {
        ran.settled += 1;
    }
    out.push(notice(p));
}

/// An open payment that nobody paid expires.
fn expire(store: &mut Store, at: i64, id: &str, ran: &mut Ran, out: &mut Vec<Notice>) {
    let Some(p) = store.payments.get_mut(id) else {
        return;
    };
    if p.status != PaymentStatus::Open {
        return;
    }
    if payment_state::change(p, PaymentStatus::Expired, instant(at)).is_ok() {
        ran.expired += 1;
        out.push(notice(p));
    }
}

/// The mandate a subscription charges now: its own, while valid, else the customer's newest
/// valid mandate of its method (any method without one).
fn mandate_for<'s>(store: &'s Store, s: &crate::store::SubscriptionRec) -> Option<&'s MandateRec> {
    if let Some(m) = &s.mandate_id {
        return store
            .mandates
            .get(m.as_str())
            .filter(|m| m.status == MandateStatus::Valid);
    }
    let customer = store.customer(s.env, s.customer_id.as_str())?;
    customer
        .mandates
        .values()
        .rev()
        .filter_map(|id| store.mandates.get(id))
        .filter(|m| m.status == MandateStatus::Valid)
        .find(|m| {
            s.method
                .as_ref()
                .is_none_or(|want| want.as_str() == m.method.as_str())
        })
}

/// A subscription's payment of the day: a recurring payment on its mandate, `pending` (a
/// direct debit, settling later) or at once `paid` (card, PayPal), or `failed` when the
/// control API said so. Then its next day is scheduled, or it completes.
fn charge(
    store: &mut Store,
    (at, seq): (i64, u64),
    id: &str,
    ran: &mut Ran,
    out: &mut Vec<Notice>,
) {
    let Some(s) = store.subscriptions.get(id) else {
        return;
    };
    // A stale entry: the subscription was canceled, completed, suspended or moved since.
    if s.status != SubscriptionStatus::Active || s.due_at != Some((at, seq)) {
        return;
    }
    let when = instant(at);
    let stamp = Timestamp::new(clock::timestamp(when));
    let mandate = mandate_for(store, s).cloned();
    let full = store.check_capacity().is_err();
    let Some(mandate) = mandate.filter(|_| !full) else {
        // No mandate to charge (or no room for the payment): it waits, suspended, until a
        // mandate becomes valid again.
        if let Some(s) = store.subscriptions.get_mut(id) {
            s.status = SubscriptionStatus::Suspended;
            s.due_at = None;
        }
        return;
    };
    let method = PaymentMethod::from(mandate.method.as_str());
    let fails = s.fail_next.clone();
    let payment_id = store.fresh_id("tr_", |x| mollie_models::PaymentId::parse(x).ok());
    let mut payment = PaymentRec {
        seq: 0,
        id: payment_id,
        env: s.env,
        customer_id: Some(s.customer_id.clone()),
        amount: s.amount.clone(),
        description: s.description.clone(),
        redirect_url: None,
        cancel_url: None,
        webhook_url: s.webhook_url.clone(),
        locale: None,
        method: Some(method.clone()),
        method_fixed: true,
        restrict_payment_methods_to_country: None,
        metadata: s.metadata.clone(),
        sequence_type: SequenceType::Recurring,
        mandate_id: Some(mandate.id.clone()),
        profile_id: s.profile_id.clone(),
        status: PaymentStatus::Pending,
        lines: None,
        billing_address: None,
        shipping_address: None,
        created_at: stamp.clone(),
        expires_at: None,
        paid_at: None,
        authorized_at: None,
        canceled_at: None,
        expired_at: None,
        failed_at: None,
        refunds: Default::default(),
        chargebacks: Default::default(),
        refunded: 0,
        charged_back: 0,
        subscription_id: Some(s.id.clone()),
        details: None,
        fails_with: None,
        status_reason: None,
    };
    payment.seq = store.seq();
    if method == PaymentMethod::DirectDebit {
        let (details, settles) = direct_debit(&mandate, when);
        payment.details = Some(Box::new(details));
        payment.fails_with = fails;
        store.schedule(settles, Due::Settle(payment.id.as_str().to_owned()));
    } else if fails.is_some() {
        payment.status = PaymentStatus::Failed;
        payment.failed_at = Some(stamp.clone());
        payment.status_reason = Some(StatusReason {
            code: StatusReasonCode("insufficient_funds".to_owned()),
            message: "The card has insufficient funds (set by mollie-mock)".to_owned(),
        });
        ran.failed += 1;
    } else {
        payment.status = PaymentStatus::Paid;
        payment.paid_at = Some(stamp.clone());
    }
    ran.charged += 1;
    out.push(notice(&payment));
    let (pseq, pid) = (payment.seq, payment.id.as_str().to_owned());
    store.insert_payment(payment);
    let Some(s) = store.subscriptions.get_mut(id) else {
        return;
    };
    s.payments.insert(pseq, pid);
    s.fail_next = None;
    subscription_state::after_payment(s, s.env == Env::Test, &stamp);
    // Its entry was taken off the agenda to run.
    s.due_at = None;
    if s.status.is_final() {
        ran.ended += 1;
        return;
    }
    // Never on or before the day just charged: a schedule moved meanwhile starts after it.
    let Some(next) = s
        .next_payment_date
        .map(|d| unix(clock::start_of(d)).max(at + 1))
    else {
        // No next day a date can hold (past the year 9999): it made all it can.
        s.status = SubscriptionStatus::Completed;
        ran.ended += 1;
        return;
    };
    let key = store.schedule(next, Due::Charge(id.to_owned()));
    if let Some(s) = store.subscriptions.get_mut(id) {
        s.due_at = Some(key);
    }
}

/// Schedules subscription `id`'s next payment (on its `next_payment_date`, or now when that
/// day has begun) if it is active; clears it otherwise.
///
/// An entry planned before is taken off the agenda, so that moving a schedule again and
/// again never grows it.
pub(crate) fn plan(store: &mut Store, id: &str, now: SystemTime) {
    let Some(s) = store.subscriptions.get_mut(id) else {
        return;
    };
    let at = match (&s.status, s.next_payment_date) {
        (SubscriptionStatus::Active, Some(day)) => Some(unix(clock::start_of(day)).max(unix(now))),
        _ => None,
    };
    if let (Some(at), Some(key)) = (at, s.due_at)
        && key.0 == at
    {
        // Already on the agenda at that time.
        return;
    }
    if let Some(old) = s.due_at.take() {
        store.agenda.remove(&old);
    }
    if let Some(at) = at {
        let key = store.schedule(at, Due::Charge(id.to_owned()));
        if let Some(s) = store.subscriptions.get_mut(id) {
            s.due_at = Some(key);
        }
    }
}

/// Takes subscription `id` off the agenda (it was canceled).
pub(crate) fn unplan(store: &mut Store, id: &str) {
    if let Some(key) = store
        .subscriptions
        .get_mut(id)
        .and_then(|s| s.due_at.take())
    {
        store.agenda.remove(&key);
    }
}

/// A mandate was revoked: the subscriptions that charge it are canceled (Mollie: "all
/// connected subscriptions will be canceled"), and so are those without a mandate of their
/// own that no other valid mandate of the customer can charge.
pub(crate) fn mandate_revoked(store: &mut Store, mandate: &MandateRec, now: SystemTime) {
    let stamp = Timestamp::new(clock::timestamp(now));
    let Some(customer) = store.customer(mandate.env, mandate.customer_id.as_str()) else {
        return;
    };
    let ids: Vec<String> = customer.subscriptions.values().cloned().collect();
    for id in ids {
        let Some(s) = store.subscriptions.get(&id) else {
            continue;
        };
        let connected = match &s.mandate_id {
            Some(m) => m == &mandate.id,
            None => mandate_for(store, s).is_none(),
        };
        if connected && let Some(s) = store.subscriptions.get_mut(&id) {
            subscription_state::cancel(s, &stamp);
            unplan(store, &id);
        }
    }
}

/// A mandate of the customer became valid: its pending and suspended subscriptions that can
/// charge it become active, and charge from their next payment day (today, if that day has
/// passed).
pub(crate) fn mandate_valid(store: &mut Store, mandate: &MandateRec, now: SystemTime) {
    let Some(customer) = store.customer(mandate.env, mandate.customer_id.as_str()) else {
        return;
    };
    let ids: Vec<String> = customer.subscriptions.values().cloned().collect();
    let today = clock::utc(now).date();
    for id in ids {
        let Some(s) = store.subscriptions.get_mut(&id) else {
            continue;
        };
        let waiting = matches!(
            s.status,
            SubscriptionStatus::Pending | SubscriptionStatus::Suspended
        );
        let fits = s.mandate_id.as_ref().is_none_or(|m| m == &mandate.id)
            && s.method
                .as_ref()
                .is_none_or(|want| want.as_str() == mandate.method.as_str());
        if waiting && fits {
            s.status = SubscriptionStatus::Active;
            if s.next_payment_date.is_some_and(|d| d < today) {
                s.next_payment_date = Some(today);
                s.anchor = Anchor::on(today, s.made);
            }
            plan(store, &id, now);
        }
    }
}

/// What moving the clock did: the mock's new now, and what ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClockReport {
    /// The mock's now after the move (`2027-03-29T19:38:25+00:00`).
    pub now: String,
    /// Payments made by subscriptions.
    pub charged: u32,
    /// Direct debits that became paid.
    pub settled: u32,
    /// Payments that failed (direct debits at settlement, card and PayPal charges at once).
    pub failed: u32,
    /// Open payments that expired.
    pub expired: u32,
    /// Subscriptions that ended by their schedule (completed, or canceled in test mode after
    /// ten payments).
    pub ended: u32,
}

impl App {
    fn report(&self, ran: Ran) -> ClockReport {
        ClockReport {
            now: clock::timestamp(self.now()),
            charged: ran.charged,
            settled: ran.settled,
            failed: ran.failed,
            expired: ran.expired,
            ended: ran.ended,
        }
    }

    /// Moves the clock forward by `by` (at most to 9999-12-31T23:59:59Z), then catches up.
    /// The store stays locked from the move to the end of the catch-up, so the report counts
    /// everything that fell due.
    pub(crate) fn advance_clock(&self, by: Duration) -> ClockReport {
        let mut store = lock(&self.store);
        // Whatever was due before the move runs first, stamped with its own time.
        let before = self.catch_up_locked(&mut store);
        self.clock.advance(by);
        let after = self.catch_up_locked(&mut store);
        drop(store);
        self.report(before.plus(after))
    }

    /// Moves the clock forward to `to`, then catches up. `field` names the request's field
    /// in errors.
    ///
    /// # Errors
    /// 422 on `field` when `to` is in the mock's past or after 9999-12-31T23:59:59Z.
    pub(crate) fn set_clock(&self, to: SystemTime, field: &str) -> Result<ClockReport, ApiError> {
        if to > clock::latest() {
            return Err(ApiError::unprocessable(
                field,
                "The mock's clock goes no further than 9999-12-31T23:59:59+00:00",
            ));
        }
        let mut store = lock(&self.store);
        let before = self.catch_up_locked(&mut store);
        self.clock.set(to).map_err(|back| {
            ApiError::unprocessable(
                field,
                format!(
                    "The mock's clock only moves forward; it is {} already",
                    clock::timestamp(back.now)
                ),
            )
        })?;
        let after = self.catch_up_locked(&mut store);
        drop(store);
        Ok(self.report(before.plus(after)))
    }

    /// Marks the next payment of subscription `id` to fail with bank reason `reason`.
    ///
    /// # Errors
    /// 404 for an unknown subscription, 422 for a final one or a malformed reason code.
    pub(crate) fn fail_next(&self, id: &str, reason: Option<&str>) -> Result<(), ApiError> {
        let reason = reason.unwrap_or(DEFAULT_BANK_REASON);
        if reason.len() != 4 || !reason.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(ApiError::unprocessable(
                "reason",
                "The reason must be a SEPA reason code of four letters and digits, such as AM04",
            ));
        }
        let mut store = lock(&self.store);
        let s = store
            .subscriptions
            .get_mut(id)
            .ok_or_else(|| crate::handlers::no_such("subscription", id))?;
        if s.status.is_final() {
            return Err(ApiError::unprocessable(
                "status",
                format!(
                    "The subscription is {}: it makes no more payments",
                    s.status
                ),
            ));
        }
        s.fail_next = Some(reason.to_ascii_uppercase());
        Ok(())
    }
}

impl Ran {
    fn plus(self, other: Ran) -> Ran {
        Ran {
            charged: self.charged + other.charged,
            settled: self.settled + other.settled,
            failed: self.failed + other.failed,
            expired: self.expired + other.expired,
            ended: self.ended + other.ended,
        }
    }
}

/// Catches up once a second while the server runs, so that what falls due as the wall
/// clock moves (a subscription's day at midnight) happens without a request.
pub(crate) async fn tick(app: std::sync::Weak<App>) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let Some(app) = app.upgrade() else {
            return;
        };
        app.catch_up();
    }
}
