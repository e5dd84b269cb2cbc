//! The mock's state: customers, mandates, payments, refunds, chargebacks and subscriptions,
//! each tagged with its mode, and the agenda of what is due at a later mock time.
//!
//! Lookups are by id; listing order is insertion order (a sequence number), which is how
//! `from`, `sort` and the `next`/`previous` cursors work. The number of stored objects is
//! capped.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use mollie_models::{
    Address, ApplicationFee, ChargebackId, ChargebackReason, CustomerId, Date, Interval, Locale,
    MandateDetails, MandateId, MandateMethod, MandateScope, MandateStatus, Money, PaymentDetails,
    PaymentId, PaymentLine, PaymentMethod, PaymentStatus, ProfileId, RefundExternalReference,
    RefundId, RefundStatus, SequenceType, SubscriptionId, SubscriptionMethod, SubscriptionStatus,
    Timestamp,
};
use serde_json::Value;

use crate::auth::Env;
use crate::errors::ApiError;
use crate::ids::random_id;
use crate::subscription_state::Anchor;

/// A stored customer.
#[derive(Debug, Clone)]
pub(crate) struct CustomerRec {
    pub seq: u64,
    pub id: CustomerId,
    pub env: Env,
    pub name: Option<String>,
    pub email: Option<String>,
    pub locale: Option<Locale>,
    pub metadata: Value,
    pub created_at: Timestamp,
    /// The customer's mandates, in creation order.
    pub mandates: BTreeMap<u64, String>,
    /// The customer's payments, in creation order.
    pub payments: BTreeMap<u64, String>,
    /// The customer's subscriptions, in creation order.
    pub subscriptions: BTreeMap<u64, String>,
}

/// A stored mandate.
#[derive(Debug, Clone)]
pub(crate) struct MandateRec {
    pub seq: u64,
    pub id: MandateId,
    pub env: Env,
    pub customer_id: CustomerId,
    pub method: MandateMethod,
    pub status: MandateStatus,
    pub details: MandateDetails,
    pub mandate_reference: Option<String>,
    pub signature_date: Option<Date>,
    pub scopes: Vec<MandateScope>,
    pub created_at: Timestamp,
}

/// A stored payment.
#[derive(Debug, Clone)]
pub(crate) struct PaymentRec {
    pub seq: u64,
    pub id: PaymentId,
    pub env: Env,
    /// The customer it was made for, if any. It stays when the customer is deleted, as at
    /// Mollie: the payment remains readable at `/v2/payments/{id}`.
    pub customer_id: Option<CustomerId>,
    pub amount: Money,
    pub description: String,
    pub redirect_url: Option<String>,
    pub cancel_url: Option<String>,
    pub webhook_url: Option<String>,
    pub locale: Option<Locale>,
    pub method: Option<PaymentMethod>,
    /// Whether one method was given at creation (then `method` cannot be updated).
    pub method_fixed: bool,
    pub restrict_payment_methods_to_country: Option<String>,
    pub metadata: Value,
    pub sequence_type: SequenceType,
    pub mandate_id: Option<MandateId>,
    pub profile_id: ProfileId,
    pub status: PaymentStatus,
    pub lines: Option<Vec<PaymentLine>>,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub paid_at: Option<Timestamp>,
    /// Set by the status changes of the control API (`POST /__mock/payments/{id}/status`).
    pub authorized_at: Option<Timestamp>,
    pub canceled_at: Option<Timestamp>,
    pub expired_at: Option<Timestamp>,
    pub failed_at: Option<Timestamp>,
    /// The payment's refunds, in creation order (canceled ones are removed).
    pub refunds: BTreeMap<u64, String>,
    /// The payment's chargebacks, in creation order.
    pub chargebacks: BTreeMap<u64, String>,
    /// What its refunds take, in minor units: those not canceled or failed
    /// ([`Store::recount`] keeps it).
    pub refunded: i64,
    /// What its chargebacks take, in minor units: those not reversed.
    pub charged_back: i64,
    /// The subscription that made it.
    pub subscription_id: Option<SubscriptionId>,
    /// What a direct debit shows of its mandate and collection (`transferReference`,
    /// `dueDate`, ...), and of its failure (`bankReasonCode`).
    pub details: Option<Box<PaymentDetails>>,
    /// A direct debit that will fail when it would settle, with this bank reason code.
    pub fails_with: Option<String>,
    /// Why a card payment failed.
    pub status_reason: Option<mollie_models::StatusReason>,
}

/// A stored subscription.
#[derive(Debug, Clone)]
pub(crate) struct SubscriptionRec {
    pub seq: u64,
    pub id: SubscriptionId,
    pub env: Env,
    pub customer_id: CustomerId,
    pub profile_id: ProfileId,
    pub status: SubscriptionStatus,
    pub amount: Money,
    pub times: Option<u32>,
    pub interval: Interval,
    pub start_date: time::Date,
    /// The day the schedule counts from, how many payments were made before it, and its day
    /// of the month (an update of `interval` or `startDate` starts a new schedule).
    pub anchor: Anchor,
    /// How many payments it made.
    pub made: u32,
    /// The day of the next payment; `None` once it is final.
    pub next_payment_date: Option<time::Date>,
    pub description: String,
    pub method: Option<SubscriptionMethod>,
    pub application_fee: Option<ApplicationFee>,
    pub metadata: Value,
    pub webhook_url: Option<String>,
    pub mandate_id: Option<MandateId>,
    pub created_at: Timestamp,
    pub canceled_at: Option<Timestamp>,
    /// The payments it made, in creation order.
    pub payments: BTreeMap<u64, String>,
    /// Its next payment fails, with this bank reason code (the control API).
    pub fail_next: Option<String>,
    /// Its entry in the agenda (unix seconds, sequence number), while it is planned.
    pub due_at: Option<(i64, u64)>,
}

/// Something due at a later mock time (the agenda's entries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Due {
    /// A subscription's next payment.
    Charge(String),
    /// A pending direct debit settles: paid, or failed.
    Settle(String),
    /// An open payment expires.
    Expire(String),
}

/// A stored refund.
#[derive(Debug, Clone)]
pub(crate) struct RefundRec {
    pub seq: u64,
    pub id: RefundId,
    pub env: Env,
    pub payment_id: PaymentId,
    /// The profile of its payment (for `profileId` filters).
    pub profile_id: ProfileId,
    pub amount: Money,
    pub description: String,
    pub metadata: Value,
    pub external_reference: Option<RefundExternalReference>,
    pub status: RefundStatus,
    pub created_at: Timestamp,
}

/// A stored chargeback (made by the control API: the customer's bank makes them).
#[derive(Debug, Clone)]
pub(crate) struct ChargebackRec {
    pub seq: u64,
    pub id: ChargebackId,
    pub env: Env,
    pub payment_id: PaymentId,
    /// The profile of its payment (for `profileId` filters).
    pub profile_id: ProfileId,
    pub amount: Money,
    pub reason: Option<ChargebackReason>,
    pub created_at: Timestamp,
    pub reversed_at: Option<Timestamp>,
}

/// What a stored object takes, estimated: its record, what its strings and JSON values hold,
/// and its entries in the orders and maps that list it.
pub(crate) trait Cost {
    fn cost(&self) -> usize;
}

/// Bytes of JSON `value` writes, counted without building it.
fn json_len(value: &impl serde::Serialize) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

/// What an object's entries in the id map and the orders that list it take.
const ENTRIES: usize = 160;

fn strings<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> usize {
    values.into_iter().flatten().map(str::len).sum()
}

impl Cost for CustomerRec {
    fn cost(&self) -> usize {
        std::mem::size_of::<Self>()
            + ENTRIES
            + strings([self.name.as_deref(), self.email.as_deref()])
            + json_len(&self.metadata)
    }
}

impl Cost for MandateRec {
    fn cost(&self) -> usize {
        std::mem::size_of::<Self>() + ENTRIES + strings([self.mandate_reference.as_deref()]) + 256 // the details' strings: a name, an account and a BIC or card data
    }
}

impl Cost for PaymentRec {
    fn cost(&self) -> usize {
        std::mem::size_of::<Self>()
            + ENTRIES
            + self.description.len()
            + strings([
                self.redirect_url.as_deref(),
                self.cancel_url.as_deref(),
                self.webhook_url.as_deref(),
            ])
            + json_len(&self.metadata)
            + self.lines.as_ref().map_or(0, json_len)
            + self.billing_address.as_ref().map_or(0, json_len)
            + self.shipping_address.as_ref().map_or(0, json_len)
            + self
                .details
                .as_ref()
                .map_or(0, |d| std::mem::size_of::<PaymentDetails>() + json_len(d))
    }
}

impl Cost for RefundRec {
    fn cost(&self) -> usize {
        std::mem::size_of::<Self>() + ENTRIES + self.description.len() + json_len(&self.metadata)
    }
}

impl Cost for ChargebackRec {
    fn cost(&self) -> usize {
        std::mem::size_of::<Self>() + ENTRIES + self.reason.as_ref().map_or(0, json_len)
    }
}

impl Cost for SubscriptionRec {
    fn cost(&self) -> usize {
        std::mem::size_of::<Self>()
            + ENTRIES
            + self.description.len()
            + strings([self.webhook_url.as_deref()])
            + json_len(&self.metadata)
    }
}

/// Everything the mock stores.
#[derive(Debug)]
pub(crate) struct Store {
    next_seq: u64,
    max_objects: usize,
    /// What the objects take ([`Cost`]), and how much they may.
    bytes: usize,
    max_bytes: usize,
    pub customers: HashMap<String, CustomerRec>,
    /// Customers in creation order, per mode.
    pub customer_order: [BTreeMap<u64, String>; 2],
    pub mandates: HashMap<String, MandateRec>,
    pub payments: HashMap<String, PaymentRec>,
    /// Payments in creation order, per mode.
    pub payment_order: [BTreeMap<u64, String>; 2],
    pub refunds: HashMap<String, RefundRec>,
    /// Refunds in creation order, per mode.
    pub refund_order: [BTreeMap<u64, String>; 2],
    pub chargebacks: HashMap<String, ChargebackRec>,
    /// Chargebacks in creation order, per mode.
    pub chargeback_order: [BTreeMap<u64, String>; 2],
    pub subscriptions: HashMap<String, SubscriptionRec>,
    /// Subscriptions in creation order, per mode.
    pub subscription_order: [BTreeMap<u64, String>; 2],
    /// What is due when, by unix second (and a sequence number, so that entries due at the
    /// same second keep their order). An entry whose object changed meanwhile is skipped
    /// when it comes up.
    pub agenda: BTreeMap<(i64, u64), Due>,
}

/// One page of a list: the ids on it and the cursors around it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Page {
    pub ids: Vec<String>,
    /// The first id of the next page.
    pub next: Option<String>,
    /// The first id of the previous page.
    pub previous: Option<String>,
}

impl Store {
    pub fn new(max_objects: usize, max_bytes: usize) -> Self {
        Self {
            next_seq: 1,
            max_objects,
            bytes: 0,
            max_bytes,
            customers: HashMap::new(),
            customer_order: [BTreeMap::new(), BTreeMap::new()],
            mandates: HashMap::new(),
            payments: HashMap::new(),
            payment_order: [BTreeMap::new(), BTreeMap::new()],
            refunds: HashMap::new(),
            refund_order: [BTreeMap::new(), BTreeMap::new()],
            chargebacks: HashMap::new(),
            chargeback_order: [BTreeMap::new(), BTreeMap::new()],
            subscriptions: HashMap::new(),
            subscription_order: [BTreeMap::new(), BTreeMap::new()],
            agenda: BTreeMap::new(),
        }
    }

    pub fn clear(&mut self) {
        *self = Self::new(self.max_objects, self.max_bytes);
    }

    /// What the objects take, by [`Cost`], and how much they may.
    pub fn bytes(&self) -> (usize, usize) {
        (self.bytes, self.max_bytes)
    }

    /// Counts what the objects take afresh (after a store was built whole, e.g. imported).
    pub fn recount_bytes(&mut self) {
        self.bytes = self.customers.values().map(Cost::cost).sum::<usize>()
            + self.mandates.values().map(Cost::cost).sum::<usize>()
            + self.payments.values().map(Cost::cost).sum::<usize>()
            + self.refunds.values().map(Cost::cost).sum::<usize>()
            + self.chargebacks.values().map(Cost::cost).sum::<usize>()
            + self.subscriptions.values().map(Cost::cost).sum::<usize>();
    }

    fn add(&mut self, cost: usize) {
        self.bytes = self.bytes.saturating_add(cost);
    }

    fn take(&mut self, cost: usize) {
        self.bytes = self.bytes.saturating_sub(cost);
    }

    /// Stores a new customer, in its mode's order.
    pub fn insert_customer(&mut self, customer: CustomerRec) {
        self.add(customer.cost());
        self.customer_order[customer.env.index()]
            .insert(customer.seq, customer.id.as_str().to_owned());
        self.customers
            .insert(customer.id.as_str().to_owned(), customer);
    }

    /// Stores a new mandate, in its customer's order.
    pub fn insert_mandate(&mut self, mandate: MandateRec) {
        self.add(mandate.cost());
        let (seq, id) = (mandate.seq, mandate.id.as_str().to_owned());
        if let Some(c) = self.customer_mut(mandate.env, mandate.customer_id.as_str()) {
            c.mandates.insert(seq, id.clone());
        }
        self.mandates.insert(id, mandate);
    }

    /// Replaces a stored payment with its changed record.
    pub fn replace_payment(&mut self, payment: PaymentRec) {
        let cost = payment.cost();
        if let Some(old) = self
            .payments
            .insert(payment.id.as_str().to_owned(), payment)
        {
            self.take(old.cost());
        }
        self.add(cost);
    }

    /// The most objects it stores.
    pub fn max_objects(&self) -> usize {
        self.max_objects
    }

    /// How many objects are stored.
    pub fn objects(&self) -> usize {
        self.customers.len()
            + self.mandates.len()
            + self.payments.len()
            + self.refunds.len()
            + self.chargebacks.len()
            + self.subscriptions.len()
    }

    /// Refuses a new object once the cap of objects or of their bytes is reached (one object
    /// may pass the bytes' bound by its own size: at most a request body). The condition lasts
    /// until objects are deleted or the mock is reset, so the answer is a 422 that clients do
    /// not retry.
    pub fn check_capacity(&self) -> Result<(), ApiError> {
        if self.bytes >= self.max_bytes {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "The mock server's objects may take at most {} bytes (MockConfig::max_object_bytes) and it is full; delete objects or reset it with POST /__mock/reset",
                    self.max_bytes
                ),
            ));
        }
        if self.objects() >= self.max_objects {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "The mock server stores at most {} objects and is full; delete objects or reset it with POST /__mock/reset",
                    self.max_objects
                ),
            ));
        }
        Ok(())
    }

    /// The next sequence number.
    pub fn seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// A fresh id of type `T` that no stored object has.
    pub fn fresh_id<T>(&self, prefix: &str, parse: impl Fn(&str) -> Option<T>) -> T {
        loop {
            let id = random_id(prefix);
            if self.customers.contains_key(&id)
                || self.mandates.contains_key(&id)
                || self.payments.contains_key(&id)
                || self.refunds.contains_key(&id)
                || self.chargebacks.contains_key(&id)
                || self.subscriptions.contains_key(&id)
            {
                continue;
            }
            // `random_id` only makes ids of Mollie's shape, so this always parses.
            if let Some(typed) = parse(&id) {
                return typed;
            }
        }
    }

    /// The customer `id` in mode `env`.
    pub fn customer(&self, env: Env, id: &str) -> Option<&CustomerRec> {
        self.customers.get(id).filter(|c| c.env == env)
    }

    /// The customer `id` in mode `env`, to change.
    pub fn customer_mut(&mut self, env: Env, id: &str) -> Option<&mut CustomerRec> {
        self.customers.get_mut(id).filter(|c| c.env == env)
    }

    /// Removes a customer with its mandates (revoked with it) and cancels its subscriptions
    /// at `now`. Its payments and subscriptions stay: Mollie keeps payments readable at
    /// `/v2/payments/{id}`, and subscriptions in `/v2/subscriptions`.
    pub fn delete_customer(&mut self, env: Env, id: &str, now: &Timestamp) -> bool {
        let Some(customer) = self.customers.remove(id) else {
            return false;
        };
        if customer.env != env {
            self.customers.insert(id.to_owned(), customer);
            return false;
        }
        self.customer_order[env.index()].remove(&customer.seq);
        self.take(customer.cost());
        for mandate in customer.mandates.values() {
            if let Some(m) = self.mandates.remove(mandate) {
                self.take(m.cost());
            }
        }
        for subscription in customer.subscriptions.values() {
            if let Some(s) = self.subscriptions.get_mut(subscription) {
                crate::subscription_state::cancel(s, now);
                if let Some(key) = s.due_at.take() {
                    self.agenda.remove(&key);
                }
            }
        }
        true
    }

    /// Adds `due` to the agenda at `at` (unix seconds); its key.
    pub fn schedule(&mut self, at: i64, due: Due) -> (i64, u64) {
        let key = (at, self.seq());
        self.agenda.insert(key, due);
        key
    }

    /// Stores a new subscription, in its mode's order and its customer's.
    pub fn insert_subscription(&mut self, subscription: SubscriptionRec) {
        let (seq, id, env) = (
            subscription.seq,
            subscription.id.as_str().to_owned(),
            subscription.env,
        );
        if let Some(c) = self.customer_mut(env, subscription.customer_id.as_str()) {
            c.subscriptions.insert(seq, id.clone());
        }
        self.subscription_order[env.index()].insert(seq, id.clone());
        self.add(subscription.cost());
        self.subscriptions.insert(id, subscription);
    }

    /// The payment `id` in mode `env`.
    pub fn payment(&self, env: Env, id: &str) -> Option<&PaymentRec> {
        self.payments.get(id).filter(|p| p.env == env)
    }

    /// Stores a new payment, in its mode's order and its customer's.
    pub fn insert_payment(&mut self, payment: PaymentRec) {
        let (seq, id, env) = (payment.seq, payment.id.as_str().to_owned(), payment.env);
        if let Some(customer) = &payment.customer_id
            && let Some(c) = self.customer_mut(env, customer.as_str())
        {
            c.payments.insert(seq, id.clone());
        }
        self.payment_order[env.index()].insert(seq, id.clone());
        self.add(payment.cost());
        self.payments.insert(id, payment);
    }

    /// Stores a new refund, in its mode's order and its payment's.
    pub fn insert_refund(&mut self, refund: RefundRec) {
        let (seq, id, env) = (refund.seq, refund.id.as_str().to_owned(), refund.env);
        if let Some(p) = self.payments.get_mut(refund.payment_id.as_str()) {
            p.refunds.insert(seq, id.clone());
        }
        self.refund_order[env.index()].insert(seq, id.clone());
        let payment = refund.payment_id.as_str().to_owned();
        self.add(refund.cost());
        self.refunds.insert(id, refund);
        self.recount(&payment);
    }

    /// Removes a refund (a canceled one: Mollie answers 404 for it from then on).
    pub fn remove_refund(&mut self, id: &str) -> Option<RefundRec> {
        let refund = self.refunds.remove(id)?;
        self.take(refund.cost());
        self.refund_order[refund.env.index()].remove(&refund.seq);
        if let Some(p) = self.payments.get_mut(refund.payment_id.as_str()) {
            p.refunds.remove(&refund.seq);
        }
        self.recount(refund.payment_id.as_str());
        Some(refund)
    }

    /// Stores a new chargeback, in its mode's order and its payment's.
    pub fn insert_chargeback(&mut self, chargeback: ChargebackRec) {
        let (seq, id, env) = (
            chargeback.seq,
            chargeback.id.as_str().to_owned(),
            chargeback.env,
        );
        if let Some(p) = self.payments.get_mut(chargeback.payment_id.as_str()) {
            p.chargebacks.insert(seq, id.clone());
        }
        self.chargeback_order[env.index()].insert(seq, id.clone());
        let payment = chargeback.payment_id.as_str().to_owned();
        self.add(chargeback.cost());
        self.chargebacks.insert(id, chargeback);
        self.recount(&payment);
    }

    /// Sums the refunds and chargebacks of payment `id` into its `refunded` and
    /// `charged_back` (after any of them changed).
    pub fn recount(&mut self, id: &str) {
        let Some(payment) = self.payments.get(id) else {
            return;
        };
        let refunded = payment
            .refunds
            .values()
            .filter_map(|r| self.refunds.get(r))
            .filter(|r| crate::refund_state::counts(&r.status))
            .filter_map(|r| r.amount.minor_units())
            .fold(0i64, i64::saturating_add);
        let charged_back = payment
            .chargebacks
            .values()
            .filter_map(|c| self.chargebacks.get(c))
            .filter(|c| c.reversed_at.is_none())
            .filter_map(|c| c.amount.minor_units())
            .fold(0i64, i64::saturating_add);
        if let Some(payment) = self.payments.get_mut(id) {
            payment.refunded = refunded;
            payment.charged_back = charged_back;
        }
    }
}

/// Pages through `order` (creation order), keeping the ids `keep` accepts.
///
/// `from` is the sequence number of the first item (inclusive) in the listing direction;
/// `desc` lists newest first.
pub(crate) fn page(
    order: &BTreeMap<u64, String>,
    from: Option<u64>,
    limit: usize,
    desc: bool,
    keep: impl Fn(&str) -> bool,
) -> Page {
    // Forward: in listing order from `from`. Backward: the other way, before `from`.
    let (forward, backward): (Vec<&String>, Vec<&String>) = if desc {
        let start = from.unwrap_or(u64::MAX);
        (
            order
                .range(..=start)
                .rev()
                .map(|(_, id)| id)
                .filter(|id| keep(id))
                .take(limit + 1)
                .collect(),
            match from {
                Some(f) => order
                    .range(f.saturating_add(1)..)
                    .map(|(_, id)| id)
                    .filter(|id| keep(id))
                    .take(limit)
                    .collect(),
                None => Vec::new(),
            },
        )
    } else {
        let start = from.unwrap_or(0);
        (
            order
                .range(start..)
                .map(|(_, id)| id)
                .filter(|id| keep(id))
                .take(limit + 1)
                .collect(),
            match from {
                Some(f) => order
                    .range(..f)
                    .rev()
                    .map(|(_, id)| id)
                    .filter(|id| keep(id))
                    .take(limit)
                    .collect(),
                None => Vec::new(),
            },
        )
    };
    let next = forward.get(limit).map(|id| (*id).clone());
    let ids = forward.into_iter().take(limit).cloned().collect();
    Page {
        ids,
        next,
        previous: backward.last().map(|id| (*id).clone()),
    }
}

/// The records the account-wide lists page through: the same three fields each.
macro_rules! account_wide {
    ($($record:ty),+) => {$(
        impl crate::handlers::AccountWide for $record {
            fn env(&self) -> Env {
                self.env
            }
            fn seq(&self) -> u64 {
                self.seq
            }
            fn profile_id(&self) -> &ProfileId {
                &self.profile_id
            }
        }
    )+};
}

account_wide!(RefundRec, ChargebackRec, SubscriptionRec);

#[cfg(test)]
mod tests {
    use super::*;

    fn order(n: u64) -> BTreeMap<u64, String> {
        (1..=n).map(|i| (i, format!("cst_{i}"))).collect()
    }

    #[test]
    fn pages_newest_first_with_cursors() {
        let order = order(5);
        let first = page(&order, None, 2, true, |_| true);
        assert_eq!(first.ids, ["cst_5", "cst_4"]);
        assert_eq!(first.next.as_deref(), Some("cst_3"));
        assert_eq!(first.previous, None);
        let second = page(&order, Some(3), 2, true, |_| true);
        assert_eq!(second.ids, ["cst_3", "cst_2"]);
        assert_eq!(second.next.as_deref(), Some("cst_1"));
        assert_eq!(second.previous.as_deref(), Some("cst_5"));
        let last = page(&order, Some(1), 2, true, |_| true);
        assert_eq!(last.ids, ["cst_1"]);
        assert_eq!(last.next, None);
    }

    #[test]
    fn pages_oldest_first_and_filters() {
        let order = order(5);
        let p = page(&order, Some(2), 2, false, |id| id != "cst_3");
        assert_eq!(p.ids, ["cst_2", "cst_4"]);
        assert_eq!(p.next.as_deref(), Some("cst_5"));
        assert_eq!(p.previous.as_deref(), Some("cst_1"));
    }
}
