//! The server's HTTP/2 transport: the accept loop, connections and
//! streams, serving the tonic router directly over `h2`.
//!
//! Why not tonic's own server? It serves through hyper, which keeps up to
//! 400 KiB of replies per stream for a client that stopped reading, whatever
//! its flow-control window, and exposes neither that limit nor a way to end
//! a stream whose reader stalled with a status. It also has no handshake
//! timeout, no maximum connection age, leaves a client's small request
//! frames in h2 (where thousands of them make h2 close the whole
//! connection), and its graceful shutdown waits for every connection to
//! answer a PING. Every one of those is a way for one client to hurt the
//! others, so the transport is ours: tonic still provides the router, the
//! generated services and the codec; h2 the protocol.
//!
//! | file            | one job                                               |
//! |-----------------|-------------------------------------------------------|
//! | [`listener`]    | accept connections; back off on errors (EMFILE)       |
//! | [`connection`]  | handshake, keepalive, age, drain of one connection    |
//! | [`stream`]      | one call: request buffer, response pipe, stall limit  |
//! | [`methods`]     | per-method rules: message limits, single requests     |
//!
//! Lifecycle: [`serve`] accepts until the drain starts, then stops
//! accepting and waits for the connections to close, which they do as
//! their calls end (at once for a connection with no call). When the
//! grace period is over it cuts every call that is left (UNAVAILABLE),
//! waits for the goodbyes to be written, and returns.

pub(crate) mod connection;
pub(crate) mod listener;
pub(crate) mod methods;
pub(crate) mod stream;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body::Body;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tower::Service;

use crate::metrics::Metrics;
use crate::shutdown::Drain;
use crate::{limits, settings};

pub use listener::raise_open_file_limit;
pub use stream::RequestBody;
pub(crate) use stream::RequestObserver;

/// Where a call came from, in every request's extensions: the connection's
/// number on this server (from 1, in the order connections were accepted)
/// and the call's HTTP/2 stream on it. Never an address: the classroom
/// view shows it to other callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CallOrigin {
    pub connection: u64,
    pub stream: u32,
}

/// The router with its layers, as the transport needs it: cloned for every
/// call, and its futures run in the call's own task.
pub(crate) trait CallService<B>:
    Service<http::Request<RequestBody>, Response = http::Response<B>, Error = Infallible, Future: Send>
    + Clone
    + Send
    + 'static
{
}

impl<T, B> CallService<B> for T where
    T: Service<http::Request<RequestBody>, Response = http::Response<B>, Error = Infallible, Future: Send>
        + Clone
        + Send
        + 'static
{
}

/// The transport's settings, each with its default in [`limits`]; those
/// with a flag are flags of `bank-server` (see `settings`).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct TransportSettings {
    /// How long a new connection has to complete its TLS handshake and send
    /// the HTTP/2 preface, e.g. 10s.
    #[arg(long, env = "BANK_HANDSHAKE_TIMEOUT",
          default_value = settings::duration_text(limits::DEFAULT_HANDSHAKE_TIMEOUT),
          value_parser = settings::positive_duration)]
    pub handshake_timeout: Duration,

    /// How often a PING goes out.
    #[arg(skip = limits::KEEPALIVE_INTERVAL)]
    pub keepalive_interval: Duration,

    /// How long a PING may go unanswered before the connection closes.
    #[arg(skip = limits::KEEPALIVE_TIMEOUT)]
    pub keepalive_timeout: Duration,

    /// Age at which a connection is asked to go away (GOAWAY): the client
    /// reconnects for its next calls and shows its API token again, e.g. 1h.
    #[arg(long, env = "BANK_MAX_CONNECTION_AGE",
          default_value = settings::duration_text(limits::DEFAULT_MAX_CONNECTION_AGE),
          value_parser = settings::positive_duration)]
    pub max_connection_age: Duration,

    /// How long calls under way go on once their connection reached its
    /// maximum age, before they end with UNAVAILABLE, e.g. 5m.
    #[arg(long, env = "BANK_MAX_CONNECTION_AGE_GRACE",
          default_value = settings::duration_text(limits::DEFAULT_MAX_CONNECTION_AGE_GRACE),
          value_parser = settings::positive_duration)]
    pub max_connection_age_grace: Duration,

    /// How long a call may have a reply waiting while its client reads
    /// nothing, before the server ends it with RESOURCE_EXHAUSTED and frees
    /// its place, e.g. 30s.
    #[arg(long, env = "BANK_STALL_LIMIT",
          default_value = settings::duration_text(limits::DEFAULT_STALL_LIMIT),
          value_parser = settings::positive_duration)]
    pub stall_limit: Duration,

    /// Calls running at once on one client connection (a batch counts until
    /// its summary, a feed or session only while it starts). One more is
    /// refused at once with RESOURCE_EXHAUSTED rather than queued.
    #[arg(long, env = "BANK_CONCURRENCY_PER_CONNECTION",
          default_value_t = limits::DEFAULT_CONCURRENCY_PER_CONNECTION,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub concurrency_per_connection: usize,

    /// How long a single-request call has to send its request whole.
    #[arg(skip = limits::REQUEST_BODY_TIMEOUT)]
    pub request_body_timeout: Duration,

    /// Connections the page's listener serves at once.
    #[arg(skip = limits::MAX_WEB_CONNECTIONS)]
    pub max_web_connections: usize,
}

impl Default for TransportSettings {
    fn default() -> Self {
        settings::defaults()
    }
}

/// What every connection of the server shares.
pub(crate) struct Shared<S> {
    /// The router with its layers; cloned for every call.
    pub service: S,
    /// HTTP/2 settings, applied to every handshake.
    pub h2: h2::server::Builder,
    pub tls: Option<TlsAcceptor>,
    pub settings: TransportSettings,
    pub metrics: Arc<Metrics>,
    pub drain: Drain,
    /// Cancelled when the drain's grace is over: every call left ends.
    pub cut: CancellationToken,
    /// Calls in flight on the whole server.
    pub calls: Arc<AtomicUsize>,
}

impl<S> Shared<S> {
    pub(crate) fn new(
        service: S,
        tls: Option<TlsAcceptor>,
        settings: TransportSettings,
        metrics: Arc<Metrics>,
        drain: Drain,
    ) -> Self {
        Self {
            service,
            h2: http2_settings(),
            tls,
            settings,
            metrics,
            drain,
            cut: CancellationToken::new(),
            calls: Arc::default(),
        }
    }
}

/// The HTTP/2 settings of every connection, from [`limits`].
fn http2_settings() -> h2::server::Builder {
    let mut builder = h2::server::Builder::new();
    builder
        .max_concurrent_streams(limits::MAX_CONCURRENT_STREAMS_PER_CONNECTION)
        .max_header_list_size(limits::MAX_HEADER_LIST_BYTES)
        .initial_window_size(limits::STREAM_WINDOW_BYTES)
        .initial_connection_window_size(limits::CONNECTION_WINDOW_BYTES)
        .max_send_buffer_size(limits::MAX_SEND_BUFFER_BYTES)
        .data_frame_budget(limits::DATA_FRAME_BUDGET)
        // hyper's defaults against rapid-reset floods, which tonic's server
        // had through hyper.
        .max_pending_accept_reset_streams(20)
        .max_local_error_reset_streams(Some(1024));
    builder
}

/// Serves connections from `listener` until the drain starts, then waits
/// for them to end, at most `grace` (see the module documentation).
pub(crate) async fn serve<S, B>(listener: TcpListener, shared: Shared<S>, grace: Duration)
where
    S: CallService<B> + Sync,
    B: Body<Data = Bytes> + Send + 'static,
{
    let shared = Arc::new(shared);
    let mut connections = JoinSet::new();
    let mut backoff = listener::Backoff::default();
    loop {
        tokio::select! {
            biased;
            () = shared.drain.started() => break,
            // Finished connections are collected as they end.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((tcp, _peer)) => {
                    backoff.succeeded();
                    // Replies are small and latency matters more than packing.
                    let _ = tcp.set_nodelay(true);
                    connections.spawn(connection::serve_connection(tcp, Arc::clone(&shared)));
                }
                Err(error) => {
                    let Some(pause) = backoff.failed(&error) else { continue };
                    tokio::select! {
                        () = tokio::time::sleep(pause) => {}
                        () = shared.drain.started() => break,
                    }
                }
            },
        }
    }
    // No new connection during the drain: the listening socket closes, so
    // clients and balancers go elsewhere at once.
    drop(listener);

    let all_closed = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(grace, all_closed).await.is_err() {
        let open = shared.calls.load(Ordering::Relaxed);
        if open > 0 {
            tracing::warn!(
                ?grace,
                open,
                "grace period over: ending the calls still open with UNAVAILABLE"
            );
        }
        shared.cut.cancel();
        let closed = async { while connections.join_next().await.is_some() {} };
        if tokio::time::timeout(limits::CLOSE_FLUSH_TIMEOUT * 2, closed)
            .await
            .is_err()
        {
            connections.abort_all();
        }
    }
}
