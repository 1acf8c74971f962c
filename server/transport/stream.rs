//! One HTTP/2 stream, one gRPC call: from its headers to its trailers.
//!
//! The connection spawns one task per stream, running [`serve_stream`]. The
//! task owns both halves of the stream and drives, in one place, everything
//! that bounds what a call may cost:
//!
//! 1. **The request.** h2 hands over request bytes as DATA frames arrive.
//!    The task moves them at once into one compact buffer per call (the
//!    [`Inbox`]) that the handler reads through [`RequestBody`], and gives
//!    the client flow-control credit back only when the handler has read
//!    them. So a client that sends faster than the handler reads (a session
//!    pipelining requests without reading the replies) is stopped by the
//!    stream window, [`STREAM_WINDOW_BYTES`](crate::limits::STREAM_WINDOW_BYTES),
//!    and what it sent costs that much memory at most, in one buffer rather
//!    than thousands of tiny frames. (Left in h2, thousands of small frames
//!    exhaust its per-connection frame budget, and h2 then closes the whole
//!    connection with ENHANCE_YOUR_CALM, taking every other call on it.)
//!    On the way in, each message's declared length is checked against its
//!    method's limit ([`MethodRules`]) before any of it is kept; a call that
//!    sends one message must send it within the request body timeout
//!    ([`REQUEST_BODY_TIMEOUT`](crate::limits::REQUEST_BODY_TIMEOUT) by
//!    default); a client
//!    that resets the stream mid-request ends the call as CANCELLED.
//! 2. **The handler** runs (the router with its layers) until it returns
//!    the response headers; meanwhile the request keeps flowing in.
//! 3. **The response** is piped into HTTP/2 *capacity first*: the task asks
//!    the response body for its next chunk only when HTTP/2 has room for
//!    it, that is when the client has read what was sent before (and once
//!    right after a chunk, so that trailers leave with the last message). A
//!    reader that stops reading therefore costs at most a chunk queued in h2
//!    ([`MAX_SEND_BUFFER_BYTES`](crate::limits::MAX_SEND_BUFFER_BYTES)) and
//!    one held here, not h2's default 400 KiB; a feed is simply not asked for updates, and
//!    skips to the newest tick when asked again (its latest-value
//!    semantics). If no room appears for the stall limit, the task ends the
//!    call itself: it drops the body, which frees the call's place, and
//!    queues RESOURCE_EXHAUSTED in the trailers. Those wait in h2 behind the
//!    reply the client has not read; the client gets one more stall limit to
//!    read them, then the stream is reset, which frees what h2 still holds.
//!
//! The call also ends, with UNAVAILABLE, when its connection is cut (past
//! its maximum age and grace, or past the drain's grace), and, for an
//! endless watch (health's `Watch`), when the drain starts, once what it
//! had ready is sent. A `grpc-message` is never longer than
//! [`MAX_STATUS_MESSAGE_BYTES`](crate::limits::MAX_STATUS_MESSAGE_BYTES).
//!
//! Everything runs in this one task: the handler's futures and streams are
//! polled from here, so the request buffer, the response pipe and the
//! timers need no channel between tasks.

use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use h2::server::SendResponse;
use h2::{RecvStream, SendStream};
use http::{HeaderMap, HeaderValue};
use http_body::{Body, Frame};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};
use tonic::Status;
use tower::{Service, ServiceExt};

use crate::limits;
use crate::metrics::{Metrics, Refusal};
use crate::shutdown::{Drain, unavailable};
use crate::status;
use crate::telemetry::EndedByTransport;
use crate::transport::methods::{MessageSizeCheck, MethodRules};
use crate::woken::Woken;
use bank_i18n::Lang;

/// What a stream needs from its connection and server.
pub(crate) struct StreamScope {
    pub metrics: Arc<Metrics>,
    pub drain: Drain,
    /// Cancelled when the connection's calls must end now (maximum age and
    /// its grace passed, or the drain's grace passed).
    pub cut: CancellationToken,
    /// How long a reply may wait for the client to make room.
    pub stall_limit: Duration,
    /// How long a single-request call has to send its request whole.
    pub request_body_timeout: Duration,
    /// The call's place among its connection's running handlers, given
    /// back when the handler returns its response.
    pub handler_slot: Option<HandlerSlot>,
}

/// One of a connection's handler places (see
/// [`DEFAULT_CONCURRENCY_PER_CONNECTION`](crate::limits::DEFAULT_CONCURRENCY_PER_CONNECTION)).
pub(crate) struct HandlerSlot(Arc<AtomicUsize>);

impl HandlerSlot {
    /// A place if fewer than `max` are taken: one compare-and-swap, so two
    /// calls racing for the last place cannot both get it.
    pub(crate) fn take(running: &Arc<AtomicUsize>, max: usize) -> Option<Self> {
        running
            .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |count| {
                (count < max).then_some(count + 1)
            })
            .ok()?;
        Some(Self(Arc::clone(running)))
    }
}

impl Drop for HandlerSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Serves one call; see the module documentation for its lifecycle.
pub(crate) async fn serve_stream<S, B>(
    service: S,
    request: http::Request<RecvStream>,
    mut respond: SendResponse<Bytes>,
    mut scope: StreamScope,
) where
    S: Service<http::Request<RequestBody>, Response = http::Response<B>, Error = Infallible>,
    B: Body<Data = Bytes>,
{
    let (mut parts, mut recv) = request.into_parts();
    let rules = MethodRules::of(parts.uri.path());
    let lang = CallerLang(parts.headers.get(ACCEPT_LANGUAGE).cloned());
    let ended = Arc::new(EndedByTransport::default());
    parts.extensions.insert(Arc::clone(&ended));
    let inbox = Arc::new(Inbox::default());
    let body = RequestBody {
        source: Source::Inbox(Arc::clone(&inbox)),
        observer: None,
    };
    let flow = recv.flow_control().clone();
    let mut reader = Reader {
        recv: Some(recv),
        flow,
        inbox,
        check: MessageSizeCheck::new(rules.max_message_bytes),
        metrics: Arc::clone(&scope.metrics),
        lang: lang.clone(),
        body_deadline: rules
            .single_request
            .then(|| Box::pin(tokio::time::sleep(scope.request_body_timeout))),
        request_body_timeout: scope.request_body_timeout,
        refusal: None,
        client_left: false,
    };
    // Polled only when the cut wakes it: a feed's task is woken at every
    // tick, and polling the token would take its lock each time.
    let mut cut = Woken::new(scope.cut.clone().cancelled_owned());

    // Until the handler returns its response headers. In a block of its
    // own, so that the call's future is gone (and its room in this task's
    // state reused) once it has answered.
    let handled = {
        let mut call = pin!(service.oneshot(http::Request::from_parts(parts, body)));
        poll_fn(|cx| {
            reader.poll(cx);
            if let Some(status) = reader.refusal.take() {
                // Set before the call is dropped: its log line says so.
                ended.set(status.code());
                return Poll::Ready(Handled::Refused(status));
            }
            // Polled even when the client has left, so that the call is
            // started, and then logged and counted as CANCELLED when dropped.
            if let Poll::Ready(result) = call.as_mut().poll(cx) {
                let Ok(response) = result;
                return Poll::Ready(Handled::Response(response));
            }
            if reader.client_left {
                return Poll::Ready(Handled::ClientLeft);
            }
            reader.release_read(); // what the handler read in this poll
            if respond.poll_reset(cx).is_ready() {
                return Poll::Ready(Handled::ClientLeft);
            }
            if Pin::new(&mut cut).poll(cx).is_ready() {
                ended.set(tonic::Code::Unavailable);
                return Poll::Ready(Handled::Cut);
            }
            Poll::Pending
        })
        .await
    };
    scope.handler_slot = None;
    let response = match handled {
        Handled::Response(response) => response,
        // Dropping the handler's future is its cancellation.
        Handled::ClientLeft => return,
        Handled::Cut => {
            send_trailers_only(&mut respond, status::connection_closing(lang.get()));
            return;
        }
        Handled::Refused(status) => {
            send_trailers_only(&mut respond, status);
            return;
        }
    };

    let (parts, body) = response.into_parts();
    let mut head = http::Response::from_parts(parts, ());
    cap_status_message(head.headers_mut());
    let trailers_only = body.is_end_stream();
    let Ok(mut sender) = respond.send_response(head, trailers_only) else {
        return;
    };
    if trailers_only {
        return;
    }

    // In a block of its own, so that the body (and the call's place it
    // holds) is gone as soon as the call is over, before any goodbye.
    let piped = {
        let mut body = pin!(body);
        let mut stall = StallWatch::new(scope.stall_limit);
        let mut held = None;
        let mut drained = rules.ends_at_drain.then(|| scope.drain.started_owned());
        poll_fn(|cx| {
            reader.poll(cx);
            let piped = if reader.client_left {
                Poll::Ready(Piped::ClientLeft)
            } else if let Some(status) = reader.refusal.take() {
                Poll::Ready(Piped::Refused(status))
            } else {
                let piped = pipe(
                    &mut sender,
                    body.as_mut(),
                    &mut held,
                    cx,
                    &mut stall,
                    drained.as_mut(),
                );
                reader.release_read();
                if piped.is_pending() && sender.poll_reset(cx).is_ready() {
                    Poll::Ready(Piped::ClientLeft)
                } else if piped.is_pending() && Pin::new(&mut cut).poll(cx).is_ready() {
                    Poll::Ready(Piped::Cut)
                } else {
                    piped
                }
            };
            // Set before the body is dropped: the call's log line says so.
            if let Poll::Ready(piped) = &piped
                && let Some(code) = piped.ended_by_transport()
            {
                ended.set(code);
            }
            piped
        })
        .await
    };

    let end = match piped {
        Piped::Done | Piped::ClientLeft => return,
        Piped::Failed => {
            // A response body error that tonic did not turn into trailers
            // (tonic's own bodies never do this): the client must not wait.
            sender.send_reset(h2::Reason::INTERNAL_ERROR);
            return;
        }
        Piped::Stalled => {
            scope.metrics.record_refusal(Refusal::Stalled);
            let _ = sender.send_trailers(status_trailers(status::stalled(scope.stall_limit, lang.get())));
            // The trailers wait in h2 behind the reply the client has not
            // read. It gets one more stall limit to read them (and learn
            // why the call ended); then the stream is reset, which frees
            // what h2 still holds for it.
            tokio::time::sleep(scope.stall_limit).await;
            sender.send_reset(h2::Reason::CANCEL);
            return;
        }
        Piped::Cut => status::connection_closing(lang.get()),
        Piped::Drained => unavailable(),
        Piped::Refused(status) => status,
    };
    let _ = sender.send_trailers(status_trailers(end));
}

/// How the handler phase ended.
enum Handled<R> {
    Response(R),
    ClientLeft,
    Cut,
    /// The request broke a transport rule (a message over its limit): the
    /// transport answers, whatever the handler would make of it.
    Refused(Status),
}

/// How the response phase ended.
#[derive(Debug)]
enum Piped {
    /// The body ended (with its trailers): the normal end.
    Done,
    /// The client reset the stream or the connection broke.
    ClientLeft,
    /// The response body failed.
    Failed,
    /// No room for a reply for the stall limit.
    Stalled,
    /// The connection's calls must end now.
    Cut,
    /// An endless watch, at the drain, after what it had ready.
    Drained,
    /// The request broke a transport rule while the reply was under way.
    Refused(Status),
}

impl Piped {
    /// The status code of an end the transport decided, not the handler.
    fn ended_by_transport(&self) -> Option<tonic::Code> {
        match self {
            Self::Done | Self::ClientLeft | Self::Failed => None,
            Self::Stalled => Some(tonic::Code::ResourceExhausted),
            Self::Cut | Self::Drained => Some(tonic::Code::Unavailable),
            Self::Refused(status) => Some(status.code()),
        }
    }
}

/// Notices a reply that has waited for room longer than the stall limit.
///
/// A feed waits for room after nearly every update, for the moment it
/// takes h2 to hand the update to the socket: arming a timer for every one
/// of those waits would cost a timer insertion and removal per update and
/// subscriber. Instead a wait only records when it began, and one timer,
/// armed at most once per stall limit, checks on firing whether the wait
/// it was armed for is still going on.
struct StallWatch {
    limit: Duration,
    /// When the current wait for room began; `None` while there is room.
    since: Option<Instant>,
    /// Created at the first wait, then reset only when it fires early;
    /// polled only when it fires (a feed waits for room at every update).
    timer: Option<Woken<Sleep>>,
}

impl StallWatch {
    fn new(limit: Duration) -> Self {
        Self {
            limit,
            since: None,
            timer: None,
        }
    }

    /// There is room to send: no wait is going on.
    fn room(&mut self) {
        self.since = None;
    }

    /// A reply is waiting for room: `Ready` once it has waited the limit.
    fn waiting(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let since = *self.since.get_or_insert_with(Instant::now);
        let due = since + self.limit;
        let timer = self
            .timer
            .get_or_insert_with(|| Woken::new(tokio::time::sleep_until(due)));
        loop {
            if Pin::new(&mut *timer).poll(cx).is_pending() {
                return Poll::Pending;
            }
            if Instant::now() >= due {
                return Poll::Ready(());
            }
            // Fired for an earlier wait that ended: watch this one.
            timer.inner_mut().reset(due);
        }
    }
}

/// Moves response chunks into HTTP/2 while it has room, capacity first:
/// the body is asked for a chunk only when one more byte could be sent at
/// once. Right after a chunk is sent, the body is asked once more without
/// waiting for room, so that a reply's trailers (or end) leave with its
/// last message, as one burst: a unary answer is never cut between its
/// message and its status by a dying server, and a chunk that comes
/// instead is held (the only one held) until there is room.
fn pipe<B>(
    sender: &mut SendStream<Bytes>,
    mut body: Pin<&mut B>,
    held: &mut Option<Bytes>,
    cx: &mut Context<'_>,
    stall: &mut StallWatch,
    mut drained: Option<&mut Woken<WaitForCancellationFutureOwned>>,
) -> Poll<Piped>
where
    B: Body<Data = Bytes>,
{
    loop {
        // One byte beyond what is buffered: room means the client has made
        // space for everything sent so far (or h2 can still buffer it).
        sender.reserve_capacity(1);
        if sender.capacity() == 0 {
            match sender.poll_capacity(cx) {
                Poll::Ready(Some(Ok(_))) => continue,
                Poll::Ready(Some(Err(_)) | None) => return Poll::Ready(Piped::ClientLeft),
                Poll::Pending => {
                    return match stall.waiting(cx) {
                        Poll::Ready(()) => Poll::Ready(Piped::Stalled),
                        Poll::Pending => Poll::Pending,
                    };
                }
            }
        }
        stall.room();
        let data = match held.take() {
            Some(data) => data,
            None => match next_frame(body.as_mut(), sender, cx) {
                Poll::Ready(Next::Data(data)) => data,
                Poll::Ready(Next::End(end)) => return Poll::Ready(end),
                Poll::Pending => {
                    // Nothing ready: give the reserved byte back, so that an
                    // idle stream holds none of the connection's window.
                    sender.reserve_capacity(0);
                    if let Some(drained) = drained.as_mut()
                        && Pin::new(&mut **drained).poll(cx).is_ready()
                    {
                        return Poll::Ready(Piped::Drained);
                    }
                    return Poll::Pending;
                }
            },
        };
        if sender.send_data(data, false).is_err() {
            return Poll::Ready(Piped::ClientLeft);
        }
        // The same burst: the trailers, the end, or one chunk to hold.
        match next_frame(body.as_mut(), sender, cx) {
            Poll::Ready(Next::Data(data)) => *held = Some(data),
            Poll::Ready(Next::End(end)) => return Poll::Ready(end),
            Poll::Pending => {}
        }
    }
}

/// What the response body gave.
enum Next {
    Data(Bytes),
    /// The body ended (its trailers or end already sent), or failed.
    End(Piped),
}

/// The body's next frame: a chunk to send, or its end, which is sent here
/// (trailers need no room).
fn next_frame<B>(body: Pin<&mut B>, sender: &mut SendStream<Bytes>, cx: &mut Context<'_>) -> Poll<Next>
where
    B: Body<Data = Bytes>,
{
    let frame = match body.poll_frame(cx) {
        Poll::Pending => return Poll::Pending,
        Poll::Ready(Some(Ok(frame))) => frame,
        Poll::Ready(Some(Err(_))) => return Poll::Ready(Next::End(Piped::Failed)),
        Poll::Ready(None) => {
            let _ = sender.send_data(Bytes::new(), true);
            return Poll::Ready(Next::End(Piped::Done));
        }
    };
    match frame.into_data() {
        Ok(data) => Poll::Ready(Next::Data(data)),
        Err(frame) => {
            if let Ok(mut trailers) = frame.into_trailers() {
                sender.reserve_capacity(0);
                cap_status_message(&mut trailers);
                let _ = sender.send_trailers(trailers);
            }
            Poll::Ready(Next::End(Piped::Done))
        }
    }
}

/// The trailers that carry `status` (`grpc-status`, `grpc-message`,
/// `grpc-status-details-bin`).
fn status_trailers(status: Status) -> HeaderMap {
    let (parts, ()) = status.into_http::<()>().into_parts();
    let mut trailers = parts.headers;
    trailers.remove(http::header::CONTENT_TYPE);
    cap_status_message(&mut trailers);
    trailers
}

/// A response that is only a status, with no message.
pub(crate) fn send_trailers_only(respond: &mut SendResponse<Bytes>, status: Status) {
    let (mut parts, ()) = status.into_http::<()>().into_parts();
    cap_status_message(&mut parts.headers);
    let _ = respond.send_response(http::Response::from_parts(parts, ()), true);
}

/// Cuts `grpc-message` to [`limits::MAX_STATUS_MESSAGE_BYTES`], so that no
/// status, whoever wrote it, echoes unbounded input back. The value is
/// percent-encoded: the cut never splits a `%XX` escape.
fn cap_status_message(headers: &mut HeaderMap) {
    let Some(message) = headers.get("grpc-message") else {
        return;
    };
    let bytes = message.as_bytes();
    if bytes.len() <= limits::MAX_STATUS_MESSAGE_BYTES {
        return;
    }
    let mut end = limits::MAX_STATUS_MESSAGE_BYTES;
    // Back off to before an escape that would be cut.
    if let Some(percent) = bytes[end.saturating_sub(2)..end].iter().rposition(|&b| b == b'%') {
        end = end - 2 + percent;
    }
    // Percent-encoding of UTF-8 may leave a character's escapes cut in
    // the middle; a decoder reads that as a replacement character, which
    // is acceptable for a message already cut short.
    if let Ok(cut) = HeaderValue::from_bytes(&bytes[..end]) {
        headers.insert("grpc-message", cut);
    }
}

const ACCEPT_LANGUAGE: &str = "accept-language";

/// The language of a call's `accept-language` header.
pub(crate) fn caller_lang(headers: &HeaderMap) -> Lang {
    CallerLang(headers.get(ACCEPT_LANGUAGE).cloned()).get()
}

/// The caller's `accept-language`, parsed only when a status needs it.
#[derive(Clone)]
struct CallerLang(Option<HeaderValue>);

impl CallerLang {
    fn get(&self) -> Lang {
        self.0
            .as_ref()
            .and_then(|value| value.to_str().ok())
            .map_or(Lang::En, Lang::from_accept_language)
    }
}

/// Request bytes received and not yet read by the handler, shared between
/// the [`Reader`] (which fills it) and the [`RequestBody`] (which empties
/// it). Both live in the stream's task; the lock is never contended.
#[derive(Default)]
struct Inbox {
    state: Mutex<InboxState>,
}

#[derive(Default)]
struct InboxState {
    /// Received, not yet read: one buffer however the client cut its frames.
    pending: BytesMut,
    /// Read by the handler (or thrown away), not yet credited back to the
    /// client's flow-control window.
    read_unreleased: usize,
    /// `Some` once the request is over: `Ok` at its end, `Err` when it broke.
    end: Option<Result<(), Status>>,
    /// The handler waiting for bytes.
    waker: Option<Waker>,
    /// The handler dropped the body: what arrives now is thrown away.
    body_dropped: bool,
}

impl Inbox {
    fn lock(&self) -> MutexGuard<'_, InboxState> {
        // The state stays consistent across a panic (plain fields).
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl InboxState {
    fn wake(&mut self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }

    /// Wakes the handler unless it waits in `current`, the task running
    /// now: the handler is polled right after the reader in the same poll,
    /// and waking the running task would only schedule a useless poll.
    fn wake_unless(&mut self, current: &Waker) {
        if let Some(waker) = self.waker.take()
            && !waker.will_wake(current)
        {
            waker.wake();
        }
    }

    fn finish(&mut self, end: Result<(), Status>) {
        if self.end.is_none() {
            self.end = Some(end);
        }
        self.wake();
    }
}

/// The request body as the handler sees it: the stream's [`Inbox`], or,
/// for a call that came another way (gRPC-Web on the page's listener, see
/// `crate::web`), the body that way decoded.
pub struct RequestBody {
    source: Source,
    /// Sees the bytes as the handler reads them, when someone watches.
    observer: Option<Box<dyn RequestObserver>>,
}

enum Source {
    Inbox(Arc<Inbox>),
    Other(tonic::body::Body),
}

/// Sees a request body as its handler reads it: the classroom view's way
/// into the client's messages. Called on the handler's task, in order.
pub(crate) trait RequestObserver: Send + Sync {
    /// Bytes of the body, cut wherever HTTP/2 cut them.
    fn data(&mut self, data: &Bytes);
    /// The client half-closed: the body ended well.
    fn end(&mut self);
}

impl RequestBody {
    /// A call's body that did not come through this transport.
    pub(crate) fn other(body: tonic::body::Body) -> Self {
        Self {
            source: Source::Other(body),
            observer: None,
        }
    }

    /// Shows the body to `observer` from now on.
    pub(crate) fn observe(&mut self, observer: Box<dyn RequestObserver>) {
        self.observer = Some(observer);
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let this = self.get_mut();
        let inbox = match &mut this.source {
            Source::Inbox(inbox) => inbox,
            Source::Other(body) => {
                let polled = Pin::new(body).poll_frame(cx);
                if let Some(observer) = &mut this.observer {
                    match &polled {
                        Poll::Ready(Some(Ok(frame))) => {
                            if let Some(data) = frame.data_ref() {
                                observer.data(data);
                            }
                        }
                        Poll::Ready(None) => observer.end(),
                        _ => {}
                    }
                }
                return polled;
            }
        };
        let mut state = inbox.lock();
        if !state.pending.is_empty() {
            let data = state.pending.split().freeze();
            state.read_unreleased += data.len();
            drop(state);
            if let Some(observer) = &mut this.observer {
                observer.data(&data);
            }
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        match &state.end {
            Some(Ok(())) => {}
            Some(Err(status)) => return Poll::Ready(Some(Err(status.clone()))),
            None => {
                state.waker = Some(cx.waker().clone());
                return Poll::Pending;
            }
        }
        drop(state);
        if let Some(mut observer) = this.observer.take() {
            observer.end();
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        match &self.source {
            Source::Inbox(inbox) => {
                let state = inbox.lock();
                state.pending.is_empty() && matches!(state.end, Some(Ok(())))
            }
            Source::Other(body) => body.is_end_stream(),
        }
    }
}

impl Drop for RequestBody {
    fn drop(&mut self) {
        let Source::Inbox(inbox) = &self.source else {
            return;
        };
        let mut state = inbox.lock();
        let unread = state.pending.len();
        state.pending = BytesMut::new();
        state.read_unreleased += unread;
        state.body_dropped = true;
    }
}

/// The receiving half of the stream, drained into the [`Inbox`] by the
/// stream's task.
struct Reader {
    /// `None` once the request ended or broke.
    recv: Option<RecvStream>,
    /// Credits the client's window, also after the request has ended: what
    /// the handler reads then (a session's last requests) must still be
    /// given back, or the connection's window shrinks for good.
    flow: h2::FlowControl,
    inbox: Arc<Inbox>,
    check: MessageSizeCheck,
    metrics: Arc<Metrics>,
    lang: CallerLang,
    /// For calls that send one message: when it must have arrived whole.
    body_deadline: Option<Pin<Box<Sleep>>>,
    request_body_timeout: Duration,
    /// The status the call must end with because of its request, whatever
    /// the handler does with the broken body.
    refusal: Option<Status>,
    /// The client reset the stream (or the connection broke) mid-request:
    /// the call is over, CANCELLED, and the transport drops it. The body
    /// is not told: handed to tonic as a body error, a cancellation reads
    /// as the end of the request, and a half-read message would then be
    /// answered INTERNAL.
    client_left: bool,
}

impl Reader {
    /// Moves every DATA frame h2 holds into the inbox.
    fn poll(&mut self, cx: &mut Context<'_>) {
        let Some(recv) = self.recv.as_mut() else {
            return;
        };
        let end = loop {
            match recv.poll_data(cx) {
                Poll::Ready(Some(Ok(data))) => {
                    if let Err(size) = self.check.feed(&data) {
                        self.metrics.record_refusal(Refusal::MessageTooLarge);
                        let max = self.check.max();
                        let _ = recv.flow_control().release_capacity(data.len());
                        break Some(Err(status::message_too_large(size, max, self.lang.get())));
                    }
                    let mut state = self.inbox.lock();
                    if state.body_dropped {
                        state.read_unreleased += data.len();
                    } else {
                        state.pending.extend_from_slice(&data);
                        state.wake_unless(cx.waker());
                    }
                }
                Poll::Ready(Some(Err(_))) => {
                    self.client_left = true;
                    self.body_deadline = None;
                    self.recv = None;
                    return;
                }
                Poll::Ready(None) => break Some(Ok(())),
                Poll::Pending => break None,
            }
        };
        if let Some(end) = end {
            self.end(end);
            return;
        }
        if let Some(deadline) = self.body_deadline.as_mut()
            && deadline.as_mut().poll(cx).is_ready()
        {
            let status = status::request_too_slow(self.request_body_timeout, self.lang.get());
            self.end(Err(status));
        }
    }

    /// The request is over: tell the handler, stop reading. A request the
    /// transport refuses (too large, too slow) is also answered by the
    /// transport, with that status, whatever the handler would make of the
    /// broken body (tonic reads a CANCELLED body as the request's end).
    fn end(&mut self, end: Result<(), Status>) {
        if let Err(status) = &end {
            self.refusal = Some(status.clone());
        }
        self.body_deadline = None;
        self.release_read();
        self.recv = None;
        self.inbox.lock().finish(end);
    }

    /// Credits the client's window with what the handler has read.
    fn release_read(&mut self) {
        let read = std::mem::take(&mut self.inbox.lock().read_unreleased);
        if read > 0 {
            let _ = self.flow.release_capacity(read);
        }
    }
}

impl Drop for Reader {
    /// The call is over for the transport, whatever the handler is doing: a
    /// handler that reads its request in a task of its own (reflection
    /// does) must not wait for bytes that will never come. What it had
    /// read is credited back.
    fn drop(&mut self) {
        self.release_read();
        self.inbox.lock().finish(Err(Status::cancelled("the call ended")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_status_message_is_cut_without_splitting_an_escape() {
        let mut headers = HeaderMap::new();
        let long = "a".repeat(limits::MAX_STATUS_MESSAGE_BYTES - 1) + "%C3%A9tail";
        headers.insert("grpc-message", HeaderValue::from_str(&long).expect("ascii"));
        cap_status_message(&mut headers);
        let cut = headers.get("grpc-message").expect("kept").as_bytes();
        assert_eq!(cut.len(), limits::MAX_STATUS_MESSAGE_BYTES - 1);
        assert!(cut.iter().all(|&b| b == b'a'));
    }

    #[test]
    fn a_short_status_message_is_left_alone() {
        let mut headers = HeaderMap::new();
        headers.insert("grpc-message", HeaderValue::from_static("amount%20too%20large"));
        cap_status_message(&mut headers);
        assert_eq!(headers.get("grpc-message").expect("kept"), "amount%20too%20large");
    }
}
