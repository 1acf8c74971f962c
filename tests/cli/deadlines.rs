//! `--deadline` on the streaming commands: a gRPC deadline on the whole
//! call. A feed or a session still open when it passes ends with
//! DEADLINE_EXCEEDED, sent by the server (its metrics count the call so),
//! and the command exits 3, keeping what it printed before; a batch still
//! reading its input gets no summary. Out-of-range values of `--deadline`
//! and `rates --slow` are usage errors.
//!
//! The servers' clocks are pinned: no tick arrives, so nothing but the
//! deadline ends a call, and what was printed before it is exactly known.

use std::io::Write;
use std::process::{Child, Output};
use std::sync::Arc;

use bank_domain::clock::ManualClock;
use harness::cli::{self, assert_exit};
use harness::metrics::wait_for;
use harness::{PINNED_UNIX_MS, TestServer, pinned_config};
use serde_json::Value;

/// The deadline the tests give: long enough for the call to open and show
/// its first message on a loaded machine, short enough for a quick test.
const DEADLINE: &str = "2s";

/// The exit code of a failure worth retrying later, DEADLINE_EXCEEDED's.
const TRY_AGAIN_LATER: i32 = 3;

fn requests(method: &str, code: &str) -> String {
    format!("bank_rpc_requests_total{{method=\"/bank.v1.BankService/{method}\",code=\"{code}\"}}")
}

/// A pinned server that also serves its metrics.
async fn server_with_metrics() -> (TestServer, std::net::SocketAddr) {
    let clock = Arc::new(ManualClock::new(PINNED_UNIX_MS));
    TestServer::start_with_metrics(pinned_config(&clock)).await
}

/// `bank --json COMMAND --deadline DEADLINE` with `input` written to its
/// standard input, which then stays open: the command can only end by
/// itself (the deadline). What it printed before its failure, and all of it.
async fn until_the_deadline(url: &str, command: &str, input: &str) -> (Vec<Value>, Output) {
    let output = run_with_open_input(url, &["--json", command, "--deadline", DEADLINE], input).await;
    (ended_by_the_deadline(&output), output)
}

async fn run_with_open_input(url: &str, args: &[&str], input: &str) -> Output {
    let mut child: Child = cli::spawn(url, args);
    let mut stdin = child.stdin.take().expect("piped standard input");
    stdin.write_all(input.as_bytes()).expect("input written");
    stdin.flush().expect("input flushed");
    let output = cli::finish(child).await;
    drop(stdin);
    output
}

/// Checks that the command ended with DEADLINE_EXCEEDED and its exit code,
/// in its last `--json` line (a failure's `error` object, or the report of
/// a batch cut short), and returns the lines before it.
fn ended_by_the_deadline(output: &Output) -> Vec<Value> {
    assert_exit(output, TRY_AGAIN_LATER);
    let mut lines = cli::json_lines(output);
    let last = lines
        .pop()
        .unwrap_or_else(|| panic!("no output: {}", cli::describe(output)));
    let batch = last.get("complete").is_some();
    let report = if batch { &last } else { &last["error"] };
    assert_eq!(report["code"], "DEADLINE_EXCEEDED", "{last}");
    assert_eq!(report["exit_code"], TRY_AGAIN_LATER, "{last}");
    if !batch {
        return lines;
    }
    // The batch's own keys: cut short, no summary, the rows it had sent.
    assert_eq!(last["complete"], false, "{last}");
    assert_eq!(last["summary"], Value::Null, "{last}");
    lines.push(last);
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_ends_a_rate_feed_with_deadline_exceeded_after_the_updates_shown() {
    let (server, metrics) = server_with_metrics().await;
    let mut command = cli::bank(&server.url());
    command.args(["--json", "rates", "EUR/USD", "--deadline", DEADLINE]);
    let output = cli::run(command).await;
    let shown = ended_by_the_deadline(&output);
    // The current tick, sent at once, stays printed.
    assert_eq!(shown.len(), 1, "{}", cli::describe(&output));
    assert_eq!(shown[0]["sequence"], PINNED_UNIX_MS / 1_000);
    // The server ended the call itself, on its side of the deadline.
    wait_for(metrics, &requests("StreamRates", "DEADLINE_EXCEEDED"), 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_ends_a_session_with_deadline_exceeded_after_the_replies_printed() {
    let (server, metrics) = server_with_metrics().await;
    let (printed, output) = until_the_deadline(&server.url(), "session", "100 USD EUR\n").await;
    // The reply to the line sent stays printed.
    assert_eq!(printed.len(), 1, "{}", cli::describe(&output));
    let expected = server.direct_convert("100", "USD", "EUR").await;
    assert_eq!(
        printed[0]["conversion"]["converted_amount"], expected.converted_amount,
        "{}",
        printed[0]
    );
    wait_for(metrics, &requests("ConvertSession", "DEADLINE_EXCEEDED"), 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_still_reading_at_its_deadline_gets_deadline_exceeded_and_no_summary() {
    let (server, _metrics) = server_with_metrics().await;
    let (lines, output) = until_the_deadline(&server.url(), "batch", "100,USD,EUR\n").await;
    assert_eq!(lines.len(), 1, "{}", cli::describe(&output));
    assert_eq!(lines[0]["sent"], 1, "{}", lines[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_that_end_before_their_deadline_are_unaffected_by_it() {
    let (server, _metrics) = server_with_metrics().await;
    let mut rates = cli::bank(&server.url());
    rates.args(["--json", "rates", "EUR/USD", "--count", "1", "--deadline", "1h"]);
    let output = cli::run(rates).await;
    assert_exit(&output, 0);
    assert_eq!(cli::json_lines(&output).len(), 1);

    let mut session = cli::bank(&server.url());
    session
        .args(["--json", "session", "--deadline", "1h"])
        .write_stdin("100 USD EUR\n");
    assert_exit(&cli::run(session).await, 0);
}

/// `--deadline` and `--slow` refuse zero, a bare number and a duration
/// past their bound, as usage errors naming the flag.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durations_of_zero_without_a_unit_or_past_their_bound_are_usage_errors() {
    for (command, flag, value, reason) in [
        ("rates", "--deadline", "0s", "DURATION_NOT_POSITIVE"),
        ("batch", "--deadline", "31days", "INVALID_VALUE"),
        ("session", "--deadline", "5", "DURATION_WITHOUT_UNIT"),
        ("rates", "--slow", "0s", "DURATION_NOT_POSITIVE"),
        ("rates", "--slow", "11s", "INVALID_VALUE"),
    ] {
        let mut bank = cli::bank(&cli::unreachable_url());
        bank.args(["--json", command, flag, value]);
        let output = cli::run(bank).await;
        assert_exit(&output, 2);
        let lines = cli::json_lines(&output);
        let error = &lines.last().expect("a failure")["error"];
        assert_eq!(error["reason"], reason, "{command} {flag} {value}: {error}");
        assert_eq!(error["field"], flag, "{error}");
    }
}
