//! A faithful, stateful fake of Mollie's Customers, Mandates, Payments, Refunds, Chargebacks
//! and Subscriptions APIs (v2), for tests and local development: no network, no API key. Its
//! clock can be moved forward: a year of subscriptions charges, settles and sends its
//! webhooks in milliseconds ([Time](#time)).
//!
//! It serves the same paths as `https://api.mollie.com` with the same status codes, headers
//! (`Content-Type: application/hal+json`) and bodies, keeps what is created in memory, and
//! can inject the faults a client must survive. Any HTTP client can use it; the SDK's own
//! tests and examples do.
//!
//! ```
//! # async fn demo() -> std::io::Result<()> {
//! let server = mollie_mock::MockServer::start().await?;
//! // Point a client at `server.url()`, e.g. `http://127.0.0.1:41234`, with any
//! // `test_...` key; `POST {url}/v2/customers` creates a customer.
//! assert!(server.url().starts_with("http://127.0.0.1:"));
//! server.shutdown().await;
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! Or as a program: `cargo run -p mollie-mock -- --addr 127.0.0.1:8080` prints
//! `mollie-mock listening on http://127.0.0.1:8080` and serves until Ctrl-C or SIGTERM
//! (`--tls` for [HTTPS](#https)). `mollie-mock --help` lists its options, each also an
//! environment variable (`--addr` is `MOLLIE_MOCK_ADDR`, ...), with the control API and the
//! fault syntax; `--log` prints a line per API request to stderr, and `--seed FILE` and
//! `--state FILE` start it from, or keep it in, a [state document](#state).
//! The environment variables `MOLLIE_MOCK_WEBHOOK_SIGNING_SECRET` and
//! `MOLLIE_MOCK_EVENT_WEBHOOK_URL` set [`MockConfig::webhook_signing_secret`] and
//! [`MockConfig::event_webhook_url`]; `--rate-limit N [--rate-burst N]` (or
//! `MOLLIE_MOCK_RATE_LIMIT` and `MOLLIE_MOCK_RATE_BURST`) sets [rate limits](#rate-limits).
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
//! | Create payment | `POST /v2/payments` | 201 |
//! | List payments | `GET /v2/payments` | 200 |
//! | Get payment | `GET /v2/payments/{paymentId}` | 200 |
//! | Update payment | `PATCH /v2/payments/{paymentId}` | 200 |
//! | Cancel payment | `DELETE /v2/payments/{paymentId}` | 200 |
//! | Release authorization | `POST /v2/payments/{paymentId}/release-authorization` | 202 |
//! | Create refund | `POST /v2/payments/{paymentId}/refunds` | 201 |
//! | List refunds | `GET /v2/payments/{paymentId}/refunds` | 200 |
//! | Get refund | `GET /v2/payments/{paymentId}/refunds/{refundId}` | 200 |
//! | Cancel refund | `DELETE /v2/payments/{paymentId}/refunds/{refundId}` | 204 |
//! | List all refunds | `GET /v2/refunds` | 200 |
//! | List chargebacks | `GET /v2/payments/{paymentId}/chargebacks` | 200 |
//! | Get chargeback | `GET /v2/payments/{paymentId}/chargebacks/{chargebackId}` | 200 |
//! | List all chargebacks | `GET /v2/chargebacks` | 200 |
//! | Create subscription | `POST /v2/customers/{customerId}/subscriptions` | 201 |
//! | List customer subscriptions | `GET /v2/customers/{customerId}/subscriptions` | 200 |
//! | Get subscription | `GET /v2/customers/{customerId}/subscriptions/{subscriptionId}` | 200 |
//! | Update subscription | `PATCH /v2/customers/{customerId}/subscriptions/{subscriptionId}` | 200 |
//! | Cancel subscription | `DELETE /v2/customers/{customerId}/subscriptions/{subscriptionId}` | 200 |
//! | List all subscriptions | `GET /v2/subscriptions` | 200 |
//! | List subscription payments | `GET /v2/customers/{customerId}/subscriptions/{subscriptionId}/payments` | 200 |
//!
//! - **Auth**: `Authorization: Bearer test_...` sees only test-mode objects,
//!   `Bearer live_...` only live ones; `Bearer access_...` (organization or OAuth token)
//!   chooses with `testmode` (query for GET, JSON body for POST/PATCH/DELETE, or the query
//!   of a DELETE such as *Cancel refund*; default live) and must send `profileId` when it
//!   creates a payment. Anything else: 401 with Mollie's body. Auth is checked before
//!   routing, as at Mollie.
//! - **Ids** are `cst_`/`mdt_`/`tr_`/`re_`/`chb_`/`sub_` and ten random base62 characters. An id of
//!   the wrong shape in a path is a 404 (`No customer exists with token ...`), like an
//!   unknown one. An object of the other mode, or a refund or chargeback asked for under
//!   another payment, is a 404 too.
//! - **Links** are absolute, built from the request's `Host` (`http://HOST/v2/...`, or
//!   `https://HOST/v2/...` when serving [HTTPS](#https)). Checkout links point to
//!   `http://HOST/__mock/checkout/{paymentId}` (likewise), a stub page. `dashboard` links
//!   point where Mollie's would, in the organization segment Mollie's carry, for which the
//!   mock uses the fixed id `org_12345678` (as in Mollie's examples):
//!   `https://www.mollie.com/dashboard/org_12345678/customers/cst_...` (and `/payments/tr_...`).
//! - **Lists**: `limit` 1..=250 (default 50), `from` (an id of that list), `sort`
//!   `asc`/`desc` (default `desc`, newest first), `testmode`; `profileId` filters payments,
//!   all refunds and all chargebacks, and `scopes` filters mandates. Bad values: 400 with
//!   `field`. `next`/`previous` carry `from` and `limit` (and `sort`, `testmode`,
//!   `profileId`, `embed` if given).
//! - **`include` and `embed`** (comma-separated, or repeated): *Create payment* takes
//!   `include=details.qrCode`, *Get payment* `include=details.qrCode,details.remainderDetails`
//!   and `embed=refunds,chargebacks,captures` (`_embedded` lists, newest first; the mock has
//!   no captures, so `captures` is `[]`); the refund and chargeback endpoints take
//!   `embed=payment` (`_embedded.payment`). The QR code (`details.qrCode`) comes with open
//!   iDEAL, Bancontact and bank transfer payments. Any other value: 400 with `field`
//!   (`include` or `embed`). The other endpoints ignore both.
//! - **Validation**: 422 with `field` for a bad email, unknown locale, bad amount
//!   (`amount.currency`/`amount.value` for the format, `amount` for a non-positive one),
//!   IBAN checksum, BIC, unknown method or sequence type, missing required field
//!   (`description`, `amount`, `redirectUrl` unless recurring, `method`, `consumerName`,
//!   `consumerAccount`, `consumerEmail`, ...), metadata over 1024 bytes of JSON, a future
//!   `signatureDate`, a country that is not two capitals. A body that is not a JSON object:
//!   400. Unknown endpoint: 404; wrong method: 405 with `Allow`. `HEAD` works wherever `GET`
//!   does (see [Connections](#connections)).
//! - **Customers and mandates**: a mandate created by the API is `valid` (SEPA:
//!   `signatureDate` defaults to today); revoking makes it `invalid`: it stays in the
//!   customer's list, but *Get mandate* answers 410 Gone with Mollie's error body (`"detail":
//!   "The mandate mdt_... has been revoked"`), as Mollie's docs say ("Trying to retrieve a
//!   revoked mandate will result in a 410 exception"); revoking again is a 204. Deleting a
//!   customer revokes its mandates and removes it
//!   (later requests: 404), while its payments stay readable at `/v2/payments/{paymentId}`
//!   with their refunds and chargebacks, as at Mollie. A customer links its `payments` and
//!   `mandates` once it has some.
//! - **Payments**: `POST /v2/payments` takes an optional `customerId` (422 on `customerId`
//!   when unknown); a `first` or `recurring` payment needs one. A `recurring` payment needs a
//!   valid mandate of the customer (the one in `mandateId`, else the newest valid one; else
//!   422 on `mandateId`), takes the mandate's method, and is `pending` (direct debit) or
//!   `paid` (card, PayPal). A `first` or `oneoff` payment is `open`, expires in 15 minutes
//!   and has a `checkout` link; it stays `open` until the control API changes its status
//!   ([Webhooks](#webhooks)), and a `first` payment that becomes `paid` creates a mandate.
//!   - `isCancelable` is omitted once the payment is final (as the spec says); it is `true`
//!     for an `authorized` payment, an open bank transfer and a pending direct debit, `false`
//!     for any other open or pending payment (the spec's examples). *Cancel payment* cancels
//!     only then (200 with the canceled payment, and its webhooks), else 422.
//!   - *Release authorization* takes only an `authorized` payment (else 422): it answers 202
//!     without a body, and the payment (the mock has no captures) becomes `canceled`, with
//!     its webhooks.
//!   - *Update payment* changes what is sent, as Mollie documents it: `description`,
//!     `webhookUrl` and `metadata` in any status; `redirectUrl`, `cancelUrl` and what only the
//!     checkout uses (`locale`, `restrictPaymentMethodsToCountry`, `dueDate`, `issuer`,
//!     `billingAddress`, `shippingAddress`, `billingEmail`) until the payment is finalized
//!     (paid, canceled, expired, failed); `method` only while open and when the payment was
//!     created without one. Anything else: 422 on that field. `null` clears a URL, the
//!     locale or the country. No webhook is sent.
//!   - Amounts: a paid payment shows `amountRefunded` and `amountRemaining`, and
//!     `settlementAmount` (the amount, for euro payments: the mock settles in euros and has
//!     no exchange rates); `amountChargedBack` once a chargeback is not reversed. What remains
//!     is the amount less the refunds (but failed ones) and the chargebacks (but reversed
//!     ones), never below zero. `_links.refunds`/`_links.chargebacks` appear once there are
//!     some.
//! - **Refunds**: only of a `paid` payment (else 422), in its currency (else 422 on
//!   `amount.currency`), at most `amountRemaining` (else 422 on `amount`); `description`
//!   defaults to `""`, `metadata` to `null`; `reverseRouting`/`routingReversals` are refused
//!   (the mock's payments have no routing). A new refund is `pending` (as in the spec's
//!   examples) and carries a negative `settlementAmount` (euros); the control API moves it
//!   ([Refunds and chargebacks](#refunds-and-chargebacks)). *Cancel refund* takes a `queued`
//!   or `pending` refund (else 422): 204, and the refund is gone (the spec: "404 ... or the
//!   refund was canceled"), its amount free to refund again. A failed refund gives its
//!   amount back too.
//! - **Chargebacks** are made and reversed by the control API (the customer's bank makes
//!   them at Mollie); they have no `mode`, and a negative `settlementAmount` (euros).
//! - **Idempotency** (POST, PATCH, DELETE with `Idempotency-Key`; keys are per
//!   credential): the same request within the window replays the first response exactly,
//!   with `Idempotent-Replayed: true`, and changes nothing; the same key with another
//!   request is a 400, never a replay; a duplicate while the first is still being processed
//!   is a 409. Server errors are not stored, so a retry after one is processed anew.
//!   - *The same request*: the same credential (the mock keeps a keyed hash of it, never the
//!     token), the same mode (an access token's `testmode`, from the query or the body),
//!     method, path, query parameters (in any order) and body (compared as JSON).
//!   - Keys are taken exactly as sent, byte for byte, up to 1024 bytes of any shape: UUIDs,
//!     the base64 keys of Mollie's Node.js client, spaces, bytes that are not UTF-8. Keys
//!     that differ in any byte are different keys. (The request log shows them lossily.)
//!   - **The window**: a key is kept for [`MockConfig::idempotency_ttl`], 24 hours by default
//!     (Mollie does not publish its window; this project's `IdempotencyKey` docs in
//!     `mollie-core` rely on the mock's 24 hours), by the [`MockConfig::clock`]. It is never
//!     forgotten earlier, however many keys follow, so a retried charge is never charged
//!     twice within the window.
//!   - **Memory** is bounded in bytes, not by forgetting: the keys take at most
//!     [`MockConfig::max_idempotency_bytes`] (64 MiB by default), each counted at its real
//!     size (the key, its fingerprint, the stored answer's body and headers, bookkeeping;
//!     about 1.2 KiB for a payment, so some 50 000 payment keys by default). Expired keys are
//!     dropped to make room. When the budget is still full, a request with a new key is **not
//!     executed**: it gets a 503 with Mollie's error body and `Retry-After` (the seconds until
//!     the oldest key expires). Known keys still replay, requests without a key are served as
//!     usual, and `POST /__mock/reset` empties the store. The answer of a request that was
//!     admitted is always stored, so the store can exceed the budget by the answers of the
//!     requests in flight when it filled up.
//! - **Bounds**: at most [`MockConfig::max_objects`] stored objects, customers, mandates,
//!   payments, refunds and chargebacks together (then creating answers 422, which clients do
//!   not retry, until objects are deleted, refunds canceled, or the mock is reset), bodies of
//!   at most [`MockConfig::max_body_bytes`] (else 413, Mollie-style body), and
//!   [`MockConfig::max_idempotency_bytes`] of idempotency keys (else a new key gets a 503, as
//!   above), a request log of [`MockConfig::max_log_bytes`] (its oldest entries make room;
//!   every kept string counts, query strings too), a webhook queue of
//!   [`MockConfig::max_webhook_queue_bytes`] ([Webhooks](#webhooks)), and the limits of
//!   [Connections](#connections). [`MockServer::memory`] shows what each store takes, by the
//!   mock's own accounting. Malformed input never gets a 500, a panic or a hang.
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
//! Faults work the same over [HTTPS](#https): `drop` cuts the connection outside the TLS
//! layer, so not even an encrypted record of the response goes out.
//!
//! Give it per request in the `X-Mock-Fault` header (e.g. `X-Mock-Fault: status=429;retry-after=0`),
//! or queue it for the next N matching requests with the control API.
//!
//! # Rate limits
//!
//! Off by default. With [`MockConfig::rate_limit`] (the program: `--rate-limit N` and
//! `--rate-burst N`, or the environment variables `MOLLIE_MOCK_RATE_LIMIT` and
//! `MOLLIE_MOCK_RATE_BURST`; flags win), each credential, that is each API key or access
//! token, has a token bucket ([`RateLimit`]) that holds `burst` requests (default: as many
//! as the rate) and refills at `rate` requests per second. A request when the bucket is
//! empty is answered as Mollie answers it: 429 with Mollie's error body (`"title": "Too Many
//! Requests"`, `application/hal+json`) and `Retry-After`, the seconds until the bucket has a
//! token again (rounded up, at least 1; with whole requests per second, a token is never
//! more than a second away, so it is 1). Unlike the fault `status=429`, which fails chosen
//! requests, this paces a client that sends as fast as it can, e.g. a month-end batch.
//!
//! - The limit is checked right after authentication (a request without valid credentials
//!   still gets its 401) and before anything else: a limited request changes nothing, takes
//!   no token, and is not the first request of its `Idempotency-Key` (a retry with that key
//!   is processed as new). The request log shows it with status 429.
//! - Every other API request takes a token, whatever its endpoint, method or outcome
//!   (replays and errors included): one bucket per credential. Mollie's own limits differ by
//!   endpoint and mode, change with traffic and are not published; a test that needs more
//!   room for one kind of request raises the limit. Test and live keys are different
//!   credentials, with a bucket each.
//! - Requests stopped by a fault before processing (`status`, `drop`, a bad `X-Mock-Fault`)
//!   take no token, and the control API under `/__mock/` is never limited.
//! - Time is [`MockConfig::clock`]'s: a test refills a bucket by moving its clock forward.
//! - The mock keeps no credential, only a keyed hash of it per bucket, and tracks at most
//!   10 000 of them: beyond that it forgets full buckets (which changes nothing), then those
//!   closest to full, so that many different keys cannot exhaust memory.
//!   `POST /__mock/reset` forgets all buckets.
//!
//! ```
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::{Duration, SystemTime};
//!
//! use mollie_mock::{MockConfig, RateLimit};
//!
//! let server = MockConfig::new()
//!     .rate_limit(RateLimit::per_second(1).burst(2))
//!     // A clock that stands still: no token comes back during the test.
//!     .clock(|| SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
//!     .start()
//!     .await?;
//! let client = reqwest::Client::new();
//! let mut statuses = Vec::new();
//! for _ in 0..3 {
//!     let response = client
//!         .get(format!("{}/v2/customers", server.url()))
//!         .bearer_auth("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")
//!         .send()
//!         .await?;
//!     statuses.push(response.status().as_u16());
//!     if response.status() == 429 {
//!         assert_eq!(response.headers()["retry-after"], "1");
//!     }
//! }
//! assert_eq!(statuses, [200, 200, 429]);
//! server.shutdown().await;
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! # Connections
//!
//! Slow or hostile clients cannot make the mock unreachable, and what the HTTP layer refuses
//! is answered in Mollie's shape too. Each limit is a [`MockConfig`] setting:
//!
//! | Setting | Default | Beyond it |
//! |---|---|---|
//! | [`MockConfig::header_timeout`] | 10 s | a new connection without a whole request head (a TLS handshake included) since it was accepted, or a later request's head not whole since its first byte: the connection is closed, without an answer |
//! | [`MockConfig::body_timeout`] | 30 s | a body not whole since its head arrived: 408 with Mollie's body and `Connection: close`; the request is not processed (the log shows it with 408) |
//! | [`MockConfig::idle_timeout`] | 60 s | a kept-alive connection with nothing of a next request, or a response the client does not read: the connection is closed, without an answer |
//! | [`MockConfig::max_connections`] | 1 000, and at most the process's open-file limit less 64 | the oldest connection that is not in a request is closed to make room for the new one |
//! | [`MockConfig::max_uri_bytes`] | 32 KiB | 414 with Mollie's body |
//! | [`MockConfig::max_header_bytes`] | 64 KiB of header lines | 431 with Mollie's body |
//!
//! - The timeouts are wall-clock time (not the mock's [clock](#time)) and only run while the
//!   mock waits for the client: a request being handled, a `delay-ms` fault included, is
//!   never cut, however long it takes. They also bound how long a stalled client can hold up
//!   [`MockServer::shutdown`], which waits for open connections.
//! - When every connection slot is taken, a new connection (a health check too) is served at
//!   once: the oldest connection that waits for a request head (silent, trickling, or idle
//!   between requests) is closed to make room, and so is one when the process runs out of
//!   file descriptors. A request being handled, or an answer its client is still
//!   receiving, is never cut. Under 1 050 idle and trickling
//!   connections with an open-file limit of 1 024, a health check is answered within a
//!   second (`tests/fd_limit.rs`).
//! - **Errors of the HTTP layer.** hyper, the HTTP library under axum, refuses some requests
//!   before the mock sees them, with a status and no body; the mock's connection layer puts
//!   Mollie's error body (`status`, `title`, `detail`, `_links.documentation`, as
//!   `application/hal+json`) in place of each such answer, with `Connection: close`, and the
//!   connection closes. They reach neither the API nor the request log:
//!   - 400 for a request line or header that is not HTTP/1.1 (a bad method, target or
//!     version, a header line without a colon, a control character, an invalid
//!     `Content-Length` or `Transfer-Encoding`);
//!   - 414 for a request target (path and query) over [`MockConfig::max_uri_bytes`] (at most
//!     65 534 bytes, the longest hyper parses);
//!   - 431 for header lines over [`MockConfig::max_header_bytes`], or more than 100 headers
//!     (hyper's own limit).
//!
//!   The URI and header sizes are checked as the bytes arrive, so that an oversized head is
//!   refused before it is buffered, not after.
//! - What cannot be answered in Mollie's shape, and is not answered at all: a connection that
//!   times out (an answer there could be read as the answer to a next request); a client
//!   that sends HTTP/2 (the mock speaks HTTP/1.1; hyper closes the connection); a TLS
//!   handshake that fails. A head with an invalid byte in its last, unfinished line waits for
//!   its end (hyper parses a partial head again only once it holds a blank line) and so for
//!   the header timeout.
//! - A wrong method is a 405 with Mollie's body and `Allow` (`HEAD` listed with `GET`).
//! - **`HEAD`** works on every readable endpoint: each `GET` of the API and of the control
//!   API answers `HEAD` with the same status and headers, `Content-Length` included, and no
//!   body. It is handled as a `GET` in every respect (auth, faults, rate limit) but shows as
//!   `HEAD` in the request log.
//!
//! # HTTPS
//!
//! Some clients refuse a plain `http` endpoint: Mollie's Node.js client (`@mollie/api-client`
//! 4.x) says `Protocol "http:" not supported. Expected "https:"`. With
//! [`MockConfig::tls_self_signed`] (the program: `--tls`) the mock serves HTTPS instead, with
//! a certificate made at start for `localhost`, `127.0.0.1` and `::1` and signed by its own
//! new key. [`MockServer::url`] is then `https://127.0.0.1:PORT`, links in bodies start with
//! `https://`, and [`MockServer::certificate_pem`] is the certificate for the client to trust.
//! Everything else is the same, faults included; webhooks are sent as before (the mock is the
//! client there). Plain HTTP sent to the TLS port gets a 400 saying to use `https://`, and the
//! connection closes.
//!
//! ```
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let server = mollie_mock::MockConfig::new().tls_self_signed().start().await?;
//! assert!(server.url().starts_with("https://127.0.0.1:"));
//! let pem = server.certificate_pem().expect("serving TLS");
//! let client = reqwest::Client::builder()
//!     .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes())?)
//!     .build()?;
//! let response = client
//!     .get(format!("{}/v2/customers", server.url()))
//!     .bearer_auth("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")
//!     .send()
//!     .await?;
//! assert_eq!(response.status(), 200);
//! server.shutdown().await;
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! The program writes the certificate to `--tls-cert-out PATH` (default: `mollie-mock-PORT.pem`
//! in the system's temp directory) before it prints its URL, then prints where it wrote it:
//!
//! ```text
//! $ mollie-mock --tls --tls-cert-out /tmp/mollie-mock.pem --addr 127.0.0.1:18443
//! mollie-mock listening on https://127.0.0.1:18443
//! mollie-mock certificate (self-signed) written to /tmp/mollie-mock.pem
//! $ curl --cacert /tmp/mollie-mock.pem -H 'Authorization: Bearer test_x' https://localhost:18443/v2/customers
//! ```
//!
//! With Node.js, `NODE_EXTRA_CA_CERTS=/tmp/mollie-mock.pem` makes Node's own clients (`fetch`,
//! `https`) trust the mock. `@mollie/api-client` 4.x, though, gives its HTTPS agent its own
//! bundle of CA certificates, and Node ignores `NODE_EXTRA_CA_CERTS` for such an agent; a
//! module preloaded with `node --require ./trust-mollie-mock.cjs` adds the mock's certificate
//! to that bundle:
//!
//! ```js
//! // trust-mollie-mock.cjs: trusts the certificate in $MOLLIE_MOCK_CA in every https.Agent.
//! const fs = require('node:fs');
//! const https = require('node:https');
//! const tls = require('node:tls');
//! const pem = fs.readFileSync(process.env.MOLLIE_MOCK_CA, 'utf8');
//! const Agent = https.Agent;
//! https.Agent = class extends Agent {
//!   constructor(options = {}) {
//!     super({ ...options, ca: [].concat(options.ca ?? tls.rootCertificates, pem) });
//!   }
//! };
//! ```
//!
//! ```js
//! // NODE_EXTRA_CA_CERTS=/tmp/mollie-mock.pem MOLLIE_MOCK_CA=/tmp/mollie-mock.pem \
//! //   node --require ./trust-mollie-mock.cjs app.mjs
//! import { createMollieClient } from '@mollie/api-client';
//!
//! const mollie = createMollieClient({
//!   apiKey: 'test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM',
//!   apiEndpoint: 'https://localhost:18443/v2/',
//! });
//! const customer = await mollie.customers.create({ name: 'Jane Doe' });
//! ```
//!
//! (In a throwaway test process, `NODE_TLS_REJECT_UNAUTHORIZED=0` also works, by turning
//! certificate checks off altogether.)
//!
//! # Control API
//!
//! No auth, never faulted, JSON (`application/json`):
//!
//! - `POST /__mock/faults` with `{"fault": "status=503", "count": 2, "match": "POST /v2/customers"}`:
//!   queues a fault for the next `count` (default 1) API requests that match (`match` is a
//!   method, a path prefix, or both; absent matches all). 201 with the queued fault.
//!   `GET /__mock/faults` lists the queue, `DELETE /__mock/faults` empties it.
//! - `POST /__mock/payments/{paymentId}/status` with `{"status": "paid"}`: changes a
//!   payment's status and sends its webhooks (see [Webhooks](#webhooks)). 200 with the
//!   payment as `GET /v2/payments/{paymentId}` now shows it.
//! - `POST /__mock/refunds/{refundId}/status` with `{"status": "refunded"}`: changes a
//!   refund's status and sends the payment's webhooks (see
//!   [Refunds and chargebacks](#refunds-and-chargebacks)). 200 with the refund as the API
//!   now shows it.
//! - `POST /__mock/payments/{paymentId}/chargebacks` with an optional
//!   `{"amount": {"currency": "EUR", "value": "5.00"}, "reason": {"code": "AC01",
//!   "description": "..."}}`: a chargeback of a paid payment (default amount: all that is not
//!   charged back yet). 201 with the chargeback.
//! - `POST /__mock/chargebacks/{chargebackId}/reverse`: reverses a chargeback (`reversedAt`).
//!   200 with the chargeback.
//! - `GET /__mock/webhooks`: the webhook deliveries, oldest first, as [`WebhookDelivery`]s in
//!   JSON (`id`, `paymentId`, `paymentStatus`, `refundId` or `chargebackId` for theirs,
//!   `kind` `classic`|`event`, `url`, `eventId`, `eventType`, `body`, `signature`,
//!   `attempts` [{`status` or `error`, `at`}], `outcome` `pending`|`delivered`|`failed`).
//!   `DELETE /__mock/webhooks` empties it and cancels the deliveries in progress.
//! - `POST /__mock/reset`: forgets all objects, idempotency keys, queued faults, the log,
//!   the webhook deliveries (canceling those in progress) and the buckets of the
//!   [rate limit](#rate-limits).
//! - `GET /__mock/requests`: the request log, oldest first, as [`RecordedRequest`]s in JSON
//!   (method, path, query, headers with `authorization` redacted, body, idempotencyKey, fault,
//!   processing, status, dropped, replayed). `DELETE /__mock/requests` clears it.
//! - `POST /__mock/release`: ends every `delay-ms` wait now (for tests that hold a request in
//!   flight, e.g. to see the idempotency 409).
//! - `GET /__mock/health`: `{"status": "ok", "objects": N, "scheduled": N}` (`scheduled`:
//!   what the [clock](#time) has yet to run: charges, settlements, expiries).
//! - `GET /__mock/clock`: `{"now": "2026-01-05T10:00:00+00:00", "offsetSeconds": N}`.
//!   `POST /__mock/clock` with `{"advance": "4 months"}` (a whole number of seconds,
//!   minutes, hours, days, weeks or calendar months), `{"advanceSeconds": 3600}` or
//!   `{"set": "2027-01-01T00:00:00Z"}` moves it forward and runs what falls due (see
//!   [Time](#time)); 200 with `{"now", "charged", "settled", "failed", "expired", "ended"}`.
//!   Backwards is a 422 on `now`.
//! - `POST /__mock/subscriptions/{subscriptionId}/fail-next`, optionally with
//!   `{"reason": "AM04"}`: the subscription's next payment fails (see [Time](#time)). 204.
//! - `GET /__mock/state`: every stored object, of both modes, and the clock's offset, as a
//!   [state document](#state). `PUT /__mock/state` with one replaces all stored objects:
//!   200 with how many of each (`{"customers": N, "mandates": N, ...}`), 422 naming the
//!   `field` of anything wrong (nothing changes then).
//!
//! In-process, [`MockServer`] offers the same as methods.
//!
//! # Webhooks
//!
//! Like the status page of Mollie's test mode (where the checkout link of a test payment
//! leads), the control API decides what the customer did (the API's *Cancel payment* and
//! *Release authorization* change a status too, and send the same webhooks):
//! `POST /__mock/payments/{paymentId}/status` with `{"status": S}` (no auth; payments of
//! either mode), or [`MockServer::set_payment_status`] in-process.
//!
//! | From | May become |
//! |---|---|
//! | `open`, `pending` | `paid`, `failed`, `canceled`, `expired`, `authorized` |
//! | `authorized` | `paid`, `canceled`, `expired` |
//! | `paid`, `failed`, `canceled`, `expired` (final) | nothing |
//!
//! A refused change is a 422 with `field: "status"` (a final status, a status that cannot
//! follow, or one that cannot be set such as `open` or `refunded`); an unknown payment is a
//! 404; a body that is not a JSON object a 400. Nothing changes then and nothing is sent.
//! A change sets `paidAt`/`failedAt`/`canceledAt`/`expiredAt`/`authorizedAt` (by the
//! [`MockConfig::clock`]), removes `expiresAt` and the `checkout` link, and sets
//! `isCancelable` (`true` while `authorized`, omitted once final). A payment that is paid or
//! authorized without a chosen method gets `creditcard`. A paid `first` payment gives its
//! customer a `valid` mandate, as at Mollie, and links it (`mandateId`, `_links.mandate`):
//! a card mandate (`cardHolder` is the customer's name, `cardNumber` four digits,
//! `cardLabel`, `cardExpiryDate`, `cardFingerprint`) for a card payment or no method, a
//! PayPal mandate for PayPal, else a SEPA Direct Debit mandate (`NL55INGB0000000000`); when
//! the store is full ([`MockConfig::max_objects`]) the change is refused with a 422.
//!
//! Each change then sends, in the background (never holding up the answer):
//!
//! - the **classic webhook**, when the payment has a `webhookUrl`: `POST` with
//!   `Content-Type: application/x-www-form-urlencoded`, `User-Agent: Mollie HTTP client/1.0
//!   (mollie-mock)` and the body `id=tr_...`;
//! - with a [`MockConfig::webhook_signing_secret`], the **next-gen event** to
//!   [`MockConfig::event_webhook_url`] (else to the payment's `webhookUrl`, if any): `POST`
//!   with `Content-Type: application/json`, `X-Mollie-Signature: sha256=<hex HMAC-SHA256 of
//!   the exact body>` and `{"resource": "event", "id": "event_...", "type": "payment.paid",
//!   "entityId": "tr_...", "createdAt": ..., "_embedded": {"entity": <the payment>},
//!   "_links": {"self", "entity", "documentation"}}` (`type` is `payment.<new status>`;
//!   the mock does not serve the `self` link).
//!
//! An attempt succeeds on any 2xx answer; anything else (another status, a redirect, which
//! is not followed, a refused connection, no answer within [`MockConfig::webhook_timeout`],
//! 15 s by default) fails, and the delivery is tried again after the next delay of
//! [`MockConfig::webhook_retry_delays`]: by default 1, 5, 15 and 30 minutes, then 1, 2, 4, 8
//! and 10 hours, 10 attempts over about 26 hours as at Mollie. Tests shorten the schedule.
//! Deliveries wait in one queue, by when their next attempt is due on the mock's clock (see
//! [Time](#time)), and 16 workers send them, so a receiver that hangs holds one worker for
//! an attempt's timeout and never the others. The queue is bounded in bytes
//! ([`MockConfig::max_webhook_queue_bytes`], 64 MiB by default): a delivery that finds it
//! full is not sent, and is logged as `failed` with the reason.
//! Every delivery and attempt is logged (`GET /__mock/webhooks`,
//! [`MockServer::webhook_deliveries`]); [`MockServer::webhooks_settled`] waits until none is
//! pending. Deliveries stop when the log is cleared, the mock is reset, or the server is
//! dropped or shut down ([`MockServer::shutdown`] also waits for them to end), so none
//! reaches the network after a test.
//!
//! # Time
//!
//! The mock's now is [`MockConfig::clock`] (the system clock by default) plus an offset that
//! `POST /__mock/clock`, [`MockServer::advance_clock`] and [`MockServer::set_clock`] grow; it
//! never goes back. Everything follows it: `createdAt` and the other timestamps, the expiry
//! of open payments (15 minutes), the idempotency window, the webhook retry schedule, and
//! these, run in time order by each move of the clock (and, as the wall clock moves it,
//! before every request and once a second), each stamped with its own time:
//!
//! - **Subscriptions charge on their days.** An `active` subscription makes a `recurring`
//!   payment (`subscriptionId` set, its `amount`, `description`, `metadata` and
//!   `webhookUrl`) at 00:00 UTC of its `nextPaymentDate` (right after the request, when that
//!   day has begun), on its own mandate or else the customer's newest valid mandate of its
//!   `method`. Then `nextPaymentDate` moves by `interval` from `startDate` (the same day of
//!   the month, a shorter month's last day, or every month's last day when `startDate` is
//!   one, as Mollie documents), `timesRemaining` counts down, and after `times` payments the
//!   subscription is `completed`. In test mode it is `canceled` after 10 payments, as
//!   Mollie's spec says. With no valid mandate to charge it becomes `suspended` until one is
//!   valid again (a mandate created by the API, or by a paid `first` payment), which also
//!   starts a `pending` subscription.
//! - **Direct debits settle after business days.** A recurring SEPA Direct Debit payment
//!   (a subscription's or one made by the API) is `pending`, with the `details` Mollie shows:
//!   `transferReference`, `creditorIdentifier`, the mandate's `consumerName`,
//!   `consumerAccount`, `consumerBic` and `signatureDate`, and `dueDate` the next business
//!   day (the spec's example). One business day after `dueDate` ("Status is updated 1
//!   business day after direct debit date", Mollie's help centre) it becomes `paid`, or
//!   `failed` with `details.bankReasonCode` and `bankReason` when
//!   `POST /__mock/subscriptions/{id}/fail-next` (or
//!   [`MockServer::fail_next_subscription_payment`]) said so (`AM04`, insufficient funds,
//!   by default). A failing card or PayPal charge fails at once with a `statusReason`.
//!   Business days are Monday to Friday; bank holidays are not known.
//! - **Open payments expire** 15 minutes after creation (`expired`, `expiredAt`).
//! - **Webhooks** go out for each: a subscription's new payment, its settlement or failure,
//!   an expiry, as for any status change (see [Webhooks](#webhooks)).
//!
//! Mollie's other rules hold: a subscription needs a valid mandate (or a pending one: it is
//! `pending` then), else 422 on `mandateId`; its `description` is unique among the
//! customer's running subscriptions; revoking its mandate cancels it (and those without a
//! mandate of their own that no other valid mandate can charge); deleting the customer
//! cancels them all (they stay in `GET /v2/subscriptions`); a canceled or completed
//! subscription charges nothing and cannot be updated or canceled (422 on `status`). An
//! update of `interval` keeps the next payment's day and counts from it; a new `startDate`
//! (today or later) is the next payment's day.
//!
//! ```
//! # async fn demo() -> std::io::Result<()> {
//! use std::time::Duration;
//!
//! let server = mollie_mock::MockServer::start().await?;
//! let before = server.now();
//! // With a customer, a mandate and a monthly subscription of `"times": 3`, this would make
//! // its payments, settle them and send their webhooks; here there is nothing to charge.
//! let report = server.advance_clock(Duration::from_secs(120 * 24 * 3600)).await;
//! assert_eq!((report.charged, report.settled), (0, 0));
//! assert!(server.now() >= before + Duration::from_secs(120 * 24 * 3600));
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! # Refunds and chargebacks
//!
//! `POST /__mock/refunds/{refundId}/status` with `{"status": S}` (no auth; either mode), or
//! [`MockServer::set_refund_status`], moves a refund as Mollie's bank processing would:
//!
//! | From | May become |
//! |---|---|
//! | `queued` | `pending`, `processing`, `refunded`, `failed` |
//! | `pending` | `queued` (lack of balance), `processing`, `refunded`, `failed` |
//! | `processing` | `refunded`, `failed` |
//! | `refunded`, `failed` (final) | nothing |
//!
//! (`canceled` is the API's *Cancel refund*.) A refused change is a 422 on `status`; an
//! unknown refund a 404. A failed refund no longer counts in the payment's `amountRefunded`.
//! Each change sends the payment's webhooks as Mollie's refunds guide lists them: the
//! classic webhook (`id=tr_...`, to the payment's `webhookUrl`) when the refund becomes
//! `processing`, `refunded` or `failed`, and, with a signing secret, a `refund.<status>`
//! event (entity: the refund) for every change, *Cancel refund* included
//! (`refund.canceled`). Creating a refund sends nothing.
//!
//! `POST /__mock/payments/{paymentId}/chargebacks` (or [`MockServer::create_chargeback`])
//! charges a paid payment back: 422 on `status` for a payment that is not paid, on `amount`
//! for more than is not charged back yet (or nothing left), on `amount.currency` for another
//! currency, on `reason` for a reason without `code` and `description`.
//! `POST /__mock/chargebacks/{chargebackId}/reverse` (or [`MockServer::reverse_chargeback`])
//! reverses one (422 on `reversedAt` when it is already). Both send the classic webhook and a
//! `chargeback.received` or `chargeback.reversed` event.
//!
//! ```
//! # async fn demo() -> std::io::Result<()> {
//! use std::time::Duration;
//!
//! let server = mollie_mock::MockConfig::new()
//!     .webhook_retry_delays([Duration::ZERO, Duration::from_millis(5)])
//!     .webhook_timeout(Duration::from_secs(2))
//!     .webhook_signing_secret("whsec_for_tests")
//!     .start()
//!     .await?;
//! // Create a payment with a `webhookUrl`, then:
//! // POST {url}/__mock/payments/tr_.../status {"status": "paid"}
//! assert!(server.webhook_deliveries().is_empty());
//! server.shutdown().await;
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! # State
//!
//! What the mock stores is one JSON document, to set a scene up and keep it: `GET
//! /__mock/state` ([`MockServer::export_state`]) returns it, `PUT /__mock/state`
//! ([`MockServer::import_state`]) replaces every stored object with those of one, and the
//! program starts from one (`--seed FILE`) or keeps its state in one across restarts
//! (`--state FILE`: loaded at start if it exists, else the seed is; written on shutdown by
//! Ctrl-C or SIGTERM).
//!
//! ```json
//! {
//!   "version": 1,
//!   "clockOffsetSeconds": 2678400,
//!   "customers": [{"resource": "customer", "id": "cst_8wmqcHMN4U", "mode": "test",
//!                  "name": "Jane Doe", "email": null, "locale": null, "metadata": null,
//!                  "createdAt": "2026-01-05T10:00:00+00:00"}],
//!   "mandates": [], "payments": [], "subscriptions": [], "refunds": [], "chargebacks": []
//! }
//! ```
//!
//! - `version` is 1 (the default when absent); `clockOffsetSeconds` is how far the
//!   [clock](#time) was moved. An import moves the clock forward to it; an offset behind the
//!   clock's leaves the clock as it is (time never goes back).
//! - Each list holds objects as the API shows them, of both modes, oldest first, without
//!   `_links`. What the API works out (`amountRefunded`, `amountRemaining`,
//!   `amountChargedBack`, `settlementAmount`, `isCancelable`, `timesRemaining` of a
//!   subscription that has `times`, `resource`) is ignored on import and worked out again.
//!   Under `_mock` is the little only the mock knows: a payment's `failsWith` (the bank
//!   reason its direct debit will fail with), a subscription's `failNext`, `paymentsMade`
//!   (when not its payments or `times` less `timesRemaining`), `scheduleAnchor`
//!   (`{"date", "paymentNumber", "dayOfMonth"}`: the day its schedule counts from, when that
//!   is not its next payment's; `dayOfMonth`, 1 to 31, only when a monthly schedule charges
//!   on another day than the date's own, e.g. the 30th from 28 February) and `profileId`
//!   (when not the mock's).
//! - Records refer to each other by id, as in the API: a mandate to its `customerId`, a
//!   payment to its `customerId`, `mandateId` and `subscriptionId`, a refund or chargeback
//!   to its `paymentId`. A mandate, a subscription that runs, a refund and a chargeback need
//!   theirs in the document; a payment or an ended subscription may name a customer that is
//!   not (a deleted customer's payments stay, as at Mollie).
//! - Importing plans again what is due later: pending direct debits settle a business day
//!   after `details.dueDate`, open payments expire at `expiresAt`, active subscriptions
//!   charge on `nextPaymentDate`; what is overdue runs at the next request. No webhook is
//!   sent for the import itself. Idempotency keys, the request log, queued faults and
//!   webhook deliveries are not part of the state and stay as they are.
//! - Anything wrong is a 422 whose `field` is the path to it (`payments[2].amount.value`,
//!   `mandates[0].customerId`, `customers[1].id` for an id used twice), and nothing
//!   changes; a body that is not JSON is a 400, one over [`MockConfig::max_body_bytes`] (the
//!   program: `--max-body-bytes`) a 413. Export, reset, import and export again gives the
//!   same JSON.
//!
//! A seed gives only what it needs: ids where other records refer to them (else new ones
//! are made), and what has no default. The rest is what the API would have set, with
//! `mode` `test` (a mandate's, payment's or subscription's: its customer's), `createdAt` now:
//!
//! | Record | Needs | Defaults |
//! |---|---|---|
//! | customer | nothing | `name`, `email`, `locale`, `metadata` none |
//! | mandate | `customerId`, `method`, `details` | `status` `valid`, `signatureDate` the day of `createdAt`, `scopes` `["customer-not-present"]` |
//! | payment | `amount`, `description` (and `customerId` for `first` and `recurring`) | `status` `open` (expiring 15 minutes after `createdAt`), `sequenceType` `oneoff`, `profileId` the mock's, the time of its status (`paidAt`, ...) `createdAt`; a pending direct debit's `details` from its mandate |
//! | subscription | `customerId`, `amount`, `interval`, `description` | `status` `active`, `startDate` today, `nextPaymentDate` the first day of its schedule from today (none once ended), `canceledAt` `createdAt` when canceled |
//! | refund | `paymentId`, `amount` | `status` `pending`, `description` `""` |
//! | chargeback | `paymentId` | `amount` the payment's |
//!
//! ```json
//! {
//!   "customers": [{"id": "cst_jane", "name": "Jane Doe", "email": "jane@example.org"}],
//!   "mandates": [{"customerId": "cst_jane", "method": "directdebit",
//!                 "details": {"consumerName": "Jane Doe", "consumerAccount": "NL55INGB0000000000"}}],
//!   "subscriptions": [{"customerId": "cst_jane", "amount": {"currency": "EUR", "value": "25.00"},
//!                      "interval": "1 month", "description": "Gold plan"}],
//!   "payments": [{"customerId": "cst_jane", "amount": {"currency": "EUR", "value": "10.00"},
//!                 "description": "Order 1", "status": "paid"}]
//! }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod amounts;
mod app;
mod auth;
mod clock;
mod conn;
mod control;
mod dispatch;
mod errors;
mod expand;
mod faults;
mod handlers;
mod idempotency;
mod ids;
mod links;
mod lists;
mod log;
mod payment_state;
mod rate_limit;
mod refund_state;
mod schedule;
mod state;
mod store;
mod subscription_state;
mod tls;
mod usage;
mod validate;
mod webhooks;
mod wire;

use std::future::Future;
use std::hash::RandomState;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use mollie_models::webhooks::SigningSecret;
use mollie_models::{
    Chargeback, ErrorResponse, Money, Payment, PaymentStatus, ProfileId, Refund, RefundStatus,
};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

pub use clock::Clock;
pub use faults::FaultSyntaxError;
pub use log::RecordedRequest;
pub use rate_limit::RateLimit;
pub use schedule::ClockReport;
pub use usage::MemoryUsage;
pub use webhooks::{DeliveryAttempt, DeliveryKind, DeliveryOutcome, WebhookDelivery};

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
    max_object_bytes: usize,
    max_body_bytes: usize,
    max_logged_requests: usize,
    max_log_bytes: usize,
    idempotency_ttl: Duration,
    max_idempotency_bytes: usize,
    profile_id: ProfileId,
    clock: Clock,
    webhooks: webhooks::WebhookSettings,
    tls: bool,
    rate_limit: Option<RateLimit>,
    conn: conn::ConnLimits,
}

impl std::fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockConfig")
            .field("addr", &self.addr)
            .field("max_objects", &self.max_objects)
            .field("max_object_bytes", &self.max_object_bytes)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_logged_requests", &self.max_logged_requests)
            .field("max_log_bytes", &self.max_log_bytes)
            .field("idempotency_ttl", &self.idempotency_ttl)
            .field("max_idempotency_bytes", &self.max_idempotency_bytes)
            .field("profile_id", &self.profile_id)
            .field("webhook_retry_delays", &self.webhooks.retry_delays)
            .field("webhook_timeout", &self.webhooks.timeout)
            // `SigningSecret`'s Debug shows no secret.
            .field("webhook_signing_secret", &self.webhooks.signing_secret)
            .field("event_webhook_url", &self.webhooks.event_url)
            .field("tls_self_signed", &self.tls)
            .field("rate_limit", &self.rate_limit)
            .field("header_timeout", &self.conn.header_timeout)
            .field("body_timeout", &self.conn.body_timeout)
            .field("idle_timeout", &self.conn.idle_timeout)
            .field("max_connections", &self.conn.max_connections)
            .field("max_uri_bytes", &self.conn.max_uri_bytes)
            .field("max_header_bytes", &self.conn.max_header_bytes)
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
    /// 10 000 logged requests, a 24-hour idempotency window with 64 MiB for the keys, the
    /// system clock; webhooks retried like Mollie's (see
    /// [`MockConfig::webhook_retry_delays`]) with a 15-second timeout, no next-gen events,
    /// no rate limit; and the limits of [Connections](crate#connections): a 10 s header
    /// timeout, a 30 s body timeout, a 60 s idle timeout, 1 000 connections, 32 KiB request
    /// targets and 64 KiB of headers.
    pub fn new() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            max_objects: 100_000,
            max_object_bytes: 256 << 20,
            max_body_bytes: 64 * 1024,
            max_logged_requests: 10_000,
            max_log_bytes: 64 << 20,
            idempotency_ttl: Duration::from_secs(24 * 60 * 60),
            max_idempotency_bytes: 64 << 20,
            profile_id: default_profile(),
            clock: clock::system(),
            webhooks: webhooks::WebhookSettings::default(),
            tls: false,
            rate_limit: None,
            conn: conn::ConnLimits::default(),
        }
    }

    /// The address to listen on (port 0: any free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The most customers, mandates, payments, refunds, chargebacks and subscriptions
    /// stored together (default 100 000).
    pub fn max_objects(mut self, max: usize) -> Self {
        self.max_objects = max;
        self
    }

    /// How much memory the stored objects may take (estimated from each record, its strings
    /// and its JSON values such as `metadata` and a payment's `lines`; default 256 MiB). A
    /// full store answers a new object with a 422 (a subscription's due payment is not made
    /// and the subscription is `suspended`) until objects are deleted or the mock is reset.
    pub fn max_object_bytes(mut self, max: usize) -> Self {
        self.max_object_bytes = max;
        self
    }

    /// The largest request body accepted.
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// How many requests `GET /__mock/requests` keeps (the most recent ones; default
    /// 10 000).
    pub fn max_logged_requests(mut self, max: usize) -> Self {
        self.max_logged_requests = max;
        self
    }

    /// How much memory the request log may take (estimated; default 64 MiB): the oldest
    /// requests are dropped first, so that large bodies, query strings or headers cannot
    /// exhaust the server. An entry counts generously: its JSON body 16 times (a parsed body
    /// can take that much more than its text), every string it keeps twice (path, query
    /// string, headers, idempotency key, fault), plus a few hundred bytes; so both the log's
    /// memory and its JSON in `GET /__mock/requests` stay within the bound. An entry larger
    /// than the whole bound is not kept. See [`MockServer::memory`].
    pub fn max_log_bytes(mut self, max: usize) -> Self {
        self.max_log_bytes = max;
        self
    }

    /// How long an idempotency key is remembered (default 24 hours; Mollie does not publish
    /// its window). A key is never forgotten earlier; see
    /// [`MockConfig::max_idempotency_bytes`].
    pub fn idempotency_ttl(mut self, ttl: Duration) -> Self {
        self.idempotency_ttl = ttl;
        self
    }

    /// How much memory the idempotency keys may take (default 64 MiB): each key counts its
    /// real size (the key, its fingerprint, the stored answer's body and headers, and the
    /// bookkeeping). Keys are never forgotten within [`MockConfig::idempotency_ttl`]; when
    /// the budget is full, expired keys make room, and otherwise a request with a new key is
    /// refused with a 503 and `Retry-After` and not executed. See [The API](crate#the-api)
    /// (**Idempotency**).
    pub fn max_idempotency_bytes(mut self, max: usize) -> Self {
        self.max_idempotency_bytes = max;
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

    /// The waits before each retry of a webhook whose attempt failed (no 2xx answer within
    /// the timeout): one attempt more than there are delays, so an empty list means a single
    /// attempt. The default resembles Mollie's 10 attempts over about 26 hours: 1, 5, 15 and
    /// 30 minutes, then 1, 2, 4, 8 and 10 hours (25 h 51 min in all). Tests shorten it, e.g.
    /// to `[Duration::ZERO, Duration::from_millis(5)]`.
    pub fn webhook_retry_delays(mut self, delays: impl IntoIterator<Item = Duration>) -> Self {
        self.webhooks.retry_delays = delays.into_iter().collect();
        self
    }

    /// How long one webhook attempt may take before it counts as failed (Mollie: 15 s).
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.webhooks.timeout = timeout;
        self
    }

    /// The signing secret of next-gen webhooks. With it, every status change also sends a
    /// JSON event signed with it in `X-Mollie-Signature` (to [`MockConfig::event_webhook_url`],
    /// or else to the payment's `webhookUrl`). It never appears in `Debug` output or logs.
    pub fn webhook_signing_secret(mut self, secret: impl Into<String>) -> Self {
        self.webhooks.signing_secret = Some(SigningSecret::new(secret));
        self
    }

    /// How much memory the webhook deliveries waiting for an attempt may take (their bodies,
    /// URLs and bookkeeping; default 64 MiB). A delivery that finds the queue full is not
    /// sent: it is logged as failed, with the reason in its attempt. See
    /// [Webhooks](crate#webhooks).
    pub fn max_webhook_queue_bytes(mut self, max: usize) -> Self {
        self.webhooks.max_queued_bytes = max;
        self
    }

    /// Where next-gen events go, for every payment, like a webhook subscribed for the whole
    /// profile at Mollie (only sent with a [`MockConfig::webhook_signing_secret`]). Without
    /// it, events go to each payment's own `webhookUrl`.
    pub fn event_webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhooks.event_url = Some(url.into());
        self
    }

    /// Serves HTTPS instead of HTTP, with a certificate made at start for `localhost`,
    /// `127.0.0.1` and `::1` and signed by its own key: [`MockServer::url`] is then
    /// `https://...`, links in bodies are too, and clients trust
    /// [`MockServer::certificate_pem`]. See [HTTPS](crate#https).
    pub fn tls_self_signed(mut self) -> Self {
        self.tls = true;
        self
    }

    /// Limits the API requests of each credential (API key or access token) to a token
    /// bucket: beyond it, 429 with Mollie's error body and `Retry-After`. Off by default. See
    /// [Rate limits](crate#rate-limits).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// How long a client may take to send a request's head (request line and headers):
    /// a new connection from when it is accepted (a TLS handshake included), a later request
    /// on a kept-alive connection from its first byte. Default 10 s. A connection that takes
    /// longer is closed without an answer. See [Connections](crate#connections).
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.conn.header_timeout = timeout;
        self
    }

    /// How long a client may take to send a request's body, from its head. Default 30 s.
    /// Beyond it the mock answers 408 with Mollie's error body and closes the connection;
    /// the request is not processed. See [Connections](crate#connections).
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.conn.body_timeout = timeout;
        self
    }

    /// How long a kept-alive connection may wait for its next request (default 60 s),
    /// after which the mock closes it; also how long a response may wait for the client to
    /// read it. See [Connections](crate#connections).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.conn.idle_timeout = timeout;
        self
    }

    /// How many connections are served at once (default 1 000, at least 1, and at most the
    /// process's open-file limit less 64). A connection beyond it makes room by closing the
    /// oldest one that is not in a request. See [Connections](crate#connections).
    pub fn max_connections(mut self, max: usize) -> Self {
        self.conn.max_connections = max;
        self
    }

    /// The longest request target (path and query string) accepted, in bytes (default
    /// 32 KiB; at most 65 534, the longest the HTTP library parses). Longer: 414 with
    /// Mollie's error body. See [Connections](crate#connections).
    pub fn max_uri_bytes(mut self, max: usize) -> Self {
        self.conn.max_uri_bytes = max;
        self
    }

    /// The most bytes of header lines a request may have (default 64 KiB; the request line
    /// is not counted). More: 431 with Mollie's error body. See
    /// [Connections](crate#connections).
    pub fn max_header_bytes(mut self, max: usize) -> Self {
        self.conn.max_header_bytes = max;
        self
    }

    /// Binds the address and starts serving on the current tokio runtime.
    ///
    /// # Errors
    /// When the address cannot be bound, or (with TLS) the certificate cannot be made.
    pub async fn start(self) -> io::Result<MockServer> {
        let tls = if self.tls {
            Some(tls::self_signed()?)
        } else {
            None
        };
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let (acceptor, certificate_pem) = match tls {
            Some(t) => (Some(t.acceptor), Some(t.certificate_pem)),
            None => (None, None),
        };
        let clock = Arc::new(clock::VirtualClock::new(self.clock));
        let webhooks = Arc::new(webhooks::Webhooks::new(self.webhooks, clock.clone()));
        let app = Arc::new(App {
            settings: Settings {
                max_body_bytes: self.max_body_bytes,
                idempotency_ttl: self.idempotency_ttl,
                profile_id: self.profile_id,
            },
            clock,
            local_addr: addr,
            scheme,
            hasher: RandomState::new(),
            store: Mutex::new(store::Store::new(self.max_objects, self.max_object_bytes)),
            idempotency: Mutex::new(idempotency::Idempotency::new(self.max_idempotency_bytes)),
            faults: Mutex::new(faults::FaultQueue::default()),
            log: Mutex::new(log::RequestLog::new(
                self.max_logged_requests,
                self.max_log_bytes,
            )),
            release: Notify::new(),
            webhooks,
            rate_limit: Mutex::new(self.rate_limit.map(rate_limit::Limiter::new)),
        });
        let router = Router::new()
            .fallback(dispatch::dispatch)
            .with_state(app.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let listener = conn::MockListener::new(listener, acceptor, self.conn);
        let task = tokio::spawn(serve(listener, router, async {
            let _ = stopped.await;
        }));
        let ticker = tokio::spawn(schedule::tick(Arc::downgrade(&app)));
        Ok(MockServer {
            addr,
            url: format!("{scheme}://{addr}"),
            certificate_pem,
            app,
            stop: Some(stop),
            task: Some(task),
            ticker,
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
    certificate_pem: Option<String>,
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
    /// Runs what falls due as the wall clock moves the mock's time.
    ticker: JoinHandle<()>,
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

    /// The base URL, e.g. `http://127.0.0.1:41234`, or `https://127.0.0.1:41234` with
    /// [`MockConfig::tls_self_signed`] (the API is under `/v2`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// With [`MockConfig::tls_self_signed`], the server's certificate in PEM
    /// (`-----BEGIN CERTIFICATE-----...`), for clients to trust as a root; `None` over plain
    /// HTTP. It is public: no key is in it.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Forgets all objects, idempotency keys, queued faults, logged requests, webhook
    /// deliveries (those in progress are canceled) and the buckets of the rate limit.
    pub fn reset(&self) {
        self.app.reset();
    }

    /// Sets (or, with `None`, lifts) the rate limit per credential while the server runs,
    /// e.g. to set a scene up at full speed and then play a throttled batch against it.
    /// Every bucket starts full.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        *lock(&self.app.rate_limit) = limit.map(rate_limit::Limiter::new);
    }

    /// Changes the status of a payment, as `POST /__mock/payments/{paymentId}/status` does,
    /// and sends its webhooks. `status` is `paid`, `failed`, `canceled`, `expired` or
    /// `authorized` (a [`PaymentStatus`] or its name). Returns the payment as the API now
    /// shows it (links on [`MockServer::url`]).
    ///
    /// ```
    /// # async fn demo() -> std::io::Result<()> {
    /// use mollie_models::PaymentStatus;
    ///
    /// let server = mollie_mock::MockServer::start().await?;
    /// let error = server
    ///     .set_payment_status("tr_unknown", PaymentStatus::Paid)
    ///     .expect_err("no such payment");
    /// assert_eq!(error.status, 404);
    /// let error = server.set_payment_status("tr_unknown", "paid").expect_err("no such payment");
    /// assert_eq!(error.status, 404);
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
    /// ```
    ///
    /// # Errors
    /// Mollie's error body: 404 for an unknown payment, 422 (`field`: `status`) for a status
    /// that cannot be set or a payment that cannot move to it.
    pub fn set_payment_status(
        &self,
        payment_id: impl AsRef<str>,
        status: impl Into<PaymentStatus>,
    ) -> Result<Payment, Box<ErrorResponse>> {
        let status = status.into();
        self.app
            .set_payment_status(payment_id.as_ref(), status.as_str(), &self.url)
            .map_err(|e| Box::new(e.to_error_response()))
    }

    /// Changes the status of a refund, as `POST /__mock/refunds/{refundId}/status` does:
    /// `queued`, `pending`, `processing`, `refunded` or `failed` (a [`RefundStatus`] or its
    /// name; cancel with the API's `DELETE`). A failed refund gives its amount back to the
    /// payment's `amountRemaining`. Sends the payment's webhooks as Mollie does (the classic
    /// one for `processing`, `refunded` and `failed`; a `refund.<status>` event for every
    /// change). Returns the refund as the API now shows it.
    ///
    /// # Errors
    /// Mollie's error body: 404 for an unknown refund, 422 (`field`: `status`) for a status
    /// that cannot be set or a refund that cannot move to it.
    pub fn set_refund_status(
        &self,
        refund_id: impl AsRef<str>,
        status: impl Into<RefundStatus>,
    ) -> Result<Refund, Box<ErrorResponse>> {
        let status = status.into();
        self.app
            .set_refund_status(refund_id.as_ref(), status.as_str(), &self.url)
            .map_err(|e| Box::new(e.to_error_response()))
    }

    /// Makes a chargeback of a paid payment, as `POST /__mock/payments/{paymentId}/chargebacks`
    /// does: of `amount` (`None`: all that is not charged back yet), in the payment's
    /// currency. The payment then shows `amountChargedBack` (and less `amountRemaining`), and
    /// its webhooks are sent (`chargeback.received`).
    ///
    /// ```
    /// # async fn demo() -> std::io::Result<()> {
    /// let server = mollie_mock::MockServer::start().await?;
    /// let error = server.create_chargeback("tr_unknown", None).expect_err("no such payment");
    /// assert_eq!(error.status, 404);
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
    /// ```
    ///
    /// # Errors
    /// Mollie's error body: 404 for an unknown payment; 422 for a payment that is not paid
    /// (`status`), an amount in another currency (`amount.currency`) or above what is not
    /// charged back yet (`amount`), or a full store.
    pub fn create_chargeback(
        &self,
        payment_id: impl AsRef<str>,
        amount: Option<Money>,
    ) -> Result<Chargeback, Box<ErrorResponse>> {
        let mut body = validate::Body::new();
        if let Some(amount) = amount {
            body.insert(
                "amount".to_owned(),
                serde_json::to_value(amount).unwrap_or_default(),
            );
        }
        self.app
            .create_chargeback(payment_id.as_ref(), &body, &self.url)
            .map_err(|e| Box::new(e.to_error_response()))
    }

    /// Reverses a chargeback, as `POST /__mock/chargebacks/{chargebackId}/reverse` does: it
    /// gets a `reversedAt`, its amount goes back to the payment, and the payment's webhooks
    /// are sent (`chargeback.reversed`).
    ///
    /// # Errors
    /// Mollie's error body: 404 for an unknown chargeback, 422 (`field`: `reversedAt`) for
    /// one that is reversed already.
    pub fn reverse_chargeback(
        &self,
        chargeback_id: impl AsRef<str>,
    ) -> Result<Chargeback, Box<ErrorResponse>> {
        self.app
            .reverse_chargeback(chargeback_id.as_ref(), &self.url)
            .map_err(|e| Box::new(e.to_error_response()))
    }

    /// The mock's time: the configured clock ([`MockConfig::clock`]) plus however far
    /// [`MockServer::advance_clock`] and [`MockServer::set_clock`] moved it.
    pub fn now(&self) -> SystemTime {
        self.app.now()
    }

    /// Moves the mock's clock forward by `by` and runs what would have happened in that
    /// time, in order: subscriptions make their payments on their days, direct debits settle
    /// (or fail), open payments expire, and the webhooks of each go out (retries follow the
    /// mock's clock too). See [Time](crate#time).
    ///
    /// ```
    /// # async fn demo() -> std::io::Result<()> {
    /// use std::time::Duration;
    ///
    /// let server = mollie_mock::MockServer::start().await?;
    /// let before = server.now();
    /// let report = server.advance_clock(Duration::from_secs(31 * 24 * 3600)).await;
    /// assert!(server.now() >= before + Duration::from_secs(31 * 24 * 3600));
    /// assert_eq!(report.charged, 0); // no subscriptions yet
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn advance_clock(&self, by: Duration) -> ClockReport {
        self.app.advance_clock(by)
    }

    /// Moves the mock's clock forward to `to`, running what falls due as
    /// [`MockServer::advance_clock`] does.
    ///
    /// # Errors
    /// Mollie's error body, 422 on `now`, when `to` is before the mock's now (its time only
    /// moves forward) or after 9999-12-31T23:59:59Z (the last time Mollie's formats write).
    pub async fn set_clock(&self, to: SystemTime) -> Result<ClockReport, Box<ErrorResponse>> {
        self.app
            .set_clock(to, "now")
            .map_err(|e| Box::new(e.to_error_response()))
    }

    /// Makes the next payment of a subscription fail, as
    /// `POST /__mock/subscriptions/{subscriptionId}/fail-next` does: a direct debit fails
    /// when it would have settled, with `details.bankReasonCode` `reason` (a SEPA reason
    /// code, `AM04` "Insufficient funds" by default) and its `bankReason`; a card or PayPal
    /// payment fails at once with a `statusReason`.
    ///
    /// # Errors
    /// Mollie's error body: 404 for an unknown subscription, 422 for one that is canceled or
    /// completed, or a reason that is not four letters and digits.
    pub fn fail_next_subscription_payment(
        &self,
        subscription_id: impl AsRef<str>,
        reason: Option<&str>,
    ) -> Result<(), Box<ErrorResponse>> {
        self.app
            .fail_next(subscription_id.as_ref(), reason)
            .map_err(|e| Box::new(e.to_error_response()))
    }

    /// The webhook deliveries, oldest first (the most recent 10 000).
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.app.webhooks.deliveries()
    }

    /// Empties the webhook delivery log and cancels the deliveries in progress.
    pub fn clear_webhook_deliveries(&self) {
        self.app.webhooks.clear();
    }

    /// Waits until no webhook delivery is in progress: each was delivered, failed every
    /// attempt of its schedule, or was canceled. With the default schedule that can take a
    /// day; wrap it in a timeout.
    pub async fn webhooks_settled(&self) {
        self.app.webhooks.idle().await;
    }

    /// The logged requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.app.log).snapshot()
    }

    /// What the stores bounded in bytes (request log, idempotency keys, webhook queue) take
    /// now, by the mock's own accounting, with their bounds.
    ///
    /// ```
    /// # async fn demo() -> std::io::Result<()> {
    /// let server = mollie_mock::MockConfig::new().max_log_bytes(1 << 20).start().await?;
    /// let memory = server.memory();
    /// assert_eq!((memory.request_log_bytes, memory.request_log_max_bytes), (0, 1 << 20));
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn memory(&self) -> MemoryUsage {
        MemoryUsage::of(&self.app)
    }

    /// The logged request numbered `seq` ([`RecordedRequest::seq`]), while the log holds it.
    /// Unlike [`MockServer::requests`] it copies one entry, not the whole log: for following
    /// the log as it grows (the program's `--log` does).
    pub fn request(&self, seq: u64) -> Option<RecordedRequest> {
        let mut found = None;
        lock(&self.app.log).update(seq, |entry| found = Some(entry.clone()));
        found
    }

    /// Everything the mock stores, and how far its clock was moved, as a
    /// [state document](crate#state), as `GET /__mock/state` returns it. What fell due by now
    /// runs first.
    ///
    /// ```
    /// # async fn demo() -> std::io::Result<()> {
    /// let server = mollie_mock::MockServer::start().await?;
    /// let state = server.export_state();
    /// assert_eq!(state["version"], 1);
    /// assert_eq!(state["customers"], serde_json::json!([]));
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn export_state(&self) -> serde_json::Value {
        self.app.catch_up();
        state::export(&self.app)
    }

    /// Replaces every stored object with those of a [state document](crate#state) (an
    /// export, or a seed that gives only what it needs), as `PUT /__mock/state` does, and
    /// moves the clock forward to its `clockOffsetSeconds` if that is ahead. Idempotency
    /// keys, the request log, queued faults and webhook deliveries stay.
    ///
    /// ```
    /// # async fn demo() -> std::io::Result<()> {
    /// let server = mollie_mock::MockServer::start().await?;
    /// server
    ///     .import_state(&serde_json::json!({
    ///         "version": 1,
    ///         "customers": [{"id": "cst_seeded1", "name": "Jane Doe"}],
    ///     }))
    ///     .expect("a valid seed");
    /// assert_eq!(server.export_state()["customers"][0]["mode"], "test");
    /// let error = server
    ///     .import_state(&serde_json::json!({"customers": [{"email": "nope"}]}))
    ///     .expect_err("a bad email");
    /// assert_eq!(error.field.as_deref(), Some("customers[0].email"));
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
    /// ```
    ///
    /// # Errors
    /// Mollie's error body, and nothing changes: 400 when `state` is not a JSON object, 422
    /// with the `field` (such as `payments[2].amount.value`) for a field that is wrong, an
    /// object that refers to one the document does not have, or more objects than
    /// [`MockConfig::max_objects`].
    pub fn import_state(&self, state: &serde_json::Value) -> Result<(), Box<ErrorResponse>> {
        state::import(&self.app, state)
            .map(|_| ())
            .map_err(|e| Box::new(e.to_error_response()))
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

    /// Stops accepting connections, cancels the webhook deliveries in progress, and waits
    /// until the open connections and the delivery tasks are done.
    pub async fn shutdown(mut self) {
        self.ticker.abort();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        // After the server: a request still being answered may have started a delivery.
        self.app.webhooks.stop();
        self.app.webhooks.join().await;
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.ticker.abort();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Delivery tasks end at their next step (a request in flight is dropped).
        self.app.webhooks.stop();
    }
}
