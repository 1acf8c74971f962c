//! `bank --server URL1,URL2,...`: several replicas named at once. Calls are
//! spread over those that answer, an endpoint where nothing listens is
//! skipped, and only a list where nothing answers is an error, naming the
//! list as given.

use std::net::SocketAddr;

use bank_server::Config;
use harness::TestServer;
use harness::cli::{self, assert_exit};
use harness::metrics;

const CONVERT_OK: &str = "bank_rpc_requests_total{method=\"/bank.v1.BankService/Convert\",code=\"OK\"}";

async fn replica() -> (TestServer, SocketAddr) {
    TestServer::start_with_metrics(Config::with_seed(harness::SEED)).await
}

async fn converts_served(metrics_addr: SocketAddr) -> u64 {
    metrics::sample(&metrics::scrape(metrics_addr).await, CONVERT_OK).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_convert_succeeds_with_a_dead_endpoint_in_the_list() {
    let (first, first_metrics) = replica().await;
    let (second, second_metrics) = replica().await;
    let list = format!("{},{},{}", first.url(), cli::unreachable_url(), second.url());
    // Each process starts at a random endpoint of the list, so some of these
    // start at the dead one and must move on.
    const CALLS: u64 = 12;
    for _ in 0..CALLS {
        let mut command = cli::bank(&list);
        command.args(["--json", "convert", "100", "USD", "EUR"]);
        let output = cli::run(command).await;
        assert_exit(&output, 0);
        let answer = &cli::json_lines(&output)[0];
        assert_eq!(answer["from_currency"], "USD", "{answer}");
    }
    let served = converts_served(first_metrics).await + converts_served(second_metrics).await;
    assert_eq!(served, CALLS, "every call was served once, by a live replica");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_of_one_process_are_spread_over_the_live_endpoints() {
    let (first, first_metrics) = replica().await;
    let (second, second_metrics) = replica().await;
    let list = format!("{},{},{}", first.url(), cli::unreachable_url(), second.url());
    let mut command = cli::bank(&list);
    command.args([
        "--json",
        "bench",
        "convert",
        "--requests",
        "200",
        "--connections",
        "4",
        "--concurrency",
        "8",
    ]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);
    let report = &cli::json_lines(&output)[0];
    assert_eq!(report["requests"], 200, "{report}");
    let first_share = converts_served(first_metrics).await;
    let second_share = converts_served(second_metrics).await;
    assert!(first_share > 0, "the first replica served none: {report}");
    assert!(second_share > 0, "the second replica served none: {report}");
    assert_eq!(first_share + second_share, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_where_nothing_answers_is_unreachable_and_named_as_given() {
    let list = format!("{},{}", cli::unreachable_url(), cli::unreachable_url());
    let mut command = cli::bank(&list);
    command.args(["convert", "100", "USD", "EUR"]);
    let output = cli::run(command).await;
    assert_exit(&output, 3);
    let stderr = cli::stderr(&output);
    assert!(stderr.contains(&list), "the error names the list: {stderr}");
}
