//! One client connection: its handshake, its streams, its keepalive, its
//! age and its end.
//!
//! Lifecycle of a connection (one task, spawned by the accept loop):
//!
//! 1. **Handshake**, bounded by the handshake timeout: the TLS handshake
//!    when TLS is on, then the HTTP/2 preface. A connection
//!    that sends nothing, or too slowly, is closed and counted; without
//!    this bound, idle sockets would pile up until the file table is full
//!    (keepalive cannot help: it needs HTTP/2 to be spoken).
//! 2. **Serving**: every new HTTP/2 stream is a call, served by a task of
//!    its own ([`serve_stream`](super::stream::serve_stream)), unless this
//!    connection already runs its maximum of handlers (load shedding: the
//!    call gets RESOURCE_EXHAUSTED at once) or the server is draining (the
//!    call gets UNAVAILABLE: the client retries elsewhere). Every
//!    keepalive interval a PING goes out; a PING unanswered for the
//!    keepalive timeout means the peer vanished, and the connection closes.
//! 3. **The end**, whichever comes first:
//!    - the client closes, or the connection breaks;
//!    - the server drains: a connection with no call closes at once (even
//!      one whose peer never answers PINGs, which would hold h2's graceful
//!      shutdown forever); one with calls sends GOAWAY, lets them finish
//!      and closes when the last one ends;
//!    - the connection reaches its maximum age: GOAWAY (the client opens a
//!      new connection for its next calls, and shows its token again);
//!      calls under way go on for the age grace, then end with
//!      UNAVAILABLE, and the connection closes.
//!
//!    A closing connection that was idle gets
//!    [`CLOSE_FLUSH_TIMEOUT`](crate::limits::CLOSE_FLUSH_TIMEOUT) to write
//!    its GOAWAY, so a peer that stopped reading does not hold a shutdown;
//!    one whose calls just ended gets as long as a reply may wait for its
//!    reader (the stall limit), cut short to the flush timeout once the
//!    server's grace is over. Streams the client opened before it saw the
//!    GOAWAY are refused with REFUSED_STREAM, which clients retry.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;

use bytes::Bytes;
use h2::server::SendResponse;
use h2::{Ping, Reason};
use http_body::Body;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep_until};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::stream::{HandlerSlot, StreamScope, caller_lang, send_trailers_only, serve_stream};
use super::{CallOrigin, CallService, Shared};
use crate::limits;
use crate::metrics::Refusal;
use crate::service::ConnectionStreams;
use crate::status;

/// Serves one accepted TCP connection until it ends.
pub(crate) async fn serve_connection<S, B>(tcp: TcpStream, shared: Arc<Shared<S>>)
where
    S: CallService<B>,
    B: Body<Data = Bytes> + Send + 'static,
{
    let due = Instant::now() + shared.settings.handshake_timeout;
    let Some(acceptor) = shared.tls.clone() else {
        return establish(tcp, shared, due).await;
    };
    // TLS failures are counted, and logged rate-limited, by the refusal;
    // the cause of each one only at debug level.
    let accepted = handshake_step(
        &shared,
        due,
        acceptor.accept(tcp),
        Some(Refusal::TlsHandshake),
        "TLS",
    );
    if let Some(tls) = accepted.await {
        establish(tls, shared, due).await;
    }
}

/// The HTTP/2 handshake (the client's 24-byte preface), due by `due`,
/// then the connection's life.
async fn establish<IO, S, B>(io: IO, shared: Arc<Shared<S>>, due: Instant)
where
    IO: AsyncRead + AsyncWrite + Unpin,
    S: CallService<B>,
    B: Body<Data = Bytes> + Send + 'static,
{
    let handshake = shared.h2.handshake::<_, Bytes>(io);
    if let Some(connection) = handshake_step(&shared, due, handshake, None, "HTTP/2").await {
        drive(connection, shared).await;
    }
}

/// One step of a connection's handshake, due by `due`: its result, or
/// `None` when it failed (counted as `failed`, if given), did not finish in
/// time (counted as a handshake timeout), or the drain started first (a
/// connection still shaking hands has no call to finish: it is dropped).
async fn handshake_step<S, T, E: std::fmt::Display>(
    shared: &Shared<S>,
    due: Instant,
    step: impl Future<Output = Result<T, E>>,
    failed: Option<Refusal>,
    what: &'static str,
) -> Option<T> {
    tokio::select! {
        outcome = tokio::time::timeout_at(due, step) => match outcome {
            Ok(Ok(done)) => Some(done),
            Ok(Err(error)) => {
                tracing::debug!(%error, "{what} handshake failed");
                if let Some(refusal) = failed {
                    shared.metrics.record_refusal(refusal);
                }
                None
            }
            Err(_) => {
                shared.metrics.record_refusal(Refusal::HandshakeTimeout);
                None
            }
        },
        () = shared.drain.started() => None,
    }
}

/// Why the serving loop stopped.
enum Stop {
    /// The client closed or the connection broke: nothing left to do.
    Gone,
    /// The peer stopped answering PINGs: close without waiting for it.
    Dead,
    /// The server is done with the connection: say goodbye (GOAWAY), let
    /// the last replies be written, then close.
    Close {
        /// Calls ended just now, whose last frames may still be on their
        /// way; otherwise the connection was idle.
        had_calls: bool,
    },
}

/// Serves the streams of an established HTTP/2 connection.
async fn drive<IO, S, B>(mut connection: h2::server::Connection<IO, Bytes>, shared: Arc<Shared<S>>)
where
    IO: AsyncRead + AsyncWrite + Unpin,
    S: CallService<B>,
    B: Body<Data = Bytes> + Send + 'static,
{
    let settings = &shared.settings;
    let streams = TaskTracker::new();
    let running = Arc::new(AtomicUsize::new(0));
    let per_connection = Arc::new(ConnectionStreams::default());
    let connection_number = shared.metrics.number_connection();
    // Cancelled when this connection's calls must end at once; a child of
    // the server's, which the drain's grace cancels.
    let cut = shared.cut.child_token();
    let mut pings = connection.ping_pong();
    let mut awaiting_pong = false;
    let mut ping_timer = pin!(sleep_until(Instant::now() + settings.keepalive_interval));
    let mut age_timer = pin!(sleep_until(Instant::now() + settings.max_connection_age));
    let mut aged = false;
    // When the calls of a connection past its age are cut.
    let mut cut_timer = pin!(sleep_until(Instant::now() + settings.max_connection_age));
    let mut cut_armed = false;
    let mut closing = false;
    let mut drain_started = pin!(shared.drain.started());
    let mut drain_seen = false;

    let stop = loop {
        tokio::select! {
            biased;
            pong = poll_fn(|cx| match pings.as_mut() {
                Some(pings) => pings.poll_pong(cx),
                None => Poll::Pending,
            }), if awaiting_pong => {
                if pong.is_err() {
                    break Stop::Gone;
                }
                awaiting_pong = false;
                ping_timer.as_mut().reset(Instant::now() + settings.keepalive_interval);
            },
            () = ping_timer.as_mut() => {
                if awaiting_pong {
                    tracing::debug!("keepalive: the peer did not answer a PING in time; closing");
                    break Stop::Dead;
                }
                match pings.as_mut().map(|pings| pings.send_ping(Ping::opaque())) {
                    Some(Ok(())) => {
                        awaiting_pong = true;
                        ping_timer.as_mut().reset(Instant::now() + settings.keepalive_timeout);
                    }
                    _ => ping_timer.as_mut().reset(Instant::now() + settings.keepalive_interval),
                }
            },
            () = &mut drain_started, if !drain_seen => {
                drain_seen = true;
                if streams.is_empty() {
                    break Stop::Close { had_calls: false };
                }
                // The drain's grace is the server's to enforce: it cuts every
                // connection at once when it is over.
                connection.graceful_shutdown();
                streams.close();
                closing = true;
            },
            () = age_timer.as_mut(), if !aged => {
                aged = true;
                tracing::debug!("connection reached its maximum age");
                if streams.is_empty() {
                    break Stop::Close { had_calls: false };
                }
                if !closing {
                    connection.graceful_shutdown();
                    streams.close();
                    closing = true;
                }
                cut_timer.as_mut().reset(Instant::now() + settings.max_connection_age_grace);
                cut_armed = true;
            },
            () = cut_timer.as_mut(), if cut_armed => {
                cut_armed = false;
                cut.cancel();
            },
            () = streams.wait(), if closing => break Stop::Close { had_calls: true },
            // Last: the timers above are cheap to poll, and a connection
            // kept busy must not keep its age or keepalive from being seen.
            accepted = connection.accept() => match accepted {
                Some(Ok((request, respond))) => {
                    serve_or_refuse(
                        &shared,
                        &streams,
                        &running,
                        (&per_connection, connection_number),
                        &cut,
                        request,
                        respond,
                    );
                }
                Some(Err(error)) => {
                    tracing::debug!(%error, "connection error");
                    break Stop::Gone;
                }
                None => break Stop::Gone,
            },
        }
    };

    // Whatever ended the loop, the calls still running end with it.
    cut.cancel();
    match stop {
        Stop::Gone => {}
        Stop::Dead => connection.abrupt_shutdown(Reason::NO_ERROR),
        Stop::Close { had_calls } => {
            if !closing {
                connection.graceful_shutdown();
            }
            // h2 writes the last replies, then its final GOAWAY once the
            // peer has answered its PING. Streams the client opened before
            // it saw the GOAWAY are refused with REFUSED_STREAM, which gRPC
            // clients retry at once elsewhere. An idle connection gets the
            // flush timeout (a peer that never answers must not hold a
            // shutdown); one whose calls just ended gets as long as a reply
            // may wait for its reader, or until the server's grace is over.
            let bound = if had_calls {
                settings.stall_limit
            } else {
                limits::CLOSE_FLUSH_TIMEOUT
            };
            let finish = async {
                while let Some(Ok((_, mut respond))) = connection.accept().await {
                    respond.send_reset(Reason::REFUSED_STREAM);
                }
            };
            let grace_over = async {
                shared.cut.cancelled().await;
                tokio::time::sleep(limits::CLOSE_FLUSH_TIMEOUT).await;
            };
            tokio::select! {
                _ = tokio::time::timeout(bound, finish) => {}
                () = grace_over => {}
            }
        }
    }
}

/// Starts serving a new stream, or refuses it at once: UNAVAILABLE while
/// the server drains, RESOURCE_EXHAUSTED when the connection already runs
/// its maximum of handlers (load shedding: refused rather than queued).
#[allow(clippy::too_many_arguments)]
fn serve_or_refuse<S, B>(
    shared: &Arc<Shared<S>>,
    streams: &TaskTracker,
    running: &Arc<AtomicUsize>,
    (per_connection, connection_number): (&Arc<ConnectionStreams>, u64),
    cut: &CancellationToken,
    mut request: http::Request<h2::RecvStream>,
    mut respond: SendResponse<Bytes>,
) where
    S: CallService<B>,
    B: Body<Data = Bytes> + Send + 'static,
{
    // Decided when the headers arrive: a call admitted before the drain
    // completes, even if its body comes later.
    if shared.drain.is_draining() {
        // REFUSED_STREAM: the call was not started, and gRPC clients retry
        // it transparently (tonic reads it as UNAVAILABLE).
        shared.metrics.record_refusal(Refusal::Draining);
        respond.send_reset(Reason::REFUSED_STREAM);
        return;
    }
    let max = shared.settings.concurrency_per_connection;
    let Some(slot) = HandlerSlot::take(running, max) else {
        shared.metrics.record_refusal(Refusal::Shed);
        send_trailers_only(&mut respond, status::shed(max, caller_lang(request.headers())));
        return;
    };
    request.extensions_mut().insert(Arc::clone(per_connection));
    let origin = CallOrigin {
        connection: connection_number,
        stream: request.body().stream_id().as_u32(),
    };
    request.extensions_mut().insert(origin);
    let scope = StreamScope {
        metrics: Arc::clone(&shared.metrics),
        drain: shared.drain.clone(),
        cut: cut.clone(),
        stall_limit: shared.settings.stall_limit,
        request_body_timeout: shared.settings.request_body_timeout,
        handler_slot: Some(slot),
    };
    let service = shared.service.clone();
    let call = OpenCall::enter(&shared.calls);
    // Boxed: the call's future is a few KiB, and the runtime moves a task's
    // future several times on its way into the task; a box moves as a
    // pointer (BENCHMARKS.md, "Performance, second round").
    streams.spawn(Box::pin(async move {
        let _call = call;
        serve_stream(service, request, respond, scope).await;
    }));
}

/// One call in flight on the server, counted for the shutdown's log line.
struct OpenCall(Arc<AtomicUsize>);

impl OpenCall {
    fn enter(calls: &Arc<AtomicUsize>) -> Self {
        calls.fetch_add(1, Ordering::Relaxed);
        Self(Arc::clone(calls))
    }
}

impl Drop for OpenCall {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}
