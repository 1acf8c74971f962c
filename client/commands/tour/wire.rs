//! The tour's wire tap: a gRPC call as HTTP/2 carries it, seen from the
//! client.
//!
//! A gRPC call is one HTTP/2 stream. The client opens it with a HEADERS
//! frame: the path names the method, and the metadata rides along as
//! headers (`grpc-timeout` is the deadline, `accept-language` and
//! `authorization` are ours). Its messages follow as DATA frames, and when
//! it has nothing more to send it half-closes its side (END_STREAM). The
//! server answers with HEADERS, its messages, and ends the call with
//! trailers whose `grpc-status` says how it went; a call that fails at once
//! gets its status in a single HEADERS frame ("trailers-only"). A client
//! that gives up resets the stream (RST_STREAM): that is a cancellation.
//!
//! tonic hides all of this behind `Request`, `Response` and `Streaming`.
//! The [`Tap`] sits between the generated client and tonic's `Channel` and
//! notes each of these moments, with the instant it happened, in a
//! [`WireLog`]; the timeline drains the log before each arrow it draws.
//!
//! Lifecycle: one log per timeline. [`Tap::call`] notes the opening
//! headers and wraps both bodies; the request body notes the half-close
//! when its last frame has gone, the response body notes the server's
//! headers, its trailers, and, when it is dropped before its end, the
//! client's reset. A log holds at most [`MAX_EVENTS`] events between two
//! drains; a log that only counts (the measurement of the bidirectional
//! chapter) keeps none and costs a few atomic additions per call.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;

use bank_proto::v1::bank_service_client::BankServiceClient;
use http::HeaderMap;
use http_body::{Body as HttpBody, Frame, SizeHint};
use tonic::Status;
use tonic::body::Body;
use tonic::transport::Channel;

/// Events a log keeps between two drains. A drawn call has a handful
/// (opening, half-close, response headers, trailers); the cap only matters
/// for calls nobody draws, whose events are counted, not kept.
const MAX_EVENTS: usize = 64;

/// Headers whose values the tour prints as they are: they say how the call
/// is made and carry no secret. Every other value (`authorization` first)
/// is masked.
const SHOWN_HEADERS: [&str; 7] = [
    "content-type",
    "te",
    "grpc-timeout",
    "accept-language",
    "user-agent",
    "grpc-encoding",
    "grpc-accept-encoding",
];

/// What a masked header value is printed as.
pub const MASKED: &str = "•••";

/// The user agent the CLI announces; tonic adds its own name after it, on
/// the wire.
pub const USER_AGENT: &str = concat!("bank/", env!("CARGO_PKG_VERSION"));

/// One moment of a call on the wire.
#[derive(Debug, Clone)]
pub enum WireEvent {
    /// The client opened the stream: the method's path and its metadata,
    /// masked where it could be a secret.
    Opened {
        path: String,
        metadata: Vec<(String, String)>,
    },
    /// A whole message went by (the last byte of its length-prefixed frame:
    /// a message may span several DATA frames, and a frame hold several).
    Message { from_client: bool },
    /// The client half-closed the stream: it will send nothing more.
    HalfClosed,
    /// The server's response headers (HTTP status 200 for every gRPC call
    /// that reached the service, whatever its gRPC status).
    Answered { http_status: u16 },
    /// The call's end as the server sent it: its trailers, or the single
    /// HEADERS frame of a trailers-only answer.
    Trailers {
        status: Box<Status>,
        trailers_only: bool,
    },
    /// The client reset the stream before its end: a cancellation.
    Reset,
}

/// The events of the calls made through a [`Tap`], and what they add up to.
#[derive(Debug, Default)]
pub struct WireLog {
    /// Events not yet drawn.
    events: Mutex<Vec<(Instant, WireEvent)>>,
    /// Whether events are kept for drawing, or only counted.
    keep: AtomicBool,
    /// Streams opened (one HEADERS block from the client each).
    pub calls: AtomicU64,
    /// HEADERS blocks either way: the opening, the answer, the trailers.
    pub header_blocks: AtomicU64,
}

impl WireLog {
    /// A log that keeps its events for the timeline.
    pub fn drawn() -> Arc<Self> {
        let log = Self::default();
        log.keep.store(true, Ordering::Relaxed);
        Arc::new(log)
    }

    /// A log that only counts (a measured run, nothing drawn).
    pub fn counted() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The events noted since the last drain, oldest first.
    pub fn drain(&self) -> Vec<(Instant, WireEvent)> {
        match self.events.lock() {
            Ok(mut events) => std::mem::take(&mut *events),
            Err(_) => Vec::new(),
        }
    }

    fn note(&self, event: WireEvent) {
        match &event {
            WireEvent::Opened { .. } => {
                self.calls.fetch_add(1, Ordering::Relaxed);
                self.header_blocks.fetch_add(1, Ordering::Relaxed);
            }
            WireEvent::Answered { .. } | WireEvent::Trailers { .. } => {
                self.header_blocks.fetch_add(1, Ordering::Relaxed);
            }
            WireEvent::Message { .. } | WireEvent::HalfClosed | WireEvent::Reset => {}
        }
        if !self.keep.load(Ordering::Relaxed) {
            return;
        }
        if let Ok(mut events) = self.events.lock()
            && events.len() < MAX_EVENTS
        {
            events.push((Instant::now(), event));
        }
    }
}

/// A Bank Service client whose calls are noted in `log`.
pub fn client(channel: Channel, log: &Arc<WireLog>) -> BankServiceClient<Tap> {
    BankServiceClient::new(Tap {
        inner: channel,
        log: Arc::clone(log),
    })
}

/// tonic's channel, with every call noted in a [`WireLog`].
#[derive(Clone, Debug)]
pub struct Tap {
    inner: Channel,
    log: Arc<WireLog>,
}

impl tower::Service<http::Request<Body>> for Tap {
    type Response = http::Response<Body>;
    type Error = <Channel as tower::Service<http::Request<Body>>>::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        tower::Service::poll_ready(&mut self.inner, cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let (mut parts, body) = request.into_parts();
        parts.headers.insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static(USER_AGENT),
        );
        self.log.note(WireEvent::Opened {
            path: parts.uri.path().to_owned(),
            metadata: shown(&parts.headers),
        });
        let body = Body::new(RequestBody {
            inner: body,
            log: Arc::clone(&self.log),
            ended: AtomicBool::new(false),
            framing: Framing::default(),
        });
        let log = Arc::clone(&self.log);
        let response = tower::Service::call(&mut self.inner, http::Request::from_parts(parts, body));
        Box::pin(async move {
            let response = response.await?;
            let (parts, body) = response.into_parts();
            // A status in the response headers is a trailers-only answer:
            // the call ended there, with no message.
            match Status::from_header_map(&parts.headers) {
                Some(status) => log.note(WireEvent::Trailers {
                    status: Box::new(status),
                    trailers_only: true,
                }),
                None => log.note(WireEvent::Answered {
                    http_status: parts.status.as_u16(),
                }),
            }
            let body = Body::new(ResponseBody {
                inner: body,
                log,
                ended: false,
                framing: Framing::default(),
            });
            Ok(http::Response::from_parts(parts, body))
        })
    }
}

/// The headers as the tour prints them: names as sent, values shown only
/// for [`SHOWN_HEADERS`]. tonic appends its own name to `user-agent` inside
/// the channel, after the tap: that is said where the value is printed.
fn shown(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let name = name.as_str();
            let value = if SHOWN_HEADERS.contains(&name) {
                value.to_str().unwrap_or(MASKED).to_owned()
            } else {
                MASKED.to_owned()
            };
            (name.to_owned(), value)
        })
        .collect()
}

/// The request body: notes the half-close once its last frame has gone.
struct RequestBody {
    inner: Body,
    log: Arc<WireLog>,
    /// The half-close is noted once, whichever way hyper learns of it.
    ended: AtomicBool,
    framing: Framing,
}

impl RequestBody {
    fn half_close(&self) {
        if !self.ended.swap(true, Ordering::Relaxed) {
            self.log.note(WireEvent::HalfClosed);
        }
    }
}

impl HttpBody for RequestBody {
    type Data = bytes::Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let this = &mut *self;
                    this.framing.note_messages(data, &this.log, true);
                }
            }
            Poll::Ready(None) => self.half_close(),
            _ => {}
        }
        polled
    }

    // hyper asks this after each frame, and sends END_STREAM with the last
    // DATA frame when it is true: that is the half-close of a unary call.
    fn is_end_stream(&self) -> bool {
        let end = self.inner.is_end_stream();
        if end {
            self.half_close();
        }
        end
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The response body: notes the server's trailers,
/// and notes a reset when the client drops it before the end.
struct ResponseBody {
    inner: Body,
    log: Arc<WireLog>,
    /// Whether the body reached its end (then dropping it resets nothing).
    ended: bool,
    framing: Framing,
}

impl HttpBody for ResponseBody {
    type Data = bytes::Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let this = &mut *self;
                    this.framing.note_messages(data, &this.log, false);
                } else if let Some(trailers) = frame.trailers_ref() {
                    self.ended = true;
                    let status = Status::from_header_map(trailers)
                        .unwrap_or_else(|| Status::unknown("trailers without grpc-status"));
                    self.log.note(WireEvent::Trailers {
                        status: Box::new(status),
                        trailers_only: false,
                    });
                }
            }
            Poll::Ready(None) | Poll::Ready(Some(Err(_))) => self.ended = true,
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for ResponseBody {
    // Dropping an unfinished response is how a tonic client cancels: h2
    // then resets the stream with CANCEL, and the server sees the call end.
    fn drop(&mut self) {
        if !self.ended && !self.inner.is_end_stream() {
            self.log.note(WireEvent::Reset);
        }
    }
}

/// Where a body is in gRPC's framing: every message is a 5-byte prefix (a
/// compressed flag and a 4-byte big-endian length) then that many bytes.
/// Fed the DATA frames as they go by, it counts the messages they complete.
#[derive(Debug, Default)]
struct Framing {
    prefix: [u8; 5],
    /// Bytes of the current prefix seen so far.
    prefix_seen: usize,
    /// Bytes of the current message still to come, once its prefix is in.
    body_left: usize,
}

impl Framing {
    /// Takes one DATA frame and notes each message it completed.
    fn note_messages(&mut self, data: &[u8], log: &WireLog, from_client: bool) {
        for _ in 0..self.feed(data) {
            log.note(WireEvent::Message { from_client });
        }
    }

    /// Takes one DATA frame; the number of messages it completed.
    fn feed(&mut self, mut bytes: &[u8]) -> usize {
        let mut completed = 0;
        while !bytes.is_empty() {
            if self.prefix_seen < self.prefix.len() {
                let take = (self.prefix.len() - self.prefix_seen).min(bytes.len());
                self.prefix[self.prefix_seen..self.prefix_seen + take].copy_from_slice(&bytes[..take]);
                self.prefix_seen += take;
                bytes = &bytes[take..];
                if self.prefix_seen == self.prefix.len() {
                    let [_, a, b, c, d] = self.prefix;
                    self.body_left = usize::try_from(u32::from_be_bytes([a, b, c, d])).unwrap_or(usize::MAX);
                }
            } else {
                let take = self.body_left.min(bytes.len());
                self.body_left -= take;
                bytes = &bytes[take..];
            }
            if self.prefix_seen == self.prefix.len() && self.body_left == 0 {
                completed += 1;
                self.prefix_seen = 0;
            }
        }
        completed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_counted_across_and_within_data_frames() {
        let mut framing = Framing::default();
        // One 3-byte message cut in three frames, then two whole messages
        // (one of them empty) in one frame.
        assert_eq!(framing.feed(&[0, 0, 0]), 0);
        assert_eq!(framing.feed(&[0, 3, 7, 7]), 0);
        assert_eq!(framing.feed(&[7]), 1);
        assert_eq!(framing.feed(&[0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 9]), 2);
        assert_eq!(framing.feed(&[]), 0);
    }
}
