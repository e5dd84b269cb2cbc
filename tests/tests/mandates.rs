//! Mandates end to end against mollie-mock: create, get, list and revoke, with every parameter
//! they take (idempotency key, `testmode` from an organization token, `scopes` on the list).
//! Lists' `from`/`limit`/`sort` are in `pagination.rs`.

use mollie_sdk::{
    MandateMethod, MandateStatus, Mode, NewCustomer, NewMandate, models::Date,
    models::MandateDetails, models::MandateScope,
};
use mollie_tests::{IBAN, bounded, customer, iban, key, org_client, sepa_mandate, start};
use serde_json::json;

#[tokio::test]
async fn create_get_list_revoke() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane Doe").await;
        let mandates = mollie.mandates(&c.id);
        let created = mandates
            .create(
                NewMandate::sepa_direct_debit("Jane Doe", iban())
                    .consumer_bic("INGBNL2A")
                    .signature_date(Date::parse("2024-05-07").unwrap())
                    .mandate_reference("ACME-MD-0001"),
            )
            .await
            .unwrap();
        assert_eq!(created.status, MandateStatus::Valid);
        assert_eq!(created.method, MandateMethod::DirectDebit);
        assert_eq!(created.mode, Mode::Test);
        assert_eq!(created.customer_id, c.id);
        assert_eq!(created.mandate_reference.as_deref(), Some("ACME-MD-0001"));
        assert_eq!(
            created.signature_date.as_ref().map(|d| d.as_str()),
            Some("2024-05-07")
        );
        match &created.details {
            MandateDetails::DirectDebit(details) => {
                assert_eq!(details.consumer_name.as_deref(), Some("Jane Doe"));
                assert_eq!(details.consumer_account.as_deref(), Some(IBAN));
                assert_eq!(details.consumer_bic.as_deref(), Some("INGBNL2A"));
            }
            other => panic!("direct debit details expected, got {other:?}"),
        }

        let got = mandates.get(&created.id).await.unwrap();
        assert_eq!(got.id, created.id);
        assert_eq!(got.details, created.details);

        let paypal = mandates
            .create(NewMandate::paypal(
                "Jane Doe",
                "jane@example.org",
                "B-12A34567BC890123D",
            ))
            .await
            .unwrap();
        assert_eq!(paypal.method, MandateMethod::PayPal);

        let listed = mandates.list().await.unwrap();
        let ids: Vec<_> = listed.items().iter().map(|m| m.id.clone()).collect();
        assert_eq!(ids, [paypal.id.clone(), created.id.clone()], "newest first");

        mandates.revoke(&created.id).await.unwrap();
        // "Trying to retrieve a revoked mandate will result in a 410 exception" (Mollie).
        let gone = mandates.get(&created.id).await.unwrap_err();
        assert!(gone.is_gone(), "{gone:?}");
        assert!(!gone.is_not_found() && !gone.is_retryable());
        let listed = mandates.list().await.unwrap();
        let revoked = listed
            .items()
            .iter()
            .find(|m| m.id == created.id)
            .expect("a revoked mandate is still listed");
        assert_eq!(
            revoked.status,
            MandateStatus::Invalid,
            "revoked, still listed"
        );
        // Revoking again is still a 204 at Mollie.
        mandates.revoke(&created.id).await.unwrap();

        let statuses: Vec<_> = server
            .requests()
            .iter()
            .map(|r| (r.method.clone(), r.status))
            .collect();
        let expected = [
            ("POST", 201), // customer
            ("POST", 201),
            ("GET", 200),
            ("POST", 201),
            ("GET", 200),
            ("DELETE", 204),
            ("GET", 410), // a revoked mandate is gone
            ("GET", 200), // but listed
            ("DELETE", 204),
        ]
        .map(|(m, s)| (m.to_owned(), Some(s)));
        assert_eq!(statuses, expected);
    })
    .await;
}

#[tokio::test]
async fn idempotency_key_makes_create_and_revoke_happen_once() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let mandates = mollie.mandates(&c.id);
        let create = || {
            mandates
                .create(NewMandate::sepa_direct_debit("Jane", iban()))
                .idempotency_key(key("mandate-once-0001"))
        };
        let first = create().send_with_meta().await.unwrap();
        let second = create().send_with_meta().await.unwrap();
        assert_eq!(first.value.id, second.value.id);
        assert!(second.meta.idempotent_replayed());
        assert_eq!(mandates.list().await.unwrap().len(), 1);

        let revoke = || {
            mandates
                .revoke(&first.value.id)
                .idempotency_key(key("revoke-once-0001"))
        };
        assert!(
            !revoke()
                .send_with_meta()
                .await
                .unwrap()
                .idempotent_replayed()
        );
        assert!(
            revoke()
                .send_with_meta()
                .await
                .unwrap()
                .idempotent_replayed()
        );

        let keys: Vec<_> = server
            .requests()
            .into_iter()
            .skip(1)
            .filter(|r| r.method != "GET")
            .map(|r| r.idempotency_key)
            .collect();
        let k = |s: &str| Some(s.to_owned());
        assert_eq!(
            keys,
            [
                k("mandate-once-0001"),
                k("mandate-once-0001"),
                k("revoke-once-0001"),
                k("revoke-once-0001"),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn list_filters_by_scopes() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let m = sepa_mandate(&mollie, &c.id).await;
        assert_eq!(m.scopes, Some(vec![MandateScope::CustomerNotPresent]));
        let mandates = mollie.mandates(&c.id);

        let not_present = mandates
            .list()
            .scopes([MandateScope::CustomerNotPresent])
            .await
            .unwrap();
        assert_eq!(not_present.len(), 1);
        let present = mandates
            .list()
            .scopes([MandateScope::CustomerPresent])
            .await
            .unwrap();
        assert!(present.is_empty(), "the mandate lacks customer-present");
        let both = mandates
            .list()
            .scopes([
                MandateScope::CustomerPresent,
                MandateScope::CustomerNotPresent,
            ])
            .await
            .unwrap();
        assert!(both.is_empty(), "a mandate must have every scope asked for");

        let queries: Vec<_> = server
            .requests()
            .into_iter()
            .filter(|r| r.method == "GET")
            .map(|r| r.query.unwrap_or_default())
            .collect();
        assert_eq!(
            queries,
            [
                "scopes=customer-not-present",
                "scopes=customer-present",
                "scopes=customer-present&scopes=customer-not-present",
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn testmode_chooses_the_mode_of_an_organization_token() {
    bounded(async {
        let (server, test) = start().await;
        let org = org_client(&server, None, None);
        let c = org
            .customers()
            .create(NewCustomer::new().name("Test"))
            .testmode(true)
            .await
            .unwrap();
        let mandates = org.mandates(&c.id);

        let m = mandates
            .create(NewMandate::sepa_direct_debit("Test", iban()))
            .testmode(true)
            .await
            .unwrap();
        assert_eq!(m.mode, Mode::Test);
        // Without testmode the token works in live mode, where this customer does not exist.
        let live = mandates
            .create(NewMandate::sepa_direct_debit("Test", iban()))
            .await
            .unwrap_err();
        assert!(live.is_not_found(), "{live:?}");

        assert_eq!(mandates.get(&m.id).testmode(true).await.unwrap().id, m.id);
        assert_eq!(mandates.list().testmode(true).await.unwrap().len(), 1);
        // A test key sees the same test-mode mandate.
        assert_eq!(test.mandates(&c.id).get(&m.id).await.unwrap().id, m.id);
        mandates.revoke(&m.id).testmode(true).await.unwrap();
        assert!(test.mandates(&c.id).get(&m.id).await.unwrap_err().is_gone());
        assert_eq!(
            test.mandates(&c.id).list().await.unwrap().items()[0].status,
            MandateStatus::Invalid
        );

        let org_log: Vec<_> = server
            .requests()
            .into_iter()
            .skip(1)
            .filter(|r| r.path.contains("/mandates"))
            .map(|r| {
                (
                    r.method,
                    r.query,
                    r.body.and_then(|b| b.get("testmode").cloned()),
                )
            })
            .collect();
        let q = |s: &str| Some(s.to_owned());
        assert_eq!(
            org_log,
            [
                ("POST".to_owned(), None, Some(json!(true))),
                ("POST".to_owned(), None, None),
                ("GET".to_owned(), q("testmode=true"), None),
                ("GET".to_owned(), q("testmode=true"), None),
                ("GET".to_owned(), None, None), // the test key
                ("DELETE".to_owned(), None, Some(json!(true))),
                ("GET".to_owned(), None, None), // the test key: 410, revoked
                ("GET".to_owned(), None, None), // the test key's list
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_mandate_of_another_customer_is_not_found() {
    bounded(async {
        let (_server, mollie) = start().await;
        let jane = customer(&mollie, "Jane").await;
        let john = customer(&mollie, "John").await;
        let janes = sepa_mandate(&mollie, &jane.id).await;
        let error = mollie.mandates(&john.id).get(&janes.id).await.unwrap_err();
        assert!(error.is_not_found(), "{error:?}");
        let error = mollie
            .mandates(&john.id)
            .revoke(&janes.id)
            .await
            .unwrap_err();
        assert!(error.is_not_found(), "{error:?}");
        // Still valid: John's revoke did not touch it.
        let status = mollie
            .mandates(&jane.id)
            .get(&janes.id)
            .await
            .unwrap()
            .status;
        assert_eq!(status, MandateStatus::Valid);
    })
    .await;
}
