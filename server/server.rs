//! The server process: everything around the service.
//!
//! [`BankServer`] binds a listener (or several sharing the port, one per
//! runtime: [`BankServer::bind_sharing_port`], see
//! [`per_core`](crate::per_core)), builds the rate board and the service,
//! and [`BankServer::run`] serves until the shutdown future completes:
//!
//! - `bank.v1.BankService`, with request and response size limits, behind
//!   the API-token check of [`auth`](crate::auth) when tokens are configured;
//! - `grpc.health.v1.Health`, SERVING for `""` and `bank.v1.BankService`;
//! - server reflection in both versions, `grpc.reflection.v1` and
//!   `v1alpha` (Python's grpcio and older grpcurl speak only v1alpha), with
//!   the health descriptors registered too so tools can call it;
//! - served by our own HTTP/2 transport ([`transport`](crate::transport)),
//!   with the limits of [`limits`](crate::limits): handshake timeout,
//!   keepalive, maximum connection age, per-stream buffers and the stall
//!   limit, per-method message limits, and a per-connection limit on
//!   running handlers with load shedding (the call over the limit gets
//!   RESOURCE_EXHAUSTED at once, it does not queue);
//! - TLS, or mutual TLS, on the whole listener when [`Config::tls`] is set
//!   (see [`tls`](crate::tls));
//! - a log line per call from [`telemetry`](crate::telemetry), and
//!   optionally a Prometheus endpoint on its own address
//!   ([`metrics`](crate::metrics)), stopped by the drain;
//! - optionally the page and `BankService` over gRPC-Web on an address
//!   of their own ([`web`](crate::web)), through the same router, drained
//!   with the rest;
//! - the limits that protect everyone from one client: caps on open feeds,
//!   sessions and batches, on the server and per connection, and the idle
//!   timeout (enforced by the service);
//! - client deadlines ([`deadline`](crate::deadline)) and panic containment
//!   ([`panic_guard`](crate::panic_guard)) around every call, with the
//!   token check and the log, in one pass per call ([`calls`](crate::calls)).
//! - the tick clock ([`Config::clock`]): ticks follow the monotonic clock,
//!   anchored to the wall clock and slewed toward it when it steps, never
//!   jumped (see [`clock`](bank_domain::clock)); its steps and offset are
//!   exported with the metrics.
//!
//! Shutdown, in order, when the shutdown future completes:
//! 1. health turns NOT_SERVING, so load balancers stop sending traffic;
//! 2. the drain starts: the listening sockets close; connections with no
//!    call close at once; health `Watch` streams end (after sending
//!    NOT_SERVING), feeds and sessions end with UNAVAILABLE; calls that
//!    arrive now are refused with REFUSED_STREAM (UNAVAILABLE to clients),
//!    while unary calls and batches whose headers arrived before go on;
//! 3. each connection closes when its last call ends;
//! 4. if calls are still open when the grace period is over, they are ended
//!    with UNAVAILABLE, their connections closed, and `run` returns.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket};
use tokio::runtime::Handle;
use tonic::codec::CompressionEncoding;
use tonic_health::ServingStatus;

use crate::auth::{ApiTokens, RequireToken};
use crate::calls::Router;
use crate::classroom::ClassroomRoute;
use crate::metrics::{self, Exporter, Metrics};
use crate::per_core;
use crate::rate_board::RateBoard;
use crate::service::{BankApi, OpenStreams, ServiceLimits};
use crate::shutdown::Drain;
use crate::tls::{ServerTls, TlsError};
use crate::transport::{self, Shared, TransportSettings};
use crate::web::{self, WebError, WebListener};
use crate::{limits, settings};
use bank_domain::DomainError;
use bank_domain::clock::{Clock, SystemClock};
use bank_domain::rates::{
    DEFAULT_SPREAD_BPS, DEFAULT_TICK_MS, MAX_SPREAD_BPS, MAX_TICK_MS, MIN_SPREAD_BPS, MIN_TICK_MS,
    RateSource, RateSourceError,
};
use bank_proto as proto;
use bank_proto::server_v1::bank_service_server::BankServiceServer;

/// Compression as every official gRPC stack offers it, on a generated
/// service: gzip and zstd requests are accepted, and a client that accepts
/// one of them (`grpc-accept-encoding`) gets its responses compressed with
/// it. (A macro: the generated servers share no trait for these methods.)
macro_rules! compressed {
    ($service:expr) => {
        $service
            .accept_compressed(CompressionEncoding::Gzip)
            .accept_compressed(CompressionEncoding::Zstd)
            .send_compressed(CompressionEncoding::Gzip)
            .send_compressed(CompressionEncoding::Zstd)
    };
}

/// The name health checks and reflection know the service by.
pub const SERVICE_NAME: &str = "bank.v1.BankService";

/// What the server needs to know to start. The settings a person chooses
/// are flags of `bank-server`, defined here and in the types flattened
/// below (see `settings`); the rest are built by the embedder: the clock,
/// and TLS and tokens from their files.
#[derive(Clone, clap::Args)]
pub struct Config {
    /// Seed of the rate simulation; servers with the same seed publish the
    /// same quotes for the same tick. Default: random (logged at start).
    #[arg(long, env = "BANK_SEED")]
    pub seed: Option<u64>,

    /// Length of a rate tick, in milliseconds.
    #[arg(long, env = "BANK_TICK_MS", default_value_t = DEFAULT_TICK_MS,
          value_parser = clap::value_parser!(u64).range(MIN_TICK_MS..=MAX_TICK_MS))]
    pub tick_ms: u64,

    /// Spread between bid and ask, in basis points of the mid (20 = 0.20%).
    #[arg(long, env = "BANK_SPREAD_BPS", default_value_t = DEFAULT_SPREAD_BPS,
          value_parser = clap::value_parser!(u32).range(i64::from(MIN_SPREAD_BPS)..=i64::from(MAX_SPREAD_BPS)))]
    pub spread_bps: u32,

    /// How long a shutdown waits for running calls, in milliseconds.
    #[arg(long = "grace-ms", value_name = "GRACE_MS", env = "BANK_GRACE_MS",
          default_value = settings::milliseconds_text(limits::DEFAULT_GRACE_PERIOD),
          value_parser = settings::milliseconds)]
    pub grace_period: Duration,

    /// Where "now" comes from: by default the machine's clocks, slewed
    /// rather than stepped (see [`SystemClock`]); tests pin it.
    #[arg(skip = system_clock())]
    pub clock: Arc<dyn Clock>,

    /// TLS, or mutual TLS, for every connection; `None` serves plaintext.
    #[arg(skip)]
    pub tls: Option<ServerTls>,

    /// API tokens the BankService requires; `None` lets every call in.
    #[arg(skip)]
    pub auth_tokens: Option<Arc<ApiTokens>>,

    /// Caps on open feeds, sessions and batches, and the idle timeout.
    #[command(flatten)]
    pub limits: ServiceLimits,

    /// Serve bank.v1.ClassroomService, which shows every BankService call
    /// (its metadata masked, its messages as JSON) to whoever watches. Off
    /// by default: it shows one caller's traffic to another.
    #[arg(long, env = "BANK_CLASSROOM")]
    pub classroom: bool,

    /// The transport's limits: handlers per connection, keepalive,
    /// handshake timeout, connection age, stall limit, request body timeout
    /// (see [`TransportSettings`]). Tests shorten them.
    #[command(flatten)]
    pub transport: TransportSettings,
}

/// The classroom view's service, compressed like the others.
fn classroom_route(drain: Drain) -> ClassroomRoute {
    let mut route = ClassroomRoute::new(drain);
    route.service = compressed!(route.service);
    route
}

fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock::new())
}

impl Config {
    /// The defaults of `bank-server`, with the given seed.
    pub fn with_seed(seed: u64) -> Self {
        Self {
            seed: Some(seed),
            ..settings::defaults()
        }
    }

    /// The seed, drawn at random the first time if none was given: the
    /// server logs it, so that a run can be replayed.
    pub fn seed(&mut self) -> u64 {
        *self.seed.get_or_insert_with(rand::random)
    }
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("could not listen: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid configuration: {0}")]
    Config(#[from] RateSourceError),
    #[error("could not price the first tick: {0}")]
    Rates(#[from] DomainError),
    #[error("could not build the reflection service: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    #[error("TLS configuration: {0}")]
    Tls(#[from] TlsError),
    #[error("the page's listener: {0}")]
    Web(#[from] WebError),
}

/// A bound, ready-to-run server.
pub struct BankServer {
    listener: TcpListener,
    /// More sockets on the listener's port (`SO_REUSEPORT`), bound, not
    /// yet listening: `run` gives each a runtime and a thread of its own.
    /// Empty unless bound by [`BankServer::bind_sharing_port`].
    sharing_port: Vec<TcpSocket>,
    api: BankApi,
    /// The server's counters: created here and handed to every layer that
    /// counts (service, transport, tokens, log), read by the endpoint.
    metrics: Arc<Metrics>,
    /// The feeds, sessions and batches open right now, and their caps:
    /// shared by the service, which counts them, and the endpoint.
    open: Arc<OpenStreams>,
    drain: Drain,
    grace_period: Duration,
    tls: Option<ServerTls>,
    auth_tokens: Option<Arc<ApiTokens>>,
    /// The rate board's clock, whose steps and offset the metrics report.
    clock: Arc<dyn Clock>,
    /// Where `GET /metrics` is served, if anywhere.
    metrics_listener: Option<TcpListener>,
    transport: TransportSettings,
    /// Serve the classroom view (`--classroom`).
    classroom: bool,
    /// The tick's length, which the page learns at `/server.json`.
    tick_ms: u64,
    /// Where the page and gRPC-Web are served, if anywhere.
    web_listener: Option<WebListener>,
}

impl BankServer {
    /// Binds `addr` (port 0 picks a free port) and prepares the service.
    pub async fn bind(addr: SocketAddr, config: Config) -> Result<Self, ServerError> {
        let listener = TcpListener::bind(addr).await?;
        Self::from_listener(listener, config)
    }

    /// Binds `runtimes` sockets to `addr`, all sharing its port with
    /// `SO_REUSEPORT` (port 0: the first gets a free port, the others join
    /// it): `run` serves the first on the runtime it runs on, and each
    /// other on a current-thread runtime and a thread of its own, the
    /// kernel spreading the connections (see [`per_core`](crate::per_core);
    /// Linux only).
    pub async fn bind_sharing_port(
        addr: SocketAddr,
        runtimes: usize,
        config: Config,
    ) -> Result<Self, ServerError> {
        let port = per_core::bind(addr, runtimes)?;
        let mut server = Self::from_listener(port.first, config)?;
        server.sharing_port = port.others;
        Ok(server)
    }

    /// Prepares the service on an already bound listener. Starts the rate
    /// board's ticker, so it must run inside a Tokio runtime.
    pub fn from_listener(listener: TcpListener, mut config: Config) -> Result<Self, ServerError> {
        let source = RateSource::new(config.seed(), config.tick_ms, config.spread_bps)?;
        let drain = Drain::new();
        let board = RateBoard::start(source, Arc::clone(&config.clock), drain.clone())?;
        let metrics = Arc::new(Metrics::default());
        let open = Arc::new(OpenStreams::with_limits(&config.limits));
        Ok(Self {
            listener,
            sharing_port: Vec::new(),
            api: BankApi::new(
                board,
                drain.clone(),
                Arc::clone(&open),
                Arc::clone(&metrics),
                config.limits.idle_timeout,
            ),
            metrics,
            open,
            drain,
            grace_period: config.grace_period,
            tls: config.tls,
            auth_tokens: config.auth_tokens,
            clock: config.clock,
            metrics_listener: None,
            transport: config.transport,
            classroom: config.classroom,
            tick_ms: config.tick_ms,
            web_listener: None,
        })
    }

    /// Also serves the Prometheus endpoint on `addr` (port 0 picks a free
    /// port) while the server runs; returns the bound address.
    pub async fn bind_metrics(&mut self, addr: SocketAddr) -> Result<SocketAddr, ServerError> {
        let listener = TcpListener::bind(addr).await?;
        let bound = listener.local_addr()?;
        self.metrics_listener = Some(listener);
        Ok(bound)
    }

    /// Also serves the page and `BankService` over gRPC-Web on `addr`
    /// (port 0 picks a free port) while the server runs, with CORS for
    /// `origins` (see [`web`](crate::web)); returns the bound address.
    pub async fn bind_web(
        &mut self,
        addr: SocketAddr,
        origins: &[String],
    ) -> Result<SocketAddr, ServerError> {
        let listener = WebListener::bind(addr, origins).await?;
        let bound = listener.local_addr()?;
        self.web_listener = Some(listener);
        Ok(bound)
    }

    /// The server's counters, live.
    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.metrics)
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Counters of open feeds and sessions, live.
    pub fn open_streams(&self) -> Arc<OpenStreams> {
        Arc::clone(&self.open)
    }

    /// Serves until `shutdown` completes, then drains (see the module
    /// documentation) and returns within the grace period.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<(), ServerError> {
        let (health, health_service) = tonic_health::server::health_reporter();
        health.set_service_status("", ServingStatus::Serving).await;
        health
            .set_service_status(SERVICE_NAME, ServingStatus::Serving)
            .await;

        let reflection = || {
            tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
                // `google.rpc.BadRequest`, `LocalizedMessage` and `Status`:
                // the error details every error status carries, so that
                // grpcurl and other reflection clients decode them.
                .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
        };
        let reflection_v1 = reflection().build_v1()?;
        let reflection_v1alpha = reflection().build_v1alpha()?;

        let counters = self.metrics;

        let bank = compressed!(
            BankServiceServer::new(self.api)
                .max_decoding_message_size(limits::MAX_REQUEST_MESSAGE_BYTES)
                .max_encoding_message_size(limits::MAX_RESPONSE_MESSAGE_BYTES)
        );
        // The transport checks every message's declared length first, with
        // the same limits; tonic's check stays as a second line.
        let health_service =
            compressed!(health_service.max_decoding_message_size(limits::MAX_HEALTH_REQUEST_BYTES));
        let reflection_v1 =
            compressed!(reflection_v1.max_decoding_message_size(limits::MAX_REFLECTION_REQUEST_BYTES));
        let reflection_v1alpha =
            compressed!(reflection_v1alpha.max_decoding_message_size(limits::MAX_REFLECTION_REQUEST_BYTES));
        // One pass per call: routing, the token (BankService alone: health
        // and reflection stay open), the deadline, the panic guard, the log
        // and the metrics (see `calls`).
        let tokens = self.auth_tokens.is_some();
        let service = Router::new(
            bank,
            health_service,
            (reflection_v1, reflection_v1alpha),
            RequireToken::new(self.auth_tokens, Arc::clone(&counters)),
            Arc::clone(&counters),
            self.classroom.then(|| classroom_route(self.drain.clone())),
        );

        // One `Shared` per listener: the service and everything behind it
        // are the same for all (clones of `Arc`s); each runtime's accept
        // loop has its own count of calls and its own end of the grace.
        let tls = self.tls.as_ref().map(ServerTls::acceptor);
        let shared = |service| {
            Shared::new(
                service,
                tls.clone(),
                self.transport,
                Arc::clone(&counters),
                self.drain.clone(),
            )
        };
        let mut runtimes = vec![Handle::current()];
        let mut siblings = Vec::with_capacity(self.sharing_port.len());
        for (index, socket) in self.sharing_port.into_iter().enumerate() {
            let started =
                per_core::start(index + 1, socket, shared(service.clone()), self.grace_period).await;
            match started {
                Ok(sibling) => {
                    runtimes.push(sibling.handle.clone());
                    siblings.push(sibling);
                }
                Err(error) => {
                    // Those already started stop with the drain.
                    self.drain.start();
                    for sibling in siblings {
                        sibling.finished().await;
                    }
                    return Err(error.into());
                }
            }
        }

        let metrics_endpoint = self.metrics_listener.map(|listener| {
            let exporter = Exporter::new(
                Arc::clone(&counters),
                self.open,
                Arc::clone(&self.clock),
                runtimes,
            );
            tokio::spawn(metrics::serve(listener, exporter, self.drain.clone()))
        });

        // The page's listener calls the same router (see `web`).
        let about = web::About {
            grpc_port: self.listener.local_addr().map_or(0, |addr| addr.port()),
            tls: self.tls.is_some(),
            classroom: self.classroom,
            tokens,
            tick_ms: self.tick_ms,
            clock: Arc::clone(&self.clock),
        };
        let page = self.web_listener.map(|listener| {
            web::serve(
                listener,
                service.clone(),
                self.drain.clone(),
                self.grace_period,
                web::Limits::of(&self.transport),
                about,
                Arc::clone(&counters),
            )
        });
        let own = transport::serve(self.listener, shared(service), self.grace_period);
        let serve = async {
            match page {
                Some(page) => {
                    tokio::join!(own, page);
                }
                None => own.await,
            }
            for sibling in siblings {
                sibling.finished().await;
            }
        };

        let drain = self.drain.clone();
        let begin_drain = async move {
            shutdown.await;
            tracing::info!("shutdown requested: draining");
            health.set_service_status("", ServingStatus::NotServing).await;
            health
                .set_service_status(SERVICE_NAME, ServingStatus::NotServing)
                .await;
            drain.start();
            // Keeps the health reporter alive until `serve` is done.
            std::future::pending::<()>().await;
        };
        tokio::select! {
            () = serve => {}
            () = begin_drain => {}
        }
        // The endpoint stops by itself at the drain; this covers a server
        // that stopped some other way.
        if let Some(endpoint) = metrics_endpoint {
            endpoint.abort();
        }
        tracing::info!("stopped");
        Ok(())
    }
}
