//! HTTPS with a self-signed certificate (`MockConfig::tls_self_signed`): the API, links,
//! faults that cut connections, and what other clients get (an untrusting one, plain HTTP,
//! a silent one, garbage).

mod common;

use std::time::Duration;

use common::{Api, Req, TEST_KEY, trusting};
use mollie_mock::MockConfig;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn tls_api() -> Api {
    Api::with(MockConfig::new().tls_self_signed()).await
}

/// Every `href` in `value`, at any depth.
fn hrefs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("href", Value::String(s)) => out.push(s.clone()),
                    _ => hrefs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| hrefs(v, out)),
        _ => {}
    }
}

/// The API links of `body` (not those to Mollie's docs and dashboard).
fn api_links(body: &Value) -> Vec<String> {
    let mut all = Vec::new();
    hrefs(body, &mut all);
    all.retain(|h| {
        !h.starts_with("https://docs.mollie.com") && !h.starts_with("https://www.mollie.com/")
    });
    all
}

async fn customer_count(api: &Api) -> u64 {
    api.send(Req::get("/v2/customers?limit=250")).await.body["count"]
        .as_u64()
        .expect("count")
}

#[tokio::test]
async fn serves_the_api_over_https_with_https_links() {
    let api = tls_api().await;
    let url = api.server.url();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let pem = api.server.certificate_pem().expect("a certificate");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"), "{pem}");
    assert!(pem.ends_with("-----END CERTIFICATE-----\n"), "{pem}");
    assert!(!pem.contains("PRIVATE KEY"));

    // The client of `Api` trusts exactly this certificate (`add_root_certificate`).
    let created = api
        .send(Req::post(
            "/v2/customers",
            json!({"name": "Jane TLS", "email": "jane@example.org"}),
        ))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.id();
    let links = api_links(&created.body);
    assert!(!links.is_empty());
    for link in &links {
        assert!(link.starts_with(&format!("{url}/v2/")), "{link}");
    }

    let fetched = api.send(Req::get(format!("/v2/customers/{id}"))).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body["name"], "Jane TLS");
    assert_eq!(
        fetched.str("/_links/self/href"),
        format!("{url}/v2/customers/{id}")
    );

    // A payment's links (and a paginated list's) too.
    let mandate = api.mandate(&id).await;
    let payment = api
        .send(Req::post(
            format!("/v2/customers/{id}/payments"),
            json!({"amount": {"currency": "EUR", "value": "10.00"}, "description": "TLS",
                   "sequenceType": "recurring", "mandateId": mandate}),
        ))
        .await;
    assert_eq!(payment.status, 201, "{}", payment.body);
    let second = api
        .send(Req::post("/v2/customers", json!({"name": "Second"})))
        .await;
    assert_eq!(second.status, 201);
    let page = api.send(Req::get("/v2/customers?limit=1")).await;
    assert!(
        page.body["_links"]["next"]["href"].is_string(),
        "{}",
        page.body
    );
    for link in api_links(&payment.body)
        .into_iter()
        .chain(api_links(&page.body))
    {
        assert!(link.starts_with("https://"), "{link}");
    }
    let status = api
        .server
        .set_payment_status(payment.str("/id"), mollie_models::PaymentStatus::Failed)
        .expect("changed");
    assert!(status.links.self_.href.starts_with("https://127.0.0.1:"));
}

#[tokio::test]
async fn the_certificate_names_localhost_and_plain_mocks_have_none() {
    let api = tls_api().await;
    let port = api.server.addr().port();
    // `localhost` is a subject alternative name too; links follow the Host the client used.
    let r = api
        .http
        .get(format!("https://localhost:{port}/v2/customers"))
        .bearer_auth(TEST_KEY)
        .send()
        .await
        .expect("served");
    assert_eq!(r.status(), 200);
    let body: Value = serde_json::from_slice(&r.bytes().await.expect("a body")).expect("json");
    assert_eq!(
        body["_links"]["self"]["href"],
        format!("https://localhost:{port}/v2/customers?limit=50")
    );

    let plain = mollie_mock::MockServer::start().await.expect("starts");
    assert!(plain.url().starts_with("http://"));
    assert_eq!(plain.certificate_pem(), None);
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_certificate_is_refused() {
    let api = tls_api().await;
    let err = reqwest::Client::new()
        .get(api.url("/v2/customers"))
        .bearer_auth(TEST_KEY)
        .send()
        .await
        .expect_err("an unknown issuer");
    assert!(err.is_connect(), "{err:?}");
    // Another mock's certificate does not do either: each start makes a new key.
    let other = tls_api().await;
    let other_pem = other.server.certificate_pem().expect("pem");
    assert_ne!(Some(other_pem), api.server.certificate_pem());
    let err = trusting(other_pem)
        .get(api.url("/v2/customers"))
        .bearer_auth(TEST_KEY)
        .send()
        .await
        .expect_err("the wrong certificate");
    assert!(err.is_connect(), "{err:?}");
    // The refused handshakes did not stop the server.
    assert_eq!(customer_count(&api).await, 0);
}

#[tokio::test]
async fn drop_faults_cut_tls_connections() {
    let api = tls_api().await;
    let err = api
        .try_send(Req::post("/v2/customers", json!({})).fault("drop"))
        .await
        .expect_err("no response");
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    assert_eq!(customer_count(&api).await, 0);
    let log = api.log().await;
    let dropped = log.iter().find(|e| e["fault"] == "drop").expect("logged");
    assert_eq!(dropped["dropped"], true);
    assert_eq!(dropped["status"], Value::Null);

    // Processed and stored, then cut: the client sees no response, the customer exists.
    let err = api
        .try_send(
            Req::post("/v2/customers", json!({"name": "Stored"}))
                .idempotency_key("tls-cut")
                .fault("fail-after-commit=drop"),
        )
        .await
        .expect_err("no response");
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    assert_eq!(customer_count(&api).await, 1);
    // The retry with the same key gets the stored answer.
    let retry = api
        .send(Req::post("/v2/customers", json!({"name": "Stored"})).idempotency_key("tls-cut"))
        .await;
    assert_eq!(retry.status, 201);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));

    // A queued drop (control API over TLS) works the same.
    let queued = api
        .send(
            Req::post(
                "/__mock/faults",
                json!({"fault": "drop", "match": "GET /v2/customers"}),
            )
            .no_auth(),
        )
        .await;
    assert_eq!(queued.status, 201);
    api.try_send(Req::get("/v2/customers"))
        .await
        .expect_err("dropped");
    assert_eq!(customer_count(&api).await, 1);
}

#[tokio::test]
async fn a_cut_tls_connection_sends_no_response_bytes() {
    // Over raw TCP: after the TLS handshake nothing of a response may arrive, not even an
    // encrypted record. A real TLS client is needed for the handshake, so this reads the
    // bytes through rustls (via reqwest it is only "an error"): the stream ends without a
    // single byte of HTTP.
    let api = tls_api().await;
    let config = rustls_client(api.server.certificate_pem().expect("pem"));
    let tcp = TcpStream::connect(api.server.addr())
        .await
        .expect("connects");
    let connector = tokio_rustls::TlsConnector::from(config);
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let mut tls = connector.connect(name, tcp).await.expect("handshake");
    tls.write_all(
        format!(
            "POST /v2/customers HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TEST_KEY}\r\n\
             X-Mock-Fault: drop\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"
        )
        .as_bytes(),
    )
    .await
    .expect("sent");
    let mut received = Vec::new();
    // The end of the stream comes without TLS's close_notify: rustls reports it as an error.
    let result = tls.read_to_end(&mut received).await;
    assert!(
        received.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&received)
    );
    let err = result.expect_err("no clean close");
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof, "{err:?}");
}

fn rustls_client(pem: &str) -> std::sync::Arc<rustls::ClientConfig> {
    let der =
        rustls::pki_types::CertificateDer::from(pem_der(pem).expect("the certificate decodes"));
    let mut roots = rustls::RootCertStore::empty();
    roots.add(der).expect("a root");
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    std::sync::Arc::new(config)
}

/// The DER inside a one-certificate PEM.
fn pem_der(pem: &str) -> Option<Vec<u8>> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem.as_bytes())
        .ok()
        .map(|c| c.to_vec())
}

#[tokio::test]
async fn plain_http_to_the_tls_port_gets_a_clear_400_and_the_server_keeps_serving() {
    let api = tls_api().await;
    let port = api.server.addr().port();
    let r = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/v2/customers"))
        .bearer_auth(TEST_KEY)
        .send()
        .await
        .expect("an answer in plain HTTP");
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.headers().get("connection").and_then(|v| v.to_str().ok()),
        Some("close")
    );
    let body: Value = serde_json::from_slice(&r.bytes().await.expect("a body")).expect("json");
    assert_eq!(body["status"], 400);
    let detail = body["detail"].as_str().expect("detail");
    assert!(
        detail.contains(&format!("https://127.0.0.1:{port}")),
        "{detail}"
    );
    // Not processed, not logged; HTTPS still works.
    let created = api.send(Req::post("/v2/customers", json!({}))).await;
    assert_eq!(created.status, 201);
    assert_eq!(api.log().await.len(), 1);
}

#[tokio::test]
async fn silent_and_garbage_connections_neither_block_nor_break_the_server() {
    let api = tls_api().await;
    // Connected, never says a word: the handshake waits on this connection only.
    let _silent = TcpStream::connect(api.server.addr())
        .await
        .expect("connects");
    // A TLS record header followed by garbage: the handshake fails, the connection closes.
    let mut garbage = TcpStream::connect(api.server.addr())
        .await
        .expect("connects");
    garbage
        .write_all(&[0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, 6, 7, 8])
        .await
        .expect("sent");
    let mut rest = Vec::new();
    // An alert or nothing, then the end (or a reset): never an HTTP response, never a hang.
    let _ = garbage.read_to_end(&mut rest).await;
    assert!(!rest.starts_with(b"HTTP/"), "{rest:?}");
    // Closed at once, before a byte: also fine.
    drop(
        TcpStream::connect(api.server.addr())
            .await
            .expect("connects"),
    );

    let created = api.send(Req::post("/v2/customers", json!({}))).await;
    assert_eq!(created.status, 201);

    // Shutting down does not wait for the silent connection.
    let Api { server, .. } = api;
    tokio::time::timeout(Duration::from_secs(30), server.shutdown())
        .await
        .expect("shutdown does not hang on a silent connection");
}
