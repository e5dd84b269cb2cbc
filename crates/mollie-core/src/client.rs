//! The client: prepares a [`Request`], sends it with retries, decodes the answer.

use std::fmt;
use std::sync::Arc;

use mollie_models::{List, ListItem};
use serde::de::DeserializeOwned;

use crate::config::{ClientBuilder, Config};
use crate::credential::CredentialKind;
use crate::error::Error;
use crate::hal::{self, Context};
use crate::page::{ListStream, Page, PageStream};
use crate::request::Request;
use crate::response::{Response, ResponseMeta};
use crate::send::{self, CallLog};
use crate::transport::{HttpResponse, Transport};

/// A Mollie API client: one connection pool, the credential, and the rules of sending.
///
/// Cheap to clone (an `Arc` inside) and `Send + Sync`: build one per credential and share it.
/// Endpoint crates build [`Request`] values and hand them to [`send`](Self::send),
/// [`send_no_content`](Self::send_no_content), [`page`](Self::page) or
/// [`stream`](Self::stream).
///
/// ```no_run
/// use mollie_core::{Client, Request};
/// use mollie_models::{Customer, CustomerId};
///
/// # async fn run() -> Result<(), mollie_core::Error> {
/// let client = Client::from_env()?;
/// let id = CustomerId::parse("cst_8wmqcHMN4U")?;
/// let customer: Customer = client
///     .send(Request::get().segment("customers").id(&id))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Arc<dyn Transport>,
    config: Config,
    /// What all calls of this client and its clones share: the retry budget and the send
    /// rate learned from 429s.
    shared: Shared,
}

/// The state a client's calls share.
pub(crate) struct Shared {
    pub(crate) budget: std::sync::Mutex<crate::budget::RetryBudget>,
    pub(crate) rate: Option<std::sync::Mutex<crate::throttle::AdaptiveRate>>,
    /// The zero of the rate limiter's clock.
    pub(crate) epoch: tokio::time::Instant,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.inner.config;
        f.debug_struct("Client")
            .field("base_url", &config.base.as_str())
            .field("credential", &config.credential)
            .field("request_timeout", &config.request_timeout)
            .field("deadline", &config.deadline)
            .field("retry", &config.retry)
            .field("testmode", &config.testmode)
            .field("profile_id", &config.profile_id)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client from `MOLLIE_API_KEY` and, if set, `MOLLIE_API_URL`, with the defaults.
    ///
    /// # Errors
    /// As [`ClientBuilder::read_env`] and [`ClientBuilder::build`].
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::new().read_env()?.build()
    }

    pub(crate) fn from_parts(transport: Arc<dyn Transport>, config: Config) -> Self {
        let shared = Shared {
            budget: std::sync::Mutex::new(config.retry_budget),
            rate: config
                .adaptive_rate_limit
                .then(|| std::sync::Mutex::new(crate::throttle::AdaptiveRate::default())),
            epoch: tokio::time::Instant::now(),
        };
        Self {
            inner: Arc::new(Inner {
                transport,
                config,
                shared,
            }),
        }
    }

    /// Tokens left in the retry budget this client and its clones share.
    pub fn retry_budget_tokens(&self) -> u32 {
        lock(&self.inner.shared.budget).tokens()
    }

    /// The send rate (requests per second) the client keeps to after Mollie throttled it;
    /// `None` while no 429 has been seen (or adaptive rate limiting is off).
    pub fn adaptive_send_rate(&self) -> Option<f64> {
        let rate = lock(self.inner.shared.rate.as_ref()?);
        rate.is_active().then(|| rate.fill_rate())
    }

    #[cfg(test)]
    pub(crate) fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The API root requests go to, e.g. `https://api.mollie.com/v2/`.
    pub fn base_url(&self) -> &str {
        self.inner.config.base.as_str()
    }

    /// The first bytes of server-sent text, secrets redacted, for an error.
    pub(crate) fn redact_excerpt(&self, text: &[u8]) -> String {
        hal::excerpt(text, &self.inner.config.redactor)
    }

    /// The kind of credential the client sends.
    pub fn credential_kind(&self) -> CredentialKind {
        self.inner.config.credential.kind()
    }

    /// Sends `request` and decodes the response body as `T`. A 204 decodes as JSON `null`,
    /// which `()` and `Option<_>` accept.
    ///
    /// # Errors
    /// Any [`Error`]; see its variants.
    #[allow(
        clippy::manual_async_fn,
        reason = "an `async fn` copies its by-value arguments into its state at the first poll"
    )]
    pub fn send<T: DeserializeOwned>(
        &self,
        request: Request,
    ) -> impl Future<Output = Result<T, Error>> + Send {
        async move {
            let (run, log) = self.start(&request);
            let (result, attempts) = run.await;
            // Decoded straight into the result the caller gets: a `T` (hundreds of bytes for
            // a payment) moved through a `Response` and back would be copied at each step.
            match result {
                Ok((raw, meta)) => {
                    let value = self.decode(&raw, &meta);
                    log.finish(attempts, value.as_ref().map(|_| &meta));
                    value
                }
                Err(error) => {
                    log.finish(attempts, Err(&error));
                    Err(error)
                }
            }
        }
    }

    /// As [`send`](Self::send), with the [`ResponseMeta`]: status, idempotency key used,
    /// whether Mollie replayed an earlier response.
    ///
    /// # Errors
    /// Any [`Error`]; see its variants.
    #[allow(
        clippy::manual_async_fn,
        reason = "an `async fn` copies its by-value arguments into its state at the first poll"
    )]
    pub fn send_with_meta<T: DeserializeOwned>(
        &self,
        request: Request,
    ) -> impl Future<Output = Result<Response<T>, Error>> + Send {
        // Not an `async fn`: one would copy `request` from its argument into its state at
        // the first poll. The block keeps it where it was captured and lends it.
        async move { self.call(&request).await }
    }

    /// Sends `request` and ignores the body of its success (delete, revoke, cancel).
    ///
    /// # Errors
    /// Any [`Error`]; see its variants.
    #[allow(
        clippy::manual_async_fn,
        reason = "an `async fn` copies its by-value arguments into its state at the first poll"
    )]
    pub fn send_no_content(
        &self,
        request: Request,
    ) -> impl Future<Output = Result<ResponseMeta, Error>> + Send {
        async move { self.call_no_content(&request).await }
    }

    /// Sends a list request and returns its page.
    ///
    /// # Errors
    /// Any [`Error`]; see its variants.
    pub async fn page<T: ListItem + DeserializeOwned>(
        &self,
        request: Request,
    ) -> Result<Page<T>, Error> {
        let response = self.call::<List<T>>(&request).await?;
        Ok(Page::new(response.value, response.meta, request))
    }

    /// Sends `request`, lent, and ignores the body of its success.
    pub(crate) async fn call_no_content(&self, request: &Request) -> Result<ResponseMeta, Error> {
        let (run, log) = self.start(request);
        let (result, attempts) = run.await;
        let result = result.map(|(_, meta)| meta);
        log.finish(attempts, result.as_ref());
        result
    }

    /// Sends `request`, lent, and decodes its success as `T`.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        request: &Request,
    ) -> Result<Response<T>, Error> {
        let (run, log) = self.start(request);
        let (result, attempts) = run.await;
        let result = result.and_then(|(raw, meta)| {
            let value = self.decode(&raw, &meta)?;
            Ok(Response { value, meta })
        });
        log.finish(attempts, result.as_ref().map(|response| &response.meta));
        result
    }

    /// A success's body as `T`.
    fn decode<T: DeserializeOwned>(
        &self,
        raw: &HttpResponse,
        meta: &ResponseMeta,
    ) -> Result<T, Error> {
        let context = Context {
            idempotency_key: meta.idempotency_key.as_ref(),
            request_id: meta.request_id.as_deref(),
            maybe_processed: false,
            redactor: &self.inner.config.redactor,
        };
        hal::decode(raw.status, &raw.body, &context)
    }

    /// The page after `page`, or `None` on the last.
    ///
    /// # Errors
    /// Any [`Error`]; [`Error::UnexpectedResponse`] when the link leaves the base URL.
    pub async fn next_page<T: ListItem + DeserializeOwned>(
        &self,
        page: &Page<T>,
    ) -> Result<Option<Page<T>>, Error> {
        match page.next_url() {
            None => Ok(None),
            Some(url) => self
                .page(page.request().follow(url.to_owned()))
                .await
                .map(Some),
        }
    }

    /// The page before `page`, or `None` on the first.
    ///
    /// # Errors
    /// Any [`Error`]; [`Error::UnexpectedResponse`] when the link leaves the base URL.
    pub async fn previous_page<T: ListItem + DeserializeOwned>(
        &self,
        page: &Page<T>,
    ) -> Result<Option<Page<T>>, Error> {
        match page.previous_url() {
            None => Ok(None),
            Some(url) => self
                .page(page.request().follow(url.to_owned()))
                .await
                .map(Some),
        }
    }

    /// Every item of a list, fetched lazily one page at a time by following
    /// `_links.next.href`: memory holds one page, whatever the total. An error is yielded
    /// once and ends the stream.
    pub fn stream<T>(&self, request: Request) -> ListStream<T>
    where
        T: ListItem + DeserializeOwned + Send + 'static,
    {
        ListStream::new(self.clone(), request)
    }

    /// Every page of a list, fetched lazily one at a time: items and the facts of each
    /// response, for progress reports. An error is yielded once and ends the stream.
    pub fn pages<T>(&self, request: Request) -> PageStream<T>
    where
        T: ListItem + DeserializeOwned + Send + 'static,
    {
        PageStream::new(self.clone(), request)
    }

    /// Starts `request`: the future that prepares it and sends it with retries, and the log
    /// of the call.
    fn start<'a>(
        &'a self,
        request: &'a Request,
    ) -> (impl Future<Output = send::Outcome> + Send + 'a, CallLog<'a>) {
        send::start(
            &*self.inner.transport,
            &self.inner.config,
            &self.inner.shared,
            request,
        )
    }
}

/// Locks a mutex of the shared state; a panic elsewhere while holding it leaves plain
/// numbers behind, still usable.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_cheap_to_share() {
        fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
        assert_send_sync_clone::<Client>();
    }

    fn client(builder: ClientBuilder) -> Client {
        builder.base_url("http://127.0.0.1:1/v2").build().unwrap()
    }

    #[test]
    fn debug_hides_the_credential() {
        let client = client(Client::builder().api_key("live_TopSecret42").unwrap());
        let debug = format!("{client:?}");
        assert!(!debug.contains("TopSecret42"), "{debug}");
        assert!(debug.contains("LiveApiKey"));
    }
}
