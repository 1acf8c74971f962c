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
    /// Server URL (http://host:port).
    #[arg(
        long,
        global = true,
        env = "BANK_SERVER",
        default_value = "http://127.0.0.1:50051"
    )]
    pub server: String,

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
}
