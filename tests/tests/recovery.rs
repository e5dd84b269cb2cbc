//! The crash-recovery path: a charge whose answer was lost, found again by the key marker in
//! its metadata instead of being sent twice.

use mollie_sdk::{IdempotencyKey, Money, NewPayment, Outcome, RetryPolicy};
use mollie_tests::{bounded, customer, sepa_mandate, start};
use serde_json::json;

#[tokio::test]
async fn a_charge_whose_answer_was_lost_is_found_by_its_key_not_made_again() {
    bounded(async {
        let (mock, mollie) = start().await;
        let jane = customer(&mollie, "Jane Doe").await;
        let mandate = sepa_mandate(&mollie, &jane.id).await;
        let key = IdempotencyKey::parse("invoice-2024-0301-jane").unwrap();
        let charge = NewPayment::recurring(Money::eur("10.00").unwrap(), "March", &mandate.id)
            .metadata(json!({"invoice": "2024-0301"}))
            .unwrap();

        // Mollie makes the payment, the answer is lost, and the process dies before it can
        // retry (no retries here).
        mock.queue_fault("fail-after-commit=drop", 1, Some("POST /v2/customers"))
            .unwrap();
        let error = mollie
            .customer_payments(&jane.id)
            .create(charge.clone())
            .mark_with_key()
            .idempotency_key(key.clone()) // set after the marker: the marker still sees it
            .customize(mollie_sdk::RequestOptions::new().retry(RetryPolicy::disabled()))
            .await
            .unwrap_err();
        assert_eq!(error.outcome(), Outcome::Unknown);
        assert_eq!(error.idempotency_key(), Some(&key));

        // On restart, long after Mollie forgot the key: look before charging again.
        let found = mollie
            .customer_payments(&jane.id)
            .find_by_key(&key)
            .await
            .unwrap()
            .expect("the lost payment is found");
        let metadata = found.metadata.clone().unwrap();
        assert_eq!(
            metadata["invoice"], "2024-0301",
            "the caller's metadata is kept"
        );
        assert_eq!(metadata["mollieSdkIdempotencyKey"], key.as_str());
        let all = mollie.customer_payments(&jane.id).list().await.unwrap();
        assert_eq!(all.len(), 1, "nobody was charged twice");
        assert_eq!(all.items()[0].id, found.id);

        // Another invoice's key finds nothing.
        let other = IdempotencyKey::parse("invoice-2024-0401-jane").unwrap();
        assert!(
            mollie
                .customer_payments(&jane.id)
                .find_by_key(&other)
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn metadata_that_cannot_carry_the_marker_is_refused_before_sending() {
    bounded(async {
        let (mock, mollie) = start().await;
        let jane = customer(&mollie, "Jane Doe").await;
        let mandate = sepa_mandate(&mollie, &jane.id).await;
        let before = mock.requests().len();
        for metadata in [json!("a string"), json!({"notes": "x".repeat(990)})] {
            let charge = NewPayment::recurring(Money::eur("10.00").unwrap(), "March", &mandate.id)
                .metadata(metadata)
                .unwrap();
            let error = mollie
                .customer_payments(&jane.id)
                .create(charge)
                .mark_with_key()
                .await
                .unwrap_err();
            assert_eq!(error.field(), Some("metadata"), "{error:?}");
            assert_eq!(error.outcome(), Outcome::NotSent);
        }
        assert_eq!(mock.requests().len(), before, "nothing was sent");
    })
    .await;
}
