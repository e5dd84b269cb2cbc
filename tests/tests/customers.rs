//! Customers end to end against mollie-mock: create, get, update, delete and list, with every
//! parameter they take (idempotency key, `testmode` from an organization token, `include`).
//! Lists' `from`/`limit`/`sort` are in `pagination.rs`.

use mollie_sdk::customers::CustomerInclude;
use mollie_sdk::{CustomerUpdate, Error, Locale, Mode, NewCustomer};
use mollie_tests::{LIVE_KEY, bounded, customer, key, org_client, start, with_key};
use serde_json::json;

#[tokio::test]
async fn create_get_update_delete() {
    bounded(async {
        let (server, mollie) = start().await;
        let new = NewCustomer::new()
            .name("Jane Doe")
            .email("jane@example.org")
            .locale(Locale::NlNl)
            .metadata(json!({"crm": 42}))
            .unwrap();
        let created = mollie.customers().create(new).await.unwrap();
        assert_eq!(created.name.as_deref(), Some("Jane Doe"));
        assert_eq!(created.email.as_deref(), Some("jane@example.org"));
        assert_eq!(created.locale, Some(Locale::NlNl));
        assert_eq!(created.metadata, Some(json!({"crm": 42})));
        assert_eq!(created.mode, Mode::Test, "a test key makes test objects");

        let got = mollie.customers().get(&created.id).await.unwrap();
        assert_eq!(got, created);

        let updated = mollie
            .customers()
            .update(&created.id, CustomerUpdate::new().email("j@example.org"))
            .await
            .unwrap();
        assert_eq!(updated.email.as_deref(), Some("j@example.org"));
        assert_eq!(updated.name.as_deref(), Some("Jane Doe"), "untouched");
        let got = mollie.customers().get(&created.id).await.unwrap();
        assert_eq!(got.email.as_deref(), Some("j@example.org"));

        mollie.customers().delete(&created.id).await.unwrap();
        let gone = mollie.customers().get(&created.id).await.unwrap_err();
        assert!(gone.is_not_found(), "{gone:?}");

        let log: Vec<_> = server
            .requests()
            .iter()
            .map(|r| (r.method.clone(), r.status))
            .collect();
        let expected = [
            ("POST", 201),
            ("GET", 200),
            ("PATCH", 200),
            ("GET", 200),
            ("DELETE", 204),
            ("GET", 404),
        ]
        .map(|(m, s)| (m.to_owned(), Some(s)));
        assert_eq!(log, expected);
        // Every mutating request carries a key (a fresh UUID v4), a GET never does.
        for request in server.requests() {
            assert_eq!(
                request.idempotency_key.is_some(),
                request.method != "GET",
                "{request:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn list_returns_newest_first_by_default() {
    bounded(async {
        let (_server, mollie) = start().await;
        let a = customer(&mollie, "A").await;
        let b = customer(&mollie, "B").await;
        let page = mollie.customers().list().await.unwrap();
        let ids: Vec<_> = page.items().iter().map(|c| c.id.clone()).collect();
        assert_eq!(ids, [b.id, a.id]);
        assert!(!page.has_next());
    })
    .await;
}

#[tokio::test]
async fn idempotency_key_makes_create_update_and_delete_happen_once() {
    bounded(async {
        let (server, mollie) = start().await;
        let customers = mollie.customers();

        let create = || {
            customers
                .create(NewCustomer::new().name("Once"))
                .idempotency_key(key("create-once-0001"))
        };
        let first = create().send_with_meta().await.unwrap();
        let second = create().send_with_meta().await.unwrap();
        assert_eq!(first.value.id, second.value.id, "the same customer");
        assert!(!first.meta.idempotent_replayed());
        assert!(second.meta.idempotent_replayed());
        assert_eq!(
            second.meta.idempotency_key().map(|k| k.as_str()),
            Some("create-once-0001")
        );
        let page = customers.list().await.unwrap();
        assert_eq!(page.len(), 1, "created once");

        // The same key with another body is Mollie's 400, surfaced with the key.
        let reused = customers
            .create(NewCustomer::new().name("Someone else"))
            .idempotency_key(key("create-once-0001"))
            .await
            .unwrap_err();
        assert_eq!(reused.status(), Some(400), "{reused:?}");
        assert_eq!(
            reused.idempotency_key().map(|k| k.as_str()),
            Some("create-once-0001")
        );

        let id = first.value.id;
        let update = || {
            customers
                .update(&id, CustomerUpdate::new().name("Twice?"))
                .idempotency_key(key("update-once-0001"))
        };
        assert!(
            !update()
                .send_with_meta()
                .await
                .unwrap()
                .meta
                .idempotent_replayed()
        );
        assert!(
            update()
                .send_with_meta()
                .await
                .unwrap()
                .meta
                .idempotent_replayed()
        );

        let delete = || {
            customers
                .delete(&id)
                .idempotency_key(key("delete-once-0001"))
        };
        let deleted = delete().send_with_meta().await.unwrap();
        assert_eq!(deleted.status(), 204);
        assert!(!deleted.idempotent_replayed());
        // A replayed delete answers the first 204 instead of a 404: retrying is safe.
        assert!(
            delete()
                .send_with_meta()
                .await
                .unwrap()
                .idempotent_replayed()
        );

        let keys: Vec<_> = server
            .requests()
            .into_iter()
            .map(|r| (r.method, r.idempotency_key, r.replayed))
            .collect();
        let k = |s: &str| Some(s.to_owned());
        assert_eq!(
            keys,
            [
                ("POST".to_owned(), k("create-once-0001"), false),
                ("POST".to_owned(), k("create-once-0001"), true),
                ("GET".to_owned(), None, false),
                ("POST".to_owned(), k("create-once-0001"), false),
                ("PATCH".to_owned(), k("update-once-0001"), false),
                ("PATCH".to_owned(), k("update-once-0001"), true),
                ("DELETE".to_owned(), k("delete-once-0001"), false),
                ("DELETE".to_owned(), k("delete-once-0001"), true),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn get_sends_include() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let got = mollie
            .customers()
            .get(&c.id)
            .include(CustomerInclude::Events)
            .await
            .unwrap();
        assert_eq!(got.id, c.id);
        let other = mollie
            .customers()
            .get(&c.id)
            .include(CustomerInclude::Other("future-thing".into()))
            .await
            .unwrap();
        assert_eq!(other.id, c.id);
        let queries: Vec<_> = server
            .requests()
            .into_iter()
            .filter(|r| r.method == "GET")
            .map(|r| r.query)
            .collect();
        assert_eq!(
            queries,
            [
                Some("include=events".to_owned()),
                Some("include=future-thing".to_owned())
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn testmode_chooses_the_mode_of_an_organization_token() {
    bounded(async {
        let (server, test) = start().await;
        let live = with_key(&server, LIVE_KEY);
        let org = org_client(&server, None, None);
        let customers = org.customers();

        let t = customers
            .create(NewCustomer::new().name("Test"))
            .testmode(true)
            .await
            .unwrap();
        let l = customers
            .create(NewCustomer::new().name("Live"))
            .testmode(false)
            .await
            .unwrap();
        assert_eq!(t.mode, Mode::Test);
        assert_eq!(l.mode, Mode::Live);

        // Each is where its mode says: the test key sees one, the live key the other.
        assert_eq!(test.customers().get(&t.id).await.unwrap().id, t.id);
        assert!(
            test.customers()
                .get(&l.id)
                .await
                .unwrap_err()
                .is_not_found()
        );
        assert_eq!(live.customers().get(&l.id).await.unwrap().id, l.id);
        assert!(
            live.customers()
                .get(&t.id)
                .await
                .unwrap_err()
                .is_not_found()
        );

        // The token itself: testmode on every operation.
        assert_eq!(
            customers.get(&t.id).testmode(true).await.unwrap().mode,
            Mode::Test
        );
        let not_found = customers.get(&t.id).testmode(false).await.unwrap_err();
        assert!(not_found.is_not_found(), "live mode has no such customer");
        let updated = customers
            .update(&t.id, CustomerUpdate::new().name("Test 2"))
            .testmode(true)
            .await
            .unwrap();
        assert_eq!(updated.name.as_deref(), Some("Test 2"));
        let listed = customers.list().testmode(true).await.unwrap();
        let ids: Vec<_> = listed.items().iter().map(|c| c.id.clone()).collect();
        assert_eq!(ids, std::slice::from_ref(&t.id));
        customers.delete(&t.id).testmode(true).await.unwrap();
        assert!(
            test.customers()
                .get(&t.id)
                .await
                .unwrap_err()
                .is_not_found()
        );
        assert_eq!(live.customers().get(&l.id).await.unwrap().id, l.id);

        // Where it went on the wire: a POST/PATCH body, a GET query, a DELETE body.
        let org_requests: Vec<_> = server
            .requests()
            .into_iter()
            .filter(|r| {
                r.query.as_deref().is_some_and(|q| q.contains("testmode"))
                    || r.body.as_ref().is_some_and(|b| b.get("testmode").is_some())
            })
            .map(|r| (r.method, r.query, r.body.map(|b| b["testmode"].clone())))
            .collect();
        let q = |s: &str| Some(s.to_owned());
        assert_eq!(
            org_requests,
            [
                ("POST".to_owned(), None, Some(json!(true))),
                ("POST".to_owned(), None, Some(json!(false))),
                ("GET".to_owned(), q("testmode=true"), None),
                ("GET".to_owned(), q("testmode=false"), None),
                ("PATCH".to_owned(), None, Some(json!(true))),
                ("GET".to_owned(), q("testmode=true"), None),
                ("DELETE".to_owned(), None, Some(json!(true))),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn client_defaults_of_an_organization_token() {
    bounded(async {
        let (server, _) = start().await;
        let org = org_client(&server, Some(true), Some("pfl_QkEhN94Ba"));
        let made = org
            .customers()
            .create(NewCustomer::new().name("Default"))
            .await
            .unwrap();
        assert_eq!(made.mode, Mode::Test, "the client's default testmode");
        let overridden = org
            .customers()
            .create(NewCustomer::new().name("Override"))
            .testmode(false)
            .await
            .unwrap();
        assert_eq!(overridden.mode, Mode::Live, "the call's own testmode wins");
        org.customers().get(&made.id).await.unwrap();
        org.customers().list().await.unwrap();

        // The Customers endpoints take no profileId: the client's default is not sent.
        for request in server.requests() {
            assert!(
                !request.query.as_deref().unwrap_or("").contains("profileId"),
                "{request:?}"
            );
            assert!(
                request
                    .body
                    .as_ref()
                    .is_none_or(|b| b.get("profileId").is_none()),
                "{request:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn operations_on_a_deleted_customer_are_not_found() {
    bounded(async {
        let (_server, mollie) = start().await;
        let c = customer(&mollie, "Gone").await;
        mollie.customers().delete(&c.id).await.unwrap();
        let errors: Vec<Error> = vec![
            mollie.customers().get(&c.id).await.unwrap_err(),
            mollie
                .customers()
                .update(&c.id, CustomerUpdate::new().name("x"))
                .await
                .unwrap_err(),
            mollie.customers().delete(&c.id).await.unwrap_err(),
            mollie.customer_payments(&c.id).list().await.unwrap_err(),
            mollie.mandates(&c.id).list().await.unwrap_err(),
        ];
        for error in errors {
            assert!(error.is_not_found(), "{error:?}");
            assert!(!error.is_retryable());
        }
    })
    .await;
}

#[tokio::test]
async fn an_update_can_clear_fields() {
    bounded(async {
        let (_server, mollie) = start().await;
        let created = mollie
            .customers()
            .create(
                NewCustomer::new()
                    .name("Jane")
                    .email("jane@example.org")
                    .locale(Locale::NlNl),
            )
            .await
            .unwrap();
        let updated = mollie
            .customers()
            .update(
                &created.id,
                CustomerUpdate::new().clear_email().clear_locale(),
            )
            .await
            .unwrap();
        assert_eq!(updated.name.as_deref(), Some("Jane"), "untouched");
        assert_eq!(updated.email, None);
        assert_eq!(updated.locale, None);
    })
    .await;
}
