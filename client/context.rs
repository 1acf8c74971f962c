//! What every command is given besides its own arguments: the language its
//! words come in, whether it writes JSON, and the way to the server.
//!
//! Built once from the global options, before anything connects. Commands
//! connect through [`Context::connect`] when they are ready to, so that
//! a command can first check its own input (a batch opens its file) and
//! report a usage error even when the server is down.

use crate::cli::{DEFAULT_SERVER, Global};
use crate::connect::{Connection, Target};
use crate::error::CliError;
use bank_i18n::Messages;

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
