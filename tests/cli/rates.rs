//! `bank rates`, piped: one line per update (JSON lines with `--json`),
//! `--count` stops the feed, the quotes are the server's, a gap in sequence
//! numbers is shown, a bad pair exits 1, and French output says
//! `achat`/`vente` with a decimal comma.

use std::collections::HashSet;

use bank_proto::v1::{Quote, StreamRatesRequest};
use harness::cli::{self, assert_exit, localized};
use harness::{PATIENCE, PINNED_UNIX_MS, TestServer};
use regex::Regex;
use rust_decimal::Decimal;

/// A tick short enough that `--count 3` ends quickly on the system clock.
const TICK_MS: u64 = 50;

/// The first update a direct gRPC feed gets on `server`.
async fn direct_quotes(server: &TestServer, pairs: &[&str]) -> (u64, Vec<Quote>) {
    let mut updates = server
        .client()
        .await
        .stream_rates(StreamRatesRequest {
            pairs: pairs.iter().map(|pair| (*pair).to_owned()).collect(),
            max_updates: 1,
            from_sequence: 0,
        })
        .await
        .expect("the direct feed opens")
        .into_inner();
    let update = tokio::time::timeout(PATIENCE, updates.message())
        .await
        .expect("an update in time")
        .expect("a healthy feed")
        .expect("one update");
    (update.sequence, update.quotes)
}

fn decimal(value: &serde_json::Value) -> Decimal {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("a decimal string: {value}"));
    Decimal::from_str_exact(text).unwrap_or_else(|error| panic!("{text}: {error}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn piped_rates_print_one_line_per_update_and_stop_after_count() {
    let server = TestServer::start(TICK_MS).await;
    let mut command = cli::bank(&server.url());
    command.args(["rates", "EUR/USD", "gbpusd", "--count", "3"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);

    let lines = cli::stdout_lines(&output);
    let updates: Vec<&String> = lines.iter().filter(|line| line.starts_with('#')).collect();
    assert_eq!(updates.len(), 3, "{}", cli::describe(&output));
    let update_line =
        Regex::new(r"^#(\d+) \S+  EUR/USD bid \S+ mid \S+ ask \S+; GBP/USD bid \S+ mid \S+ ask \S+$")
            .expect("regex");
    let mut sequences = Vec::new();
    for line in &updates {
        let captures = update_line
            .captures(line)
            .unwrap_or_else(|| panic!("update line: {line}"));
        sequences.push(captures[1].parse::<u64>().expect("a sequence number"));
    }
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "{sequences:?}");
    // Only a gap notice may come between updates.
    for line in lines.iter().filter(|line| !line.starts_with('#')) {
        assert!(line.contains("skipped"), "unexpected line: {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_rates_print_one_object_per_update() {
    let server = TestServer::start(TICK_MS).await;
    let mut command = cli::bank(&server.url());
    command.args(["--json", "rates", "EUR/USD", "usd/jpy", "--count", "2"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);

    let updates = cli::json_lines(&output);
    assert_eq!(updates.len(), 2, "{}", cli::describe(&output));
    for update in &updates {
        assert!(update["sequence"].is_u64(), "{update}");
        assert!(update["skipped"].is_u64(), "{update}");
        let quotes = update["quotes"].as_array().expect("quotes");
        let pairs: Vec<&str> = quotes.iter().filter_map(|q| q["pair"].as_str()).collect();
        assert_eq!(pairs, ["EUR/USD", "USD/JPY"], "{update}");
        for quote in quotes {
            let (bid, mid, ask) = (
                decimal(&quote["bid"]),
                decimal(&quote["mid"]),
                decimal(&quote["ask"]),
            );
            assert!(bid < mid && mid < ask, "{quote}");
        }
    }
    let first = updates[0]["sequence"].as_u64().expect("sequence");
    let second = updates[1]["sequence"].as_u64().expect("sequence");
    assert!(second > first);
    assert_eq!(updates[0]["skipped"], 0);
    assert_eq!(
        updates[1]["skipped"],
        second - first - 1,
        "skipped counts the gap"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_rates_carry_exactly_the_servers_quotes() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command.args(["--json", "rates", "eur/usd", "EUR-XOF", "--count", "1"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);

    let updates = cli::json_lines(&output);
    assert_eq!(updates.len(), 1, "{}", cli::describe(&output));
    let (sequence, quotes) = direct_quotes(&server, &["EUR/USD", "EUR/XOF"]).await;
    assert_eq!(updates[0]["sequence"], sequence);
    assert_eq!(updates[0]["sequence"], PINNED_UNIX_MS / 1_000);
    let json_quotes = updates[0]["quotes"].as_array().expect("quotes");
    assert_eq!(json_quotes.len(), quotes.len());
    for (json, quote) in json_quotes.iter().zip(&quotes) {
        assert_eq!(json["pair"], quote.pair.as_str());
        assert_eq!(json["bid"], quote.bid.as_str());
        assert_eq!(json["mid"], quote.mid.as_str());
        assert_eq!(json["ask"], quote.ask.as_str());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_pairs_the_feed_quotes_every_currency_against_usd() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command.args(["--json", "rates", "--count", "1"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);

    let updates = cli::json_lines(&output);
    let (_, quotes) = direct_quotes(&server, &[]).await;
    let pairs: HashSet<&str> = updates[0]["quotes"]
        .as_array()
        .expect("quotes")
        .iter()
        .filter_map(|quote| quote["pair"].as_str())
        .collect();
    assert!(pairs.len() >= 29, "{pairs:?}");
    assert!(pairs.iter().all(|pair| pair.ends_with("/USD")), "{pairs:?}");
    assert_eq!(pairs, quotes.iter().map(|quote| quote.pair.as_str()).collect());
}

/// Runs `args` (a two-update feed) against a pinned server and, once the
/// feed is open, moves the clock five ticks at once: the second update is
/// five ticks after the first, four skipped.
async fn feed_across_a_five_tick_jump(args: &[&str]) -> std::process::Output {
    let (server, clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command.args(args);
    let running = tokio::spawn(cli::run(command));
    server
        .wait_until("the feed is open", |server| server.open.feeds() == 1)
        .await;
    server.publish_tick(&clock, PINNED_UNIX_MS + 5_000).await;
    running.await.expect("the run did not panic")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_in_sequence_numbers_is_shown_not_hidden() {
    let output = feed_across_a_five_tick_jump(&["--json", "rates", "EUR/USD", "--count", "2"]).await;
    assert_exit(&output, 0);
    let updates = cli::json_lines(&output);
    assert_eq!(updates.len(), 2, "{}", cli::describe(&output));
    assert_eq!(updates[0]["sequence"], PINNED_UNIX_MS / 1_000);
    assert_eq!(updates[1]["sequence"], PINNED_UNIX_MS / 1_000 + 5);
    assert_eq!(updates[1]["skipped"], 4);

    let output = feed_across_a_five_tick_jump(&["rates", "EUR/USD", "--count", "2"]).await;
    assert_exit(&output, 0);
    let lines = cli::stdout_lines(&output);
    assert_eq!(lines.len(), 3, "update, gap, update: {}", cli::describe(&output));
    assert!(
        lines[0].starts_with('#') && lines[2].starts_with('#'),
        "{lines:?}"
    );
    assert!(lines[1].contains("4 ticks skipped"), "{}", lines[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_pair_exits_one_and_prints_no_update() {
    let (server, _clock) = TestServer::start_pinned().await;
    for (pair, reason) in [
        ("EUR/XXX", "CURRENCY_NOT_SUPPORTED"),
        ("EUR/EUR", "PAIR_SAME_CURRENCY"),
        ("EURO", "PAIR_MALFORMED"),
    ] {
        let mut command = cli::bank(&server.url());
        command.args(["rates", "EUR/USD", pair, "--count", "1"]);
        let output = cli::run(command).await;
        assert_exit(&output, 1);
        assert_eq!(cli::stdout(&output), "", "{pair}");
        assert!(!cli::stderr(&output).is_empty(), "{pair} explains itself");

        let mut command = cli::bank(&server.url());
        command.args(["--json", "rates", "EUR/USD", pair, "--count", "1"]);
        let output = cli::run(command).await;
        assert_exit(&output, 1);
        let lines = cli::json_lines(&output);
        assert_eq!(lines.len(), 1, "no update, one error: {}", cli::describe(&output));
        assert_eq!(lines[0]["error"]["reason"], reason, "{pair}");
        assert_eq!(lines[0]["error"]["field"], "pairs", "{pair}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn french_piped_rates_say_achat_and_vente_with_a_decimal_comma() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command.args(["--lang", "fr", "rates", "EUR/USD", "--count", "1"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);

    let (sequence, quotes) = direct_quotes(&server, &["EUR/USD"]).await;
    let quote = &quotes[0];
    let lines = cli::stdout_lines(&output);
    assert_eq!(lines.len(), 1, "{}", cli::describe(&output));
    let expected = format!(
        "EUR/USD achat {} moyen {} vente {}",
        localized("fr", &quote.bid),
        localized("fr", &quote.mid),
        localized("fr", &quote.ask)
    );
    assert!(lines[0].starts_with(&format!("#{sequence} ")), "{}", lines[0]);
    assert!(
        lines[0].ends_with(&expected),
        "{} should end with {expected}",
        lines[0]
    );
    assert!(
        quote.mid.contains('.') && lines[0].contains(','),
        "a decimal comma"
    );
}
