//! The classroom view (`bank-server --classroom`): every `BankService`
//! call, as the server sees it, streamed to whoever watches through
//! `bank.v1.ClassroomService/WatchCalls`.
//!
//! It exists to teach the four gRPC models by showing them happen, whoever
//! makes the calls: the `bank` CLI, the tour, grpcurl, a student's client.
//! It is off by default, because it shows one caller's traffic to another;
//! callers are named by their connection's number ("client 7", see
//! [`CallOrigin`]), never by address, and every metadata value but
//! `grpc-timeout`, `accept-language` and `user-agent` is masked.
//!
//! Lifecycle of a watched call:
//! 1. The router (`calls`) asks [`Classroom::opening`] for the call's
//!    metadata as it arrived (before the token check takes the token out):
//!    with nobody watching, that is one atomic load, and nothing else
//!    happens for the whole call. Then, for a `BankService` call that
//!    passed the token check, [`Classroom::watch`] numbers the call,
//!    publishes its start and puts a [`RequestWatch`] on its request body,
//!    which shows it each client message as the handler reads it, then the
//!    half-close.
//! 2. The router keeps the returned [`CallWatch`] beside the call: it sees
//!    each server message go by in the response body, then the status
//!    (headers of a trailers-only answer, or the trailers).
//! 3. If the call ends without a status (the client left, the transport
//!    ended it), dropping the [`CallWatch`] publishes the end as the
//!    transport decided it, CANCELLED when the client went away.
//!
//! Messages are split out of the byte stream by their 5-byte gRPC prefix
//! ([`Frames`]) and written as JSON only while someone watches.
//!
//! Fan-out: each watcher has a buffer of [`WATCHER_BUFFER`] events. When it
//! is full, the event is not queued: the watcher's count of skipped events
//! grows, and its stream sends a `Skipped` event with that count before its
//! next event. The server never queues more than that per watcher. Watch
//! streams end with UNAVAILABLE at the drain, like feeds.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use bytes::{Buf, Bytes, BytesMut};
use http::{HeaderMap, Request};
use prost::Message;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio_stream::Stream;
use tonic::{Code, Response, Status};
use tonic_types::StatusExt;

use crate::shutdown::{self, Drain};
use crate::telemetry::EndedByTransport;
use crate::transport::{CallOrigin, RequestObserver};
use bank_proto::server_v1::classroom_service_server::{ClassroomService, ClassroomServiceServer};
use bank_proto::v1::{
    self, CallEnded, CallEvent, CallMessage, CallModel, CallStarted, Direction, EndCause, HalfClose,
    MetadataEntry, Skipped, WatchCallsRequest, call_event::Event,
};

/// Events waiting for one watcher. A watcher on a terminal or a page reads
/// them at once; this covers a burst (a batch of a few hundred items is a
/// few hundred events) without letting a stalled watcher hold more than a
/// few hundred KiB.
pub const WATCHER_BUFFER: usize = 256;

/// Longest JSON text of one message, in bytes (cut at a character
/// boundary). A batch summary or a long history would otherwise flood a
/// terminal and the watchers' buffers; the size on the wire is given whole.
pub const MAX_MESSAGE_JSON_BYTES: usize = 1024;

/// What a masked metadata value is replaced with.
pub const MASK: &str = "***";

/// Metadata whose values are shown: they say how the call was made
/// (its deadline, its language, its client library), not who made it.
const SHOWN_METADATA: [&str; 3] = ["grpc-timeout", "accept-language", "user-agent"];

/// The metadata key of the API token, listed first.
const AUTHORIZATION: &str = "authorization";

/// The name the router knows the service by.
pub const SERVICE_NAME: &str = "bank.v1.ClassroomService";

/// The watchers, and the count the hot path reads.
#[derive(Default)]
pub(crate) struct Classroom {
    /// How many watchers are subscribed: the one check every call makes.
    watchers: AtomicUsize,
    subscribed: Mutex<Vec<Watcher>>,
    /// The last call's number.
    calls: AtomicU64,
}

/// One watcher's end of the fan-out.
struct Watcher {
    events: mpsc::Sender<CallEvent>,
    /// Events dropped because its buffer was full, not yet reported.
    skipped: Arc<AtomicU64>,
}

impl Classroom {
    fn watched(&self) -> bool {
        self.watchers.load(Ordering::Relaxed) > 0
    }

    /// Hands `event` to every watcher, or counts it as skipped for those
    /// whose buffer is full; forgets watchers that left.
    fn publish(&self, event: &CallEvent) {
        let mut subscribed = self.subscribed.lock().unwrap_or_else(PoisonError::into_inner);
        subscribed.retain(|watcher| match watcher.events.try_send(event.clone()) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                watcher.skipped.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(TrySendError::Closed(_)) => false,
        });
        self.watchers.store(subscribed.len(), Ordering::Relaxed);
    }

    fn subscribe(&self) -> (mpsc::Receiver<CallEvent>, Arc<AtomicU64>) {
        let (events, receiver) = mpsc::channel(WATCHER_BUFFER);
        let skipped = Arc::new(AtomicU64::new(0));
        let mut subscribed = self.subscribed.lock().unwrap_or_else(PoisonError::into_inner);
        subscribed.push(Watcher {
            events,
            skipped: Arc::clone(&skipped),
        });
        self.watchers.store(subscribed.len(), Ordering::Relaxed);
        (receiver, skipped)
    }

    /// A call's opening metadata as watchers see it, if anyone watches
    /// (with nobody watching, this one atomic load is all a call costs).
    pub(crate) fn opening(&self, headers: &HeaderMap) -> Option<Metadata> {
        self.watched().then(|| Metadata(metadata(headers)))
    }

    /// Starts watching a `BankService` call whose [`opening`](Self::opening)
    /// metadata was read: publishes its start and puts a [`RequestWatch`]
    /// on its body.
    pub(crate) fn watch(
        self: &Arc<Self>,
        request: &mut Request<crate::transport::RequestBody>,
        opening: Metadata,
    ) -> CallWatch {
        let path = request.uri().path();
        let method = MethodTypes::of(path);
        let origin = request.extensions().get::<CallOrigin>().copied();
        let call = Arc::new(WatchedCall {
            classroom: Arc::clone(self),
            id: self.calls.fetch_add(1, Ordering::Relaxed) + 1,
            started: Instant::now(),
            method,
            ended_by_transport: request.extensions().get::<Arc<EndedByTransport>>().cloned(),
        });
        call.publish(Event::Started(CallStarted {
            method: path.to_owned(),
            model: method.model as i32,
            connection: origin.map_or_else(String::new, |origin| format!("client {}", origin.connection)),
            http2_stream: origin.map_or(0, |origin| origin.stream),
            metadata: opening.0,
        }));
        request.body_mut().observe(Box::new(RequestWatch {
            call: Arc::clone(&call),
            frames: Frames::default(),
        }));
        CallWatch {
            call,
            frames: Frames::default(),
            ended: false,
        }
    }
}

/// A call's opening metadata, masked, as [`Classroom::opening`] read it.
pub(crate) struct Metadata(Vec<MetadataEntry>);

/// The opening metadata, `authorization` first, masked but for
/// [`SHOWN_METADATA`].
fn metadata(headers: &HeaderMap) -> Vec<MetadataEntry> {
    let mut entries: Vec<MetadataEntry> = headers
        .iter()
        .map(|(name, value)| {
            let shown = SHOWN_METADATA.contains(&name.as_str());
            MetadataEntry {
                name: name.as_str().to_owned(),
                value: if shown {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                } else {
                    MASK.to_owned()
                },
                masked: !shown,
            }
        })
        .collect();
    // Stable: the others keep the order they came in.
    entries.sort_by_key(|entry| entry.name != AUTHORIZATION);
    entries
}

/// A message type: its name and how to write one as JSON.
#[derive(Clone, Copy)]
struct MessageType {
    name: &'static str,
    json: fn(&[u8]) -> Option<String>,
}

/// The `bank.v1` message type `T`, as JSON through its `serde` derive.
fn message_type<T: Message + Default + serde::Serialize>(name: &'static str) -> MessageType {
    MessageType {
        name,
        json: |bytes| {
            let message = T::decode(bytes).ok()?;
            serde_json::to_string(&message).ok()
        },
    }
}

/// What a method exchanges.
#[derive(Clone, Copy)]
struct MethodTypes {
    model: CallModel,
    request: Option<MessageType>,
    response: Option<MessageType>,
}

impl MethodTypes {
    /// The types of the `BankService` method at `path`; none for a method
    /// the contract does not have (the call then ends UNIMPLEMENTED).
    fn of(path: &str) -> Self {
        let method = path.rsplit('/').next().unwrap_or("");
        let convert = message_type::<v1::ConvertRequest>("bank.v1.ConvertRequest");
        let (model, request, response) = match method {
            "ListCurrencies" => (
                CallModel::Unary,
                message_type::<v1::ListCurrenciesRequest>("bank.v1.ListCurrenciesRequest"),
                message_type::<v1::ListCurrenciesResponse>("bank.v1.ListCurrenciesResponse"),
            ),
            "Convert" => (
                CallModel::Unary,
                convert,
                message_type::<v1::ConvertResponse>("bank.v1.ConvertResponse"),
            ),
            "GetRateHistory" => (
                CallModel::Unary,
                message_type::<v1::GetRateHistoryRequest>("bank.v1.GetRateHistoryRequest"),
                message_type::<v1::GetRateHistoryResponse>("bank.v1.GetRateHistoryResponse"),
            ),
            "StreamRates" => (
                CallModel::ServerStreaming,
                message_type::<v1::StreamRatesRequest>("bank.v1.StreamRatesRequest"),
                message_type::<v1::RateUpdate>("bank.v1.RateUpdate"),
            ),
            "ConvertBatch" => (
                CallModel::ClientStreaming,
                convert,
                message_type::<v1::BatchSummary>("bank.v1.BatchSummary"),
            ),
            "ConvertSession" => (
                CallModel::BidiStreaming,
                convert,
                message_type::<v1::SessionReply>("bank.v1.SessionReply"),
            ),
            _ => {
                return Self {
                    model: CallModel::Unspecified,
                    request: None,
                    response: None,
                };
            }
        };
        Self {
            model,
            request: Some(request),
            response: Some(response),
        }
    }
}

/// A watched call, shared by its request and response sides.
struct WatchedCall {
    classroom: Arc<Classroom>,
    id: u64,
    started: Instant,
    method: MethodTypes,
    ended_by_transport: Option<Arc<EndedByTransport>>,
}

impl WatchedCall {
    fn publish(&self, event: Event) {
        self.classroom.publish(&CallEvent {
            call_id: self.id,
            since_start_us: micros(self.started),
            event: Some(event),
        });
    }

    /// One whole message: its type, size and JSON (only if still watched).
    fn message(&self, direction: Direction, compressed: bool, message: &[u8]) {
        if !self.classroom.watched() {
            return;
        }
        let kind = match direction {
            Direction::ClientToServer => self.method.request,
            _ => self.method.response,
        };
        let json = if compressed {
            None
        } else {
            kind.and_then(|kind| (kind.json)(message))
        };
        let json = json.unwrap_or_default();
        let json_bytes = u32::try_from(json.len()).unwrap_or(u32::MAX);
        let (json, truncated) = cut(json);
        self.publish(Event::Message(CallMessage {
            direction: direction as i32,
            r#type: kind.map_or("", |kind| kind.name).to_owned(),
            encoded_bytes: u32::try_from(message.len()).unwrap_or(u32::MAX),
            json,
            truncated,
            compressed,
            json_bytes,
        }));
    }
}

/// `text` cut to [`MAX_MESSAGE_JSON_BYTES`] at a character boundary, and
/// whether it was cut.
fn cut(mut text: String) -> (String, bool) {
    if text.len() <= MAX_MESSAGE_JSON_BYTES {
        return (text, false);
    }
    let mut end = MAX_MESSAGE_JSON_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    (text, true)
}

fn micros(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// Splits a gRPC byte stream into messages by their 5-byte prefix (a
/// compression flag, a big-endian length), across however HTTP/2 cut it.
#[derive(Default)]
struct Frames {
    buffer: BytesMut,
}

/// The gRPC message prefix: one flag byte, a four-byte length.
const PREFIX_BYTES: usize = 5;

impl Frames {
    /// Adds `data`, and calls `each(compressed, message)` for every message
    /// it completes.
    fn push(&mut self, data: &[u8], mut each: impl FnMut(bool, &[u8])) {
        self.buffer.extend_from_slice(data);
        while self.buffer.len() >= PREFIX_BYTES {
            let length = u32::from_be_bytes([self.buffer[1], self.buffer[2], self.buffer[3], self.buffer[4]]);
            let Ok(length) = usize::try_from(length) else {
                return;
            };
            if self.buffer.len() < PREFIX_BYTES + length {
                return;
            }
            let compressed = self.buffer[0] & 1 == 1;
            self.buffer.advance(PREFIX_BYTES);
            let message = self.buffer.split_to(length);
            each(compressed, &message);
        }
    }
}

/// The request side of a watched call, on its request body.
struct RequestWatch {
    call: Arc<WatchedCall>,
    frames: Frames,
}

impl RequestObserver for RequestWatch {
    fn data(&mut self, data: &Bytes) {
        let call = &self.call;
        self.frames.push(data, |compressed, message| {
            call.message(Direction::ClientToServer, compressed, message);
        });
    }

    fn end(&mut self) {
        self.call.publish(Event::HalfClose(HalfClose {}));
    }
}

/// The response side of a watched call, kept by the router beside it.
pub(crate) struct CallWatch {
    call: Arc<WatchedCall>,
    frames: Frames,
    ended: bool,
}

impl CallWatch {
    /// Bytes of the response body.
    pub(crate) fn response(&mut self, data: &Bytes) {
        let call = &self.call;
        self.frames.push(data, |compressed, message| {
            call.message(Direction::ServerToClient, compressed, message);
        });
    }

    /// The status, from the headers of a trailers-only answer or from the
    /// trailers.
    pub(crate) fn end(&mut self, headers: &HeaderMap) {
        let status = Status::from_header_map(headers).unwrap_or_else(|| Status::unknown(""));
        self.finish(&status);
    }

    fn finish(&mut self, status: &Status) {
        if std::mem::replace(&mut self.ended, true) {
            return;
        }
        let reason = status
            .get_details_error_info()
            .map(|info| info.reason)
            .unwrap_or_default();
        let bad_fields = status
            .get_details_bad_request()
            .map(|bad| {
                bad.field_violations
                    .into_iter()
                    .map(|violation| violation.field)
                    .collect()
            })
            .unwrap_or_default();
        let cause = match status.code() {
            Code::Cancelled => EndCause::Cancelled,
            Code::DeadlineExceeded => EndCause::DeadlineExpired,
            _ => EndCause::Unspecified,
        };
        self.call.publish(Event::Ended(CallEnded {
            code: status.code() as i32,
            message: status.message().to_owned(),
            reason,
            bad_fields,
            duration_us: micros(self.call.started),
            cause: cause as i32,
        }));
    }
}

impl Drop for CallWatch {
    fn drop(&mut self) {
        // Ended without a status: as the transport ended it, or the client
        // went away.
        let code = self
            .call
            .ended_by_transport
            .as_ref()
            .and_then(|ended| ended.get())
            .unwrap_or(Code::Cancelled);
        self.finish(&Status::new(code, ""));
    }
}

/// The service: `WatchCalls` subscribes a watcher.
#[derive(Clone)]
pub(crate) struct WatchApi {
    classroom: Arc<Classroom>,
    drain: Drain,
}

/// What the router needs of the classroom: the watchers, and the service.
pub(crate) struct ClassroomRoute {
    pub classroom: Arc<Classroom>,
    pub service: ClassroomServiceServer<WatchApi>,
}

impl ClassroomRoute {
    pub(crate) fn new(drain: Drain) -> Self {
        let classroom = Arc::new(Classroom::default());
        let api = WatchApi {
            classroom: Arc::clone(&classroom),
            drain,
        };
        Self {
            classroom,
            service: ClassroomServiceServer::new(api),
        }
    }
}

/// A watcher's stream of events.
type EventStream = Pin<Box<dyn Stream<Item = Result<CallEvent, Status>> + Send>>;

#[tonic::async_trait]
impl ClassroomService for WatchApi {
    type WatchCallsStream = EventStream;

    async fn watch_calls(
        &self,
        _request: tonic::Request<WatchCallsRequest>,
    ) -> Result<Response<EventStream>, Status> {
        if self.drain.is_draining() {
            return Err(shutdown::unavailable());
        }
        let (mut events, skipped) = self.classroom.subscribe();
        let drain = self.drain.clone();
        let stream = async_stream::stream! {
            loop {
                let missed = skipped.swap(0, Ordering::Relaxed);
                if missed > 0 {
                    yield Ok(CallEvent {
                        call_id: 0,
                        since_start_us: 0,
                        event: Some(Event::Skipped(Skipped { count: missed })),
                    });
                }
                tokio::select! {
                    biased;
                    () = drain.started() => {
                        yield Err(shutdown::unavailable());
                        break;
                    }
                    event = events.recv() => match event {
                        Some(event) => yield Ok(event),
                        None => break,
                    },
                }
            }
        };
        Ok(Response::new(Box::pin(stream)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_found_whole_however_the_bytes_are_cut() {
        let mut bytes = Vec::new();
        for message in [&b"abc"[..], b"", b"defgh"] {
            bytes.push(0);
            bytes.extend_from_slice(&u32::try_from(message.len()).unwrap_or(0).to_be_bytes());
            bytes.extend_from_slice(message);
        }
        let mut frames = Frames::default();
        let mut seen = Vec::new();
        for byte in &bytes {
            frames.push(std::slice::from_ref(byte), |_, message| {
                seen.push(message.to_vec())
            });
        }
        assert_eq!(seen, vec![b"abc".to_vec(), Vec::new(), b"defgh".to_vec()]);
    }

    #[test]
    fn long_json_is_cut_on_a_character_boundary() {
        let (text, truncated) = cut("é".repeat(MAX_MESSAGE_JSON_BYTES));
        assert!(truncated);
        assert!(text.len() <= MAX_MESSAGE_JSON_BYTES);
        assert_eq!(cut("{}".to_owned()), ("{}".to_owned(), false));
    }

    #[test]
    fn only_harmless_metadata_is_shown_and_the_token_comes_first() {
        let mut headers = HeaderMap::new();
        headers.insert("user-agent", http::HeaderValue::from_static("grpc-rust"));
        headers.insert("x-secret", http::HeaderValue::from_static("s"));
        headers.insert(AUTHORIZATION, http::HeaderValue::from_static("Bearer t"));
        let entries = metadata(&headers);
        assert_eq!(entries[0].name, AUTHORIZATION);
        assert_eq!(entries[0].value, MASK);
        let shown: Vec<_> = entries.iter().filter(|entry| !entry.masked).collect();
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].value, "grpc-rust");
    }
}
