//! A month-end batch against a rate-limited mock: 500 concurrent recurring charges, every
//! one charged exactly once, every failure typed, and the client slowing down for all its
//! tasks instead of stampeding.

use std::time::Duration;

use futures::StreamExt;
use mollie_mock::{MockConfig, RateLimit};
use mollie_sdk::{IdempotencyKey, Money, NewPayment, RetryPolicy};
use mollie_tests::{TEST_KEY, bounded, builder, customer, sepa_mandate};

const CHARGES: usize = 500;
const RATE: u32 = 250;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_concurrent_charges_against_a_rate_limit() {
    bounded(async {
        let mock = MockConfig::new().start().await.unwrap();
        let mollie = builder(&mock)
            .api_key(TEST_KEY)
            .unwrap()
            .retry_policy(RetryPolicy::default().max_attempts(10))
            .deadline(Duration::from_secs(50))
            .build()
            .unwrap();
        let jane = customer(&mollie, "Jane").await;
        let mandate = sepa_mandate(&mollie, &jane.id).await;
        mock.set_rate_limit(Some(RateLimit::per_second(RATE).burst(RATE / 10)));
        let before = mock.requests().len();

        let results: Vec<_> = futures::stream::iter(0..CHARGES)
            .map(|n| {
                let mollie = mollie.clone();
                let (customer, mandate) = (jane.id.clone(), mandate.id.clone());
                async move {
                    let key = IdempotencyKey::parse(&format!("month-end-{n}")).unwrap();
                    let charge = NewPayment::recurring(
                        Money::eur("9.99").unwrap(),
                        format!("charge {n}"),
                        &mandate,
                    );
                    mollie
                        .customer_payments(&customer)
                        .create(charge)
                        .idempotency_key(key)
                        .await
                }
            })
            .buffer_unordered(CHARGES)
            .collect()
            .await;

        let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        for error in &failed {
            // Typed, with its key, and safe to send again later.
            assert!(error.is_rate_limited() || error.is_retryable(), "{error:?}");
            assert!(error.idempotency_key().is_some());
        }
        assert!(
            failed.is_empty(),
            "{} failed: {:?}",
            failed.len(),
            failed.first()
        );

        mock.set_rate_limit(None);
        let stored = mollie
            .customer_payments(&jane.id)
            .list()
            .limit(250)
            .stream()
            .count()
            .await;
        assert_eq!(stored, CHARGES, "each charge exactly once");

        let log = mock.requests();
        let throttled = log[before..]
            .iter()
            .filter(|r| r.status == Some(429))
            .count();
        // The first wave of 500 concurrent requests meets the limit before the client knows
        // it; after that every call of the client keeps to the learned rate together, so
        // the 429s stay below one per charge (retrying each on its own, after Retry-After,
        // comes back in waves: well over one per charge).
        assert!(
            throttled < CHARGES,
            "{throttled} 429s for {CHARGES} charges"
        );
        assert!(mollie.client().adaptive_send_rate().is_some());
    })
    .await;
}
