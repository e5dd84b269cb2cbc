//! The client: prepares a [`Request`], sends it with retries, decodes the answer.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use mollie_models::{List, ListItem, ValidationError};
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;

use crate::config::{ClientBuilder, Config, MAX_RESPONSE_BYTES};
use crate::credential::CredentialKind;
use crate::error::{Error, TimeoutKind};
use crate::hal::{self, Context};
use crate::page::{ListStream, Page};
use crate::request::{IdempotencyKey, Method, Placement, Request, Target, check_segment};
use crate::response::{Response, ResponseMeta};
use crate::retry::{AttemptOutcome, classify, parse_retry_after, plan_retry};

static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
static IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";
/// Headers a request id may come back in; Mollie does not document one, proxies and the
/// fake server use these.
static REQUEST_ID_HEADERS: [&str; 2] = ["x-request-id", "request-id"];

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
    http: reqwest::Client,
    config: Config,
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

/// A request made ready to send: everything that can fail without I/O has been checked.
struct Prepared {
    method: Method,
    url: Url,
    body: Option<Vec<u8>>,
    idempotency_key: Option<IdempotencyKey>,
    template: String,
    timeout: Duration,
    deadline: Duration,
    retry: crate::RetryPolicy,
}

/// A response read to the end.
struct Raw {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Why an attempt produced no [`Raw`].
enum AttemptError {
    Http(reqwest::Error),
    TooLarge { status: u16, excerpt: String },
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

    pub(crate) fn from_parts(http: reqwest::Client, config: Config) -> Self {
        Self {
            inner: Arc::new(Inner { http, config }),
        }
    }

    /// The API root requests go to, e.g. `https://api.mollie.com/v2/`.
    pub fn base_url(&self) -> &str {
        self.inner.config.base.as_str()
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
    pub async fn send<T: DeserializeOwned>(&self, request: Request) -> Result<T, Error> {
        Ok(self.send_with_meta(request).await?.value)
    }

    /// As [`send`](Self::send), with the [`ResponseMeta`]: status, idempotency key used,
    /// whether Mollie replayed an earlier response.
    ///
    /// # Errors
    /// Any [`Error`]; see its variants.
    pub async fn send_with_meta<T: DeserializeOwned>(
        &self,
        request: Request,
    ) -> Result<Response<T>, Error> {
        let (raw, meta) = self.execute(&request).await?;
        let context = Context {
            idempotency_key: meta.idempotency_key.clone(),
            request_id: meta.request_id.clone(),
        };
        let value = hal::decode(raw.status, &raw.body, &context)?;
        Ok(Response { value, meta })
    }

    /// Sends `request` and ignores the body of its success (delete, revoke, cancel).
    ///
    /// # Errors
    /// Any [`Error`]; see its variants.
    pub async fn send_no_content(&self, request: Request) -> Result<ResponseMeta, Error> {
        Ok(self.execute(&request).await?.1)
    }

    /// Sends a list request and returns its page.
    ///
    /// # Errors
    /// Any [`Error`]; see its variants.
    pub async fn page<T: ListItem + DeserializeOwned>(
        &self,
        request: Request,
    ) -> Result<Page<T>, Error> {
        let response = self.send_with_meta::<List<T>>(request.clone()).await?;
        Ok(Page::new(response.value, response.meta, request))
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

    /// Sends a prepared request with retries; returns the successful response and its facts.
    async fn execute(&self, request: &Request) -> Result<(Raw, ResponseMeta), Error> {
        let prepared = self.prepare(request)?;
        let span = tracing::info_span!(
            "mollie.request",
            method = prepared.method.as_str(),
            path = %prepared.template,
            idempotency_key = Empty,
            attempts = Empty,
            status = Empty,
            request_id = Empty,
        );
        if let Some(key) = &prepared.idempotency_key {
            span.record("idempotency_key", key.as_str());
        }
        self.retry_loop(prepared).instrument(span).await
    }

    async fn retry_loop(&self, p: Prepared) -> Result<(Raw, ResponseMeta), Error> {
        let span = tracing::Span::current();
        let started = Instant::now();
        let deadline_at = started + p.deadline;
        let mut attempts = 0u32;
        loop {
            let time_left = deadline_at.saturating_duration_since(Instant::now());
            if time_left.is_zero() {
                span.record("attempts", attempts);
                return Err(Error::Timeout {
                    kind: TimeoutKind::Deadline,
                    attempts,
                    idempotency_key: p.idempotency_key.clone(),
                });
            }
            attempts += 1;
            // The attempt may use what is left of the deadline, no more.
            let cut_by_deadline = time_left < p.timeout;
            let timeout = p.timeout.min(time_left);
            let attempt_span = tracing::debug_span!(
                "mollie.attempt",
                attempt = attempts,
                status = Empty,
                request_id = Empty
            );
            let result = self
                .attempt(&p, timeout)
                .instrument(attempt_span.clone())
                .await;

            let outcome = match &result {
                Ok(raw) => {
                    attempt_span.record("status", raw.status);
                    if let Some(id) = request_id(&raw.headers) {
                        attempt_span.record("request_id", id);
                    }
                    AttemptOutcome::Response {
                        status: raw.status,
                        retry_after: raw
                            .headers
                            .get(RETRY_AFTER)
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| parse_retry_after(v, SystemTime::now())),
                    }
                }
                Err(AttemptError::Http(e)) if e.is_connect() => AttemptOutcome::ConnectFailed,
                Err(AttemptError::Http(e)) if e.is_timeout() => AttemptOutcome::TimedOut,
                Err(AttemptError::Http(e)) if e.is_builder() || e.is_redirect() => {
                    AttemptOutcome::Unsendable
                }
                Err(AttemptError::Http(_)) => AttemptOutcome::ConnectionFailed,
                Err(AttemptError::TooLarge { status, .. }) => AttemptOutcome::Response {
                    status: *status,
                    retry_after: None,
                },
            };

            let result = match result {
                Ok(raw) if (200..=299).contains(&raw.status) => {
                    let meta = ResponseMeta {
                        status: raw.status,
                        idempotency_key: p.idempotency_key.clone(),
                        replayed: raw
                            .headers
                            .get(IDEMPOTENT_REPLAYED)
                            .and_then(|v| v.to_str().ok())
                            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
                        request_id: request_id(&raw.headers).map(str::to_owned),
                        attempts,
                    };
                    span.record("attempts", attempts);
                    span.record("status", raw.status);
                    if let Some(id) = &meta.request_id {
                        span.record("request_id", id.as_str());
                    }
                    return Ok((raw, meta));
                }
                other => other,
            };

            let decision = classify(&outcome, p.method, p.idempotency_key.is_some());
            let time_left = deadline_at.saturating_duration_since(Instant::now());
            if let Some(wait) = plan_retry(&p.retry, decision, attempts, time_left, fastrand::f64())
            {
                tracing::debug!(
                    attempt = attempts,
                    wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    outcome = ?outcome,
                    "retrying"
                );
                tokio::time::sleep(wait).await;
                continue;
            }

            span.record("attempts", attempts);
            return Err(self.final_error(result, &p, attempts, cut_by_deadline));
        }
    }

    /// The error a call ends with, from its last attempt.
    fn final_error(
        &self,
        result: Result<Raw, AttemptError>,
        p: &Prepared,
        attempts: u32,
        cut_by_deadline: bool,
    ) -> Error {
        let span = tracing::Span::current();
        match result {
            Ok(raw) => {
                span.record("status", raw.status);
                let context = Context {
                    idempotency_key: p.idempotency_key.clone(),
                    request_id: request_id(&raw.headers).map(str::to_owned),
                };
                let retry_after = raw
                    .headers
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, SystemTime::now()));
                hal::error_from(raw.status, retry_after, &raw.body, &context)
            }
            Err(AttemptError::Http(e)) if e.is_timeout() && !e.is_connect() => Error::Timeout {
                kind: if cut_by_deadline {
                    TimeoutKind::Deadline
                } else {
                    TimeoutKind::Attempt
                },
                attempts,
                idempotency_key: p.idempotency_key.clone(),
            },
            Err(AttemptError::Http(e)) => Error::Transport {
                // The URL holds no secret, but ids and query; keep errors about the failure.
                source: e.without_url(),
                idempotency_key: p.idempotency_key.clone(),
            },
            Err(AttemptError::TooLarge { status, excerpt }) => Error::UnexpectedResponse {
                status,
                reason: format!("the body is larger than {MAX_RESPONSE_BYTES} bytes"),
                excerpt,
                idempotency_key: p.idempotency_key.clone(),
                request_id: None,
            },
        }
    }

    /// One attempt: send, then read the whole body (bounded).
    async fn attempt(&self, p: &Prepared, timeout: Duration) -> Result<Raw, AttemptError> {
        let mut builder = self
            .inner
            .http
            .request(p.method.to_reqwest(), p.url.clone())
            .timeout(timeout);
        if let Some(key) = &p.idempotency_key {
            // Cannot fail: keys are visible ASCII by construction.
            if let Ok(value) = HeaderValue::from_str(key.as_str()) {
                builder = builder.header(IDEMPOTENCY_KEY.clone(), value);
            }
        }
        if let Some(body) = &p.body {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        let mut response = builder.send().await.map_err(AttemptError::Http)?;
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let mut body = Vec::with_capacity(response.content_length().map_or(0, |len| {
            usize::try_from(len).unwrap_or(0).min(MAX_RESPONSE_BYTES)
        }));
        while let Some(chunk) = response.chunk().await.map_err(AttemptError::Http)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                body.extend_from_slice(&chunk[..hal::EXCERPT_BYTES.min(chunk.len())]);
                return Err(AttemptError::TooLarge {
                    status,
                    excerpt: hal::excerpt(&body),
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Raw {
            status,
            headers,
            body,
        })
    }

    /// Checks and assembles everything that needs no I/O: URL, query, body, key.
    fn prepare(&self, request: &Request) -> Result<Prepared, Error> {
        let config = &self.inner.config;
        let options = &request.options;
        let token = config.credential.kind().takes_testmode_and_profile();
        // Set as a call option, or inside the body (`NewPayment::testmode`, ...): an API key
        // takes neither, wherever it comes from.
        let in_body = |name: &str| {
            request
                .body
                .as_ref()
                .and_then(|body| body.get(name))
                .is_some_and(|value| !value.is_null())
        };
        let testmode_set = options.testmode.is_some() || in_body("testmode");
        let profile_set = options.profile_id.is_some() || in_body("profileId");
        // A call's own value for a parameter its endpoint does not take would be dropped
        // without a word: refuse it instead. (A client-wide default is simply not sent.)
        for (set, placement, field) in [
            (options.testmode.is_some(), request.testmode_in, "testmode"),
            (
                options.profile_id.is_some(),
                request.profile_id_in,
                "profileId",
            ),
        ] {
            if set && placement == Placement::Omit {
                return Err(ValidationError::new(
                    field,
                    format!(
                        "{} {} does not take it",
                        request.method,
                        request.path_template()
                    ),
                )
                .into());
            }
        }
        if !token && (testmode_set || profile_set) {
            let field = if testmode_set {
                "testmode"
            } else {
                "profileId"
            };
            return Err(ValidationError::new(
                field,
                "only organization and OAuth tokens take it; an API key is bound to its mode \
                 and profile",
            )
            .into());
        }
        let testmode = options.testmode.or(config.testmode);
        let profile_id = options
            .profile_id
            .as_ref()
            .or(config.profile_id.as_ref())
            .map(|id| id.as_str().to_owned());

        let mut url = match &request.target {
            Target::Path(segments) => {
                let mut url = config.base.clone();
                {
                    let mut path = url.path_segments_mut().map_err(|()| {
                        ValidationError::new("path", "the base URL cannot take a path")
                    })?;
                    path.pop_if_empty();
                    for segment in segments {
                        // `push` percent-encodes `/`, `?`, `#` and `%`.
                        path.push(check_segment(segment)?);
                    }
                }
                url
            }
            Target::Url { url, .. } => self.check_link(url)?,
        };

        let mut query: Vec<(&str, String)> = request
            .query
            .iter()
            .map(|(name, value)| (name.as_ref(), value.clone()))
            .collect();
        let in_query = |name: &str, query: &[(&str, String)], url: &Url| {
            query.iter().any(|(n, _)| *n == name) || url.query_pairs().any(|(n, _)| n == name)
        };
        if let (Some(testmode), Placement::Query) = (testmode, request.testmode_in)
            && !in_query("testmode", &query, &url)
        {
            query.push(("testmode", testmode.to_string()));
        }
        if let (Some(profile_id), Placement::Query) = (&profile_id, request.profile_id_in)
            && !in_query("profileId", &query, &url)
        {
            query.push(("profileId", profile_id.clone()));
        }
        if !query.is_empty() {
            // `query_pairs_mut` on a URL without a query would leave a bare `?`; only call it
            // with something to add.
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &query {
                pairs.append_pair(name, value);
            }
        }

        let mut body = request.body.clone();
        let mut inject = |name: &str, value: serde_json::Value| -> Result<(), Error> {
            match body.get_or_insert_with(|| serde_json::Value::Object(Default::default())) {
                serde_json::Value::Object(map) => {
                    map.entry(name).or_insert(value);
                    Ok(())
                }
                _ => Err(ValidationError::new(
                    "body",
                    format!("`{name}` goes into the body, which must then be a JSON object"),
                )
                .into()),
            }
        };
        if let (Some(testmode), Placement::Body) = (testmode, request.testmode_in) {
            inject("testmode", serde_json::Value::Bool(testmode))?;
        }
        if let (Some(profile_id), Placement::Body) = (profile_id, request.profile_id_in) {
            inject("profileId", serde_json::Value::String(profile_id))?;
        }
        let body = body
            .map(|value| serde_json::to_vec(&value))
            .transpose()
            .map_err(|e| ValidationError::new("body", format!("cannot be serialized: {e}")))?;

        // Filled in once, before the first attempt: every retry reuses it.
        let idempotency_key = match (&options.idempotency_key, request.method.is_mutating()) {
            (Some(key), _) => Some(key.clone()),
            (None, true) => Some(IdempotencyKey::new_v4()),
            (None, false) => None,
        };

        Ok(Prepared {
            method: request.method,
            url,
            body,
            idempotency_key,
            template: request.path_template(),
            timeout: options.timeout.unwrap_or(config.request_timeout),
            deadline: options.deadline.unwrap_or(config.deadline),
            retry: options.retry.unwrap_or(config.retry),
        })
    }

    /// Accepts a link from a response only under the base URL: same scheme, host and port,
    /// and the base path as prefix. A hostile or broken response must not be able to send the
    /// credential to another server.
    fn check_link(&self, link: &str) -> Result<Url, Error> {
        let base = &self.inner.config.base;
        let refuse = |reason: &str| Error::UnexpectedResponse {
            status: 200,
            reason: reason.to_owned(),
            excerpt: hal::excerpt(link.as_bytes()),
            idempotency_key: None,
            request_id: None,
        };
        let url = Url::parse(link).map_err(|_| refuse("a pagination link is not a URL"))?;
        let same_origin = url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default();
        if !same_origin || !url.path().starts_with(base.path()) {
            return Err(refuse(
                "a pagination link points outside the configured base URL",
            ));
        }
        if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
            return Err(refuse("a pagination link carries user info or a fragment"));
        }
        Ok(url)
    }
}

fn request_id(headers: &HeaderMap) -> Option<&str> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 200)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mollie_models::{CustomerId, ProfileId};

    fn client(builder: ClientBuilder) -> Client {
        builder.base_url("http://127.0.0.1:1/v2").build().unwrap()
    }

    fn token() -> ClientBuilder {
        Client::builder().access_token("access_abc").unwrap()
    }

    #[test]
    fn client_is_cheap_to_share() {
        fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
        assert_send_sync_clone::<Client>();
    }

    #[test]
    fn query_defaults_are_added_unless_present() {
        let client = client(
            token()
                .testmode(true)
                .profile_id(ProfileId::parse("pfl_abc").unwrap()),
        );
        let p = client
            .prepare(&Request::get().segment("customers").query("limit", "5"))
            .unwrap();
        assert_eq!(
            p.url.as_str(),
            "http://127.0.0.1:1/v2/customers?limit=5&testmode=true&profileId=pfl_abc"
        );
        assert!(p.body.is_none() && p.idempotency_key.is_none());

        let p = client
            .prepare(
                &Request::get()
                    .segment("customers")
                    .query("testmode", "false"),
            )
            .unwrap();
        assert_eq!(
            p.url.as_str(),
            "http://127.0.0.1:1/v2/customers?testmode=false&profileId=pfl_abc"
        );
        let p = client
            .prepare(
                &Request::get()
                    .segment("customers")
                    .testmode(false)
                    .profile_id_in(Placement::Omit),
            )
            .unwrap();
        assert_eq!(
            p.url.as_str(),
            "http://127.0.0.1:1/v2/customers?testmode=false"
        );
    }

    #[test]
    fn body_defaults_are_added_unless_present() {
        let client = client(token().testmode(true));
        let p = client
            .prepare(
                &Request::post()
                    .segment("customers")
                    .json_value(serde_json::json!({"name": "Jane", "testmode": false})),
            )
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(p.body.as_deref().unwrap()).unwrap();
        assert_eq!(body, serde_json::json!({"name": "Jane", "testmode": false}));
        assert!(p.idempotency_key.is_some());

        // Delete customer / revoke mandate take testmode in a body.
        let id = CustomerId::parse("cst_abc").unwrap();
        let p = client
            .prepare(
                &Request::delete()
                    .segment("customers")
                    .id(&id)
                    .testmode_in(Placement::Body),
            )
            .unwrap();
        assert_eq!(p.body.as_deref(), Some(&br#"{"testmode":true}"#[..]));
        assert_eq!(p.url.query(), None);

        let error = client
            .prepare(&Request::post().json_value(serde_json::json!([1])))
            .err()
            .unwrap();
        assert_eq!(error.field(), Some("body"));
    }

    #[test]
    fn api_keys_take_no_testmode() {
        let client = client(Client::builder().api_key("test_abc").unwrap());
        let error = client
            .prepare(&Request::get().segment("customers").testmode(true))
            .err()
            .unwrap();
        assert_eq!(error.field(), Some("testmode"));
        let p = client
            .prepare(&Request::get().segment("customers"))
            .unwrap();
        assert_eq!(p.url.query(), None);
    }

    #[test]
    fn links_must_stay_under_the_base_url() {
        let client = client(token());
        assert!(
            client
                .check_link("http://127.0.0.1:1/v2/customers?from=cst_a&limit=5")
                .is_ok()
        );
        for hostile in [
            "http://evil.example/v2/customers",
            "https://127.0.0.1:1/v2/customers",
            "http://127.0.0.1:2/v2/customers",
            "http://127.0.0.1:1/v3/customers",
            "http://127.0.0.1:1/",
            "http://user:pw@127.0.0.1:1/v2/customers",
            "/v2/customers",
        ] {
            let error = client.check_link(hostile).unwrap_err();
            assert!(
                matches!(error, Error::UnexpectedResponse { .. }),
                "{hostile}"
            );
        }
    }

    #[test]
    fn ids_are_percent_encoded_path_segments() {
        let client = client(token());
        let id = CustomerId::parse("cst_a-b_C9").unwrap();
        let p = client
            .prepare(
                &Request::get()
                    .segment("customers")
                    .id(&id)
                    .segment("mandates"),
            )
            .unwrap();
        assert_eq!(p.url.path(), "/v2/customers/cst_a-b_C9/mandates");
        assert_eq!(p.template, "/customers/{id}/mandates");
    }

    #[test]
    fn debug_hides_the_credential() {
        let client = client(Client::builder().api_key("live_TopSecret42").unwrap());
        let debug = format!("{client:?}");
        assert!(!debug.contains("TopSecret42"), "{debug}");
        assert!(debug.contains("LiveApiKey"));
    }
}
