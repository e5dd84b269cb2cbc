//! The retry budget: a token bucket shared by a client and its clones, from which every retry
//! withdraws and every success pays back a little. When an incident makes many calls fail,
//! the bucket empties and calls stop retrying (they fail fast with their error and key)
//! instead of multiplying the load on Mollie. aws-sdk's "standard" retry mode is the anchor.
//!
//! The arithmetic is pure ([`RetryBudget`]); the client keeps one behind a mutex.

/// Retry budget settings, and the bucket itself.
///
/// Defaults, and why: a bucket of 500 tokens; a retry after a 5xx, a timeout or a broken
/// connection costs 10, a retry after a 429 costs 5 (nothing while the client's adaptive rate
/// limit is on: such a retry waits for a paced slot, so it cannot add load), and every
/// successful call pays back 1. So a burst of up to 50 retries is
/// always possible, and during a lasting incident in which a share `f` of calls fail, the
/// successes fund at most `(1 - f) / 10` retries per call: the retries add less than 10% to
/// the load, whatever `f` is.
///
/// ```
/// use mollie_core::RetryBudget;
///
/// let mut budget = RetryBudget::default();
/// assert!(budget.withdraw_for_error()); // 490 left
/// for _ in 0..49 {
///     budget.withdraw_for_error();
/// }
/// assert_eq!(budget.tokens(), 0);
/// assert!(!budget.withdraw_for_error(), "empty: no retry");
/// budget.pay_back_success();
/// assert_eq!(budget.tokens(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryBudget {
    capacity: u32,
    tokens: u32,
    error_cost: u32,
    throttle_cost: u32,
    success_pay_back: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self::new(500)
    }
}

impl RetryBudget {
    /// A full bucket of `capacity` tokens, with the default costs.
    pub fn new(capacity: u32) -> Self {
        Self {
            capacity,
            tokens: capacity,
            error_cost: 10,
            throttle_cost: 5,
            success_pay_back: 1,
        }
    }

    /// No budget: retries are never refused by it (each call still has its attempts and
    /// deadline).
    pub fn unlimited() -> Self {
        Self {
            capacity: u32::MAX,
            tokens: u32::MAX,
            error_cost: 0,
            throttle_cost: 0,
            success_pay_back: 0,
        }
    }

    /// What a retry after a 5xx, a timeout or a broken connection costs.
    pub fn error_cost(mut self, cost: u32) -> Self {
        self.error_cost = cost;
        self
    }

    /// What a retry after a 429 costs.
    pub fn throttle_cost(mut self, cost: u32) -> Self {
        self.throttle_cost = cost;
        self
    }

    /// What a successful call pays back.
    pub fn success_pay_back(mut self, tokens: u32) -> Self {
        self.success_pay_back = tokens;
        self
    }

    /// Tokens left.
    pub fn tokens(&self) -> u32 {
        self.tokens
    }

    /// The bucket's size.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Takes `cost` tokens if there are that many; `false` (nothing taken) otherwise.
    pub fn withdraw(&mut self, cost: u32) -> bool {
        match self.tokens.checked_sub(cost) {
            Some(left) => {
                self.tokens = left;
                true
            }
            None => false,
        }
    }

    /// Pays for a retry after an error (5xx, timeout, broken connection).
    pub fn withdraw_for_error(&mut self) -> bool {
        self.withdraw(self.error_cost)
    }

    /// Pays for a retry after a 429.
    pub fn withdraw_for_throttle(&mut self) -> bool {
        self.withdraw(self.throttle_cost)
    }

    /// A call succeeded: pays back, up to the capacity.
    pub fn pay_back_success(&mut self) {
        self.tokens = self
            .tokens
            .saturating_add(self.success_pay_back)
            .min(self.capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_withdraw_and_successes_pay_back_up_to_the_capacity() {
        let mut budget = RetryBudget::new(20);
        assert!(budget.withdraw_for_error());
        assert!(budget.withdraw_for_throttle());
        assert_eq!(budget.tokens(), 5);
        assert!(
            !budget.withdraw_for_error(),
            "10 > 5: refused, nothing taken"
        );
        assert_eq!(budget.tokens(), 5);
        assert!(budget.withdraw_for_throttle());
        assert_eq!(budget.tokens(), 0);
        for _ in 0..100 {
            budget.pay_back_success();
        }
        assert_eq!(budget.tokens(), 20, "never above the capacity");
    }

    #[test]
    fn an_incident_adds_under_a_tenth_to_the_load() {
        // 10,000 calls, 30% of them failing: once the bucket is drained, only what the
        // successes pay back funds retries.
        let mut budget = RetryBudget::default();
        let mut retries = 0u32;
        for call in 0..10_000u32 {
            if call % 10 < 3 {
                if budget.withdraw_for_error() {
                    retries += 1;
                }
            } else {
                budget.pay_back_success();
            }
        }
        // The initial 500 tokens fund 50 retries; 7,000 successes fund 700 more, less the
        // 10 tokens left over at the end.
        assert_eq!(retries, 749);
        assert_eq!(budget.tokens(), 10);
        assert!(retries < 10_000 / 10);
    }

    #[test]
    fn unlimited_never_refuses() {
        let mut budget = RetryBudget::unlimited();
        for _ in 0..1000 {
            assert!(budget.withdraw_for_error());
        }
    }
}
