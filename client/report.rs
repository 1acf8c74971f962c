//! `--json` failures: one JSON object on standard output, so that
//! `bank --json … | jq` always reads JSON, whatever went wrong.
//!
//! ```json
//! {"error":{"code":"INVALID_ARGUMENT","reason":"AMOUNT_TOO_PRECISE",
//!   "domain":"bank.v1","field":"amount",
//!   "metadata":{"currency":"USD","field":"amount","minor_units":"2"},
//!   "message":"The server refused the request: …","exit_code":1}}
//! ```
//!
//! - `code`: the gRPC status code's name when a status is behind the
//!   failure: the server's, or the one any gRPC client reports for the same
//!   failure (UNAVAILABLE for a server that cannot be reached,
//!   DEADLINE_EXCEEDED for `--timeout`, CANCELLED for Ctrl-C); `null` for
//!   what never reached the network (a usage error, an unreadable file).
//! - `reason` and `domain`: the server's `google.rpc.ErrorInfo` (domain
//!   `bank.v1`) when it sent one; otherwise the CLI's own reason, domain
//!   `bank.cli` (see [`CLI_REASONS`]). `null` only for a status from
//!   another server that gave no reason.
//! - `field`: the request field at fault (from `google.rpc.BadRequest`), or
//!   the command-line argument at fault for a usage error.
//! - `message`: the sentence the person reads on standard error, in the
//!   user's language (standard error keeps it too).
//! - `exit_code`: the process's exit code.

use std::collections::BTreeMap;

use serde::Serialize;
use tonic::{Code, Status};
use tonic_types::StatusExt;

use bank_i18n::Messages;
use bank_proto::code_name;

use crate::cli::UsageError;
use crate::error::{CliError, exit, is_client_timeout, is_unavailable};

/// The `domain` of the reasons the CLI decides itself.
pub const CLI_DOMAIN: &str = "bank.cli";

/// Every reason of domain `bank.cli`. The README lists them too (a test
/// keeps the two in step).
pub const CLI_REASONS: &[&str] = &[
    // Usage errors (exit 2).
    "UNKNOWN_ARGUMENT",
    "UNKNOWN_COMMAND",
    "MISSING_ARGUMENT",
    "MISSING_COMMAND",
    "INVALID_VALUE",
    "DURATION_WITHOUT_UNIT",
    "DURATION_NOT_POSITIVE",
    "DURATION_MALFORMED",
    "INSTANT_MALFORMED",
    "INSTANT_BEFORE_1970",
    "AMOUNT_NEGATIVE",
    "USAGE",
    // A session line that is not AMOUNT FROM TO [ID] (an item, not a
    // failure of the command).
    "MALFORMED_LINE",
    "INVALID_SERVER_URL",
    "INVALID_TOKEN",
    "INPUT_UNREADABLE",
    "NOT_PEM",
    "TLS_SETUP_FAILED",
    // The server could not be reached or used (exit 3).
    "SERVER_UNREACHABLE",
    "SERVER_UNAVAILABLE",
    "WRONG_SCHEME",
    "TLS_HANDSHAKE_FAILED",
    "TIMEOUT",
    "RUNTIME_FAILED",
    // Other failures.
    "OUTPUT_FAILED",
    "INTERRUPTED",
];

/// The object `--json` prints for a failure.
#[derive(Debug, Serialize)]
pub struct ErrorReport {
    pub code: Option<&'static str>,
    pub reason: Option<String>,
    pub domain: Option<String>,
    pub field: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub message: String,
    pub exit_code: u8,
}

/// `{"error": …}`: a failure, told from a session's rejected item (also
/// under an `error` key) by its `exit_code`.
#[derive(Debug, Serialize)]
pub struct Failure {
    error: ErrorReport,
}

impl ErrorReport {
    /// A report of the CLI's own (`bank.cli`) reason.
    fn cli(code: Option<Code>, reason: &'static str, message: String, exit_code: u8) -> Self {
        debug_assert!(CLI_REASONS.contains(&reason), "{reason} is listed");
        Self {
            code: code.map(code_name),
            reason: Some(reason.to_owned()),
            domain: Some(CLI_DOMAIN.to_owned()),
            field: None,
            metadata: BTreeMap::new(),
            message,
            exit_code,
        }
    }

    fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.metadata.insert(key.to_owned(), value.into());
        self
    }

    fn on_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The report of a command-line mistake.
    fn usage(error: &UsageError) -> Self {
        let mut report = Self::cli(None, error.reason, error.sentence.clone(), exit::USAGE);
        report.field.clone_from(&error.field);
        if !error.valid_values.is_empty() {
            report = report.with("valid_values", error.valid_values.join(","));
        }
        report
    }

    /// The report of a failed command; `None` when nothing should be said
    /// (output closed), or when the command wrote its failure as JSON
    /// itself (a batch cut short prints its `"complete": false` object).
    pub fn of(error: &CliError, messages: &Messages) -> Option<Failure> {
        if matches!(error, CliError::BatchIncomplete { .. }) {
            return None;
        }
        let message = error.render(messages)?;
        let exit_code = error.exit_code();
        let cli = |code, reason| Self::cli(code, reason, message.clone(), exit_code);
        let report = match error {
            CliError::Usage(usage) => Self::usage(usage),
            CliError::InvalidServerUrl { url } => cli(None, "INVALID_SERVER_URL")
                .on_field("--server")
                .with("url", url),
            CliError::Unreachable { url } => {
                cli(Some(Code::Unavailable), "SERVER_UNREACHABLE").with("url", url)
            }
            CliError::WrongScheme { url, suggested, .. } => cli(Some(Code::Unavailable), "WRONG_SCHEME")
                .on_field("--server")
                .with("url", url)
                .with("suggested", suggested),
            CliError::TlsHandshake { url, .. } => {
                cli(Some(Code::Unavailable), "TLS_HANDSHAKE_FAILED").with("url", url)
            }
            CliError::NotPem { path } => cli(None, "NOT_PEM").with("path", path),
            CliError::TlsSetup { .. } => cli(None, "TLS_SETUP_FAILED"),
            CliError::InvalidToken => cli(None, "INVALID_TOKEN").on_field("--token"),
            CliError::Timeout => cli(Some(Code::DeadlineExceeded), "TIMEOUT"),
            // The server's metadata, as it sent it: nothing of the CLI's
            // is mixed in.
            CliError::Status { status, .. } => from_status(status, message, exit_code),
            CliError::BatchIncomplete { .. } => return None,
            CliError::Input { path, .. } => cli(None, "INPUT_UNREADABLE").with("path", path),
            CliError::Runtime { .. } => cli(None, "RUNTIME_FAILED"),
            CliError::Output(_) | CliError::OutputClosed => cli(None, "OUTPUT_FAILED"),
            CliError::Interrupted => cli(Some(Code::Cancelled), "INTERRUPTED"),
        };
        Some(Failure { error: report })
    }
}

/// A status as reported: the server's ErrorInfo and BadRequest when it sent
/// them, else what this side made of the failure.
pub fn from_status(status: &Status, message: String, exit_code: u8) -> ErrorReport {
    let field = status
        .get_details_bad_request()
        .and_then(|bad| bad.field_violations.into_iter().next())
        .map(|violation| violation.field);
    // A connection that broke under the call is UNAVAILABLE, as the exit
    // code counts it, whatever tonic made of it.
    let code = if is_unavailable(status) {
        Code::Unavailable
    } else {
        status.code()
    };
    if let Some(info) = status.get_details_error_info() {
        return ErrorReport {
            code: Some(code_name(code)),
            reason: Some(info.reason),
            domain: Some(info.domain),
            field: field.or_else(|| info.metadata.get("field").cloned()),
            metadata: info.metadata.into_iter().collect(),
            message,
            exit_code,
        };
    }
    let reason = if status.code() == Code::DeadlineExceeded || is_client_timeout(status) {
        Some("TIMEOUT")
    } else if is_unavailable(status) {
        Some("SERVER_UNAVAILABLE")
    } else {
        None
    };
    ErrorReport {
        code: Some(code_name(code)),
        reason: reason.map(str::to_owned),
        domain: reason.map(|_| CLI_DOMAIN.to_owned()),
        field,
        metadata: BTreeMap::new(),
        message,
        exit_code,
    }
}
