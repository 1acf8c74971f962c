//! `bank session`: a conversation with the server (bidirectional streaming
//! `ConvertSession`).
//!
//! Two things happen at once: a task reads standard input and sends each
//! line as soon as it is typed; this function prints each reply as soon as
//! it arrives. The server answers in order, so replies are matched to input
//! lines by position, through a queue of the lines still waiting for an
//! answer. A line that is not `AMOUNT FROM TO [ID]` is answered locally, in
//! its place in that queue so output keeps the input's order; a request the
//! server refuses gets its error reply; either way the session goes on. End of input closes the sending side, the server
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
use bank_service::i18n::Messages;
use bank_service::tr;

use crate::{format, output};

/// Requests typed ahead of the network. Small: a person types slowly, and
/// a script piping thousands of lines is paced by the server's replies.
const TYPE_AHEAD: usize = 64;

/// An input line still waiting for its answer to be printed.
enum Waiting {
    /// Sent to the server; the next reply belongs to it.
    Sent(u64),
    /// Refused locally; printed when every earlier line is answered.
    Refused(u64),
}

/// The queue of lines waiting for an answer, shared by the two halves.
type Queue = Arc<Mutex<VecDeque<Waiting>>>;

fn lock(queue: &Queue) -> std::sync::MutexGuard<'_, VecDeque<Waiting>> {
    queue.lock().unwrap_or_else(PoisonError::into_inner)
}

pub async fn run(
    connection: &Connection,
    messages: &'static Messages,
    as_json: bool,
) -> Result<u8, CliError> {
    let interactive = std::io::stdin().is_terminal() && !as_json;
    let (requests, outgoing) = mpsc::channel(TYPE_AHEAD);
    let waiting: Queue = Arc::default();

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
    let typing = tokio::spawn(read_lines(
        messages,
        as_json,
        interactive,
        requests,
        Arc::clone(&waiting),
    ));

    let mut refused = false;
    while let Some(reply) = replies
        .message()
        .await
        .map_err(|status| connection.failed(status))?
    {
        let mut queue = lock(&waiting);
        refused |= print_refused_lines(messages, as_json, &mut queue)?;
        let line = match queue.pop_front() {
            Some(Waiting::Sent(line)) => line,
            _ => 0,
        };
        refused |= print_reply(messages, as_json, line, &reply)?;
        refused |= print_refused_lines(messages, as_json, &mut queue)?;
        if interactive {
            output::raw("> ")?;
        }
    }
    // The server ended the call: input is closed too, so this is immediate.
    let refused_at_once = typing.await.unwrap_or(Ok(false))?;
    refused |= refused_at_once | print_refused_lines(messages, as_json, &mut lock(&waiting))?;
    if interactive {
        output::line("")?;
    }
    Ok(if refused { exit::REJECTED } else { exit::SUCCESS })
}

/// Prints the locally refused lines at the front of the queue; returns
/// whether there were any.
fn print_refused_lines(
    messages: &Messages,
    as_json: bool,
    queue: &mut VecDeque<Waiting>,
) -> Result<bool, CliError> {
    let mut any = false;
    while let Some(Waiting::Refused(line)) = queue.front() {
        print_bad_line(messages, as_json, *line)?;
        queue.pop_front();
        any = true;
    }
    Ok(any)
}

fn print_bad_line(messages: &Messages, as_json: bool, line: u64) -> Result<(), CliError> {
    let reason = tr!(messages, "session-bad-line");
    if as_json {
        output::json(&json!({ "line": line, "error": { "message": reason } }))
    } else {
        output::line(tr!(messages, "session-error", line = line, reason = reason))
    }
}

/// Reads standard input until its end, sending each well-formed line;
/// returns whether a malformed line was answered at once.
async fn read_lines(
    messages: &'static Messages,
    as_json: bool,
    interactive: bool,
    requests: mpsc::Sender<ConvertRequest>,
    waiting: Queue,
) -> Result<bool, CliError> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut number: u64 = 0;
    let mut refused_at_once = false;
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
                let mut queue = lock(&waiting);
                if queue.is_empty() {
                    // Nothing is waiting: answer at once (the lock keeps
                    // replies from being printed in between).
                    print_bad_line(messages, as_json, number)?;
                    refused_at_once = true;
                    if interactive {
                        output::raw("> ")?;
                    }
                } else {
                    queue.push_back(Waiting::Refused(number));
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
        lock(&waiting).push_back(Waiting::Sent(number));
        if requests.send(request).await.is_err() {
            break;
        }
    }
    Ok(refused_at_once)
}

/// Prints one reply; returns whether it was an error.
fn print_reply(
    messages: &Messages,
    as_json: bool,
    line: u64,
    reply: &SessionReply,
) -> Result<bool, CliError> {
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
                output::line(tr!(
                    messages,
                    "session-error",
                    line = line,
                    reason = error.message
                ))?;
            }
            Ok(true)
        }
        None => Ok(false),
    }
}
