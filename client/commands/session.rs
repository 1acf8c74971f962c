//! `bank session`: a conversation with the server (bidirectional streaming
//! `ConvertSession`).
//!
//! Two things happen at once: a task reads standard input and sends each
//! line as soon as it is typed; this function prints each reply as soon as
//! it arrives. The server answers in order, so replies are matched to input
//! lines by position. A line that is not `AMOUNT FROM TO [ID]` is answered
//! locally; a request the server refuses gets its error reply; either way
//! the session goes on. End of input closes the sending side, the server
//! answers what is left and ends the call, and the command exits.

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex, PoisonError};

use bank_service::proto::v1::session_reply::Outcome;
use bank_service::proto::v1::{ConvertRequest, SessionReply};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::commands::{conversion_json, item_error_json};
use crate::connect::Connection;
use crate::error::{CliError, exit};
use crate::i18n::Messages;
use crate::{format, output, tr};

/// Requests typed ahead of the network. Small: a person types slowly, and
/// a script piping thousands of lines is paced by the server's replies.
const TYPE_AHEAD: usize = 64;

pub async fn run(connection: &Connection, messages: &'static Messages, as_json: bool) -> Result<u8, CliError> {
    let interactive = std::io::stdin().is_terminal() && !as_json;
    let (requests, outgoing) = mpsc::channel(TYPE_AHEAD);
    let pending: Arc<Mutex<VecDeque<u64>>> = Arc::default();

    let mut replies = connection
        .client()
        .convert_session(connection.streaming(ReceiverStream::new(outgoing)))
        .await
        .map_err(|status| connection.failed(status))?
        .into_inner();

    if interactive {
        output::line(tr!(messages, "session-intro"))?;
        output::raw("> ")?;
    }
    let typing = tokio::spawn(read_lines(messages, as_json, interactive, requests, Arc::clone(&pending)));

    let mut refused = false;
    while let Some(reply) = replies.message().await.map_err(|status| connection.failed(status))? {
        let line = pending.lock().unwrap_or_else(PoisonError::into_inner).pop_front().unwrap_or(0);
        refused |= print_reply(messages, as_json, line, &reply)?;
        if interactive {
            output::raw("> ")?;
        }
    }
    // The server ended the call: input is closed too, so this is immediate.
    let typing = typing.await.unwrap_or(Ok(false))?;
    if interactive {
        output::line("")?;
    }
    Ok(if refused || typing { exit::REJECTED } else { exit::SUCCESS })
}

/// Reads standard input until its end; returns whether any line was
/// refused locally.
async fn read_lines(
    messages: &'static Messages,
    as_json: bool,
    interactive: bool,
    requests: mpsc::Sender<ConvertRequest>,
    pending: Arc<Mutex<VecDeque<u64>>>,
) -> Result<bool, CliError> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut number: u64 = 0;
    let mut refused = false;
    while let Ok(Some(text)) = lines.next_line().await {
        number += 1;
        let words: Vec<&str> = text.split_whitespace().collect();
        let (amount, from, to, id) = match words.as_slice() {
            [] => {
                if interactive {
                    output::raw("> ")?;
                }
                continue;
            }
            [amount, from, to] => (*amount, *from, *to, ""),
            [amount, from, to, id] => (*amount, *from, *to, *id),
            _ => {
                refused = true;
                let reason = tr!(messages, "session-bad-line");
                if as_json {
                    output::json(&json!({ "line": number, "error": { "message": reason } }))?;
                } else {
                    output::line(tr!(messages, "session-error", line = number, reason = reason))?;
                }
                if interactive {
                    output::raw("> ")?;
                }
                continue;
            }
        };
        let request = ConvertRequest {
            amount: format::amount_input(messages.lang(), amount),
            from_currency: format::code_input(from),
            to_currency: format::code_input(to),
            request_id: id.to_owned(),
        };
        pending.lock().unwrap_or_else(PoisonError::into_inner).push_back(number);
        if requests.send(request).await.is_err() {
            break;
        }
    }
    Ok(refused)
}

/// Prints one reply; returns whether it was an error.
fn print_reply(messages: &Messages, as_json: bool, line: u64, reply: &SessionReply) -> Result<bool, CliError> {
    let lang = messages.lang();
    match &reply.outcome {
        Some(Outcome::Conversion(conversion)) => {
            if as_json {
                output::json(&json!({ "line": line, "conversion": conversion_json(conversion) }))?;
            } else {
                output::line(tr!(
                    messages,
                    "session-reply",
                    line = line,
                    amount = format::decimal(lang, &conversion.amount),
                    from = conversion.from_currency,
                    converted = format::decimal(lang, &conversion.converted_amount),
                    to = conversion.to_currency,
                    rate = format::decimal(lang, &conversion.rate),
                ))?;
            }
            Ok(false)
        }
        Some(Outcome::Error(error)) => {
            if as_json {
                output::json(&json!({ "line": line, "error": item_error_json(error) }))?;
            } else {
                output::line(tr!(messages, "session-error", line = line, reason = error.message))?;
            }
            Ok(true)
        }
        None => Ok(false),
    }
}
