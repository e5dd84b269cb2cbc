//! What the mock follows of HTTP/1.1 below hyper, byte by byte as the client sends it: where
//! each request's head starts and ends and where its body ends. The connection (`conn.rs`)
//! times heads and idle gaps with it, and refuses a request target or headers over the
//! configured sizes before hyper has buffered them. It also recognises hyper's own answers
//! to requests it could not parse (a status and no body), which the connection replaces with
//! Mollie's error body.
//!
//! Nothing here does I/O or keeps time; it only counts bytes.

use axum::http::StatusCode;

use crate::errors::ApiError;

/// How many bytes of a header line are kept to read `Content-Length` and
/// `Transfer-Encoding` (all other lines are only counted).
const KEEP: usize = 256;
/// What a request line may hold besides its target: the method, the version and the spaces.
const REQUEST_LINE_SLACK: usize = 64;

/// Where the bytes a client sent have got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Between requests: not a byte of the next one yet.
    Idle,
    /// In a request's head (request line and headers).
    Head,
    /// In a request's body.
    Body,
    /// No longer followed: a framing the mock does not track (e.g. a malformed
    /// `Content-Length`, which hyper refuses and then closes the connection).
    Lost,
}

/// What is too large about a request head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TooLarge {
    /// The request target (path and query).
    Uri,
    /// The header lines.
    Headers,
}

/// The framing of one connection's requests.
#[derive(Debug)]
pub(crate) struct Framing {
    state: State,
    /// The current header line (its first `KEEP` bytes).
    line: Vec<u8>,
    /// How many request heads were complete.
    heads: u64,
    max_uri: usize,
    max_headers: usize,
}

#[derive(Debug)]
enum State {
    Head(Head),
    /// Body bytes still to come (`Content-Length`).
    Length(u64),
    Chunked(Chunk),
    Lost,
}

#[derive(Debug, Default)]
struct Head {
    /// Bytes of this head so far.
    total: usize,
    /// Whether the request line is complete.
    request_line: bool,
    /// Spaces seen on the request line.
    spaces: u8,
    /// Bytes of the request target so far.
    target: usize,
    /// Length of the current line (without its LF).
    line_len: usize,
    /// Bytes after the request line.
    header_bytes: usize,
    content_length: Option<u64>,
    transfer_encoding: Coding,
    /// A framing the mock does not follow.
    lost: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Coding {
    #[default]
    None,
    Chunked,
    Other,
}

/// Where a chunked body is.
#[derive(Debug, Clone, Copy)]
enum Chunk {
    /// In a chunk-size line: the size so far, and whether a digit was seen.
    Size(u64, bool),
    /// In a chunk extension, up to the end of the line.
    Extension(u64),
    /// After the CR of a chunk-size line.
    SizeLf(u64),
    /// In a chunk's data: bytes still to come.
    Data(u64),
    /// After a chunk's data: its CRLF.
    DataCr,
    DataLf,
    /// In the trailer section; the length of the current line.
    Trailer(usize),
}

impl Framing {
    /// A new connection's framing, refusing request targets over `max_uri` bytes and header
    /// lines over `max_headers` bytes in all.
    pub fn new(max_uri: usize, max_headers: usize) -> Self {
        Self {
            state: State::Head(Head::default()),
            line: Vec::new(),
            heads: 0,
            max_uri,
            max_headers,
        }
    }

    /// Where the bytes so far have got to.
    pub fn phase(&self) -> Phase {
        match &self.state {
            State::Head(h) if h.total == 0 => Phase::Idle,
            State::Head(_) => Phase::Head,
            State::Length(_) | State::Chunked(_) => Phase::Body,
            State::Lost => Phase::Lost,
        }
    }

    /// How many request heads were complete.
    pub fn heads(&self) -> u64 {
        self.heads
    }

    /// Follows `data`, the next bytes from the client.
    ///
    /// # Errors
    /// When a request's target or headers grow over the limits (as soon as they do, before
    /// the head is complete); the framing is lost then.
    pub fn feed(&mut self, mut data: &[u8]) -> Result<(), TooLarge> {
        while !data.is_empty() {
            let used = match &mut self.state {
                State::Lost => return Ok(()),
                State::Length(left) => {
                    let n = usize::try_from(*left).unwrap_or(usize::MAX).min(data.len());
                    *left -= n as u64;
                    if *left == 0 {
                        self.state = State::Head(Head::default());
                    }
                    n
                }
                State::Chunked(chunk) => {
                    let (used, next) = chunk_step(*chunk, data);
                    self.state = next;
                    used
                }
                State::Head(_) => match self.head_step(data) {
                    Ok(used) => used,
                    Err(e) => {
                        self.state = State::Lost;
                        return Err(e);
                    }
                },
            };
            data = &data[used..];
        }
        Ok(())
    }

    /// Follows head bytes up to the end of the head; returns how many it took.
    fn head_step(&mut self, data: &[u8]) -> Result<usize, TooLarge> {
        let State::Head(head) = &mut self.state else {
            return Ok(0);
        };
        for (i, &b) in data.iter().enumerate() {
            head.total += 1;
            if head.request_line {
                head.header_bytes += 1;
                if head.header_bytes > self.max_headers {
                    return Err(TooLarge::Headers);
                }
            }
            if b == b'\n' {
                if let Some(next) = end_line(head, &self.line) {
                    self.line.clear();
                    self.heads += 1;
                    self.state = next;
                    return Ok(i + 1);
                }
                self.line.clear();
                head.line_len = 0;
                continue;
            }
            if !head.request_line {
                if b == b' ' {
                    head.spaces = head.spaces.saturating_add(1);
                } else if head.spaces == 1 && b != b'\r' {
                    head.target += 1;
                    if head.target > self.max_uri {
                        return Err(TooLarge::Uri);
                    }
                }
                if head.line_len > self.max_uri + REQUEST_LINE_SLACK {
                    return Err(TooLarge::Uri);
                }
            }
            head.line_len += 1;
            if self.line.len() < KEEP {
                self.line.push(b);
            }
        }
        Ok(data.len())
    }
}

/// Ends the current line of `head`; the next state when it ended the head.
fn end_line(head: &mut Head, kept: &[u8]) -> Option<State> {
    let content = kept.strip_suffix(b"\r").unwrap_or(kept);
    let empty = head.line_len == 0 || (head.line_len == 1 && kept == b"\r");
    if !head.request_line {
        // Empty lines before a request line are skipped (RFC 9112, 2.2; so does hyper).
        if !empty {
            head.request_line = true;
            // A tunnel's bytes are not HTTP: not followed.
            if content.starts_with(b"CONNECT ") {
                head.lost = true;
            }
        }
        return None;
    }
    if empty {
        let next = if head.lost {
            State::Lost
        } else {
            match (head.transfer_encoding, head.content_length) {
                (Coding::Chunked, _) => State::Chunked(Chunk::Size(0, false)),
                (Coding::Other, _) => State::Lost,
                (Coding::None, Some(n)) if n > 0 => State::Length(n),
                (Coding::None, _) => State::Head(Head::default()),
            }
        };
        return Some(next);
    }
    let Some(colon) = content.iter().position(|&b| b == b':') else {
        // Not a header line (hyper refuses the request); a long line may be one cut short.
        if head.line_len > KEEP {
            head.lost |= starts_with_framing_header(content);
        }
        return None;
    };
    let (name, value) = (&content[..colon], &content[colon + 1..]);
    if head.line_len > KEEP {
        // A framing header this long is not one the mock can read.
        head.lost |= is_framing_header(name);
        return None;
    }
    if name.eq_ignore_ascii_case(b"content-length") {
        match (parse_length(value), head.content_length) {
            (Some(n), None) => head.content_length = Some(n),
            (Some(n), Some(m)) if n == m => {}
            _ => head.lost = true,
        }
    } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
        let last = value.rsplit(|&b| b == b',').next().map(trim).unwrap_or(&[]);
        head.transfer_encoding = if last.eq_ignore_ascii_case(b"chunked") {
            Coding::Chunked
        } else {
            Coding::Other
        };
    }
    None
}

fn is_framing_header(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"transfer-encoding")
}

fn starts_with_framing_header(line: &[u8]) -> bool {
    ["content-length", "transfer-encoding"].iter().any(|h| {
        line.get(..h.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(h.as_bytes()))
    })
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |e| e + 1);
    &bytes[start..end.max(start)]
}

/// A `Content-Length` value: digits, or a list of the same digits (`5, 5`).
fn parse_length(value: &[u8]) -> Option<u64> {
    let mut found = None;
    for part in value.split(|&b| b == b',') {
        let part = trim(part);
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n: u64 = std::str::from_utf8(part).ok()?.parse().ok()?;
        if found.is_some_and(|f| f != n) {
            return None;
        }
        found = Some(n);
    }
    found
}

/// Follows a chunked body; how many bytes it took and the state after them.
fn chunk_step(chunk: Chunk, data: &[u8]) -> (usize, State) {
    let lost = (1, State::Lost);
    let Some(&b) = data.first() else {
        return (0, State::Chunked(chunk));
    };
    let next = match chunk {
        Chunk::Data(left) => {
            let n = usize::try_from(left).unwrap_or(usize::MAX).min(data.len());
            let left = left - n as u64;
            let next = if left == 0 {
                Chunk::DataCr
            } else {
                Chunk::Data(left)
            };
            return (n, State::Chunked(next));
        }
        Chunk::Size(size, digit) => match b {
            b'\r' if digit => Chunk::SizeLf(size),
            b'\n' if digit => return (1, size_done(size)),
            b';' | b' ' | b'\t' if digit => Chunk::Extension(size),
            _ => match char::from(b).to_digit(16) {
                Some(d) => match size.checked_mul(16).and_then(|s| s.checked_add(d.into())) {
                    Some(size) => Chunk::Size(size, true),
                    None => return lost,
                },
                None => return lost,
            },
        },
        Chunk::Extension(size) => match b {
            b'\r' => Chunk::SizeLf(size),
            b'\n' => return (1, size_done(size)),
            _ => Chunk::Extension(size),
        },
        Chunk::SizeLf(size) => match b {
            b'\n' => return (1, size_done(size)),
            _ => return lost,
        },
        Chunk::DataCr => match b {
            b'\r' => Chunk::DataLf,
            b'\n' => Chunk::Size(0, false),
            _ => return lost,
        },
        Chunk::DataLf => match b {
            b'\n' => Chunk::Size(0, false),
            _ => return lost,
        },
        Chunk::Trailer(len) => match b {
            b'\n' if len == 0 => return (1, State::Head(Head::default())),
            b'\n' => Chunk::Trailer(0),
            b'\r' => Chunk::Trailer(len),
            _ => Chunk::Trailer(len + 1),
        },
    };
    (1, State::Chunked(next))
}

fn size_done(size: u64) -> State {
    State::Chunked(if size == 0 {
        Chunk::Trailer(0)
    } else {
        Chunk::Data(size)
    })
}

/// The status of hyper's own answer to a request it could not parse, if `bytes` are one: a
/// whole response head with an error status and `content-length: 0`, nothing after it. The
/// mock's own error answers always have a body, so they never look like this.
pub(crate) fn automatic_error(bytes: &[u8]) -> Option<StatusCode> {
    let rest = bytes
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| bytes.strip_prefix(b"HTTP/1.0 "))?;
    let status = StatusCode::from_bytes(rest.get(..3)?).ok()?;
    if !(status.is_client_error() || status.is_server_error()) {
        return None;
    }
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    if end + 4 != bytes.len() {
        return None;
    }
    let zero_length = bytes[..end].split(|&b| b == b'\n').any(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line.iter().position(|&b| b == b':').is_some_and(|colon| {
            line[..colon].eq_ignore_ascii_case(b"content-length")
                && trim(&line[colon + 1..]) == b"0"
        })
    });
    zero_length.then_some(status)
}

/// The `date` header line of a response head, if it has one (kept when the mock replaces
/// hyper's answer).
fn date_line(head: &[u8]) -> Option<&[u8]> {
    head.split(|&b| b == b'\n').find(|line| {
        line.get(..5)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"date:"))
    })
}

/// Mollie's error answer in place of hyper's bodiless `status` (`original`, whose `date`
/// is kept): `too_large` says why when the mock itself refused the request's size.
pub(crate) fn error_response(
    status: StatusCode,
    too_large: Option<TooLarge>,
    original: &[u8],
    max_uri: usize,
    max_headers: usize,
) -> Vec<u8> {
    let (status, detail) = match too_large {
        Some(TooLarge::Uri) => (
            StatusCode::URI_TOO_LONG,
            format!("The request URI is longer than {max_uri} bytes"),
        ),
        Some(TooLarge::Headers) => (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("The request headers are larger than {max_headers} bytes"),
        ),
        None => (status, automatic_detail(status, max_uri, max_headers)),
    };
    let body = ApiError::new(status, detail)
        .into_reply()
        .body
        .unwrap_or_default();
    let mut out = Vec::with_capacity(body.len() + 200);
    out.extend_from_slice(
        format!(
            "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n",
            status.as_str(),
            status.canonical_reason().unwrap_or("Error"),
            crate::errors::HAL_JSON,
            body.len()
        )
        .as_bytes(),
    );
    if let Some(date) = date_line(original) {
        out.extend_from_slice(date.strip_suffix(b"\r").unwrap_or(date));
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&body);
    out
}

/// Why hyper refused a request, as far as its status tells.
fn automatic_detail(status: StatusCode, max_uri: usize, max_headers: usize) -> String {
    match status {
        StatusCode::BAD_REQUEST => {
            "The request is not valid HTTP/1.1: its request line or a header is malformed"
                .to_owned()
        }
        StatusCode::URI_TOO_LONG => format!("The request URI is longer than {max_uri} bytes"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => format!(
            "The request has more than 100 headers, or its headers are larger than {max_headers} bytes"
        ),
        s => s.canonical_reason().unwrap_or("Error").to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framing() -> Framing {
        Framing::new(100, 200)
    }

    #[test]
    fn heads_and_bodies_by_length() {
        let mut f = framing();
        assert_eq!(f.phase(), Phase::Idle);
        f.feed(b"POST /v2/customers HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n")
            .expect("fits");
        assert_eq!(f.phase(), Phase::Head);
        f.feed(b"\r\nab").expect("fits");
        assert_eq!((f.phase(), f.heads()), (Phase::Body, 1));
        // The rest of the body and a whole pipelined request in one read.
        f.feed(b"cdeGET / HTTP/1.1\r\n\r\n").expect("fits");
        assert_eq!((f.phase(), f.heads()), (Phase::Idle, 2));
        // Byte by byte, with bare LFs and a leading empty line.
        for b in b"\r\nGET / HTTP/1.1\ncontent-length:  2 \n\nxy" {
            f.feed(&[*b]).expect("fits");
        }
        assert_eq!((f.phase(), f.heads()), (Phase::Idle, 3));
    }

    #[test]
    fn chunked_bodies() {
        let mut f = framing();
        f.feed(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
            .expect("fits");
        assert_eq!(f.phase(), Phase::Body);
        f.feed(b"5;ext=1\r\nhello\r\nA\r\n0123456789\r\n")
            .expect("fits");
        assert_eq!(f.phase(), Phase::Body);
        f.feed(b"0\r\nX-Trailer: 1\r\n\r\n").expect("fits");
        assert_eq!((f.phase(), f.heads()), (Phase::Idle, 1));
        f.feed(b"GET / HTTP/1.1\r\n\r\n").expect("fits");
        assert_eq!((f.phase(), f.heads()), (Phase::Idle, 2));
    }

    #[test]
    fn what_is_not_followed() {
        for head in [
            &b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"[..],
            b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
            b"CONNECT a:443 HTTP/1.1\r\n\r\n",
        ] {
            let mut f = framing();
            f.feed(head).expect("fits");
            assert_eq!(f.phase(), Phase::Lost, "{}", String::from_utf8_lossy(head));
        }
        let mut f = framing();
        f.feed(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz")
            .expect("fits");
        assert_eq!(f.phase(), Phase::Lost);
    }

    #[test]
    fn limits() {
        let mut f = framing();
        let target = "a".repeat(100);
        f.feed(format!("GET /{} HTTP/1.1\r\n", &target[1..]).as_bytes())
            .expect("exactly the limit");
        assert_eq!(
            framing().feed(format!("GET /{target}").as_bytes()),
            Err(TooLarge::Uri)
        );
        // Refused as soon as it is too long, without waiting for the rest.
        assert_eq!(
            framing().feed(&[b'A'; 200]),
            Err(TooLarge::Uri),
            "a request line without spaces"
        );
        let mut f = framing();
        f.feed(b"GET / HTTP/1.1\r\n").expect("fits");
        f.feed(format!("X: {}\r\n", "b".repeat(190)).as_bytes())
            .expect("fits");
        assert_eq!(f.feed(b"Y: 123456\r\n"), Err(TooLarge::Headers));
        assert_eq!(f.phase(), Phase::Lost);
    }

    #[test]
    fn recognises_hypers_own_error_answers() {
        let hyper = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n";
        assert_eq!(automatic_error(hyper), Some(StatusCode::BAD_REQUEST));
        for not in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nx",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
            b"garbage",
        ] {
            assert_eq!(automatic_error(not), None);
        }
        let out = error_response(StatusCode::BAD_REQUEST, None, hyper, 100, 200);
        let text = String::from_utf8(out).expect("utf-8");
        let (head, body) = text.split_once("\r\n\r\n").expect("a head");
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
        assert!(head.contains("content-type: application/hal+json"));
        assert!(head.contains("date: Thu, 01 Jan 2026 00:00:00 GMT"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).expect("json");
        assert_eq!(json["status"], 400);
        let out = error_response(
            StatusCode::BAD_REQUEST,
            Some(TooLarge::Uri),
            hyper,
            100,
            200,
        );
        assert!(out.starts_with(b"HTTP/1.1 414 URI Too Long\r\n"));
    }
}
