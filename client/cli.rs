//! The command line: global options and one subcommand per gRPC model.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use bank_service::i18n::Lang;

/// bank: convert currencies, watch the rate feed, send batches and hold
/// conversion sessions with a Bank Service.
///
/// Exit codes: 0 success; 1 the server rejected a request or some batch
/// items; 2 usage error; 3 server unreachable or unavailable; 130
/// interrupted by Ctrl-C (except `rates`, for which Ctrl-C is the normal way
/// to stop, and which exits 0).
#[derive(Debug, Parser)]
#[command(name = "bank", version, about, long_about)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct Global {
    /// Server URL [default: http://127.0.0.1:50051]. `bank tour` without it
    /// starts its own embedded server.
    #[arg(long, global = true, env = "BANK_SERVER")]
    pub server: Option<String>,

    /// Language of all output: en or fr. Default: from LC_ALL, LC_MESSAGES
    /// or LANG (a fr* locale gives French), else English.
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,

    /// Machine-readable output: JSON (one object, or one per line for
    /// streams), locale-independent.
    #[arg(long, global = true)]
    pub json: bool,

    /// Time limit for connecting and for each unary call, e.g. 5s, 500ms.
    #[arg(long, global = true, default_value = "10s", value_parser = humantime::parse_duration)]
    pub timeout: Duration,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the supported currencies (unary).
    Currencies,

    /// Convert an amount (unary), e.g. `bank convert 100 USD EUR`.
    Convert {
        /// The amount, e.g. 100 or 12.50 (12,50 in French).
        amount: String,
        /// Currency of the amount (ISO 4217, any case).
        from: String,
        /// Currency to convert into.
        to: String,
        /// A request id to send and see echoed back.
        #[arg(long)]
        id: Option<String>,
    },

    /// Watch exchange rates live (server streaming), e.g. `bank rates EUR/USD GBP/USD`.
    Rates {
        /// Pairs such as EUR/USD (price of 1 EUR in USD). None: every
        /// currency against USD.
        pairs: Vec<String>,
        /// Stop after this many updates.
        #[arg(long)]
        count: Option<u32>,
    },

    /// Convert a CSV file in one batch (client streaming).
    ///
    /// Rows are `amount,from,to[,id]`, or `amount,from[,id]` with --to; a
    /// header row is optional. The file is streamed row by row.
    Batch {
        /// CSV file to read, or - for standard input.
        #[arg(default_value = "-")]
        file: PathBuf,
        /// Convert every row into this currency (rows then omit `to`).
        #[arg(long)]
        to: Option<String>,
        /// Field delimiter of the CSV file (one character, e.g. ';').
        #[arg(long, default_value = ",")]
        delimiter: char,
    },

    /// Hold a conversion session (bidirectional streaming): type lines such
    /// as `100 USD EUR` and get each reply as soon as it is computed.
    Session,

    /// A guided tour of the four gRPC models, live, in English or French.
    ///
    /// Without --server it starts an embedded Bank Service on a free port,
    /// so nothing else needs to be running.
    Tour {
        /// Show only this model.
        #[arg(long, value_enum)]
        model: Option<Model>,
        /// Do not wait for Enter between models.
        #[arg(long)]
        no_pause: bool,
    },

    /// Load-test a running server: one benchmark per gRPC model, plus a
    /// framework baseline (see BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        target: crate::commands::bench::Target,
    },
}

/// The four gRPC models, as `bank tour --model` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Model {
    Unary,
    ServerStreaming,
    ClientStreaming,
    Bidi,
}

/// Where `--server` points when it is not given.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";
