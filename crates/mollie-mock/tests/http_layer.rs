//! The HTTP layer over raw TCP: slow clients are cut off and cannot make the mock
//! unreachable, the connection limit holds, what hyper refuses is answered with Mollie's
//! error body, and `HEAD` works wherever `GET` does.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{Api, Req, TEST_KEY};
use mollie_mock::MockConfig;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout, timeout_at};

/// A response read off the wire.
#[derive(Debug)]
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {:?} {:?}",
                self.headers,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts Mollie's error body with `status`, as `application/hal+json`.
    fn assert_mollie_error(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "{:?}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.header("content-type"), Some("application/hal+json"));
        let body = self.json();
        assert_eq!(body["status"], status, "{body}");
        assert!(
            body["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{body}"
        );
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{body}"
        );
        assert_eq!(
            body["_links"]["documentation"]["type"], "text/html",
            "{body}"
        );
        assert!(
            body["_links"]["documentation"]["href"].is_string(),
            "{body}"
        );
        body
    }
}

/// One client connection, byte for byte.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> Self {
        Self {
            stream: TcpStream::connect(addr).await.expect("connects"),
            buf: Vec::new(),
        }
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("sends");
    }

    /// Reads more into the buffer; false at the end of the stream.
    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    /// The next response (without a body when it answers a `HEAD`), within 5 s.
    async fn response(&mut self, head: bool) -> Raw {
        timeout(Duration::from_secs(5), self.read_response(head))
            .await
            .expect("a response within 5 s")
            .expect("a whole response")
    }

    async fn read_response(&mut self, head: bool) -> Option<Raw> {
        let end = loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            if !self.fill().await {
                return None;
            }
        };
        let text = String::from_utf8_lossy(&self.buf[..end]).into_owned();
        self.buf.drain(..end + 4);
        let mut lines = text.split("\r\n");
        let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let length = if head { 0 } else { length };
        while self.buf.len() < length {
            if !self.fill().await {
                return None;
            }
        }
        let body = self.buf.drain(..length).collect();
        Some(Raw {
            status,
            headers,
            body,
        })
    }

    /// Whether the server closes the connection by `deadline` (what it sends meanwhile is
    /// read and dropped).
    async fn closed_by(&mut self, deadline: Instant) -> bool {
        let mut chunk = [0u8; 4096];
        loop {
            match timeout_at(deadline, self.stream.read(&mut chunk)).await {
                Ok(Ok(0) | Err(_)) => return true,
                Ok(Ok(_)) => {}
                Err(_) => return false,
            }
        }
    }
}

/// A `GET` of `path` on a new connection (no auth), with `Connection: close`.
async fn get(addr: SocketAddr, path: &str) -> Raw {
    let mut conn = Conn::open(addr).await;
    conn.send(format!("GET {path} HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n").as_bytes())
        .await;
    conn.response(false).await
}

/// Sends a request head one byte every 100 ms, forever; how long the mock took to close
/// the connection, or `None` if it did not within `limit`.
async fn trickle(addr: SocketAddr, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let stream = TcpStream::connect(addr).await.expect("connects");
    let (mut read, mut write) = stream.into_split();
    let head = b"GET /__mock/health HTTP/1.1\r\nHost: mock\r\nX-Slow: ";
    let mut bytes = head.iter().copied().chain(std::iter::repeat(b'a'));
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut chunk = [0u8; 1024];
    let deadline = started + limit;
    loop {
        tokio::select! {
            read = read.read(&mut chunk) => match read {
                Ok(0) | Err(_) => return Some(started.elapsed()),
                Ok(_) => {}
            },
            _ = tick.tick() => {
                let byte = bytes.next().unwrap_or(b'a');
                if write.write_all(&[byte]).await.is_err() {
                    return Some(started.elapsed());
                }
            }
            () = tokio::time::sleep_until(deadline) => return None,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_and_the_mock_stays_reachable() {
    let server = MockConfig::new()
        .header_timeout(Duration::from_millis(500))
        .start()
        .await
        .expect("starts");
    let addr = server.addr();
    let deadline = Instant::now() + Duration::from_secs(5);

    // 200 connections that never send a byte, 50 that send their head a byte per 100 ms.
    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(Conn::open(addr).await);
    }
    let tricklers: Vec<JoinHandle<Option<Duration>>> = (0..50)
        .map(|_| tokio::spawn(trickle(addr, Duration::from_secs(5))))
        .collect();

    // The mock still answers at once.
    let health = timeout(Duration::from_secs(1), get(addr, "/__mock/health"))
        .await
        .expect("the health check answers within a second");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");

    // The header timeout closes every trickling connection, and every silent one.
    for trickler in tricklers {
        let closed_after = trickler.await.expect("the trickler ran");
        let closed_after = closed_after.expect("a trickling connection is closed");
        assert!(
            closed_after >= Duration::from_millis(400),
            "closed after {closed_after:?}, before its header timeout"
        );
    }
    for mut conn in idle {
        assert!(
            conn.closed_by(deadline).await,
            "a silent connection is closed"
        );
    }
    // And it still answers.
    assert_eq!(get(addr, "/__mock/health").await.status, 200);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_connection_limit_the_oldest_waiting_connection_makes_room() {
    // Timeouts far away: what frees a slot here is the limit's own rule, not a timer.
    let server = MockConfig::new()
        .max_connections(20)
        .header_timeout(Duration::from_secs(60))
        .body_timeout(Duration::from_secs(60))
        .start()
        .await
        .expect("starts");
    let addr = server.addr();
    // The oldest connection is in a request: its head is in, its body still coming.
    let mut in_request = Conn::open(addr).await;
    let body = r#"{"name":"Kept"}"#;
    in_request
        .send(
            format!(
                "POST /v2/customers HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {TEST_KEY}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                body.len(),
                &body[..5]
            )
            .as_bytes(),
        )
        .await;
    // The mock reads that head long before the 19 connections below are all made: from then
    // on the connection is in a request.
    let mut silent = Vec::new();
    for _ in 0..19 {
        silent.push(Conn::open(addr).await);
    }
    // A 21st connection is served at once...
    let health = timeout(Duration::from_secs(2), get(addr, "/__mock/health"))
        .await
        .expect("answered while every slot was taken");
    assert_eq!(health.status, 200);
    // ...because the oldest silent one was closed, not the one in a request, and not the
    // younger silent ones.
    assert!(
        silent[0]
            .closed_by(Instant::now() + Duration::from_secs(2))
            .await
    );
    assert!(
        !silent[1]
            .closed_by(Instant::now() + Duration::from_millis(300))
            .await
    );
    in_request.send(&body.as_bytes()[5..]).await;
    let created = in_request.response(false).await;
    assert_eq!(created.status, 201, "the request in progress was cut");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_receiving_answers_is_not_taken_for_a_waiting_one() {
    let server = MockConfig::new()
        .max_connections(2)
        .header_timeout(Duration::from_secs(60))
        .idle_timeout(Duration::from_secs(60))
        .start()
        .await
        .expect("starts");
    let addr = server.addr();
    // The oldest connection pipelines requests and reads none of the answers, until the
    // mock's writes to it wait for the client.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("buffer");
    let receiving = socket.connect(addr).await.expect("connects");
    let request = format!(
        "GET /v2/customers HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {TEST_KEY}\r\n\r\n"
    )
    .repeat(20_000);
    let (mut reader, mut writer) = receiving.into_split();
    let writing = tokio::spawn(async move {
        let _ = writer.write_all(request.as_bytes()).await;
        writer
    });
    // Answered requests stop being counted once the mock's output waits for the client.
    let mut blocked = false;
    let mut last = 0;
    let until = Instant::now() + Duration::from_secs(10);
    while !blocked && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = server.requests().len();
        blocked = now == last && now > 0;
        last = now;
    }
    assert!(blocked, "the mock's writes never waited");
    // A younger, silent connection takes the other slot; a third arrives.
    let mut silent = Conn::open(addr).await;
    let health = timeout(Duration::from_secs(2), get(addr, "/__mock/health"))
        .await
        .expect("served while both slots were taken");
    assert_eq!(health.status, 200);
    // The silent one made room; the one receiving answers still gets them.
    assert!(
        silent
            .closed_by(Instant::now() + Duration::from_secs(2))
            .await
    );
    let mut chunk = [0u8; 4096];
    let n = timeout(Duration::from_secs(2), reader.read(&mut chunk))
        .await
        .expect("reads")
        .expect("reads");
    assert!(
        n > 0 && chunk.starts_with(b"HTTP/1.1 200"),
        "the answers were cut"
    );
    writing.abort();
    drop(server);
}

#[tokio::test]
async fn a_body_that_does_not_arrive_gets_a_408() {
    let server = MockConfig::new()
        .body_timeout(Duration::from_millis(300))
        .start()
        .await
        .expect("starts");
    let mut conn = Conn::open(server.addr()).await;
    conn.send(
        format!(
            "POST /v2/customers HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {TEST_KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\""
        )
        .as_bytes(),
    )
    .await;
    let response = conn.response(false).await;
    let body = response.assert_mollie_error(408);
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("body")));
    assert_eq!(response.header("connection"), Some("close"));
    assert!(
        conn.closed_by(Instant::now() + Duration::from_secs(3))
            .await
    );
    // Not processed: no customer was made; the log shows the 408.
    assert_eq!(
        get(server.addr(), "/__mock/health").await.json()["objects"],
        0
    );
    let log = server.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, Some(408));
    server.shutdown().await;
}

#[tokio::test]
async fn an_idle_connection_is_closed_and_a_slow_answer_is_not() {
    let server = MockConfig::new()
        .idle_timeout(Duration::from_millis(300))
        .start()
        .await
        .expect("starts");
    let addr = server.addr();
    let request = format!(
        "GET /v2/customers HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {TEST_KEY}\r\n\r\n"
    );
    let mut conn = Conn::open(addr).await;
    conn.send(request.as_bytes()).await;
    assert_eq!(conn.response(false).await.status, 200);
    // A next request within the idle timeout is served on the same connection.
    tokio::time::sleep(Duration::from_millis(100)).await;
    conn.send(request.as_bytes()).await;
    assert_eq!(conn.response(false).await.status, 200);
    // Then nothing: the mock closes it.
    let idle_from = Instant::now();
    assert!(conn.closed_by(idle_from + Duration::from_secs(3)).await);
    assert!(idle_from.elapsed() >= Duration::from_millis(250));

    // A request the mock takes longer than the idle timeout to answer is answered.
    let mut slow = Conn::open(addr).await;
    slow.send(
        format!(
            "GET /v2/customers HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {TEST_KEY}\r\nX-Mock-Fault: delay-ms=1000\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(slow.response(false).await.status, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn what_hyper_refuses_gets_mollies_error_body() {
    let server = MockConfig::new().start().await.expect("starts");
    let addr = server.addr();
    let auth = format!("Authorization: Bearer {TEST_KEY}\r\n");
    let cases: Vec<(String, Vec<u8>, u16)> =
        vec![
        (
            "a request line that is not one".into(),
            b"GARBAGE\r\n\r\n".to_vec(),
            400,
        ),
        (
            "a header line without a colon".into(),
            format!("GET /v2/customers HTTP/1.1\r\nHost: mock\r\n{auth}Bad Header\r\n\r\n")
                .into_bytes(),
            400,
        ),
        (
            "a control character in a header".into(),
            format!("GET /v2/customers HTTP/1.1\r\nHost: mock\r\nX-A: a\x01b\r\n{auth}\r\n")
                .into_bytes(),
            400,
        ),
        (
            "an invalid Content-Length".into(),
            format!("POST /v2/customers HTTP/1.1\r\nHost: mock\r\n{auth}Content-Length: 1x\r\n\r\n")
                .into_bytes(),
            400,
        ),
        (
            "a Transfer-Encoding that does not end in chunked".into(),
            format!(
                "POST /v2/customers HTTP/1.1\r\nHost: mock\r\n{auth}Transfer-Encoding: gzip\r\n\r\n"
            )
            .into_bytes(),
            400,
        ),
        (
            "an unknown HTTP version".into(),
            b"GET /v2/customers HTTP/9.9\r\nHost: mock\r\n\r\n".to_vec(),
            400,
        ),
        (
            "a URI over the default 32 KiB".into(),
            format!(
                "GET /v2/customers?q={} HTTP/1.1\r\nHost: mock\r\n{auth}\r\n",
                "x".repeat(40_000)
            )
            .into_bytes(),
            414,
        ),
        (
            "a URI over what hyper parses".into(),
            format!(
                "GET /v2/customers?q={} HTTP/1.1\r\nHost: mock\r\n{auth}\r\n",
                "x".repeat(70_000)
            )
            .into_bytes(),
            414,
        ),
        (
            "headers over the default 64 KiB".into(),
            format!(
                "GET /v2/customers HTTP/1.1\r\nHost: mock\r\n{auth}X-Big: {}\r\n\r\n",
                "y".repeat(70 * 1024)
            )
            .into_bytes(),
            431,
        ),
        (
            "more than 100 headers".into(),
            format!(
                "GET /v2/customers HTTP/1.1\r\nHost: mock\r\n{auth}{}\r\n",
                (0..120)
                    .map(|i| format!("X-H{i}: v\r\n"))
                    .collect::<String>()
            )
            .into_bytes(),
            431,
        ),
    ];
    for (what, request, status) in cases {
        let mut conn = Conn::open(addr).await;
        // The server may answer and close before it has read everything.
        let _ = conn.stream.write_all(&request).await;
        let response = conn.response(false).await;
        let body = response.assert_mollie_error(status);
        println!("{what}: {body}");
        assert_eq!(response.header("connection"), Some("close"), "{what}");
        assert!(
            conn.closed_by(Instant::now() + Duration::from_secs(3))
                .await,
            "{what}: the connection is closed after the answer"
        );
    }
    // The limits tell in the detail.
    let mut conn = Conn::open(addr).await;
    let _ = conn
        .stream
        .write_all(format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(40_000)).as_bytes())
        .await;
    let body = conn.response(false).await.assert_mollie_error(414);
    assert_eq!(body["title"], "URI Too Long");
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains("32768")),
        "{body}"
    );

    // Nothing of these reached the API.
    assert!(server.requests().is_empty());

    // A wrong method is Mollie's 405 (`Allow` lists HEAD with GET).
    let mut conn = Conn::open(addr).await;
    conn.send(
        format!("PUT /v2/customers HTTP/1.1\r\nHost: mock\r\n{auth}Content-Length: 0\r\n\r\n")
            .as_bytes(),
    )
    .await;
    let response = conn.response(false).await;
    response.assert_mollie_error(405);
    assert_eq!(response.header("allow"), Some("GET, HEAD, POST"));
    server.shutdown().await;
}

#[tokio::test]
async fn uri_and_header_limits_are_configurable() {
    let server = MockConfig::new()
        .max_uri_bytes(1000)
        .max_header_bytes(2000)
        .start()
        .await
        .expect("starts");
    let addr = server.addr();
    let auth = format!("Authorization: Bearer {TEST_KEY}\r\n");
    let target = |len: usize| format!("/v2/customers?q={}", "x".repeat(len - 16));
    assert_eq!(target(1000).len(), 1000);

    let mut conn = Conn::open(addr).await;
    conn.send(format!("GET {} HTTP/1.1\r\nHost: mock\r\n{auth}\r\n", target(1000)).as_bytes())
        .await;
    assert_eq!(conn.response(false).await.status, 200, "exactly the limit");
    // The same connection, one byte more.
    let _ = conn
        .stream
        .write_all(format!("GET {} HTTP/1.1\r\nHost: mock\r\n{auth}\r\n", target(1001)).as_bytes())
        .await;
    let body = conn.response(false).await.assert_mollie_error(414);
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains("1000")),
        "{body}"
    );

    // Header lines: 2000 bytes pass, one more does not.
    let head = |extra: usize| {
        let fixed = format!("Host: mock\r\n{auth}X-Pad: \r\n\r\n").len();
        format!(
            "GET /v2/customers HTTP/1.1\r\nHost: mock\r\n{auth}X-Pad: {}\r\n\r\n",
            "p".repeat(2000 + extra - fixed)
        )
    };
    let mut conn = Conn::open(addr).await;
    conn.send(head(0).as_bytes()).await;
    assert_eq!(conn.response(false).await.status, 200);
    let mut conn = Conn::open(addr).await;
    let _ = conn.stream.write_all(head(1).as_bytes()).await;
    conn.response(false).await.assert_mollie_error(431);

    // A request after a chunked body on the same connection is still measured right.
    let mut conn = Conn::open(addr).await;
    let body = r#"{"name":"Jane"}"#;
    conn.send(
        format!(
            "POST /v2/customers HTTP/1.1\r\nHost: mock\r\n{auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(conn.response(false).await.status, 201);
    conn.send(format!("GET {} HTTP/1.1\r\nHost: mock\r\n{auth}\r\n", target(1000)).as_bytes())
        .await;
    assert_eq!(conn.response(false).await.status, 200);
    server.shutdown().await;
}

/// Sends `GET` and then `HEAD` of `path` on one connection; asserts the same status and
/// headers (but `date`), and no body for the `HEAD`. Returns the `GET`'s status.
async fn same_as_get(addr: SocketAddr, path: &str, auth: bool) -> u16 {
    let auth = if auth {
        format!("Authorization: Bearer {TEST_KEY}\r\n")
    } else {
        String::new()
    };
    let mut conn = Conn::open(addr).await;
    // HEAD first, then GET: were the HEAD's body sent, it would be read as the next
    // response's head and fail to parse.
    conn.send(format!("HEAD {path} HTTP/1.1\r\nHost: mock\r\n{auth}\r\n").as_bytes())
        .await;
    let head = conn.response(true).await;
    conn.send(format!("GET {path} HTTP/1.1\r\nHost: mock\r\n{auth}\r\n").as_bytes())
        .await;
    let get = conn.response(false).await;
    assert_eq!(head.status, get.status, "{path}");
    let strip = |r: &Raw| -> Vec<(String, String)> {
        let mut h: Vec<_> = r
            .headers
            .iter()
            .filter(|(n, _)| n != "date")
            .cloned()
            .collect();
        h.sort();
        h
    };
    assert_eq!(strip(&head), strip(&get), "{path}");
    assert_eq!(
        head.header("content-length").and_then(|l| l.parse().ok()),
        Some(get.body.len()),
        "{path}"
    );
    get.status
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let api = Api::start().await;
    let addr = api.server.addr();
    let customer = api.customer().await;
    let mandate = api.mandate(&customer).await;
    let payment = api.paid_payment("10.00").await;
    let refund = api.refund(&payment, "1.00").await.id();
    let chargeback = api.chargeback(&payment, json!({})).await.id();
    let open = api.create_payment(json!({})).await.id();
    let subscription = api
        .send(Req::post(
            format!("/v2/customers/{customer}/subscriptions"),
            json!({"amount": {"currency": "EUR", "value": "5.00"}, "interval": "1 month", "description": "Plan"}),
        ))
        .await
        .id();

    let api_paths = [
        "/v2/customers".to_owned(),
        format!("/v2/customers/{customer}"),
        format!("/v2/customers/{customer}/payments"),
        format!("/v2/customers/{customer}/mandates"),
        format!("/v2/customers/{customer}/mandates/{mandate}"),
        "/v2/payments?limit=1".to_owned(),
        format!("/v2/payments/{payment}?embed=refunds"),
        format!("/v2/payments/{payment}/refunds"),
        format!("/v2/payments/{payment}/refunds/{refund}"),
        "/v2/refunds".to_owned(),
        format!("/v2/payments/{payment}/chargebacks"),
        format!("/v2/payments/{payment}/chargebacks/{chargeback}"),
        "/v2/chargebacks".to_owned(),
        format!("/v2/customers/{customer}/subscriptions"),
        format!("/v2/customers/{customer}/subscriptions/{subscription}"),
        format!("/v2/customers/{customer}/subscriptions/{subscription}/payments"),
        "/v2/subscriptions".to_owned(),
    ];
    for path in &api_paths {
        assert_eq!(same_as_get(addr, path, true).await, 200, "{path}");
    }
    // Errors too: an unknown id, no credentials, a bad parameter.
    assert_eq!(
        same_as_get(addr, "/v2/customers/cst_unknown123", true).await,
        404
    );
    assert_eq!(same_as_get(addr, "/v2/customers", false).await, 401);
    assert_eq!(same_as_get(addr, "/v2/customers?limit=0", true).await, 400);
    // The control API's readable endpoints.
    for path in [
        "/__mock/health".to_owned(),
        "/__mock/clock".to_owned(),
        "/__mock/requests".to_owned(),
        "/__mock/faults".to_owned(),
        "/__mock/webhooks".to_owned(),
        format!("/__mock/checkout/{open}"),
    ] {
        assert_eq!(same_as_get(addr, &path, false).await, 200, "{path}");
    }

    // HEAD of an endpoint without GET is a 405 that names HEAD.
    let mut conn = Conn::open(addr).await;
    conn.send(
        format!(
            "HEAD /v2/payments/{payment}/release-authorization HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {TEST_KEY}\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    let response = conn.response(true).await;
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), Some("POST"));
    // The log shows HEAD requests as such.
    let log = api.server.requests();
    assert!(log.iter().any(|r| r.method == "HEAD"));
    api.server.reset();
}

#[tokio::test]
async fn dashboard_links_name_the_mocks_organization_and_a_revoked_mandate_is_gone() {
    let api = Api::start().await;
    let customer = api.customer().await;
    let c = api
        .send(Req::get(format!("/v2/customers/{customer}")))
        .await;
    // As in the spec's examples: https://www.mollie.com/dashboard/org_.../customers/cst_...
    assert_eq!(
        c.str("/_links/dashboard/href"),
        format!("https://www.mollie.com/dashboard/org_12345678/customers/{customer}")
    );
    let payment = api.create_payment(json!({})).await;
    assert_eq!(
        payment.str("/_links/dashboard/href"),
        format!(
            "https://www.mollie.com/dashboard/org_12345678/payments/{}",
            payment.id()
        )
    );

    let mandate = api.mandate(&customer).await;
    let path = format!("/v2/customers/{customer}/mandates/{mandate}");
    assert_eq!(api.send(Req::delete(&path)).await.status, 204);
    let gone = api.send(Req::get(&path)).await;
    gone.assert_error(410, None);
    assert_eq!(gone.body["title"], "Gone");
    assert!(gone.str("/detail").contains("revoked"), "{}", gone.body);
    // HEAD says the same.
    assert_eq!(same_as_get(api.server.addr(), &path, true).await, 410);
}

/// A rustls client that trusts `pem` (the mock's certificate).
fn rustls_client(pem: &str) -> std::sync::Arc<rustls::ClientConfig> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let der = CertificateDer::from_pem_slice(pem.as_bytes()).expect("the certificate decodes");
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

#[tokio::test]
async fn over_tls_too() {
    let server = MockConfig::new()
        .tls_self_signed()
        .header_timeout(Duration::from_millis(300))
        .max_uri_bytes(1000)
        .start()
        .await
        .expect("starts");
    let addr = server.addr();
    let config = rustls_client(server.certificate_pem().expect("pem"));
    let connector = tokio_rustls::TlsConnector::from(config);
    let name = || rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let deadline = Instant::now() + Duration::from_secs(3);

    // A connection that never starts its handshake is closed by the header timeout...
    let mut silent = Conn::open(addr).await;
    // ...and so is one that goes silent after it.
    let tcp = TcpStream::connect(addr).await.expect("connects");
    let mut quiet = connector.connect(name(), tcp).await.expect("handshake");
    assert!(silent.closed_by(deadline).await);
    let mut sink = Vec::new();
    let read = timeout_at(deadline, quiet.read_to_end(&mut sink)).await;
    assert!(read.is_ok(), "a silent TLS connection is closed");
    assert!(sink.is_empty());

    // What hyper refuses gets Mollie's body through TLS as well.
    for (request, status) in [
        (b"GARBAGE\r\n\r\n".to_vec(), 400),
        (
            format!(
                "GET /{} HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "a".repeat(2000)
            )
            .into_bytes(),
            414,
        ),
    ] {
        let tcp = TcpStream::connect(addr).await.expect("connects");
        let mut tls = connector.connect(name(), tcp).await.expect("handshake");
        tls.write_all(&request).await.expect("sent");
        let mut received = Vec::new();
        let _ = timeout_at(
            Instant::now() + Duration::from_secs(3),
            tls.read_to_end(&mut received),
        )
        .await
        .expect("closed after the answer");
        let text = String::from_utf8_lossy(&received);
        let (head, body) = text.split_once("\r\n\r\n").expect("a response");
        assert!(head.starts_with(&format!("HTTP/1.1 {status} ")), "{head}");
        assert!(
            head.contains("content-type: application/hal+json"),
            "{head}"
        );
        let body: Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(body["status"], status);
    }
    server.shutdown().await;
}
