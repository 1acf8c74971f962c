//! What can go wrong in the CLI, the exit code of each, and the one
//! sentence the user reads about it.
//!
//! A server that never answers is a timeout (exit 3), whichever bound
//! caught it: a unary call's deadline, the wait for a stream to open, or
//! an unanswered ping (see `connect.rs`).

use std::io::ErrorKind;

use tonic::{Code, Status, TimeoutExpired};
use tonic_types::StatusExt;

use bank_proto::code_name;

use bank_i18n::Messages;
use bank_i18n::tr;

use crate::cli::UsageError;
use crate::{format, phrasing};

/// The documented exit codes.
pub mod exit {
    pub const SUCCESS: u8 = 0;
    /// The server rejected a request, or some batch or session items.
    pub const REJECTED: u8 = 1;
    /// The command line or its input file is unusable.
    pub const USAGE: u8 = 2;
    /// The server could not be reached or is unavailable.
    pub const UNAVAILABLE: u8 = 3;
    /// Ctrl-C, by the shell convention 128 + SIGINT.
    pub const INTERRUPTED: u8 = 130;
}

#[derive(Debug)]
pub enum CliError {
    /// The command line cannot be used as it is (found by clap, or by a
    /// command reading its own arguments).
    Usage(UsageError),
    /// `--server` is not a URL.
    InvalidServerUrl { url: String },
    /// No connection could be made.
    Unreachable { url: String },
    /// `http://` to a server that speaks TLS, or `https://` to one that
    /// speaks plaintext HTTP/2: found by asking the server directly when
    /// the call failed (see `scheme.rs`), and said plainly, because what
    /// the transport reports (a cancelled call, a corrupt TLS message)
    /// never mentions the scheme. `suggested` is the URL with the other one.
    WrongScheme {
        url: String,
        suggested: String,
        server_speaks_tls: bool,
    },
    /// The TLS handshake failed: the server's certificate is not trusted,
    /// or the server refused ours. Counts as unreachable.
    /// `detail` is what TLS reported, when it said anything.
    TlsHandshake { url: String, detail: Option<String> },
    /// `--ca`, `--cert` or `--key` is readable but not PEM of the right kind.
    NotPem { path: String },
    /// The TLS settings cannot be put together (e.g. a key that does not
    /// match its certificate, or no system trust store without `--ca`).
    TlsSetup { detail: String },
    /// `--token` holds characters a header cannot carry. The token itself
    /// is never repeated back.
    InvalidToken,
    /// The server did not answer within `--timeout`.
    Timeout,
    /// The server answered a call with an error status.
    Status { url: String, status: Status },
    /// A batch stream broke before the summary arrived.
    BatchIncomplete { url: String, sent: u64, status: Status },
    /// An input file could not be opened or read.
    Input { path: String, detail: String },
    /// Something the command needs could not be started on this machine,
    /// such as the tour's embedded server (no free port): there is no
    /// server to talk to, hence the "unavailable" exit code.
    Runtime { detail: String },
    /// Standard output is closed (e.g. piped into `head`): stop quietly.
    OutputClosed,
    /// Any other output failure.
    Output(std::io::Error),
    /// Ctrl-C.
    Interrupted,
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_)
            | CliError::InvalidServerUrl { .. }
            | CliError::Input { .. }
            | CliError::NotPem { .. }
            | CliError::TlsSetup { .. }
            | CliError::InvalidToken => exit::USAGE,
            CliError::Unreachable { .. }
            | CliError::WrongScheme { .. }
            | CliError::TlsHandshake { .. }
            | CliError::Runtime { .. }
            | CliError::Timeout => exit::UNAVAILABLE,
            CliError::Status { status, .. } | CliError::BatchIncomplete { status, .. } => {
                status_exit_code(status)
            }
            CliError::OutputClosed => exit::SUCCESS,
            CliError::Output(_) => exit::REJECTED,
            CliError::Interrupted => exit::INTERRUPTED,
        }
    }

    /// One sentence in the user's language; `None` when nothing should be
    /// said (closed output).
    pub fn render(&self, messages: &Messages) -> Option<String> {
        Some(match self {
            CliError::Usage(usage) => usage.sentence.clone(),
            CliError::InvalidServerUrl { url } => tr!(messages, "error-invalid-url", url = url),
            CliError::Unreachable { url } => tr!(messages, "error-unreachable", url = url),
            CliError::WrongScheme {
                url,
                suggested,
                server_speaks_tls: true,
            } => tr!(
                messages,
                "error-wrong-scheme-tls",
                url = url,
                suggested = suggested
            ),
            CliError::WrongScheme {
                url,
                suggested,
                server_speaks_tls: false,
            } => tr!(
                messages,
                "error-wrong-scheme-plaintext",
                url = url,
                suggested = suggested
            ),
            CliError::TlsHandshake {
                url,
                detail: Some(detail),
            } => {
                tr!(messages, "error-tls-handshake", url = url, detail = detail)
            }
            CliError::TlsHandshake { url, detail: None } => tr!(messages, "error-tls-refused", url = url),
            CliError::NotPem { path } => tr!(messages, "error-not-pem", path = path),
            CliError::TlsSetup { detail } => tr!(messages, "error-tls-setup", detail = detail),
            CliError::InvalidToken => tr!(messages, "error-invalid-token"),
            CliError::Timeout => tr!(messages, "error-timeout"),
            CliError::Status { url, status } => status_sentence(messages, url, status),
            CliError::BatchIncomplete { url, sent, status } => format!(
                "{} {}",
                tr!(
                    messages,
                    "batch-incomplete",
                    sent = sent,
                    sent_text = format::count(messages.lang(), *sent)
                ),
                status_sentence(messages, url, status)
            ),
            CliError::Input { path, detail } => tr!(messages, "error-input", path = path, detail = detail),
            CliError::Runtime { detail } => tr!(messages, "error-runtime", detail = detail),
            CliError::OutputClosed => return None,
            CliError::Output(error) => tr!(messages, "error-output", detail = error.to_string()),
            CliError::Interrupted => tr!(messages, "interrupted"),
        })
    }
}

/// Unavailable servers, broken connections and expired deadlines are "try
/// again later" (3); everything else the server says no to is a rejection
/// (1).
pub fn status_exit_code(status: &Status) -> u8 {
    if status.code() == Code::DeadlineExceeded || is_client_timeout(status) || is_unavailable(status) {
        exit::UNAVAILABLE
    } else {
        exit::REJECTED
    }
}

/// Whether the call broke in the transport (the connection was reset, the
/// server died) rather than ending with a status the server sent. tonic
/// keeps the underlying error as the status's source only in that case; a
/// status read from the server's trailers has none.
pub fn is_transport_error(status: &Status) -> bool {
    std::error::Error::source(status).is_some()
}

/// Whether the server is gone or going: it said UNAVAILABLE, or the
/// connection broke under the call. A cancellation is not: that is this
/// side's own doing (a timeout, Ctrl-C).
pub fn is_unavailable(status: &Status) -> bool {
    status.code() == Code::Unavailable || (is_transport_error(status) && status.code() != Code::Cancelled)
}

/// Whether `status` is this side's report that the server did not answer
/// in time, rather than anything the server said:
/// - a unary call's deadline passed: tonic does not wait for the server's
///   DEADLINE_EXCEEDED, it makes up a CANCELLED status whose message is
///   [`TimeoutExpired`]'s;
/// - the server did not answer a keep-alive ping (see `connect.rs`): tonic
///   reports UNAVAILABLE, with hyper's timeout error as its source.
pub fn is_client_timeout(status: &Status) -> bool {
    if status.code() == Code::Cancelled && status.message() == TimeoutExpired(()).to_string() {
        return true;
    }
    let mut source = std::error::Error::source(status);
    while let Some(error) = source {
        if error
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_timeout)
        {
            return true;
        }
        source = error.source();
    }
    false
}

/// What went wrong with a file, in the user's language for the usual
/// cases, else the system's own (English) words.
pub fn io_detail(messages: &Messages, error: &std::io::Error) -> String {
    match error.kind() {
        ErrorKind::NotFound => tr!(messages, "error-io-not-found"),
        ErrorKind::PermissionDenied => tr!(messages, "error-io-permission"),
        ErrorKind::IsADirectory => tr!(messages, "error-io-directory"),
        ErrorKind::InvalidData => tr!(messages, "error-io-invalid-data"),
        _ => error.to_string(),
    }
}

/// The sentence for an error status: the CLI's own words for the server's
/// reason when it has some (see `phrasing.rs`), else the server's localized
/// message when it sent one, else the field and reason of an
/// INVALID_ARGUMENT, else the code and the server's message.
pub fn status_sentence(messages: &Messages, url: &str, status: &Status) -> String {
    if is_client_timeout(status) {
        return tr!(messages, "error-timeout");
    }
    // Unary calls give up at their own `--timeout` first: a deadline the
    // server (or the command) saw pass is a streaming call's `--deadline`.
    if status.code() == Code::DeadlineExceeded {
        return tr!(messages, "error-deadline");
    }
    if is_unavailable(status) {
        return tr!(messages, "error-unavailable", url = url);
    }
    if status.code() == Code::Unauthenticated {
        return tr!(messages, "error-unauthenticated");
    }
    if let Some(info) = status.get_details_error_info()
        && let Some(clause) = phrasing::phrase(messages, &info.domain, &info.reason, &info.metadata)
    {
        return tr!(messages, "error-rejected", reason = clause);
    }
    if let Some(localized) = status.get_details_localized_message() {
        return tr!(messages, "error-rejected", reason = localized.message);
    }
    match status
        .get_details_bad_request()
        .and_then(|bad| bad.field_violations.into_iter().next())
    {
        Some(violation) => tr!(
            messages,
            "error-invalid-field",
            field = violation.field,
            reason = violation.description
        ),
        None => tr!(
            messages,
            "error-server",
            code = code_name(status.code()),
            reason = status.message()
        ),
    }
}
