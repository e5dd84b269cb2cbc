//! The options every one of the eleven operations takes, checked on all eleven against
//! mollie-mock: an explicit idempotency key reaches the server; `testmode` (and `profileId`)
//! with an API key is refused before anything is sent.

use futures::StreamExt;
use mollie_sdk::{CustomerUpdate, Error, Money, NewCustomer, NewMandate, NewPayment};
use mollie_tests::{bounded, customer, iban, key, log_mark, profile_id, requests_since, start};

#[tokio::test]
async fn an_explicit_idempotency_key_is_sent_by_all_eleven_operations() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let customers = mollie.customers();
        let mandates = mollie.mandates(&c.id);
        let mark = log_mark(&server);

        let other = customers
            .create(NewCustomer::new().name("Other"))
            .idempotency_key(key("op-01-create-customer"))
            .await
            .unwrap();
        customers
            .get(&c.id)
            .idempotency_key(key("op-02-get-customer"))
            .await
            .unwrap();
        customers
            .update(&c.id, CustomerUpdate::new().name("Jane D."))
            .idempotency_key(key("op-03-update-customer"))
            .await
            .unwrap();
        customers
            .list()
            .idempotency_key(key("op-04-list-customers"))
            .await
            .unwrap();
        let m = mandates
            .create(NewMandate::sepa_direct_debit("Jane", iban()))
            .idempotency_key(key("op-05-create-mandate"))
            .await
            .unwrap();
        mandates
            .get(&m.id)
            .idempotency_key(key("op-06-get-mandate"))
            .await
            .unwrap();
        mandates
            .list()
            .idempotency_key(key("op-07-list-mandates"))
            .await
            .unwrap();
        customers
            .payments(&c.id)
            .create(NewPayment::recurring(
                Money::eur("5.00").unwrap(),
                "May",
                &m.id,
            ))
            .idempotency_key(key("op-08-create-payment"))
            .await
            .unwrap();
        customers
            .payments(&c.id)
            .list()
            .idempotency_key(key("op-09-list-payments"))
            .await
            .unwrap();
        mandates
            .revoke(&m.id)
            .idempotency_key(key("op-10-revoke-mandate"))
            .await
            .unwrap();
        customers
            .delete(&other.id)
            .idempotency_key(key("op-11-delete-customer"))
            .await
            .unwrap();

        let sent: Vec<_> = requests_since(&server, mark)
            .into_iter()
            .map(|r| (r.method, r.idempotency_key.unwrap_or_default()))
            .collect();
        let expected = [
            ("POST", "op-01-create-customer"),
            ("GET", "op-02-get-customer"),
            ("PATCH", "op-03-update-customer"),
            ("GET", "op-04-list-customers"),
            ("POST", "op-05-create-mandate"),
            ("GET", "op-06-get-mandate"),
            ("GET", "op-07-list-mandates"),
            ("POST", "op-08-create-payment"),
            ("GET", "op-09-list-payments"),
            ("DELETE", "op-10-revoke-mandate"),
            ("DELETE", "op-11-delete-customer"),
        ]
        .map(|(m, k)| (m.to_owned(), k.to_owned()));
        assert_eq!(sent, expected);
    })
    .await;
}

/// Asserts that `result` is the client's refusal of `field`.
fn assert_refused<T: std::fmt::Debug>(operation: &str, result: Result<T, Error>, field: &str) {
    match result {
        Err(error @ Error::InvalidInput(_)) => {
            assert_eq!(error.field(), Some(field), "{operation}: {error}");
            assert!(error.idempotency_key().is_none(), "nothing was sent");
        }
        other => panic!("{operation}: expected InvalidInput on `{field}`, got {other:?}"),
    }
}

#[tokio::test]
async fn an_api_key_refuses_testmode_on_all_eleven_operations_before_sending() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let m = mollie_tests::sepa_mandate(&mollie, &c.id).await;
        let customers = mollie.customers();
        let mandates = mollie.mandates(&c.id);
        let mark = log_mark(&server);
        let charge = || NewPayment::recurring(Money::eur("5.00").unwrap(), "May", &m.id);

        let field = "testmode";
        assert_refused(
            "create customer",
            customers.create(NewCustomer::new()).testmode(true).await,
            field,
        );
        assert_refused(
            "get customer",
            customers.get(&c.id).testmode(true).await,
            field,
        );
        assert_refused(
            "update customer",
            customers
                .update(&c.id, CustomerUpdate::new().name("x"))
                .testmode(true)
                .await,
            field,
        );
        assert_refused(
            "delete customer",
            customers.delete(&c.id).testmode(false).await,
            field,
        );
        assert_refused(
            "list customers",
            customers.list().testmode(true).await,
            field,
        );
        assert_refused(
            "create payment",
            customers
                .payments(&c.id)
                .create(charge())
                .testmode(true)
                .await,
            field,
        );
        assert_refused(
            "list payments",
            customers.payments(&c.id).list().testmode(true).await,
            field,
        );
        assert_refused(
            "create mandate",
            mandates
                .create(NewMandate::sepa_direct_debit("Jane", iban()))
                .testmode(true)
                .await,
            field,
        );
        assert_refused(
            "get mandate",
            mandates.get(&m.id).testmode(true).await,
            field,
        );
        assert_refused("list mandates", mandates.list().testmode(true).await, field);
        assert_refused(
            "revoke mandate",
            mandates.revoke(&m.id).testmode(true).await,
            field,
        );
        // A stream yields the refusal as its one item.
        let mut stream = customers.list().testmode(true).stream();
        assert_refused("stream customers", stream.next().await.unwrap(), field);
        assert!(stream.next().await.is_none());

        // profileId likewise, on the two operations that take it.
        let pfl = || profile_id("pfl_QkEhN94Ba");
        assert_refused(
            "create payment",
            customers
                .payments(&c.id)
                .create(charge())
                .profile_id(pfl())
                .await,
            "profileId",
        );
        assert_refused(
            "list payments",
            customers.payments(&c.id).list().profile_id(pfl()).await,
            "profileId",
        );

        assert!(
            requests_since(&server, mark).is_empty(),
            "the mock saw no request"
        );
        // And nothing changed: the customer and its mandate are as they were.
        assert_eq!(
            customers.get(&c.id).await.unwrap().name.as_deref(),
            Some("Jane")
        );
        assert!(mandates.get(&m.id).await.unwrap().status == mollie_sdk::MandateStatus::Valid);
    })
    .await;
}

#[tokio::test]
async fn an_api_key_refuses_testmode_and_profile_id_on_every_write_before_sending() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let m = mollie_tests::sepa_mandate(&mollie, &c.id).await;
        let customers = mollie.customers();
        let mark = log_mark(&server);
        let charge = || NewPayment::recurring(Money::eur("5.00").unwrap(), "May", &m.id);

        assert_refused(
            "create customer",
            customers.create(NewCustomer::new()).testmode(true).await,
            "testmode",
        );
        assert_refused(
            "update customer",
            customers
                .update(&c.id, CustomerUpdate::new())
                .testmode(true)
                .await,
            "testmode",
        );
        assert_refused(
            "create mandate",
            mollie
                .mandates(&c.id)
                .create(NewMandate::sepa_direct_debit("Jane", iban()))
                .testmode(true)
                .await,
            "testmode",
        );
        assert_refused(
            "create payment",
            customers
                .payments(&c.id)
                .create(charge())
                .testmode(true)
                .await,
            "testmode",
        );
        assert_refused(
            "create payment",
            customers
                .payments(&c.id)
                .create(charge())
                .profile_id(profile_id("pfl_QkEhN94Ba"))
                .await,
            "profileId",
        );
        assert!(
            requests_since(&server, mark).is_empty(),
            "the mock saw no request"
        );
    })
    .await;
}
