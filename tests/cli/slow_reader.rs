//! `bank rates --slow`: a reader slow on purpose. The server sends the
//! latest tick when the reader makes room, never a queue of old ones, and
//! the command shows each gap: `skipped` in JSON, a line between the two
//! updates in piped text. The server ticks fast (every
//! [`FAST_TICK_MS`] ms) and the reader waits [`SLOW`] between reads, so
//! many ticks pass between two reads whatever the machine's speed.

use harness::TestServer;
use harness::cli::{self, assert_exit};
use regex::Regex;
use serde_json::Value;

/// The server's tick: ten ticks pass during each of the reader's waits.
const FAST_TICK_MS: u64 = 10;

/// The reader's wait between two reads.
const SLOW: &str = "100ms";

/// Updates read: the few the small receive window lets the server send
/// ahead, then enough slow reads to see gaps after them.
const UPDATES: usize = 15;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_gets_the_latest_tick_and_each_gap_in_json() {
    let server = TestServer::start(FAST_TICK_MS).await;
    let mut command = cli::bank(&server.url());
    let count = UPDATES.to_string();
    command.args(["--json", "rates", "EUR/USD", "--slow", SLOW, "--count", &count]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);

    let updates = cli::json_lines(&output);
    assert_eq!(updates.len(), UPDATES, "{}", cli::describe(&output));
    let number = |update: &Value, key: &str| update[key].as_u64().expect("a number");
    for pair in updates.windows(2) {
        let gap = number(&pair[1], "sequence") - number(&pair[0], "sequence") - 1;
        assert_eq!(number(&pair[1], "skipped"), gap, "{pair:?}");
    }
    let skipped: u64 = updates.iter().map(|update| number(update, "skipped")).sum();
    assert!(skipped > 0, "no tick skipped: {updates:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_sees_each_gap_between_the_piped_updates() {
    let server = TestServer::start(FAST_TICK_MS).await;
    let mut command = cli::bank(&server.url());
    let count = UPDATES.to_string();
    command.args(["rates", "EUR/USD", "--slow", SLOW, "--count", &count]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);

    // `#SEQUENCE …` per update; a gap line, naming the count, between two
    // updates whose sequences are not consecutive.
    let update = Regex::new(r"^#(\d+) ").expect("regex");
    let first_number = Regex::new(r"\d+").expect("regex");
    let lines = cli::stdout_lines(&output);
    let mut previous: Option<u64> = None;
    let mut gap_line: Option<u64> = None;
    let (mut updates, mut gaps) = (0, 0);
    for line in &lines {
        if let Some(capture) = update.captures(line) {
            let sequence: u64 = capture[1].parse().expect("a sequence");
            if let Some(previous) = previous {
                let gap = sequence - previous - 1;
                assert_eq!(
                    gap_line.take().unwrap_or(0),
                    gap,
                    "before #{sequence}:\n{lines:#?}"
                );
                gaps += u64::from(gap > 0);
            }
            previous = Some(sequence);
            updates += 1;
        } else {
            let count = first_number.find(line).expect("a gap line names its count");
            gap_line = Some(count.as_str().parse().expect("a count"));
        }
    }
    assert_eq!(updates, UPDATES, "{lines:#?}");
    assert!(gaps > 0, "no gap shown:\n{lines:#?}");
}
