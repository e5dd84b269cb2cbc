//! A faithful, stateful fake of Mollie's Customers and Mandates APIs (v2), for tests and
//! local development: no network, no API key.
//!
//! It serves the same paths as `https://api.mollie.com` with the same status codes, headers
//! (`Content-Type: application/hal+json`) and bodies, keeps what is created in memory, and
//! can inject the faults a client must survive. Any HTTP client can use it; the SDK's own
//! tests and examples do.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let server = mollie_mock::MockServer::start().await?;
//! // Point a client at `server.url()`, e.g. `http://127.0.0.1:41234`, with any
//! // `test_...` key; `POST {url}/v2/customers` creates a customer.
//! println!("{}", server.url());
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Or as a program: `cargo run -p mollie-mock -- --addr 127.0.0.1:8080` prints
//! `mollie-mock listening on http://127.0.0.1:8080` and serves until Ctrl-C or SIGTERM.
//!
//! # The API
//!
//! | Operation | Request | Success |
//! |---|---|---|
//! | Create customer | `POST /v2/customers` | 201 |
//! | List customers | `GET /v2/customers` | 200 |
//! | Get customer | `GET /v2/customers/{customerId}` | 200 |
//! | Update customer | `PATCH /v2/customers/{customerId}` | 200 |
//! | Delete customer | `DELETE /v2/customers/{customerId}` | 204 |
//! | Create customer payment | `POST /v2/customers/{customerId}/payments` | 201 |
//! | List customer payments | `GET /v2/customers/{customerId}/payments` | 200 |
//! | Create mandate | `POST /v2/customers/{customerId}/mandates` | 201 |
//! | List mandates | `GET /v2/customers/{customerId}/mandates` | 200 |
//! | Get mandate | `GET /v2/customers/{customerId}/mandates/{mandateId}` | 200 |
//! | Revoke mandate | `DELETE /v2/customers/{customerId}/mandates/{mandateId}` | 204 |
//! | Get payment (where payments' `self` links point) | `GET /v2/payments/{paymentId}` | 200 |
//!
//! - **Auth**: `Authorization: Bearer test_...` sees only test-mode objects,
//!   `Bearer live_...` only live ones; `Bearer access_...` (organization or OAuth token)
//!   chooses with `testmode` (query for GET, JSON body for POST/PATCH/DELETE; default live)
//!   and must send `profileId` when it creates a payment. Anything else: 401 with Mollie's
//!   body. Auth is checked before routing, as at Mollie.
//! - **Ids** are `cst_`/`mdt_`/`tr_` and ten random base62 characters. An id of the wrong
//!   shape in a path is a 404 (`No customer exists with token ...`), like an unknown one.
//! - **Links** are absolute, built from the request's `Host` (`http://HOST/v2/...`).
//!   Checkout links point to `http://HOST/__mock/checkout/{paymentId}`, a stub page.
//! - **Lists**: `limit` 1..=250 (default 50), `from` (an id of that list), `sort`
//!   `asc`/`desc` (default `desc`, newest first), `testmode`; `profileId` filters payments
//!   and `scopes` filters mandates; `include`/`embed` are accepted and ignored. Bad values:
//!   400 with `field`. `next`/`previous` carry `from` and `limit` (and `sort` if given).
//! - **Validation**: 422 with `field` for a bad email, unknown locale, bad amount
//!   (`amount.currency`/`amount.value` for the format, `amount` for a non-positive one),
//!   IBAN checksum, BIC, unknown method or sequence type, missing required field
//!   (`description`, `amount`, `redirectUrl` unless recurring, `method`, `consumerName`,
//!   `consumerAccount`, `consumerEmail`, ...), metadata over 1024 bytes of JSON, a future
//!   `signatureDate`. A body that is not a JSON object: 400. Unknown endpoint: 404; wrong
//!   method: 405 with `Allow`.
//! - **Business rules**: a mandate created by the API is `valid` (SEPA: `signatureDate`
//!   defaults to today); revoking makes it `invalid` (it stays retrievable and revoking again
//!   is a 204); deleting a customer revokes its mandates and removes it with its payments
//!   (later requests: 404). A `recurring` payment needs a valid mandate of the customer (the
//!   one in `mandateId`, else the newest valid one; else 422 on `mandateId`), takes the
//!   mandate's method, and is `pending` (direct debit) or `paid` (card, PayPal). A `first` or
//!   `oneoff` payment is `open`, expires in 15 minutes and has a `checkout` link. A customer
//!   links its `payments` and `mandates` once it has some.
//! - **Idempotency** (POST, PATCH, DELETE with `Idempotency-Key`, any shape up to 1024
//!   bytes; keys are per credential): the same endpoint and body (compared as JSON) within
//!   the window (24 hours, see [`MockConfig::idempotency_ttl`]) replays the first response
//!   exactly, with `Idempotent-Replayed: true`, and changes nothing; another body or endpoint
//!   is a 400; a duplicate while the first is still being processed is a 409. Server errors
//!   are not stored, so a retry after one is processed anew.
//! - **Bounds**: at most [`MockConfig::max_objects`] stored objects (then creating answers
//!   422, which clients do not retry, until objects are deleted or the mock is reset) and
//!   bodies of at most [`MockConfig::max_body_bytes`] (else 413, Mollie-style body).
//!   Malformed input never gets a 500, a panic or a hang.
//!
//! # Faults
//!
//! A fault is written `part;part...` with these parts:
//!
//! | Part | Effect |
//! |---|---|
//! | `status=CODE` | answer CODE (400..=599) with Mollie's error body, without processing |
//! | `retry-after=SECONDS` | with `status`: the `Retry-After` header (429 defaults to 1) |
//! | `delay-ms=MS` | wait first (at most 60 000 ms; `POST /__mock/release` ends the wait) |
//! | `drop` | close the connection without any response, without processing |
//! | `fail-after-commit[=CODE]` | process and store the request (idempotency included), then answer CODE (default 500) |
//! | `fail-after-commit=drop` | process and store it, then close the connection |
//!
//! Give it per request in the `X-Mock-Fault` header (e.g. `X-Mock-Fault: status=429;retry-after=0`),
//! or queue it for the next N matching requests with the control API.
//!
//! # Control API
//!
//! No auth, never faulted, JSON (`application/json`):
//!
//! - `POST /__mock/faults` with `{"fault": "status=503", "count": 2, "match": "POST /v2/customers"}`:
//!   queues a fault for the next `count` (default 1) API requests that match (`match` is a
//!   method, a path prefix, or both; absent matches all). 201 with the queued fault.
//!   `GET /__mock/faults` lists the queue, `DELETE /__mock/faults` empties it.
//! - `POST /__mock/reset`: forgets all objects, idempotency keys, queued faults and the log.
//! - `GET /__mock/requests`: the request log, oldest first, as [`RecordedRequest`]s in JSON
//!   (method, path, query, headers with `authorization` redacted, body, idempotencyKey, fault,
//!   processing, status, dropped, replayed). `DELETE /__mock/requests` clears it.
//! - `POST /__mock/release`: ends every `delay-ms` wait now (for tests that hold a request in
//!   flight, e.g. to see the idempotency 409).
//! - `GET /__mock/health`: `{"status": "ok", "objects": N}`.
//!
//! In-process, [`MockServer`] offers the same as methods.

mod app;
mod auth;
mod clock;
mod conn;
mod control;
mod dispatch;
mod errors;
mod faults;
mod handlers;
mod idempotency;
mod ids;
mod links;
mod lists;
mod log;
mod store;
mod validate;

use std::future::Future;
use std::hash::RandomState;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use mollie_models::ProfileId;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

pub use clock::Clock;
pub use faults::FaultSyntaxError;
pub use log::RecordedRequest;

use app::{App, Settings, lock};

/// How the mock runs. Every setting has a default; [`MockConfig::start`] starts it.
///
/// ```
/// # async fn demo() -> std::io::Result<()> {
/// use std::time::Duration;
///
/// let server = mollie_mock::MockConfig::new()
///     .max_objects(1_000)
///     .max_body_bytes(16 * 1024)
///     .idempotency_ttl(Duration::from_secs(60))
///     .start()
///     .await?;
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone)]
pub struct MockConfig {
    addr: SocketAddr,
    max_objects: usize,
    max_body_bytes: usize,
    max_logged_requests: usize,
    idempotency_ttl: Duration,
    profile_id: ProfileId,
    clock: Clock,
}

impl std::fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockConfig")
            .field("addr", &self.addr)
            .field("max_objects", &self.max_objects)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_logged_requests", &self.max_logged_requests)
            .field("idempotency_ttl", &self.idempotency_ttl)
            .field("profile_id", &self.profile_id)
            .finish_non_exhaustive()
    }
}

impl Default for MockConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl MockConfig {
    /// The defaults: `127.0.0.1:0` (an ephemeral port), 100 000 objects, 64 KiB bodies,
    /// 10 000 logged requests, a 24-hour idempotency window, the system clock.
    pub fn new() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            max_objects: 100_000,
            max_body_bytes: 64 * 1024,
            max_logged_requests: 10_000,
            idempotency_ttl: Duration::from_secs(24 * 60 * 60),
            profile_id: default_profile(),
            clock: clock::system(),
        }
    }

    /// The address to listen on (port 0: any free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The most customers, mandates and payments stored together.
    pub fn max_objects(mut self, max: usize) -> Self {
        self.max_objects = max;
        self
    }

    /// The largest request body accepted.
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// How many requests `GET /__mock/requests` keeps (the most recent ones).
    pub fn max_logged_requests(mut self, max: usize) -> Self {
        self.max_logged_requests = max;
        self
    }

    /// How long an idempotency key is remembered (Mollie: 24 hours).
    pub fn idempotency_ttl(mut self, ttl: Duration) -> Self {
        self.idempotency_ttl = ttl;
        self
    }

    /// The profile that API keys belong to (the `profileId` of their payments).
    pub fn profile_id(mut self, profile: ProfileId) -> Self {
        self.profile_id = profile;
        self
    }

    /// Where "now" comes from, e.g. a clock a test moves forward.
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Binds the address and starts serving on the current tokio runtime.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(self) -> io::Result<MockServer> {
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        // Idempotency keys are bounded like objects: one kept per object is plenty.
        let key_cap = self.max_objects.max(1000);
        let app = Arc::new(App {
            settings: Settings {
                max_body_bytes: self.max_body_bytes,
                idempotency_ttl: self.idempotency_ttl,
                profile_id: self.profile_id,
                clock: self.clock,
            },
            local_addr: addr,
            hasher: RandomState::new(),
            store: Mutex::new(store::Store::new(self.max_objects)),
            idempotency: Mutex::new(idempotency::Idempotency::new(key_cap)),
            faults: Mutex::new(faults::FaultQueue::default()),
            log: Mutex::new(log::RequestLog::new(self.max_logged_requests)),
            release: Notify::new(),
        });
        let router = Router::new()
            .fallback(dispatch::dispatch)
            .with_state(app.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(conn::MockListener(listener), router, async {
            let _ = stopped.await;
        }));
        Ok(MockServer {
            addr,
            url: format!("http://{addr}"),
            app,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

fn default_profile() -> ProfileId {
    // A constant of Mollie's shape; parsing it cannot fail, and the fallback is the same.
    ProfileId::parse("pfl_MockProfile1").unwrap_or_else(|_| default_profile_fallback())
}

fn default_profile_fallback() -> ProfileId {
    loop {
        if let Ok(p) = ProfileId::parse(&ids::random_id("pfl_")) {
            return p;
        }
    }
}

async fn serve(
    listener: conn::MockListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<conn::Cutter>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// A running mock server. Dropping it stops it too (without waiting).
///
/// ```
/// # async fn demo() -> std::io::Result<()> {
/// let server = mollie_mock::MockServer::start().await?;
/// server.queue_fault("status=503", 1, Some("POST /v2/customers")).expect("valid fault");
/// assert!(server.requests().is_empty());
/// server.shutdown().await;
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
/// ```
pub struct MockServer {
    addr: SocketAddr,
    url: String,
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts a mock with the default [`MockConfig`] on an ephemeral port of 127.0.0.1.
    ///
    /// # Errors
    /// When no port can be bound.
    pub async fn start() -> io::Result<Self> {
        MockConfig::new().start().await
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (the API is under `/v2`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Forgets all objects, idempotency keys, queued faults and logged requests.
    pub fn reset(&self) {
        self.app.reset();
    }

    /// The logged requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.app.log).snapshot()
    }

    /// Queues `fault` (the fault syntax of the crate docs) for the next `count` API requests
    /// that `matcher` matches (a method, a path prefix or both; `None`: all).
    ///
    /// # Errors
    /// When the fault or the matcher does not parse, or 1000 faults are already queued.
    pub fn queue_fault(
        &self,
        fault: &str,
        count: u32,
        matcher: Option<&str>,
    ) -> Result<(), FaultSyntaxError> {
        self.app.queue_fault(fault, count, matcher).map(|_| ())
    }

    /// Ends every `delay-ms` wait now.
    pub fn release(&self) {
        self.app.release.notify_waiters();
    }

    /// Stops accepting connections and waits until the open ones are done.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
