//! Automatic retries against mollie-mock's injected faults: every retry of a call carries the
//! same `Idempotency-Key` (as the mock's request log shows), a fault after the request was
//! processed is answered by Mollie's idempotent replay instead of a second object, and calls
//! that cannot succeed end in a typed error carrying the key.

use std::time::Duration;

use futures::TryStreamExt;
use mollie_sdk::{Error, Money, NewCustomer, NewPayment, Payment, RequestOptions, RetryPolicy};
use mollie_tests::{
    TEST_KEY, bounded, builder, customer, key, log_mark, requests_since, sepa_mandate, start,
};

#[tokio::test]
async fn a_retried_call_sends_the_same_key_on_every_attempt() {
    bounded(async {
        let (server, mollie) = start().await;
        server
            .queue_fault("status=503", 2, Some("POST /v2/customers"))
            .unwrap();
        let created = mollie
            .customers()
            .create(NewCustomer::new().name("Jane"))
            .send_with_meta()
            .await
            .unwrap();
        assert_eq!(created.meta.attempts(), 3, "two 503s, then success");
        let key = created.meta.idempotency_key().unwrap().as_str().to_owned();

        let log = server.requests();
        let attempts: Vec<_> = log
            .iter()
            .map(|r| (r.idempotency_key.clone(), r.status, r.fault.clone()))
            .collect();
        let k = Some(key.clone());
        assert_eq!(
            attempts,
            [
                (k.clone(), Some(503), Some("status=503".to_owned())),
                (k.clone(), Some(503), Some("status=503".to_owned())),
                (k, Some(201), None),
            ]
        );
        // The SDK's own key: a UUID v4, lower-case and hyphenated.
        assert_eq!(key.len(), 36);
        assert_eq!(key.as_bytes()[14], b'4', "version 4: {key}");
        assert_eq!(mollie.customers().list().await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn every_fault_kind_is_survived_without_a_second_payment() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let m = sepa_mandate(&mollie, &c.id).await;
        let path = format!("POST /v2/customers/{}/payments", c.id);
        let faults = [
            ("status=500", false),
            ("status=502", false),
            ("status=503;retry-after=0", false),
            ("status=429;retry-after=0", false),
            ("drop", false),
            // Processed and stored, then the answer is lost: the retry gets the replay.
            ("fail-after-commit", true),
            ("fail-after-commit=502", true),
            ("fail-after-commit=drop", true),
        ];
        let mut ids = Vec::new();
        for (n, (fault, committed)) in faults.into_iter().enumerate() {
            server.queue_fault(fault, 1, Some(&path)).unwrap();
            let mark = log_mark(&server);
            let description = format!("charge-{n}");
            let response = mollie
                .customer_payments(&c.id)
                .create(NewPayment::recurring(
                    Money::eur("3.00").unwrap(),
                    &description,
                    &m.id,
                ))
                .idempotency_key(key(&format!("fault-kind-{n}")))
                .send_with_meta()
                .await
                .unwrap_or_else(|e| panic!("{fault}: {e:?}"));
            assert_eq!(response.meta.attempts(), 2, "{fault}");
            assert_eq!(response.meta.idempotent_replayed(), committed, "{fault}");
            assert_eq!(response.value.description, description);
            ids.push(response.value.id);

            let sent = requests_since(&server, mark);
            assert_eq!(sent.len(), 2, "{fault}");
            assert_eq!(sent[0].fault.as_deref(), Some(fault));
            assert_eq!(sent[0].dropped, fault.ends_with("drop"), "{fault}");
            assert!(sent[1].fault.is_none());
            assert_eq!(sent[1].replayed, committed, "{fault}");
            for request in &sent {
                let key = format!("fault-kind-{n}");
                assert_eq!(request.idempotency_key.as_deref(), Some(key.as_str()));
            }
        }
        let stored: Vec<Payment> = mollie
            .customer_payments(&c.id)
            .list()
            .stream()
            .try_collect()
            .await
            .unwrap();
        let mut stored: Vec<_> = stored.into_iter().map(|p| p.id).collect();
        stored.reverse();
        assert_eq!(stored, ids, "one payment per call, none twice");
    })
    .await;
}

#[tokio::test]
async fn reads_are_retried_without_a_key() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        server.queue_fault("drop", 1, Some("GET")).unwrap();
        server.queue_fault("status=502", 1, Some("GET")).unwrap();
        let mark = log_mark(&server);
        let got = mollie
            .customers()
            .get(&c.id)
            .send_with_meta()
            .await
            .unwrap();
        assert_eq!(got.meta.attempts(), 3);
        assert!(got.meta.idempotency_key().is_none());
        let sent = requests_since(&server, mark);
        assert_eq!(sent.len(), 3);
        assert!(sent.iter().all(|r| r.idempotency_key.is_none()));
        assert!(sent[0].dropped);
    })
    .await;
}

#[tokio::test]
async fn exhausted_retries_end_in_a_typed_error_with_the_key() {
    bounded(async {
        let (server, mollie) = start().await;
        // fast_retries: 4 attempts, all refused.
        server
            .queue_fault("status=503", 4, Some("POST /v2/customers"))
            .unwrap();
        let error = mollie
            .customers()
            .create(NewCustomer::new().name("Jane"))
            .idempotency_key(key("exhausted-0001"))
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Api { status: 503, .. }), "{error:?}");
        assert!(error.is_retryable());
        assert_eq!(
            error.idempotency_key().map(|k| k.as_str()),
            Some("exhausted-0001")
        );
        let sent = server.requests();
        assert_eq!(sent.len(), 4);
        assert!(
            sent.iter()
                .all(|r| r.idempotency_key.as_deref() == Some("exhausted-0001"))
        );

        // Dropped connections every time: a transport error, with the key.
        server
            .queue_fault("drop", 4, Some("POST /v2/customers"))
            .unwrap();
        let error = mollie
            .customers()
            .create(NewCustomer::new().name("Jane"))
            .idempotency_key(key("exhausted-0002"))
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Transport { .. }), "{error:?}");
        assert!(error.is_retryable());
        assert_eq!(
            error.idempotency_key().map(|k| k.as_str()),
            Some("exhausted-0002")
        );

        // Nothing was created; the same call later, with the same key, creates it once.
        assert!(mollie.customers().list().await.unwrap().is_empty());
        let later = mollie
            .customers()
            .create(NewCustomer::new().name("Jane"))
            .idempotency_key(key("exhausted-0001"))
            .send_with_meta()
            .await
            .unwrap();
        assert_eq!(later.meta.attempts(), 1);
        assert!(!later.meta.idempotent_replayed());
        assert_eq!(mollie.customers().list().await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_long_retry_after_is_not_waited_out() {
    bounded(async {
        let (server, mollie) = start().await;
        // fast_retries waits at most 1 s; Mollie asks for 30.
        server
            .queue_fault("status=429;retry-after=30", 1, Some("POST /v2/customers"))
            .unwrap();
        let error = mollie
            .customers()
            .create(NewCustomer::new().name("Jane"))
            .await
            .unwrap_err();
        assert!(error.is_rate_limited(), "{error:?}");
        assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
        assert!(error.idempotency_key().is_some());
        assert_eq!(server.requests().len(), 1, "not retried");
    })
    .await;
}

#[tokio::test]
async fn retries_can_be_turned_off_per_client_and_per_call() {
    bounded(async {
        let (server, mollie) = start().await;
        let once = builder(&server)
            .api_key(TEST_KEY)
            .unwrap()
            .no_retries()
            .build()
            .unwrap();
        server.queue_fault("status=500", 1, Some("GET")).unwrap();
        let error = once.customers().list().await.unwrap_err();
        assert_eq!(error.status(), Some(500));
        assert_eq!(server.requests().len(), 1);

        server.queue_fault("status=500", 1, Some("GET")).unwrap();
        let error = mollie
            .customers()
            .list()
            .customize(RequestOptions::new().retry(RetryPolicy::disabled()))
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(500));
        assert_eq!(server.requests().len(), 2);

        // And the client's own policy retries the same fault away.
        server.queue_fault("status=500", 1, Some("GET")).unwrap();
        let page = mollie.customers().list().await.unwrap();
        assert_eq!(page.meta().attempts(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_slow_answer_is_a_typed_timeout_with_the_key() {
    bounded(async {
        let (server, mollie) = start().await;
        // Held for up to a minute (or until released); the attempt gives up after 50 ms.
        server
            .queue_fault("delay-ms=60000", 1, Some("POST /v2/customers"))
            .unwrap();
        let error = mollie
            .customers()
            .create(NewCustomer::new().name("Jane"))
            .idempotency_key(key("slow-0001"))
            .customize(
                RequestOptions::new()
                    .timeout(Duration::from_millis(50))
                    .retry(RetryPolicy::disabled()),
            )
            .await
            .unwrap_err();
        server.release();
        assert!(
            matches!(
                error,
                Error::Timeout {
                    kind: mollie_sdk::TimeoutKind::Attempt,
                    attempts: 1,
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(error.is_timeout() && error.is_retryable());
        assert_eq!(
            error.idempotency_key().map(|k| k.as_str()),
            Some("slow-0001")
        );

        // The same call later, with its key: done once.
        let later = mollie
            .customers()
            .create(NewCustomer::new().name("Jane"))
            .idempotency_key(key("slow-0001"))
            .await
            .unwrap();
        let all = mollie.customers().list().await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all.items()[0].id, later.id);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_while_the_first_is_in_flight_is_a_409_then_a_replay() {
    bounded(async {
        let (server, mollie) = start().await;
        server
            .queue_fault("delay-ms=60000", 1, Some("POST /v2/customers"))
            .unwrap();
        let create = || {
            mollie
                .customers()
                .create(NewCustomer::new().name("Jane"))
                .idempotency_key(key("in-flight-0001"))
        };
        let first = tokio::spawn(create().send_with_meta());
        // Wait (without sleeping) until the mock holds the first inside its processing.
        while !server.requests().iter().any(|r| r.processing) {
            tokio::task::yield_now().await;
        }
        let error = create().await.unwrap_err();
        assert!(matches!(error, Error::Api { status: 409, .. }), "{error:?}");
        assert_eq!(
            error.idempotency_key().map(|k| k.as_str()),
            Some("in-flight-0001")
        );

        server.release();
        let first = first.await.unwrap().unwrap();
        assert_eq!(first.meta.attempts(), 1);
        let again = create().send_with_meta().await.unwrap();
        assert!(again.meta.idempotent_replayed());
        assert_eq!(again.value.id, first.value.id);
        assert_eq!(mollie.customers().list().await.unwrap().len(), 1);
    })
    .await;
}
