//! The CLI when the server goes away: `bank rates` resumes after a server
//! restart from the tick after the last it showed, and misses none; `bank convert` does not repeat a
//! call the server answered; `bank batch` cut off by a dying server says
//! how many rows it sent, shows no total and exits 3.

use std::io::Write;
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bank_domain::clock::ManualClock;
use bank_i18n::tr;
use bank_i18n::{Lang, Messages};
use bank_server::Config;
use harness::cli::{self, assert_exit};
use harness::metrics::{sample, scrape, wait_for};
use harness::server_process::ServerProcess;
use harness::{PATIENCE, PINNED_UNIX_MS, SEED, TestServer, pinned_config};

/// The default tick of `Config::with_seed`, in milliseconds.
const TICK_MS: u64 = 1_000;

/// Ticks that pass while the server is down in the restart test.
const TICKS_WHILE_DOWN: u64 = 5;

/// Rows the batch tests get through before the server dies: more than the
/// CLI's read-ahead buffer, so rows really are in flight.
const ROWS_BEFORE_DEATH: u64 = 2_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rates_resume_after_a_server_restart_without_missing_a_tick() {
    let clock = Arc::new(ManualClock::new(PINNED_UNIX_MS));
    let first = TestServer::start_with(pinned_config(&clock)).await;
    let addr = first.addr;
    let url = first.url();

    let mut command = cli::bank(&url);
    // One update before the restart, then the ticks that passed while the
    // server was down, replayed.
    let count = (1 + TICKS_WHILE_DOWN).to_string();
    command.args(["--json", "rates", "EUR/USD", "--count", &count]);
    let running = tokio::spawn(cli::run(command));

    // The pinned clock never ticks, so the feed sends its one current
    // update and waits; the drain then ends it with UNAVAILABLE.
    first
        .wait_until("the CLI subscribed", |server| server.open.feeds() == 1)
        .await;
    first.stop().await.expect("the first server stops cleanly");

    clock.set(PINNED_UNIX_MS + TICKS_WHILE_DOWN * TICK_MS);
    let second = TestServer::start_on(addr, pinned_config(&clock)).await;

    let output = tokio::time::timeout(PATIENCE, running)
        .await
        .expect("the CLI finishes in time")
        .expect("the CLI run did not panic");
    assert_exit(&output, 0);
    let updates = cli::json_lines(&output);
    let sequences: Vec<u64> = updates
        .iter()
        .map(|update| update["sequence"].as_u64().expect("a sequence"))
        .collect();
    let first = PINNED_UNIX_MS / TICK_MS;
    assert_eq!(sequences, (first..=first + TICKS_WHILE_DOWN).collect::<Vec<_>>());
    assert!(
        updates.iter().all(|update| update["skipped"] == 0),
        "{}",
        cli::describe(&output)
    );

    let notice = tr!(Messages::of(Lang::En), "rates-reconnecting", url = url);
    assert!(
        cli::stderr(&output).lines().any(|line| line == notice),
        "no reconnect notice: {}",
        cli::describe(&output)
    );
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn convert_is_not_retried_when_the_server_refuses_it() {
    let (server, metrics) = TestServer::start_with_metrics(Config::with_seed(SEED)).await;
    let mut command = cli::bank(&server.url());
    command.args(["convert", "10", "EUR", "XXX"]);
    let output = cli::run(command).await;
    assert_exit(&output, 1);

    let convert = "/bank.v1.BankService/Convert";
    let text = wait_for(
        metrics,
        &format!("bank_rpc_requests_total{{method=\"{convert}\",code=\"INVALID_ARGUMENT\"}}"),
        1,
    )
    .await;
    assert_eq!(
        sample(
            &text,
            &format!("bank_rpc_latency_seconds_count{{method=\"{convert}\"}}")
        ),
        Some(1),
        "one call, no retry:\n{text}"
    );
}

/// Runs `bank batch -` against a server process, feeds it
/// [`ROWS_BEFORE_DEATH`] rows and keeps its input open; once the server has
/// counted them all, kills the server and returns what the CLI printed.
async fn batch_cut_by_server_death(json: bool) -> Output {
    let mut server = ServerProcess::start();
    let mut command = cli::bank_process();
    command.arg("--server").arg(server.url());
    if json {
        command.arg("--json");
    }
    let mut bank = command
        .args(["batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bank starts");
    let mut input = bank.stdin.take().expect("piped stdin");
    let rows = "10,EUR,USD\n".repeat(usize::try_from(ROWS_BEFORE_DEATH).expect("small"));
    input.write_all(rows.as_bytes()).expect("rows written");
    input.flush().expect("rows flushed");

    wait_for(
        server.metrics,
        "bank_batch_items_total{outcome=\"accepted\"}",
        ROWS_BEFORE_DEATH,
    )
    .await;
    let text = scrape(server.metrics).await;
    assert_eq!(
        sample(
            &text,
            "bank_rpc_requests_total{method=\"/bank.v1.BankService/ConvertBatch\",code=\"OK\"}"
        ),
        None
    );
    server.kill();

    // The CLI must give up by itself, with its input still open.
    let finished = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + PATIENCE;
        while bank.try_wait().expect("bank is waitable").is_none() {
            if Instant::now() >= deadline {
                let _ = bank.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        bank.wait_with_output().expect("bank output")
    });
    let output = finished.await.expect("the wait did not panic");
    drop(input);
    output
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_cut_by_server_death_says_what_was_sent_shows_no_total_and_exits_3() {
    let output = batch_cut_by_server_death(false).await;
    assert_exit(&output, 3);
    assert!(
        cli::stdout_lines(&output).is_empty(),
        "no counts or totals: {}",
        cli::describe(&output)
    );
    let incomplete = tr!(
        Messages::of(Lang::En),
        "batch-incomplete",
        sent = ROWS_BEFORE_DEATH,
        // Counts are grouped the user's way: 2,000 in English.
        sent_text = "2,000"
    );
    assert!(
        cli::stderr(&output).contains(&incomplete),
        "{}",
        cli::describe(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_cut_by_server_death_prints_an_incomplete_json_object() {
    let output = batch_cut_by_server_death(true).await;
    assert_exit(&output, 3);
    let objects = cli::json_lines(&output);
    assert_eq!(objects.len(), 1, "{}", cli::describe(&output));
    let object = &objects[0];
    assert_eq!(object["complete"], false, "{object}");
    assert_eq!(object["sent"], ROWS_BEFORE_DEATH, "{object}");
    assert!(object["summary"].is_null(), "{object}");
    assert_eq!(object["code"], "UNAVAILABLE", "{object}");
    // The keys of every `--json` failure, beside the batch's own.
    assert_eq!(object["reason"], "SERVER_UNAVAILABLE", "{object}");
    assert_eq!(object["exit_code"], 3, "{object}");
    assert!(object.get("totals").is_none(), "{object}");
}
