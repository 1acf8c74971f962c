//! What every command is given besides its own arguments: the language its
//! words come in, whether it writes JSON, and the way to the server.
//!
//! Built once from the global options ([`Global`]), before anything connects. Commands
//! connect through [`Context::connect`] when they are ready to, so that
//! a command can first check its own input (a batch opens its file) and
//! report a usage error even when the server is down.

use std::path::PathBuf;
use std::time::Duration;

use tonic::codec::CompressionEncoding;

use crate::connect::{Connection, DEFAULT_SERVER, Target};
use crate::error::CliError;
use bank_i18n::{Lang, Messages};

/// The options every command takes (`bank --help` lists them).
#[derive(Debug, clap::Args)]
pub struct Global {
    /// Server URL [default: http://127.0.0.1:50051]. `bank tour` without it
    /// starts its own embedded server.
    #[arg(long, global = true, env = "BANK_SERVER")]
    pub server: Option<String>,

    /// Language of all output: en or fr. Default: from LANGUAGE, then
    /// LC_ALL, LC_MESSAGES or LANG (a fr* locale gives French), else English.
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,

    /// Machine-readable output: JSON (one object, or one per line for
    /// streams), locale-independent.
    #[arg(long, global = true)]
    pub json: bool,

    /// Time limit for each wait on the server (connecting, a unary call, a
    /// stream's first answer, a ping while a stream runs), e.g. 5s, 500ms.
    #[arg(long, global = true, default_value = "10s", value_parser = crate::format::duration_input)]
    pub timeout: Duration,

    /// CA certificate (PEM) to check an https:// server with. Default: the
    /// system's trust store.
    #[arg(long, global = true, env = "BANK_CA")]
    pub ca: Option<PathBuf>,

    /// Client certificate (PEM) for servers that require mutual TLS.
    #[arg(long, global = true, env = "BANK_CERT", requires = "key")]
    pub cert: Option<PathBuf>,

    /// Private key (PEM) of --cert.
    #[arg(long, global = true, env = "BANK_KEY", requires = "cert")]
    pub key: Option<PathBuf>,

    /// Compress every message sent, and accept compressed answers: gzip,
    /// zstd or none (the default).
    #[arg(long, global = true, value_enum, default_value_t = Compression::None)]
    pub compress: Compression,

    /// API token, sent on every call as `authorization: Bearer TOKEN`.
    /// Prefer BANK_TOKEN: a flag shows in the process list.
    #[arg(long, global = true, env = "BANK_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

/// `--compress`: how the CLI's messages travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Compression {
    Gzip,
    Zstd,
    None,
}

impl Compression {
    /// The gRPC encoding, if any.
    pub fn encoding(self) -> Option<CompressionEncoding> {
        match self {
            Compression::Gzip => Some(CompressionEncoding::Gzip),
            Compression::Zstd => Some(CompressionEncoding::Zstd),
            Compression::None => None,
        }
    }
}

/// The shared part of every command's entry point.
pub struct Context {
    /// Every sentence the command writes, in the user's language.
    pub messages: &'static Messages,
    /// `--json`: machine-readable output, the same in every language.
    pub json: bool,
    /// `--server` as given; `None` when it was not (the tour then starts a
    /// server of its own, the other commands use [`DEFAULT_SERVER`]).
    pub server: Option<String>,
    /// How to reach the server: its URL(s), the timeout, TLS, the token.
    pub target: Target,
}

impl Context {
    pub fn new(global: Global, messages: &'static Messages) -> Self {
        let server = global.server;
        let target = Target {
            server: server.clone().unwrap_or_else(|| DEFAULT_SERVER.to_owned()),
            timeout: global.timeout,
            lang: messages.lang(),
            ca: global.ca,
            // clap's `requires` makes --cert and --key come together.
            identity: global.cert.zip(global.key),
            token: global.token,
            compression: global.compress.encoding(),
            stream_window: None,
        };
        Self {
            messages,
            json: global.json,
            server,
            target,
        }
    }

    /// A connection to the server (or the first of its replicas that
    /// answers).
    pub async fn connect(&self) -> Result<Connection, CliError> {
        Connection::open(&self.target).await
    }
}
