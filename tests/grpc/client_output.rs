//! What a client in another language printed, checked against what a
//! tonic client gets from the same server: the one check behind the
//! Python example (`python_example`) and the lab's Go solution
//! (`lab_clients`), which print the same lines (see
//! `examples/python/bank_client.py` and `docs/lab/go/src/banklab`).
//!
//! Lifecycle: a test starts a pinned server with metrics
//! ([`PinnedServer::start`]), runs its client to the end, then calls
//! [`check_everything`] with the client's output: the server's clock
//! stands still, so every conversion, replayed update, batch and session
//! is priced at one tick, and the same questions asked again through
//! tonic give the exact lines to expect. Last, the server's own metrics
//! show the client's cancelled feed: CANCELLED on the server's side too,
//! and no feed left open.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use bank_domain::clock::ManualClock;
use bank_proto::code_name;
use bank_proto::v1::{ConvertRequest, ConvertResponse, StreamRatesRequest};
use harness::metrics::{sample, scrape, wait_for};
use harness::{PINNED_UNIX_MS, TestServer, conversion, pinned_config};
use regex::Regex;
use tokio_stream::StreamExt;
use tonic::Request;
use tonic::metadata::MetadataValue;
use tonic_types::StatusExt;

/// Rate updates the clients read from the bounded feed.
const UPDATES: u64 = 3;

/// The bounded feed's pairs, as the clients ask for them.
const FEED_PAIRS: [&str; 2] = ["EUR/USD", "USD/JPY"];

/// Updates the clients read from a live feed before cancelling it.
const CANCEL_AFTER: u64 = 2;

/// The feed method, as the metrics name it.
const STREAM_RATES: &str = "/bank.v1.BankService/StreamRates";

/// A pinned server that also serves its metrics.
pub struct PinnedServer {
    pub server: TestServer,
    pub metrics: SocketAddr,
    _clock: Arc<ManualClock>,
}

impl PinnedServer {
    /// A server whose clock stands still (see [`TestServer::start_pinned`]),
    /// with `/metrics`.
    pub async fn start() -> Self {
        let clock = Arc::new(ManualClock::new(PINNED_UNIX_MS));
        let (server, metrics) = TestServer::start_with_metrics(pinned_config(&clock)).await;
        Self {
            server,
            metrics,
            _clock: clock,
        }
    }
}

/// Runs `command` to its end, bounded by `patience`, and returns its
/// standard output once it exited with `expected_code`.
pub async fn run_to_end(
    mut command: tokio::process::Command,
    patience: Duration,
    expected_code: i32,
) -> String {
    // No proxy between the client and the loopback server.
    for variable in [
        "http_proxy",
        "https_proxy",
        "grpc_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
    ] {
        command.env_remove(variable);
    }
    command.kill_on_drop(true);
    let Output {
        status,
        stdout,
        stderr,
    } = tokio::time::timeout(patience, command.output())
        .await
        .unwrap_or_else(|_| panic!("{command:?} finishes in time"))
        .expect("the program starts");
    let stdout = String::from_utf8(stdout).expect("UTF-8 output");
    assert_eq!(
        status.code(),
        Some(expected_code),
        "{command:?} exited with {status}:\n{stdout}\n{}",
        String::from_utf8_lossy(&stderr)
    );
    stdout
}

/// Asserts that `output` has `line` as one of its lines.
pub fn has_line(output: &str, line: &str) {
    assert!(
        output.lines().any(|printed| printed == line),
        "no line `{line}` in:\n{output}"
    );
}

/// Asserts that `output` has a line starting with `start`.
fn has_line_starting(output: &str, start: &str) {
    assert!(
        output.lines().any(|printed| printed.starts_with(start)),
        "no line starting `{start}` in:\n{output}"
    );
}

/// A conversion as the clients print it.
fn conversion_text(reply: &ConvertResponse) -> String {
    format!(
        "{} {} = {} {} at {} (tick {})",
        reply.amount,
        reply.from_currency,
        reply.converted_amount,
        reply.to_currency,
        reply.rate,
        reply.rate_sequence
    )
}

/// The lines of one section of the output: those after the header line
/// starting with `header`, up to the next header (a line not indented).
fn section<'a>(output: &'a str, header: &str) -> Vec<&'a str> {
    output
        .lines()
        .skip_while(|line| !line.starts_with(header))
        .skip(1)
        .take_while(|line| line.starts_with(' '))
        .collect()
}

/// The requests a section says it sent: `  sent ID: AMOUNT FROM to TO`.
fn sent(lines: &[&str]) -> Vec<ConvertRequest> {
    let sent = Regex::new(r"^  sent (\S+): (\S+) ([A-Z]{3}) to ([A-Z]{3})$").expect("regex");
    lines
        .iter()
        .filter_map(|line| sent.captures(line))
        .map(|captures| conversion(&captures[2], &captures[3], &captures[4], &captures[1]))
        .collect()
}

/// Every check of a client's output, `convert_id` being the request id of
/// its first Convert (`py-1`, `go-1`).
pub async fn check_everything(pinned: &PinnedServer, output: &str, convert_id: &str) {
    let tick = check_every_model(&pinned.server, output, convert_id).await;
    check_cancellation_and_deadline(pinned, output, tick).await;
    check_error_details(&pinned.server, output).await;
}

/// The four models; returns the tick the server is pinned at.
async fn check_every_model(server: &TestServer, output: &str, convert_id: &str) -> u64 {
    let address = server.addr.to_string();
    let mut client = server.client().await;
    has_line(output, &format!("Channel to {address}, compression gzip"));

    // Unary.
    let currencies = harness::currencies(server.url()).await.len();
    has_line(
        output,
        &format!("ListCurrencies: {currencies} currencies; minor units JPY 0, USD 2, KWD 3"),
    );
    let converted = server.direct_convert("100", "USD", "EUR").await;
    has_line(
        output,
        &format!("Convert {convert_id}: {}", conversion_text(&converted)),
    );
    let tick = converted.rate_sequence;

    // Server streaming: the same replay, update for update.
    let start = tick - (UPDATES - 1);
    has_line(
        output,
        &format!("StreamRates from tick {start}: {UPDATES} ticks replayed, {UPDATES} updates"),
    );
    let updates: Vec<_> = client
        .stream_rates(StreamRatesRequest {
            pairs: FEED_PAIRS.map(String::from).to_vec(),
            max_updates: u32::try_from(UPDATES).expect("small"),
            from_sequence: start,
        })
        .await
        .expect("the feed opens")
        .into_inner()
        .collect::<Result<_, _>>()
        .await
        .expect("the feed ends with OK");
    let printed: Vec<&str> = output.lines().filter(|line| line.starts_with("  #")).collect();
    assert_eq!(printed.len(), updates.len(), "{output}");
    for (line, update) in printed.iter().zip(&updates) {
        let quotes = update
            .quotes
            .iter()
            .map(|quote| format!("{} mid {}", quote.pair, quote.mid))
            .collect::<Vec<_>>()
            .join("; ");
        assert!(line.starts_with(&format!("  #{} ", update.sequence)), "{line}");
        assert!(line.ends_with(&quotes), "{line} does not end with {quotes}");
    }

    // Client streaming: the batch it sent, sent again through tonic, gives
    // the counts and totals it printed (and recomputed itself).
    let batch = section(output, "ConvertBatch");
    let items = sent(&batch);
    assert!(!items.is_empty(), "the batch lists what it sent:\n{output}");
    let summary = client
        .convert_batch(tokio_stream::iter(items.clone()))
        .await
        .expect("a summary")
        .into_inner();
    assert!(
        summary.accepted > 0 && summary.rejected > 0,
        "the client shows both"
    );
    assert_eq!(summary.rate_sequence, tick);
    has_line(
        output,
        &format!(
            "  summary: {} accepted, {} rejected, priced at tick {tick}",
            summary.accepted, summary.rejected
        ),
    );
    for total in &summary.totals {
        let items = if total.count == 1 { "item" } else { "items" };
        has_line(
            output,
            &format!(
                "  total {} {} over {} {items}; recomputed {}",
                total.currency, total.total, total.count, total.total
            ),
        );
    }
    for error in &summary.errors {
        has_line_starting(
            output,
            &format!(
                "  item {} ({}) rejected: {}, field {}: ",
                error.index, error.request_id, error.code, error.field
            ),
        );
    }

    // Bidirectional: each request it sent, asked of tonic one by one, gives
    // the reply it printed right after it, conversion or error.
    let session = section(output, "ConvertSession");
    let requests = sent(&session);
    assert!(requests.len() > 1, "the session lists what it sent:\n{output}");
    let mut refused = 0;
    for request in requests {
        let id = request.request_id.clone();
        let expected = match client.convert(request).await {
            Ok(reply) => format!("  reply {id}: {}", conversion_text(&reply.into_inner())),
            Err(status) => {
                refused += 1;
                let field = status
                    .get_details_bad_request()
                    .expect("a BadRequest")
                    .field_violations[0]
                    .field
                    .clone();
                format!(
                    "  reply {id}: error {}, field {field}: ",
                    code_name(status.code())
                )
            }
        };
        let position = session
            .iter()
            .position(|line| line.starts_with(&format!("  sent {id}: ")))
            .expect("sent");
        let reply = session.get(position + 1).expect("a reply after the request");
        assert!(reply.starts_with(&expected), "`{reply}` is not `{expected}`");
    }
    assert!(refused > 0, "the client shows an error reply");
    tick
}

/// The cancelled feed and the feed past its deadline. The clock stands
/// still, so the live feed past its deadline gets exactly one update (the
/// current tick) before the deadline. On the server's side the cancelled
/// feed ended CANCELLED; the feed past its deadline ended CANCELLED or
/// DEADLINE_EXCEEDED, whichever came first: the client's reset at its own
/// deadline, or the server's timer for the same deadline.
async fn check_cancellation_and_deadline(pinned: &PinnedServer, output: &str, tick: u64) {
    let start = tick - (CANCEL_AFTER - 1);
    let read = (start..=tick)
        .map(|sequence| format!("#{sequence}"))
        .collect::<Vec<_>>()
        .join(", ");
    has_line(
        output,
        &format!("Cancellation: a live feed from tick {start}, read {read}, then cancelled: CANCELLED"),
    );
    has_line(
        output,
        "Deadline: a live feed with a 0.5 s deadline: DEADLINE_EXCEEDED after 1 update",
    );
    wait_for(pinned.metrics, "bank_open_feeds", 0).await;
    let text = scrape(pinned.metrics).await;
    let ended = |code: &str| {
        sample(
            &text,
            &format!("bank_rpc_requests_total{{method=\"{STREAM_RATES}\",code=\"{code}\"}}"),
        )
        .unwrap_or(0)
    };
    assert!(ended("CANCELLED") >= 1, "the server saw the cancellation");
    assert_eq!(
        ended("CANCELLED") + ended("DEADLINE_EXCEEDED"),
        2,
        "two feeds ended early:\n{text}"
    );
}

/// The error details, as grpcio-status and grpc-go decode them.
async fn check_error_details(server: &TestServer, output: &str) {
    has_line(
        output,
        "    ErrorInfo: reason AMOUNT_NOT_DECIMAL, domain bank.v1, metadata field=amount",
    );
    has_line_starting(output, "    BadRequest: field amount: ");
    has_line(
        output,
        "    ErrorInfo: reason AMOUNT_TOO_PRECISE, domain bank.v1, metadata currency=JPY, field=amount, minor_units=0",
    );
    let mut in_french = Request::new(conversion("1.5", "JPY", "USD", ""));
    in_french
        .metadata_mut()
        .insert("accept-language", MetadataValue::from_static("fr"));
    let status = server
        .client()
        .await
        .convert(in_french)
        .await
        .expect_err("refused");
    let french = status
        .get_details_localized_message()
        .expect("a LocalizedMessage");
    assert_eq!(french.locale, "fr");
    has_line(output, &format!("    LocalizedMessage (fr): {}", french.message));
}

/// The repository's root, from the tests crate.
pub fn repository() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}
