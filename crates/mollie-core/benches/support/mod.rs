//! What the benches of this crate share: the credential, and a server answering a customer.

use std::net::SocketAddr;

use axum::Router;
use axum::http::header;
use axum::routing::get;
use serde_json::json;

/// A test API key of the right shape.
pub const KEY: &str = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";

/// The customer every bench fetches, as Mollie would send it.
pub fn customer_body() -> String {
    json!({
        "resource": "customer", "id": "cst_8wmqcHMN4U", "mode": "test",
        "name": "Customer A", "email": "customer@example.org", "locale": "nl_NL",
        "metadata": {"crmId": 42}, "createdAt": "2024-03-20T09:13:37+00:00",
        "_links": {
            "self": {"href": "https://api.mollie.com/v2/customers/cst_8wmqcHMN4U", "type": "application/hal+json"},
            "dashboard": {"href": "https://my.mollie.com/dashboard/org_123/customers/cst_8wmqcHMN4U", "type": "text/html"},
            "documentation": {"href": "https://docs.mollie.com/reference/get-customer", "type": "text/html"}
        }
    })
    .to_string()
}

/// An axum server on a loopback port answering every `GET /v2/customers/{id}` with
/// [`customer_body`], on a runtime and thread of its own so that it never competes for the
/// client's. Keep the runtime: the server stops with it.
pub fn serve_customer() -> (tokio::runtime::Runtime, SocketAddr) {
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let body = customer_body();
    let addr = server_rt.block_on(async move {
        let app = Router::new().route(
            "/v2/customers/{id}",
            get(move || {
                let body = body.clone();
                async move { ([(header::CONTENT_TYPE, "application/hal+json")], body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("port");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    });
    (server_rt, addr)
}
