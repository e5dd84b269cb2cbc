//! Client configuration: credential, base URL, timeouts, retries, user agent and the
//! `testmode`/`profileId` defaults of organization and OAuth tokens.

use std::time::Duration;

use mollie_models::ProfileId;
use std::fmt;
use std::sync::Arc;

use reqwest::Url;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, HeaderName, HeaderValue, USER_AGENT as USER_AGENT_HEADER,
};

use crate::budget::RetryBudget;
use crate::client::Client;
use crate::credential::Credential;
use crate::error::{ConfigError, Error};
use crate::redact::Redactor;
use crate::retry::RetryPolicy;
use crate::transport::{ReqwestTransport, Transport};

/// The environment variable [`ClientBuilder::read_env`] reads the credential from.
pub const API_KEY_ENV: &str = "MOLLIE_API_KEY";
/// The environment variable [`ClientBuilder::read_env`] reads an optional base URL from.
pub const API_URL_ENV: &str = "MOLLIE_API_URL";
/// Mollie's API, version 2.
pub const DEFAULT_BASE_URL: &str = "https://api.mollie.com/v2/";
/// The `User-Agent` this crate sends, before any application suffix.
pub const USER_AGENT: &str = concat!("mollie-sdk/", env!("CARGO_PKG_VERSION"));

/// The largest response body read; a larger one is an unexpected response. Mollie's largest
/// pages (250 payments) are well under a megabyte.
pub(crate) const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Builds a [`Client`]: `Client::builder().api_key("test_...")?.build()?`.
///
/// Defaults: Mollie's API at [`DEFAULT_BASE_URL`], connect timeout 10 s, 30 s per attempt,
/// 60 s per call with retries, [`RetryPolicy::default`].
///
/// ```
/// use std::time::Duration;
/// use mollie_core::{Client, RetryPolicy};
///
/// let client = Client::builder()
///     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
///     .request_timeout(Duration::from_secs(10))
///     .retry_policy(RetryPolicy::default().max_attempts(3))
///     .user_agent_suffix("my-shop/2.1")
///     .build()?;
/// assert_eq!(client.base_url(), "https://api.mollie.com/v2/");
/// # Ok::<(), mollie_core::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientBuilder {
    credential: Option<Credential>,
    base_url: Option<String>,
    connect_timeout: Duration,
    request_timeout: Duration,
    deadline: Duration,
    retry: RetryPolicy,
    user_agent_suffix: Option<String>,
    testmode: Option<bool>,
    profile_id: Option<ProfileId>,
    transport: Option<TransportSlot>,
    retry_budget: RetryBudget,
    adaptive_rate_limit: bool,
}

/// A transport set on the builder; `Debug` names no more than that.
#[derive(Clone)]
struct TransportSlot(Arc<dyn Transport>);

impl fmt::Debug for TransportSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Transport { .. }")
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            credential: None,
            base_url: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            user_agent_suffix: None,
            testmode: None,
            profile_id: None,
            transport: None,
            retry_budget: RetryBudget::default(),
            adaptive_rate_limit: true,
        }
    }
}

/// The checked configuration a [`Client`] runs on.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) base: Url,
    pub(crate) credential: Credential,
    pub(crate) request_timeout: Duration,
    pub(crate) deadline: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) testmode: Option<bool>,
    pub(crate) profile_id: Option<ProfileId>,
    /// The headers every request carries, built once: `authorization` (sensitive),
    /// `user-agent` (`mollie-sdk/VERSION` and the application's suffix) and `accept`.
    /// Shared as they are by every request without a key or body (reads).
    pub(crate) fixed_headers: Arc<[(HeaderName, HeaderValue)]>,
    /// Cuts the credential out of everything kept of a response.
    pub(crate) redactor: Redactor,
    /// The retry budget the client's calls share, as it starts.
    pub(crate) retry_budget: RetryBudget,
    /// Whether calls slow down together after a 429.
    pub(crate) adaptive_rate_limit: bool,
}

impl ClientBuilder {
    /// A builder with the defaults and no credential.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads [`API_KEY_ENV`] (`MOLLIE_API_KEY`: an API key or an `access_` token) and, if set,
    /// [`API_URL_ENV`] (`MOLLIE_API_URL`).
    ///
    /// # Errors
    /// [`ConfigError::MissingEnv`] when `MOLLIE_API_KEY` is unset, or the credential's error.
    pub fn read_env(self) -> Result<Self, Error> {
        self.read_lookup(|name| std::env::var(name).ok())
    }

    /// [`read_env`](Self::read_env) over any lookup, so that tests need not mutate the
    /// process environment.
    pub(crate) fn read_lookup(
        mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, Error> {
        let key = lookup(API_KEY_ENV).ok_or(ConfigError::MissingEnv(API_KEY_ENV))?;
        self.credential = Some(Credential::parse(&key)?);
        if let Some(url) = lookup(API_URL_ENV).filter(|url| !url.trim().is_empty()) {
            self.base_url = Some(url);
        }
        Ok(self)
    }

    /// Uses a checked credential.
    pub fn credential(mut self, credential: Credential) -> Self {
        self.credential = Some(credential);
        self
    }

    /// Uses an API key, `test_...` or `live_...`.
    ///
    /// # Errors
    /// [`ConfigError::Credential`] when the key has the wrong shape.
    pub fn api_key(self, key: &str) -> Result<Self, Error> {
        Ok(self.credential(Credential::api_key(key)?))
    }

    /// Uses an organization access token, `access_...`.
    ///
    /// # Errors
    /// [`ConfigError::Credential`] when the token has the wrong shape.
    pub fn access_token(self, token: &str) -> Result<Self, Error> {
        Ok(self.credential(Credential::access_token(token)?))
    }

    /// Uses an OAuth access token of a Mollie Connect app.
    ///
    /// # Errors
    /// [`ConfigError::Credential`] when the token has the wrong shape.
    pub fn oauth_token(self, token: &str) -> Result<Self, Error> {
        Ok(self.credential(Credential::oauth_token(token)?))
    }

    /// The API root, version included (default [`DEFAULT_BASE_URL`]). It must be HTTPS, or
    /// plain HTTP on a loopback host (`localhost`, `127.0.0.1`, `::1`) for a local fake
    /// server. A URL with an empty path gets `/v2/`, so both `http://127.0.0.1:8080` and
    /// `http://127.0.0.1:8080/v2` point at the same API.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The time allowed to open a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The time allowed for one attempt, from connecting to the end of the response body.
    /// More than zero; anything beyond a year (`Duration::MAX` for "no limit") is a year.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The time allowed for a whole call: all attempts and the waits between them. More than
    /// zero; anything beyond a year (`Duration::MAX` for "no limit") is a year.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// How calls are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The retry budget this client and its clones share: retries withdraw from it and
    /// successes pay back, so that an incident cannot make every call retry at once (see
    /// [`RetryBudget`] for the defaults and why). [`RetryBudget::unlimited`] turns it off.
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.retry_budget = budget;
        self
    }

    /// Client-side rate limiting that learns from Mollie's 429s (on by default): dormant
    /// until the first 429, then all calls of the client and its clones pace themselves at
    /// 70% of the rate Mollie was admitting and probe back up (see [`AdaptiveRate`]). With it
    /// off, each call only honours its own `Retry-After`.
    ///
    /// [`AdaptiveRate`]: crate::AdaptiveRate
    pub fn adaptive_rate_limit(mut self, on: bool) -> Self {
        self.adaptive_rate_limit = on;
        self
    }

    /// Sends every request once, never retrying.
    pub fn no_retries(self) -> Self {
        self.retry_policy(RetryPolicy::disabled())
    }

    /// Appends e.g. `my-shop/2.1` to the `User-Agent` (`mollie-sdk/0.1.0 my-shop/2.1`).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// The default `testmode` of an organization or OAuth token, sent where each endpoint
    /// takes it unless the request sets its own.
    pub fn testmode(mut self, testmode: bool) -> Self {
        self.testmode = Some(testmode);
        self
    }

    /// The default `profileId` of an organization or OAuth token, sent where each endpoint
    /// takes it unless the request sets its own.
    pub fn profile_id(mut self, profile_id: ProfileId) -> Self {
        self.profile_id = Some(profile_id);
        self
    }

    /// Sends through your own reqwest client: an egress proxy, a corporate root certificate,
    /// a client certificate (mTLS), HTTP/2 settings. The SDK still sets the credential,
    /// `User-Agent`, idempotency keys and per-attempt timeouts on every request, and still
    /// refuses plain HTTP off loopback; [`connect_timeout`](Self::connect_timeout) is then
    /// yours to set on the client. Build it with
    /// `redirect(reqwest::redirect::Policy::none())`: a redirected exchange is refused.
    ///
    /// [`transport::reqwest`](crate::transport::reqwest) is the reqwest this crate uses.
    pub fn http_client(self, client: reqwest::Client) -> Self {
        self.transport(ReqwestTransport::from_client(client))
    }

    /// Sends through any [`Transport`]: a middleware stack, a recorder, an in-memory fake.
    /// Retries, idempotency keys, timeouts and decoding stay with the client.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(TransportSlot(Arc::new(transport)));
        self
    }

    /// Checks the configuration and builds the client and its connection pool.
    ///
    /// # Errors
    /// [`Error::Config`] when there is no credential, the base URL is refused, a timeout is
    /// zero, the user-agent suffix is malformed, or `testmode`/`profileId` defaults are set
    /// with an API key (which is bound to one mode and profile; Mollie's spec says not to send
    /// them).
    pub fn build(self) -> Result<Client, Error> {
        let credential = self.credential.ok_or(ConfigError::MissingCredential)?;
        let base = parse_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        for (setting, value) in [
            ("connect_timeout", self.connect_timeout),
            ("request_timeout", self.request_timeout),
            ("deadline", self.deadline),
        ] {
            if value.is_zero() {
                return Err(ConfigError::Setting {
                    setting,
                    reason: "must be more than zero".into(),
                }
                .into());
            }
        }
        if !credential.kind().takes_testmode_and_profile()
            && (self.testmode.is_some() || self.profile_id.is_some())
        {
            return Err(ConfigError::Setting {
                setting: "testmode/profile_id",
                reason: "only organization and OAuth tokens take testmode and profileId; an API \
                         key is bound to its mode and profile"
                    .into(),
            }
            .into());
        }
        let user_agent = match &self.user_agent_suffix {
            None => USER_AGENT.to_owned(),
            Some(suffix) => {
                let suffix = suffix.trim();
                if suffix.is_empty()
                    || suffix.len() > 200
                    || !suffix.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
                {
                    return Err(ConfigError::Setting {
                        setting: "user_agent_suffix",
                        reason: "must be 1 to 200 visible ASCII characters or spaces".into(),
                    }
                    .into());
                }
                format!("{USER_AGENT} {suffix}")
            }
        };

        let user_agent = HeaderValue::try_from(user_agent).map_err(|_| ConfigError::Setting {
            setting: "user_agent_suffix",
            reason: "must be 1 to 200 visible ASCII characters or spaces".into(),
        })?;
        let fixed_headers = Arc::new([
            (AUTHORIZATION, credential.authorization()?),
            (USER_AGENT_HEADER, user_agent),
            (ACCEPT, HeaderValue::from_static("application/hal+json")),
        ]);

        let transport: Arc<dyn Transport> = match self.transport {
            Some(TransportSlot(transport)) => transport,
            None => Arc::new(ReqwestTransport::build(
                self.connect_timeout,
                base.scheme() == "https",
            )?),
        };

        Ok(Client::from_parts(
            transport,
            Config {
                base,
                request_timeout: self.request_timeout,
                deadline: self.deadline,
                retry: self.retry,
                testmode: self.testmode,
                profile_id: self.profile_id,
                fixed_headers,
                retry_budget: self.retry_budget,
                adaptive_rate_limit: self.adaptive_rate_limit,
                redactor: Redactor::new(credential.secret()),
                credential,
            },
        ))
    }
}

/// Checks the HTTPS rule and the URL's shape; gives an empty path `/v2/`.
fn parse_base_url(value: &str) -> Result<Url, ConfigError> {
    let refuse = |reason: &str| ConfigError::BaseUrl(reason.to_owned());
    let mut url = Url::parse(value.trim()).map_err(|e| ConfigError::BaseUrl(e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(refuse(
                "plain HTTP is allowed only to a loopback host (localhost, 127.0.0.1, ::1)",
            ));
        }
        _ => return Err(refuse("the scheme must be https")),
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(refuse("not an absolute URL with a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Credentials in a URL end up in logs and error messages.
        return Err(refuse("must not contain a user name or password"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("must not have a query or fragment"));
    }
    if url.path() == "/" {
        url.set_path("/v2/");
    } else if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // IPv6 hosts come bracketed (`[::1]`).
    let ip = host.trim_start_matches('[').trim_end_matches(']');
    match ip.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let ok = [
            ("https://api.mollie.com/v2", "https://api.mollie.com/v2/"),
            ("https://api.mollie.com", "https://api.mollie.com/v2/"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v2/"),
            ("http://localhost:1/v2/", "http://localhost:1/v2/"),
            ("http://[::1]:9/v2", "http://[::1]:9/v2/"),
            ("http://127.1.2.3:9/", "http://127.1.2.3:9/v2/"),
        ];
        for (input, normalized) in ok {
            assert_eq!(parse_base_url(input).unwrap().as_str(), normalized);
        }
        let refused = [
            "http://api.mollie.com/v2",
            "http://10.0.0.1/",
            "http://localhost.evil.com/",
            "ftp://api.mollie.com/",
            "https://user:pw@api.mollie.com/v2",
            "https://api.mollie.com/v2?x=1",
            "not a url",
            "data:text/plain,hello",
        ];
        for input in refused {
            assert!(parse_base_url(input).is_err(), "{input}");
        }
    }

    #[test]
    fn read_lookup_reads_key_and_url() {
        let env = |name: &str| match name {
            API_KEY_ENV => Some("test_abcdefghijklmnop".to_owned()),
            API_URL_ENV => Some("http://127.0.0.1:9999".to_owned()),
            _ => None,
        };
        let client = ClientBuilder::new()
            .read_lookup(env)
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:9999/v2/");

        let missing = ClientBuilder::new().read_lookup(|_| None).unwrap_err();
        assert!(matches!(
            missing,
            Error::Config(ConfigError::MissingEnv("MOLLIE_API_KEY"))
        ));
        let bad = ClientBuilder::new()
            .read_lookup(|_| Some("test_secret\n".to_owned()))
            .unwrap_err();
        assert!(matches!(bad, Error::Config(ConfigError::Credential(_))));
        assert!(!bad.to_string().contains("secret"));
    }

    #[test]
    fn build_refuses_bad_settings() {
        let key = || ClientBuilder::new().api_key("test_abc").unwrap();
        assert!(matches!(
            ClientBuilder::new().build().unwrap_err(),
            Error::Config(ConfigError::MissingCredential)
        ));
        assert!(key().request_timeout(Duration::ZERO).build().is_err());
        assert!(key().user_agent_suffix("evil\r\nX: y").build().is_err());
        assert!(key().user_agent_suffix("").build().is_err());
        assert!(
            key().testmode(true).build().is_err(),
            "API keys take no testmode"
        );
        let token = ClientBuilder::new().access_token("access_abc").unwrap();
        assert!(
            token
                .testmode(true)
                .profile_id(ProfileId::parse("pfl_abc").unwrap())
                .build()
                .is_ok()
        );
    }
}
