//! `bank session`: a conversation with the server (bidirectional streaming
//! `ConvertSession`).
//!
//! Two things happen at once: a reader takes standard input line by line
//! and sends each request as soon as it is typed; this function prints
//! each reply as soon as it arrives. The server answers in order, so
//! replies are matched to requests by position, through a queue of the
//! requests still waiting for an answer. A line that is not `AMOUNT FROM
//! TO [ID]` is answered locally, in its place in that queue so output keeps
//! the input's order; a request the server refuses gets its error reply;
//! either way the session goes on. Blank lines and comments (`# ...`) are
//! skipped, and replies are numbered by request, so neither shifts the
//! numbers. End of input, `quit` or `exit` closes the sending side, the
//! server answers what is left and ends the call, and the command exits.
//!
//! How lines are read depends on what standard input is ([`Input`]):
//! - a pipe or a file: lines as they come, as fast as the server answers,
//!   with no prompt (scripts feed sessions this way);
//! - a terminal: rustyline's line editor (arrows, Ctrl-A/Ctrl-E, history
//!   with Up and Down, kept in memory for the session), one request at a
//!   time: each reply is printed before the next prompt, so a reply never
//!   lands in the middle of a line being edited;
//! - a dumb terminal (`TERM=dumb`), which cannot move its cursor: the
//!   plain reader, with a `> ` prompt.
//!
//! `--deadline DURATION` bounds the whole session (see `deadline.rs`): when
//! it passes the session ends with DEADLINE_EXCEEDED (exit 3), the replies
//! already printed staying printed.
//!
//! On a terminal the intro goes to standard error and the editor's prompt
//! to the terminal itself, so that `bank session > replies.txt` still
//! shows them and the file holds only replies. Ctrl-D on an empty line
//! ends the input; Ctrl-C ends the session at once (exit 130).
//!
//! rustyline rather than reedline: it is a line editor and nothing more,
//! blocking and line-oriented like this reader, with a small dependency
//! tree, an in-memory history, and a fallback for terminals it cannot
//! drive; reedline brings a full-screen-capable engine (crossterm, menus,
//! hints) that a four-word request line does not need.

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use bank_proto::v1::session_reply::Outcome;
use bank_proto::v1::{ConvertRequest, SessionReply};
use rustyline::config::Behavior;
use rustyline::{Config, DefaultEditor};
use serde::Serialize;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Status, Streaming};

use crate::context::Context;
use crate::deadline::{Deadline, DeadlineArg};
use crate::error::{CliError, exit};
use bank_i18n::Messages;
use bank_i18n::tr;

use crate::{format, output, phrasing, report, terminal};

/// What a person at a terminal is asked to type after.
const PROMPT: &str = "> ";

/// Requests typed ahead of the network. Small: a person types slowly, and
/// a script piping thousands of lines is paced by the server's replies.
const TYPE_AHEAD: usize = 64;

/// Lines the editor's history keeps (Up and Down walk through them): a
/// long session's worth, a few kilobytes, forgotten when it ends.
const HISTORY_LINES: usize = 1_000;

/// Words that end the session like end of input does: `quit` and `exit`
/// in any language, and French's `quitter`.
const QUIT_WORDS: [&str; 3] = ["quit", "exit", "quitter"];

/// How a reply is numbered: by request (the n-th line that asked for a
/// conversion, well-formed or not), which blank lines and comments do not
/// shift; `--json` gives its line of standard input instead (the replies
/// come in request order, so a reader counting them has the request).
#[derive(Debug, Clone, Copy, Default)]
struct Numbers {
    request: u64,
    line: u64,
}

/// A request still waiting for its answer to be printed.
enum Waiting {
    /// Sent to the server; the next reply belongs to it.
    Sent(Numbers),
    /// Refused locally; printed when every earlier request is answered.
    Refused(Numbers),
}

/// The queue of requests waiting for an answer, shared by the two halves.
type Queue = Arc<Mutex<VecDeque<Waiting>>>;

fn lock(queue: &Queue) -> std::sync::MutexGuard<'_, VecDeque<Waiting>> {
    queue.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Where lines come from.
enum Input {
    /// A pipe or a file: lines as they come, no prompt.
    Piped,
    /// A terminal that cannot move its cursor: lines as the terminal
    /// sends them, after a `> ` prompt on standard error.
    Prompted,
    /// A terminal: the line editor.
    Edited(Box<DefaultEditor>),
}

impl Input {
    /// The reader for this process's standard streams.
    fn of_this_process() -> Self {
        let stdin = std::io::stdin();
        // Prompts are for a person typing at a terminal; like a shell's,
        // they stay off standard output, so that redirected replies stay
        // clean.
        if !(stdin.is_terminal() && std::io::stderr().is_terminal()) {
            return Input::Piped;
        }
        if !terminal::can_redraw(&stdin) {
            return Input::Prompted;
        }
        match line_editor() {
            Ok(editor) => Input::Edited(Box::new(editor)),
            Err(_) => Input::Prompted,
        }
    }
}

/// The line editor: its prompt and echo go to the terminal itself, never
/// to a redirected standard output; pasted lines are sent one by one, as
/// if typed (bracketed paste would make them one line).
fn line_editor() -> rustyline::Result<DefaultEditor> {
    let config = Config::builder()
        .behavior(Behavior::PreferTerm)
        .bracketed_paste(false)
        .auto_add_history(true)
        .max_history_size(HISTORY_LINES)?
        .build();
    DefaultEditor::with_config(config)
}

/// `bank session`'s requests come from standard input; its one option
/// prices them all in the past.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Price every conversion at the tick of this past instant: RFC 3339,
    /// or a duration ago such as 90m or 7d.
    #[arg(long, value_parser = format::instant_input)]
    at: Option<SystemTime>,
    #[command(flatten)]
    deadline: DeadlineArg,
}

pub async fn run(args: Args, context: &Context) -> Result<u8, CliError> {
    let (messages, as_json) = (context.messages, context.json);
    let connection = &context.connect().await?;
    let input = Input::of_this_process();
    let (requests, outgoing) = mpsc::channel(TYPE_AHEAD);
    let waiting: Queue = Arc::default();

    let deadline = Deadline::start(args.deadline);
    let mut request = connection.streaming(ReceiverStream::new(outgoing));
    if let Some(deadline) = &deadline {
        deadline.apply(&mut request);
    }
    let explain = |error: CliError| match &deadline {
        Some(deadline) => deadline.explain(&connection.url, error),
        None => error,
    };
    let mut replies = connection
        .answered(connection.client().convert_session(request))
        .await
        .map_err(explain)?;

    let reader = Reader {
        messages,
        as_json,
        at: args.at.map(Into::into),
        waiting: Arc::clone(&waiting),
        numbers: Numbers::default(),
        refused_at_once: false,
    };
    // The editor waits for each reply before its next prompt: told here,
    // once the reply is printed.
    let (printed, replies_printed) = std::sync::mpsc::channel::<()>();
    // Put back however the session ends, even while a line is edited.
    let _modes = matches!(input, Input::Edited(_)).then(TerminalModes::save);
    let prompted = matches!(input, Input::Prompted);
    // Only the editor listens: the plain readers drop the receiving end at
    // once, so the replies' `send` below fails instead of queueing a
    // message per reply for nobody.
    let typing = match input {
        Input::Piped => {
            drop(replies_printed);
            tokio::spawn(reader.read_plain(false, requests))
        }
        Input::Prompted => {
            drop(replies_printed);
            output::prompt(&format!("{}\n{PROMPT}", tr!(messages, "session-intro")))?;
            tokio::spawn(reader.read_plain(true, requests))
        }
        Input::Edited(editor) => {
            output::prompt(&format!("{}\n", tr!(messages, "session-intro")))?;
            tokio::task::spawn_blocking(move || reader.read_edited(*editor, &requests, &replies_printed))
        }
    };

    let mut refused = false;
    while let Some(reply) = next_reply(&mut replies, deadline.as_ref())
        .await
        .map_err(|status| explain(connection.failed(status)))?
    {
        let mut queue = lock(&waiting);
        refused |= print_refused_lines(messages, as_json, &mut queue)?;
        let numbers = match queue.pop_front() {
            Some(Waiting::Sent(numbers)) => numbers,
            _ => Numbers::default(),
        };
        refused |= print_reply(messages, as_json, numbers, &reply)?;
        refused |= print_refused_lines(messages, as_json, &mut queue)?;
        if prompted {
            output::prompt(PROMPT)?;
        }
        // Nobody listens once the editor has finished: nothing to tell.
        let _ = printed.send(());
    }
    // The server ended the call: input is closed too, so this is immediate.
    let refused_at_once = typing.await.unwrap_or(Ok(false))?;
    refused |= refused_at_once | print_refused_lines(messages, as_json, &mut lock(&waiting))?;
    if prompted {
        // End the prompt line that Ctrl-D left open (the editor ends its
        // own lines).
        output::prompt("\n")?;
    }
    Ok(if refused { exit::REJECTED } else { exit::SUCCESS })
}

/// The next reply, or the status the session ended with; when `deadline`
/// passes (and the server has not ended the call for it), the status the
/// server should have sent.
async fn next_reply(
    replies: &mut Streaming<SessionReply>,
    deadline: Option<&Deadline>,
) -> Result<Option<SessionReply>, Status> {
    match deadline {
        Some(deadline) => tokio::select! {
            reply = replies.message() => reply,
            status = deadline.expired() => Err(status),
        },
        None => replies.message().await,
    }
}

/// The terminal's modes when the session started, put back when it ends.
///
/// The editor switches the terminal to raw mode while a line is edited and
/// back after it; but when the session ends in the middle of an edit (the
/// server went away), the process exits with the editor's thread still
/// reading, and the shell would get a terminal that neither echoes nor
/// reads lines. Dropping this puts the modes back first.
struct TerminalModes {
    #[cfg(unix)]
    saved: Option<nix::sys::termios::Termios>,
}

impl TerminalModes {
    fn save() -> Self {
        Self {
            #[cfg(unix)]
            saved: nix::sys::termios::tcgetattr(std::io::stdin()).ok(),
        }
    }
}

impl Drop for TerminalModes {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(modes) = &self.saved {
            use nix::sys::termios::{SetArg, tcsetattr};
            // Best effort: a terminal that went away needs nothing back.
            let _ = tcsetattr(std::io::stdin(), SetArg::TCSADRAIN, modes);
        }
    }
}

/// Prints the locally refused requests at the front of the queue; returns
/// whether there were any.
fn print_refused_lines(
    messages: &Messages,
    as_json: bool,
    queue: &mut VecDeque<Waiting>,
) -> Result<bool, CliError> {
    let mut any = false;
    while let Some(Waiting::Refused(numbers)) = queue.front() {
        print_bad_line(messages, as_json, *numbers)?;
        queue.pop_front();
        any = true;
    }
    Ok(any)
}

/// The stable `code` of a line refused without asking the server, for
/// scripts (the message is in the user's language); also its `reason`, of
/// domain `bank.cli`, as a rejected item's `reason` is the server's.
const MALFORMED_LINE: &str = "MALFORMED_LINE";

fn print_bad_line(messages: &Messages, as_json: bool, numbers: Numbers) -> Result<(), CliError> {
    let reason = tr!(messages, "session-bad-line");
    if as_json {
        output::json(&json!({
            "line": numbers.line,
            "error": {
                "code": MALFORMED_LINE,
                "reason": MALFORMED_LINE,
                "domain": report::CLI_DOMAIN,
                "message": reason,
            },
        }))
    } else {
        output::line(tr!(
            messages,
            "session-error",
            request = numbers.request,
            reason = reason
        ))
    }
}

/// The reading half: numbers the lines, answers malformed ones, and turns
/// the others into requests.
struct Reader {
    messages: &'static Messages,
    as_json: bool,
    /// `--at`: the instant every request is priced at.
    at: Option<prost_types::Timestamp>,
    waiting: Queue,
    /// The last line read, and the last request it made.
    numbers: Numbers,
    /// Whether a malformed line was answered at once, not through the
    /// queue (the queue's answers are counted as they are printed).
    refused_at_once: bool,
}

/// What a line of input leads to.
enum Step {
    /// Nothing to send: read the next line.
    Next,
    /// `quit`: no more lines.
    Stop,
    /// A request for the server.
    Send(ConvertRequest),
}

impl Reader {
    fn take(&mut self, text: &str) -> Result<Step, CliError> {
        self.numbers.line += 1;
        let (amount, from, to, id) = match parse_line(text) {
            Parsed::Nothing => return Ok(Step::Next),
            Parsed::Quit => return Ok(Step::Stop),
            Parsed::Conversion { amount, from, to, id } => (amount, from, to, id),
            Parsed::Malformed => {
                self.numbers.request += 1;
                let mut queue = lock(&self.waiting);
                if queue.is_empty() {
                    // Nothing is waiting: answer at once (the lock keeps
                    // replies from being printed in between).
                    print_bad_line(self.messages, self.as_json, self.numbers)?;
                    self.refused_at_once = true;
                } else {
                    queue.push_back(Waiting::Refused(self.numbers));
                }
                return Ok(Step::Next);
            }
        };
        self.numbers.request += 1;
        lock(&self.waiting).push_back(Waiting::Sent(self.numbers));
        Ok(Step::Send(ConvertRequest {
            amount: format::amount_input(self.messages.lang(), &amount),
            from_currency: format::code_input(from),
            to_currency: format::code_input(to),
            request_id: id.to_owned(),
            at: self.at,
        }))
    }

    /// Reads standard input as it comes (a pipe, a file, a dumb terminal)
    /// until its end or `quit`; returns whether a malformed line was
    /// answered at once. `prompted`: a `> ` prompt whenever nothing is
    /// waiting for an answer (the replies' side prompts after those).
    async fn read_plain(
        mut self,
        prompted: bool,
        requests: mpsc::Sender<ConvertRequest>,
    ) -> Result<bool, CliError> {
        let mut lines = BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(text)) = lines.next_line().await {
            match self.take(&text)? {
                Step::Next => {
                    if prompted && lock(&self.waiting).is_empty() {
                        output::prompt(PROMPT)?;
                    }
                }
                Step::Stop => break,
                Step::Send(request) => {
                    if requests.send(request).await.is_err() {
                        break;
                    }
                }
            }
        }
        Ok(self.refused_at_once)
    }

    /// Reads lines from the editor, on a blocking thread, until Ctrl-D on
    /// an empty line or `quit`; after sending a request, waits until its
    /// reply is `printed` before the next prompt. Ctrl-C ends the session
    /// as interrupted.
    fn read_edited(
        mut self,
        mut editor: DefaultEditor,
        requests: &mpsc::Sender<ConvertRequest>,
        printed: &std::sync::mpsc::Receiver<()>,
    ) -> Result<bool, CliError> {
        loop {
            let text = match editor.readline(PROMPT) {
                Ok(text) => text,
                Err(rustyline::error::ReadlineError::Interrupted) => return Err(CliError::Interrupted),
                // Ctrl-D, or a terminal that can no longer be read.
                Err(_) => break,
            };
            match self.take(&text)? {
                Step::Next => {}
                Step::Stop => break,
                Step::Send(request) => {
                    // The replies' side is gone: so is the session.
                    if requests.blocking_send(request).is_err() || printed.recv().is_err() {
                        break;
                    }
                }
            }
        }
        Ok(self.refused_at_once)
    }
}

/// What one input line says.
#[derive(Debug, PartialEq, Eq)]
enum Parsed<'a> {
    /// A blank line or a comment.
    Nothing,
    /// `quit`, `exit` or `quitter`.
    Quit,
    Conversion {
        amount: String,
        from: &'a str,
        to: &'a str,
        id: &'a str,
    },
    Malformed,
}

/// Reads `AMOUNT FROM TO [ID]`, a comment (`# ...`), a blank line or a
/// word that ends the session. The amount may take several words: French
/// writes `1 234,50` with spaces between digit groups, so every word
/// before the currencies made only of digits, commas and points is part
/// of it (whether the groups make a number is [`format::amount_input`]'s
/// business, then the server's).
fn parse_line(text: &str) -> Parsed<'_> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words[..] {
        [] => return Parsed::Nothing,
        [first, ..] if first.starts_with('#') => return Parsed::Nothing,
        [word] if QUIT_WORDS.iter().any(|quit| word.eq_ignore_ascii_case(quit)) => {
            return Parsed::Quit;
        }
        _ => {}
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
/// {...}}` or `{"line":3,"error":{...}}`.
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
    numbers: Numbers,
    reply: &SessionReply,
) -> Result<bool, CliError> {
    let lang = messages.lang();
    let Numbers { request, line } = numbers;
    match &reply.outcome {
        Some(outcome @ Outcome::Conversion(conversion)) => {
            if as_json {
                output::json(&Answer { line, outcome })?;
            } else {
                output::line(tr!(
                    messages,
                    "session-reply",
                    request = request,
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
                    request = request,
                    reason = phrasing::item(messages, error)
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
        assert_eq!(parse_line("hello"), Parsed::Malformed);
        assert_eq!(parse_line("1 234 USD"), Parsed::Malformed);
        assert_eq!(parse_line("1 USD EUR id extra"), Parsed::Malformed);
    }

    #[test]
    fn blank_lines_and_comments_say_nothing_and_a_quit_word_alone_ends() {
        for nothing in ["", "   ", "# a note", "  #100 USD EUR", "#"] {
            assert_eq!(parse_line(nothing), Parsed::Nothing, "{nothing:?}");
        }
        for quit in ["quit", " EXIT ", "Quitter"] {
            assert_eq!(parse_line(quit), Parsed::Quit, "{quit:?}");
        }
        assert_eq!(parse_line("quit now"), Parsed::Malformed);
        assert_eq!(
            parse_line("1 USD EUR quit"),
            conversion("1", "USD", "EUR", "quit")
        );
    }
}
