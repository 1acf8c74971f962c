//! `bank history`, `bank convert --at`: CSV on a pipe, JSON lines, a chart
//! on a terminal in both languages, and conversions priced at a past tick,
//! each checked against the server's own answer.

use bank_proto::v1::{ConvertRequest, GetRateHistoryRequest};
use harness::cli::{self, assert_exit, localized};
use harness::terminal::Terminal;
use harness::{PINNED_UNIX_MS, TestServer};
use prost_types::Timestamp;

/// RFC 3339 of a Unix time in milliseconds (whole seconds here).
fn rfc3339(unix_ms: u64) -> String {
    Timestamp {
        seconds: (unix_ms / 1_000) as i64,
        nanos: 0,
    }
    .to_string()
}

/// Ten minutes before the pinned instant, to it, by minutes.
fn ten_minutes() -> [String; 2] {
    [rfc3339(PINNED_UNIX_MS - 600_000), rfc3339(PINNED_UNIX_MS)]
}

async fn direct_history(server: &TestServer) -> Vec<bank_proto::v1::Candle> {
    let [from, to] = ten_minutes();
    server
        .client()
        .await
        .get_rate_history(GetRateHistoryRequest {
            pair: "EUR/USD".into(),
            start_time: Some(from.parse().expect("a time")),
            end_time: Some(to.parse().expect("a time")),
            interval: Some(prost_types::Duration {
                seconds: 60,
                nanos: 0,
            }),
        })
        .await
        .expect("history")
        .into_inner()
        .candles
}

fn history_args() -> Vec<String> {
    let [from, to] = ten_minutes();
    [
        "history",
        "eur/usd",
        "--from",
        &from,
        "--to",
        &to,
        "--interval",
        "1m",
    ]
    .map(str::to_owned)
    .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn piped_history_is_csv_with_the_servers_candles() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command.args(history_args());
    let output = cli::run(command).await;
    assert_exit(&output, 0);
    let expected = direct_history(&server).await;
    let lines = cli::stdout_lines(&output);
    assert_eq!(lines[0], "time,first_sequence,last_sequence,open,high,low,close");
    assert_eq!(lines.len(), expected.len() + 1);
    // Ten minutes not aligned on minutes: partial first and last candles.
    assert_eq!(expected.len(), 11);
    for (line, candle) in lines[1..].iter().zip(&expected) {
        let row = format!(
            "{},{},{},{},{},{},{}",
            candle.time.expect("a time"),
            candle.first_sequence,
            candle.last_sequence,
            candle.open,
            candle.high,
            candle.low,
            candle.close
        );
        assert_eq!(line, &row);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_history_is_one_candle_a_line_the_same_in_french() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut outputs = Vec::new();
    for lang in ["en", "fr"] {
        let mut command = cli::bank(&server.url());
        command.args(["--lang", lang, "--json"]).args(history_args());
        let output = cli::run(command).await;
        assert_exit(&output, 0);
        outputs.push(cli::stdout(&output));
    }
    assert_eq!(outputs[0], outputs[1]);
    let expected = direct_history(&server).await;
    let mut command = cli::bank(&server.url());
    command.arg("--json").args(history_args());
    let candles = cli::json_lines(&cli::run(command).await);
    assert_eq!(candles.len(), expected.len());
    for (json, candle) in candles.iter().zip(&expected) {
        assert_eq!(json["high"], candle.high.as_str());
        assert_eq!(json["last_sequence"], candle.last_sequence);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_history_draws_a_chart_and_sums_up_the_period_in_each_language() {
    let (server, _clock) = TestServer::start_pinned().await;
    let expected = direct_history(&server).await;
    let url = server.url();
    for (lang, word) in [("en", "candles"), ("fr", "bougies")] {
        let mut args = vec!["--server", &url, "--lang", lang];
        let history = history_args();
        args.extend(history.iter().map(String::as_str));
        let terminal = Terminal::start(24, 100, &[], &args, "");
        let (code, output) = terminal.finish().await;
        assert_eq!(code, 0, "{output}");
        let high = expected
            .iter()
            .map(|candle| rust_decimal::Decimal::from_str_exact(&candle.high).expect("a decimal"))
            .max()
            .expect("candles");
        // The summary, with the period's high as the language writes it.
        assert!(output.contains(&format!("{} {word}", expected.len())), "{output}");
        assert!(output.contains(&localized(lang, &high.to_string())), "{output}");
        // The chart: its axis, and braille or block marks.
        assert!(output.contains('│') && output.contains('└'), "{output}");
        assert!(
            output
                .chars()
                .any(|c| ('\u{2800}'..='\u{28FF}').contains(&c) || c == '█'),
            "{output}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn convert_at_a_past_instant_is_priced_at_that_tick() {
    let (server, _clock) = TestServer::start_pinned().await;
    let then = PINNED_UNIX_MS - 90_000;
    let direct = server
        .client()
        .await
        .convert(ConvertRequest {
            at: Some(Timestamp {
                seconds: (then / 1_000) as i64,
                nanos: 0,
            }),
            ..harness::conversion("250", "GBP", "JPY", "")
        })
        .await
        .expect("converts")
        .into_inner();
    let mut command = cli::bank(&server.url());
    command.args(["--json", "convert", "250", "GBP", "JPY", "--at", &rfc3339(then)]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);
    let json = &cli::json_lines(&output)[0];
    assert_eq!(json["rate_sequence"], then / 1_000);
    assert_eq!(json["converted_amount"], direct.converted_amount.as_str());

    // In the future: the server refuses it (exit 1).
    let mut command = cli::bank(&server.url());
    command.args([
        "convert",
        "250",
        "GBP",
        "JPY",
        "--at",
        &rfc3339(PINNED_UNIX_MS + 60_000),
    ]);
    assert_exit(&cli::run(command).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_at_a_past_instant_prices_every_row_at_that_tick() {
    let (server, _clock) = TestServer::start_pinned().await;
    let then = PINNED_UNIX_MS - 3_600_000;
    let mut command = cli::bank(&server.url());
    command
        .args(["--json", "batch", "-", "--at", &rfc3339(then)])
        .write_stdin("10,EUR,USD\n20,GBP,JPY\n");
    let output = cli::run(command).await;
    assert_exit(&output, 0);
    let summary = &cli::json_lines(&output)[0];
    assert_eq!(summary["accepted"], 2);
    assert_eq!(summary["rate_sequence"], then / 1_000);
}
