//! The HTTP transport of the Mollie SDK: configuration, auth, idempotency keys, retries,
//! HAL+JSON decoding, errors and pagination. It knows nothing about customers or mandates;
//! endpoint crates build [`Request`] values and the [`Client`] sends them.
//!
//! Data flows one way: [`Request`] → [`Client`] (prepare, send, retry) → HAL decode →
//! `mollie_models` type, or one [`Error`].
//!
//! - **Credentials** ([`Credential`]): `test_`/`live_` API keys, `access_` organization
//!   tokens, OAuth tokens; a malformed one is refused before any request, and the secret never
//!   appears in `Debug`, errors or traces.
//! - **HTTPS only**, except to loopback hosts (for a local fake server). Paths are built from
//!   `'static` words and typed ids ([`PathId`]), percent-encoded.
//! - **Idempotency**: every POST, PATCH and DELETE carries an `Idempotency-Key` (the caller's
//!   or a fresh UUID v4), chosen once and reused by every retry; errors carry it so a call can
//!   be retried later with the same key.
//! - **Retries** ([`RetryPolicy`]): connect failures, timeouts, 5xx and 429, with capped
//!   exponential backoff and full jitter, honouring `Retry-After` up to a cap, within a
//!   deadline per call. The rules are pure functions ([`retry::classify`],
//!   [`retry::plan_retry`]).
//! - **Pagination**: [`Page`] and a lazy [`ListStream`] that follows `_links.next`, only
//!   under the configured base URL.
//! - **Tracing**: a `mollie.request` span per call (method, path template, idempotency key,
//!   attempts, status, request id) and a `mollie.attempt` span per attempt.
//!
//! ## For endpoint crates
//!
//! An operation is a function that builds a [`Request`]: `'static` path words, typed ids,
//! query parameters, a JSON body, and the caller's [`RequestOptions`] via
//! [`Request::options`]. It then calls [`Client::send`] (a model), [`Client::send_no_content`]
//! (204s), [`Client::page`] or [`Client::stream`] (lists).
//!
//! `testmode` and `profileId` (the client's defaults for organization and OAuth tokens, or
//! the call's own) are added only where the endpoint takes them. By default: the query of a
//! GET or DELETE, the JSON object body of a POST or PATCH. An endpoint that differs says so
//! with [`Request::testmode_in`] / [`Request::profile_id_in`]: e.g. Mollie's *Delete
//! customer* and *Revoke mandate* take `testmode` in a JSON body
//! (`.testmode_in(Placement::Body)`), and the Customers and Mandates endpoints take no
//! `profileId` (`.profile_id_in(Placement::Omit)`). A value the request already has (a query
//! parameter, a body member) is never overwritten.
//!
//! ```
//! use futures::TryStreamExt;
//! use mollie_core::{Client, Request};
//! use mollie_models::{Customer, NewCustomer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = mollie_mock::MockServer::start().await?;
//! let client = Client::builder()
//!     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
//!     .base_url(mock.url()) // a local mollie-mock; by default https://api.mollie.com/v2/
//!     .build()?;
//!
//! let new = NewCustomer::new().name("Jane Doe");
//! let customer: Customer = client
//!     .send(Request::post().segment("customers").json(&new)?)
//!     .await?;
//!
//! let all: Vec<Customer> = client
//!     .stream(Request::get().segment("customers").query("limit", "250"))
//!     .try_collect()
//!     .await?;
//!
//! client
//!     .send_no_content(Request::delete().segment("customers").id(&customer.id))
//!     .await?;
//! # assert_eq!(all.len(), 1);
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod budget;
mod call;
mod client;
mod config;
mod credential;
mod error;
mod hal;
mod page;
mod path;
mod prepare;
mod redact;
mod request;
mod response;
pub mod retry;
mod send;
mod throttle;
pub mod transport;

pub use budget::RetryBudget;
pub use call::{Call, Finish, LIST_LIMIT};
pub use client::Client;
pub use config::{API_KEY_ENV, API_URL_ENV, ClientBuilder, DEFAULT_BASE_URL, USER_AGENT};
pub use credential::{Credential, CredentialError, CredentialKind};
pub use error::{Committed, ConfigError, Error, Outcome, Result, TimeoutKind};
#[doc(hidden)]
pub use mollie_models as __models;
pub use page::{DEFAULT_MAX_PAGES, ListStream, Page, PageStream};
pub use request::{IdempotencyKey, Method, PathId, Placement, Request, RequestOptions};
pub use response::{Response, ResponseMeta};
pub use retry::RetryPolicy;
pub use throttle::AdaptiveRate;
