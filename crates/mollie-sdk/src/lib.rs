//! An unofficial Rust SDK for Mollie's payments API (v2): customers, mandates, recurring
//! payments and subscriptions, with idempotent retries. Not made or endorsed by Mollie B.V.
//!
//! ```toml
//! [dependencies]
//! mollie-sdk = "0.1"
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! The entry point is [`Mollie`]: build one per credential ([`Mollie::from_env`] or
//! [`Mollie::builder`]), share it (it is cheap to clone), and reach each API through it:
//! [`Mollie::customers`], [`Mollie::mandates`], [`Mollie::payments`] and
//! [`Mollie::subscriptions`]. Every operation is a builder you `.await`; every failure is one
//! [`Error`] that says what happened and carries the idempotency key.
//!
//! | feature | default | what it does |
//! |---|---|---|
//! | `rustls-webpki-roots` | yes | TLS by rustls with Mozilla's roots compiled in |
//! | `rustls-native-roots` | no | TLS by rustls with the operating system's roots |
//! | `native-tls` | no | TLS by the platform's library (OpenSSL on Linux) |
//! | `webhook-signature` | no | [`webhooks::verify_signature`] for next-gen webhooks |
//! | `time` | no | timestamps and dates as the `time` crate's types |
//!
//! The most used types are at the root; every model is in [`models`], the endpoint builders
//! in [`customers`], [`mandates`], [`payments`] and [`subscriptions`], the transport (your own
//! `reqwest::Client`, a [`Transport`](core::transport::Transport) of your own) in [`core`].
//!
//! ```
//! use futures::TryStreamExt;
//! use mollie_sdk::{Iban, Locale, Mollie, Money, NewCustomer, NewMandate, NewPayment, PaymentStatus};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = mollie_mock::MockServer::start().await?;
//! // `Mollie::from_env()` reads MOLLIE_API_KEY (and MOLLIE_API_URL); here, a local mollie-mock.
//! let mollie = Mollie::builder()
//!     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
//! #   .base_url(mock.url())
//!     .build()?;
//!
//! let customer = mollie
//!     .customers()
//!     .create(NewCustomer::new().name("Jane Doe").email("jane@example.org").locale(Locale::NlNl))
//!     .await?;
//!
//! let mandate = mollie
//!     .mandates(&customer.id)
//!     .create(NewMandate::sepa_direct_debit("Jane Doe", Iban::parse("NL55INGB0000000000")?))
//!     .await?;
//!
//! let payment = mollie
//!     .customer_payments(&customer.id)
//!     .create(NewPayment::recurring(Money::eur("10.00")?, "March", &mandate.id))
//!     .await?;
//! assert_eq!(payment.status, PaymentStatus::Pending); // SEPA Direct Debit takes a few days
//!
//! let payments: Vec<_> = mollie.customer_payments(&customer.id).list().stream().try_collect().await?;
//! assert_eq!(payments.len(), 1);
//!
//! mollie.mandates(&customer.id).revoke(&mandate.id).await?;
//! mollie.customers().delete(&customer.id).await?;
//! # Ok(())
//! # }
//! ```
//!
//! # What it guarantees
//!
//! - **Never twice.** Every POST, PATCH and DELETE carries an `Idempotency-Key`: yours
//!   ([`IdempotencyKey`], via `.idempotency_key(...)` on any operation) or a fresh UUID v4,
//!   reused by every automatic retry of that call. A failed call's [`Error`] carries the key,
//!   so the call can be retried later without charging anybody twice.
//! - **Survives the network.** Connection failures, timeouts, 5xx and 429 are retried with
//!   capped exponential backoff and full jitter, honouring `Retry-After`, within a deadline
//!   ([`RetryPolicy`], [`MollieBuilder`]); so is a 409 on an idempotency key (Mollie's "still
//!   being processed"). Other 4xx never are.
//! - **Typed input, checked before sending.** Ids are typed ([`CustomerId`], [`MandateId`] ...)
//!   and accept only Mollie's shape; money is [`Money`], never a float; `limit` must be 1 to
//!   250; a payment or subscription body is validated. Refused input is [`Error::InvalidInput`] and nothing is
//!   sent.
//! - **Pages in constant memory.** `.stream()` on a list follows `_links.next` lazily.
//! - **Forward compatible.** Unknown fields are ignored, unknown enum values kept.
//! - **No leaked secrets.** The API key never appears in `Debug`, errors or traces.
//!
//! # Crates
//!
//! This crate composes `mollie-core` (transport), `mollie-customers`, `mollie-mandates`,
//! `mollie-payments`, `mollie-subscriptions` and `mollie-models` (types, re-exported here). A
//! webhook receiver that only parses Mollie's objects can depend on `mollie-models` alone.
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::time::Duration;

use mollie_core::{Client, ClientBuilder};

pub use mollie_core::{
    Committed, ConfigError, Credential, CredentialKind, Error, IdempotencyKey, LIST_LIMIT,
    ListStream, Outcome, Page, PageStream, RequestOptions, Response, ResponseMeta, Result,
    RetryPolicy, TimeoutKind,
};
pub use mollie_models::webhooks;
pub use mollie_models::{
    Chargeback, ChargebackId, Currency, Customer, CustomerId, CustomerUpdate, ErrorResponse, Iban,
    Interval, Locale, Mandate, MandateId, MandateMethod, MandateStatus, Mode, Money, NewCustomer,
    NewMandate, NewPayment, NewRefund, NewSubscription, Payment, PaymentId, PaymentStatus,
    PaymentUpdate, ProfileId, Refund, RefundId, RefundStatus, SequenceType, SortOrder,
    Subscription, SubscriptionId, SubscriptionStatus, SubscriptionUpdate, ValidationError,
};

/// Every type of Mollie's API this SDK knows: resources, request bodies, ids, enums, money
/// (the `mollie-models` crate). The most used are also at the crate root.
pub mod models {
    pub use mollie_models::*;
}

/// The Customers API's operation builders.
pub mod customers {
    pub use mollie_customers::*;
}

/// The Mandates API's operation builders.
pub mod mandates {
    pub use mollie_mandates::*;
}

/// The Payments, Refunds and Chargebacks APIs' operation builders.
pub mod payments {
    pub use mollie_payments::*;
}

/// The Subscriptions API's operation builders.
pub mod subscriptions {
    pub use mollie_subscriptions::*;
}

/// Everything the transport exposes, for advanced use (custom requests, retry rules).
pub mod core {
    pub use mollie_core::*;
}

/// A Mollie API client: cheap to clone (one shared connection pool), `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Mollie {
    client: Client,
}

impl Mollie {
    /// A client configured from the environment: `MOLLIE_API_KEY` (required: a `test_`/
    /// `live_` API key or an `access_` token; another OAuth token goes through
    /// [`MollieBuilder::oauth_token`]) and `MOLLIE_API_URL` (optional,
    /// e.g. a local `mollie-mock`).
    ///
    /// # Errors
    /// [`Error::Config`] when the variable is missing or the credential or URL is malformed.
    pub fn from_env() -> Result<Self> {
        Ok(Self {
            client: Client::from_env()?,
        })
    }

    /// A builder for a client with explicit settings.
    pub fn builder() -> MollieBuilder {
        MollieBuilder {
            inner: Client::builder(),
        }
    }

    /// The Customers API: customers and their payments.
    pub fn customers(&self) -> customers::Customers {
        customers::Customers::new(self.client.clone())
    }

    /// The payments of one customer: create (charge a mandate, or a first payment), list,
    /// and find one again by the key of the call that made it.
    pub fn customer_payments(&self, customer: &CustomerId) -> customers::CustomerPayments {
        customers::CustomerPayments::new(self.client.clone(), customer.clone())
    }

    /// The Mandates API of one customer.
    pub fn mandates(&self, customer: &CustomerId) -> mandates::Mandates {
        mandates::Mandates::new(self.client.clone(), customer.clone())
    }

    /// The Payments API: create, get, list, update, cancel payments, release an
    /// authorization, refund a payment at hand, and the account-wide lists of refunds and
    /// chargebacks.
    pub fn payments(&self) -> payments::Payments {
        payments::Payments::new(self.client.clone())
    }

    /// The Refunds API of one payment: create, get, list, cancel.
    pub fn refunds(&self, payment: &PaymentId) -> payments::Refunds {
        payments::Refunds::new(self.client.clone(), payment.clone())
    }

    /// The Chargebacks API of one payment: get, list.
    pub fn chargebacks(&self, payment: &PaymentId) -> payments::Chargebacks {
        payments::Chargebacks::new(self.client.clone(), payment.clone())
    }

    /// The Subscriptions API of one customer: create (the customer needs a valid mandate),
    /// get, update, cancel, list its subscriptions, and list the payments a subscription made.
    ///
    /// ```
    /// use mollie_sdk::{Iban, Interval, Money, NewMandate, NewSubscription, SubscriptionStatus};
    /// # use mollie_sdk::{Mollie, NewCustomer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let mollie = Mollie::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let customer = mollie.customers().create(NewCustomer::new().name("Jane Doe")).await?;
    /// let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
    /// mollie.mandates(&customer.id).create(NewMandate::sepa_direct_debit("Jane Doe", iban)).await?;
    ///
    /// let plan = NewSubscription::new(Money::eur("9.99")?, Interval::months(1)?, "Monthly plan");
    /// let subscription = mollie.subscriptions(&customer.id).create(plan).await?;
    /// assert_eq!(subscription.status, SubscriptionStatus::Active);
    ///
    /// let all = mollie.all_subscriptions().list().await?; // of every customer
    /// assert_eq!(all.items()[0].id, subscription.id);
    ///
    /// let canceled = mollie.subscriptions(&customer.id).cancel(&subscription.id).await?;
    /// assert_eq!(canceled.status, SubscriptionStatus::Canceled);
    /// # Ok(())
    /// # }
    /// ```
    pub fn subscriptions(&self, customer: &CustomerId) -> subscriptions::Subscriptions {
        subscriptions::Subscriptions::new(self.client.clone(), customer.clone())
    }

    /// Every subscription of the account, of all customers (*List all subscriptions*,
    /// `.list()`); with an organization token, of the whole organization or one profile.
    pub fn all_subscriptions(&self) -> subscriptions::AllSubscriptions {
        subscriptions::AllSubscriptions::new(self.client.clone())
    }

    /// The page after `page` of any list, or `None` on the last.
    ///
    /// # Errors
    /// Any [`Error`] of the request.
    pub async fn next_page<T>(&self, page: &Page<T>) -> Result<Option<Page<T>>>
    where
        T: models::ListItem + serde::de::DeserializeOwned,
    {
        self.client.next_page(page).await
    }

    /// The page before `page` of any list, or `None` on the first.
    ///
    /// # Errors
    /// Any [`Error`] of the request.
    pub async fn previous_page<T>(&self, page: &Page<T>) -> Result<Option<Page<T>>>
    where
        T: models::ListItem + serde::de::DeserializeOwned,
    {
        self.client.previous_page(page).await
    }

    /// The transport, for requests this SDK has no builder for.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The kind of credential in use (API key, organization token, OAuth token).
    pub fn credential_kind(&self) -> CredentialKind {
        self.client.credential_kind()
    }
}

impl From<Client> for Mollie {
    fn from(client: Client) -> Self {
        Self { client }
    }
}

/// Settings of a [`Mollie`] client; see [`Mollie::builder`].
#[derive(Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct MollieBuilder {
    inner: ClientBuilder,
}

impl MollieBuilder {
    /// Reads `MOLLIE_API_KEY` and `MOLLIE_API_URL`, as [`Mollie::from_env`] does; later
    /// settings override them.
    ///
    /// # Errors
    /// As [`Mollie::from_env`].
    pub fn from_env(self) -> Result<Self> {
        Ok(Self {
            inner: self.inner.read_env()?,
        })
    }

    /// Authenticates with an API key (`test_...` or `live_...`).
    ///
    /// # Errors
    /// [`Error::Config`] when the key is not of that shape; the key is never echoed.
    pub fn api_key(self, key: &str) -> Result<Self> {
        Ok(Self {
            inner: self.inner.api_key(key)?,
        })
    }

    /// Authenticates with an organization access token (`access_...`); set
    /// [`testmode`](Self::testmode) and [`profile_id`](Self::profile_id) as the API requires.
    ///
    /// # Errors
    /// [`Error::Config`] when the token is not of that shape.
    pub fn access_token(self, token: &str) -> Result<Self> {
        Ok(Self {
            inner: self.inner.access_token(token)?,
        })
    }

    /// Authenticates with an OAuth access token.
    ///
    /// # Errors
    /// [`Error::Config`] when the token is empty or malformed.
    pub fn oauth_token(self, token: &str) -> Result<Self> {
        Ok(Self {
            inner: self.inner.oauth_token(token)?,
        })
    }

    /// Sends through your own `reqwest::Client` (proxies, root certificates, mTLS); see
    /// [`ClientBuilder::http_client`](mollie_core::ClientBuilder::http_client).
    /// [`core::transport::reqwest`] is the reqwest version to build it with.
    pub fn http_client(self, client: mollie_core::transport::reqwest::Client) -> Self {
        Self {
            inner: self.inner.http_client(client),
        }
    }

    /// Sends through any [`Transport`](core::transport::Transport): a middleware stack, a
    /// recorder, an in-memory fake for unit tests.
    pub fn transport(self, transport: impl mollie_core::transport::Transport) -> Self {
        Self {
            inner: self.inner.transport(transport),
        }
    }

    /// Authenticates with a parsed credential.
    pub fn credential(self, credential: Credential) -> Self {
        Self {
            inner: self.inner.credential(credential),
        }
    }

    /// The API's base URL (default `https://api.mollie.com/v2/`). Only HTTPS, except for
    /// loopback hosts such as a local `mollie-mock`.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        Self {
            inner: self.inner.base_url(url),
        }
    }

    /// Time allowed to open a connection.
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        Self {
            inner: self.inner.connect_timeout(timeout),
        }
    }

    /// Time allowed for each attempt.
    pub fn request_timeout(self, timeout: Duration) -> Self {
        Self {
            inner: self.inner.request_timeout(timeout),
        }
    }

    /// Time allowed for a whole call, retries and backoff included.
    pub fn deadline(self, deadline: Duration) -> Self {
        Self {
            inner: self.inner.deadline(deadline),
        }
    }

    /// How failed attempts are retried.
    pub fn retry_policy(self, policy: RetryPolicy) -> Self {
        Self {
            inner: self.inner.retry_policy(policy),
        }
    }

    /// The retry budget the client and its clones share (see
    /// [`RetryBudget`](core::RetryBudget)); [`RetryBudget::unlimited`](core::RetryBudget::unlimited)
    /// turns it off.
    pub fn retry_budget(self, budget: mollie_core::RetryBudget) -> Self {
        Self {
            inner: self.inner.retry_budget(budget),
        }
    }

    /// Client-side rate limiting that learns from Mollie's 429s (on by default, dormant
    /// until the first 429); see [`AdaptiveRate`](core::AdaptiveRate).
    pub fn adaptive_rate_limit(self, on: bool) -> Self {
        Self {
            inner: self.inner.adaptive_rate_limit(on),
        }
    }

    /// Sends every call once, never retrying.
    pub fn no_retries(self) -> Self {
        Self {
            inner: self.inner.no_retries(),
        }
    }

    /// Appends your application's name and version to the `User-Agent`.
    pub fn user_agent_suffix(self, suffix: impl Into<String>) -> Self {
        Self {
            inner: self.inner.user_agent_suffix(suffix),
        }
    }

    /// `testmode` for every call that takes it (organization and OAuth tokens only).
    pub fn testmode(self, testmode: bool) -> Self {
        Self {
            inner: self.inner.testmode(testmode),
        }
    }

    /// `profileId` for every call that takes it (organization and OAuth tokens only).
    pub fn profile_id(self, profile_id: ProfileId) -> Self {
        Self {
            inner: self.inner.profile_id(profile_id),
        }
    }

    /// The client.
    ///
    /// # Errors
    /// [`Error::Config`] without a credential, with a non-HTTPS base URL, or with settings
    /// the credential does not allow.
    pub fn build(self) -> Result<Mollie> {
        Ok(Mollie {
            client: self.inner.build()?,
        })
    }
}
