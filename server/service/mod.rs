//! The gRPC service layer: `bank.v1.BankService`, one file per gRPC model.
//!
//! | model            | RPC                          | file                  |
//! |------------------|------------------------------|-----------------------|
//! | unary            | `ListCurrencies`, `Convert`, | [`unary`]             |
//! |                  | `GetRateHistory`             |                       |
//! | server streaming | `StreamRates`                | [`server_streaming`]  |
//! | client streaming | `ConvertBatch`               | [`client_streaming`]  |
//! | bidirectional    | `ConvertSession`             | [`bidi`]              |
//!
//! The `impl BankService` below is the same table in code. Handlers only
//! translate: protobuf in ([`wire`]), domain call, protobuf out, and domain
//! errors to statuses in one place (`crate::status`). No money arithmetic
//! happens in this layer. The three long-lived calls share one lifecycle
//! ([`call`]: their place, the drain, the deadline, the idle limit), and
//! the places themselves are counted in [`places`]. A feed's updates are
//! encoded once per tick for all its fellow subscribers
//! ([`shared_updates`]).

pub mod bidi;
pub mod call;
pub mod client_streaming;
pub mod places;
pub mod server_streaming;
pub mod shared_updates;
pub mod unary;
pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use tonic::{Request, Response, Status, Streaming};

use crate::metrics::Metrics;
use crate::rate_board::RateBoard;
use crate::shutdown::Drain;
use crate::{limits, settings};
use bank_i18n::Lang;
use bank_proto::server_v1::bank_service_server::BankService;
use bank_proto::v1::{
    BatchSummary, ConvertRequest, ConvertResponse, GetRateHistoryRequest, GetRateHistoryResponse,
    ListCurrenciesRequest, ListCurrenciesResponse, StreamRatesRequest,
};

pub use places::{ConnectionStreams, OpenStreams};
use shared_updates::SharedUpdates;

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

    async fn get_rate_history(
        &self,
        request: Request<GetRateHistoryRequest>,
    ) -> Result<Response<GetRateHistoryResponse>, Status> {
        unary::get_rate_history(self, request)
    }
}

/// The language a caller asked for with the `accept-language` metadata
/// (English when absent or unsupported).
pub fn caller_lang<T>(request: &Request<T>) -> Lang {
    metadata_lang(request.metadata())
}

/// The same, from a request's metadata alone.
pub fn metadata_lang(metadata: &tonic::metadata::MetadataMap) -> Lang {
    metadata
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
    /// Each tick's feed updates, encoded once per list of pairs.
    pub(crate) updates: Arc<SharedUpdates>,
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
            updates: Arc::default(),
        }
    }
}
