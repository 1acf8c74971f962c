//! A call drawn as it happens: one line per moment, with its time since the
//! call started.
//!
//! The moments are of two kinds. Messages are drawn by the chapter that
//! sends or receives them ([`Timeline::client_sent`],
//! [`Timeline::server_sent`]), as JSON. What HTTP/2 carries around them (the
//! opening metadata, the half-close, the response headers, the trailers, a
//! reset) comes from the wire tap ([`super::wire`]): before each message it
//! draws, and when the chapter calls [`Timeline::wire`], the timeline
//! drains the tap's log, so each moment appears in the order it happened,
//! with its own time.
//!
//! Everything is wrapped to the terminal's width: prose between words,
//! messages between JSON values, and a long text value between its words,
//! so every message is shown whole and nothing runs off the screen.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bank_i18n::tr;
use bank_i18n::{Lang, Messages};
use bank_proto::v1::bank_service_client::BankServiceClient;
use prost::Message;
use serde::Serialize;
use tonic::Status;
use tonic_types::StatusExt;

use super::wire::{self, Tap, WireEvent, WireLog};
use crate::connect::Connection;
use crate::error::CliError;
use crate::{format, output};

/// From this width on, a message's JSON starts on its arrow's line, beside
/// the longest header (53 columns) with 67 columns to spare; narrower, it
/// starts on the next line, under the arrow, where it has more room.
const JSON_BESIDE_FROM: usize = 120;

/// A message the chapter sent or received, waiting for the wire tap to say
/// when it went by.
struct Queued {
    name: &'static str,
    json: String,
}

/// The moments of one chapter's calls, drawn as they happen; the messages
/// weighed at the end.
pub struct Timeline {
    pub messages: &'static Messages,
    /// Columns to wrap to.
    pub width: usize,
    /// Time zero of the lines drawn: the start of the current call.
    started: Instant,
    sent: usize,
    received: usize,
    /// `(message type, protobuf bytes, JSON bytes)` of every message.
    sizes: Vec<(&'static str, usize, usize)>,
    /// Where the wire tap notes what it sees.
    log: Arc<WireLog>,
    /// Events taken from the log and not drawn yet: a message's event waits
    /// here until the chapter has handed over the message itself.
    backlog: VecDeque<(Instant, WireEvent)>,
    /// Messages handed over by the chapter, in order, each drawn at the
    /// time of the matching event.
    from_client: VecDeque<Queued>,
    from_server: VecDeque<Queued>,
}

impl Timeline {
    pub fn new(messages: &'static Messages, width: usize) -> Self {
        Self {
            messages,
            width,
            started: Instant::now(),
            sent: 0,
            received: 0,
            sizes: Vec::new(),
            log: WireLog::drawn(),
            backlog: VecDeque::new(),
            from_client: VecDeque::new(),
            from_server: VecDeque::new(),
        }
    }

    /// A client whose calls this timeline draws, on `connection`'s next
    /// endpoint. Times count from now: make the client just before its call.
    pub fn client(&mut self, connection: &Connection) -> BankServiceClient<Tap> {
        self.started = Instant::now();
        let client = wire::client(connection.channel(), &self.log);
        match connection.compression() {
            Some(encoding) => client.send_compressed(encoding).accept_compressed(encoding),
            None => client,
        }
    }

    /// The chapter is about to send `message`: it is drawn when it goes by.
    pub fn client_sent(
        &mut self,
        name: &'static str,
        message: &(impl Message + Serialize),
    ) -> Result<(), CliError> {
        self.sent += 1;
        let queued = self.weigh(name, message);
        self.from_client.push_back(queued);
        self.draw_ready(false)
    }

    /// The chapter received `message`: it is drawn at the time it arrived.
    pub fn server_sent(
        &mut self,
        name: &'static str,
        message: &(impl Message + Serialize),
    ) -> Result<(), CliError> {
        self.received += 1;
        let queued = self.weigh(name, message);
        self.from_server.push_back(queued);
        self.draw_ready(false)
    }

    /// A moment that is neither a message nor a frame: what the client does
    /// (stops reading, waits), at the time it does it.
    pub fn mark(&mut self, text: &str) -> Result<(), CliError> {
        self.draw_ready(false)?;
        let time = self.time(Instant::now());
        self.lines(&time, text, &[])
    }

    /// Draws all that is left of the calls so far: call it once a call is
    /// over. A message that arrived but was never read (a cancelled feed's
    /// last updates) is drawn as such.
    pub fn wire(&mut self) -> Result<(), CliError> {
        self.draw_ready(true)
    }

    /// Notes a message's sizes; its JSON, to draw.
    fn weigh(&mut self, name: &'static str, message: &(impl Message + Serialize)) -> Queued {
        // Plain data always serializes.
        let json = serde_json::to_string(message).unwrap_or_default();
        self.sizes.push((name, message.encoded_len(), json.len()));
        Queued { name, json }
    }

    /// Draws the events noted so far, in order, as far as it can: a
    /// message's event waits for the chapter to hand over the message,
    /// unless `all`.
    fn draw_ready(&mut self, all: bool) -> Result<(), CliError> {
        self.backlog.extend(self.log.drain());
        while let Some((at, event)) = self.backlog.pop_front() {
            if let WireEvent::Message { from_client } = event {
                let queue = if from_client {
                    &mut self.from_client
                } else {
                    &mut self.from_server
                };
                match queue.pop_front() {
                    Some(queued) => self.draw_message(at, from_client, &queued)?,
                    None if all => {
                        let time = self.time(at);
                        let label = self.arrow(from_client) + "  " + &tr!(self.messages, "tour-wire-unread");
                        self.lines(&time, &label, &[])?;
                    }
                    None => {
                        self.backlog.push_front((at, event));
                        break;
                    }
                }
            } else {
                self.draw_event(at, event)?;
            }
        }
        if all {
            // Handed over but never seen on the wire: the call ended first.
            let now = Instant::now();
            while let Some(queued) = self.from_client.pop_front() {
                self.draw_message(now, true, &queued)?;
            }
            while let Some(queued) = self.from_server.pop_front() {
                self.draw_message(now, false, &queued)?;
            }
        }
        Ok(())
    }

    fn arrow(&self, from_client: bool) -> String {
        if from_client {
            tr!(self.messages, "tour-arrow-client")
        } else {
            tr!(self.messages, "tour-arrow-server")
        }
    }

    /// One frame's moment: the opening, the half-close, the answer, the
    /// trailers, a reset.
    fn draw_event(&mut self, at: Instant, event: WireEvent) -> Result<(), CliError> {
        let messages = self.messages;
        let time = self.time(at);
        let client = self.arrow(true);
        let server = self.arrow(false);
        match event {
            WireEvent::Opened { path, metadata } => {
                let mut details = vec![format!(":path {path}")];
                for (name, value) in metadata {
                    details.push(if name == "user-agent" {
                        format!("{name}: {value} {}", tr!(messages, "tour-wire-user-agent"))
                    } else {
                        format!("{name}: {value}")
                    });
                }
                let label = tr!(messages, "tour-wire-opened");
                self.lines(&time, &format!("{client}  {label}"), &details)
            }
            WireEvent::HalfClosed => {
                let label = tr!(messages, "tour-wire-half-closed");
                self.lines(&time, &format!("{client}  {label}"), &[])
            }
            WireEvent::Answered { http_status } => {
                let label = tr!(messages, "tour-wire-answered", status = http_status);
                self.lines(&time, &format!("{server}  {label}"), &[])
            }
            WireEvent::Trailers {
                status,
                trailers_only,
            } => {
                let label = if trailers_only {
                    tr!(messages, "tour-wire-trailers-only")
                } else {
                    tr!(messages, "tour-wire-trailers")
                };
                let details = status_lines(&status);
                self.lines(&time, &format!("{server}  {label}"), &details)
            }
            WireEvent::Reset => {
                let label = tr!(messages, "tour-wire-reset");
                self.lines(&time, &format!("{client}  {label}"), &[])
            }
            // Messages are drawn with their JSON, by `draw_ready`.
            WireEvent::Message { .. } => Ok(()),
        }
    }

    /// `  123,4 ms  `: the time of `at` since the call started.
    fn time(&self, at: Instant) -> String {
        let elapsed = at.saturating_duration_since(self.started);
        format!("  {:>9} ms  ", millis(self.messages.lang(), elapsed))
    }

    /// A moment drawn as its time and `header`, then `details` one per line
    /// under it, each wrapped between words.
    fn lines(&self, time: &str, header: &str, details: &[String]) -> Result<(), CliError> {
        let indent = time.chars().count();
        let margin = " ".repeat(indent);
        for (position, line) in fill(words(header), self.width.saturating_sub(indent).max(1))
            .into_iter()
            .enumerate()
        {
            let prefix = if position == 0 { time } else { &margin };
            output::line(format!("{prefix}{line}"))?;
        }
        let detail_margin = " ".repeat(indent + 2);
        for detail in details {
            for line in fill(words(detail), self.width.saturating_sub(indent + 2).max(1)) {
                output::line(format!("{detail_margin}{line}"))?;
            }
        }
        Ok(())
    }

    /// One message on the timeline: when, which way, its name, and the
    /// message itself as JSON (its size on the wire beside its size as
    /// text is the models' closing lesson).
    fn draw_message(&mut self, at: Instant, from_client: bool, queued: &Queued) -> Result<(), CliError> {
        let time = self.time(at);
        let header = format!("{time}{}  {}", self.arrow(from_client), queued.name);
        let (first, indent) = if self.width >= JSON_BESIDE_FROM {
            (header.clone() + " ", header.chars().count() + 1)
        } else {
            output::line(&header)?;
            (" ".repeat(time.chars().count()), time.chars().count())
        };
        let continuation = " ".repeat(indent);
        for (position, piece) in wrap_json(&queued.json, self.width - indent).iter().enumerate() {
            let prefix = if position == 0 { &first } else { &continuation };
            output::line(format!("{prefix}{piece}"))?;
        }
        Ok(())
    }

    /// "What you just saw"; `explain_json` adds what the JSON column is.
    pub fn summarize(&self, shape_id: &str, explain_json: bool) -> Result<(), CliError> {
        let messages = self.messages;
        let width = self.width;
        output::line("")?;
        say(width, 0, &tr!(messages, "tour-seen"))?;
        say(width, 2, &messages.format(shape_id, &[]))?;
        say(
            width,
            2,
            &tr!(
                messages,
                "tour-seen-counts",
                sent = self.sent,
                received = self.received
            ),
        )?;
        let mut rows = vec![vec![
            format!("  {}", tr!(messages, "tour-size-message")),
            tr!(messages, "tour-size-protobuf"),
            tr!(messages, "tour-size-json"),
        ]];
        for (name, protobuf, json) in &self.sizes {
            rows.push(vec![format!("  {name}"), protobuf.to_string(), json.to_string()]);
        }
        for line in output::table(&rows) {
            output::line(line)?;
        }
        let protobuf: usize = self.sizes.iter().map(|(_, bytes, _)| bytes).sum();
        let json: usize = self.sizes.iter().map(|(_, _, bytes)| bytes).sum();
        let percent = (protobuf * 100).checked_div(json).unwrap_or(0);
        say(
            width,
            2,
            &tr!(
                messages,
                "tour-size-total",
                protobuf = protobuf,
                json = json,
                percent = percent
            ),
        )?;
        if explain_json {
            say(width, 2, &tr!(messages, "tour-size-json-note"))?;
        }
        Ok(())
    }
}

/// A call's end as the trailers say it: `grpc-status` with its name,
/// `grpc-message`, and the error details the server packed into
/// `grpc-status-details-bin`, decoded.
fn status_lines(status: &Status) -> Vec<String> {
    let mut lines = vec![format!(
        "grpc-status: {} ({})",
        status.code() as i32,
        bank_proto::code_name(status.code())
    )];
    if !status.message().is_empty() {
        lines.push(format!("grpc-message: {}", status.message()));
    }
    if let Some(info) = status.get_details_error_info() {
        lines.push(format!(
            "grpc-status-details-bin: ErrorInfo {{ reason: {}, domain: {} }}",
            info.reason, info.domain
        ));
    }
    if let Some(bad) = status.get_details_bad_request() {
        for violation in bad.field_violations {
            lines.push(format!(
                "grpc-status-details-bin: BadRequest {{ field: {} }}",
                violation.field
            ));
        }
    }
    lines
}

/// `elapsed` in milliseconds with one decimal, in `lang` (`1 234,5`).
pub fn millis(lang: Lang, elapsed: Duration) -> String {
    let micros = elapsed.as_micros();
    format::decimal(lang, &format!("{}.{}", micros / 1_000, (micros % 1_000) / 100))
}

/// Writes prose, `indent` columns in, wrapped between words to `width`.
pub fn say(width: usize, indent: usize, text: &str) -> Result<(), CliError> {
    let margin = " ".repeat(indent);
    for line in fill(words(text), width - indent) {
        output::line(format!("{margin}{line}"))?;
    }
    Ok(())
}

/// The pieces text may be cut between: each word with the space after it.
/// Only an ASCII space is a place to cut: French text holds its
/// punctuation (` :`, ` ;`, ` »`) and its units (`250 ms`, `32 %`) with
/// no-break spaces. For text that does not, a cut still never puts such
/// punctuation at the start of a line, nor parts a number from the word
/// after it.
pub fn words(text: &str) -> Vec<&str> {
    let mut words: Vec<&str> = Vec::new();
    let mut word_start = 0;
    let mut start = 0;
    for piece in text.split_inclusive(' ') {
        let end = start + piece.len();
        let glued = words.last().is_some_and(|previous| {
            let previous = previous.trim_end();
            piece.starts_with([':', ';', '!', '?', '»', '%'])
                || previous == "«"
                || previous.chars().all(|c| c.is_ascii_digit())
        });
        if glued {
            words.pop();
        } else {
            word_start = start;
        }
        words.push(&text[word_start..end]);
        start = end;
    }
    words
}

/// Cuts JSON text into lines of at most `width` columns, between values:
/// only after a comma that separates values, never one inside a string. A
/// piece between two such commas that is wider than a line by itself (a
/// long text value) is cut between the words of its strings: compact JSON
/// has spaces only inside strings. Only a single word wider than a line is
/// left longer.
fn wrap_json(text: &str, width: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let mut in_string = false;
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        let end = at + c.len_utf8();
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        }
        if (!in_string && c == ',') || end == text.len() {
            let piece = &text[piece_start..end];
            if piece.chars().count() <= width {
                pieces.push(piece);
            } else {
                pieces.extend(words(piece));
            }
            piece_start = end;
        }
    }
    fill(pieces, width)
}

/// Puts `pieces` one after the other on lines of at most `width` columns,
/// starting a new line when the next piece would not fit; spaces at the end
/// of a line are dropped.
fn fill<'a>(pieces: impl IntoIterator<Item = &'a str>, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        let used = line.trim_end().chars().count();
        let needed = piece.trim_end().chars().count();
        if used > 0 && line.chars().count() + needed > width {
            lines.push(line.trim_end().to_owned());
            line.clear();
        }
        line.push_str(piece);
    }
    if !line.trim_end().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_cut_only_at_commas_between_values() {
        // The comma inside "x,y" and the one after the escaped quote are
        // text, not separators.
        let text = r#"{"a":"x,y","b":"say \"hi\", ok","c":1}"#;
        assert_eq!(
            wrap_json(text, 12),
            [r#"{"a":"x,y","#, r#""b":"say"#, r#"\"hi\", ok","#, r#""c":1}"#]
        );
        assert_eq!(wrap_json(text, 40), [text]);
        assert_eq!(
            wrap_json(text, 30),
            [r#"{"a":"x,y","#, r#""b":"say \"hi\", ok","c":1}"#]
        );
    }

    #[test]
    fn a_long_text_value_is_cut_between_its_words_and_nothing_runs_over() {
        let message = "amount : doit être un nombre décimal simple comme 100 ou 12.50 (des chiffres et au plus un point)";
        let text =
            serde_json::json!({ "error": { "index": 2, "code": "INVALID_ARGUMENT", "message": message } })
                .to_string();
        for width in [30, 40, 64] {
            let lines = wrap_json(&text, width);
            assert!(lines.len() > 1);
            for line in &lines {
                assert!(line.chars().count() <= width, "{line:?} is wider than {width}");
                // French punctuation stays with the word before it.
                assert!(!line.starts_with(':'), "{line:?}");
            }
            // Cut only at spaces, which the line ends drop.
            assert_eq!(lines.join(" ").replace(", ", ","), text.replace(", ", ","));
        }
    }

    #[test]
    fn prose_keeps_numbers_with_their_unit_and_punctuation_with_its_word() {
        assert_eq!(words("every 250 ms here"), ["every ", "250 ms ", "here"]);
        assert_eq!(
            words("l’appel (temps) : suite"),
            ["l’appel ", "(temps) : ", "suite"]
        );
        assert_eq!(
            words("soit 32 % de « 12,5 » ici"),
            ["soit ", "32 % ", "de ", "« 12,5 » ", "ici"]
        );
        assert_eq!(fill(words("one two three four"), 9), ["one two", "three", "four"]);
        assert_eq!(fill(words("unbreakable"), 4), ["unbreakable"]);
        assert_eq!(fill(words(""), 10), [""]);
    }

    #[test]
    fn no_break_spaces_are_never_cut() {
        assert_eq!(
            words("le taux\u{a0}: 1,05\u{202f}; fin"),
            ["le ", "taux\u{a0}: ", "1,05\u{202f}; ", "fin"]
        );
    }
}
