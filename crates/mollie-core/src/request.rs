//! A request as a value: what endpoint crates build and [`Client`](crate::Client) sends.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use mollie_models::{ProfileId, ValidationError};
use serde::Serialize;

use crate::error::Error;
use crate::path::Path;
use crate::retry::RetryPolicy;

/// The HTTP methods Mollie's API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Reads; never changes anything, so it needs no idempotency key.
    Get,
    /// Creates.
    Post,
    /// Updates.
    Patch,
    /// Deletes, revokes or cancels.
    Delete,
}

impl Method {
    /// Whether the method changes state on Mollie's side, and so always gets an
    /// `Idempotency-Key`.
    pub fn is_mutating(self) -> bool {
        !matches!(self, Self::Get)
    }

    /// The method's name on the wire, e.g. `"PATCH"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A typed id that may be a path segment: the id types of `mollie_models`, whose
/// constructors admit nothing but `prefix_` + `[A-Za-z0-9_-]` (sealed there, implemented by
/// its id macro, so a new id type needs nothing here).
pub use mollie_models::id::PathId;

/// Where the API takes `testmode` and `profileId` on an endpoint: what an endpoint crate
/// declares with [`Request::testmode_in`] and [`Request::profile_id_in`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placement {
    /// As a query parameter (`?testmode=true`): Mollie's GET endpoints.
    Query,
    /// As a member of the JSON object body: POST and PATCH, and the DELETEs that take a body
    /// (delete customer, revoke mandate).
    Body,
    /// The endpoint does not take the parameter: never sent, not even from client defaults.
    Omit,
}

impl Placement {
    /// The default for a method: [`Placement::Query`] for GET and DELETE, [`Placement::Body`]
    /// for POST and PATCH.
    pub fn default_for(method: Method) -> Self {
        match method {
            Method::Get | Method::Delete => Self::Query,
            Method::Post | Method::Patch => Self::Body,
        }
    }
}

/// The `Idempotency-Key` of a mutating request: the caller's, or a fresh UUID v4.
///
/// Keys are not secret. Mollie suggests UUID v4 but takes any string; this type takes 1 to
/// 255 visible ASCII characters, so that a key is always a valid header value.
///
/// ```
/// use mollie_core::IdempotencyKey;
///
/// let key = IdempotencyKey::parse("order-1234-charge")?;
/// assert_eq!(key.as_str(), "order-1234-charge");
/// assert!(IdempotencyKey::parse("two words").is_err());
/// assert_eq!(IdempotencyKey::new_v4().as_str().len(), 36);
/// # Ok::<(), mollie_models::ValidationError>(())
/// ```
///
/// A key remembers when it was made ([`created_at`](Self::created_at)). Mollie replays a
/// key's first result only for a limited time and only for the same request
/// (<https://docs.mollie.com/reference/api-idempotency>, which does not state the window;
/// `mollie-mock` keeps keys 24 hours). A failed call's key is therefore a safe way to send
/// it again soon; after a crash or a long pause, look before sending again, as that page
/// advises (`CustomerPayments::find_by_key` in `mollie-customers`). Cheap to clone (one `Arc`);
/// equality and hashing look at the key alone.
#[derive(Clone)]
pub struct IdempotencyKey(Arc<KeyInner>);

struct KeyInner {
    key: String,
    created_at: SystemTime,
}

impl KeyInner {
    fn new(key: String) -> Self {
        Self {
            key,
            created_at: SystemTime::now(),
        }
    }
}

impl PartialEq for IdempotencyKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.key == other.0.key
    }
}

impl Eq for IdempotencyKey {}

impl std::hash::Hash for IdempotencyKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.key.hash(state);
    }
}

impl IdempotencyKey {
    /// The longest key accepted.
    pub const MAX_LEN: usize = 255;

    /// A fresh random key (UUID v4, hyphenated).
    pub fn new_v4() -> Self {
        Self(Arc::new(KeyInner::new(
            uuid::Uuid::new_v4().hyphenated().to_string(),
        )))
    }

    /// A key of the caller's choosing, e.g. derived from an order id so that a process
    /// restart retries with the same key.
    ///
    /// # Errors
    /// A [`ValidationError`] for `Idempotency-Key` when the key is empty, longer than
    /// [`Self::MAX_LEN`], or holds anything but visible ASCII (no spaces or control
    /// characters).
    pub fn parse(key: &str) -> Result<Self, ValidationError> {
        if key.is_empty() || key.len() > Self::MAX_LEN {
            return Err(ValidationError::new(
                "Idempotency-Key",
                format!("must have 1 to {} characters", Self::MAX_LEN),
            ));
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ValidationError::new(
                "Idempotency-Key",
                "may hold only visible ASCII characters (no spaces or control characters)",
            ));
        }
        Ok(Self(Arc::new(KeyInner::new(key.to_owned()))))
    }

    /// The key as sent.
    pub fn as_str(&self) -> &str {
        &self.0.key
    }

    /// When this key was made ([`new_v4`](Self::new_v4) or [`parse`](Self::parse)): with a
    /// key of the SDK's own, when the call was built. The older the key, the likelier
    /// Mollie has forgotten it: look before sending again.
    pub fn created_at(&self) -> SystemTime {
        self.0.created_at
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdempotencyKey").field(&self.0.key).finish()
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.key)
    }
}

impl std::str::FromStr for IdempotencyKey {
    type Err = ValidationError;
    fn from_str(key: &str) -> Result<Self, Self::Err> {
        Self::parse(key)
    }
}

/// What a caller may set on any one call: the "customize" of every operation.
///
/// Endpoint crates keep one in their request builders and hand it over with
/// [`Request::options`]. Unset fields fall back to the client's configuration.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct RequestOptions {
    /// The idempotency key; a mutating request without one gets a fresh UUID v4. A GET sends
    /// one only when it is set here.
    pub idempotency_key: Option<IdempotencyKey>,
    /// `testmode` for organization and OAuth tokens; overrides the client's default.
    pub testmode: Option<bool>,
    /// `profileId` for organization and OAuth tokens; overrides the client's default.
    pub profile_id: Option<ProfileId>,
    /// The timeout of each attempt; overrides the client's.
    pub timeout: Option<Duration>,
    /// The deadline of the whole call, retries and backoff included; overrides the client's.
    pub deadline: Option<Duration>,
    /// The retry policy of this call; overrides the client's ([`RetryPolicy::disabled`] to
    /// send once).
    pub retry: Option<RetryPolicy>,
    /// How many pages a stream of this list may read before it stops with
    /// [`Error::Pagination`](crate::Error::Pagination); default
    /// [`DEFAULT_MAX_PAGES`](crate::DEFAULT_MAX_PAGES). A guard against a server whose
    /// `next` links never end.
    pub max_pages: Option<u64>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends `key` as the `Idempotency-Key`.
    pub fn idempotency_key(mut self, key: IdempotencyKey) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// Sets `testmode`.
    pub fn testmode(mut self, testmode: bool) -> Self {
        self.testmode = Some(testmode);
        self
    }

    /// Sets `profileId`.
    pub fn profile_id(mut self, profile_id: ProfileId) -> Self {
        self.profile_id = Some(profile_id);
        self
    }

    /// Sets the per-attempt timeout: more than zero (a call with zero is refused unsent);
    /// anything beyond a year is a year.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the deadline of the whole call: more than zero (a call with zero is refused
    /// unsent); anything beyond a year is a year.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the retry policy of the call.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Lets a stream of this list read up to `pages` pages (at least 1) before it stops
    /// with [`Error::Pagination`](crate::Error::Pagination); `u64::MAX` lifts the guard.
    pub fn max_pages(mut self, pages: u64) -> Self {
        self.max_pages = Some(pages.max(1));
        self
    }

    /// `other`'s set fields over this one's.
    pub fn merge(mut self, other: RequestOptions) -> Self {
        self.idempotency_key = other.idempotency_key.or(self.idempotency_key);
        self.testmode = other.testmode.or(self.testmode);
        self.profile_id = other.profile_id.or(self.profile_id);
        self.timeout = other.timeout.or(self.timeout);
        self.deadline = other.deadline.or(self.deadline);
        self.retry = other.retry.or(self.retry);
        self.max_pages = other.max_pages.or(self.max_pages);
        self
    }
}

/// Where a request goes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    /// Segments under the base URL.
    Path(Path),
    /// An absolute URL taken from a response (`_links.next`), checked against the base URL
    /// before it is sent; `template` is the path template of the request it continues.
    Url { url: String, template: String },
}

/// One call to Mollie, as an owned value: method, path, query, JSON body and options.
///
/// Endpoint crates build it; [`Client`](crate::Client) sends it. Paths are made of `'static`
/// words and typed ids only, so no input can reach another endpoint.
///
/// ```
/// use mollie_core::{Method, Request};
/// use mollie_models::CustomerId;
///
/// let customer = CustomerId::parse("cst_8wmqcHMN4U")?;
/// let request = Request::get()
///     .segment("customers")
///     .id(&customer)
///     .segment("mandates")
///     .query("limit", "5");
/// assert_eq!(request.method(), Method::Get);
/// assert_eq!(request.path_template(), "/customers/{id}/mandates");
/// # Ok::<(), mollie_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) target: Target,
    pub(crate) query: Vec<(Cow<'static, str>, String)>,
    pub(crate) body: Option<serde_json::Value>,
    /// Boxed, and only once one is set: most calls set none, and a request is moved at
    /// every step of its builder.
    options: Option<Box<RequestOptions>>,
    pub(crate) testmode_in: Placement,
    pub(crate) profile_id_in: Placement,
}

/// The options of a request that sets none.
static NO_OPTIONS: RequestOptions = RequestOptions {
    idempotency_key: None,
    testmode: None,
    profile_id: None,
    timeout: None,
    deadline: None,
    retry: None,
    max_pages: None,
};

impl PartialEq for Request {
    fn eq(&self, other: &Self) -> bool {
        self.method == other.method
            && self.target == other.target
            && self.query == other.query
            && self.body == other.body
            && self.request_options() == other.request_options()
            && self.testmode_in == other.testmode_in
            && self.profile_id_in == other.profile_id_in
    }
}

impl fmt::Debug for Request {
    /// Everything but the body's content, which holds personal data (names, emails, IBANs)
    /// and payment secrets (card and wallet tokens, voucher PINs) that must not reach logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = self.body.as_ref().map(|body| match body {
            serde_json::Value::Object(map) => {
                format!("<JSON object with {} members, redacted>", map.len())
            }
            _ => "<JSON, redacted>".to_owned(),
        });
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path_template())
            .field("query", &self.query)
            .field("body", &body)
            .field("options", self.request_options())
            .field("testmode_in", &self.testmode_in)
            .field("profile_id_in", &self.profile_id_in)
            .finish()
    }
}

impl Request {
    /// A request with `method` to the base URL itself; add path pieces with
    /// [`segment`](Self::segment) and [`id`](Self::id).
    pub fn new(method: Method) -> Self {
        Self {
            method,
            target: Target::Path(Path::default()),
            query: Vec::new(),
            body: None,
            options: None,
            testmode_in: Placement::default_for(method),
            profile_id_in: Placement::default_for(method),
        }
    }

    /// A GET.
    pub fn get() -> Self {
        Self::new(Method::Get)
    }

    /// A POST.
    pub fn post() -> Self {
        Self::new(Method::Post)
    }

    /// A PATCH.
    pub fn patch() -> Self {
        Self::new(Method::Patch)
    }

    /// A DELETE.
    pub fn delete() -> Self {
        Self::new(Method::Delete)
    }

    /// A GET of an absolute URL from a response, e.g. a `_links.next.href`. The client sends
    /// it only if it lies under its base URL.
    pub(crate) fn follow(&self, url: String) -> Self {
        Self {
            method: Method::Get,
            target: Target::Url {
                url,
                template: self.path_template(),
            },
            // The link carries the query of the page it points to.
            query: Vec::new(),
            body: None,
            options: self.options.as_ref().map(|options| {
                Box::new(RequestOptions {
                    idempotency_key: None,
                    ..RequestOptions::clone(options)
                })
            }),
            testmode_in: self.testmode_in,
            profile_id_in: self.profile_id_in,
        }
    }

    /// Appends a fixed word of the endpoint's path, e.g. `"customers"`. It must be lowercase
    /// ASCII letters, digits, `-` or `_`; anything else is refused when the request is sent.
    pub fn segment(mut self, word: &'static str) -> Self {
        if let Target::Path(path) = &mut self.target {
            path.push_word(word);
        }
        self
    }

    /// Appends a typed id to the path.
    pub fn id(mut self, id: impl PathId) -> Self {
        if let Target::Path(path) = &mut self.target {
            path.push_id(id.path_segment());
        }
        self
    }

    /// Adds a query parameter (percent-encoded when sent).
    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((Cow::Borrowed(name), value.into()));
        self
    }

    /// Sets the JSON body, serialized now so that the request stays a plain value.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for `body` when `body` cannot be serialized (e.g. a map with
    /// non-string keys).
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, Error> {
        let value = serde_json::to_value(body)
            .map_err(|e| ValidationError::new("body", format!("cannot be serialized: {e}")))?;
        self.body = Some(value);
        Ok(self)
    }

    /// Sets the JSON body from a value.
    pub fn json_value(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Sends `key` as the `Idempotency-Key` (on a GET too).
    pub fn idempotency_key(mut self, key: IdempotencyKey) -> Self {
        self.options_mut().idempotency_key = Some(key);
        self
    }

    /// Sets `testmode`, overriding the client's default.
    pub fn testmode(mut self, testmode: bool) -> Self {
        self.options_mut().testmode = Some(testmode);
        self
    }

    /// Sets `profileId`, overriding the client's default.
    pub fn profile_id(mut self, profile_id: ProfileId) -> Self {
        self.options_mut().profile_id = Some(profile_id);
        self
    }

    /// Declares where this endpoint takes `testmode` (default:
    /// [`Placement::default_for`] the method).
    pub fn testmode_in(mut self, placement: Placement) -> Self {
        self.testmode_in = placement;
        self
    }

    /// Declares where this endpoint takes `profileId` (default:
    /// [`Placement::default_for`] the method).
    pub fn profile_id_in(mut self, placement: Placement) -> Self {
        self.profile_id_in = placement;
        self
    }

    /// Sets the per-attempt timeout of this call: more than zero (zero is refused when the
    /// call is sent); anything beyond a year is a year.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options_mut().timeout = Some(timeout);
        self
    }

    /// Sets the deadline of this call, retries included: more than zero (zero is refused
    /// when the call is sent); anything beyond a year is a year.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.options_mut().deadline = Some(deadline);
        self
    }

    /// Sets the retry policy of this call.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.options_mut().retry = Some(retry);
        self
    }

    /// Applies the caller's options over those already set.
    pub fn options(mut self, options: RequestOptions) -> Self {
        let options_mut = self.options_mut();
        *options_mut = std::mem::take(options_mut).merge(options);
        self
    }

    fn options_mut(&mut self) -> &mut RequestOptions {
        self.options.get_or_insert_with(Box::default)
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The options of this call.
    pub fn request_options(&self) -> &RequestOptions {
        self.options.as_deref().unwrap_or(&NO_OPTIONS)
    }

    /// The JSON body, if any.
    pub fn body(&self) -> Option<&serde_json::Value> {
        self.body.as_ref()
    }

    /// The path with ids replaced by `{id}`, e.g. `/customers/{id}/mandates`: what logs and
    /// traces show, so that they group by endpoint.
    pub fn path_template(&self) -> String {
        self.template().to_string()
    }

    /// [`path_template`](Self::path_template), written only when shown: a span or log
    /// event that is off never builds it.
    pub(crate) fn template(&self) -> Template<'_> {
        Template(&self.target)
    }
}

/// A request's path with ids as `{id}`, as `Display`.
pub(crate) struct Template<'a>(&'a Target);

impl fmt::Display for Template<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Target::Path(path) => path.template().fmt(f),
            Target::Url { template, .. } => f.write_str(template),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_hides_the_body() {
        let request = Request::post()
            .segment("payments")
            .json_value(serde_json::json!({"voucherPin": "PIN-4242", "consumerName": "Jane"}));
        let debug = format!("{request:?}");
        assert!(
            !debug.contains("4242") && !debug.contains("Jane"),
            "{debug}"
        );
        assert!(
            debug.contains("<JSON object with 2 members, redacted>"),
            "{debug}"
        );
        assert!(debug.contains("/payments"), "{debug}");
    }

    use super::*;
    use mollie_models::{CustomerId, MandateId};

    #[test]
    fn default_placements() {
        assert_eq!(Request::get().testmode_in, Placement::Query);
        assert_eq!(Request::delete().testmode_in, Placement::Query);
        assert_eq!(Request::post().testmode_in, Placement::Body);
        assert_eq!(Request::patch().profile_id_in, Placement::Body);
    }

    #[test]
    fn template_hides_ids() {
        let customer = CustomerId::parse("cst_abc").unwrap();
        let mandate = MandateId::parse("mdt_def").unwrap();
        let request = Request::delete()
            .segment("customers")
            .id(&customer)
            .segment("mandates")
            .id(mandate);
        assert_eq!(request.path_template(), "/customers/{id}/mandates/{id}");
    }

    #[test]
    fn options_are_kept_and_compared_by_value() {
        let plain = Request::get().segment("customers");
        assert_eq!(plain.request_options(), &RequestOptions::default());
        // Options set to nothing are no options.
        assert_eq!(plain.clone().options(RequestOptions::new()), plain);
        let key = IdempotencyKey::parse("k-1").unwrap();
        let set = plain
            .clone()
            .testmode(true)
            .idempotency_key(key.clone())
            .options(RequestOptions::new().timeout(Duration::from_secs(2)));
        assert_ne!(set, plain);
        let options = set.request_options();
        assert_eq!(options.testmode, Some(true));
        assert_eq!(options.idempotency_key, Some(key));
        assert_eq!(options.timeout, Some(Duration::from_secs(2)));
        // The next page keeps the call's options, but not its key.
        let next = set.follow("https://api.mollie.com/v2/customers?from=cst_b".to_owned());
        assert_eq!(next.request_options().testmode, Some(true));
        assert_eq!(next.request_options().idempotency_key, None);
        assert_eq!(next.path_template(), "/customers");
    }

    #[test]
    fn idempotency_keys() {
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("a\r\nb").is_err());
        assert!(IdempotencyKey::parse(&"a".repeat(256)).is_err());
        assert!(IdempotencyKey::parse(&"a".repeat(255)).is_ok());
        assert_ne!(IdempotencyKey::new_v4(), IdempotencyKey::new_v4());
    }

    #[test]
    fn options_merge_prefers_the_later() {
        let merged = RequestOptions::new()
            .testmode(false)
            .timeout(Duration::from_secs(1))
            .merge(RequestOptions::new().testmode(true));
        assert_eq!(merged.testmode, Some(true));
        assert_eq!(merged.timeout, Some(Duration::from_secs(1)));
    }
}
