//! `_links`: absolute URLs built from the request's `Host`, as Mollie builds them from its own.

use std::net::SocketAddr;

use axum::http::{HeaderMap, Uri, header};
use mollie_models::Link;

/// Where the docs of each resource live (these are Mollie's real pages).
pub(crate) const DOC_CUSTOMERS: &str =
    "https://docs.mollie.com/reference/v2/customers-api/overview";
pub(crate) const DOC_MANDATES: &str = "https://docs.mollie.com/reference/v2/mandates-api/overview";
pub(crate) const DOC_PAYMENTS: &str = "https://docs.mollie.com/reference/v2/payments-api/overview";
pub(crate) const DOC_REFUNDS: &str = "https://docs.mollie.com/reference/v2/refunds-api/overview";
pub(crate) const DOC_SUBSCRIPTIONS: &str =
    "https://docs.mollie.com/reference/v2/subscriptions-api/overview";
pub(crate) const DOC_CHARGEBACKS: &str =
    "https://docs.mollie.com/reference/v2/chargebacks-api/overview";
/// The organization the mock's dashboard links name: a fixed id of Mollie's shape, like the
/// `org_12345678` of Mollie's own examples (the mock has no organizations).
pub(crate) const ORGANIZATION: &str = "org_12345678";
/// The dashboard; the mock has none, so links point where Mollie's would, with the
/// organization segment Mollie's links carry
/// (`https://www.mollie.com/dashboard/org_.../payments/tr_...` in the spec's examples).
const DASHBOARD: &str = "https://www.mollie.com/dashboard";

/// `SCHEME://HOST` from the request (`Host` header, or the authority of an absolute URI),
/// falling back to the address the server listens on when neither is a plain host. The
/// scheme is the server's (`https` when it serves TLS), not the request's.
pub(crate) fn base_url(scheme: &str, headers: &HeaderMap, uri: &Uri, local: SocketAddr) -> String {
    let host = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        })
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
        })
        .unwrap_or_else(|| local.to_string());
    format!("{scheme}://{host}")
}

/// An API link (`application/hal+json`) to `path` on `base`.
pub(crate) fn api(base: &str, path: &str) -> Link {
    Link::api(format!("{base}{path}"))
}

/// A documentation link.
pub(crate) fn doc(url: &str) -> Link {
    Link::html(url)
}

/// A dashboard link for a resource (`customers/cst_...`), in the mock's organization:
/// `https://www.mollie.com/dashboard/org_12345678/customers/cst_...`.
pub(crate) fn dashboard(kind: &str, id: &str) -> Link {
    Link::html(format!("{DASHBOARD}/{ORGANIZATION}/{kind}/{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn dashboard_links_name_the_organization() {
        assert_eq!(
            dashboard("customers", "cst_8wmqcHMN4U").href,
            "https://www.mollie.com/dashboard/org_12345678/customers/cst_8wmqcHMN4U"
        );
    }

    #[test]
    fn host_header_or_fallback() {
        let local: SocketAddr = "127.0.0.1:9".parse().expect("addr");
        let uri: Uri = "/v2/customers".parse().expect("uri");
        let mut headers = HeaderMap::new();
        assert_eq!(
            base_url("http", &headers, &uri, local),
            "http://127.0.0.1:9"
        );
        headers.insert(header::HOST, HeaderValue::from_static("localhost:1234"));
        assert_eq!(
            base_url("http", &headers, &uri, local),
            "http://localhost:1234"
        );
        headers.insert(header::HOST, HeaderValue::from_static("evil.com/x?y"));
        assert_eq!(
            base_url("http", &headers, &uri, local),
            "http://127.0.0.1:9"
        );
        headers.insert(header::HOST, HeaderValue::from_static("localhost:1234"));
        assert_eq!(
            base_url("https", &headers, &uri, local),
            "https://localhost:1234"
        );
    }
}
