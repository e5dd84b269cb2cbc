//! The three lists (customers, a customer's mandates, a customer's payments) against
//! mollie-mock: `from`, `limit` and `sort`; one page at a time (`has_next`, the next and
//! previous page); `.stream()` across several pages in the right order, asc and desc, fetched
//! lazily; and `limit` 0 and 251 refused before anything is sent.

use futures::{StreamExt, TryStreamExt};
use mollie_sdk::{Error, Money, NewPayment, SortOrder};
use mollie_tests::{bounded, customer, log_mark, requests_since, sepa_mandate, start};

/// Every pagination check on one list of seven items. `$list` makes a fresh list builder;
/// `$oldest_first` holds the seven ids, oldest first.
macro_rules! check_pagination {
    ($server:expr, $mollie:expr, $list:expr, $oldest_first:expr) => {{
        let server = $server;
        let mollie = $mollie;
        let list = $list;
        let oldest_first = $oldest_first;
        assert_eq!(oldest_first.len(), 7);
        let newest_first: Vec<_> = oldest_first.iter().rev().cloned().collect();
        macro_rules! ids {
            ($page:expr) => {
                $page
                    .items()
                    .iter()
                    .map(|item| item.id.clone())
                    .collect::<Vec<_>>()
            };
        }

        // Page by page, oldest first: 3 + 3 + 1, and back.
        let first = list().limit(3).sort(SortOrder::Asc).await.unwrap();
        assert_eq!(ids!(first), oldest_first[0..3]);
        assert!(first.has_next());
        assert!(first.previous_url().is_none());
        let second = mollie.client().next_page(&first).await.unwrap().unwrap();
        assert_eq!(ids!(second), oldest_first[3..6]);
        assert!(second.has_next());
        assert!(second.previous_url().is_some());
        let third = mollie.client().next_page(&second).await.unwrap().unwrap();
        assert_eq!(ids!(third), oldest_first[6..7]);
        assert!(!third.has_next());
        assert!(mollie.client().next_page(&third).await.unwrap().is_none());
        let back = mollie
            .client()
            .previous_page(&third)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ids!(back), oldest_first[3..6]);

        // Newest first, explicitly and by default.
        let desc = list().limit(3).sort(SortOrder::Desc).await.unwrap();
        assert_eq!(ids!(desc), newest_first[0..3]);
        let default = list().limit(3).await.unwrap();
        assert_eq!(ids!(default), newest_first[0..3]);
        let next = mollie.client().next_page(&desc).await.unwrap().unwrap();
        assert_eq!(ids!(next), newest_first[3..6]);

        // `from` starts at (and includes) that item, in either order.
        let from = list()
            .from(&oldest_first[2])
            .sort(SortOrder::Asc)
            .limit(2)
            .await
            .unwrap();
        assert_eq!(ids!(from), oldest_first[2..4]);
        let from = list()
            .from(&oldest_first[2])
            .sort(SortOrder::Desc)
            .await
            .unwrap();
        assert_eq!(ids!(from), newest_first[4..7]);

        // Streams across several pages, in order.
        let mark = log_mark(server);
        let asc: Vec<_> = list()
            .limit(3)
            .sort(SortOrder::Asc)
            .stream()
            .map_ok(|item| item.id)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(asc, oldest_first);
        let desc: Vec<_> = list()
            .limit(3)
            .sort(SortOrder::Desc)
            .stream()
            .map_ok(|item| item.id)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(desc, newest_first);
        let gets = requests_since(server, mark);
        assert_eq!(gets.len(), 6, "3 pages each way");
        // Pages after the first follow `_links.next`: the cursor, the limit and the order.
        let queries: Vec<String> = gets.iter().map(|r| r.query.clone().unwrap()).collect();
        assert_eq!(
            queries,
            [
                "limit=3&sort=asc".to_owned(),
                format!("from={}&limit=3&sort=asc", oldest_first[3]),
                format!("from={}&limit=3&sort=asc", oldest_first[6]),
                "limit=3&sort=desc".to_owned(),
                format!("from={}&limit=3&sort=desc", newest_first[3]),
                format!("from={}&limit=3&sort=desc", newest_first[6]),
            ]
        );

        // Lazily: two items need one page, not three.
        let mark = log_mark(server);
        let two: Vec<_> = list().limit(3).stream().take(2).collect().await;
        assert_eq!(two.len(), 2);
        assert_eq!(requests_since(server, mark).len(), 1, "one page fetched");

        // The bounds of `limit`: 1 and 250 are sent; 0 and 251 refused before sending.
        assert_eq!(list().limit(1).await.unwrap().len(), 1);
        assert_eq!(list().limit(250).await.unwrap().len(), 7);
        let mark = log_mark(server);
        for limit in [0, 251, u32::MAX] {
            let error = list().limit(limit).await.unwrap_err();
            assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
            assert_eq!(error.field(), Some("limit"));
            let mut stream = list().limit(limit).stream();
            let error = stream.next().await.unwrap().unwrap_err();
            assert_eq!(error.field(), Some("limit"));
            assert!(stream.next().await.is_none(), "the error ends the stream");
        }
        assert!(requests_since(server, mark).is_empty(), "nothing was sent");
    }};
}

#[tokio::test]
async fn customers() {
    bounded(async {
        let (server, mollie) = start().await;
        let mut ids = Vec::new();
        for n in 1..=7 {
            ids.push(customer(&mollie, &format!("Customer {n}")).await.id);
        }
        check_pagination!(&server, &mollie, || mollie.customers().list(), ids);
    })
    .await;
}

#[tokio::test]
async fn mandates() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        // Another customer's mandates must not show up.
        let other = customer(&mollie, "John").await;
        sepa_mandate(&mollie, &other.id).await;
        let mut ids = Vec::new();
        for _ in 1..=7 {
            ids.push(sepa_mandate(&mollie, &c.id).await.id);
        }
        let mandates = mollie.mandates(&c.id);
        check_pagination!(&server, &mollie, || mandates.list(), ids);
    })
    .await;
}

#[tokio::test]
async fn payments() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let m = sepa_mandate(&mollie, &c.id).await;
        let mut ids = Vec::new();
        for n in 1..=7 {
            let payment = NewPayment::recurring(
                Money::eur(&format!("{n}.00")).unwrap(),
                format!("charge {n}"),
                &m.id,
            );
            let p = mollie
                .customer_payments(&c.id)
                .create(payment)
                .await
                .unwrap();
            ids.push(p.id);
        }
        let customers = mollie.customers();
        check_pagination!(&server, &mollie, || customers.payments(&c.id).list(), ids);
    })
    .await;
}

#[tokio::test]
async fn faults_between_pages_are_retried_or_end_the_stream() {
    bounded(async {
        let (server, mollie) = start().await;
        for n in 1..=7 {
            customer(&mollie, &format!("Customer {n}")).await;
        }
        let mut stream = mollie.customers().list().limit(3).stream();
        for _ in 0..3 {
            stream.next().await.unwrap().unwrap();
        }
        // Page 2 meets a 503 once: retried, invisible to the caller.
        server.queue_fault("status=503", 1, Some("GET")).unwrap();
        for _ in 0..3 {
            stream.next().await.unwrap().unwrap();
        }
        // Page 3 meets one on every attempt (fast_retries: 4): the error, once, then the end.
        server.queue_fault("status=503", 4, Some("GET")).unwrap();
        let error = stream.next().await.unwrap().unwrap_err();
        assert!(matches!(error, Error::Api { status: 503, .. }), "{error:?}");
        assert!(stream.next().await.is_none());
        let faults: Vec<_> = server
            .requests()
            .into_iter()
            .filter(|r| r.method == "GET")
            .map(|r| r.fault.is_some())
            .collect();
        assert_eq!(faults, [false, true, false, true, true, true, true]);
    })
    .await;
}

#[tokio::test]
async fn pages_of_an_organization_token_keep_testmode_and_profile_once() {
    bounded(async {
        let (server, _) = start().await;
        let org = mollie_tests::org_client(&server, Some(true), Some("pfl_QkEhN94Ba"));
        let c = org
            .customers()
            .create(mollie_sdk::NewCustomer::new().name("Jane"))
            .await
            .unwrap();
        let m = org
            .mandates(&c.id)
            .create(mollie_sdk::NewMandate::sepa_direct_debit(
                "Jane",
                mollie_tests::iban(),
            ))
            .await
            .unwrap();
        for n in 1..=5 {
            let payment =
                NewPayment::recurring(Money::eur("1.00").unwrap(), format!("charge {n}"), &m.id);
            org.customer_payments(&c.id).create(payment).await.unwrap();
        }
        let mark = log_mark(&server);
        let all: Vec<_> = org
            .customer_payments(&c.id)
            .list()
            .limit(2)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len(), 5);
        let queries: Vec<_> = requests_since(&server, mark)
            .into_iter()
            .map(|r| r.query.unwrap())
            .collect();
        assert_eq!(queries.len(), 3);
        for query in queries {
            assert_eq!(query.matches("testmode=true").count(), 1, "{query}");
            assert_eq!(
                query.matches("profileId=pfl_QkEhN94Ba").count(),
                1,
                "{query}"
            );
        }
    })
    .await;
}
