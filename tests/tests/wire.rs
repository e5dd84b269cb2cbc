//! Snapshots of each operation's wire format as mollie-mock received it (its request log):
//! method, path, query string, idempotency key, JSON body, and the mock's answer. Random ids
//! and generated keys are replaced by stable placeholders (`[customer-1]`, `[uuid-1]`).
//!
//! The eleven operations with an API key, every parameter set; all eleven again with an
//! organization token and its `testmode`/`profileId` defaults; a stream following
//! `_links.next`; and a call retried through faults.

use futures::TryStreamExt;
use mollie_mock::MockServer;
use mollie_sdk::customers::CustomerInclude;
use mollie_sdk::{
    Customer, CustomerUpdate, Locale, Mollie, Money, NewCustomer, NewMandate, NewPayment,
    SortOrder, models::Date, models::MandateScope,
};
use mollie_tests::{
    Redactor, bounded, customer, iban, key, log_mark, org_client, requests_since, sepa_mandate,
    start,
};
use serde_json::json;

/// The requests logged since `mark`, as redacted text.
fn wire(server: &MockServer, mark: u64) -> String {
    Redactor::new().render_all(&requests_since(server, mark))
}

/// A customer with a valid mandate and one payment, to have ids to work on.
async fn fixture(mollie: &Mollie) -> (Customer, mollie_sdk::Mandate, mollie_sdk::Payment) {
    let c = customer(mollie, "Jane Doe").await;
    let m = sepa_mandate(mollie, &c.id).await;
    let p = mollie
        .customer_payments(&c.id)
        .create(NewPayment::recurring(
            Money::eur("1.00").unwrap(),
            "first",
            &m.id,
        ))
        .await
        .unwrap();
    (c, m, p)
}

#[tokio::test]
async fn create_customer() {
    bounded(async {
        let (server, mollie) = start().await;
        let new = NewCustomer::new()
            .name("Jane Doe")
            .email("jane@example.org")
            .locale(Locale::NlNl)
            .metadata(json!({"crm": {"id": 42}}))
            .unwrap();
        mollie.customers().create(new).await.unwrap();
        insta::assert_snapshot!(wire(&server, 0));
    })
    .await;
}

#[tokio::test]
async fn get_customer() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let mark = log_mark(&server);
        mollie
            .customers()
            .get(&c.id)
            .include(CustomerInclude::Events)
            .await
            .unwrap();
        insta::assert_snapshot!(wire(&server, mark));
    })
    .await;
}

#[tokio::test]
async fn update_customer() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let mark = log_mark(&server);
        mollie
            .customers()
            .update(
                &c.id,
                CustomerUpdate::new()
                    .name("Jane D.")
                    .email("jd@example.org")
                    .locale(Locale::EnUs),
            )
            .idempotency_key(key("update-jane-0001"))
            .await
            .unwrap();
        insta::assert_snapshot!(wire(&server, mark));
    })
    .await;
}

#[tokio::test]
async fn delete_customer() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let mark = log_mark(&server);
        mollie.customers().delete(&c.id).await.unwrap();
        insta::assert_snapshot!(wire(&server, mark));
    })
    .await;
}

#[tokio::test]
async fn list_customers() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let mark = log_mark(&server);
        mollie
            .customers()
            .list()
            .from(&c.id)
            .limit(25)
            .sort(SortOrder::Asc)
            .await
            .unwrap();
        insta::assert_snapshot!(wire(&server, mark));
    })
    .await;
}

#[tokio::test]
async fn create_customer_payment() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let m = sepa_mandate(&mollie, &c.id).await;
        let mark = log_mark(&server);
        let payment = NewPayment::recurring(Money::eur("10.00").unwrap(), "March", &m.id)
            .webhook_url("https://shop.example/webhooks/mollie")
            .metadata(json!({"invoice": "2024-0042"}))
            .unwrap();
        mollie
            .customer_payments(&c.id)
            .create(payment)
            .idempotency_key(key("charge-march-0001"))
            .await
            .unwrap();
        insta::assert_snapshot!(wire(&server, mark));
    })
    .await;
}

#[tokio::test]
async fn list_customer_payments() {
    bounded(async {
        let (server, mollie) = start().await;
        let (c, _, p) = fixture(&mollie).await;
        let mark = log_mark(&server);
        mollie
            .customer_payments(&c.id)
            .list()
            .from(&p.id)
            .limit(10)
            .sort(SortOrder::Desc)
            .await
            .unwrap();
        insta::assert_snapshot!(wire(&server, mark));
    })
    .await;
}

#[tokio::test]
async fn create_mandate() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let mark = log_mark(&server);
        mollie
            .mandates(&c.id)
            .create(
                NewMandate::sepa_direct_debit("Jane Doe", iban())
                    .consumer_bic("INGBNL2A")
                    .signature_date(Date::parse("2024-05-07").unwrap())
                    .mandate_reference("ACME-MD-0001"),
            )
            .await
            .unwrap();
        insta::assert_snapshot!(wire(&server, mark));
    })
    .await;
}

#[tokio::test]
async fn get_mandate() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let m = sepa_mandate(&mollie, &c.id).await;
        let mark = log_mark(&server);
        mollie.mandates(&c.id).get(&m.id).await.unwrap();
        insta::assert_snapshot!(wire(&server, mark));
    })
    .await;
}

#[tokio::test]
async fn list_mandates() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let m = sepa_mandate(&mollie, &c.id).await;
        let mark = log_mark(&server);
        mollie
            .mandates(&c.id)
            .list()
            .from(&m.id)
            .limit(5)
            .sort(SortOrder::Asc)
            .scopes([MandateScope::CustomerNotPresent])
            .await
            .unwrap();
        insta::assert_snapshot!(wire(&server, mark));
    })
    .await;
}

#[tokio::test]
async fn revoke_mandate() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let m = sepa_mandate(&mollie, &c.id).await;
        let mark = log_mark(&server);
        mollie
            .mandates(&c.id)
            .revoke(&m.id)
            .idempotency_key(key("revoke-0001"))
            .await
            .unwrap();
        insta::assert_snapshot!(wire(&server, mark));
    })
    .await;
}

#[tokio::test]
async fn organization_token_all_eleven_operations() {
    bounded(async {
        let server = MockServer::start().await.unwrap();
        let org = org_client(&server, Some(true), Some("pfl_QkEhN94Ba"));
        let customers = org.customers();
        let c = customers
            .create(NewCustomer::new().name("Jane"))
            .await
            .unwrap();
        customers.get(&c.id).await.unwrap();
        customers
            .update(&c.id, CustomerUpdate::new().name("Jane D."))
            .await
            .unwrap();
        customers.list().limit(5).await.unwrap();
        let mandates = org.mandates(&c.id);
        let m = mandates
            .create(NewMandate::sepa_direct_debit("Jane", iban()))
            .await
            .unwrap();
        mandates.get(&m.id).await.unwrap();
        mandates.list().await.unwrap();
        customers
            .payments(&c.id)
            .create(NewPayment::recurring(
                Money::eur("10.00").unwrap(),
                "March",
                &m.id,
            ))
            .await
            .unwrap();
        customers.payments(&c.id).list().await.unwrap();
        mandates.revoke(&m.id).await.unwrap();
        customers.delete(&c.id).await.unwrap();
        insta::assert_snapshot!(wire(&server, 0));
    })
    .await;
}

#[tokio::test]
async fn stream_follows_next_links() {
    bounded(async {
        let (server, mollie) = start().await;
        let mut redactor = Redactor::new();
        for n in 1..=5 {
            let c = customer(&mollie, &format!("Customer {n}")).await;
            // `[customer-N]` is the N-th created.
            redactor.learn([c.id.as_str()]);
        }
        let mark = log_mark(&server);
        let all: Vec<Customer> = mollie
            .customers()
            .list()
            .limit(2)
            .sort(SortOrder::Asc)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len(), 5);
        insta::assert_snapshot!(redactor.render_all(&requests_since(&server, mark)));
    })
    .await;
}

#[tokio::test]
async fn retried_through_faults() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let m = sepa_mandate(&mollie, &c.id).await;
        let path = format!("POST /v2/customers/{}/payments", c.id);
        server.queue_fault("status=503", 1, Some(&path)).unwrap();
        server
            .queue_fault("fail-after-commit=drop", 1, Some(&path))
            .unwrap();
        let mark = log_mark(&server);
        let response = mollie
            .customer_payments(&c.id)
            .create(NewPayment::recurring(
                Money::eur("10.00").unwrap(),
                "March",
                &m.id,
            ))
            .send_with_meta()
            .await
            .unwrap();
        assert_eq!(response.meta.attempts(), 3);
        assert!(response.meta.idempotent_replayed());
        insta::assert_snapshot!(wire(&server, mark));
    })
    .await;
}
