//! Connections that a handler can cut: how `drop` faults close a connection without any
//! response, over plain HTTP and over TLS alike.
//!
//! Every accepted stream carries a switch. A handler that must drop the connection flips it
//! and returns; when hyper then writes the response, the stream refuses the write, and hyper
//! closes the connection without a byte of the response on the wire. With TLS the switch sits
//! outside the TLS layer, so not even an encrypted record of the response goes out.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// The first byte of a TLS connection: a handshake record.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// A TCP listener, optionally serving TLS, whose streams can be cut by a handler.
pub(crate) struct MockListener {
    tcp: TcpListener,
    tls: Option<TlsAcceptor>,
}

impl MockListener {
    /// Plain HTTP when `tls` is `None`.
    pub fn new(tcp: TcpListener, tls: Option<TlsAcceptor>) -> Self {
        Self { tcp, tls }
    }
}

impl Listener for MockListener {
    type Io = CuttableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.tcp.accept().await {
                Ok((stream, addr)) => {
                    // Small request/response exchanges: do not let Nagle hold them back.
                    let _ = stream.set_nodelay(true);
                    // The TLS handshake is not done here but by the stream's first read, so
                    // that a slow or silent client never holds up accepting the next one.
                    let inner = match &self.tls {
                        None => Inner::Plain(stream),
                        Some(acceptor) => Inner::Sniffing(stream, acceptor.clone()),
                    };
                    let io = CuttableStream {
                        inner,
                        switches: Arc::new(Switches::default()),
                    };
                    return (io, addr);
                }
                // Out of file descriptors and the like: back off briefly, keep serving.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// What a handler can see and do of its connection.
#[derive(Debug, Default)]
struct Switches {
    /// Set by a handler: fail every later read and write.
    cut: AtomicBool,
    /// Set by the stream: plain HTTP arrived on the TLS port.
    plain_on_tls: AtomicBool,
}

/// A TCP stream, possibly in TLS, with a switch that makes it fail every later read and
/// write.
pub(crate) struct CuttableStream {
    inner: Inner,
    switches: Arc<Switches>,
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

impl CuttableStream {
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
        ready!(self.poll_established(cx))?;
        match &mut self.inner {
            Inner::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
            Inner::Tls(tls) => Pin::new(&mut **tls).poll_read(cx, buf),
            _ => Poll::Ready(Err(failed_error())),
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
        match &mut self.inner {
            Inner::Plain(tcp) => Pin::new(tcp).poll_write(cx, buf),
            Inner::Tls(tls) => Pin::new(&mut **tls).poll_write(cx, buf),
            _ => Poll::Ready(Err(failed_error())),
        }
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
        match &mut self.inner {
            Inner::Plain(tcp) => Pin::new(tcp).poll_write_vectored(cx, bufs),
            Inner::Tls(tls) => Pin::new(&mut **tls).poll_write_vectored(cx, bufs),
            _ => Poll::Ready(Err(failed_error())),
        }
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
        match &mut self.inner {
            Inner::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            Inner::Tls(tls) => Pin::new(&mut **tls).poll_flush(cx),
            _ => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let cut = self.is_cut();
        match &mut self.inner {
            Inner::Plain(tcp) | Inner::Sniffing(tcp, _) => Pin::new(tcp).poll_shutdown(cx),
            // A cut connection ends without TLS's close_notify, like a cut cable: the client
            // sees the stream end in the middle of things, not a clean close.
            Inner::Tls(tls) if cut => Pin::new(tls.get_mut().0).poll_shutdown(cx),
            Inner::Tls(tls) => Pin::new(&mut **tls).poll_shutdown(cx),
            // Dropping the stream closes the socket.
            Inner::Handshaking(_) | Inner::Failed => Poll::Ready(Ok(())),
        }
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
}

impl Connected<IncomingStream<'_, MockListener>> for Cutter {
    fn connect_info(stream: IncomingStream<'_, MockListener>) -> Self {
        Cutter(stream.io().switches.clone())
    }
}
