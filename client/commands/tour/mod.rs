//! `bank tour`: the four gRPC models, then the life of a call, explained and
//! shown live.
//!
//! For each model: what it is and when to choose it, the RPC as written in
//! `proto/bank/v1/bank.proto`, then a real call drawn as a timeline: the
//! opening metadata, one arrow per message, the client's half-close and the
//! server's trailers, each with its time since the call started
//! ([`timeline`], fed by the wire tap of [`wire`]); and "what you just saw":
//! how many messages went each way and what each weighed in protobuf
//! against the same data in compact JSON. The bidirectional chapter also
//! measures, on the spot, the same conversions as unary calls and as one
//! session ([`models`]).
//!
//! Then the lessons of how calls end and what streams promise
//! ([`lessons`]): a cancellation, a deadline, a status error against an
//! error inside a stream, a slow reader, a resumed feed; and a table to
//! choose a model by. `--model` shows any one chapter.
//!
//! Without `--server` the tour starts its own Bank Service in this process
//! ([`embedded`]) and stops it at the end: a newcomer needs one command and
//! nothing else.

mod embedded;
mod lessons;
mod models;
mod timeline;
mod wire;

use std::io::IsTerminal;

use bank_i18n::Messages;
use bank_i18n::tr;

use crate::connect::Connection;
use crate::context::Context;
use crate::error::{CliError, exit};
use crate::output;
use embedded::{EMBEDDED_TICK_MS, Embedded, ServerView};
use timeline::{Timeline, say};

/// The contract, to quote each RPC exactly as the proto writes it.
const PROTO: &str = include_str!("../../../proto/bank/v1/bank.proto");

/// Width when neither `COLUMNS` nor the terminal says otherwise (a pipe).
const DEFAULT_WIDTH: usize = 80;

/// Narrowest width the tour wraps to: below it, a line would hold too
/// little to read.
const MIN_WIDTH: usize = 40;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show only this chapter: one of the four models, or one lesson.
    #[arg(long, value_enum)]
    model: Option<Topic>,
    /// Do not wait for Enter between chapters.
    #[arg(long)]
    no_pause: bool,
}

/// The chapters, as `bank tour --model` names them: the four gRPC models,
/// then the lessons on how a call ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Topic {
    Unary,
    ServerStreaming,
    ClientStreaming,
    Bidi,
    Cancellation,
    Deadlines,
    Errors,
    SlowReader,
    Resume,
}

impl Topic {
    const ALL: [Topic; 9] = [
        Topic::Unary,
        Topic::ServerStreaming,
        Topic::ClientStreaming,
        Topic::Bidi,
        Topic::Cancellation,
        Topic::Deadlines,
        Topic::Errors,
        Topic::SlowReader,
        Topic::Resume,
    ];

    fn is_model(self) -> bool {
        matches!(
            self,
            Topic::Unary | Topic::ServerStreaming | Topic::ClientStreaming | Topic::Bidi
        )
    }
}

/// What a chapter needs to run its calls.
pub struct Stage<'a> {
    pub connection: &'a Connection,
    pub context: &'a Context,
    /// The server's URL, for a lesson that opens a connection of its own.
    pub url: &'a str,
    /// The feed's pace, known only for the embedded server.
    pub tick_ms: Option<u64>,
    /// The server's own counters, for the embedded server only.
    pub server: Option<&'a ServerView>,
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
    let stage = Stage {
        connection: &connection,
        context,
        url: &url,
        tick_ms: embedded.as_ref().map(|_| EMBEDDED_TICK_MS),
        server: embedded.as_ref().map(|embedded| &embedded.view),
    };

    say(width, 0, &tr!(messages, "tour-title"))?;
    say(
        width,
        0,
        &match &embedded {
            Some(embedded) => tr!(messages, "tour-embedded", addr = embedded.addr.to_string()),
            None => tr!(messages, "tour-external", url = url.clone()),
        },
    )?;

    let topics = match args.model {
        Some(topic) => vec![topic],
        None => Topic::ALL.to_vec(),
    };
    for (position, topic) in topics.iter().enumerate() {
        let chapter = Chapter::of(*topic);
        output::line("")?;
        say(
            width,
            0,
            &tr!(
                messages,
                "tour-heading",
                number = position + 1,
                total = topics.len(),
                name = messages.format(chapter.name_id, &[])
            ),
        )?;
        output::line("")?;
        for id in chapter.text_ids {
            say(width, 0, &messages.format(id, &[]))?;
        }
        if *topic == Topic::ServerStreaming {
            say(
                width,
                0,
                &match stage.tick_ms {
                    Some(tick_ms) => tr!(messages, "tour-server-streaming-ticks", tick_ms = tick_ms),
                    None => tr!(messages, "tour-server-streaming-ticks-unknown"),
                },
            )?;
        }
        output::line("")?;
        say(width, 0, &tr!(messages, "tour-signature"))?;
        for rpc in chapter.rpcs {
            output::line(format!("    {}", rpc_line(rpc)))?;
        }
        output::line("")?;
        say(width, 0, &tr!(messages, "tour-live"))?;
        let mut timeline = Timeline::new(messages, width);
        match topic {
            Topic::Unary => models::unary(&stage, &mut timeline).await?,
            Topic::ServerStreaming => models::server_streaming(&stage, &mut timeline).await?,
            Topic::ClientStreaming => models::client_streaming(&stage, &mut timeline).await?,
            Topic::Bidi => models::bidi(&stage, &mut timeline).await?,
            Topic::Cancellation => lessons::cancellation(&stage, &mut timeline).await?,
            Topic::Deadlines => lessons::deadlines(&stage, &mut timeline).await?,
            Topic::Errors => lessons::errors(&stage, &mut timeline).await?,
            Topic::SlowReader => lessons::slow_reader(&stage, &mut timeline).await?,
            Topic::Resume => lessons::resume(&stage, &mut timeline).await?,
        }
        if let Some(shape_id) = chapter.shape_id {
            // What "compact JSON" means is said once, at the first comparison.
            timeline.summarize(shape_id, position == 0)?;
        }
        if *topic == Topic::Bidi {
            models::why_not_unary(&stage, width).await?;
        }
        say(width, 0, &tr!(messages, "tour-code", file = chapter.file))?;
        if pause && position + 1 < topics.len() {
            wait_for_enter(messages).await?;
        }
    }
    output::line("")?;
    match topics.as_slice() {
        // A tour of one chapter says so, and where to try it.
        [topic] => {
            let chapter = Chapter::of(*topic);
            let name = messages.format(chapter.name_id, &[]);
            let text = if topic.is_model() {
                tr!(messages, "tour-done-one", name = name, command = chapter.command)
            } else {
                tr!(
                    messages,
                    "tour-done-lesson",
                    name = name,
                    command = chapter.command
                )
            };
            say(width, 0, &text)?;
        }
        _ => {
            choosing(messages, width)?;
            output::line("")?;
            say(width, 0, &tr!(messages, "tour-done"))?;
        }
    }

    if let Some(embedded) = embedded {
        embedded.stop().await;
    }
    Ok(exit::SUCCESS)
}

/// "Choosing a model": for each model, when to choose it and a case where
/// it is the wrong choice.
fn choosing(messages: &Messages, width: usize) -> Result<(), CliError> {
    output::line("")?;
    output::line(tr!(messages, "tour-choosing-title"))?;
    for topic in Topic::ALL {
        let chapter = Chapter::of(topic);
        let Some((choose, not)) = chapter.choosing else {
            continue;
        };
        output::line("")?;
        say(
            width,
            2,
            &format!(
                "{} ({})",
                messages.format(chapter.name_id, &[]),
                chapter.rpcs.join(", ")
            ),
        )?;
        say(width, 4, &messages.format(choose, &[]))?;
        say(width, 4, &messages.format(not, &[]))?;
    }
    Ok(())
}

/// What the tour says about one chapter.
struct Chapter {
    name_id: &'static str,
    text_ids: &'static [&'static str],
    /// The "what you just saw" shape of a model's call; a lesson draws its
    /// own conclusions.
    shape_id: Option<&'static str>,
    /// The RPCs the chapter calls, quoted from the proto.
    rpcs: &'static [&'static str],
    file: &'static str,
    /// The `bank` command that makes this chapter's call.
    command: &'static str,
    /// A model's line of the choosing table: when to choose it, and a
    /// counter-example.
    choosing: Option<(&'static str, &'static str)>,
}

impl Chapter {
    fn of(topic: Topic) -> Chapter {
        match topic {
            Topic::Unary => Chapter {
                name_id: "tour-unary-name",
                text_ids: &["tour-unary-what", "tour-unary-when", "tour-unary-example"],
                shape_id: Some("tour-unary-shape"),
                rpcs: &["Convert"],
                file: "server/service/unary.rs",
                command: "bank convert",
                choosing: Some(("tour-choosing-unary", "tour-choosing-unary-not")),
            },
            Topic::ServerStreaming => Chapter {
                name_id: "tour-server-streaming-name",
                text_ids: &[
                    "tour-server-streaming-what",
                    "tour-server-streaming-when",
                    "tour-server-streaming-example",
                ],
                shape_id: Some("tour-server-streaming-shape"),
                rpcs: &["StreamRates"],
                file: "server/service/server_streaming.rs",
                command: "bank rates",
                choosing: Some((
                    "tour-choosing-server-streaming",
                    "tour-choosing-server-streaming-not",
                )),
            },
            Topic::ClientStreaming => Chapter {
                name_id: "tour-client-streaming-name",
                text_ids: &[
                    "tour-client-streaming-what",
                    "tour-client-streaming-when",
                    "tour-client-streaming-example",
                ],
                shape_id: Some("tour-client-streaming-shape"),
                rpcs: &["ConvertBatch"],
                file: "server/service/client_streaming.rs",
                command: "bank batch",
                choosing: Some((
                    "tour-choosing-client-streaming",
                    "tour-choosing-client-streaming-not",
                )),
            },
            Topic::Bidi => Chapter {
                name_id: "tour-bidi-name",
                text_ids: &["tour-bidi-what", "tour-bidi-when", "tour-bidi-example"],
                shape_id: Some("tour-bidi-shape"),
                rpcs: &["ConvertSession"],
                file: "server/service/bidi.rs",
                command: "bank session",
                choosing: Some(("tour-choosing-bidi", "tour-choosing-bidi-not")),
            },
            Topic::Cancellation => Chapter {
                name_id: "tour-cancellation-name",
                text_ids: &["tour-cancellation-what", "tour-cancellation-example"],
                shape_id: None,
                rpcs: &["StreamRates"],
                file: "server/telemetry.rs, server/service/server_streaming.rs",
                command: "bank rates (Ctrl-C)",
                choosing: None,
            },
            Topic::Deadlines => Chapter {
                name_id: "tour-deadlines-name",
                text_ids: &["tour-deadlines-what", "tour-deadlines-example"],
                shape_id: None,
                rpcs: &["StreamRates"],
                file: "server/deadline.rs, server/calls.rs",
                command: "bank rates --deadline 2s",
                choosing: None,
            },
            Topic::Errors => Chapter {
                name_id: "tour-errors-name",
                text_ids: &["tour-errors-what", "tour-errors-example"],
                shape_id: None,
                rpcs: &["Convert", "ConvertSession"],
                file: "server/status.rs, server/service/bidi.rs",
                command: "bank session",
                choosing: None,
            },
            Topic::SlowReader => Chapter {
                name_id: "tour-slow-reader-name",
                text_ids: &["tour-slow-reader-what", "tour-slow-reader-example"],
                shape_id: None,
                rpcs: &["StreamRates"],
                file: "server/service/server_streaming.rs",
                command: "bank rates --slow 1s",
                choosing: None,
            },
            Topic::Resume => Chapter {
                name_id: "tour-resume-name",
                text_ids: &["tour-resume-what", "tour-resume-example"],
                shape_id: None,
                rpcs: &["StreamRates"],
                file: "server/service/server_streaming.rs, client/commands/rates.rs",
                command: "bank rates --from-sequence N",
                choosing: None,
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

async fn wait_for_enter(messages: &Messages) -> Result<(), CliError> {
    output::raw(&format!("\n{} ", tr!(messages, "tour-pause")))?;
    let _ = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)
    })
    .await;
    Ok(())
}
