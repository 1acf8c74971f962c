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
//! out, and domain errors to statuses in one place ([`status`]). No money
//! arithmetic happens in this layer.

pub mod bidi;
pub mod client_streaming;
pub mod server_streaming;
pub mod status;
pub mod unary;
pub mod wire;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tonic::{Request, Response, Status, Streaming};

use crate::i18n::Lang;
use crate::metrics::Metrics;
use crate::proto::v1::bank_service_server::BankService;
use crate::proto::v1::{
    BatchSummary, ConvertRequest, ConvertResponse, ListCurrenciesRequest, ListCurrenciesResponse,
    StreamRatesRequest,
};
use crate::rate_board::RateBoard;
use crate::shutdown::Drain;

/// The language a caller asked for with the `accept-language` metadata
/// (English when absent or unsupported).
pub fn caller_lang<T>(request: &Request<T>) -> Lang {
    request
        .metadata()
        .get("accept-language")
        .and_then(|value| value.to_str().ok())
        .map_or(Lang::En, Lang::from_accept_language)
}

/// The state every handler shares. Cloning is cheap (reference counts).
#[derive(Clone)]
pub struct BankApi {
    /// The current rates, and the feed of new ticks.
    pub(crate) board: Arc<RateBoard>,
    /// Tells streams to end when the server shuts down.
    pub(crate) drain: Drain,
    /// How many long-lived streams are open right now.
    pub(crate) open: Arc<OpenStreams>,
    /// Counters of the feed and batch items, read by the metrics endpoint.
    pub(crate) metrics: Arc<Metrics>,
}

impl BankApi {
    pub fn new(board: Arc<RateBoard>, drain: Drain) -> Self {
        Self {
            board,
            drain,
            open: Arc::default(),
            metrics: Arc::default(),
        }
    }

    /// Counters of the streams open right now.
    pub fn open_streams(&self) -> Arc<OpenStreams> {
        Arc::clone(&self.open)
    }

    /// The server's counters, shared with the log layer and the endpoint.
    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.metrics)
    }
}

/// Counts of open long-lived streams. They show that a stream's work stops
/// when its client leaves (the count drops), and feed the metrics.
#[derive(Debug, Default)]
pub struct OpenStreams {
    feeds: AtomicUsize,
    sessions: AtomicUsize,
}

impl OpenStreams {
    pub fn feeds(&self) -> usize {
        self.feeds.load(Ordering::Relaxed)
    }

    pub fn sessions(&self) -> usize {
        self.sessions.load(Ordering::Relaxed)
    }

    fn open_feed(self: &Arc<Self>) -> OpenGuard {
        OpenGuard::enter(Arc::clone(self), |open| &open.feeds)
    }

    fn open_session(self: &Arc<Self>) -> OpenGuard {
        OpenGuard::enter(Arc::clone(self), |open| &open.sessions)
    }
}

/// Held by a stream for its whole life; dropping it (the stream ended, or
/// the client went away and tonic dropped the stream) decrements the count.
struct OpenGuard {
    open: Arc<OpenStreams>,
    counter: fn(&OpenStreams) -> &AtomicUsize,
}

impl OpenGuard {
    fn enter(open: Arc<OpenStreams>, counter: fn(&OpenStreams) -> &AtomicUsize) -> Self {
        counter(&open).fetch_add(1, Ordering::Relaxed);
        Self { open, counter }
    }
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        (self.counter)(&self.open).fetch_sub(1, Ordering::Relaxed);
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
