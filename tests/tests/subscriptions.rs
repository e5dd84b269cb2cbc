//! The Subscriptions API through the SDK against mollie-mock: all 7 operations with every
//! parameter (and their wire format as a snapshot), with an organization token's testmode and
//! profileId, input refused before sending, and Mollie's rules on what a subscription does as
//! time passes (the mock's clock: payments on their days, completion, a revoked mandate, a
//! failed charge, and the webhooks of each payment).
//!
//! Every mock here stands still at Monday 2026-01-05T10:00:00Z: only
//! `MockServer::advance_clock` moves its time, so dates are exact.

use std::time::{Duration, UNIX_EPOCH};

use futures::{StreamExt, TryStreamExt};
use mollie_examples::webhook_receiver::Receiver;
use mollie_mock::{DeliveryKind, DeliveryOutcome, MockConfig, MockServer};
use mollie_sdk::models::{ApplicationFee, Date, IntervalUnit, SubscriptionMethod};
use mollie_sdk::{
    Error, Interval, Mode, Mollie, Money, NewCustomer, NewMandate, NewSubscription, Outcome,
    Payment, PaymentStatus, SequenceType, SortOrder, Subscription, SubscriptionStatus,
    SubscriptionUpdate,
};
use mollie_tests::{
    Redactor, TEST_KEY, bounded, customer, iban, key, log_mark, org_client, profile_id,
    requests_since, sepa_mandate, with_key,
};
use serde_json::json;
use tokio::sync::mpsc;

/// Monday 2026-01-05T10:00:00Z, where the base clock of these mocks stands still.
const MONDAY: u64 = 1_767_607_200;
const DAY: Duration = Duration::from_secs(86_400);
const PROFILE: &str = "pfl_QkEhN94Ba";
const OTHER_PROFILE: &str = "pfl_v9hTwCvYqw";

/// A mock whose clock stands still at [`MONDAY`] (one attempt per webhook), and a client of
/// it with the test key.
async fn frozen() -> (MockServer, Mollie) {
    let server = MockConfig::new()
        .clock(|| UNIX_EPOCH + Duration::from_secs(MONDAY))
        .webhook_retry_delays([])
        .start()
        .await
        .expect("the mock starts");
    let mollie = with_key(&server, TEST_KEY);
    (server, mollie)
}

fn eur(value: &str) -> Money {
    Money::eur(value).unwrap()
}

fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn monthly() -> Interval {
    Interval::months(1).unwrap()
}

/// Every payment the subscription made, oldest first, read through the SDK's stream.
async fn payments_of(mollie: &Mollie, subscription: &Subscription) -> Vec<Payment> {
    mollie
        .subscriptions(&subscription.customer_id)
        .payments(&subscription.id)
        .sort(SortOrder::Asc)
        .stream()
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn all_seven_operations_with_every_parameter() {
    bounded(async {
        let (server, mollie) = frozen().await;
        let jane = customer(&mollie, "Jane Doe").await;
        let first_mandate = sepa_mandate(&mollie, &jane.id).await;
        let second_mandate = sepa_mandate(&mollie, &jane.id).await;
        // Another customer's subscription, for the account-wide list.
        let john = customer(&mollie, "John Doe").await;
        sepa_mandate(&mollie, &john.id).await;
        let johns = mollie
            .subscriptions(&john.id)
            .create(
                NewSubscription::new(eur("4.00"), monthly(), "Magazine")
                    .start_date(date("2026-03-01")),
            )
            .await
            .unwrap();
        let subscriptions = mollie.subscriptions(&jane.id);
        let mut redactor = Redactor::new();
        redactor.learn([
            jane.id.as_str(),
            first_mandate.id.as_str(),
            second_mandate.id.as_str(),
        ]);
        let mark = log_mark(&server);

        // Create, with every field of the body and an idempotency key.
        let fee = ApplicationFee {
            amount: eur("1.00"),
            description: "Platform fee".into(),
        };
        let plan =
            NewSubscription::new(eur("25.00"), Interval::months(3).unwrap(), "Quarterly box")
                .times(4)
                .start_date(date("2026-02-01"))
                .method(SubscriptionMethod::DirectDebit)
                .mandate_id(first_mandate.id.clone())
                .webhook_url("https://shop.example/webhooks/mollie")
                .metadata(json!({"plan": "gold"}))
                .unwrap()
                .application_fee(fee.clone());
        let created = subscriptions
            .create(plan)
            .idempotency_key(key("sub-01-create"))
            .await
            .unwrap();
        assert!(created.id.as_str().starts_with("sub_"), "{}", created.id);
        assert_eq!(created.resource, "subscription");
        assert_eq!(created.mode, Mode::Test);
        assert_eq!(created.status, SubscriptionStatus::Active);
        assert_eq!(created.amount, eur("25.00"));
        assert_eq!(created.times, Some(4));
        assert_eq!(created.times_remaining, Some(4));
        assert_eq!(created.interval.count(), Some(3));
        assert_eq!(created.interval.unit(), Some(IntervalUnit::Months));
        assert_eq!(created.start_date, date("2026-02-01"));
        assert_eq!(created.next_payment_date, Some(date("2026-02-01")));
        assert_eq!(created.description, "Quarterly box");
        assert_eq!(created.method, Some(SubscriptionMethod::DirectDebit));
        assert_eq!(created.application_fee, Some(fee));
        assert_eq!(created.metadata, Some(json!({"plan": "gold"})));
        assert_eq!(
            created.webhook_url.as_deref(),
            Some("https://shop.example/webhooks/mollie")
        );
        assert_eq!(created.customer_id, jane.id);
        assert_eq!(created.mandate_id.as_ref(), Some(&first_mandate.id));
        assert_eq!(created.created_at.as_str(), "2026-01-05T10:00:00+00:00");
        assert_eq!(created.canceled_at, None);
        assert_eq!(created.links.payments, None, "no payment yet");

        // Get.
        let got = subscriptions
            .get(&created.id)
            .idempotency_key(key("sub-02-get"))
            .await
            .unwrap();
        assert_eq!(got, created);

        // Update, with every field of the body: the new start date is the next payment's day.
        let update = SubscriptionUpdate::new()
            .amount(eur("30.00"))
            .description("Quarterly box, large")
            .interval(Interval::months(2).unwrap())
            .start_date(date("2026-03-01"))
            .times(6)
            .metadata(json!({"plan": "platinum"}))
            .unwrap()
            .webhook_url("https://shop.example/webhooks/mollie/v2")
            .mandate_id(second_mandate.id.clone());
        let updated = subscriptions
            .update(&created.id, update)
            .idempotency_key(key("sub-03-update"))
            .await
            .unwrap();
        assert_eq!(updated.id, created.id);
        assert_eq!(updated.status, SubscriptionStatus::Active);
        assert_eq!(updated.amount, eur("30.00"));
        assert_eq!(updated.description, "Quarterly box, large");
        assert_eq!(updated.interval, Interval::months(2).unwrap());
        assert_eq!(updated.start_date, date("2026-03-01"));
        assert_eq!(updated.next_payment_date, Some(date("2026-03-01")));
        assert_eq!(updated.times, Some(6));
        assert_eq!(updated.times_remaining, Some(6));
        assert_eq!(updated.metadata, Some(json!({"plan": "platinum"})));
        assert_eq!(
            updated.webhook_url.as_deref(),
            Some("https://shop.example/webhooks/mollie/v2")
        );
        assert_eq!(updated.mandate_id.as_ref(), Some(&second_mandate.id));
        assert_eq!(
            updated.application_fee, created.application_fee,
            "unchanged"
        );

        // A weekly subscription that starts today: its first payment is made at once, the
        // second a week later.
        let weekly = subscriptions
            .create(NewSubscription::new(
                eur("9.95"),
                Interval::weeks(1).unwrap(),
                "Weekly flowers",
            ))
            .await
            .unwrap();
        assert_eq!(weekly.next_payment_date, Some(date("2026-01-05")));
        let report = server.advance_clock(8 * DAY).await;
        assert_eq!(report.charged, 1, "{report:?}");

        // List the customer's subscriptions: from, limit, sort; then a stream of pages of one.
        let page = subscriptions
            .list()
            .from(&created.id)
            .limit(5)
            .sort(SortOrder::Asc)
            .idempotency_key(key("sub-04-list"))
            .await
            .unwrap();
        let ids: Vec<_> = page.items().iter().map(|s| s.id.clone()).collect();
        assert_eq!(ids, [created.id.clone(), weekly.id.clone()], "oldest first");
        let streamed: Vec<Subscription> = subscriptions
            .list()
            .limit(1)
            .stream()
            .try_collect()
            .await
            .unwrap();
        let ids: Vec<_> = streamed.iter().map(|s| s.id.clone()).collect();
        assert_eq!(ids, [weekly.id.clone(), created.id.clone()], "newest first");

        // List all subscriptions of the account: from, limit.
        let all = mollie
            .all_subscriptions()
            .list()
            .from(&created.id)
            .limit(10)
            .idempotency_key(key("sub-05-list-all"))
            .await
            .unwrap();
        let ids: Vec<_> = all.items().iter().map(|s| s.id.clone()).collect();
        assert_eq!(ids, [created.id.clone(), johns.id.clone()], "newest first");
        assert_eq!(all.items()[1].customer_id, john.id);

        // List the subscription's payments: from, limit, sort; then a stream of pages of one.
        let made: Vec<Payment> = subscriptions
            .payments(&weekly.id)
            .limit(1)
            .sort(SortOrder::Asc)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(made.len(), 2, "today's and a week later's");
        // `[payment-N]` is the N-th made.
        redactor.learn(made.iter().map(|p| p.id.as_str()));
        let created_at: Vec<&str> = made.iter().map(|p| p.created_at.as_str()).collect();
        assert_eq!(
            created_at,
            ["2026-01-05T10:00:00+00:00", "2026-01-12T00:00:00+00:00"]
        );
        let page = subscriptions
            .payments(&weekly.id)
            .from(&made[1].id)
            .limit(5)
            .sort(SortOrder::Desc)
            .idempotency_key(key("sub-06-payments"))
            .await
            .unwrap();
        let ids: Vec<_> = page.items().iter().map(|p| p.id.clone()).collect();
        assert_eq!(
            ids,
            [made[1].id.clone(), made[0].id.clone()],
            "newest first"
        );

        // Cancel.
        let canceled = subscriptions
            .cancel(&weekly.id)
            .idempotency_key(key("sub-07-cancel"))
            .await
            .unwrap();
        assert_eq!(canceled.status, SubscriptionStatus::Canceled);
        assert_eq!(
            canceled.canceled_at.as_ref().map(|t| t.as_str()),
            Some("2026-01-13T10:00:00+00:00")
        );
        assert_eq!(canceled.next_payment_date, None);

        let wire = redactor.render_all(&requests_since(&server, mark));
        insta::assert_snapshot!(wire);
    })
    .await;
}

#[tokio::test]
async fn an_organization_token_sends_testmode_and_profile_id_where_each_endpoint_takes_them() {
    bounded(async {
        let (server, _) = frozen().await;
        let org = org_client(&server, Some(true), Some(PROFILE));
        let jane = customer(&org, "Jane Doe").await;
        sepa_mandate(&org, &jane.id).await;
        let subscriptions = org.subscriptions(&jane.id);
        let mark = log_mark(&server);

        let plan = NewSubscription::new(eur("10.00"), monthly(), "Monthly plan");
        let created = subscriptions.create(plan).await.unwrap();
        assert_eq!(created.mode, Mode::Test);
        let profile = created.links.profile.as_ref().expect("a profile link");
        assert!(profile.href.ends_with(PROFILE), "{}", profile.href);
        subscriptions.get(&created.id).await.unwrap();
        subscriptions
            .update(
                &created.id,
                SubscriptionUpdate::new().description("Monthly plan+"),
            )
            .await
            .unwrap();
        subscriptions.list().await.unwrap();
        org.all_subscriptions().list().await.unwrap();
        let made = subscriptions.payments(&created.id).await.unwrap();
        assert_eq!(made.len(), 1, "the first payment, made at once");
        assert_eq!(made.items()[0].profile_id.as_str(), PROFILE);
        assert_eq!(made.items()[0].mode, Mode::Test);
        subscriptions.cancel(&created.id).await.unwrap();

        // Where each parameter went: the query of a GET, the body of a write, or nowhere.
        let mut redactor = Redactor::new();
        let placed: Vec<String> = requests_since(&server, mark)
            .iter()
            .map(|r| {
                let body = r.body.clone().unwrap_or(json!({}));
                format!(
                    "{} {} query={} body.testmode={} body.profileId={}",
                    r.method,
                    redactor.redact(&r.path),
                    redactor.redact(r.query.as_deref().unwrap_or("-")),
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
async fn an_organization_token_sets_testmode_and_profile_id_per_call() {
    bounded(async {
        let (server, _) = frozen().await;
        // No defaults: each call says which mode and profile it means.
        let org = org_client(&server, None, None);
        let jane = org
            .customers()
            .create(NewCustomer::new().name("Jane Doe"))
            .testmode(true)
            .await
            .unwrap();
        org.mandates(&jane.id)
            .create(NewMandate::sepa_direct_debit("Jane Doe", iban()))
            .testmode(true)
            .await
            .unwrap();
        let subscriptions = org.subscriptions(&jane.id);
        let plan = || NewSubscription::new(eur("10.00"), monthly(), "Monthly plan");

        // Without a profile, Mollie cannot tell whose subscription it is.
        let error = subscriptions
            .create(plan())
            .testmode(true)
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(422), "{error:?}");
        assert_eq!(error.field(), Some("profileId"));
        assert_eq!(error.outcome(), Outcome::Rejected);

        let created = subscriptions
            .create(plan())
            .testmode(true)
            .profile_id(profile_id(PROFILE))
            .await
            .unwrap();
        assert_eq!(created.mode, Mode::Test);
        // Without testmode, an organization token means live mode, where Jane is unknown.
        let live = subscriptions.get(&created.id).await.unwrap_err();
        assert!(live.is_not_found(), "{live:?}");
        let got = subscriptions.get(&created.id).testmode(true).await.unwrap();
        assert_eq!(got.id, created.id);

        // profileId narrows the account-wide list and the subscription's payments.
        for (profile, expected) in [(PROFILE, 1), (OTHER_PROFILE, 0)] {
            let all = org
                .all_subscriptions()
                .list()
                .testmode(true)
                .profile_id(profile_id(profile))
                .await
                .unwrap();
            assert_eq!(all.len(), expected, "subscriptions of {profile}");
            let made = subscriptions
                .payments(&created.id)
                .testmode(true)
                .profile_id(profile_id(profile))
                .await
                .unwrap();
            assert_eq!(made.len(), expected, "payments of {profile}");
        }
        let queries: Vec<String> = requests_since(&server, 0)
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/payments"))
            .map(|r| r.query.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            queries,
            [
                format!("testmode=true&profileId={PROFILE}"),
                format!("testmode=true&profileId={OTHER_PROFILE}"),
            ]
        );
    })
    .await;
}

/// Asserts that `result` is the client's refusal of `field`, with nothing sent.
fn assert_refused<T: std::fmt::Debug>(operation: &str, result: Result<T, Error>, field: &str) {
    match result {
        Err(error @ Error::InvalidInput(_)) => {
            assert_eq!(error.field(), Some(field), "{operation}: {error}");
            assert_eq!(error.outcome(), Outcome::NotSent, "{operation}");
            assert!(error.is_not_sent(), "{operation}");
            assert!(error.status().is_none(), "{operation}: no answer");
        }
        other => panic!("{operation}: expected InvalidInput on `{field}`, got {other:?}"),
    }
}

#[tokio::test]
async fn input_mollie_would_refuse_is_refused_before_sending() {
    bounded(async {
        let (server, mollie) = frozen().await;
        let jane = customer(&mollie, "Jane Doe").await;
        let mandate = sepa_mandate(&mollie, &jane.id).await;
        let subscriptions = mollie.subscriptions(&jane.id);
        let existing = subscriptions
            .create(NewSubscription::new(eur("5.00"), monthly(), "Plan"))
            .await
            .unwrap();
        let mark = log_mark(&server);

        // An interval read from JSON is kept as it is, but not sent.
        let thirteen: Interval = serde_json::from_str("\"13 months\"").unwrap();
        assert_eq!(thirteen.as_str(), "13 months");
        let fortnight: Interval = serde_json::from_str("\"1 fortnight\"").unwrap();
        let plan = |interval: Interval| NewSubscription::new(eur("5.00"), interval, "Other plan");
        let fee = |currency: &str, value: &str| ApplicationFee {
            amount: Money::new(currency, value).unwrap(),
            description: "Platform fee".into(),
        };
        for (subscription, field) in [
            (plan(monthly()).times(0), "times"),
            (plan(thirteen.clone()), "interval"),
            (plan(fortnight), "interval"),
            (
                NewSubscription::new(eur("0.00"), monthly(), "Free"),
                "amount.value",
            ),
            (
                NewSubscription::new(eur("5.00"), monthly(), "  "),
                "description",
            ),
            (
                plan(monthly()).application_fee(fee("EUR", "5.00")),
                "applicationFee.amount.value",
            ),
            (
                plan(monthly()).application_fee(fee("USD", "1.00")),
                "applicationFee.amount.currency",
            ),
        ] {
            let shown = format!("{subscription:?}");
            assert_refused(
                &shown,
                subscriptions
                    .create(subscription.mandate_id(mandate.id.clone()))
                    .await,
                field,
            );
        }
        for (update, field) in [
            (SubscriptionUpdate::new().times(0), "times"),
            (SubscriptionUpdate::new().interval(thirteen), "interval"),
            (
                SubscriptionUpdate::new().amount(eur("-1.00")),
                "amount.value",
            ),
            (SubscriptionUpdate::new().description(""), "description"),
        ] {
            let shown = format!("{update:?}");
            assert_refused(
                &shown,
                subscriptions.update(&existing.id, update).await,
                field,
            );
        }
        assert_refused("list", subscriptions.list().limit(0).await, "limit");
        assert_refused(
            "list all",
            mollie.all_subscriptions().list().limit(251).await,
            "limit",
        );
        assert_refused(
            "payments",
            subscriptions.payments(&existing.id).limit(0).await,
            "limit",
        );
        // A stream yields the refusal as its one item.
        let mut stream = subscriptions.list().limit(300).stream();
        assert_refused("stream", stream.next().await.unwrap(), "limit");
        assert!(stream.next().await.is_none());

        // An API key has one mode and one profile: testmode and profileId are refused on
        // every operation.
        let field = "testmode";
        let ok_plan = || NewSubscription::new(eur("5.00"), monthly(), "Other plan");
        let id = &existing.id;
        assert_refused(
            "create",
            subscriptions.create(ok_plan()).testmode(true).await,
            field,
        );
        assert_refused("get", subscriptions.get(id).testmode(true).await, field);
        assert_refused(
            "update",
            subscriptions
                .update(id, SubscriptionUpdate::new().times(9))
                .testmode(true)
                .await,
            field,
        );
        assert_refused(
            "cancel",
            subscriptions.cancel(id).testmode(false).await,
            field,
        );
        assert_refused("list", subscriptions.list().testmode(true).await, field);
        assert_refused(
            "list all",
            mollie.all_subscriptions().list().testmode(true).await,
            field,
        );
        assert_refused(
            "payments",
            subscriptions.payments(id).testmode(true).await,
            field,
        );
        let pfl = || profile_id(PROFILE);
        assert_refused(
            "create",
            subscriptions.create(ok_plan()).profile_id(pfl()).await,
            "profileId",
        );
        assert_refused(
            "list all",
            mollie.all_subscriptions().list().profile_id(pfl()).await,
            "profileId",
        );
        assert_refused(
            "payments",
            subscriptions.payments(id).profile_id(pfl()).await,
            "profileId",
        );

        assert!(
            requests_since(&server, mark).is_empty(),
            "the mock saw no request"
        );
        // And nothing changed.
        let again = subscriptions.get(&existing.id).await.unwrap();
        assert_eq!(again.times, None);
        assert_eq!(again.interval, monthly());
        let all = mollie.all_subscriptions().list().await.unwrap();
        assert_eq!(all.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn what_only_mollie_knows_is_refused_by_mollie() {
    bounded(async {
        let (_server, mollie) = frozen().await;
        // No mandate to charge.
        let jane = customer(&mollie, "Jane Doe").await;
        let subscriptions = mollie.subscriptions(&jane.id);
        let plan = || NewSubscription::new(eur("5.00"), monthly(), "Plan");
        let error = subscriptions.create(plan()).await.unwrap_err();
        assert_eq!(error.status(), Some(422), "{error:?}");
        assert_eq!(error.field(), Some("mandateId"));
        assert_eq!(error.outcome(), Outcome::Rejected);

        // A canceled subscription cannot be updated or canceled again.
        sepa_mandate(&mollie, &jane.id).await;
        let subscription = subscriptions.create(plan()).await.unwrap();
        subscriptions.cancel(&subscription.id).await.unwrap();
        let update = subscriptions
            .update(&subscription.id, SubscriptionUpdate::new().times(9))
            .await
            .unwrap_err();
        assert_eq!(update.status(), Some(422), "{update:?}");
        assert_eq!(update.field(), Some("status"));
        let cancel = subscriptions.cancel(&subscription.id).await.unwrap_err();
        assert_eq!(cancel.status(), Some(422), "{cancel:?}");
        assert_eq!(cancel.field(), Some("status"));
        // Nor is another customer's subscription found under this one.
        let john = customer(&mollie, "John Doe").await;
        let elsewhere = mollie
            .subscriptions(&john.id)
            .get(&subscription.id)
            .await
            .unwrap_err();
        assert!(elsewhere.is_not_found(), "{elsewhere:?}");
    })
    .await;
}

#[tokio::test]
async fn a_monthly_subscription_of_three_payments_charges_settles_and_completes() {
    bounded(async {
        let (server, mollie) = frozen().await;
        let jane = customer(&mollie, "Jane Doe").await;
        let mandate = sepa_mandate(&mollie, &jane.id).await;
        let subscriptions = mollie.subscriptions(&jane.id);
        let subscription = subscriptions
            .create(NewSubscription::new(eur("25.00"), monthly(), "Plan").times(3))
            .await
            .unwrap();
        assert_eq!(subscription.next_payment_date, Some(date("2026-01-05")));

        // Four months on: the first payment was made at once, two more on the 5th.
        let report = server.advance_clock(4 * 31 * DAY).await;
        assert_eq!(
            (report.charged, report.settled, report.failed, report.ended),
            (2, 3, 0, 1),
            "{report:?}"
        );
        assert_eq!(report.now, "2026-05-09T10:00:00+00:00");

        // Streamed in pages of two: all three, each paid, recurring, of this subscription.
        let mark = log_mark(&server);
        let made: Vec<Payment> = subscriptions
            .payments(&subscription.id)
            .limit(2)
            .sort(SortOrder::Asc)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            requests_since(&server, mark).len(),
            2,
            "two pages were fetched"
        );
        let created_at: Vec<&str> = made.iter().map(|p| p.created_at.as_str()).collect();
        assert_eq!(
            created_at,
            [
                "2026-01-05T10:00:00+00:00",
                "2026-02-05T00:00:00+00:00",
                "2026-03-05T00:00:00+00:00",
            ]
        );
        for payment in &made {
            assert_eq!(payment.status, PaymentStatus::Paid, "{}", payment.id);
            assert_eq!(payment.subscription_id.as_ref(), Some(&subscription.id));
            assert_eq!(payment.sequence_type, SequenceType::Recurring);
            assert_eq!(payment.mandate_id.as_ref(), Some(&mandate.id));
            assert_eq!(payment.customer_id.as_ref(), Some(&jane.id));
            assert_eq!(payment.amount, eur("25.00"));
            assert_eq!(payment.description, "Plan");
            assert!(payment.paid_at.is_some(), "{}", payment.id);
        }
        // Created on Monday, due Tuesday, paid one business day later.
        assert_eq!(
            made[0].paid_at.as_ref().map(|t| t.as_str()),
            Some("2026-01-07T00:00:00+00:00")
        );

        let completed = subscriptions.get(&subscription.id).await.unwrap();
        assert_eq!(completed.status, SubscriptionStatus::Completed);
        assert!(completed.status.is_final());
        assert_eq!(completed.times_remaining, Some(0));
        assert_eq!(completed.next_payment_date, None);
        assert!(completed.links.payments.is_some());

        // Nothing more, however long one waits.
        let report = server.advance_clock(365 * DAY).await;
        assert_eq!(report.charged, 0, "{report:?}");
        assert_eq!(payments_of(&mollie, &subscription).await.len(), 3);
    })
    .await;
}

#[tokio::test]
async fn revoking_the_mandate_cancels_the_subscription() {
    bounded(async {
        let (server, mollie) = frozen().await;
        let jane = customer(&mollie, "Jane Doe").await;
        let mandate = sepa_mandate(&mollie, &jane.id).await;
        let subscriptions = mollie.subscriptions(&jane.id);
        let own = subscriptions
            .create(
                NewSubscription::new(eur("25.00"), monthly(), "Own mandate")
                    .start_date(date("2026-02-01"))
                    .mandate_id(mandate.id.clone()),
            )
            .await
            .unwrap();
        // One without a mandate of its own: no other valid mandate can charge it either.
        let any = subscriptions
            .create(
                NewSubscription::new(eur("5.00"), monthly(), "Any mandate")
                    .start_date(date("2026-02-01")),
            )
            .await
            .unwrap();
        assert_eq!(any.mandate_id, None);

        mollie.mandates(&jane.id).revoke(&mandate.id).await.unwrap();
        for subscription in [&own, &any] {
            let after = subscriptions.get(&subscription.id).await.unwrap();
            assert_eq!(after.status, SubscriptionStatus::Canceled, "{}", after.id);
            assert_eq!(
                after.canceled_at.as_ref().map(|t| t.as_str()),
                Some("2026-01-05T10:00:00+00:00")
            );
            assert_eq!(after.next_payment_date, None);
        }
        let report = server.advance_clock(60 * DAY).await;
        assert_eq!(report.charged, 0, "{report:?}");
        assert!(payments_of(&mollie, &own).await.is_empty());
        assert!(payments_of(&mollie, &any).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_failed_charge_carries_its_bank_reason() {
    bounded(async {
        let (server, mollie) = frozen().await;
        let jane = customer(&mollie, "Jane Doe").await;
        sepa_mandate(&mollie, &jane.id).await;
        let subscription = mollie
            .subscriptions(&jane.id)
            .create(NewSubscription::new(eur("25.00"), monthly(), "Plan").times(2))
            .await
            .unwrap();
        // The first payment was made at once; the next one will fail.
        server
            .fail_next_subscription_payment(subscription.id.as_str(), Some("AM04"))
            .unwrap();
        let report = server.advance_clock(40 * DAY).await;
        assert_eq!(
            (report.charged, report.settled, report.failed),
            (1, 1, 1),
            "{report:?}"
        );
        let made = payments_of(&mollie, &subscription).await;
        assert_eq!(made.len(), 2);
        assert_eq!(made[0].status, PaymentStatus::Paid);
        let failed = &made[1];
        assert_eq!(failed.status, PaymentStatus::Failed, "{failed:?}");
        let details = failed.details.as_ref().expect("direct debit details");
        assert_eq!(details.bank_reason_code.as_deref(), Some("AM04"));
        assert_eq!(details.bank_reason.as_deref(), Some("Insufficient funds"));
        assert!(failed.failed_at.is_some());
        assert!(failed.paid_at.is_none());
        // The same through the single-payment endpoint.
        let fetched = mollie.payments().get(&failed.id).await.unwrap();
        assert_eq!(fetched.status, PaymentStatus::Failed);
        // A failed payment does not end the subscription early: it made its two payments.
        let after = mollie
            .subscriptions(&jane.id)
            .get(&subscription.id)
            .await
            .unwrap();
        assert_eq!(after.status, SubscriptionStatus::Completed);
    })
    .await;
}

/// The next payment the receiver fetched after a webhook.
async fn next_payment(rx: &mut mpsc::UnboundedReceiver<Payment>) -> Payment {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("the receiver reports within 10 s")
        .expect("the receiver is running")
}

#[tokio::test]
async fn each_payment_posts_its_webhooks_to_the_subscriptions_webhook_url() {
    bounded(async {
        let (server, mollie) = frozen().await;
        // The example receiver (examples/webhook_receiver.rs): it fetches the payment named
        // by each webhook through the SDK and hands it over.
        let (tx, mut rx) = mpsc::unbounded_channel();
        let router = Receiver::new(mollie.clone(), vec![], tx).router();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhooks/mollie", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });

        let jane = customer(&mollie, "Jane Doe").await;
        sepa_mandate(&mollie, &jane.id).await;
        let subscription = mollie
            .subscriptions(&jane.id)
            .create(
                NewSubscription::new(eur("25.00"), monthly(), "Plan")
                    .times(2)
                    .webhook_url(url.clone()),
            )
            .await
            .unwrap();

        // One step of the clock at a time, so that each fetch sees the status its webhook
        // announced: made (pending), paid, made, paid.
        let first = next_payment(&mut rx).await;
        assert_eq!(first.status, PaymentStatus::Pending);
        server.advance_clock(2 * DAY).await; // Wednesday 2026-01-07: paid
        let paid = next_payment(&mut rx).await;
        assert_eq!((&paid.id, &paid.status), (&first.id, &PaymentStatus::Paid));
        server.advance_clock(29 * DAY).await; // Thursday 2026-02-05: the second payment
        let second = next_payment(&mut rx).await;
        assert_ne!(second.id, first.id);
        assert_eq!(second.status, PaymentStatus::Pending);
        server.advance_clock(4 * DAY).await; // due Friday, paid Monday 2026-02-09
        let paid = next_payment(&mut rx).await;
        assert_eq!((&paid.id, &paid.status), (&second.id, &PaymentStatus::Paid));
        for payment in [&first, &second] {
            assert_eq!(payment.subscription_id.as_ref(), Some(&subscription.id));
            assert_eq!(payment.webhook_url.as_deref(), Some(url.as_str()));
        }

        tokio::time::timeout(Duration::from_secs(10), server.webhooks_settled())
            .await
            .expect("deliveries settle");
        assert!(rx.try_recv().is_err(), "no other webhook was processed");
        let deliveries = server.webhook_deliveries();
        let seen: Vec<_> = deliveries
            .iter()
            .map(|d| (d.payment_id.clone(), d.payment_status.clone()))
            .collect();
        assert_eq!(
            seen,
            [
                (first.id.clone(), PaymentStatus::Pending),
                (first.id.clone(), PaymentStatus::Paid),
                (second.id.clone(), PaymentStatus::Pending),
                (second.id.clone(), PaymentStatus::Paid),
            ],
            "two classic webhooks per payment"
        );
        for delivery in &deliveries {
            assert_eq!(delivery.kind, DeliveryKind::Classic);
            assert_eq!(delivery.outcome, DeliveryOutcome::Delivered, "{delivery:?}");
            assert_eq!(delivery.url, url);
            assert_eq!(delivery.body, format!("id={}", delivery.payment_id));
            let answers: Vec<Option<u16>> = delivery.attempts.iter().map(|a| a.status).collect();
            assert_eq!(answers, [Some(200)], "{delivery:?}");
        }
        let done = mollie
            .subscriptions(&jane.id)
            .get(&subscription.id)
            .await
            .unwrap();
        assert_eq!(done.status, SubscriptionStatus::Completed);
    })
    .await;
}
