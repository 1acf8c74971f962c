//! `bank tour`: the four gRPC models, explained and shown live.
//!
//! For each model: what it is and when to choose it, the RPC as written in
//! `proto/bank/v1/bank.proto`, then a real call drawn as a timeline (one
//! arrow per message, with its time since the call started), and "what you
//! just saw": how many messages went each way and what each weighed in
//! protobuf against the same data in JSON.
//!
//! Without `--server` the tour starts its own Bank Service in this process
//! on a free loopback port (with a quick 250 ms tick so the feed moves), and
//! stops it at the end: a newcomer needs one command and nothing else.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bank_service::i18n::Messages;
use bank_service::proto::v1::session_reply::Outcome;
use bank_service::proto::v1::{BatchSummary, ConvertRequest, RateUpdate, SessionReply, StreamRatesRequest};
use bank_service::server::{BankServer, Config, ServerError};
use bank_service::tr;
use prost::Message;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_stream::wrappers::ReceiverStream;

use crate::cli::Model;
use crate::commands::{conversion_json, item_error_json, quote_json};
use crate::connect::{Connection, Target};
use crate::error::{CliError, exit};
use crate::{format, output};

/// The contract, to quote each RPC exactly as the proto writes it.
const PROTO: &str = include_str!("../../proto/bank/v1/bank.proto");

/// Tick of the embedded server: fast enough that four feed updates take
/// about a second, slow enough to read.
const EMBEDDED_TICK_MS: u64 = 250;

/// Pause between messages the tour sends on streams, so that the shape of
/// each model is visible in the timeline.
const STEP: Duration = Duration::from_millis(150);

/// Width of message content on one timeline line; longer messages continue
/// on the next lines, so every message is shown whole.
const CONTENT_CHARS: usize = 96;

pub struct Options {
    pub server: Option<String>,
    /// How to connect (TLS, token, timeout); its server is replaced by the
    /// embedded one when there is no `--server`.
    pub target: Target,
    pub model: Option<Model>,
    pub no_pause: bool,
}

pub async fn run(messages: &'static Messages, options: Options) -> Result<u8, CliError> {
    let embedded = match &options.server {
        Some(_) => None,
        None => Some(Embedded::start().await.map_err(|error| CliError::Input {
            path: "bank tour".to_owned(),
            detail: error.to_string(),
        })?),
    };
    let url = match (&options.server, &embedded) {
        (Some(url), _) => url.clone(),
        (None, Some(embedded)) => format!("http://{}", embedded.addr),
        (None, None) => crate::cli::DEFAULT_SERVER.to_owned(),
    };
    let connection = Connection::open(&options.target.at(url.clone())).await?;
    let pause = !options.no_pause && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();

    output::line(tr!(messages, "tour-title"))?;
    output::line(match &embedded {
        Some(embedded) => tr!(messages, "tour-embedded", addr = embedded.addr),
        None => tr!(messages, "tour-external", url = url),
    })?;

    let models = match options.model {
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
            output::line(messages.format(id, &[]))?;
        }
        output::line("")?;
        output::line(tr!(messages, "tour-signature"))?;
        output::line(format!("    {}", rpc_line(chapter.rpc)))?;
        output::line("")?;
        output::line(tr!(messages, "tour-live"))?;
        let mut timeline = Timeline::new(messages);
        match model {
            Model::Unary => unary(&connection, &mut timeline).await?,
            Model::ServerStreaming => server_streaming(&connection, &mut timeline).await?,
            Model::ClientStreaming => client_streaming(&connection, &mut timeline).await?,
            Model::Bidi => bidi(&connection, &mut timeline).await?,
        }
        timeline.summarize(chapter.shape_id)?;
        output::line(tr!(messages, "tour-code", file = chapter.file))?;
        if pause && position + 1 < models.len() {
            wait_for_enter(messages).await?;
        }
    }
    output::line("")?;
    output::line(tr!(messages, "tour-done"))?;

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
            },
            Model::Bidi => Chapter {
                name_id: "tour-bidi-name",
                text_ids: ["tour-bidi-what", "tour-bidi-when", "tour-bidi-example"],
                shape_id: "tour-bidi-shape",
                rpc: "ConvertSession",
                file: "server/service/bidi.rs",
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
    started: Instant,
    sent: usize,
    received: usize,
    /// `(message type, protobuf bytes, JSON bytes)` of every message.
    sizes: Vec<(&'static str, usize, usize)>,
}

impl Timeline {
    fn new(messages: &'static Messages) -> Self {
        Self {
            messages,
            started: Instant::now(),
            sent: 0,
            received: 0,
            sizes: Vec::new(),
        }
    }

    fn client_sent(
        &mut self,
        name: &'static str,
        message: &impl Message,
        json: &Value,
    ) -> Result<(), CliError> {
        self.sent += 1;
        self.draw(tr!(self.messages, "tour-arrow-client"), name, message, json)
    }

    fn server_sent(
        &mut self,
        name: &'static str,
        message: &impl Message,
        json: &Value,
    ) -> Result<(), CliError> {
        self.received += 1;
        self.draw(tr!(self.messages, "tour-arrow-server"), name, message, json)
    }

    fn draw(
        &mut self,
        arrow: String,
        name: &'static str,
        message: &impl Message,
        json: &Value,
    ) -> Result<(), CliError> {
        let text = json.to_string();
        self.sizes.push((name, message.encoded_len(), text.len()));
        let elapsed = self.started.elapsed();
        let millis = format!("{}.{}", elapsed.as_millis(), (elapsed.as_micros() % 1_000) / 100);
        let mut pieces = wrap_json(&text).into_iter();
        output::line(format!(
            "  {:>9} ms  {arrow}  {name} {}",
            format::decimal(self.messages.lang(), &millis),
            pieces.next().unwrap_or_default()
        ))?;
        let indent = " ".repeat(19 + arrow.chars().count() + name.len());
        for piece in pieces {
            output::line(format!("{indent}{piece}"))?;
        }
        Ok(())
    }

    fn summarize(&self, shape_id: &str) -> Result<(), CliError> {
        let messages = self.messages;
        output::line("")?;
        output::line(tr!(messages, "tour-seen"))?;
        output::line(format!("  {}", messages.format(shape_id, &[])))?;
        output::line(format!(
            "  {}",
            tr!(
                messages,
                "tour-seen-counts",
                sent = self.sent,
                received = self.received
            )
        ))?;
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
        output::line(format!(
            "  {}",
            tr!(
                messages,
                "tour-size-total",
                protobuf = protobuf,
                json = json,
                percent = percent
            )
        ))
    }
}

/// Cuts JSON text after a comma once a line is about [`CONTENT_CHARS`]
/// long, so long messages read as several lines without splitting a value.
fn wrap_json(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for c in text.chars() {
        line.push(c);
        if c == ',' && line.chars().count() >= CONTENT_CHARS - 24 {
            lines.push(std::mem::take(&mut line));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn request(amount: &str, from: &str, to: &str, id: &str) -> ConvertRequest {
    ConvertRequest {
        amount: amount.to_owned(),
        from_currency: from.to_owned(),
        to_currency: to.to_owned(),
        request_id: id.to_owned(),
    }
}

fn request_json(request: &ConvertRequest) -> Value {
    json!({
        "amount": request.amount,
        "from_currency": request.from_currency,
        "to_currency": request.to_currency,
        "request_id": request.request_id,
    })
}

fn update_json(update: &RateUpdate) -> Value {
    json!({
        "sequence": update.sequence,
        "time": format::time(update.time.as_ref()),
        "quotes": update.quotes.iter().map(quote_json).collect::<Vec<_>>(),
    })
}

fn summary_json(summary: &BatchSummary) -> Value {
    json!({
        "accepted": summary.accepted,
        "rejected": summary.rejected,
        "totals": summary.totals.iter().map(|t| json!({
            "currency": t.currency, "total": t.total, "count": t.count,
        })).collect::<Vec<_>>(),
        "errors": summary.errors.iter().map(item_error_json).collect::<Vec<_>>(),
        "rates": summary.rates.iter().map(quote_json).collect::<Vec<_>>(),
        "rate_sequence": summary.rate_sequence,
        "rate_time": format::time(summary.rate_time.as_ref()),
    })
}

fn reply_json(reply: &SessionReply) -> Value {
    match &reply.outcome {
        Some(Outcome::Conversion(conversion)) => json!({ "conversion": conversion_json(conversion) }),
        Some(Outcome::Error(error)) => json!({ "error": item_error_json(error) }),
        None => json!({}),
    }
}

/// One request, one response.
async fn unary(connection: &Connection, timeline: &mut Timeline) -> Result<(), CliError> {
    let message = request("100", "USD", "EUR", "tour-1");
    timeline.client_sent("ConvertRequest", &message, &request_json(&message))?;
    let response = connection
        .call_unary(message, |mut client, request| async move {
            client.convert(request).await
        })
        .await?;
    timeline.server_sent("ConvertResponse", &response, &conversion_json(&response))
}

/// One request, then a stream of updates.
async fn server_streaming(connection: &Connection, timeline: &mut Timeline) -> Result<(), CliError> {
    let message = StreamRatesRequest {
        pairs: vec!["EUR/USD".to_owned(), "EUR/XOF".to_owned()],
        max_updates: 4,
    };
    let json = json!({ "pairs": message.pairs, "max_updates": message.max_updates });
    timeline.client_sent("StreamRatesRequest", &message, &json)?;
    let mut updates = connection
        .client()
        .stream_rates(connection.streaming(message))
        .await
        .map_err(|status| connection.failed(status))?
        .into_inner();
    while let Some(update) = updates
        .message()
        .await
        .map_err(|status| connection.failed(status))?
    {
        timeline.server_sent("RateUpdate", &update, &update_json(&update))?;
    }
    Ok(())
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
    for item in items {
        tokio::time::sleep(STEP).await;
        timeline.client_sent("ConvertRequest", &item, &request_json(&item))?;
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
    timeline.server_sent("BatchSummary", &summary, &summary_json(&summary))
}

/// Requests and replies interleaved on one call.
async fn bidi(connection: &Connection, timeline: &mut Timeline) -> Result<(), CliError> {
    let mut pending = vec![
        request("20", "EUR", "USD", "till-1"),
        request("5000", "XOF", "EUR", "till-2"),
        request("12,5", "CAD", "EUR", "till-3"),
        request("300", "TND", "EUR", "till-4"),
    ]
    .into_iter();
    let (sender, stream) = mpsc::channel(1);
    let mut replies = connection
        .client()
        .convert_session(connection.streaming(ReceiverStream::new(stream)))
        .await
        .map_err(|status| connection.failed(status))?
        .into_inner();
    let mut sender = Some(sender);
    let mut next_send = tokio::time::Instant::now();
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(next_send), if sender.is_some() => {
                match (pending.next(), sender.as_ref()) {
                    (Some(item), Some(to_server)) => {
                        timeline.client_sent("ConvertRequest", &item, &request_json(&item))?;
                        if to_server.send(item).await.is_err() {
                            sender = None;
                        }
                        next_send += STEP * 2;
                    }
                    // Everything sent: closing our side ends the session
                    // once the server has answered.
                    _ => sender = None,
                }
            }
            reply = replies.message() => match reply.map_err(|status| connection.failed(status))? {
                Some(reply) => timeline.server_sent("SessionReply", &reply, &reply_json(&reply))?,
                None => return Ok(()),
            },
        }
    }
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
