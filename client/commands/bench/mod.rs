//! `bank bench`: a load generator for the four models, in the spirit of
//! `ghz`.
//!
//! Each target drives a running server, shows progress on standard error
//! while it runs, stops by itself, and prints one results table (or one
//! JSON object with `--json`). It only ever connects to `--server`.
//!
//! | target     | model            | measures |
//! |------------|------------------|----------|
//! | `convert`  | unary            | req/s, latency percentiles, errors, server CPU per call; every answer verified |
//! | `baseline` | unary            | the same load on `grpc.health.v1.Health/Check`: the framework's ceiling |
//! | `feed`     | server streaming | updates/s, delivery lag, skipped ticks, server RSS |
//! | `batch`    | client streaming | items/s end to end, summary verified, server RSS growth |
//! | `session`  | bidirectional    | pipelined conversions/s and latency |
//! | `stall`    | server streaming | feeds never read: how many the server ends, and with which status; server RSS per held feed |
//!
//! Server CPU and memory come from `/proc/<pid>` when the server runs on
//! this machine (`--server-pid`, or found by its name `bank-server`).

mod batch;
mod feed;
mod generated;
mod history;
mod report;
mod server_stats;
mod session;
mod stall;
mod unary;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bank_i18n::Messages;
use bank_i18n::tr;
use tokio::task::JoinHandle;
use tonic::transport::{Channel, Endpoint};

use crate::context::Context;
use crate::error::{CliError, exit};
use crate::{format, terminal};

/// The most pairs one `StreamRates` request may name: the contract's limit
/// (see `StreamRatesRequest.pairs` in `proto/bank/v1/bank.proto`), the
/// largest feed a benchmark can ask for. A test holds it to the domain's.
pub const MAX_PAIRS_PER_FEED: usize = 256;

/// Pairs the generated load cycles through: zero-, two- and three-decimal
/// currencies, majors and CFA franc, so every rounding path is exercised.
pub const PAIRS: [(&str, &str); 8] = [
    ("USD", "EUR"),
    ("EUR", "JPY"),
    ("GBP", "CHF"),
    ("JPY", "KWD"),
    ("EUR", "XOF"),
    ("MAD", "EUR"),
    ("KWD", "USD"),
    ("CAD", "TND"),
];

/// Item `n` of a generated batch or session: a pure function of `n`, so
/// the client can recompute results without keeping the items.
pub fn generated_item(n: u64) -> bank_proto::v1::ConvertRequest {
    let (amount, from, to) = generated_fields(n);
    bank_proto::v1::ConvertRequest {
        amount: amount.to_string(),
        from_currency: from.to_owned(),
        to_currency: to.to_owned(),
        request_id: String::new(),
        at: None,
    }
}

/// Item `n`'s amount (a whole number from 1 to 100,000) and currencies.
fn generated_fields(n: u64) -> (u64, &'static str, &'static str) {
    let (from, to) = PAIRS[(n % PAIRS.len() as u64) as usize];
    (n.wrapping_mul(7_919) % 100_000 + 1, from, to)
}

/// `bank bench TARGET`: which load to drive.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    target: Target,
}

/// What `bank bench` can drive.
#[derive(Debug, clap::Subcommand)]
pub enum Target {
    /// Unary `Convert` with varied pairs and amounts, each answer verified.
    Convert(LoadArgs),
    /// The same load on `grpc.health.v1.Health/Check`, a near-empty RPC.
    Baseline(LoadArgs),
    /// Many concurrent `StreamRates` subscribers.
    Feed(FeedArgs),
    /// One `ConvertBatch` of generated items.
    Batch(BatchArgs),
    /// One pipelined `ConvertSession`.
    Session(SessionArgs),
    /// `StreamRates` feeds opened and never read, held for a while.
    Stall(StallArgs),
    /// `GetRateHistory` over many ticks: the latency of one call.
    History(HistoryArgs),
    /// One `StreamRates` feed replaying many ticks: updates per second.
    Replay(ReplayArgs),
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// Ticks each call covers (in 1,000 candles).
    #[arg(long, default_value_t = 1_000_000)]
    pub ticks: u64,
    /// Calls, one after the other.
    #[arg(long, default_value_t = 20)]
    pub calls: usize,
    /// The pair.
    #[arg(long, default_value = "EUR/USD")]
    pub pair: String,
}

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Ticks to replay (at most the server's replay window, 86,400).
    #[arg(long, default_value_t = 86_400)]
    pub ticks: u64,
    /// The pair.
    #[arg(long, default_value = "EUR/USD")]
    pub pair: String,
}

#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// HTTP/2 connections to spread the load over.
    #[arg(long, default_value_t = 4)]
    pub connections: usize,
    /// Requests in flight at once (closed loop).
    #[arg(long, default_value_t = 256)]
    pub concurrency: usize,
    /// How long to run, e.g. 10s.
    #[arg(long, default_value = "10s", value_parser = crate::format::duration_input)]
    pub duration: Duration,
    /// Stop after exactly this many requests in all, instead of after
    /// --duration.
    #[arg(long, conflicts_with = "duration", value_parser = clap::value_parser!(u64).range(1..))]
    pub requests: Option<u64>,
    /// Open loop: send this many requests per second in all, whatever the
    /// answers' speed; latency then counts from the scheduled send time.
    #[arg(long)]
    pub rate: Option<u64>,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Debug, clap::Args)]
pub struct FeedArgs {
    /// Concurrent subscribers.
    #[arg(long, default_value_t = 1_000)]
    pub subscribers: usize,
    /// HTTP/2 connections they share.
    #[arg(long, default_value_t = 10)]
    pub connections: usize,
    /// Pairs per subscriber.
    #[arg(long, default_value_t = 3)]
    pub pairs: usize,
    /// How long to watch, e.g. 10s.
    #[arg(long, default_value = "10s", value_parser = crate::format::duration_input)]
    pub duration: Duration,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Debug, clap::Args)]
pub struct StallArgs {
    /// Feeds to open and never read.
    #[arg(long, default_value_t = 1_000,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub feeds: usize,
    /// HTTP/2 connections they share.
    #[arg(long, default_value_t = 10)]
    pub connections: usize,
    /// Pairs per feed: the bigger each update, the sooner the windows fill.
    #[arg(long, default_value_t = MAX_PAIRS_PER_FEED,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_PAIRS_PER_FEED as u64))]
    pub pairs: usize,
    /// How long to hold them, e.g. 30s.
    #[arg(long, default_value = "30s", value_parser = crate::format::duration_input)]
    pub duration: Duration,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    /// Items in the batch.
    #[arg(long, default_value_t = 1_000_000)]
    pub items: u64,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Debug, clap::Args)]
pub struct SessionArgs {
    /// Conversions to send.
    #[arg(long, default_value_t = 1_000_000)]
    pub items: u64,
    /// Requests in flight at once on the session.
    #[arg(long, default_value_t = 256)]
    pub window: usize,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    /// Process id of the server, for its CPU time and memory (default: the
    /// only process named bank-server on this machine, if there is one).
    #[arg(long)]
    pub server_pid: Option<u32>,
}

/// Everything a benchmark needs to reach the server.
pub struct Bench {
    /// `--server` as given, for error messages.
    pub url: String,
    /// Its URLs, with the scheme completed: several when `--server` lists
    /// replicas separated by commas.
    endpoints: Vec<String>,
    pub messages: &'static Messages,
    pub as_json: bool,
}

impl Bench {
    pub fn new(server: &str, messages: &'static Messages, as_json: bool) -> Self {
        let endpoints = crate::connect::server_urls(server);
        let url = match endpoints.as_slice() {
            [one] => one.clone(),
            _ => server.to_owned(),
        };
        Self {
            url,
            endpoints,
            messages,
            as_json,
        }
    }

    /// A new HTTP/2 connection to the server (the first endpoint that
    /// answers).
    pub async fn connect(&self) -> Result<Channel, CliError> {
        self.connect_from(0).await
    }

    /// A new HTTP/2 connection to the endpoint `first` (modulo their
    /// number), or to the next one that answers if it does not.
    async fn connect_from(&self, first: usize) -> Result<Channel, CliError> {
        let count = self.endpoints.len();
        for offset in 0..count {
            let url = &self.endpoints[(first + offset) % count];
            let endpoint = Endpoint::from_shared(url.clone())
                .map_err(|_| CliError::InvalidServerUrl {
                    url: self.url.clone(),
                })?
                .connect_timeout(Duration::from_secs(5))
                .tcp_nodelay(true);
            if let Ok(channel) = endpoint.connect().await {
                return Ok(channel);
            }
        }
        Err(if count == 0 {
            CliError::InvalidServerUrl {
                url: self.url.clone(),
            }
        } else {
            CliError::Unreachable {
                url: self.url.clone(),
            }
        })
    }

    /// `count` connections, spread round robin over the endpoints; an
    /// endpoint that does not answer is skipped.
    pub async fn connect_many(&self, count: usize) -> Result<Vec<Channel>, CliError> {
        let mut channels = Vec::with_capacity(count);
        for index in 0..count.max(1) {
            channels.push(self.connect_from(index).await?);
        }
        Ok(channels)
    }
}

/// Shows progress on standard error once a second until aborted: in place
/// on a terminal, one line at a time otherwise (a dumb terminal included).
pub fn progress(
    messages: &'static Messages,
    unit_id: &'static str,
    done: Arc<AtomicU64>,
    planned: Duration,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let started = Instant::now();
        let terminal = terminal::can_redraw(&std::io::stderr());
        let mut ticker = tokio::time::interval(Duration::from_secs(1));
        ticker.tick().await;
        let mut last = 0;
        loop {
            ticker.tick().await;
            let now = done.load(Ordering::Relaxed);
            let line = tr!(
                messages,
                "bench-progress",
                elapsed = started.elapsed().as_secs(),
                planned = planned.as_secs(),
                count = format::decimal(messages.lang(), &now.to_string()),
                unit = messages.format(unit_id, &[]),
                rate = format::decimal(messages.lang(), &(now - last).to_string()),
            );
            last = now;
            if terminal {
                eprint!("\r\x1b[2K{line}");
            } else {
                eprintln!("{line}");
            }
        }
    })
}

/// Clears an in-place progress line.
pub fn end_progress(progress: JoinHandle<()>) {
    progress.abort();
    if terminal::can_redraw(&std::io::stderr()) {
        eprint!("\r\x1b[2K");
    }
}

pub async fn run(args: Args, context: &Context) -> Result<u8, CliError> {
    let server = context
        .server
        .as_deref()
        .unwrap_or(crate::connect::DEFAULT_SERVER);
    let bench = Bench::new(server, context.messages, context.json);
    let report = match args.target {
        Target::Convert(args) => unary::run(&bench, unary::Call::Convert, args).await?,
        Target::Baseline(args) => unary::run(&bench, unary::Call::HealthCheck, args).await?,
        Target::Feed(args) => feed::run(&bench, args).await?,
        Target::Batch(args) => batch::run(&bench, args).await?,
        Target::Session(args) => session::run(&bench, args).await?,
        Target::Stall(args) => stall::run(&bench, args).await?,
        Target::History(args) => history::history(&bench, args).await?,
        Target::Replay(args) => history::replay(&bench, args).await?,
    };
    report.print(bench.messages, bench.as_json)?;
    Ok(if report.failed() {
        exit::REJECTED
    } else {
        exit::SUCCESS
    })
}
