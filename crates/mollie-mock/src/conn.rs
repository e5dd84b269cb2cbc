//! The mock's connections: how it stays reachable whatever its clients do, and how `drop`
//! faults close a connection without any response, over plain HTTP and over TLS alike.
//!
//! - **Cutting.** Every accepted stream carries a switch. A handler that must drop the
//!   connection flips it and returns; when hyper then writes the response, the stream refuses
//!   the write, and hyper closes the connection without a byte of the response on the wire.
//!   With TLS the switch sits outside the TLS layer, so not even an encrypted record of the
//!   response goes out.
//! - **Slow clients.** `axum::serve` gives hyper no timer, so hyper itself would wait forever
//!   for a head, a body or the next request. The stream keeps the time instead: it follows the
//!   requests' framing ([`crate::wire`]) and, while no request is being handled, fails a read
//!   that waits past the header timeout (a head still coming, or a new connection's first)
//!   or the idle timeout (nothing of the next request yet); and a write that the client does
//!   not take for the idle timeout. The body timeout is the dispatcher's, which reads bodies.
//! - **Sizes.** A request target or headers over their limits are refused as they arrive:
//!   the stream hands hyper a byte that ends the head as malformed instead of the rest, and
//!   replaces hyper's bodiless answer (as it replaces every such answer of hyper's: 400 for a
//!   malformed request, 414, 431) with Mollie's error body and the right status.
//! - **A connection limit.** Each connection holds a slot. When a new one arrives and none
//!   is free, or the process is out of file descriptors, the oldest connection that is not in
//!   a request (one still waiting for its first head, trickling one, or idle between
//!   requests) is closed to make room: an attacker holding every slot is pushed out by the
//!   next client, while a request being handled, or an answer still being written, is never
//!   cut. Only `accept` failures for want of descriptors or memory shed a connection. The limit is also kept 64
//!   below the process's open-file limit.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Waker, ready};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tokio_rustls::TlsAcceptor;

use crate::wire::{self, Framing, Phase, TooLarge};

/// The most a request target can be: hyper parses no longer one.
pub(crate) const MAX_URI_CEILING: usize = u16::MAX as usize - 1;

/// The limits of the HTTP layer (from `MockConfig`).
#[derive(Debug, Clone)]
pub(crate) struct ConnLimits {
    /// How long a new connection may take to send its first request head, and a later
    /// request its head from its first byte.
    pub header_timeout: Duration,
    /// How long a request's body may take to arrive, from its head.
    pub body_timeout: Duration,
    /// How long a connection may wait between requests, and a response wait for the client
    /// to take it.
    pub idle_timeout: Duration,
    /// How many connections are served at once.
    pub max_connections: usize,
    /// The longest request target (path and query), in bytes.
    pub max_uri_bytes: usize,
    /// The most bytes of header lines a request may have.
    pub max_header_bytes: usize,
}

impl Default for ConnLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1_000,
            max_uri_bytes: 32 * 1024,
            max_header_bytes: 64 * 1024,
        }
    }
}

/// The first byte of a TLS connection: a handshake record.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// A TCP listener, optionally serving TLS, whose streams can be cut by a handler, keep
/// their time, and count against the connection limit.
pub(crate) struct MockListener {
    tcp: TcpListener,
    tls: Option<TlsAcceptor>,
    limits: Arc<ConnLimits>,
    /// One permit per connection being served.
    slots: Arc<Semaphore>,
    /// The connections being served, oldest first (some may have ended).
    open: VecDeque<Weak<Switches>>,
}

/// Whether `accept` failed for want of descriptors or memory (`ENFILE`, `EMFILE`, `ENOMEM`:
/// the same numbers on Linux, the BSDs and macOS).
fn out_of_resources(error: &io::Error) -> bool {
    matches!(error.raw_os_error(), Some(12 | 23 | 24))
}

/// File descriptors kept out of the connections' reach.
const SPARE_FDS: usize = 64;

/// The process's soft limit of open files (Linux: `/proc/self/limits`); `None` when unknown
/// or unlimited.
fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files")
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

impl MockListener {
    /// Plain HTTP when `tls` is `None`.
    pub fn new(tcp: TcpListener, tls: Option<TlsAcceptor>, mut limits: ConnLimits) -> Self {
        // Connections never take the file descriptors the rest of the mock needs (webhook
        // deliveries, the state file): at most the process's limit less a reserve.
        let by_fds = open_file_limit().map_or(usize::MAX, |n| n.saturating_sub(SPARE_FDS));
        limits.max_connections = limits
            .max_connections
            .min(by_fds)
            .clamp(1, Semaphore::MAX_PERMITS);
        limits.max_uri_bytes = limits.max_uri_bytes.min(MAX_URI_CEILING);
        Self {
            tcp,
            tls,
            slots: Arc::new(Semaphore::new(limits.max_connections)),
            limits: Arc::new(limits),
            open: VecDeque::new(),
        }
    }

    /// A free slot; else the oldest waiting connection is closed to make room, again every
    /// 50 ms while none frees (a connection picked may have just begun a request, and a
    /// request being handled is never cut).
    async fn slot(&mut self) -> OwnedSemaphorePermit {
        loop {
            if let Ok(slot) = self.slots.clone().try_acquire_owned() {
                return slot;
            }
            self.shed_oldest_waiting();
            let freed = tokio::time::timeout(
                Duration::from_millis(50),
                self.slots.clone().acquire_owned(),
            );
            // The semaphore is never closed.
            if let Ok(Ok(slot)) = freed.await {
                return slot;
            }
        }
    }

    /// Closes the oldest connection that is not in a request being handled (it waits for a
    /// request head, or idles between requests), to make room for a new one; whether there
    /// was one.
    fn shed_oldest_waiting(&mut self) -> bool {
        let mut shed = false;
        self.open.retain(|weak| {
            let Some(switches) = weak.upgrade() else {
                return false;
            };
            if shed
                || switches.busy.load(Ordering::Acquire) > 0
                || switches.output_pending.load(Ordering::Acquire)
            {
                return true;
            }
            switches.shed();
            shed = true;
            false
        });
        shed
    }
}

impl Listener for MockListener {
    type Io = CuttableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.tcp.accept().await {
                Ok((stream, addr)) => {
                    let slot = self.slot().await;
                    // Small request/response exchanges: do not let Nagle hold them back.
                    let _ = stream.set_nodelay(true);
                    // The TLS handshake is not done here but by the stream's first read, so
                    // that a slow or silent client never holds up accepting the next one.
                    let inner = match &self.tls {
                        None => Inner::Plain(stream),
                        Some(acceptor) => Inner::Sniffing(stream, acceptor.clone()),
                    };
                    let stream = CuttableStream::new(inner, self.limits.clone(), slot);
                    if self.open.len() >= 2 * self.limits.max_connections {
                        self.open.retain(|weak| weak.strong_count() > 0);
                    }
                    self.open.push_back(Arc::downgrade(&stream.switches));
                    return (stream, addr);
                }
                // Out of file descriptors or memory: make room, back off briefly, keep
                // serving. Other failures (a connection aborted before it was accepted) only
                // back off.
                Err(error) => {
                    if out_of_resources(&error) {
                        self.shed_oldest_waiting();
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// What a handler can see and do of its connection.
#[derive(Debug)]
struct Switches {
    /// Set by a handler: fail every later read and write.
    cut: AtomicBool,
    /// Set by the stream: plain HTTP arrived on the TLS port.
    plain_on_tls: AtomicBool,
    /// Requests of this connection being handled now.
    busy: AtomicUsize,
    /// When the last request handled ended, in nanoseconds after `accepted`.
    idle_since: AtomicU64,
    /// When the connection was accepted.
    accepted: Instant,
    limits: Arc<ConnLimits>,
    /// Set by the listener: close the connection to make room for a new one.
    shed: AtomicBool,
    /// A write waits for the client to take bytes: an answer is on its way out.
    output_pending: AtomicBool,
    /// Wakes a read that waits for the client, when the connection is shed.
    reader: Mutex<Option<Waker>>,
}

impl Switches {
    fn shed(&self) {
        self.shed.store(true, Ordering::Release);
        if let Some(waker) = self.reader.lock().unwrap_or_else(|e| e.into_inner()).take() {
            waker.wake();
        }
    }

    fn is_shed(&self) -> bool {
        self.shed.load(Ordering::Acquire)
    }

    /// Remembers the waker of a read about to wait.
    fn waiting(&self, cx: &Context<'_>) {
        let mut reader = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        match &*reader {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => *reader = Some(cx.waker().clone()),
        }
    }

    fn idle_since(&self) -> Instant {
        self.accepted + Duration::from_nanos(self.idle_since.load(Ordering::Acquire))
    }
}

/// A TCP stream, possibly in TLS, with a switch that makes it fail every later read and
/// write, which keeps the time of what its client sends (see the module's docs).
pub(crate) struct CuttableStream {
    inner: Inner,
    switches: Arc<Switches>,
    /// Where the client's requests have got to.
    framing: Framing,
    /// Since when the framing is in its phase (a fresh connection: since it was accepted).
    phase_since: Instant,
    read_timer: Option<Pin<Box<Sleep>>>,
    /// Since when writes wait for the client to read.
    write_blocked_since: Option<Instant>,
    write_timer: Option<Pin<Box<Sleep>>>,
    /// Set when the stream refused a head's size: hyper's answer then says so.
    refused: Option<TooLarge>,
    /// Whether the stream refused a head: it reads nothing more of the client's.
    refusing: bool,
    /// What hyper still gets of [`REFUSAL`].
    refusal_left: &'static [u8],
    /// Mollie's error answer being written in place of hyper's bodiless one: the bytes, how
    /// many are written, and how many of hyper's bytes it stands for.
    replacement: Option<(Vec<u8>, usize, usize)>,
    /// Whether the stream answered in hyper's place (a request hyper refused).
    answered_for_hyper: bool,
    /// Reading and dropping what the client still sends after the write side was shut.
    linger: Option<Linger>,
    /// Frees the connection's slot when the connection ends.
    _slot: OwnedSemaphorePermit,
}

/// What hyper reads in place of a head that is too large: a NUL, which no request line or
/// header may hold, and the end of a head, which makes hyper parse what it has (it waits for
/// one before parsing a head again). hyper answers with its bodiless 400 and closes;
/// `poll_write` puts Mollie's 414 or 431 in its place.
const REFUSAL: &[u8] = b"\0\r\n\r\n";

/// How long, at most, a connection closed in the middle of a request still reads (and drops)
/// what its client sends.
const LINGER: Duration = Duration::from_secs(2);
/// A pause in what the client sends that ends the lingering.
const LINGER_PAUSE: Duration = Duration::from_millis(500);
/// The most bytes read while lingering.
const LINGER_BYTES: usize = 1 << 20;

/// The lingering after the write side of a connection was shut.
struct Linger {
    until: Instant,
    pause_until: Instant,
    drained: usize,
}

enum Inner {
    /// Plain HTTP; also plain HTTP sent to the TLS port by mistake, answered with a 400.
    Plain(TcpStream),
    /// TLS port, nothing read yet: the first byte tells a TLS handshake from plain HTTP.
    Sniffing(TcpStream, TlsAcceptor),
    Handshaking(Box<tokio_rustls::Accept<TcpStream>>),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
    /// The handshake failed (the error went to hyper, which closes the connection).
    Failed,
}

fn cut_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "connection dropped by a mock fault",
    )
}

fn failed_error() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "TLS handshake failed")
}

/// Whether the timer `timer` (made or moved to `deadline`) has gone off; else it wakes the
/// task at `deadline`.
fn expired(timer: &mut Option<Pin<Box<Sleep>>>, deadline: Instant, cx: &mut Context<'_>) -> bool {
    if Instant::now() >= deadline {
        return true;
    }
    let timer = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
    if timer.deadline() != deadline {
        timer.as_mut().reset(deadline);
    }
    timer.as_mut().poll(cx).is_ready()
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, format!("{what} timed out"))
}

impl CuttableStream {
    fn new(inner: Inner, limits: Arc<ConnLimits>, slot: OwnedSemaphorePermit) -> Self {
        let accepted = Instant::now();
        Self {
            inner,
            framing: Framing::new(limits.max_uri_bytes, limits.max_header_bytes),
            switches: Arc::new(Switches {
                cut: AtomicBool::new(false),
                plain_on_tls: AtomicBool::new(false),
                busy: AtomicUsize::new(0),
                idle_since: AtomicU64::new(0),
                accepted,
                limits,
                shed: AtomicBool::new(false),
                output_pending: AtomicBool::new(false),
                reader: Mutex::new(None),
            }),
            phase_since: accepted,
            read_timer: None,
            write_blocked_since: None,
            write_timer: None,
            refused: None,
            refusing: false,
            refusal_left: &[],
            replacement: None,
            answered_for_hyper: false,
            linger: None,
            _slot: slot,
        }
    }

    /// When a read waiting now times out: never while a request is being handled (its body
    /// has the dispatcher's timeout, and a handler may wait); else the header timeout for a
    /// new connection or a request under way, the idle timeout between requests.
    fn read_deadline(&self) -> Option<Instant> {
        if self.switches.busy.load(Ordering::Acquire) > 0 {
            return None;
        }
        let limits = &self.switches.limits;
        let since = self.phase_since.max(self.switches.idle_since());
        match self.framing.phase() {
            Phase::Idle if self.framing.heads() == 0 => {
                Some(self.switches.accepted + limits.header_timeout)
            }
            Phase::Idle => Some(since + limits.idle_timeout),
            Phase::Head | Phase::Body | Phase::Lost => Some(since + limits.header_timeout),
        }
    }

    /// Follows the bytes just read; a head too large has them replaced by [`REFUSAL`].
    fn follow(&mut self, buf: &mut ReadBuf<'_>, before: usize) {
        let phase = self.framing.phase();
        let heads = self.framing.heads();
        if let Err(too_large) = self.framing.feed(&buf.filled()[before..]) {
            buf.set_filled(before);
            self.refused = Some(too_large);
            self.refusing = true;
            self.refusal_left = REFUSAL;
            self.hand_refusal(buf);
        }
        let (now_phase, now_heads) = (self.framing.phase(), self.framing.heads());
        // A fresh connection keeps its time from the accept: its first head has the header
        // timeout in all.
        let fresh_head = heads == 0 && phase == Phase::Idle && now_phase == Phase::Head;
        if (now_phase != phase || now_heads != heads) && !fresh_head {
            self.phase_since = Instant::now();
        }
    }

    /// Hands hyper what is left of [`REFUSAL`] (as much as fits).
    fn hand_refusal(&mut self, buf: &mut ReadBuf<'_>) {
        let n = self.refusal_left.len().min(buf.remaining());
        buf.put_slice(&self.refusal_left[..n]);
        self.refusal_left = &self.refusal_left[n..];
    }

    /// Writes what stands in for hyper's bytes, then says that hyper's were written.
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        while let Some((bytes, written, claimed)) = &mut self.replacement {
            if *written == bytes.len() {
                let claimed = *claimed;
                self.replacement = None;
                return Poll::Ready(Ok(claimed));
            }
            let n = match &mut self.inner {
                Inner::Plain(tcp) => ready!(Pin::new(tcp).poll_write(cx, &bytes[*written..]))?,
                Inner::Tls(tls) => ready!(Pin::new(&mut **tls).poll_write(cx, &bytes[*written..]))?,
                _ => return Poll::Ready(Err(failed_error())),
            };
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(0))
    }

    /// Whether `bytes`, about to be written, are hyper's own bodiless error answer: if so,
    /// Mollie's error answer is queued in their place.
    fn replace_automatic_error(&mut self, bytes: &[u8]) -> bool {
        if self.switches.busy.load(Ordering::Acquire) > 0 {
            return false;
        }
        let Some(status) = wire::automatic_error(bytes) else {
            return false;
        };
        let limits = &self.switches.limits;
        let answer = wire::error_response(
            status,
            self.refused.take(),
            bytes,
            limits.max_uri_bytes,
            limits.max_header_bytes,
        );
        self.replacement = Some((answer, 0, bytes.len()));
        self.answered_for_hyper = true;
        true
    }

    /// Fails a write that has waited for the client to read for the idle timeout.
    fn write_stalled(&mut self, cx: &mut Context<'_>) -> bool {
        let since = *self.write_blocked_since.get_or_insert_with(Instant::now);
        let deadline = since + self.switches.limits.idle_timeout;
        expired(&mut self.write_timer, deadline, cx)
    }

    /// Reads and drops what the client still sends, until it stops (the end of its stream,
    /// a pause of `LINGER_PAUSE`, `LINGER` in all, or `LINGER_BYTES`).
    fn poll_linger(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut scratch = [0u8; 8192];
        loop {
            let Some(linger) = &mut self.linger else {
                return Poll::Ready(Ok(()));
            };
            if linger.drained > LINGER_BYTES {
                return Poll::Ready(Ok(()));
            }
            let mut buf = ReadBuf::new(&mut scratch);
            let polled = match &mut self.inner {
                Inner::Plain(tcp) => Pin::new(tcp).poll_read(cx, &mut buf),
                Inner::Tls(tls) => Pin::new(&mut **tls).poll_read(cx, &mut buf),
                _ => return Poll::Ready(Ok(())),
            };
            match polled {
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => {
                    linger.drained += buf.filled().len();
                    linger.pause_until = Instant::now() + LINGER_PAUSE;
                }
                Poll::Ready(_) => return Poll::Ready(Ok(())),
                Poll::Pending => {
                    let deadline = linger.until.min(linger.pause_until);
                    return if expired(&mut self.read_timer, deadline, cx) {
                        Poll::Ready(Ok(()))
                    } else {
                        Poll::Pending
                    };
                }
            }
        }
    }

    /// `polled` (a write or flush), failed once it has waited for the idle timeout.
    fn timed_write<T>(
        &mut self,
        polled: Poll<io::Result<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<T>> {
        match polled {
            Poll::Pending => {
                // A connection with output waiting is never shed (see
                // `MockListener::shed_oldest_waiting`): its client is receiving an answer.
                self.switches.output_pending.store(true, Ordering::Release);
                if self.write_stalled(cx) {
                    Poll::Ready(Err(timed_out("writing the response")))
                } else {
                    Poll::Pending
                }
            }
            ready => {
                self.write_blocked_since = None;
                self.switches.output_pending.store(false, Ordering::Release);
                ready
            }
        }
    }

    /// Drives the connection to where bytes of HTTP flow: the first byte read, then the TLS
    /// handshake if it is one.
    fn poll_established(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            match &mut self.inner {
                Inner::Plain(_) | Inner::Tls(_) => return Poll::Ready(Ok(())),
                Inner::Failed => return Poll::Ready(Err(failed_error())),
                Inner::Sniffing(tcp, _) => {
                    let mut first = [0u8; 1];
                    let mut buf = ReadBuf::new(&mut first);
                    ready!(tcp.poll_peek(cx, &mut buf))?;
                    let is_tls = buf.filled().first() == Some(&TLS_HANDSHAKE_RECORD);
                    let Inner::Sniffing(tcp, acceptor) =
                        std::mem::replace(&mut self.inner, Inner::Failed)
                    else {
                        return Poll::Ready(Err(failed_error()));
                    };
                    self.inner = if is_tls {
                        Inner::Handshaking(Box::new(acceptor.accept(tcp)))
                    } else {
                        // Also at end of stream, which hyper then sees and closes.
                        self.switches.plain_on_tls.store(true, Ordering::Release);
                        Inner::Plain(tcp)
                    };
                }
                Inner::Handshaking(accept) => match ready!(Pin::new(&mut **accept).poll(cx)) {
                    Ok(tls) => self.inner = Inner::Tls(Box::new(tls)),
                    Err(e) => {
                        self.inner = Inner::Failed;
                        return Poll::Ready(Err(e));
                    }
                },
            }
        }
    }

    fn is_cut(&self) -> bool {
        self.switches.cut.load(Ordering::Acquire)
    }
}

impl AsyncRead for CuttableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.is_cut() {
            return Poll::Ready(Err(cut_error()));
        }
        if self.refusing {
            // The head was refused: hyper gets the rest of the refusal, then the end of the
            // stream; nothing more of the client's is read.
            self.hand_refusal(buf);
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let polled = match self.poll_established(cx) {
            Poll::Ready(Ok(())) => match &mut self.inner {
                Inner::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
                Inner::Tls(tls) => Pin::new(&mut **tls).poll_read(cx, buf),
                _ => Poll::Ready(Err(failed_error())),
            },
            other => other,
        };
        match polled {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.follow(buf, before);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                let Some(deadline) = self.read_deadline() else {
                    return Poll::Pending;
                };
                self.switches.waiting(cx);
                if !self.switches.is_shed() && !expired(&mut self.read_timer, deadline, cx) {
                    return Poll::Pending;
                }
                if self.framing.phase() == Phase::Idle && self.framing.heads() > 0 {
                    // Idle between requests: the end of the stream, which hyper takes as
                    // the client's goodbye and closes quietly.
                    Poll::Ready(Ok(()))
                } else {
                    Poll::Ready(Err(timed_out("reading the request head")))
                }
            }
        }
    }
}

impl AsyncWrite for CuttableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.is_cut() {
            return Poll::Ready(Err(cut_error()));
        }
        ready!(self.poll_established(cx))?;
        if self.replacement.is_some() || self.replace_automatic_error(buf) {
            let written = self.poll_replacement(cx);
            return self.timed_write(written, cx);
        }
        let written = match &mut self.inner {
            Inner::Plain(tcp) => Pin::new(tcp).poll_write(cx, buf),
            Inner::Tls(tls) => Pin::new(&mut **tls).poll_write(cx, buf),
            _ => Poll::Ready(Err(failed_error())),
        };
        self.timed_write(written, cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.is_cut() {
            return Poll::Ready(Err(cut_error()));
        }
        ready!(self.poll_established(cx))?;
        let mut nonempty = bufs.iter().filter(|b| !b.is_empty());
        let only = match (nonempty.next(), nonempty.next()) {
            (Some(first), None) => Some(&**first),
            _ => None,
        };
        if self.replacement.is_some() || only.is_some_and(|b| self.replace_automatic_error(b)) {
            let written = self.poll_replacement(cx);
            return self.timed_write(written, cx);
        }
        let written = match &mut self.inner {
            Inner::Plain(tcp) => Pin::new(tcp).poll_write_vectored(cx, bufs),
            Inner::Tls(tls) => Pin::new(&mut **tls).poll_write_vectored(cx, bufs),
            _ => Poll::Ready(Err(failed_error())),
        };
        self.timed_write(written, cx)
    }

    fn is_write_vectored(&self) -> bool {
        // hyper asks once, before the first byte: on the TLS port it gets `false` and
        // flattens its writes, which suits every state.
        match &self.inner {
            Inner::Plain(tcp) => tcp.is_write_vectored(),
            Inner::Tls(tls) => tls.is_write_vectored(),
            _ => false,
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.is_cut() {
            return Poll::Ready(Err(cut_error()));
        }
        let flushed = match &mut self.inner {
            Inner::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            Inner::Tls(tls) => Pin::new(&mut **tls).poll_flush(cx),
            _ => Poll::Ready(Ok(())),
        };
        self.timed_write(flushed, cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let cut = self.is_cut();
        if self.linger.is_none() {
            match &mut self.inner {
                Inner::Plain(tcp) | Inner::Sniffing(tcp, _) => {
                    ready!(Pin::new(tcp).poll_shutdown(cx))?
                }
                // A cut connection ends without TLS's close_notify, like a cut cable: the
                // client sees the stream end in the middle of things, not a clean close.
                Inner::Tls(tls) if cut => ready!(Pin::new(tls.get_mut().0).poll_shutdown(cx))?,
                Inner::Tls(tls) => ready!(Pin::new(&mut **tls).poll_shutdown(cx))?,
                // Dropping the stream closes the socket.
                Inner::Handshaking(_) | Inner::Failed => return Poll::Ready(Ok(())),
            }
            // Closed in the middle of a request (a refused head, a body that timed out or was
            // too large): what the client still sends is read and dropped for a moment, so
            // that closing does not reset the connection under the answer before the client
            // has read it.
            let mid_request = self.answered_for_hyper || self.framing.phase() != Phase::Idle;
            if cut || !mid_request {
                return Poll::Ready(Ok(()));
            }
            let now = Instant::now();
            self.linger = Some(Linger {
                until: now + LINGER,
                pause_until: now + LINGER_PAUSE,
                drained: 0,
            });
        }
        self.poll_linger(cx)
    }
}

/// The switches of the connection a request came on (axum's `ConnectInfo`).
#[derive(Clone, Debug)]
pub(crate) struct Cutter(Arc<Switches>);

impl Cutter {
    /// Makes the connection fail instead of sending anything more.
    pub fn cut(&self) {
        self.0.cut.store(true, Ordering::Release);
    }

    /// Whether the request is plain HTTP that came to the TLS port.
    pub fn plain_on_tls(&self) -> bool {
        self.0.plain_on_tls.load(Ordering::Acquire)
    }

    /// How long a request's body may take to arrive (`MockConfig::body_timeout`).
    pub fn body_timeout(&self) -> Duration {
        self.0.limits.body_timeout
    }

    /// Marks a request of the connection as being handled until the guard is dropped: the
    /// connection's header and idle timeouts wait meanwhile.
    pub fn busy(&self) -> Busy {
        self.0.busy.fetch_add(1, Ordering::AcqRel);
        Busy(self.0.clone())
    }
}

/// A request being handled (see [`Cutter::busy`]).
pub(crate) struct Busy(Arc<Switches>);

impl Drop for Busy {
    fn drop(&mut self) {
        let since = Instant::now().saturating_duration_since(self.0.accepted);
        let nanos = u64::try_from(since.as_nanos()).unwrap_or(u64::MAX);
        self.0.idle_since.fetch_max(nanos, Ordering::AcqRel);
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Connected<IncomingStream<'_, MockListener>> for Cutter {
    fn connect_info(stream: IncomingStream<'_, MockListener>) -> Self {
        Cutter(stream.io().switches.clone())
    }
}
