//! The default [`Transport`]: reqwest over rustls (or the TLS backend the crate features pick).

use std::time::Duration;

use bytes::Bytes;

use super::{HttpRequest, HttpResponse, Transport, TransportError};
use crate::error::ConfigError;
use crate::request::Method;

/// Sends requests with a [`reqwest::Client`]: the one the SDK builds by default, or your own
/// (proxies, extra root certificates, client certificates, HTTP/2 settings).
///
/// A client of your own should not follow redirects
/// (`redirect(reqwest::redirect::Policy::none())`): Mollie's API never redirects, and an
/// exchange that was redirected anyway ends in a [`TransportError`] that says so. The
/// builder's connect timeout applies only to the client the SDK builds.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    /// A client of the caller's may follow redirects; the SDK's own never does.
    may_redirect: bool,
}

impl ReqwestTransport {
    /// A transport over your own reqwest client.
    pub fn from_client(client: reqwest::Client) -> Self {
        Self {
            client,
            may_redirect: true,
        }
    }

    /// The client the SDK builds by default: no redirects, HTTPS only unless the base URL
    /// is loopback HTTP, the TLS backend the crate features choose.
    pub(crate) fn build(connect_timeout: Duration, https_only: bool) -> Result<Self, ConfigError> {
        let builder = reqwest::Client::builder()
            .https_only(https_only)
            // Mollie's API never redirects; following one could carry the credential away.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(connect_timeout);
        #[cfg(feature = "native-tls")]
        let builder = builder.use_native_tls();
        #[cfg(all(
            not(feature = "native-tls"),
            any(feature = "rustls-webpki-roots", feature = "rustls-native-roots")
        ))]
        let builder = builder.use_rustls_tls();
        let client = builder
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))?;
        Ok(Self {
            client,
            may_redirect: false,
        })
    }
}

fn method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    }
}

/// Sorts a reqwest failure by how far the request got. The URL is dropped: it holds no
/// secret, but ids and queries do not belong in an error's source chain.
fn classify(error: reqwest::Error) -> TransportError {
    let error = error.without_url();
    if error.is_connect() {
        TransportError::connect(error)
    } else if error.is_timeout() {
        TransportError::timeout(error)
    } else if error.is_body() || error.is_decode() {
        TransportError::body(error)
    } else if error.is_redirect() {
        TransportError::redirect(error)
    } else {
        TransportError::other(error)
    }
}

#[async_trait::async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let HttpRequest {
            method: verb,
            url,
            headers,
            body,
            // The client's retry loop bounds the whole attempt (sending and reading) by it;
            // a second timer here would only cost a timer per request.
            timeout: _,
            max_response_bytes,
        } = request;
        // A request made in place rather than through a builder, which would be moved (and
        // copied) at every header.
        let parsed = reqwest::Url::parse(&url)
            .map_err(|_| TransportError::other("the request URL does not parse"))?;
        let mut outgoing = reqwest::Request::new(method(verb), parsed);
        let outgoing_headers = outgoing.headers_mut();
        // The values are shared, not copied; `authorization`'s is already marked sensitive.
        for (name, value) in headers.iter() {
            outgoing_headers.append(name.clone(), value.clone());
        }
        if let Some(body) = body {
            *outgoing.body_mut() = Some(body.into());
        }
        let mut response = self.client.execute(outgoing).await.map_err(classify)?;
        if self.may_redirect && response.url().as_str() != url {
            return Err(TransportError::redirect(format!(
                "answered with HTTP {} after a redirect",
                response.status().as_u16()
            )));
        }
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let mut body = Body::default();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            let room = max_response_bytes - body.len();
            if chunk.len() > room {
                body.push(chunk.slice(..room));
                truncated = true;
                break;
            }
            body.push(chunk);
        }
        let mut out = HttpResponse::from_parts(status, headers, body.into_bytes());
        out.truncated = truncated;
        Ok(out)
    }
}

/// A body read chunk by chunk: a body that arrives in one chunk (most of Mollie's) is kept as
/// it came, without a copy.
#[derive(Default)]
enum Body {
    #[default]
    Empty,
    One(Bytes),
    Many(Vec<u8>),
}

impl Body {
    fn len(&self) -> usize {
        match self {
            Body::Empty => 0,
            Body::One(bytes) => bytes.len(),
            Body::Many(bytes) => bytes.len(),
        }
    }

    fn push(&mut self, chunk: Bytes) {
        *self = match std::mem::take(self) {
            Body::Empty => Body::One(chunk),
            Body::One(first) => {
                let mut all = Vec::with_capacity(first.len() + chunk.len());
                all.extend_from_slice(&first);
                all.extend_from_slice(&chunk);
                Body::Many(all)
            }
            Body::Many(mut all) => {
                all.extend_from_slice(&chunk);
                Body::Many(all)
            }
        };
    }

    fn into_bytes(self) -> Bytes {
        match self {
            Body::Empty => Bytes::new(),
            Body::One(bytes) => bytes,
            Body::Many(bytes) => Bytes::from(bytes),
        }
    }
}
