//! `bank tour`: the four gRPC models, explained and shown live.
//!
//! For each model: what it is and when to choose it, the RPC as written in
//! `proto/bank/v1/bank.proto`, then a real call drawn as a timeline (one
//! arrow per message, with its time since the call started), and "what you
//! just saw": how many messages went each way and what each weighed in
//! protobuf against the same data in compact JSON.
//!
//! Without `--server` the tour starts its own Bank Service in this process
//! on a free loopback port (with a quick 250 ms tick so the feed moves), and
//! stops it at the end: a newcomer needs one command and nothing else.
//!
//! Everything is wrapped to the terminal's width (80 columns in a pipe):
//! prose between words, messages between JSON values, and a long text value
//! between its words, so every message is shown whole and nothing runs off
//! the screen.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bank_i18n::Messages;
use bank_i18n::tr;
use bank_proto::v1::{ConvertRequest, StreamRatesRequest};
use bank_server::{BankServer, Config, ServerError};
use prost::Message;
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_stream::wrappers::ReceiverStream;

use crate::connect::Connection;
use crate::context::Context;
use crate::error::{CliError, exit};
use crate::{format, output};

/// The contract, to quote each RPC exactly as the proto writes it.
const PROTO: &str = include_str!("../../proto/bank/v1/bank.proto");

/// Tick of the embedded server: fast enough that four feed updates take
/// about a second, slow enough to read.
const EMBEDDED_TICK_MS: u64 = 250;

/// Pause between the requests of the batch, so that the stream of
/// requests is visible in the timeline.
const STEP: Duration = Duration::from_millis(150);

/// Requests the session keeps unanswered: two, so the timeline shows a
/// request going out before the previous one is answered.
const IN_FLIGHT: usize = 2;

/// Width when neither `COLUMNS` nor the terminal says otherwise (a pipe).
const DEFAULT_WIDTH: usize = 80;

/// Narrowest width the tour wraps to: below it, a line would hold too
/// little to read.
const MIN_WIDTH: usize = 40;

/// From this width on, a message's JSON starts on its arrow's line, beside
/// the longest header (53 columns) with 67 columns to spare; narrower, it
/// starts on the next line, under the arrow, where it has more room.
const JSON_BESIDE_FROM: usize = 120;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show only this model.
    #[arg(long, value_enum)]
    model: Option<Model>,
    /// Do not wait for Enter between models.
    #[arg(long)]
    no_pause: bool,
}

/// The four gRPC models, as `bank tour --model` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Model {
    Unary,
    ServerStreaming,
    ClientStreaming,
    Bidi,
}

/// Runs the tour against `--server`, or against a server of its own when
/// there is none (the context's target then only says how to connect:
/// TLS, token, timeout).
pub async fn run(args: Args, context: &Context) -> Result<u8, CliError> {
    let messages = context.messages;
    let embedded = match &context.server {
        Some(_) => None,
        None => Some(Embedded::start().await.map_err(|error| CliError::Runtime {
            detail: error.to_string(),
        })?),
    };
    let url = match (&context.server, &embedded) {
        (Some(url), _) => url.clone(),
        (None, Some(embedded)) => format!("http://{}", embedded.addr),
        (None, None) => crate::connect::DEFAULT_SERVER.to_owned(),
    };
    let connection = Connection::open(&context.target.at(url.clone())).await?;
    let pause = !args.no_pause && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let width = terminal_width();
    // The feed's pace is known only for the embedded server.
    let tick_ms = embedded.as_ref().map(|_| EMBEDDED_TICK_MS);

    say(width, 0, &tr!(messages, "tour-title"))?;
    say(
        width,
        0,
        &match &embedded {
            Some(embedded) => tr!(messages, "tour-embedded", addr = embedded.addr.to_string()),
            None => tr!(messages, "tour-external", url = url),
        },
    )?;

    let models = match args.model {
        Some(model) => vec![model],
        None => vec![
            Model::Unary,
            Model::ServerStreaming,
            Model::ClientStreaming,
            Model::Bidi,
        ],
    };
    for (position, model) in models.iter().enumerate() {
        let chapter = Chapter::of(*model);
        output::line("")?;
        output::line(tr!(
            messages,
            "tour-heading",
            number = position + 1,
            total = models.len(),
            name = messages.format(chapter.name_id, &[])
        ))?;
        output::line("")?;
        for id in chapter.text_ids {
            say(width, 0, &messages.format(id, &[]))?;
        }
        if *model == Model::ServerStreaming {
            say(
                width,
                0,
                &match tick_ms {
                    Some(tick_ms) => tr!(messages, "tour-server-streaming-ticks", tick_ms = tick_ms),
                    None => tr!(messages, "tour-server-streaming-ticks-unknown"),
                },
            )?;
        }
        output::line("")?;
        output::line(tr!(messages, "tour-signature"))?;
        output::line(format!("    {}", rpc_line(chapter.rpc)))?;
        output::line("")?;
        say(width, 0, &tr!(messages, "tour-live"))?;
        let mut timeline = Timeline::new(messages, width);
        match model {
            Model::Unary => unary(&connection, &mut timeline).await?,
            Model::ServerStreaming => server_streaming(&connection, &mut timeline, tick_ms).await?,
            Model::ClientStreaming => client_streaming(&connection, &mut timeline).await?,
            Model::Bidi => bidi(&connection, &mut timeline).await?,
        }
        // What "compact JSON" means is said once, at the first comparison.
        timeline.summarize(chapter.shape_id, position == 0)?;
        say(width, 0, &tr!(messages, "tour-code", file = chapter.file))?;
        if pause && position + 1 < models.len() {
            wait_for_enter(messages).await?;
        }
    }
    output::line("")?;
    match models.as_slice() {
        // A tour of one model says so, and where to try that one.
        [model] => {
            let chapter = Chapter::of(*model);
            say(
                width,
                0,
                &tr!(
                    messages,
                    "tour-done-one",
                    name = messages.format(chapter.name_id, &[]),
                    command = chapter.command
                ),
            )?;
        }
        _ => say(width, 0, &tr!(messages, "tour-done"))?,
    }

    if let Some(embedded) = embedded {
        embedded.stop().await;
    }
    Ok(exit::SUCCESS)
}

/// What the tour says about one model.
struct Chapter {
    name_id: &'static str,
    text_ids: [&'static str; 3],
    shape_id: &'static str,
    rpc: &'static str,
    file: &'static str,
    /// The `bank` command that makes this model's call.
    command: &'static str,
}

impl Chapter {
    fn of(model: Model) -> Chapter {
        match model {
            Model::Unary => Chapter {
                name_id: "tour-unary-name",
                text_ids: ["tour-unary-what", "tour-unary-when", "tour-unary-example"],
                shape_id: "tour-unary-shape",
                rpc: "Convert",
                file: "server/service/unary.rs",
                command: "bank convert",
            },
            Model::ServerStreaming => Chapter {
                name_id: "tour-server-streaming-name",
                text_ids: [
                    "tour-server-streaming-what",
                    "tour-server-streaming-when",
                    "tour-server-streaming-example",
                ],
                shape_id: "tour-server-streaming-shape",
                rpc: "StreamRates",
                file: "server/service/server_streaming.rs",
                command: "bank rates",
            },
            Model::ClientStreaming => Chapter {
                name_id: "tour-client-streaming-name",
                text_ids: [
                    "tour-client-streaming-what",
                    "tour-client-streaming-when",
                    "tour-client-streaming-example",
                ],
                shape_id: "tour-client-streaming-shape",
                rpc: "ConvertBatch",
                file: "server/service/client_streaming.rs",
                command: "bank batch",
            },
            Model::Bidi => Chapter {
                name_id: "tour-bidi-name",
                text_ids: ["tour-bidi-what", "tour-bidi-when", "tour-bidi-example"],
                shape_id: "tour-bidi-shape",
                rpc: "ConvertSession",
                file: "server/service/bidi.rs",
                command: "bank session",
            },
        }
    }
}

/// The `rpc` line of the proto for `name`.
fn rpc_line(name: &str) -> String {
    let needle = format!("rpc {name}(");
    PROTO
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with(&needle))
        .unwrap_or(&needle)
        .to_owned()
}

/// The messages of one call, drawn as they happen and weighed at the end.
struct Timeline {
    messages: &'static Messages,
    /// Columns to wrap to.
    width: usize,
    started: Instant,
    sent: usize,
    received: usize,
    /// `(message type, protobuf bytes, JSON bytes)` of every message.
    sizes: Vec<(&'static str, usize, usize)>,
}

impl Timeline {
    fn new(messages: &'static Messages, width: usize) -> Self {
        Self {
            messages,
            width,
            started: Instant::now(),
            sent: 0,
            received: 0,
            sizes: Vec::new(),
        }
    }

    fn client_sent(
        &mut self,
        name: &'static str,
        message: &(impl Message + Serialize),
    ) -> Result<(), CliError> {
        self.sent += 1;
        self.draw(tr!(self.messages, "tour-arrow-client"), name, message)
    }

    fn server_sent(
        &mut self,
        name: &'static str,
        message: &(impl Message + Serialize),
    ) -> Result<(), CliError> {
        self.received += 1;
        self.draw(tr!(self.messages, "tour-arrow-server"), name, message)
    }

    /// One message on the timeline: when, which way, its name, and the
    /// message itself as JSON (its size on the wire beside its size as
    /// text is the tour's closing lesson).
    fn draw(
        &mut self,
        arrow: String,
        name: &'static str,
        message: &(impl Message + Serialize),
    ) -> Result<(), CliError> {
        // Plain data always serializes.
        let text = serde_json::to_string(message).unwrap_or_default();
        self.sizes.push((name, message.encoded_len(), text.len()));
        let elapsed = self.started.elapsed();
        let millis = format!("{}.{}", elapsed.as_millis(), (elapsed.as_micros() % 1_000) / 100);
        let time = format!("  {:>9} ms  ", format::decimal(self.messages.lang(), &millis));
        let header = format!("{time}{arrow}  {name}");
        let (first, indent) = if self.width >= JSON_BESIDE_FROM {
            (header.clone() + " ", header.chars().count() + 1)
        } else {
            output::line(&header)?;
            (" ".repeat(time.chars().count()), time.chars().count())
        };
        let continuation = " ".repeat(indent);
        for (position, piece) in wrap_json(&text, self.width - indent).iter().enumerate() {
            let prefix = if position == 0 { &first } else { &continuation };
            output::line(format!("{prefix}{piece}"))?;
        }
        Ok(())
    }

    /// "What you just saw"; `explain_json` adds what the JSON column is.
    fn summarize(&self, shape_id: &str, explain_json: bool) -> Result<(), CliError> {
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

/// Columns to fill: `COLUMNS` when set (the convention `ls` and others
/// follow), else the terminal's width, else [`DEFAULT_WIDTH`].
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.trim().parse::<usize>().ok())
        .filter(|&columns| columns > 0)
        .or_else(|| {
            console::Term::stdout()
                .size_checked()
                .map(|(_, columns)| usize::from(columns))
        })
        .unwrap_or(DEFAULT_WIDTH)
        .max(MIN_WIDTH)
}

/// Writes prose, `indent` columns in, wrapped between words to `width`.
fn say(width: usize, indent: usize, text: &str) -> Result<(), CliError> {
    let margin = " ".repeat(indent);
    for line in fill(words(text), width - indent) {
        output::line(format!("{margin}{line}"))?;
    }
    Ok(())
}

/// The pieces text may be cut between: each word with the space after it.
/// A cut never puts French punctuation (` :`, ` ;`, ` »`, ` %`...) at the
/// start of a line, nor parts a number from the word after it (`250 ms`).
fn words(text: &str) -> Vec<&str> {
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

fn request(amount: &str, from: &str, to: &str, id: &str) -> ConvertRequest {
    ConvertRequest {
        amount: amount.to_owned(),
        from_currency: from.to_owned(),
        to_currency: to.to_owned(),
        request_id: id.to_owned(),
        at: None,
    }
}

/// One request, one response.
async fn unary(connection: &Connection, timeline: &mut Timeline) -> Result<(), CliError> {
    let message = request("100", "USD", "EUR", "tour-1");
    timeline.client_sent("ConvertRequest", &message)?;
    let response = connection
        .call_unary(message, |mut client, request| async move {
            client.convert(request).await
        })
        .await?;
    timeline.server_sent("ConvertResponse", &response)
}

/// One request, then a stream of updates.
async fn server_streaming(
    connection: &Connection,
    timeline: &mut Timeline,
    tick_ms: Option<u64>,
) -> Result<(), CliError> {
    let pairs = vec!["EUR/USD".to_owned(), "EUR/XOF".to_owned()];
    let message = StreamRatesRequest {
        pairs: pairs.clone(),
        max_updates: 4,
        from_sequence: 0,
    };
    let last = follow(connection, timeline, message).await?;

    // The lesson the public tutorials skip: gRPC does not resume a broken
    // stream, the protocol has to. The feed is cut, ticks go by, and the
    // client asks to start again after the last tick it saw.
    let (messages, width) = (timeline.messages, timeline.width);
    output::line("")?;
    say(width, 0, &tr!(messages, "tour-resume-cut", last = last))?;
    tokio::time::sleep(Duration::from_millis(
        RESUME_AFTER_TICKS * tick_ms.unwrap_or(1_000),
    ))
    .await;
    let message = StreamRatesRequest {
        pairs,
        max_updates: RESUMED_UPDATES,
        from_sequence: last + 1,
    };
    let resumed_last = follow(connection, timeline, message).await?;
    say(
        width,
        0,
        &tr!(
            messages,
            "tour-resume-none-lost",
            from = last + 1,
            to = resumed_last
        ),
    )?;
    Ok(())
}

/// Ticks that go by while the tour's feed is cut.
const RESUME_AFTER_TICKS: u64 = 2;

/// Updates the resumed feed shows: the missed ticks and one more.
const RESUMED_UPDATES: u32 = 3;

/// Opens a feed and shows its updates until it ends; the last sequence.
async fn follow(
    connection: &Connection,
    timeline: &mut Timeline,
    message: StreamRatesRequest,
) -> Result<u64, CliError> {
    timeline.client_sent("StreamRatesRequest", &message)?;
    let mut updates = connection
        .client()
        .stream_rates(connection.streaming(message))
        .await
        .map_err(|status| connection.failed(status))?
        .into_inner();
    let mut last = 0;
    while let Some(update) = updates
        .message()
        .await
        .map_err(|status| connection.failed(status))?
    {
        last = update.sequence;
        timeline.server_sent("RateUpdate", &update)?;
    }
    Ok(last)
}

/// A stream of requests, then one summary.
async fn client_streaming(connection: &Connection, timeline: &mut Timeline) -> Result<(), CliError> {
    let items = [
        request("100", "EUR", "XOF", "invoice-1"),
        request("2500", "MAD", "EUR", "invoice-2"),
        request("0", "USD", "EUR", "invoice-3"),
        request("12000", "JPY", "EUR", "invoice-4"),
        request("75.50", "CHF", "EUR", "invoice-5"),
    ];
    let (sender, stream) = mpsc::channel(items.len());
    let mut client = connection.client();
    let call = tokio::spawn({
        let request = connection.streaming(ReceiverStream::new(stream));
        async move { client.convert_batch(request).await }
    });
    for (position, item) in items.into_iter().enumerate() {
        // Between sends, not before the first: the first request goes out
        // as soon as the call starts.
        if position > 0 {
            tokio::time::sleep(STEP).await;
        }
        timeline.client_sent("ConvertRequest", &item)?;
        if sender.send(item).await.is_err() {
            break;
        }
    }
    // Closing our side is what tells the server the batch is complete.
    drop(sender);
    let summary = match call.await {
        Ok(Ok(response)) => response.into_inner(),
        Ok(Err(status)) => return Err(connection.failed(status)),
        Err(_) => return Err(CliError::Interrupted),
    };
    timeline.server_sent("BatchSummary", &summary)
}

/// Requests and replies interleaved on one call. The client keeps
/// [`IN_FLIGHT`] requests unanswered: it opens with that many, then sends the
/// next one as each reply arrives. Every send follows a reply, so the
/// timeline comes out in the same order on every run, and the server never
/// has more than two requests waiting.
async fn bidi(connection: &Connection, timeline: &mut Timeline) -> Result<(), CliError> {
    let mut pending = vec![
        request("20", "EUR", "USD", "till-1"),
        request("5000", "XOF", "EUR", "till-2"),
        request("12,5", "CAD", "EUR", "till-3"),
        request("300", "TND", "EUR", "till-4"),
    ]
    .into_iter();
    let (sender, stream) = mpsc::channel(IN_FLIGHT);
    let mut replies = connection
        .client()
        .convert_session(connection.streaming(ReceiverStream::new(stream)))
        .await
        .map_err(|status| connection.failed(status))?
        .into_inner();
    let mut sender = Some(sender);
    for _ in 0..IN_FLIGHT {
        send_next(&mut pending, &mut sender, timeline).await?;
    }
    while let Some(reply) = replies
        .message()
        .await
        .map_err(|status| connection.failed(status))?
    {
        timeline.server_sent("SessionReply", &reply)?;
        send_next(&mut pending, &mut sender, timeline).await?;
    }
    Ok(())
}

/// Sends the next request of the session, or, once all are sent, closes our
/// side: the server then ends the session after its last reply.
async fn send_next(
    pending: &mut impl Iterator<Item = ConvertRequest>,
    sender: &mut Option<mpsc::Sender<ConvertRequest>>,
    timeline: &mut Timeline,
) -> Result<(), CliError> {
    let Some(to_server) = sender.as_ref() else {
        return Ok(());
    };
    match pending.next() {
        Some(item) => {
            timeline.client_sent("ConvertRequest", &item)?;
            if to_server.send(item).await.is_err() {
                // The session is over; its end status comes with the replies.
                *sender = None;
            }
        }
        None => *sender = None,
    }
    Ok(())
}

async fn wait_for_enter(messages: &Messages) -> Result<(), CliError> {
    output::raw(&format!("\n{} ", tr!(messages, "tour-pause")))?;
    let _ = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)
    })
    .await;
    Ok(())
}

/// A Bank Service running inside this process for the tour.
struct Embedded {
    addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<Result<(), ServerError>>,
}

impl Embedded {
    async fn start() -> Result<Self, ServerError> {
        let mut config = Config::with_seed(rand::random());
        config.tick_ms = EMBEDDED_TICK_MS;
        config.grace_period = Duration::from_secs(1);
        let server = BankServer::bind(SocketAddr::from(([127, 0, 0, 1], 0)), config).await?;
        let addr = server.local_addr()?;
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async {
            let _ = stop.await;
        }));
        Ok(Self { addr, shutdown, task })
    }

    async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
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
}
