//! Mollie's refusals, as mollie-mock answers them, surfaced as typed errors: 401 for a
//! credential it does not accept, 404 for unknown customers and mandates, 422 with the
//! `field` Mollie names (IBAN, BIC, amount, mandate, email, profile). None is retried. Input
//! the SDK itself can check is refused before sending, with the same field.

use mollie_mock::MockServer;
use mollie_sdk::core::Request;
use mollie_sdk::{
    CustomerId, CustomerUpdate, Error, Iban, Mandate, MandateId, Money, NewCustomer, NewMandate,
    NewPayment, SequenceType,
};
use mollie_tests::{
    IBAN, bounded, builder, customer, key, log_mark, requests_since, sepa_mandate, start,
};
use serde_json::json;

/// Asserts that `error` is Mollie's refusal with `status` and `field`, that the mock saw
/// exactly one request since `mark` (a refusal is not retried), and that the error says why.
fn assert_refusal(server: &MockServer, mark: u64, error: &Error, status: u16, field: Option<&str>) {
    match error {
        Error::Api { status: got, .. } => assert_eq!(*got, status, "{error:?}"),
        other => panic!("Error::Api {status} expected, got {other:?}"),
    }
    assert_eq!(error.status(), Some(status));
    assert_eq!(error.field(), field, "{error:?}");
    assert!(!error.is_retryable(), "{error:?}");
    let response = error.api_response().expect("Mollie's error body");
    assert_eq!(response.status, status);
    assert!(!response.detail.is_empty());
    assert!(error.to_string().contains(&response.detail), "{error}");
    assert!(error.documentation_url().is_some(), "{error:?}");
    let sent = requests_since(server, mark);
    assert_eq!(sent.len(), 1, "not retried: {sent:?}");
    assert_eq!(sent[0].status, Some(status));
}

#[tokio::test]
async fn a_credential_the_api_does_not_accept_is_a_401_not_retried() {
    bounded(async {
        let server = MockServer::start().await.unwrap();
        // The mock has no list of issued keys: it accepts every `test_`/`live_`/`access_`
        // token of Mollie's alphabet. These are well-formed for the SDK (RFC 6750 token
        // characters) but not keys the API issued, so it answers 401.
        let clients = [
            builder(&server)
                .api_key("test_dHar4XY7LxsDOtmnkVtjNVWX+LSlXsM=")
                .unwrap(),
            builder(&server)
                .oauth_token("ory_at_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")
                .unwrap(),
        ];
        for client in clients {
            let mollie = client.build().unwrap();
            let mark = log_mark(&server);
            let error = mollie.customers().list().await.unwrap_err();
            assert_refusal(&server, mark, &error, 401, None);
            assert!(
                !error.to_string().contains("dHar4XY7"),
                "no secret in {error}"
            );
            assert!(
                !format!("{error:?}").contains("dHar4XY7"),
                "no secret in {error:?}"
            );

            let mark = log_mark(&server);
            let error = mollie
                .customers()
                .create(NewCustomer::new().name("Jane"))
                .idempotency_key(key("unauthorized-create"))
                .await
                .unwrap_err();
            assert_refusal(&server, mark, &error, 401, None);
            assert_eq!(
                error.idempotency_key().map(|k| k.as_str()),
                Some("unauthorized-create")
            );
        }
    })
    .await;
}

#[tokio::test]
async fn unknown_customers_and_mandates_are_404() {
    bounded(async {
        let (server, mollie) = start().await;
        let nobody = CustomerId::parse("cst_Nobody1234").unwrap();
        let no_mandate = MandateId::parse("mdt_Nothing123").unwrap();
        let c = customer(&mollie, "Jane").await;

        let mark = log_mark(&server);
        let error = mollie.customers().get(&nobody).await.unwrap_err();
        assert!(error.is_not_found());
        assert_refusal(&server, mark, &error, 404, None);
        assert!(error.to_string().contains("cst_Nobody1234"), "{error}");

        let mark = log_mark(&server);
        let error = mollie
            .customers()
            .update(&nobody, CustomerUpdate::new().name("x"))
            .await
            .unwrap_err();
        assert!(error.is_not_found());
        assert_refusal(&server, mark, &error, 404, None);
        assert!(error.idempotency_key().is_some(), "a PATCH carries its key");

        let mark = log_mark(&server);
        let error = mollie
            .customer_payments(&nobody)
            .create(NewPayment::recurring(
                Money::eur("1.00").unwrap(),
                "x",
                &no_mandate,
            ))
            .await
            .unwrap_err();
        assert!(error.is_not_found());
        assert_refusal(&server, mark, &error, 404, None);

        let mark = log_mark(&server);
        let error = mollie.mandates(&c.id).get(&no_mandate).await.unwrap_err();
        assert!(error.is_not_found());
        assert_refusal(&server, mark, &error, 404, None);
        assert!(error.to_string().contains("mdt_Nothing123"), "{error}");

        let mark = log_mark(&server);
        let error = mollie
            .mandates(&c.id)
            .revoke(&no_mandate)
            .await
            .unwrap_err();
        assert!(error.is_not_found());
        assert_refusal(&server, mark, &error, 404, None);

        let mark = log_mark(&server);
        let error = mollie.mandates(&nobody).list().await.unwrap_err();
        assert!(error.is_not_found());
        assert_refusal(&server, mark, &error, 404, None);
    })
    .await;
}

#[tokio::test]
async fn a_bad_iban_is_refused_by_the_client_and_by_mollie() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;

        // The SDK's Iban checks the mod-97 check digits, so a NewMandate can never carry a
        // bad IBAN: the refusal comes before any request, on Mollie's field name.
        let refused = Iban::parse("NL56INGB0000000000").unwrap_err();
        assert_eq!(refused.field(), "consumerAccount");
        let as_error = Error::from(refused);
        assert_eq!(as_error.field(), Some("consumerAccount"));
        assert!(!as_error.is_retryable());

        // mollie-mock validates IBANs with the same rules, so no checksum-valid IBAN is
        // refused by it. To see how Mollie's 422 surfaces, send the body the typed API
        // cannot build, through the transport.
        let mark = log_mark(&server);
        let request = Request::post()
            .segment("customers")
            .id(&c.id)
            .segment("mandates")
            .json_value(json!({
                "method": "directdebit",
                "consumerName": "Jane",
                "consumerAccount": "NL56INGB0000000000",
            }));
        let error = mollie.client().send::<Mandate>(request).await.unwrap_err();
        assert_refusal(&server, mark, &error, 422, Some("consumerAccount"));
        assert!(error.idempotency_key().is_some());

        // A BIC the SDK passes on as given: Mollie's 422 on `consumerBic`.
        let mark = log_mark(&server);
        let error = mollie
            .mandates(&c.id)
            .create(
                NewMandate::sepa_direct_debit("Jane", Iban::parse(IBAN).unwrap())
                    .consumer_bic("NOT A BIC"),
            )
            .await
            .unwrap_err();
        assert_refusal(&server, mark, &error, 422, Some("consumerBic"));
    })
    .await;
}

#[tokio::test]
async fn a_bad_amount_is_a_422_on_amount() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let m = sepa_mandate(&mollie, &c.id).await;
        for value in ["-1.00", "0.00"] {
            // Well-formed money, so the client sends it; Mollie refuses the amount.
            let amount = Money::eur(value).unwrap();
            let mark = log_mark(&server);
            let error = mollie
                .customer_payments(&c.id)
                .create(NewPayment::recurring(amount, "Refund?", &m.id))
                .idempotency_key(key(&format!("bad-amount-{value}")))
                .await
                .unwrap_err();
            assert_refusal(&server, mark, &error, 422, Some("amount"));
            assert_eq!(
                error.idempotency_key().map(|k| k.as_str().to_owned()),
                Some(format!("bad-amount-{value}"))
            );
        }
        // A malformed amount cannot even be built.
        assert_eq!(Money::eur("10").unwrap_err().field(), "amount.value");
        assert!(
            mollie
                .customer_payments(&c.id)
                .list()
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn a_recurring_payment_needs_a_valid_mandate() {
    bounded(async {
        let (server, mollie) = start().await;
        let c = customer(&mollie, "Jane").await;
        let m = sepa_mandate(&mollie, &c.id).await;
        mollie.mandates(&c.id).revoke(&m.id).await.unwrap();

        let charge = |mandate: &MandateId| {
            NewPayment::recurring(Money::eur("10.00").unwrap(), "June", mandate)
        };
        let mark = log_mark(&server);
        let error = mollie
            .customer_payments(&c.id)
            .create(charge(&m.id))
            .await
            .unwrap_err();
        assert_refusal(&server, mark, &error, 422, Some("mandateId"));

        // A mandate that does not exist (or is another customer's): the same field.
        let other = customer(&mollie, "John").await;
        let johns = sepa_mandate(&mollie, &other.id).await;
        for mandate in [MandateId::parse("mdt_Nothing123").unwrap(), johns.id] {
            let mark = log_mark(&server);
            let error = mollie
                .customer_payments(&c.id)
                .create(charge(&mandate))
                .await
                .unwrap_err();
            assert_refusal(&server, mark, &error, 422, Some("mandateId"));
        }
        assert!(
            mollie
                .customer_payments(&c.id)
                .list()
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn other_refusals_name_their_field() {
    bounded(async {
        let (server, mollie) = start().await;
        let mark = log_mark(&server);
        let error = mollie
            .customers()
            .create(NewCustomer::new().email("not an email"))
            .await
            .unwrap_err();
        assert_refusal(&server, mark, &error, 422, Some("email"));

        let c = customer(&mollie, "Jane").await;
        let m = sepa_mandate(&mollie, &c.id).await;
        // Checked by the client, before sending: a payment's description and redirect URL.
        let mark = log_mark(&server);
        let blank = NewPayment::recurring(Money::eur("1.00").unwrap(), "  ", &m.id);
        let error = mollie
            .customer_payments(&c.id)
            .create(blank)
            .await
            .unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
        assert_eq!(error.field(), Some("description"));
        let no_redirect = NewPayment::recurring(Money::eur("1.00").unwrap(), "x", &m.id)
            .sequence_type(SequenceType::Oneoff);
        let error = mollie
            .customer_payments(&c.id)
            .create(no_redirect)
            .await
            .unwrap_err();
        assert_eq!(error.field(), Some("redirectUrl"));
        assert!(requests_since(&server, mark).is_empty(), "nothing sent");
    })
    .await;
}
