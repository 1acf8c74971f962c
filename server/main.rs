//! `bank-server`: runs the Bank Service.
//!
//! Reads its configuration from flags or `BANK_*` environment variables,
//! logs the seed (so a run can be reproduced), serves until SIGINT or
//! SIGTERM, then drains gracefully (see `bank_service::server`). With
//! `--auth-tokens`, SIGHUP reloads the token file (see `bank_service::auth`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use bank_service::auth::{ApiTokens, TokenFileError};
use bank_service::domain::clock::SystemClock;
use bank_service::domain::rates::{MAX_SPREAD_BPS, MAX_TICK_MS, MIN_SPREAD_BPS, MIN_TICK_MS};
use bank_service::limits;
use bank_service::server::{BankServer, Config};
use bank_service::service::ServiceLimits;
use bank_service::telemetry::{self, LogFormat};
use bank_service::tls::{ServerTls, TlsError};
use bank_service::transport::{TransportSettings, raise_open_file_limit};
use clap::Parser;
use clap::builder::RangedU64ValueParser;

/// The Bank Service: currency conversion over gRPC, with a simulated,
/// seeded, fluctuating rate feed.
#[derive(Debug, Parser)]
#[command(name = "bank-server", version, about, long_about = None)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "BANK_ADDR", default_value = "127.0.0.1:50051")]
    addr: SocketAddr,

    /// Seed of the rate simulation; servers with the same seed publish the
    /// same quotes for the same tick. Default: random (logged at start).
    #[arg(long, env = "BANK_SEED")]
    seed: Option<u64>,

    /// Length of a rate tick, in milliseconds.
    #[arg(long, env = "BANK_TICK_MS", default_value_t = 1_000,
          value_parser = clap::value_parser!(u64).range(MIN_TICK_MS..=MAX_TICK_MS))]
    tick_ms: u64,

    /// Spread between bid and ask, in basis points of the mid (20 = 0.20%).
    #[arg(long, env = "BANK_SPREAD_BPS", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(i64::from(MIN_SPREAD_BPS)..=i64::from(MAX_SPREAD_BPS)))]
    spread_bps: u32,

    /// How long a shutdown waits for running calls, in milliseconds.
    #[arg(long, env = "BANK_GRACE_MS", default_value_t = 5_000)]
    grace_ms: u64,

    /// Runtime threads. Default: one per CPU. 1 runs a single-threaded
    /// runtime, the fastest shape when the server should keep to one core
    /// (for instance beside a load generator on a small machine).
    #[arg(long, env = "BANK_WORKERS", value_parser = clap::value_parser!(u16).range(1..=1024))]
    workers: Option<u16>,

    /// Certificate chain (PEM) to serve TLS with; needs --tls-key.
    #[arg(long, env = "BANK_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,

    /// Private key (PEM) of --tls-cert.
    #[arg(long, env = "BANK_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,

    /// CA certificate(s) (PEM) for mutual TLS: every client must present a
    /// certificate signed by one of them. Needs --tls-cert and --tls-key.
    #[arg(long, env = "BANK_TLS_CLIENT_CA", requires = "tls_cert")]
    tls_client_ca: Option<PathBuf>,

    /// File of API tokens, one per line, ending with a newline (blank lines
    /// and # comments ignored); every BankService call then needs
    /// `authorization: Bearer <token>`. Reloaded on SIGHUP: replace it
    /// atomically (write a new file, then rename it over the old one).
    #[arg(long, env = "BANK_AUTH_TOKENS")]
    auth_tokens: Option<PathBuf>,

    /// Serve Prometheus metrics on this address (GET /metrics, plain
    /// HTTP/1.1). Off unless given.
    #[arg(long, env = "BANK_METRICS_ADDR")]
    metrics_addr: Option<SocketAddr>,

    /// Log format on standard error: text for people, json (one object
    /// per line) for log pipelines.
    #[arg(long, env = "BANK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    /// Rate feeds (StreamRates) open at once. One more is refused at once
    /// with RESOURCE_EXHAUSTED; open feeds are not affected.
    #[arg(long, env = "BANK_MAX_FEEDS", default_value_t = limits::DEFAULT_MAX_FEEDS,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    max_feeds: usize,

    /// Sessions (ConvertSession) open at once. One more is refused at once
    /// with RESOURCE_EXHAUSTED; open sessions are not affected.
    #[arg(long, env = "BANK_MAX_SESSIONS", default_value_t = limits::DEFAULT_MAX_SESSIONS,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    max_sessions: usize,

    /// Calls running at once on one client connection (a batch counts until
    /// its summary, a feed or session only while it starts). One more is
    /// refused at once with RESOURCE_EXHAUSTED rather than queued.
    #[arg(long, env = "BANK_CONCURRENCY_PER_CONNECTION",
          default_value_t = limits::DEFAULT_CONCURRENCY_PER_CONNECTION,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    concurrency_per_connection: usize,

    /// How long a batch or session may go without a message from its
    /// client before the server ends it with CANCELLED and frees its place,
    /// e.g. 90s or 5m.
    #[arg(long, env = "BANK_IDLE_TIMEOUT", default_value = "5m", value_parser = parse_idle_timeout)]
    idle_timeout: Duration,

    /// Batches (ConvertBatch) running at once. One more is refused at once
    /// with RESOURCE_EXHAUSTED.
    #[arg(long, env = "BANK_MAX_BATCHES", default_value_t = limits::DEFAULT_MAX_BATCHES,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    max_batches: usize,

    /// Rate feeds open at once on one client connection, so that one
    /// connection cannot take every feed of the server.
    #[arg(long, env = "BANK_MAX_FEEDS_PER_CONNECTION",
          default_value_t = limits::DEFAULT_MAX_FEEDS_PER_CONNECTION,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    max_feeds_per_connection: usize,

    /// Sessions open at once on one client connection.
    #[arg(long, env = "BANK_MAX_SESSIONS_PER_CONNECTION",
          default_value_t = limits::DEFAULT_MAX_SESSIONS_PER_CONNECTION,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    max_sessions_per_connection: usize,

    /// How long a call may have a reply waiting while its client reads
    /// nothing, before the server ends it with RESOURCE_EXHAUSTED and frees
    /// its place, e.g. 30s.
    #[arg(long, env = "BANK_STALL_LIMIT", default_value = "30s", value_parser = parse_positive_duration)]
    stall_limit: Duration,

    /// How long a new connection has to complete its TLS handshake and send
    /// the HTTP/2 preface, e.g. 10s.
    #[arg(long, env = "BANK_HANDSHAKE_TIMEOUT", default_value = "10s", value_parser = parse_positive_duration)]
    handshake_timeout: Duration,

    /// Age at which a connection is asked to go away (GOAWAY): the client
    /// reconnects for its next calls and shows its API token again, e.g. 1h.
    #[arg(long, env = "BANK_MAX_CONNECTION_AGE", default_value = "1h", value_parser = parse_positive_duration)]
    max_connection_age: Duration,

    /// How long calls under way go on once their connection reached its
    /// maximum age, before they end with UNAVAILABLE, e.g. 5m.
    #[arg(long, env = "BANK_MAX_CONNECTION_AGE_GRACE", default_value = "5m", value_parser = parse_positive_duration)]
    max_connection_age_grace: Duration,
}

/// A humane duration (`90s`, `5m`) that is not zero: a zero idle timeout
/// would end every batch and session before its first message.
fn parse_idle_timeout(text: &str) -> Result<Duration, String> {
    parse_positive_duration(text)
}

/// A humane duration (`90s`, `5m`, `1h`) longer than zero: every limit
/// given this way would end every call or connection at once if it were 0.
fn parse_positive_duration(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(duration) if duration.is_zero() => Err("must be longer than zero".to_owned()),
        Ok(duration) => Ok(duration),
        Err(error) => Err(error.to_string()),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    telemetry::init_logging(args.log_format);
    let runtime = match args.workers {
        Some(1) => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        Some(workers) => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(usize::from(workers))
            .enable_all()
            .build(),
        None => tokio::runtime::Builder::new_multi_thread().enable_all().build(),
    };
    match runtime {
        Ok(runtime) => runtime.block_on(serve(args)),
        Err(error) => {
            tracing::error!(%error, "could not start the runtime");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> ExitCode {
    // Every connection takes a file descriptor; the soft limit is often
    // 1,024 where the hard limit allows far more.
    let open_files = match raise_open_file_limit() {
        Ok(limit) => limit,
        Err(error) => {
            tracing::warn!(%error, "could not raise the open-file limit");
            0
        }
    };
    let seed = args.seed.unwrap_or_else(rand::random);
    let (tls, auth_tokens) = match security(&args) {
        Ok(security) => security,
        Err(error) => {
            tracing::error!(%error, "could not start");
            return ExitCode::FAILURE;
        }
    };
    let config = Config {
        seed,
        tick_ms: args.tick_ms,
        spread_bps: args.spread_bps,
        grace_period: Duration::from_millis(args.grace_ms),
        clock: Arc::new(SystemClock::new()),
        tls: tls.clone(),
        auth_tokens: auth_tokens.clone(),
        limits: ServiceLimits {
            max_feeds: args.max_feeds,
            max_sessions: args.max_sessions,
            max_batches: args.max_batches,
            max_feeds_per_connection: args.max_feeds_per_connection,
            max_sessions_per_connection: args.max_sessions_per_connection,
            idle_timeout: args.idle_timeout,
        },
        transport: TransportSettings {
            concurrency_per_connection: args.concurrency_per_connection,
            handshake_timeout: args.handshake_timeout,
            max_connection_age: args.max_connection_age,
            max_connection_age_grace: args.max_connection_age_grace,
            stall_limit: args.stall_limit,
            ..TransportSettings::default()
        },
    };
    let mut server = match BankServer::bind(args.addr, config).await {
        Ok(server) => server,
        Err(error) => {
            tracing::error!(addr = %args.addr, %error, "could not start");
            return ExitCode::FAILURE;
        }
    };
    if let Some(metrics_addr) = args.metrics_addr
        && let Err(error) = server.bind_metrics(metrics_addr).await
    {
        tracing::error!(addr = %metrics_addr, %error, "could not serve metrics");
        return ExitCode::FAILURE;
    }
    let addr = server.local_addr().unwrap_or(args.addr);
    tracing::info!(
        %addr,
        seed,
        tick_ms = args.tick_ms,
        spread_bps = args.spread_bps,
        tls = tls.is_some(),
        mutual_tls = tls.as_ref().is_some_and(ServerTls::is_mutual),
        api_tokens = auth_tokens.as_ref().map_or(0, |tokens| tokens.len()),
        max_feeds = args.max_feeds,
        max_sessions = args.max_sessions,
        max_batches = args.max_batches,
        open_files,
        idle_timeout = %humantime::format_duration(args.idle_timeout),
        "bank-server listening"
    );

    match server.run(shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "server stopped with an error");
            ExitCode::FAILURE
        }
    }
}

/// Why the TLS or token configuration stopped the start.
#[derive(Debug, thiserror::Error)]
enum SecurityError {
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error(transparent)]
    Tokens(#[from] TokenFileError),
    #[error("cannot listen for SIGHUP to reload the API tokens: {0}")]
    Sighup(std::io::Error),
}

/// Reads and checks the TLS files and the token file, and starts reloading
/// the tokens on SIGHUP. Only the count of tokens is ever logged.
fn security(args: &Args) -> Result<(Option<ServerTls>, Option<Arc<ApiTokens>>), SecurityError> {
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(ServerTls::from_files(cert, key, args.tls_client_ca.as_deref())?),
        // clap's `requires` makes the flags come in pairs.
        _ => None,
    };
    let tokens = match &args.auth_tokens {
        Some(path) => {
            let tokens = Arc::new(ApiTokens::load(path)?);
            #[cfg(unix)]
            bank_service::auth::reload_on_sighup(Arc::clone(&tokens)).map_err(SecurityError::Sighup)?;
            Some(tokens)
        }
        None => None,
    };
    Ok((tls, tokens))
}

/// Completes on the first SIGINT (Ctrl-C) or SIGTERM (what `kill`, systemd
/// and Kubernetes send).
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; only Ctrl-C will stop the server");
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
