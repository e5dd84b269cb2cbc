//! The Payments, Refunds and Chargebacks APIs through the SDK against mollie-mock: all 14
//! operations with every parameter (and their wire format as a snapshot), with an
//! organization token's testmode and profileId, and Mollie's rules on what happens to a
//! payment after it is made.

use futures::TryStreamExt;
use mollie_mock::MockServer;
use mollie_sdk::models::{
    ChargebackEmbed, PaymentEmbed, PaymentInclude, PaymentMethod, RefundEmbed,
};
use mollie_sdk::{
    Chargeback, Mode, Mollie, Money, NewPayment, NewRefund, Outcome, Payment, PaymentStatus,
    PaymentUpdate, Refund, RefundStatus, SortOrder,
};
use mollie_tests::{
    LIVE_KEY, Redactor, bounded, customer, key, log_mark, org_client, requests_since, sepa_mandate,
    start, with_key,
};
use serde_json::json;

const PROFILE: &str = "pfl_QkEhN94Ba";

fn eur(value: &str) -> Money {
    Money::eur(value).unwrap()
}

/// An order paid at the checkout (the mock's control API plays the customer and the bank).
async fn paid_order(mollie: &Mollie, server: &MockServer, description: &str) -> Payment {
    let order = NewPayment::oneoff(eur("20.00"), description, "https://shop.example/return")
        .method(PaymentMethod::Ideal);
    let payment = mollie.payments().create(order).await.unwrap();
    server
        .set_payment_status(payment.id.as_str(), PaymentStatus::Paid)
        .unwrap();
    mollie.payments().get(&payment.id).await.unwrap()
}

#[tokio::test]
async fn all_fourteen_operations_with_every_parameter() {
    bounded(async {
        let (server, mollie) = start().await;
        let payments = mollie.payments();
        let mark = log_mark(&server);

        // Payments: create (include), get (include, embed), list (from, limit, sort),
        // update, cancel, release authorization.
        let order = NewPayment::oneoff(eur("20.00"), "Order 1", "https://shop.example/return")
            .method(PaymentMethod::Ideal)
            .webhook_url("https://shop.example/webhooks/mollie");
        let created = payments
            .create(order)
            .include(PaymentInclude::QrCode)
            .idempotency_key(key("order-1-payment"))
            .await
            .unwrap();
        assert_eq!(created.status, PaymentStatus::Open);
        let fetched = payments
            .get(&created.id)
            .include(PaymentInclude::QrCode)
            .embed([PaymentEmbed::Refunds, PaymentEmbed::Chargebacks])
            .await
            .unwrap();
        assert_eq!(fetched.id, created.id);
        let page = payments
            .list()
            .from(&created.id)
            .limit(5)
            .sort(SortOrder::Desc)
            .await
            .unwrap();
        assert_eq!(page.items()[0].id, created.id);
        let updated = payments
            .update(
                &created.id,
                PaymentUpdate::new()
                    .description("Order 1, gift-wrapped")
                    .metadata(json!({"wrap": true}))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(updated.description, "Order 1, gift-wrapped");

        let transfer = NewPayment::oneoff(eur("5.00"), "Order 2", "https://shop.example/return")
            .method(PaymentMethod::BankTransfer);
        let transfer = payments.create(transfer).await.unwrap();
        let canceled = payments.cancel(&transfer.id).await.unwrap();
        assert_eq!(canceled.status, PaymentStatus::Canceled);

        let card = NewPayment::oneoff(eur("7.00"), "Order 3", "https://shop.example/return")
            .method(PaymentMethod::CreditCard);
        let card = payments.create(card).await.unwrap();
        server
            .set_payment_status(card.id.as_str(), PaymentStatus::Authorized)
            .unwrap();
        payments.release_authorization(&card.id).await.unwrap();

        // Refunds: create, list (from, limit, embed), get (embed), cancel, list all (from,
        // limit, sort, embed).
        server
            .set_payment_status(created.id.as_str(), PaymentStatus::Paid)
            .unwrap();
        let refunds = mollie.refunds(&created.id);
        let refund = refunds
            .create(
                NewRefund::new(eur("5.00"))
                    .description("Damaged box")
                    .metadata(json!({"ticket": 7}))
                    .unwrap(),
            )
            .idempotency_key(key("order-1-refund-1"))
            .await
            .unwrap();
        let second = refunds.create(NewRefund::new(eur("1.00"))).await.unwrap();
        let listed = refunds
            .list()
            .from(&refund.id)
            .limit(10)
            .embed(RefundEmbed::Payment)
            .await
            .unwrap();
        assert!(listed.items().iter().any(|r| r.id == refund.id));
        let got: Refund = refunds
            .get(&refund.id)
            .embed(RefundEmbed::Payment)
            .await
            .unwrap();
        assert_eq!(got.amount, eur("5.00"));
        refunds.cancel(&second.id).await.unwrap();
        let all = payments
            .list_all_refunds()
            .from(&refund.id)
            .limit(10)
            .sort(SortOrder::Asc)
            .embed(RefundEmbed::Payment)
            .await
            .unwrap();
        assert_eq!(all.len(), 1, "the canceled refund is gone");

        // Chargebacks (made by the bank; here by the mock's control API): list (from,
        // limit, embed), get (embed), list all (from, limit, sort, embed).
        let made = server
            .create_chargeback(created.id.as_str(), Some(eur("2.00")))
            .unwrap();
        let chargebacks = mollie.chargebacks(&created.id);
        let listed = chargebacks
            .list()
            .from(&made.id)
            .limit(10)
            .embed(ChargebackEmbed::Payment)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        let got: Chargeback = chargebacks
            .get(&made.id)
            .embed(ChargebackEmbed::Payment)
            .await
            .unwrap();
        assert_eq!(got.amount, eur("2.00"));
        let all = payments
            .list_all_chargebacks()
            .from(&made.id)
            .limit(10)
            .sort(SortOrder::Desc)
            .embed(ChargebackEmbed::Payment)
            .await
            .unwrap();
        assert_eq!(all.len(), 1);

        let wire = Redactor::new().render_all(&requests_since(&server, mark));
        insta::assert_snapshot!(wire);
    })
    .await;
}

#[tokio::test]
async fn an_organization_token_sends_testmode_and_profile_id_where_each_endpoint_takes_them() {
    bounded(async {
        let server = MockServer::start().await.unwrap();
        let org = org_client(&server, Some(true), Some(PROFILE));
        let payments = org.payments();
        let order = NewPayment::oneoff(eur("20.00"), "Order 9", "https://shop.example/return")
            .method(PaymentMethod::Ideal);
        let mark = log_mark(&server);
        let payment = payments.create(order).await.unwrap();
        assert_eq!(payment.mode, Mode::Test);
        assert_eq!(payment.profile_id.as_str(), PROFILE);
        payments.get(&payment.id).await.unwrap();
        payments.list().await.unwrap();
        server
            .set_payment_status(payment.id.as_str(), PaymentStatus::Paid)
            .unwrap();
        let refund = org
            .refunds(&payment.id)
            .create(NewRefund::new(eur("1.00")))
            .await
            .unwrap();
        org.refunds(&payment.id).get(&refund.id).await.unwrap();
        org.refunds(&payment.id).list().await.unwrap();
        payments.list_all_refunds().await.unwrap();
        org.refunds(&payment.id).cancel(&refund.id).await.unwrap();
        let chargeback = server.create_chargeback(payment.id.as_str(), None).unwrap();
        org.chargebacks(&payment.id)
            .get(&chargeback.id)
            .await
            .unwrap();
        org.chargebacks(&payment.id).list().await.unwrap();
        payments.list_all_chargebacks().await.unwrap();

        // Where each parameter went: the query of a GET, the body of a write, or nowhere.
        let placed: Vec<String> = requests_since(&server, mark)
            .iter()
            .map(|r| {
                let body = r.body.clone().unwrap_or(json!({}));
                format!(
                    "{} {} query={} body.testmode={} body.profileId={}",
                    r.method,
                    Redactor::new().redact(&r.path),
                    r.query.as_deref().unwrap_or("-"),
                    body.get("testmode").map_or("-".into(), ToString::to_string),
                    body.get("profileId").map_or("-".into(), |v| v.to_string()),
                )
            })
            .collect();
        insta::assert_snapshot!(placed.join("\n"));
    })
    .await;
}

#[tokio::test]
async fn a_refund_beyond_what_is_left_is_refused_locally_and_by_mollie() {
    bounded(async {
        let (server, mollie) = start().await;
        let payment = paid_order(&mollie, &server, "Order 4").await;
        assert_eq!(payment.amount_remaining, Some(eur("20.00")));

        // With the payment at hand the SDK refuses before sending.
        let mark = log_mark(&server);
        for (refund, field) in [
            (NewRefund::new(eur("20.01")), "amount"),
            (
                NewRefund::new(Money::new("USD", "1.00").unwrap()),
                "amount.currency",
            ),
            (NewRefund::new(eur("0.00")), "amount.value"),
        ] {
            let error = mollie
                .payments()
                .refund(&payment, refund)
                .await
                .unwrap_err();
            assert_eq!(error.field(), Some(field), "{error:?}");
            assert_eq!(error.outcome(), Outcome::NotSent);
        }
        assert!(requests_since(&server, mark).is_empty(), "nothing was sent");

        // By id alone, Mollie (the mock) refuses it: 422 on `amount`, nothing changed.
        let error = mollie
            .refunds(&payment.id)
            .create(NewRefund::new(eur("25.00")))
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(422));
        assert_eq!(error.field(), Some("amount"));
        assert_eq!(error.outcome(), Outcome::Rejected);
    })
    .await;
}

#[tokio::test]
async fn a_paid_payment_cannot_be_canceled() {
    bounded(async {
        let (server, mollie) = start().await;
        let payment = paid_order(&mollie, &server, "Order 5").await;
        assert_eq!(
            payment.is_cancelable, None,
            "omitted once final, as the spec says"
        );
        let error = mollie.payments().cancel(&payment.id).await.unwrap_err();
        assert_eq!(error.status(), Some(422));
        let again = mollie.payments().get(&payment.id).await.unwrap();
        assert_eq!(again.status, PaymentStatus::Paid);
    })
    .await;
}

#[tokio::test]
async fn refunds_and_chargebacks_add_up_on_the_payment() {
    bounded(async {
        let (server, mollie) = start().await;
        let payment = paid_order(&mollie, &server, "Order 6").await;
        let refund = mollie
            .payments()
            .refund(&payment, NewRefund::new(eur("5.00")))
            .await
            .unwrap();
        server
            .set_refund_status(refund.id.as_str(), RefundStatus::Refunded)
            .unwrap();
        let chargeback = server
            .create_chargeback(payment.id.as_str(), Some(eur("3.00")))
            .unwrap();
        assert_eq!(chargeback.payment_id, payment.id);

        let after = mollie
            .payments()
            .get(&payment.id)
            .embed([PaymentEmbed::Refunds, PaymentEmbed::Chargebacks])
            .await
            .unwrap();
        assert_eq!(after.amount_refunded, Some(eur("5.00")));
        assert_eq!(after.amount_charged_back, Some(eur("3.00")));
        assert_eq!(after.amount_remaining, Some(eur("12.00")), "20 - 5 - 3");
        let embedded = after.embedded.clone().unwrap();
        assert_eq!(embedded.refunds.unwrap().len(), 1);
        assert_eq!(embedded.chargebacks.unwrap().len(), 1);

        let refunded: Vec<Refund> = mollie
            .payments()
            .list_all_refunds()
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(refunded[0].status, RefundStatus::Refunded);
        // What is left is all that can still be refunded.
        let error = mollie
            .payments()
            .refund(&after, NewRefund::new(eur("12.01")))
            .await
            .unwrap_err();
        assert_eq!(error.field(), Some("amount"));
    })
    .await;
}

#[tokio::test]
async fn a_refund_is_not_found_under_another_mode_or_another_payment() {
    bounded(async {
        let (server, mollie) = start().await;
        let payment = paid_order(&mollie, &server, "Order 7").await;
        let other = paid_order(&mollie, &server, "Order 8").await;
        let refund = mollie
            .payments()
            .refund(&payment, NewRefund::new(eur("1.00")))
            .await
            .unwrap();
        let under_other = mollie.refunds(&other.id).get(&refund.id).await.unwrap_err();
        assert!(under_other.is_not_found(), "{under_other:?}");
        let live = with_key(&server, LIVE_KEY);
        let from_live = live.refunds(&payment.id).get(&refund.id).await.unwrap_err();
        assert!(from_live.is_not_found(), "{from_live:?}");
        let refund_live = live
            .refunds(&payment.id)
            .create(NewRefund::new(eur("1.00")))
            .await
            .unwrap_err();
        assert!(refund_live.is_not_found(), "{refund_live:?}");
    })
    .await;
}

#[tokio::test]
async fn a_deleted_customers_payment_stays_readable_for_its_webhook() {
    bounded(async {
        let (_server, mollie) = start().await;
        let jane = customer(&mollie, "Jane").await;
        let mandate = sepa_mandate(&mollie, &jane.id).await;
        let payment = mollie
            .customer_payments(&jane.id)
            .create(NewPayment::recurring(eur("10.00"), "March", &mandate.id))
            .await
            .unwrap();
        mollie.customers().delete(&jane.id).await.unwrap();
        // The webhook may arrive after the customer is gone: the payment is still there.
        let fetched = mollie.payments().get(&payment.id).await.unwrap();
        assert_eq!(fetched.id, payment.id);
        assert_eq!(fetched.customer_id.as_ref(), Some(&jane.id));
    })
    .await;
}
