//! The money test: 10,000 recurring SEPA charges through the SDK while mollie-mock fails about a
//! third of them (500/502/503, 429, dropped connections, and "processed, then the answer
//! lost"), and the proof that nobody is charged twice.
//!
//! Which call meets which faults is a fixed pseudo-random plan (seeded), queued on the mock
//! for that call's customer just before the call, so every run injects the same faults.
//! Customers run concurrently, each one's calls in sequence.
//!
//! Checked:
//! - every call ends, within a time bound, in a payment or a typed error (no panic, no hang);
//! - after the storm, the mock holds exactly one payment for each successful call (the one
//!   it returned), one for each failed call whose request was processed before its answer was
//!   lost, and nothing else: no description (unique per call) twice;
//! - every failed call's error carries its idempotency key; retried later with that key it
//!   succeeds, replaying the stored payment where there is one, and the mock then holds
//!   exactly one payment per call;
//! - every attempt of a call carried the call's key, and every queued fault was used.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use mollie_mock::MockServer;
use mollie_sdk::{
    Currency, CustomerId, Error, MandateId, Mollie, Money, NewPayment, Payment, PaymentStatus,
    RetryPolicy,
};
use mollie_tests::{TEST_KEY, builder, customer, key, sepa_mandate};

const CALLS: usize = 10_000;
const CUSTOMERS: usize = 20;
const SEED: u64 = 0x5EED_0005;
/// The client's attempts per call; a plan of this many faults makes the call fail.
const ATTEMPTS: u32 = 3;

/// Faults that the retries get past. `true`: the first one processes the request.
const RECOVERABLE: &[(&[&str], bool)] = &[
    (&["status=500"], false),
    (&["status=502"], false),
    (&["status=503"], false),
    (&["status=429;retry-after=0"], false),
    (&["drop"], false),
    (&["status=503", "drop"], false),
    (&["fail-after-commit"], true),
    (&["fail-after-commit=502"], true),
    (&["fail-after-commit=drop"], true),
    (&["fail-after-commit=drop", "status=502"], true),
];

/// Faults that outlast the retries (or, for the long `Retry-After`, are not waited out): the
/// call ends in a typed error. `true`: the first one processes the request anyway.
const FATAL: &[(&[&str], bool)] = &[
    (&["status=503", "status=503", "status=503"], false),
    (&["status=500", "status=502", "status=503"], false),
    (&["drop", "drop", "drop"], false),
    (
        &[
            "status=429;retry-after=0",
            "status=429;retry-after=0",
            "status=429;retry-after=0",
        ],
        false,
    ),
    (&["status=429;retry-after=30"], false),
    (&["fail-after-commit", "status=500", "status=500"], true),
    (&["fail-after-commit=drop", "drop", "drop"], true),
];

/// What the mock does to one call.
#[derive(Debug, Clone, Copy)]
struct Plan {
    faults: &'static [&'static str],
    /// Whether the request is processed (a payment stored) despite the faults.
    commits_early: bool,
    fatal: bool,
}

impl Plan {
    const CLEAN: Plan = Plan {
        faults: &[],
        commits_early: false,
        fatal: false,
    };
}

/// SplitMix64: a tiny, well-known generator, so the plan needs no dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("small")
    }
}

/// One plan per call: a third faulted, of those one in five fatal.
fn plans() -> Vec<Plan> {
    let mut rng = SplitMix(SEED);
    (0..CALLS)
        .map(|_| {
            if rng.below(3) != 0 {
                return Plan::CLEAN;
            }
            let fatal = rng.below(5) == 0;
            let table = if fatal { FATAL } else { RECOVERABLE };
            let (faults, commits_early) = table[rng.below(table.len())];
            Plan {
                faults,
                commits_early,
                fatal,
            }
        })
        .collect()
}

fn description(call: usize) -> String {
    format!("charge-{call:04}")
}

fn idempotency_key(call: usize) -> String {
    format!("money-{call:04}")
}

fn charge(call: usize, mandate: &MandateId) -> NewPayment {
    let cents = 100 + i64::try_from(call).expect("small");
    NewPayment::recurring(
        Money::from_minor_units(Currency::EUR, cents).expect("a small amount"),
        description(call),
        mandate,
    )
}

/// The outcome of one call.
#[derive(Debug)]
struct Outcome {
    call: usize,
    result: Result<(Payment, bool), Error>,
}

/// Sends one customer's calls in sequence, queueing each call's faults just before it.
async fn charge_customer(
    server: &MockServer,
    mollie: Mollie,
    customer: CustomerId,
    mandate: MandateId,
    calls: Vec<(usize, Plan)>,
) -> Vec<Outcome> {
    let matcher = format!("POST /v2/customers/{customer}/payments");
    let mut outcomes = Vec::with_capacity(calls.len());
    for (call, plan) in calls {
        for fault in plan.faults {
            server
                .queue_fault(fault, 1, Some(&matcher))
                .expect("a valid fault");
        }
        let result = mollie
            .customer_payments(&customer)
            .create(charge(call, &mandate))
            .idempotency_key(key(&idempotency_key(call)))
            .send_with_meta()
            .await
            .map(|r| (r.value, r.meta.idempotent_replayed()));
        outcomes.push(Outcome { call, result });
    }
    outcomes
}

/// Every payment stored for these customers, by description.
async fn stored(mollie: &Mollie, customers: &[CustomerId]) -> BTreeMap<String, Vec<Payment>> {
    let mut by_description: BTreeMap<String, Vec<Payment>> = BTreeMap::new();
    for customer in customers {
        let payments: Vec<Payment> = mollie
            .customer_payments(customer)
            .list()
            .limit(250)
            .stream()
            .try_collect()
            .await
            .expect("the list streams");
        for payment in payments {
            by_description
                .entry(payment.description.clone())
                .or_default()
                .push(payment);
        }
    }
    by_description
}

/// The kind of a typed error, for the figures; panics on a kind a fault cannot cause.
fn kind(error: &Error) -> &'static str {
    match error {
        Error::Api { status: 500, .. } => "api 500",
        Error::Api { status: 502, .. } => "api 502",
        Error::Api { status: 503, .. } => "api 503",
        Error::RateLimited { .. } => "rate limited",
        Error::Transport { .. } => "transport",
        other => panic!("an injected fault cannot cause {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_charges_through_faults_never_charge_twice() {
    tokio::time::timeout(Duration::from_secs(300), run())
        .await
        .expect("the money test ends in time: no call hangs");
}

async fn run() {
    let started = Instant::now();
    // The log keeps every attempt of the storm, to check each carried its call's key.
    let server = mollie_mock::MockConfig::new()
        .max_logged_requests(4 * CALLS)
        .max_log_bytes(512 << 20)
        .start()
        .await
        .expect("the mock starts");
    let mollie = builder(&server)
        .api_key(TEST_KEY)
        .unwrap()
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(ATTEMPTS)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2))
                .max_retry_after(Duration::from_secs(1)),
        )
        // The storm's 429s are injected at random, one call at a time, not a rate limit to
        // learn (tests/tests/month_end.rs tests that); and its retries are the subject here,
        // so the shared budget must not be what ends them.
        .adaptive_rate_limit(false)
        .retry_budget(mollie_sdk::core::RetryBudget::unlimited())
        .build()
        .unwrap();

    let mut customers = Vec::new();
    let mut mandates = Vec::new();
    for n in 0..CUSTOMERS {
        let c = customer(&mollie, &format!("Subscriber {n}")).await;
        mandates.push(sepa_mandate(&mollie, &c.id).await.id);
        customers.push(c.id);
    }
    let plans = plans();
    let faulted = plans.iter().filter(|p| !p.faults.is_empty()).count();
    let fatal = plans.iter().filter(|p| p.fatal).count();
    assert!(
        (CALLS / 4..CALLS * 2 / 5).contains(&faulted),
        "about a third faulted: {faulted}"
    );
    assert!(fatal > 10, "enough calls fail for good: {fatal}");
    let log_start = server.requests().last().map_or(0, |r| r.seq);

    // Phase 1: the storm. One task per customer; the mock is shared.
    let server = std::sync::Arc::new(server);
    let mut tasks = Vec::new();
    for (n, (customer, mandate)) in customers.iter().zip(&mandates).enumerate() {
        let calls: Vec<(usize, Plan)> = (0..CALLS)
            .filter(|call| call % CUSTOMERS == n)
            .map(|call| (call, plans[call]))
            .collect();
        let server = server.clone();
        let mollie = mollie.clone();
        let (customer, mandate) = (customer.clone(), mandate.clone());
        tasks.push(tokio::spawn(async move {
            charge_customer(&server, mollie, customer, mandate, calls).await
        }));
    }
    let mut outcomes = Vec::with_capacity(CALLS);
    for task in tasks {
        outcomes.extend(task.await.expect("no call panicked"));
    }
    outcomes.sort_by_key(|o| o.call);
    assert_eq!(outcomes.len(), CALLS);

    let mut errors_by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let mut succeeded: HashMap<usize, Payment> = HashMap::new();
    let mut replayed = 0;
    for outcome in &outcomes {
        let plan = plans[outcome.call];
        match &outcome.result {
            Ok((payment, was_replayed)) => {
                assert!(
                    !plan.fatal,
                    "call {} cannot succeed: {plan:?}",
                    outcome.call
                );
                assert_eq!(payment.description, description(outcome.call));
                assert_eq!(payment.status, PaymentStatus::Pending);
                assert_eq!(*was_replayed, plan.commits_early, "call {}", outcome.call);
                replayed += usize::from(*was_replayed);
                succeeded.insert(outcome.call, payment.clone());
            }
            Err(error) => {
                assert!(
                    plan.fatal,
                    "call {} should have recovered: {error:?}",
                    outcome.call
                );
                *errors_by_kind.entry(kind(error)).or_default() += 1;
                assert!(error.is_retryable(), "{error:?}");
                // What a payment service decides on: a call whose first attempt was
                // processed must never claim to be "not sent" or "rejected".
                if plan.commits_early {
                    assert_eq!(
                        error.outcome(),
                        mollie_sdk::Outcome::Unknown,
                        "call {}",
                        outcome.call
                    );
                } else {
                    assert!(
                        matches!(
                            error.outcome(),
                            mollie_sdk::Outcome::Unknown | mollie_sdk::Outcome::Rejected
                        ),
                        "call {}: {error:?}",
                        outcome.call
                    );
                }
                assert_eq!(
                    error.idempotency_key().map(|k| k.as_str().to_owned()),
                    Some(idempotency_key(outcome.call)),
                    "the error carries the call's key"
                );
            }
        }
    }

    // After the storm: one payment per success (the one returned), one per failed call
    // whose request was processed, nothing else.
    let after_storm = stored(&mollie, &customers).await;
    for (description, payments) in &after_storm {
        assert_eq!(
            payments.len(),
            1,
            "{description} charged {} times",
            payments.len()
        );
    }
    for (call, plan) in plans.iter().enumerate() {
        let held = after_storm.get(&description(call));
        match succeeded.get(&call) {
            Some(payment) => assert_eq!(held.map(|p| &p[0].id), Some(&payment.id)),
            None => assert_eq!(held.is_some(), plan.commits_early, "call {call}: {plan:?}"),
        }
    }
    let stored_after_storm = after_storm.values().map(Vec::len).sum::<usize>();
    let committed_failures = plans.iter().filter(|p| p.fatal && p.commits_early).count();
    assert_eq!(stored_after_storm, succeeded.len() + committed_failures);

    // Every attempt carried its call's key; every queued fault was used, on the calls
    // planned (the queue for a customer is empty after each of its calls).
    let log: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.seq > log_start && r.method == "POST")
        .collect();
    let mut attempts_by_key: HashMap<String, Vec<Option<String>>> = HashMap::new();
    for request in &log {
        let key = request
            .idempotency_key
            .clone()
            .expect("every POST has a key");
        attempts_by_key
            .entry(key)
            .or_default()
            .push(request.fault.clone());
    }
    assert_eq!(attempts_by_key.len(), CALLS, "one key per call");
    for (call, plan) in plans.iter().enumerate() {
        let faults: Vec<_> = attempts_by_key[&idempotency_key(call)]
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        assert_eq!(
            faults, plan.faults,
            "call {call}: the faults planned, in order"
        );
    }
    let total_attempts = log.len();

    // Phase 2: the failed calls, later, with the same key and body: each succeeds once.
    for outcome in outcomes.iter().filter(|o| o.result.is_err()) {
        let Err(error) = &outcome.result else {
            unreachable!()
        };
        let n = outcome.call % CUSTOMERS;
        let retried = mollie
            .customer_payments(&customers[n])
            .create(charge(outcome.call, &mandates[n]))
            .idempotency_key(error.idempotency_key().cloned().expect("a key"))
            .send_with_meta()
            .await
            .expect("the retry succeeds");
        let plan = plans[outcome.call];
        assert_eq!(
            retried.meta.idempotent_replayed(),
            plan.commits_early,
            "call {}: a processed request is replayed, not repeated",
            outcome.call
        );
        if let Some(before) = after_storm.get(&description(outcome.call)) {
            assert_eq!(
                retried.value.id, before[0].id,
                "the stored payment, replayed"
            );
        }
        succeeded.insert(outcome.call, retried.value);
    }

    // In the end: exactly one payment per call, the one the SDK returned for it.
    let in_the_end = stored(&mollie, &customers).await;
    assert_eq!(in_the_end.len(), CALLS);
    for call in 0..CALLS {
        let payments = &in_the_end[&description(call)];
        assert_eq!(payments.len(), 1, "call {call}");
        assert_eq!(payments[0].id, succeeded[&call].id, "call {call}");
    }
    let stored_in_the_end: usize = in_the_end.values().map(Vec::len).sum();

    let failed: usize = errors_by_kind.values().sum();
    println!(
        "money test: {CALLS} calls over {CUSTOMERS} customers (seed {SEED:#x}); {faulted} faulted \
         ({fatal} fatal); {} succeeded ({replayed} by idempotent replay), {failed} typed errors \
         {errors_by_kind:?}; {total_attempts} requests; stored after the storm: \
         {stored_after_storm} ({committed_failures} of them for failed calls); after retrying \
         the failures: {stored_in_the_end}; {:?}",
        CALLS - failed,
        started.elapsed(),
    );
}
