//! Prepare: checks a [`Request`] and turns it into the bytes of an HTTP exchange, before any
//! I/O: URL and percent-encoded path, query, body, where `testmode` and `profileId` go, the
//! idempotency key and the headers.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use mollie_models::ValidationError;
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};

use crate::config::{Config, MAX_RESPONSE_BYTES};
use crate::error::Error;
use crate::hal;
use crate::redact::Redactor;
use crate::request::{IdempotencyKey, Placement, Request, Target};
use crate::retry::RetryPolicy;
use crate::transport::HttpRequest;

/// The longest timeout or deadline kept; longer ones (`Duration::MAX` for "no limit") are
/// taken as this, which no call reaches.
const LONGEST_WAIT: Duration = Duration::from_secs(365 * 24 * 3600);

/// A request made ready to send: everything that can fail without I/O has been checked.
pub(crate) struct Prepared {
    /// The exchange every attempt sends (each with its own timeout).
    pub(crate) http: HttpRequest,
    /// Fixed here, before the first attempt: every retry reuses it.
    pub(crate) idempotency_key: Option<IdempotencyKey>,
    pub(crate) timeout: Duration,
    pub(crate) deadline: Duration,
    pub(crate) retry: RetryPolicy,
}

/// Checks and assembles everything that needs no I/O: URL, query, body, key.
pub(crate) fn prepare(config: &Config, request: &Request) -> Result<Prepared, Error> {
    let options = request.request_options();
    let token = config.credential.kind().takes_testmode_and_profile();
    // One channel: the call's options (or the client's defaults), never the body; the
    // request bodies of the models have no `testmode` or `profileId`.
    let testmode_set = options.testmode.is_some();
    let profile_set = options.profile_id.is_some();
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
    let (timeout, deadline) = (
        options.timeout.unwrap_or(config.request_timeout),
        options.deadline.unwrap_or(config.deadline),
    );
    for (value, field) in [(timeout, "timeout"), (deadline, "deadline")] {
        // The client's own are checked when it is built; a call's here.
        if value.is_zero() {
            return Err(ValidationError::new(field, "must be more than zero").into());
        }
    }

    let testmode = options.testmode.or(config.testmode);
    let profile_id = options.profile_id.as_ref().or(config.profile_id.as_ref());

    // The URL as text: the base, each path segment percent-encoded, the query. The transport
    // parses it once, as any reqwest call does; `url`'s own path editing would parse it again
    // for every segment.
    let (mut url, link) = match &request.target {
        Target::Path(path) => {
            let base = config.base.as_str();
            let path = path.encoded()?;
            let mut url = String::with_capacity(base.len() + path.len() + 32);
            url.push_str(base.strip_suffix('/').unwrap_or(base));
            url.push_str(path);
            (url, None)
        }
        Target::Url { url, .. } => {
            let link = check_link(&config.base, url, &config.redactor)?;
            (link.as_str().to_owned(), Some(link))
        }
    };

    let in_query = |name: &str| {
        request.query.iter().any(|(n, _)| n == name)
            || link
                .as_ref()
                .is_some_and(|link| link.query_pairs().any(|(n, _)| n == name))
    };
    let testmode_param = match (testmode, request.testmode_in) {
        (Some(testmode), Placement::Query) if !in_query("testmode") => {
            Some(("testmode", if testmode { "true" } else { "false" }))
        }
        _ => None,
    };
    let profile_param = match (&profile_id, request.profile_id_in) {
        (Some(profile_id), Placement::Query) if !in_query("profileId") => {
            Some(("profileId", profile_id.as_str()))
        }
        _ => None,
    };
    let mut pairs = request
        .query
        .iter()
        .map(|(name, value)| (name.as_ref(), value.as_str()))
        .chain(testmode_param)
        .chain(profile_param)
        .peekable();
    if pairs.peek().is_some() {
        // Appended to a link's own query, if it has one.
        let start = match url.find('?') {
            Some(at) => at + 1,
            None => {
                url.push('?');
                url.len()
            }
        };
        let mut serializer = form_urlencoded::Serializer::for_suffix(url, start);
        serializer.extend_pairs(pairs);
        url = serializer.finish();
    }

    let testmode_in_body = testmode.filter(|_| request.testmode_in == Placement::Body);
    let profile_in_body = profile_id.filter(|_| request.profile_id_in == Placement::Body);
    let serialized = if testmode_in_body.is_none() && profile_in_body.is_none() {
        // Nothing to add: the body is written as the caller built it, without a copy.
        request.body.as_ref().map(serde_json::to_vec).transpose()
    } else {
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
        if let Some(testmode) = testmode_in_body {
            inject("testmode", serde_json::Value::Bool(testmode))?;
        }
        if let Some(profile_id) = profile_in_body {
            inject(
                "profileId",
                serde_json::Value::String(profile_id.as_str().to_owned()),
            )?;
        }
        body.as_ref().map(serde_json::to_vec).transpose()
    };
    let body = serialized
        .map(|bytes| bytes.map(Bytes::from))
        .map_err(|e| ValidationError::new("body", format!("cannot be serialized: {e}")))?;

    // Filled in once, before the first attempt: every retry reuses it.
    let idempotency_key = match (&options.idempotency_key, request.method.is_mutating()) {
        (Some(key), _) => Some(key.clone()),
        (None, true) => Some(IdempotencyKey::new_v4()),
        (None, false) => None,
    };

    let idempotency_header = match &idempotency_key {
        // `IdempotencyKey` admits only visible ASCII, which a header value always takes.
        Some(key) => Some(HeaderValue::from_str(key.as_str()).map_err(|_| {
            ValidationError::new("Idempotency-Key", "may hold only visible ASCII characters")
        })?),
        None => None,
    };
    // Shared by every attempt; a read shares the client's own.
    let headers = if idempotency_header.is_none() && body.is_none() {
        Arc::clone(&config.fixed_headers)
    } else {
        let mut headers = Vec::with_capacity(config.fixed_headers.len() + 2);
        headers.extend(config.fixed_headers.iter().cloned());
        if let Some(value) = idempotency_header {
            headers.push((HeaderName::from_static("idempotency-key"), value));
        }
        if body.is_some() {
            headers.push((CONTENT_TYPE, HeaderValue::from_static("application/json")));
        }
        Arc::from(headers)
    };

    Ok(Prepared {
        http: HttpRequest {
            method: request.method,
            url,
            headers,
            body,
            timeout: Duration::ZERO,
            max_response_bytes: MAX_RESPONSE_BYTES,
        },
        idempotency_key,
        // `Duration::MAX` says "no limit"; a clock cannot count that far.
        timeout: timeout.min(LONGEST_WAIT),
        deadline: deadline.min(LONGEST_WAIT),
        retry: options.retry.unwrap_or(config.retry),
    })
}

/// Mollie's API: the origin and path prefix of the links its responses carry.
const MOLLIE_API_ORIGIN: &str = "https://api.mollie.com";
const MOLLIE_API_PATH: &str = "/v2/";

/// Turns a link from a response (`_links.next`) into the URL to send, or refuses it.
///
/// A link on the configured base URL is followed as it is. A link on Mollie's own API
/// (`https://api.mollie.com/v2/...`, which Mollie sends even when the client talks to it
/// through a gateway, a recording proxy or a mock) is re-based: its path below `/v2/` and its
/// query are put under the configured base URL. Anything else (another host, user info, a
/// path that leaves the API) is refused, so that a hostile or broken response can never send
/// the credential to another server.
pub(crate) fn check_link(base: &Url, link: &str, redactor: &Redactor) -> Result<Url, Error> {
    let refuse = |reason: &str| Error::Pagination {
        reason: reason.to_owned(),
        link: hal::excerpt(link.as_bytes(), redactor),
    };
    let url = Url::parse(link).map_err(|_| refuse("a pagination link is not a URL"))?;
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(refuse("a pagination link carries user info or a fragment"));
    }
    let same_origin = |other: &Url| {
        url.scheme() == other.scheme()
            && url.host_str() == other.host_str()
            && url.port_or_known_default() == other.port_or_known_default()
    };
    let below = if same_origin(base) && url.path().starts_with(base.path()) {
        &url.path()[base.path().len()..]
    } else if Url::parse(MOLLIE_API_ORIGIN).is_ok_and(|mollie| same_origin(&mollie))
        && url.path().starts_with(MOLLIE_API_PATH)
    {
        &url.path()[MOLLIE_API_PATH.len()..]
    } else {
        return Err(refuse(
            "a pagination link points outside the configured base URL and Mollie's API",
        ));
    };
    let mut rebased = base.clone();
    rebased.set_path(&format!("{}{below}", base.path()));
    rebased.set_query(url.query());
    // Parsing resolved `..` and `%2e%2e`; what is left must still be below the base.
    if !rebased.path().starts_with(base.path()) {
        return Err(refuse("a pagination link leaves the API's path"));
    }
    Ok(rebased)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Client, ClientBuilder, Method};
    use mollie_models::{CustomerId, ProfileId};

    fn client(builder: ClientBuilder) -> Client {
        builder.base_url("http://127.0.0.1:1/v2").build().unwrap()
    }

    fn url_query(p: &Prepared) -> Option<String> {
        Url::parse(&p.http.url).unwrap().query().map(str::to_owned)
    }

    fn url_path(p: &Prepared) -> String {
        Url::parse(&p.http.url).unwrap().path().to_owned()
    }

    fn token() -> ClientBuilder {
        Client::builder().access_token("access_abc").unwrap()
    }

    #[test]
    fn query_defaults_are_added_unless_present() {
        let client = client(
            token()
                .testmode(true)
                .profile_id(ProfileId::parse("pfl_abc").unwrap()),
        );
        let p = prepare(
            client.config(),
            &Request::get().segment("customers").query("limit", "5"),
        )
        .unwrap();
        assert_eq!(
            p.http.url.as_str(),
            "http://127.0.0.1:1/v2/customers?limit=5&testmode=true&profileId=pfl_abc"
        );
        assert!(p.http.body.is_none() && p.idempotency_key.is_none());

        let p = prepare(
            client.config(),
            &Request::get()
                .segment("customers")
                .query("testmode", "false"),
        )
        .unwrap();
        assert_eq!(
            p.http.url.as_str(),
            "http://127.0.0.1:1/v2/customers?testmode=false&profileId=pfl_abc"
        );
        let p = prepare(
            client.config(),
            &Request::get()
                .segment("customers")
                .testmode(false)
                .profile_id_in(Placement::Omit),
        )
        .unwrap();
        assert_eq!(
            p.http.url.as_str(),
            "http://127.0.0.1:1/v2/customers?testmode=false"
        );
    }

    #[test]
    fn body_defaults_are_added_unless_present() {
        let client = client(token().testmode(true));
        let p = prepare(
            client.config(),
            &Request::post()
                .segment("customers")
                .json_value(serde_json::json!({"name": "Jane", "testmode": false})),
        )
        .unwrap();
        let body: serde_json::Value =
            serde_json::from_slice(p.http.body.as_deref().unwrap()).unwrap();
        assert_eq!(body, serde_json::json!({"name": "Jane", "testmode": false}));
        assert!(p.idempotency_key.is_some());

        // Delete customer / revoke mandate take testmode in a body.
        let id = CustomerId::parse("cst_abc").unwrap();
        let p = prepare(
            client.config(),
            &Request::delete()
                .segment("customers")
                .id(&id)
                .testmode_in(Placement::Body),
        )
        .unwrap();
        assert_eq!(p.http.body.as_deref(), Some(&br#"{"testmode":true}"#[..]));
        assert_eq!(url_query(&p), None);

        let error = prepare(
            client.config(),
            &Request::post().json_value(serde_json::json!([1])),
        )
        .err()
        .unwrap();
        assert_eq!(error.field(), Some("body"));
    }

    #[test]
    fn api_keys_take_no_testmode() {
        let client = client(Client::builder().api_key("test_abc").unwrap());
        let error = prepare(
            client.config(),
            &Request::get().segment("customers").testmode(true),
        )
        .err()
        .unwrap();
        assert_eq!(error.field(), Some("testmode"));
        let p = prepare(client.config(), &Request::get().segment("customers")).unwrap();
        assert_eq!(url_query(&p), None);
    }

    #[test]
    fn links_must_stay_under_the_base_url_or_mollies_api() {
        let client = client(token());
        let config = client.config();
        let follow = |link: &str| check_link(&config.base, link, &config.redactor);
        assert_eq!(
            follow("http://127.0.0.1:1/v2/customers?from=cst_a&limit=5")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:1/v2/customers?from=cst_a&limit=5"
        );
        // Mollie's absolute links are re-based onto the configured base URL.
        assert_eq!(
            follow("https://api.mollie.com/v2/customers/cst_a/payments?from=tr_b&limit=5")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:1/v2/customers/cst_a/payments?from=tr_b&limit=5"
        );
        for hostile in [
            "http://evil.example/v2/customers",
            "https://127.0.0.1:1/v2/customers",
            "http://127.0.0.1:2/v2/customers",
            "http://127.0.0.1:1/v3/customers",
            "http://127.0.0.1:1/",
            "http://user:pw@127.0.0.1:1/v2/customers",
            "/v2/customers",
            // Mollie's host, but not its API, another scheme or port, or user info.
            "https://api.mollie.com/v1/customers",
            "https://api.mollie.com/",
            "http://api.mollie.com/v2/customers",
            "https://api.mollie.com:8443/v2/customers",
            "https://user@api.mollie.com/v2/customers",
            "https://api.mollie.com.evil.example/v2/customers",
            "https://api.mollie.com/v2/../v3/customers",
            "https://api.mollie.com/v2/%2e%2e/admin",
            "http://127.0.0.1:1/v2/%2E%2E/admin",
            "https://api.mollie.com/v2/customers#frag",
        ] {
            let error = follow(hostile).unwrap_err();
            assert!(matches!(error, Error::Pagination { .. }), "{hostile}");
            assert_eq!(error.outcome(), crate::Outcome::NotSent, "{hostile}");
            assert_eq!(error.status(), None);
        }
    }

    #[test]
    fn a_base_behind_a_gateway_path_takes_mollies_links_under_it() {
        let client = Client::builder()
            .access_token("access_abc")
            .unwrap()
            .base_url("https://gateway.internal/mollie/v2/")
            .build()
            .unwrap();
        let config = client.config();
        let url = check_link(
            &config.base,
            "https://api.mollie.com/v2/customers?from=cst_b",
            &config.redactor,
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://gateway.internal/mollie/v2/customers?from=cst_b"
        );
        let error = check_link(
            &config.base,
            "https://gateway.internal/other/v2/customers",
            &config.redactor,
        )
        .unwrap_err();
        assert!(matches!(error, Error::Pagination { .. }));
    }

    #[test]
    fn ids_are_percent_encoded_path_segments() {
        let client = client(token());
        let id = CustomerId::parse("cst_a-b_C9").unwrap();
        let request = Request::get()
            .segment("customers")
            .id(&id)
            .segment("mandates");
        let p = prepare(client.config(), &request).unwrap();
        assert_eq!(request.path_template(), "/customers/{id}/mandates");
        assert_eq!(url_path(&p), "/v2/customers/cst_a-b_C9/mandates");
    }

    #[test]
    fn writes_carry_their_key_and_every_request_its_credential() {
        let client = client(Client::builder().api_key("test_TopSecret42").unwrap());
        let p = prepare(
            client.config(),
            &Request::post()
                .segment("customers")
                .json_value(serde_json::json!({})),
        )
        .unwrap();
        assert_eq!(p.http.method(), Method::Post);
        assert_eq!(
            p.http.header("authorization"),
            Some("Bearer test_TopSecret42")
        );
        assert_eq!(p.http.header("content-type"), Some("application/json"));
        assert_eq!(
            p.http.header("idempotency-key"),
            p.idempotency_key.as_ref().map(IdempotencyKey::as_str)
        );
        assert!(
            p.http
                .header("user-agent")
                .unwrap()
                .starts_with("mollie-sdk/")
        );
        let p = prepare(client.config(), &Request::get().segment("customers")).unwrap();
        assert_eq!(p.http.header("idempotency-key"), None);
        assert_eq!(p.http.header("content-type"), None);
    }
}
