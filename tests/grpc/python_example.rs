//! The Python example (`examples/python/`) against a live server: its
//! stubs generated from `proto/` by grpcio-tools, every model of the
//! service called from Python over a gzip channel, and every figure it
//! prints the very one a tonic client gets from the same pinned server.
//!
//! The server's clock stands still ([`TestServer::start_pinned`]), so the
//! example's conversions, its replayed feed, its batch and its session are
//! all priced at one tick, and the test asks the same server the same
//! questions through tonic to know the exact lines to expect. The channel
//! says `grpc-encoding: gzip` on every call: a server that did not accept
//! gzip would refuse them all (UNIMPLEMENTED) and the example would fail.
//!
//! The interpreter is the one `BANK_PYTHON` names: the `python` of a
//! virtual environment with `examples/python/requirements.txt` installed,
//! which `.ci/run` creates. Without it the test is skipped, saying why,
//! except under CI (`CI=true`), where it fails.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use bank_proto::code_name;
use bank_proto::v1::{ConvertRequest, ConvertResponse, StreamRatesRequest};
use harness::{TestServer, conversion};
use regex::Regex;
use tokio_stream::StreamExt;
use tonic::Request;
use tonic::metadata::MetadataValue;
use tonic_types::StatusExt;

/// Upper bound for one run of the interpreter: starting Python, protoc and
/// a dozen calls take a few seconds; only a hang reaches this.
const PYTHON_PATIENCE: Duration = Duration::from_secs(120);

/// The variable naming the virtual environment's interpreter.
const PYTHON_VARIABLE: &str = "BANK_PYTHON";

/// Rate updates the example reads from the feed (its `--updates` default).
const UPDATES: u64 = 3;

/// The feed's pairs, as `bank_client.py` asks for them.
const FEED_PAIRS: [&str; 2] = ["EUR/USD", "USD/JPY"];

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/python")
}

/// The interpreter to run the example with, or `None` (after saying why)
/// when the test is to be skipped.
fn python() -> Option<PathBuf> {
    match std::env::var_os(PYTHON_VARIABLE) {
        Some(path) => {
            let path = PathBuf::from(path);
            assert!(
                path.is_file(),
                "{PYTHON_VARIABLE}={} is not a file",
                path.display()
            );
            Some(path)
        }
        None => {
            let why = format!(
                "{PYTHON_VARIABLE} is not set (the python of a venv with \
                 examples/python/requirements.txt installed; .ci/run makes one)"
            );
            harness::skip_outside_ci(&why);
            None
        }
    }
}

/// Runs `python script args...` in the example's folder and returns its
/// output once it succeeded.
async fn run_python(python: &Path, script: &str, args: &[&str]) -> String {
    let mut command = tokio::process::Command::new(python);
    command
        .current_dir(example_dir())
        .arg(script)
        .args(args)
        // No byte-code caches in the source tree, UTF-8 whatever the
        // locale (the French message), and no proxy between the example
        // and the loopback server.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("grpc_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .kill_on_drop(true);
    let Output {
        status,
        stdout,
        stderr,
    } = tokio::time::timeout(PYTHON_PATIENCE, command.output())
        .await
        .unwrap_or_else(|_| panic!("{script} finishes in time"))
        .expect("the interpreter starts");
    let stdout = String::from_utf8(stdout).expect("UTF-8 output");
    assert!(
        status.success(),
        "{script} failed ({status}):\n{stdout}\n{}",
        String::from_utf8_lossy(&stderr)
    );
    stdout
}

/// Asserts that `output` has `line` as one of its lines.
fn has_line(output: &str, line: &str) {
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

/// A conversion as the example prints it.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_example_calls_every_model_over_gzip_and_prints_the_figures_tonic_gets() {
    let Some(python) = python() else {
        return;
    };
    let (server, _clock) = TestServer::start_pinned().await;
    let stubs = tempfile::tempdir().expect("a temporary folder");
    let stubs_dir = stubs.path().to_str().expect("a UTF-8 path");
    run_python(&python, "generate.py", &["--out", stubs_dir]).await;
    assert!(
        stubs.path().join("bank/v1/bank_pb2_grpc.py").is_file(),
        "the stub is generated"
    );
    let address = server.addr.to_string();
    let output = run_python(&python, "bank_client.py", &[&address, "--stubs", stubs_dir]).await;
    let mut client = server.client().await;

    has_line(&output, &format!("Channel to {address}, compression gzip"));

    // Unary.
    let currencies = harness::currencies(server.url()).await.len();
    has_line(
        &output,
        &format!("ListCurrencies: {currencies} currencies; minor units JPY 0, USD 2, KWD 3"),
    );
    let converted = server.direct_convert("100", "USD", "EUR").await;
    has_line(&output, &format!("Convert py-1: {}", conversion_text(&converted)));
    let tick = converted.rate_sequence;

    // Server streaming: the same replay, update for update.
    let start = tick - (UPDATES - 1);
    has_line(
        &output,
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
    let batch = section(&output, "ConvertBatch");
    let items = sent(&batch);
    assert!(!items.is_empty(), "the batch lists what it sent:\n{output}");
    let summary = client
        .convert_batch(tokio_stream::iter(items.clone()))
        .await
        .expect("a summary")
        .into_inner();
    assert!(
        summary.accepted > 0 && summary.rejected > 0,
        "the example shows both"
    );
    assert_eq!(summary.rate_sequence, tick);
    has_line(
        &output,
        &format!(
            "  summary: {} accepted, {} rejected, priced at tick {tick}",
            summary.accepted, summary.rejected
        ),
    );
    for total in &summary.totals {
        let items = if total.count == 1 { "item" } else { "items" };
        has_line(
            &output,
            &format!(
                "  total {} {} over {} {items}; recomputed {}",
                total.currency, total.total, total.count, total.total
            ),
        );
    }
    for error in &summary.errors {
        has_line_starting(
            &output,
            &format!(
                "  item {} ({}) rejected: {}, field {}: ",
                error.index, error.request_id, error.code, error.field
            ),
        );
    }

    // Bidirectional: each request it sent, asked of tonic one by one, gives
    // the reply it printed right after it, conversion or error.
    let session = section(&output, "ConvertSession");
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
    assert!(refused > 0, "the example shows an error reply");

    // Error details, read by grpcio-status.
    has_line(
        &output,
        "    ErrorInfo: reason AMOUNT_NOT_DECIMAL, domain bank.v1, metadata field=amount",
    );
    has_line_starting(&output, "    BadRequest: field amount: ");
    has_line(
        &output,
        "    ErrorInfo: reason AMOUNT_TOO_PRECISE, domain bank.v1, metadata currency=JPY, field=amount, minor_units=0",
    );
    let mut in_french = Request::new(conversion("1.5", "JPY", "USD", ""));
    in_french
        .metadata_mut()
        .insert("accept-language", MetadataValue::from_static("fr"));
    let status = client.convert(in_french).await.expect_err("refused");
    let french = status
        .get_details_localized_message()
        .expect("a LocalizedMessage");
    assert_eq!(french.locale, "fr");
    has_line(&output, &format!("    LocalizedMessage (fr): {}", french.message));
}
