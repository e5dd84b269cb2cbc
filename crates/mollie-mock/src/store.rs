//! The mock's state: customers, mandates and payments, each tagged with its mode.
//!
//! Lookups are by id; listing order is insertion order (a sequence number), which is how
//! `from`, `sort` and the `next`/`previous` cursors work. The number of stored objects is
//! capped.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use mollie_models::{
    Address, CustomerId, Date, Locale, MandateDetails, MandateId, MandateMethod, MandateScope,
    MandateStatus, Money, PaymentId, PaymentLine, PaymentMethod, PaymentStatus, ProfileId,
    SequenceType, Timestamp,
};
use serde_json::Value;

use crate::auth::Env;
use crate::errors::ApiError;
use crate::ids::random_id;

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
    pub customer_id: CustomerId,
    pub amount: Money,
    pub description: String,
    pub redirect_url: Option<String>,
    pub cancel_url: Option<String>,
    pub webhook_url: Option<String>,
    pub locale: Option<Locale>,
    pub method: Option<PaymentMethod>,
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
}

/// Everything the mock stores.
#[derive(Debug)]
pub(crate) struct Store {
    next_seq: u64,
    max_objects: usize,
    pub customers: HashMap<String, CustomerRec>,
    /// Customers in creation order, per mode.
    pub customer_order: [BTreeMap<u64, String>; 2],
    pub mandates: HashMap<String, MandateRec>,
    pub payments: HashMap<String, PaymentRec>,
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
    pub fn new(max_objects: usize) -> Self {
        Self {
            next_seq: 1,
            max_objects,
            customers: HashMap::new(),
            customer_order: [BTreeMap::new(), BTreeMap::new()],
            mandates: HashMap::new(),
            payments: HashMap::new(),
        }
    }

    pub fn clear(&mut self) {
        *self = Self::new(self.max_objects);
    }

    /// How many objects are stored.
    pub fn objects(&self) -> usize {
        self.customers.len() + self.mandates.len() + self.payments.len()
    }

    /// Refuses a new object once the cap is reached. The condition lasts until objects are
    /// deleted or the mock is reset, so the answer is a 422 that clients do not retry.
    pub fn check_capacity(&self) -> Result<(), ApiError> {
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

    /// Removes a customer and everything only reachable through it: its mandates are
    /// revoked with it, and its payments go with it.
    pub fn delete_customer(&mut self, env: Env, id: &str) -> bool {
        let Some(customer) = self.customers.remove(id) else {
            return false;
        };
        if customer.env != env {
            self.customers.insert(id.to_owned(), customer);
            return false;
        }
        self.customer_order[env.index()].remove(&customer.seq);
        for mandate in customer.mandates.values() {
            self.mandates.remove(mandate);
        }
        for payment in customer.payments.values() {
            self.payments.remove(payment);
        }
        true
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
