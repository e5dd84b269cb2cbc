//! Helpers of the integration tests: a raw HTTP client (reqwest, not the SDK) that checks
//! every response against the spec's schema of its operation.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use mollie_mock::{MockConfig, MockServer};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

pub const TEST_KEY: &str = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";
pub const LIVE_KEY: &str = "live_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";
pub const ACCESS_TOKEN: &str = "access_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";

/// A webhook URL where nothing listens.
pub const HOOK: &str = "http://127.0.0.1:9/hook";

/// Webhooks to nowhere, tried once and signed (so events go out too): every delivery is
/// logged, without a receiver.
pub fn logged_webhooks() -> MockConfig {
    MockConfig::new()
        .webhook_retry_delays([])
        .webhook_timeout(Duration::from_millis(300))
        .webhook_signing_secret("s3cret")
}

/// Mollie's spec, with a validator per response schema.
pub struct Spec {
    doc: Value,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

fn spec_path() -> PathBuf {
    match std::env::var_os("MOLLIE_OPENAPI_SPEC") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/mollie-openapi/recurring-billing.yaml"),
    }
}

/// The spec, or `None` (with a "skipped" line) when it is not there and not required.
pub fn spec() -> Option<&'static Spec> {
    static SPEC: OnceLock<Option<Spec>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = spec_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let doc: Value = serde_norway::from_str(&text).expect("the spec is YAML");
                Some(Spec {
                    doc,
                    validators: Mutex::new(HashMap::new()),
                })
            }
            Err(_) if std::env::var("MOLLIE_REQUIRE_SPEC").as_deref() == Ok("1") => {
                panic!(
                    "spec not found at {} and MOLLIE_REQUIRE_SPEC=1",
                    path.display()
                )
            }
            Err(_) => {
                println!(
                    "skipped: Mollie's OpenAPI spec not found at {}",
                    path.display()
                );
                None
            }
        }
    })
    .as_ref()
}

/// `/v2/customers/cst_x/mandates/mdt_y` -> `/v2/customers/{customerId}/mandates/{mandateId}`.
pub fn template(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let t = match segments.as_slice() {
        ["v2", "customers"] => "/v2/customers",
        ["v2", "customers", _] => "/v2/customers/{customerId}",
        ["v2", "customers", _, "payments"] => "/v2/customers/{customerId}/payments",
        ["v2", "customers", _, "mandates"] => "/v2/customers/{customerId}/mandates",
        ["v2", "customers", _, "mandates", _] => "/v2/customers/{customerId}/mandates/{mandateId}",
        ["v2", "payments"] => "/v2/payments",
        ["v2", "payments", _] => "/v2/payments/{paymentId}",
        ["v2", "payments", _, "release-authorization"] => {
            "/v2/payments/{paymentId}/release-authorization"
        }
        ["v2", "payments", _, "refunds"] => "/v2/payments/{paymentId}/refunds",
        ["v2", "payments", _, "refunds", _] => "/v2/payments/{paymentId}/refunds/{refundId}",
        ["v2", "refunds"] => "/v2/refunds",
        ["v2", "payments", _, "chargebacks"] => "/v2/payments/{paymentId}/chargebacks",
        ["v2", "payments", _, "chargebacks", _] => {
            "/v2/payments/{paymentId}/chargebacks/{chargebackId}"
        }
        ["v2", "chargebacks"] => "/v2/chargebacks",
        ["v2", "customers", _, "subscriptions"] => "/v2/customers/{customerId}/subscriptions",
        ["v2", "customers", _, "subscriptions", _] => {
            "/v2/customers/{customerId}/subscriptions/{subscriptionId}"
        }
        ["v2", "customers", _, "subscriptions", _, "payments"] => {
            "/v2/customers/{customerId}/subscriptions/{subscriptionId}/payments"
        }
        ["v2", "subscriptions"] => "/v2/subscriptions",
        _ => return None,
    };
    Some(t.to_owned())
}

fn escape(segment: &str) -> String {
    // A JSON pointer in a URI fragment: `~` and `/` escaped, braces percent-encoded.
    segment
        .replace('~', "~0")
        .replace('/', "~1")
        .replace('{', "%7B")
        .replace('}', "%7D")
}

impl Spec {
    /// The whole spec document.
    pub fn doc(&self) -> &Value {
        &self.doc
    }

    /// The JSON pointer of the schema of `method template`'s `status` response; `None` when
    /// the spec says that response has no body (a 202 or 204).
    fn pointer(&self, template: Option<&str>, method: &str, status: u16) -> Option<String> {
        let error = "#/components/schemas/error-response".to_owned();
        let Some(template) = template else {
            assert!(
                status >= 400,
                "a {status} from an endpoint outside the spec"
            );
            return Some(error);
        };
        let op = format!(
            "#/paths/{}/{}",
            escape(template),
            method.to_ascii_lowercase()
        );
        let response_ptr = format!("{op}/responses/{status}");
        let raw_ptr = format!(
            "/paths/{}/{}/responses/{status}",
            template.replace('~', "~0").replace('/', "~1"),
            method.to_ascii_lowercase()
        );
        let Some(response) = self.doc.pointer(&raw_ptr) else {
            assert!(
                status >= 400,
                "the spec has no {status} response for {method} {template}"
            );
            // Statuses the spec leaves out (401, 405, 409, 413, 422 on some operations, 5xx)
            // still carry Mollie's error body.
            return Some(error);
        };
        let base = match response.get("$ref").and_then(Value::as_str) {
            Some(r) => r.to_owned(),
            None if response.get("content").is_none() => return None,
            None => response_ptr,
        };
        Some(format!("{base}/content/application~1hal+json/schema"))
    }

    fn validator(&self, pointer: &str) -> Arc<jsonschema::Validator> {
        let mut cache = self
            .validators
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(v) = cache.get(pointer) {
            return v.clone();
        }
        let mut root = self.doc.clone();
        let obj = root.as_object_mut().expect("spec is an object");
        obj.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        obj.insert("$ref".into(), json!(pointer));
        let validator = Arc::new(
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .build(&root)
                .unwrap_or_else(|e| panic!("schema {pointer} does not compile: {e}")),
        );
        cache.insert(pointer.to_owned(), validator.clone());
        validator
    }

    /// Panics unless `body` is what the spec says `method path` answers with `status`
    /// (`Value::Null` for a response the spec gives no body).
    pub fn check(&self, method: &str, path: &str, status: u16, body: &Value) {
        let Some(pointer) = self.pointer(template(path).as_deref(), method, status) else {
            assert_eq!(
                body,
                &Value::Null,
                "{method} {path} -> {status}: the spec gives this response no body"
            );
            return;
        };
        let validator = self.validator(&pointer);
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {path} -> {status}: body does not match {pointer}:\n{}\nbody: {body}",
            errors.join("\n")
        );
    }
}

/// A response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn str(&self, pointer: &str) -> &str {
        self.body
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no string at {pointer} in {}", self.body))
    }

    pub fn id(&self) -> String {
        self.str("/id").to_owned()
    }

    /// Asserts a Mollie error with this status and field.
    pub fn assert_error(&self, status: u16, field: Option<&str>) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.body["status"], status, "{}", self.body);
        assert_eq!(self.body["field"].as_str(), field, "{}", self.body);
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(self.body["_links"]["documentation"]["href"].is_string());
    }
}

/// A request to send.
pub struct Req {
    method: Method,
    path: String,
    auth: Option<String>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Req {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            auth: Some(TEST_KEY.to_owned()),
            headers: Vec::new(),
            body: None,
        }
    }
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }
    pub fn post(path: impl Into<String>, body: Value) -> Self {
        Self::new(Method::POST, path).json(body)
    }
    pub fn patch(path: impl Into<String>, body: Value) -> Self {
        Self::new(Method::PATCH, path).json(body)
    }
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(serde_json::to_vec(&body).expect("json"));
        self.headers
            .push(("content-type".into(), "application/json".into()));
        self
    }
    pub fn raw(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }
    pub fn key(mut self, key: &str) -> Self {
        self.auth = Some(key.to_owned());
        self
    }
    pub fn no_auth(mut self) -> Self {
        self.auth = None;
        self
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
    pub fn idempotency_key(self, key: &str) -> Self {
        self.header("idempotency-key", key)
    }
    pub fn fault(self, fault: &str) -> Self {
        self.header("x-mock-fault", fault)
    }
}

/// A client that trusts `pem`, the certificate of a mock started with TLS.
pub fn trusting(pem: &str) -> reqwest::Client {
    let certificate = reqwest::Certificate::from_pem(pem.as_bytes()).expect("a PEM certificate");
    reqwest::Client::builder()
        .add_root_certificate(certificate)
        .build()
        .expect("a client")
}

/// A running mock and a client for it.
pub struct Api {
    pub server: MockServer,
    pub http: reqwest::Client,
}

impl Api {
    pub async fn start() -> Self {
        Self::with(MockConfig::new()).await
    }

    /// A mock started with `config`; over TLS the client trusts its certificate (only).
    pub async fn with(config: MockConfig) -> Self {
        let server = config.start().await.expect("mock starts");
        let http = match server.certificate_pem() {
            Some(pem) => trusting(pem),
            None => reqwest::Client::new(),
        };
        Self { server, http }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    /// Sends `req`; the transport error if there was no response.
    pub async fn try_send(&self, req: Req) -> Result<Resp, reqwest::Error> {
        let mut builder = self.http.request(req.method.clone(), self.url(&req.path));
        if let Some(key) = &req.auth {
            builder = builder.bearer_auth(key);
        }
        for (name, value) in &req.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = req.body.clone() {
            builder = builder.body(body);
        }
        let response = builder.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            let content_type = headers.get("content-type").and_then(|v| v.to_str().ok());
            let control = req.path.starts_with("/__mock/");
            assert!(
                content_type == Some("application/hal+json")
                    || (control && content_type == Some("application/json")),
                "{} {}: content-type {content_type:?}",
                req.method,
                req.path
            );
            serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!(
                    "{} {}: body is not JSON ({e}): {:?}",
                    req.method,
                    req.path,
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        if status == 204 {
            assert!(bytes.is_empty(), "a 204 with a body");
        } else if !req.path.starts_with("/__mock/") {
            // Only a 202 (*Release authorization*) has no body besides the 204s; the spec
            // check below confirms that the spec gives it none.
            assert!(
                !bytes.is_empty() || status == 202,
                "{} {} -> {status} without a body",
                req.method,
                req.path
            );
            if let Some(spec) = spec() {
                let path = req.path.split('?').next().unwrap_or_default();
                spec.check(req.method.as_str(), path, status, &body);
            }
        }
        Ok(Resp {
            status,
            headers,
            body,
        })
    }

    pub async fn send(&self, req: Req) -> Resp {
        self.try_send(req).await.expect("a response")
    }

    /// Creates a customer, returns its id.
    pub async fn customer(&self) -> String {
        let r = self
            .send(Req::post(
                "/v2/customers",
                json!({"name": "Jane Doe", "email": "jane@example.org"}),
            ))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.id()
    }

    /// Creates a valid SEPA mandate for `customer`, returns its id.
    pub async fn mandate(&self, customer: &str) -> String {
        let r = self
            .send(Req::post(
                format!("/v2/customers/{customer}/mandates"),
                json!({"method": "directdebit", "consumerName": "Jane Doe", "consumerAccount": "NL55INGB0000000000"}),
            ))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.id()
    }

    /// Creates a payment with `POST /v2/payments`: EUR 10.00, one-off, with `extra` fields
    /// (`null` removes one). Returns the response.
    pub async fn create_payment(&self, extra: Value) -> Resp {
        let mut body = json!({
            "amount": {"currency": "EUR", "value": "10.00"},
            "description": "Order #1",
            "redirectUrl": "https://shop.example/return",
        });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            for (key, value) in extra {
                if value.is_null() {
                    body.remove(key);
                } else {
                    body.insert(key.clone(), value.clone());
                }
            }
        }
        self.send(Req::post("/v2/payments", body)).await
    }

    /// Sets a payment's status with the control API; the response (the payment, checked
    /// against the spec's *Get payment* schema when it is one).
    pub async fn set_status(&self, id: &str, status: &str) -> Resp {
        let r = self
            .send(
                Req::post(
                    format!("/__mock/payments/{id}/status"),
                    json!({ "status": status }),
                )
                .no_auth(),
            )
            .await;
        if let (200, Some(spec)) = (r.status, spec()) {
            spec.check("GET", &format!("/v2/payments/{id}"), 200, &r.body);
        }
        r
    }

    /// A paid EUR payment of `value` (`POST /v2/payments`, then the control API).
    pub async fn paid_payment(&self, value: &str) -> String {
        let p = self
            .create_payment(json!({"amount": {"currency": "EUR", "value": value}}))
            .await;
        assert_eq!(p.status, 201, "{}", p.body);
        let id = p.id();
        assert_eq!(self.set_status(&id, "paid").await.status, 200);
        id
    }

    /// Refunds `value` EUR of payment `payment`; the response.
    pub async fn refund(&self, payment: &str, value: &str) -> Resp {
        self.send(Req::post(
            format!("/v2/payments/{payment}/refunds"),
            json!({"amount": {"currency": "EUR", "value": value}}),
        ))
        .await
    }

    /// Sets a refund's status with the control API; the response (the refund, checked
    /// against the spec's *Get refund* schema when it is one).
    pub async fn set_refund_status(&self, id: &str, status: &str) -> Resp {
        let r = self
            .send(
                Req::post(
                    format!("/__mock/refunds/{id}/status"),
                    json!({ "status": status }),
                )
                .no_auth(),
            )
            .await;
        if let (200, Some(spec)) = (r.status, spec()) {
            let path = format!("/v2/payments/{}/refunds/{id}", r.str("/paymentId"));
            spec.check("GET", &path, 200, &r.body);
        }
        r
    }

    /// Makes a chargeback of `payment` with the control API (`body`: `amount`, `reason`);
    /// the response (the chargeback, checked against the spec's *Get chargeback* schema).
    pub async fn chargeback(&self, payment: &str, body: Value) -> Resp {
        let r = self
            .send(Req::post(format!("/__mock/payments/{payment}/chargebacks"), body).no_auth())
            .await;
        if let (201, Some(spec)) = (r.status, spec()) {
            let path = format!("/v2/payments/{payment}/chargebacks/{}", r.id());
            spec.check("GET", &path, 200, &r.body);
        }
        r
    }

    /// `GET /v2/payments/{id}`.
    pub async fn payment(&self, id: &str) -> Resp {
        let r = self.send(Req::get(format!("/v2/payments/{id}"))).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r
    }

    /// The request log.
    pub async fn log(&self) -> Vec<Value> {
        let r = self.send(Req::get("/__mock/requests").no_auth()).await;
        assert_eq!(r.status, 200);
        r.body.as_array().cloned().expect("an array")
    }
}
