//! `bank session`: a conversation with the server (bidirectional streaming
//! `ConvertSession`).
//!
//! Two things happen at once: a task reads standard input and sends each
//! line as soon as it is typed; this function prints each reply as soon as
//! it arrives. The server answers in order, so replies are matched to input
//! lines by position, through a queue of the lines still waiting for an
//! answer. A line that is not `AMOUNT FROM TO [ID]` is answered locally, in
//! its place in that queue so output keeps the input's order; a request the
//! server refuses gets its error reply; either way the session goes on.
//! End of input closes the sending side, the server answers what is left
//! and ends the call, and the command exits.
//!
//! On a terminal, the intro and the `> ` prompts are written to standard
//! error, so that `bank session > replies.txt` still shows them and the
//! file holds only replies.

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex, PoisonError};

use bank_proto::v1::session_reply::Outcome;
use bank_proto::v1::{ConvertRequest, SessionReply};
use serde::Serialize;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::context::Context;
use crate::error::{CliError, exit};
use bank_i18n::Messages;
use bank_i18n::tr;

use crate::{format, output};

/// What a person at a terminal is asked to type after.
const PROMPT: &str = "> ";

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

/// `bank session` takes no arguments of its own: its requests come from
/// standard input.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args, context: &Context) -> Result<u8, CliError> {
    let (messages, as_json) = (context.messages, context.json);
    let connection = &context.connect().await?;
    // Prompts are for a person typing at a terminal; they go to standard
    // error, like a shell's, so that redirected replies stay clean.
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let (requests, outgoing) = mpsc::channel(TYPE_AHEAD);
    let waiting: Queue = Arc::default();

    let mut replies = connection
        .answered(
            connection
                .client()
                .convert_session(connection.streaming(ReceiverStream::new(outgoing))),
        )
        .await?;

    if interactive {
        output::prompt(&format!("{}\n{PROMPT}", tr!(messages, "session-intro")))?;
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
            output::prompt(PROMPT)?;
        }
    }
    // The server ended the call: input is closed too, so this is immediate.
    let refused_at_once = typing.await.unwrap_or(Ok(false))?;
    refused |= refused_at_once | print_refused_lines(messages, as_json, &mut lock(&waiting))?;
    if interactive {
        // End the prompt line that Ctrl-D left open.
        output::prompt("\n")?;
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

/// The stable `code` of a line refused without asking the server, for
/// scripts (the message is in the user's language).
const MALFORMED_LINE: &str = "MALFORMED_LINE";

fn print_bad_line(messages: &Messages, as_json: bool, line: u64) -> Result<(), CliError> {
    let reason = tr!(messages, "session-bad-line");
    if as_json {
        output::json(&json!({
            "line": line,
            "error": { "code": MALFORMED_LINE, "message": reason },
        }))
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
        let (amount, from, to, id) = match parse_line(&text) {
            Parsed::Blank => {
                if interactive {
                    output::prompt(PROMPT)?;
                }
                continue;
            }
            Parsed::Conversion { amount, from, to, id } => (amount, from, to, id),
            Parsed::Malformed => {
                let mut queue = lock(&waiting);
                if queue.is_empty() {
                    // Nothing is waiting: answer at once (the lock keeps
                    // replies from being printed in between).
                    print_bad_line(messages, as_json, number)?;
                    refused_at_once = true;
                    if interactive {
                        output::prompt(PROMPT)?;
                    }
                } else {
                    queue.push_back(Waiting::Refused(number));
                }
                continue;
            }
        };
        let request = ConvertRequest {
            amount: format::amount_input(messages.lang(), &amount),
            from_currency: format::code_input(from),
            to_currency: format::code_input(to),
            request_id: id.to_owned(),
            at: None,
        };
        lock(&waiting).push_back(Waiting::Sent(number));
        if requests.send(request).await.is_err() {
            break;
        }
    }
    Ok(refused_at_once)
}

/// What one input line says.
#[derive(Debug, PartialEq, Eq)]
enum Parsed<'a> {
    Blank,
    Conversion {
        amount: String,
        from: &'a str,
        to: &'a str,
        id: &'a str,
    },
    Malformed,
}

/// Reads `AMOUNT FROM TO [ID]`. The amount may take several words: French
/// writes `1 234,50` with spaces between digit groups, so every word
/// before the currencies made only of digits, commas and points is part
/// of it (whether the groups make a number is [`format::amount_input`]'s
/// business, then the server's).
fn parse_line(text: &str) -> Parsed<'_> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return Parsed::Blank;
    }
    let numeric = |word: &&&str| word.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.');
    let amount_words = words.iter().take_while(numeric).count().max(1);
    let amount = words[..amount_words].join(" ");
    match words[amount_words..] {
        [from, to] => Parsed::Conversion {
            amount,
            from,
            to,
            id: "",
        },
        [from, to, id] => Parsed::Conversion { amount, from, to, id },
        _ => Parsed::Malformed,
    }
}

/// A reply as `--json` writes it: the line of standard input it answers,
/// then its outcome as the contract's message, `{"line":1,"conversion":
/// {...}}` or `{"line":2,"error":{...}}`.
#[derive(Serialize)]
struct Answer<'a> {
    line: u64,
    #[serde(flatten)]
    outcome: &'a Outcome,
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
        Some(outcome @ Outcome::Conversion(conversion)) => {
            if as_json {
                output::json(&Answer { line, outcome })?;
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
        Some(outcome @ Outcome::Error(error)) => {
            if as_json {
                output::json(&Answer { line, outcome })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn conversion<'a>(amount: &str, from: &'a str, to: &'a str, id: &'a str) -> Parsed<'a> {
        Parsed::Conversion {
            amount: amount.to_owned(),
            from,
            to,
            id,
        }
    }

    #[test]
    fn lines_are_an_amount_in_one_or_more_words_then_the_currencies() {
        assert_eq!(parse_line("100 USD EUR"), conversion("100", "USD", "EUR", ""));
        assert_eq!(
            parse_line(" 7 eur jpy id9 "),
            conversion("7", "eur", "jpy", "id9")
        );
        assert_eq!(
            parse_line("1 234,5 EUR USD"),
            conversion("1 234,5", "EUR", "USD", "")
        );
        assert_eq!(
            parse_line("1\u{202F}234,50 EUR USD 42"),
            conversion("1 234,50", "EUR", "USD", "42")
        );
        assert_eq!(parse_line("ten USD EUR"), conversion("ten", "USD", "EUR", ""));
        assert_eq!(parse_line("   "), Parsed::Blank);
        assert_eq!(parse_line("hello"), Parsed::Malformed);
        assert_eq!(parse_line("1 234 USD"), Parsed::Malformed);
        assert_eq!(parse_line("1 USD EUR id extra"), Parsed::Malformed);
    }
}
