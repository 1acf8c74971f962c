//! The gRPC service layer: `bank.v1.BankService`, one file per gRPC model.
//!
//! | model            | RPC                          | file                  |
//! |------------------|------------------------------|-----------------------|
//! | unary            | `ListCurrencies`, `Convert`  | [`unary`]             |
//! | server streaming | `StreamRates`                | [`server_streaming`]  |
//! | client streaming | `ConvertBatch`               | [`client_streaming`]  |
//! | bidirectional    | `ConvertSession`             | [`bidi`]              |
//!
//! Handlers only translate: protobuf in ([`wire`]), domain call, protobuf
//! out, and domain errors to statuses in one place (`crate::status`). No money
//! arithmetic happens in this layer.

pub mod bidi;
pub mod client_streaming;
pub mod server_streaming;
pub mod unary;
pub mod wire;

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::{Instant, Sleep};
use tonic::{Request, Response, Status, Streaming};

use clap::builder::RangedU64ValueParser;

use crate::deadline::RequestDeadline;
use crate::status::{self, Capped};
use crate::{limits, settings};

use crate::metrics::{Metrics, OpenGauges, Refusal};
use crate::rate_board::RateBoard;
use crate::shutdown::Drain;
use bank_i18n::Lang;
use bank_proto::v1::bank_service_server::BankService;
use bank_proto::v1::{
    BatchSummary, ConvertRequest, ConvertResponse, ListCurrenciesRequest, ListCurrenciesResponse,
    StreamRatesRequest,
};

/// The language a caller asked for with the `accept-language` metadata
/// (English when absent or unsupported).
pub fn caller_lang<T>(request: &Request<T>) -> Lang {
    request
        .metadata()
        .get("accept-language")
        .and_then(|value| value.to_str().ok())
        .map_or(Lang::En, Lang::from_accept_language)
}

/// The limits the service enforces itself. (Handlers per connection, the
/// stall limit and the connection's age are the transport's; see
/// `transport`.) Each field is a flag of `bank-server` (see `settings`).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct ServiceLimits {
    /// Rate feeds (StreamRates) open at once. One more is refused at once
    /// with RESOURCE_EXHAUSTED; open feeds are not affected.
    #[arg(long, env = "BANK_MAX_FEEDS", default_value_t = limits::DEFAULT_MAX_FEEDS,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_feeds: usize,

    /// Sessions (ConvertSession) open at once. One more is refused at once
    /// with RESOURCE_EXHAUSTED; open sessions are not affected.
    #[arg(long, env = "BANK_MAX_SESSIONS", default_value_t = limits::DEFAULT_MAX_SESSIONS,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_sessions: usize,

    /// Batches (ConvertBatch) running at once. One more is refused at once
    /// with RESOURCE_EXHAUSTED.
    #[arg(long, env = "BANK_MAX_BATCHES", default_value_t = limits::DEFAULT_MAX_BATCHES,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_batches: usize,

    /// Rate feeds open at once on one client connection, so that one
    /// connection cannot take every feed of the server.
    #[arg(long, env = "BANK_MAX_FEEDS_PER_CONNECTION",
          default_value_t = limits::DEFAULT_MAX_FEEDS_PER_CONNECTION,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_feeds_per_connection: usize,

    /// Sessions open at once on one client connection.
    #[arg(long, env = "BANK_MAX_SESSIONS_PER_CONNECTION",
          default_value_t = limits::DEFAULT_MAX_SESSIONS_PER_CONNECTION,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_sessions_per_connection: usize,

    /// How long a batch or session may go without a message from its
    /// client before the server ends it with CANCELLED and frees its place,
    /// e.g. 90s or 5m.
    #[arg(long, env = "BANK_IDLE_TIMEOUT", default_value = settings::duration_text(limits::DEFAULT_IDLE_TIMEOUT),
          value_parser = settings::positive_duration)]
    pub idle_timeout: Duration,
}

impl Default for ServiceLimits {
    fn default() -> Self {
        settings::defaults()
    }
}

/// The state every handler shares. Cloning is cheap (reference counts).
#[derive(Clone)]
pub struct BankApi {
    /// The current rates, and the feed of new ticks.
    pub(crate) board: Arc<RateBoard>,
    /// Tells streams to end when the server shuts down.
    pub(crate) drain: Drain,
    /// How many long-lived streams are open right now, and how many may be.
    pub(crate) open: Arc<OpenStreams>,
    /// Counters of the feed and batch items, read by the metrics endpoint.
    pub(crate) metrics: Arc<Metrics>,
    /// How long a batch or session may wait for its client.
    pub(crate) idle_timeout: Duration,
}

impl BankApi {
    /// The service over `board`, counting its calls in `open` and its items
    /// in `metrics`; the server owns both and reads them too.
    pub fn new(
        board: Arc<RateBoard>,
        drain: Drain,
        open: Arc<OpenStreams>,
        metrics: Arc<Metrics>,
        idle_timeout: Duration,
    ) -> Self {
        Self {
            board,
            drain,
            open,
            metrics,
            idle_timeout,
        }
    }
}

/// Counts of open long-lived streams, and their caps. The counts show that
/// a stream's work stops when its client leaves (the count drops), and feed
/// the metrics; the caps keep a crowd of streams from taking the memory and
/// the tick fan-out every other client needs.
///
/// These caps are the service's own because a handler slot of the
/// transport is held only until the handler returns, and a feed's or
/// session's handler returns its stream at once: the place must be held by
/// the stream.
#[derive(Debug)]
pub struct OpenStreams {
    feeds: AtomicUsize,
    sessions: AtomicUsize,
    batches: AtomicUsize,
    caps: ServiceLimits,
}

impl Default for OpenStreams {
    fn default() -> Self {
        Self::with_limits(&ServiceLimits::default())
    }
}

/// The feeds and sessions open on one connection, so that one connection
/// cannot take every place of the server. The transport puts one in the
/// extensions of every request of the connection.
#[derive(Debug, Default)]
pub struct ConnectionStreams {
    feeds: AtomicUsize,
    sessions: AtomicUsize,
}

impl OpenGauges for OpenStreams {
    fn feeds(&self) -> usize {
        OpenStreams::feeds(self)
    }

    fn sessions(&self) -> usize {
        OpenStreams::sessions(self)
    }
}

impl OpenStreams {
    pub fn with_limits(limits: &ServiceLimits) -> Self {
        Self {
            feeds: AtomicUsize::new(0),
            sessions: AtomicUsize::new(0),
            batches: AtomicUsize::new(0),
            caps: *limits,
        }
    }

    /// Rate feeds open right now.
    pub fn feeds(&self) -> usize {
        self.feeds.load(Ordering::Relaxed)
    }

    /// Sessions open right now.
    pub fn sessions(&self) -> usize {
        self.sessions.load(Ordering::Relaxed)
    }

    pub fn batches(&self) -> usize {
        self.batches.load(Ordering::Relaxed)
    }

    /// A place for one more feed, on the server and on the caller's
    /// connection, or RESOURCE_EXHAUSTED if either is full.
    fn open_feed(
        self: &Arc<Self>,
        connection: Option<&Arc<ConnectionStreams>>,
        metrics: &Metrics,
        lang: Lang,
    ) -> Result<OpenGuard, Status> {
        self.open_stream(StreamKind::Feed, connection, metrics, lang)
    }

    /// A place for one more session, on the server and on the caller's
    /// connection, or RESOURCE_EXHAUSTED if either is full.
    fn open_session(
        self: &Arc<Self>,
        connection: Option<&Arc<ConnectionStreams>>,
        metrics: &Metrics,
        lang: Lang,
    ) -> Result<OpenGuard, Status> {
        self.open_stream(StreamKind::Session, connection, metrics, lang)
    }

    /// The connection's place first, then the server's: a connection over
    /// its share is refused without touching the server's count.
    fn open_stream(
        self: &Arc<Self>,
        kind: StreamKind,
        connection: Option<&Arc<ConnectionStreams>>,
        metrics: &Metrics,
        lang: Lang,
    ) -> Result<OpenGuard, Status> {
        let (per_connection, capped, refusal) = kind.per_connection(&self.caps);
        let on_connection = match connection {
            Some(connection) => Some(
                Place::take(Arc::clone(connection), kind.connection_counter(), per_connection).ok_or_else(
                    || {
                        metrics.record_refusal(refusal);
                        status::too_many(capped, per_connection, lang)
                    },
                )?,
            ),
            None => None,
        };
        let (max, capped, refusal) = kind.per_server(&self.caps);
        let on_server = Place::take(Arc::clone(self), kind.server_counter(), max).ok_or_else(|| {
            metrics.record_refusal(refusal);
            status::too_many(capped, max, lang)
        })?;
        Ok(OpenGuard {
            _on_server: on_server,
            _on_connection: on_connection,
        })
    }

    /// A place for one more batch, or RESOURCE_EXHAUSTED if all are taken.
    /// (Per connection, batches are bounded by the transport's handler
    /// limit: a batch's handler runs until its summary.)
    fn open_batch(self: &Arc<Self>, metrics: &Metrics, lang: Lang) -> Result<OpenGuard, Status> {
        let on_server = Place::take(Arc::clone(self), |open| &open.batches, self.caps.max_batches)
            .ok_or_else(|| {
                metrics.record_refusal(Refusal::BatchCap);
                status::too_many(Capped::Batches, self.caps.max_batches, lang)
            })?;
        Ok(OpenGuard {
            _on_server: on_server,
            _on_connection: None,
        })
    }
}

/// The long-lived streams capped per server and per connection.
#[derive(Debug, Clone, Copy)]
enum StreamKind {
    Feed,
    Session,
}

impl StreamKind {
    fn server_counter(self) -> fn(&OpenStreams) -> &AtomicUsize {
        match self {
            Self::Feed => |open| &open.feeds,
            Self::Session => |open| &open.sessions,
        }
    }

    fn connection_counter(self) -> fn(&ConnectionStreams) -> &AtomicUsize {
        match self {
            Self::Feed => |connection| &connection.feeds,
            Self::Session => |connection| &connection.sessions,
        }
    }

    /// The server's cap, and how a refusal is said and counted.
    fn per_server(self, caps: &ServiceLimits) -> (usize, Capped, Refusal) {
        match self {
            Self::Feed => (caps.max_feeds, Capped::Feeds, Refusal::FeedCap),
            Self::Session => (caps.max_sessions, Capped::Sessions, Refusal::SessionCap),
        }
    }

    /// The connection's cap, and how a refusal is said and counted.
    fn per_connection(self, caps: &ServiceLimits) -> (usize, Capped, Refusal) {
        match self {
            Self::Feed => (
                caps.max_feeds_per_connection,
                Capped::FeedsPerConnection,
                Refusal::FeedCapPerConnection,
            ),
            Self::Session => (
                caps.max_sessions_per_connection,
                Capped::SessionsPerConnection,
                Refusal::SessionCapPerConnection,
            ),
        }
    }
}

/// Held by a stream for its whole life; dropping it (the stream ended, or
/// the client went away and the stream was dropped) frees its places.
struct OpenGuard {
    _on_server: Place<OpenStreams>,
    _on_connection: Option<Place<ConnectionStreams>>,
}

/// One counted place in `owner`.
struct Place<T> {
    owner: Arc<T>,
    counter: fn(&T) -> &AtomicUsize,
}

impl<T> Place<T> {
    /// Takes a place if fewer than `max` are taken. The check and the
    /// increment are one compare-and-swap, so two calls racing for the last
    /// place cannot both get it.
    fn take(owner: Arc<T>, counter: fn(&T) -> &AtomicUsize, max: usize) -> Option<Self> {
        counter(&owner)
            .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |count| {
                (count < max).then_some(count + 1)
            })
            .ok()?;
        Some(Self { owner, counter })
    }
}

impl<T> Drop for Place<T> {
    fn drop(&mut self) {
        (self.counter)(&self.owner).fetch_sub(1, Ordering::AcqRel);
    }
}

/// The caller's connection, as the transport labelled it (absent when the
/// service is called without the transport, as in unit tests).
fn caller_connection<T>(request: &Request<T>) -> Option<Arc<ConnectionStreams>> {
    request.extensions().get::<Arc<ConnectionStreams>>().cloned()
}

/// The time limits of one call, watched by a single timer for its whole
/// life: the client's deadline (`grpc-timeout`, found by
/// [`DeadlineLayer`](crate::deadline::DeadlineLayer)) and, for calls that
/// read messages, the idle limit.
///
/// The idle limit moves with every message, but the timer is not re-armed
/// per message (that would touch the runtime's timer wheel at message
/// rate): a message only records its arrival, and when the timer fires
/// early it is re-armed once for the time actually left.
pub(crate) struct CallTimer {
    deadline: Option<Instant>,
    idle: Option<Idle>,
    /// Boxed once, and only for calls that have a limit: a feed without a
    /// deadline carries no timer at all.
    timer: Option<Pin<Box<Sleep>>>,
    lang: Lang,
}

struct Idle {
    limit: Duration,
    last_message: Instant,
}

impl Idle {
    /// When the call becomes idle; `None` if that is beyond the clock's
    /// range (a limit so large that it never passes).
    fn due(&self) -> Option<Instant> {
        self.last_message.checked_add(self.limit)
    }
}

impl CallTimer {
    /// The deadline only (a feed: its client sends nothing after the request).
    pub(crate) fn deadline<T>(request: &Request<T>, lang: Lang) -> Self {
        Self {
            deadline: request
                .extensions()
                .get::<RequestDeadline>()
                .map(|deadline| deadline.0),
            idle: None,
            timer: None,
            lang,
        }
    }

    /// The deadline and the idle limit (batches and sessions).
    pub(crate) fn deadline_and_idle<T>(request: &Request<T>, idle: Duration, lang: Lang) -> Self {
        Self {
            idle: Some(Idle {
                limit: idle,
                last_message: Instant::now(),
            }),
            ..Self::deadline(request, lang)
        }
    }

    /// A message arrived: the idle limit counts from now.
    pub(crate) fn message_arrived(&mut self) {
        if let Some(idle) = &mut self.idle {
            idle.last_message = Instant::now();
        }
    }

    /// Completes with the status that ends the call when a limit passes;
    /// never, for a call without limits. Cancel-safe: meant for `select!`.
    pub(crate) async fn expired(&mut self) -> Status {
        loop {
            let idle_due = self.idle.as_ref().and_then(Idle::due);
            let due = match (self.deadline, idle_due) {
                (Some(deadline), Some(idle)) => deadline.min(idle),
                (Some(due), None) | (None, Some(due)) => due,
                (None, None) => return std::future::pending().await,
            };
            let timer = self
                .timer
                .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(due)));
            if timer.deadline() != due {
                timer.as_mut().reset(due);
            }
            timer.as_mut().await;
            let now = Instant::now();
            if self.deadline.is_some_and(|deadline| deadline <= now) {
                return status::deadline_exceeded();
            }
            if let Some(idle) = &self.idle
                && idle.due().is_some_and(|due| due <= now)
            {
                return status::idle_too_long(idle.limit, self.lang);
            }
        }
    }
}

#[tonic::async_trait]
impl BankService for BankApi {
    async fn list_currencies(
        &self,
        request: Request<ListCurrenciesRequest>,
    ) -> Result<Response<ListCurrenciesResponse>, Status> {
        unary::list_currencies(self, request)
    }

    async fn convert(&self, request: Request<ConvertRequest>) -> Result<Response<ConvertResponse>, Status> {
        unary::convert(self, request)
    }

    type StreamRatesStream = server_streaming::RateStream;

    async fn stream_rates(
        &self,
        request: Request<StreamRatesRequest>,
    ) -> Result<Response<Self::StreamRatesStream>, Status> {
        server_streaming::stream_rates(self, request)
    }

    async fn convert_batch(
        &self,
        request: Request<Streaming<ConvertRequest>>,
    ) -> Result<Response<BatchSummary>, Status> {
        client_streaming::convert_batch(self, request).await
    }

    type ConvertSessionStream = bidi::SessionStream;

    async fn convert_session(
        &self,
        request: Request<Streaming<ConvertRequest>>,
    ) -> Result<Response<Self::ConvertSessionStream>, Status> {
        bidi::convert_session(self, request)
    }
}
