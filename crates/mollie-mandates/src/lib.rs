//! Mollie's Mandates API (v2): create, get, list and revoke a customer's mandates.
//!
//! A mandate is a customer's permission to be charged without taking part: a SEPA Direct
//! Debit mandate on an IBAN, a PayPal billing agreement, or a card stored by a first payment.
//! Each operation is a builder over [`mollie_core::Call`]; `.await` sends it. Most
//! applications use this crate through the `mollie-sdk` facade (`mollie.mandates(&customer)`).
//!
//! ```
//! use mollie_core::{Call, Client, Request};
//! use mollie_mandates::Mandates;
//! use mollie_models::{Customer, Iban, MandateScope, MandateStatus, NewCustomer, NewMandate};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = mollie_mock::MockServer::start().await?;
//! let client = Client::builder()
//!     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
//!     .base_url(mock.url()) // a local mollie-mock; by default https://api.mollie.com/v2/
//!     .build()?;
//! # let customer: Customer = client
//! #     .send(Request::post().segment("customers").json(&NewCustomer::new().name("Jane Doe"))?)
//! #     .await?;
//! let mandates = Mandates::new(client, customer.id.clone());
//!
//! let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
//! let mandate = mandates.create(NewMandate::sepa_direct_debit("Jane Doe", iban)).await?;
//! assert_eq!(mandate.status, MandateStatus::Valid);
//!
//! let chargeable = mandates.list().scopes([MandateScope::CustomerNotPresent]).await?;
//! assert_eq!(chargeable.len(), 1);
//!
//! mandates.revoke(&mandate.id).await?;
//! // Mollie answers 410 Gone for a revoked mandate; the list still shows it, `invalid`.
//! assert!(mandates.get(&mandate.id).await.unwrap_err().is_gone());
//! assert_eq!(mandates.list().await?.items()[0].status, MandateStatus::Invalid);
//! # Ok(())
//! # }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

use mollie_core::{Call, Client, Placement, Request, operation};
use mollie_models::{CustomerId, Mandate, MandateId, MandateScope, NewMandate};

/// The Mandates API for one customer.
#[derive(Debug, Clone)]
pub struct Mandates {
    client: Client,
    customer: CustomerId,
}

impl Mandates {
    /// The mandates of `customer`, over `client`.
    pub fn new(client: Client, customer: CustomerId) -> Self {
        Self { client, customer }
    }

    /// The customer whose mandates these are.
    pub fn customer(&self) -> &CustomerId {
        &self.customer
    }

    /// `/customers/{customer}/mandates...`. The Mandates endpoints take no `profileId`, so a
    /// client default is not sent.
    fn call(&self, request: Request) -> Call {
        let request = request
            .segment("customers")
            .id(&self.customer)
            .segment("mandates")
            .profile_id_in(Placement::Omit);
        Call::new(self.client.clone(), request)
    }

    /// *Create mandate*: `POST /v2/customers/{customer}/mandates`, for SEPA Direct Debit and
    /// PayPal (card mandates come from a first payment).
    ///
    /// ```
    /// use mollie_models::{Iban, MandateDetails, MandateMethod, MandateStatus, NewMandate};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let new_customer = mollie_models::NewCustomer::new().name("Jane Doe");
    /// # let customer: mollie_models::Customer = client
    /// #     .send(mollie_core::Request::post().segment("customers").json(&new_customer)?)
    /// #     .await?;
    /// # let mandates = mollie_mandates::Mandates::new(client, customer.id.clone());
    /// let iban = Iban::parse("NL55 INGB 0000 0000 00")?; // checksum checked here
    /// let mandate = mandates
    ///     .create(NewMandate::sepa_direct_debit("Jane Doe", iban).consumer_bic("INGBNL2A"))
    ///     .await?;
    /// assert_eq!(mandate.method, MandateMethod::DirectDebit);
    /// assert_eq!(mandate.status, MandateStatus::Valid);
    /// assert_eq!(&mandate.customer_id, mandates.customer());
    /// let MandateDetails::DirectDebit(account) = &mandate.details else { unreachable!() };
    /// assert_eq!(account.consumer_account.as_deref(), Some("NL55INGB0000000000"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn create(&self, mandate: NewMandate) -> CreateMandate {
        CreateMandate::from_call(self.call(Request::post()).json(&mandate))
    }

    /// *Get mandate*: `GET /v2/customers/{customer}/mandates/{id}`.
    ///
    /// ```
    /// use mollie_models::{MandateId, MandateMethod, MandateStatus};
    /// # use mollie_models::{Iban, NewMandate};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let new_customer = mollie_models::NewCustomer::new().name("Jane Doe");
    /// # let customer: mollie_models::Customer = client
    /// #     .send(mollie_core::Request::post().segment("customers").json(&new_customer)?)
    /// #     .await?;
    /// # let mandates = mollie_mandates::Mandates::new(client, customer.id.clone());
    /// # let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
    /// # let mandate = mandates.create(NewMandate::sepa_direct_debit("Jane Doe", iban)).await?;
    /// # let stored = mandate.id.to_string();
    /// let id = MandateId::parse(&stored)?; // the id you stored, e.g. "mdt_h3gAaD5zP"
    /// let mandate = mandates.get(&id).await?;
    /// assert_eq!(mandate.id, id);
    /// assert_eq!(mandate.status, MandateStatus::Valid);
    /// assert_eq!(mandate.method, MandateMethod::DirectDebit);
    /// # Ok(())
    /// # }
    /// ```
    pub fn get(&self, id: &MandateId) -> GetMandate {
        GetMandate::from_call(self.call(Request::get()).map(|r| r.id(id)))
    }

    /// *List mandates*: `GET /v2/customers/{customer}/mandates`, newest first unless sorted
    /// otherwise.
    ///
    /// ```
    /// use futures::TryStreamExt;
    /// use mollie_models::MandateStatus;
    /// # use mollie_models::{Iban, NewMandate};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let new_customer = mollie_models::NewCustomer::new().name("Jane Doe");
    /// # let customer: mollie_models::Customer = client
    /// #     .send(mollie_core::Request::post().segment("customers").json(&new_customer)?)
    /// #     .await?;
    /// # let mandates = mollie_mandates::Mandates::new(client, customer.id.clone());
    /// # for iban in ["NL55 INGB 0000 0000 00", "NL91 ABNA 0417 1643 00"] {
    /// #     let mandate = NewMandate::sepa_direct_debit("Jane Doe", Iban::parse(iban)?);
    /// #     mandates.create(mandate).await?;
    /// # }
    /// let page = mandates.list().limit(1).await?;
    /// assert_eq!(page.len(), 1);
    /// assert!(page.has_next());
    ///
    /// let all: Vec<_> = mandates.list().stream().try_collect().await?;
    /// assert_eq!(all.len(), 2);
    /// assert!(all.iter().all(|mandate| mandate.status == MandateStatus::Valid));
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListMandates {
        ListMandates::from_call(self.call(Request::get()))
    }

    /// *Revoke mandate*: `DELETE /v2/customers/{customer}/mandates/{id}`. The mandate can no
    /// longer be charged, and its subscriptions are canceled. Fetching it afterwards fails
    /// with 410 Gone ([`mollie_core::Error::is_gone`]), as Mollie documents for *Get
    /// mandate*; [`Mandates::list`] still shows it, `invalid`.
    ///
    /// ```
    /// use mollie_models::MandateStatus;
    /// # use mollie_models::{Iban, NewMandate};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let new_customer = mollie_models::NewCustomer::new().name("Jane Doe");
    /// # let customer: mollie_models::Customer = client
    /// #     .send(mollie_core::Request::post().segment("customers").json(&new_customer)?)
    /// #     .await?;
    /// # let mandates = mollie_mandates::Mandates::new(client, customer.id.clone());
    /// # let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
    /// # let mandate = mandates.create(NewMandate::sepa_direct_debit("Jane Doe", iban)).await?;
    /// mandates.revoke(&mandate.id).await?;
    ///
    /// // A revoked mandate is gone: Mollie answers 410 to *Get mandate*...
    /// let error = mandates.get(&mandate.id).await.unwrap_err();
    /// assert!(error.is_gone());
    /// // ...and lists it as `invalid`.
    /// let listed = mandates.list().await?;
    /// assert_eq!(listed.items()[0].id, mandate.id);
    /// assert_eq!(listed.items()[0].status, MandateStatus::Invalid);
    /// # Ok(())
    /// # }
    /// ```
    pub fn revoke(&self, id: &MandateId) -> RevokeMandate {
        // Mollie takes this DELETE's `testmode` in a JSON body, not the query.
        let call = self
            .call(Request::delete())
            .map(|r| r.id(id).testmode_in(Placement::Body));
        RevokeMandate::from_call(call)
    }
}

operation! {
    /// *Create mandate*; `.await` it for the new [`Mandate`].
    pub struct CreateMandate => single Mandate;
}

operation! {
    /// *Get mandate*; `.await` it for the [`Mandate`].
    pub struct GetMandate => single Mandate;
}

operation! {
    /// *Revoke mandate*; `.await` it to revoke (Mollie answers 204).
    pub struct RevokeMandate => no_content;
}

operation! {
    /// *List mandates*; `.await` it for one page, or `.stream()` every mandate.
    pub struct ListMandates => list Mandate, sorted;
}

impl ListMandates {
    /// Starts the list at this mandate (Mollie's `from` cursor).
    pub fn from(mut self, mandate: &MandateId) -> Self {
        self.call = self.call.query("from", mandate.as_str());
        self
    }

    /// Only mandates that include all of these scopes (`scopes=...`, repeated).
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = MandateScope>) -> Self {
        for scope in scopes {
            self.call = self.call.query("scopes", scope.as_str().to_owned());
        }
        self
    }
}
