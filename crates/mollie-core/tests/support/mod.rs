//! A scriptable HTTP server on an ephemeral loopback port, recording every request.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use mollie_core::{ClientBuilder, RetryPolicy};
use serde_json::{Value, json};

/// The API key of every test client: long enough to be recognisable in a leak.
pub const SECRET: &str = "test_LeakCanaryZ8q2xW7vK4mN1pR6tY3";
/// An organization token for tests of `testmode`/`profileId` defaults.
pub const TOKEN_SECRET: &str = "access_LeakCanaryTokenQ5j8L2dF9";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query, as sent.
    pub uri: String,
    pub version: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn idempotency_key(&self) -> Option<&str> {
        self.header("idempotency-key")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    /// Never answer: the client's timeout must end the attempt.
    pub hang: bool,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/hal+json".into())],
            body: body.to_string().into_bytes(),
            hang: false,
        }
    }

    pub fn text(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type", "text/html".into())],
            body: body.as_bytes().to_vec(),
            hang: false,
        }
    }

    pub fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            hang: false,
        }
    }

    pub fn hang() -> Self {
        Self {
            hang: true,
            ..Self::empty(200)
        }
    }

    /// Mollie's error body.
    pub fn mollie_error(status: u16, title: &str, detail: &str, field: Option<&str>) -> Self {
        let mut body = json!({
            "status": status, "title": title, "detail": detail,
            "_links": {"documentation": {"href": "https://docs.mollie.com/overview/handling-errors", "type": "text/html"}}
        });
        if let Some(field) = field {
            body["field"] = json!(field);
        }
        Self::json(status, body)
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

type Responder = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

#[derive(Clone)]
struct Shared {
    recorded: Arc<Mutex<Vec<Recorded>>>,
    count: Arc<AtomicUsize>,
    responder: Arc<Responder>,
}

/// The server; stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    recorded: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Answers request `n` (0-based) with `responder(request, n)`.
    pub async fn start(
        responder: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let shared = Shared {
            recorded: Arc::default(),
            count: Arc::default(),
            responder: Arc::new(responder),
        };
        let recorded = shared.recorded.clone();
        let app = Router::new().fallback(handle).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            addr,
            recorded,
            task,
        }
    }

    /// Answers with `replies` in order, repeating the last one.
    pub async fn scripted(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty());
        Self::start(move |_, n| replies[n.min(replies.len() - 1)].clone()).await
    }

    /// The API root: `http://127.0.0.1:PORT/v2`.
    pub fn url(&self) -> String {
        format!("http://{}/v2", self.addr)
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.recorded.lock().unwrap().clone()
    }

    pub fn request_count(&self) -> usize {
        self.recorded.lock().unwrap().len()
    }

    /// A client with the test key, pointed at this server, with millisecond backoff.
    pub fn client(&self) -> ClientBuilder {
        mollie_core::Client::builder()
            .api_key(SECRET)
            .unwrap()
            .base_url(self.url())
            .retry_policy(fast_retries())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Up to 4 attempts, 1 ms backoff: retry tests run in milliseconds.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(4)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(2))
}

async fn handle(State(shared): State<Shared>, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let recorded = Recorded {
        method: parts.method.to_string(),
        uri: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        version: format!("{:?}", parts.version),
        headers: parts.headers,
        body,
        at: Instant::now(),
    };
    let n = shared.count.fetch_add(1, Ordering::SeqCst);
    shared.recorded.lock().unwrap().push(recorded.clone());
    let reply = (shared.responder)(&recorded, n);
    if reply.hang {
        std::future::pending::<()>().await;
    }
    let mut response = Response::builder().status(StatusCode::from_u16(reply.status).unwrap());
    for (name, value) in &reply.headers {
        response = response.header(*name, value);
    }
    response.body(Body::from(reply.body)).unwrap()
}

/// A customer as Mollie's list and get endpoints return it.
pub fn customer(id: &str, base: &str) -> Value {
    json!({
        "resource": "customer",
        "id": id,
        "mode": "test",
        "name": format!("Customer {id}"),
        "email": null,
        "locale": null,
        "metadata": null,
        "createdAt": "2024-03-20T09:13:37+00:00",
        "_links": {
            "self": {"href": format!("{base}/customers/{id}"), "type": "application/hal+json"},
            "dashboard": {"href": "https://my.mollie.com/dashboard/customers", "type": "text/html"}
        }
    })
}

/// A log sink for `tracing_subscriber`: what the SDK logged, to look for facts and leaks.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// Captures every event at `level` and above for the rest of the (current-thread) test.
    pub fn install(&self, level: tracing::Level) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(level)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    /// Captures events only inside the `mollie.request` span, as a filter scoped to the
    /// SDK's spans does (an `EnvFilter` of `[mollie.request]=debug`).
    pub fn install_in_request_span(&self) -> tracing::subscriber::DefaultGuard {
        use tracing_subscriber::layer::SubscriberExt;
        let writer = self.clone();
        let filter = tracing_subscriber::filter::DynFilterFn::new(|metadata, cx| {
            metadata.is_span()
                || cx
                    .lookup_current()
                    .is_some_and(|span| span.scope().any(|s| s.name() == "mollie.request"))
        });
        // A global filter, as `EnvFilter` is: asked before anything is built.
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(move || writer.clone());
        let subscriber = tracing_subscriber::registry().with(filter).with(layer);
        tracing::subscriber::set_default(subscriber)
    }
}
