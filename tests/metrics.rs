//! `GET /metrics`: calls counted by method and status code with their
//! latency, open feeds going up and back down, feed updates and skipped
//! ticks, batch items by outcome, the clock's steps and offset, and 404 for
//! anything but `/metrics`.
//!
//! The server's clock is pinned, so ticks happen only when a test moves it:
//! every count below is exact.

mod common;

use std::sync::Arc;

use bank_service::domain::clock::{Clock, ManualClock};
use bank_service::proto::v1::{ConvertRequest, RateUpdate, StreamRatesRequest};
use bank_service::server::Config;
use common::metrics::{get, sample, scrape, wait_for};
use common::{PATIENCE, PINNED_UNIX_MS, SEED, TestServer};
use tonic::Code;

const CONVERT: &str = "/bank.v1.BankService/Convert";
const STREAM_RATES: &str = "/bank.v1.BankService/StreamRates";

/// The default tick of `Config::with_seed`, in milliseconds.
const TICK_MS: u64 = 1_000;

fn requests(method: &str, code: &str) -> String {
    format!("bank_rpc_requests_total{{method=\"{method}\",code=\"{code}\"}}")
}

fn order(amount: &str, from: &str, to: &str) -> ConvertRequest {
    ConvertRequest {
        amount: amount.into(),
        from_currency: from.into(),
        to_currency: to.into(),
        request_id: String::new(),
    }
}

async fn pinned_server_with_metrics() -> (TestServer, std::net::SocketAddr, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(PINNED_UNIX_MS));
    let mut config = Config::with_seed(SEED);
    config.clock = Arc::clone(&clock) as Arc<dyn Clock>;
    let (server, metrics) = TestServer::start_with_metrics(config).await;
    (server, metrics, clock)
}

async fn next_update(feed: &mut tonic::Streaming<RateUpdate>) -> RateUpdate {
    tokio::time::timeout(PATIENCE, feed.message())
        .await
        .expect("an update in time")
        .expect("a healthy feed")
        .expect("an update")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unary_calls_are_counted_by_method_and_code_with_their_latency() {
    let (server, metrics, _clock) = pinned_server_with_metrics().await;
    let mut client = server.client().await;
    for _ in 0..3 {
        client.convert(order("10", "EUR", "USD")).await.expect("converts");
    }
    let refused = client
        .convert(order("10", "EUR", "XXX"))
        .await
        .expect_err("an unknown currency is refused");
    assert_eq!(refused.code(), Code::InvalidArgument);

    let text = wait_for(
        metrics,
        &format!("bank_rpc_latency_seconds_count{{method=\"{CONVERT}\"}}"),
        4,
    )
    .await;
    assert_eq!(sample(&text, &requests(CONVERT, "OK")), Some(3), "{text}");
    assert_eq!(
        sample(&text, &requests(CONVERT, "INVALID_ARGUMENT")),
        Some(1),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            &format!("bank_rpc_latency_seconds_bucket{{method=\"{CONVERT}\",le=\"+Inf\"}}")
        ),
        Some(4),
        "{text}"
    );
    assert_eq!(
        sample(&text, &requests(STREAM_RATES, "OK")),
        None,
        "no feed ran: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_feed_is_a_gauge_that_falls_back_to_zero_when_it_ends() {
    let (server, metrics, clock) = pinned_server_with_metrics().await;
    let mut client = server.client().await;
    let mut feed = client
        .stream_rates(StreamRatesRequest {
            pairs: vec!["EUR/USD".into()],
            max_updates: 0,
        })
        .await
        .expect("the feed opens")
        .into_inner();
    let first = next_update(&mut feed).await;
    wait_for(metrics, "bank_open_feeds", 1).await;

    // Five ticks pass, but the board publishes only when a call looks at
    // the clock: the feed jumps from the first tick to the sixth.
    clock.set(PINNED_UNIX_MS + 5 * TICK_MS);
    client.convert(order("1", "EUR", "USD")).await.expect("converts");
    let second = next_update(&mut feed).await;
    assert_eq!(second.sequence - first.sequence, 5);

    let text = wait_for(metrics, "bank_rate_updates_sent_total", 2).await;
    assert_eq!(sample(&text, "bank_rate_ticks_skipped_total"), Some(4), "{text}");
    assert_eq!(sample(&text, "bank_open_sessions"), Some(0), "{text}");

    drop(feed);
    // The client went away: the stream's work stops and the call is
    // counted as cancelled.
    wait_for(metrics, "bank_open_feeds", 0).await;
    wait_for(metrics, &requests(STREAM_RATES, "CANCELLED"), 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_items_are_counted_by_outcome() {
    let (server, metrics, _clock) = pinned_server_with_metrics().await;
    let items = vec![
        order("10", "EUR", "USD"),
        order("abc", "EUR", "USD"),
        order("5", "GBP", "JPY"),
    ];
    let summary = server
        .client()
        .await
        .convert_batch(tokio_stream::iter(items))
        .await
        .expect("the batch completes")
        .into_inner();
    assert_eq!((summary.accepted, summary.rejected), (2, 1));

    let text = scrape(metrics).await;
    assert_eq!(
        sample(&text, "bank_batch_items_total{outcome=\"accepted\"}"),
        Some(2),
        "{text}"
    );
    assert_eq!(
        sample(&text, "bank_batch_items_total{outcome=\"rejected\"}"),
        Some(1),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_speaks_prometheus_text_and_nothing_else() {
    let (_server, metrics, _clock) = pinned_server_with_metrics().await;
    let found = get(metrics, "/metrics").await;
    assert_eq!(found.status, 200);
    assert!(
        found
            .head
            .to_ascii_lowercase()
            .contains("content-type: text/plain; version=0.0.4"),
        "{}",
        found.head
    );
    for name in [
        "bank_open_feeds",
        "bank_open_sessions",
        "bank_rate_updates_sent_total",
        "bank_rate_ticks_skipped_total",
        "bank_clock_steps_total",
    ] {
        assert_eq!(sample(&found.body, name), Some(0), "{name}:\n{}", found.body);
    }
    // A pinned clock never steps and has nothing to slew.
    assert!(
        found
            .body
            .lines()
            .any(|line| line == "bank_clock_offset_seconds 0.000"),
        "{}",
        found.body
    );
    // At least the rate board's ticker and the metrics endpoint itself.
    let tasks = sample(&found.body, "bank_runtime_alive_tasks");
    assert!(
        tasks.is_some_and(|tasks| tasks >= 2),
        "{tasks:?}:\n{}",
        found.body
    );
    for path in ["/", "/metrics/extra", "/favicon.ico"] {
        assert_eq!(get(metrics, path).await.status, 404, "{path}");
    }
}
