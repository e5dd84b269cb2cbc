//! Customer payments end to end against mollie-mock: create and list, with every parameter
//! they take (idempotency key, `testmode` and `profileId` from an organization token, as a
//! client default and per call). Lists' `from`/`limit`/`sort` are in `pagination.rs`.

use futures::TryStreamExt;
use mollie_sdk::{Mode, Payment};
use mollie_sdk::{
    Money, NewCustomer, NewMandate, NewPayment, PaymentStatus, SequenceType, models::PaymentMethod,
};
use mollie_tests::{bounded, customer, iban, key, org_client, profile_id, sepa_mandate, start};
use serde_json::json;

const PROFILE_A: &str = "pfl_QkEhN94Ba";
const PROFILE_B: &str = "pfl_7N5qjbu42V";

#[tokio::test]
async fn recurring_and_oneoff_payments() {
    bounded(async {
        let (_server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let m = sepa_mandate(&mollie, &c.id).await;

        let recurring = mollie
            .customer_payments(&c.id)
            .create(
                NewPayment::recurring(Money::eur("10.00").unwrap(), "March", &m.id)
                    .webhook_url("https://shop.example/webhooks/mollie"),
            )
            .await
            .unwrap();
        assert_eq!(
            recurring.status,
            PaymentStatus::Pending,
            "direct debit takes days"
        );
        assert_eq!(recurring.sequence_type, SequenceType::Recurring);
        assert_eq!(recurring.method, Some(PaymentMethod::DirectDebit));
        assert_eq!(recurring.mandate_id.as_ref(), Some(&m.id));
        assert_eq!(recurring.customer_id.as_ref(), Some(&c.id));
        assert_eq!(recurring.amount, Money::eur("10.00").unwrap());
        assert_eq!(recurring.description, "March");
        assert_eq!(recurring.mode, Mode::Test);
        assert_eq!(
            recurring.profile_id.as_str(),
            "pfl_MockProfile1",
            "an API key's own profile"
        );

        let oneoff = mollie
            .customer_payments(&c.id)
            .create(NewPayment::oneoff(
                Money::eur("25.50").unwrap(),
                "Order 12",
                "https://shop.example/return",
            ))
            .await
            .unwrap();
        assert_eq!(oneoff.status, PaymentStatus::Open);
        assert_eq!(oneoff.sequence_type, SequenceType::Oneoff);
        assert!(oneoff.links.checkout.is_some(), "paid at the checkout");

        let page = mollie.customer_payments(&c.id).list().await.unwrap();
        let ids: Vec<_> = page.items().iter().map(|p| p.id.clone()).collect();
        assert_eq!(ids, [oneoff.id, recurring.id], "newest first");
    })
    .await;
}

#[tokio::test]
async fn idempotency_key_makes_a_payment_once() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let m = sepa_mandate(&mollie, &c.id).await;
        let charge = || {
            mollie
                .customer_payments(&c.id)
                .create(NewPayment::recurring(
                    Money::eur("9.99").unwrap(),
                    "April",
                    &m.id,
                ))
                .idempotency_key(key("charge-april-0001"))
        };
        let first = charge().send_with_meta().await.unwrap();
        let second = charge().send_with_meta().await.unwrap();
        assert_eq!(
            first.value, second.value,
            "the first response, replayed exactly"
        );
        assert!(second.meta.idempotent_replayed());
        let all: Vec<Payment> = mollie
            .customer_payments(&c.id)
            .list()
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len(), 1, "charged once");
        let posts: Vec<_> = server
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/payments") && r.method == "POST")
            .map(|r| (r.idempotency_key, r.replayed))
            .collect();
        let k = Some("charge-april-0001".to_owned());
        assert_eq!(posts, [(k.clone(), false), (k, true)]);
    })
    .await;
}

#[tokio::test]
async fn testmode_with_an_organization_token() {
    bounded(async {
        let (server, test) = start().await;
        let org = org_client(&server, None, Some(PROFILE_A));
        let c = org
            .customers()
            .create(NewCustomer::new().name("Test"))
            .testmode(true)
            .await
            .unwrap();
        let m = org
            .mandates(&c.id)
            .create(NewMandate::sepa_direct_debit("Test", iban()))
            .testmode(true)
            .await
            .unwrap();
        let p = org
            .customer_payments(&c.id)
            .create(NewPayment::recurring(
                Money::eur("1.00").unwrap(),
                "Test charge",
                &m.id,
            ))
            .testmode(true)
            .await
            .unwrap();
        assert_eq!(p.mode, Mode::Test);
        let listed = org
            .customer_payments(&c.id)
            .list()
            .testmode(true)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        // A test key sees it too; the token in live mode does not know the customer.
        assert_eq!(test.customer_payments(&c.id).list().await.unwrap().len(), 1);
        let live = org.customer_payments(&c.id).list().await.unwrap_err();
        assert!(live.is_not_found(), "{live:?}");

        let log = server.requests();
        let post = log
            .iter()
            .find(|r| r.method == "POST" && r.path.ends_with("/payments"))
            .unwrap();
        let body = post.body.as_ref().unwrap();
        assert_eq!(body["testmode"], json!(true));
        assert_eq!(body["profileId"], json!(PROFILE_A));
        let list = log
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/payments"))
            .map(|r| r.query.clone().unwrap_or_default())
            .collect::<Vec<_>>();
        assert_eq!(
            list,
            [
                format!("testmode=true&profileId={PROFILE_A}"),
                String::new(),
                format!("profileId={PROFILE_A}"),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn profile_id_default_and_per_call() {
    bounded(async {
        let (server, _) = start().await;
        // testmode by default, so that only profileId varies below.
        let org = org_client(&server, Some(true), Some(PROFILE_A));
        let c = org
            .customers()
            .create(NewCustomer::new().name("Jane"))
            .await
            .unwrap();
        let m = org
            .mandates(&c.id)
            .create(NewMandate::sepa_direct_debit("Jane", iban()))
            .await
            .unwrap();
        let charge = |description: &str| {
            NewPayment::recurring(Money::eur("2.00").unwrap(), description, &m.id)
        };
        let payments = org.customers();

        let on_a = payments
            .payments(&c.id)
            .create(charge("on A"))
            .await
            .unwrap();
        assert_eq!(on_a.profile_id.as_str(), PROFILE_A, "the client's default");
        let on_b = payments
            .payments(&c.id)
            .create(charge("on B"))
            .profile_id(profile_id(PROFILE_B))
            .await
            .unwrap();
        assert_eq!(on_b.profile_id.as_str(), PROFILE_B, "the call's own");

        let ids = |page: Vec<Payment>| page.into_iter().map(|p| p.id).collect::<Vec<_>>();
        let default_list = payments.payments(&c.id).list().await.unwrap();
        assert_eq!(
            ids(default_list.into_items()),
            std::slice::from_ref(&on_a.id)
        );
        let b_list = payments
            .payments(&c.id)
            .list()
            .profile_id(profile_id(PROFILE_B))
            .await
            .unwrap();
        assert_eq!(ids(b_list.into_items()), std::slice::from_ref(&on_b.id));
        let b_stream: Vec<Payment> = payments
            .payments(&c.id)
            .list()
            .profile_id(profile_id(PROFILE_B))
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids(b_stream), std::slice::from_ref(&on_b.id));

        // Without a profile (no default, none per call) Mollie refuses an organization
        // token's payment, on the field `profileId`; and lists every profile's payments.
        let no_profile = org_client(&server, Some(true), None);
        let refused = no_profile
            .customer_payments(&c.id)
            .create(charge("nowhere"))
            .await
            .unwrap_err();
        assert_eq!(refused.status(), Some(422), "{refused:?}");
        assert_eq!(refused.field(), Some("profileId"));
        let all = no_profile.customer_payments(&c.id).list().await.unwrap();
        assert_eq!(all.len(), 2);

        let bodies: Vec<_> = server
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/payments"))
            .map(|r| r.body.unwrap().get("profileId").cloned())
            .collect();
        assert_eq!(
            bodies,
            [Some(json!(PROFILE_A)), Some(json!(PROFILE_B)), None,]
        );
        let queries: Vec<_> = server
            .requests()
            .into_iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/payments"))
            .map(|r| r.query.unwrap_or_default())
            .collect();
        assert_eq!(
            queries,
            [
                format!("testmode=true&profileId={PROFILE_A}"),
                format!("testmode=true&profileId={PROFILE_B}"),
                format!("testmode=true&profileId={PROFILE_B}"),
                "testmode=true".to_owned(),
            ]
        );
    })
    .await;
}
