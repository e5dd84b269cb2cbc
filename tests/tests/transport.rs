//! The SDK over a transport the application configures: its own `reqwest::Client`, trusting
//! the mock's self-signed certificate as a corporate CA would be trusted.

use mollie_sdk::core::transport::reqwest;
use mollie_sdk::{Mollie, NewCustomer};
use mollie_tests::bounded;

const KEY: &str = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";

async fn https_mock() -> mollie_mock::MockServer {
    mollie_mock::MockConfig::new()
        .tls_self_signed()
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_application_reqwest_client_with_its_own_root_certificate_reaches_the_mock_over_tls() {
    bounded(async {
        let mock = https_mock().await;
        assert!(mock.url().starts_with("https://"));
        let root =
            reqwest::Certificate::from_pem(mock.certificate_pem().unwrap().as_bytes()).unwrap();
        let http = reqwest::Client::builder()
            .add_root_certificate(root)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mollie = Mollie::builder()
            .api_key(KEY)
            .unwrap()
            .base_url(mock.url())
            .http_client(http)
            .build()
            .unwrap();

        let customer = mollie
            .customers()
            .create(NewCustomer::new().name("Jane Doe"))
            .await
            .unwrap();
        let fetched = mollie.customers().get(&customer.id).await.unwrap();
        assert_eq!(fetched.name.as_deref(), Some("Jane Doe"));

        // The SDK still set the credential, its User-Agent and the idempotency key on the
        // application's client.
        let log = mock.requests();
        assert_eq!(log.len(), 2);
        assert!(log[0].idempotency_key.is_some());
        assert!(log.iter().all(|r| r.status.is_some_and(|s| s < 300)));
        assert!(
            log.iter()
                .all(|r| r.headers["user-agent"].starts_with("mollie-sdk/"))
        );
        assert_eq!(log[0].headers["authorization"], "[redacted]");
    })
    .await;
}

#[tokio::test]
async fn without_that_root_certificate_the_default_transport_refuses_the_mock() {
    bounded(async {
        let mock = https_mock().await;
        let mollie = Mollie::builder()
            .api_key(KEY)
            .unwrap()
            .base_url(mock.url())
            .no_retries()
            .build()
            .unwrap();
        let error = mollie
            .customers()
            .create(NewCustomer::new().name("Jane Doe"))
            .await
            .unwrap_err();
        assert!(
            matches!(error, mollie_sdk::Error::Transport { .. }),
            "{error:?}"
        );
        assert!(error.idempotency_key().is_some());
        assert!(mock.requests().is_empty(), "no request got through");
    })
    .await;
}
