//! `GET /metrics`: calls counted by method and status code with their
//! latency, open feeds going up and back down, feed updates and skipped
//! ticks, batch items by outcome, refused calls by reason, the clock's
//! steps and offset, the process's metrics and the build info, and 404 for
//! anything but `/metrics`. A scrape after calls of every model passes
//! `promtool check metrics` without a warning: Prometheus's own lint, from
//! Debian's `prometheus` package, which `.ci/run` installs; the test is
//! skipped, saying why, where promtool is missing, except under CI
//! (`CI=true`), where it fails.
//!
//! The server's clock is pinned, so ticks happen only when a test moves it:
//! every count below is exact.

use std::sync::Arc;

use bank_domain::clock::{Clock, ManualClock};
use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_proto::v1::{
    ConvertRequest, GetRateHistoryRequest, ListCurrenciesRequest, RateUpdate, StreamRatesRequest,
};
use bank_server::ApiTokens;
use bank_server::Config;
use bank_server::Refusal;
use harness::metrics::{get, promtool_check_metrics, sample, sample_decimal, scrape, wait_for};
use harness::session::Session;
use harness::{PATIENCE, PINNED_UNIX_MS, SEED, TestServer};
use rust_decimal::Decimal;
use tonic::Code;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

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
        at: None,
    }
}

/// A Convert the server refuses: INVALID_ARGUMENT.
async fn convert_to_an_unknown_currency(client: &mut BankServiceClient<Channel>) {
    let refused = client
        .convert(order("10", "EUR", "XXX"))
        .await
        .expect_err("an unknown currency is refused");
    assert_eq!(refused.code(), Code::InvalidArgument);
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
    convert_to_an_unknown_currency(&mut client).await;

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
            from_sequence: 0,
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
    assert_eq!(
        sample_decimal(&found.body, "bank_clock_offset_seconds"),
        Some(Decimal::ZERO),
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

fn refused(reason: Refusal) -> String {
    format!("bank_calls_refused_total{{reason=\"{}\"}}", reason.label())
}

fn feed_request() -> StreamRatesRequest {
    StreamRatesRequest {
        pairs: vec!["EUR/USD".into()],
        max_updates: 0,
        from_sequence: 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_reason_is_exposed_at_zero_before_any_refusal() {
    let (_server, metrics, _clock) = pinned_server_with_metrics().await;
    let text = scrape(metrics).await;
    assert!(
        text.contains("# TYPE bank_calls_refused_total counter\n"),
        "{text}"
    );
    for reason in Refusal::ALL {
        assert_eq!(sample(&text, &refused(reason)), Some(0), "{reason:?}:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_and_sessions_over_their_caps_are_counted_by_reason() {
    let mut config = Config::with_seed(SEED);
    config.limits.max_feeds = 1;
    config.limits.max_sessions = 1;
    let (server, metrics) = TestServer::start_with_metrics(config).await;
    let mut client = server.client().await;

    let _open_feed = client
        .stream_rates(feed_request())
        .await
        .expect("the first feed opens")
        .into_inner();
    for _ in 0..2 {
        let status = client
            .stream_rates(feed_request())
            .await
            .expect_err("a feed over the cap is refused");
        assert_eq!(status.code(), Code::ResourceExhausted);
    }
    let _open_session = Session::open(&mut client).await;
    let (_requests, outgoing) = tokio::sync::mpsc::channel(1);
    let status = client
        .convert_session(tokio_stream::wrappers::ReceiverStream::new(outgoing))
        .await
        .expect_err("a session over the cap is refused");
    assert_eq!(status.code(), Code::ResourceExhausted);

    let text = scrape(metrics).await;
    assert_eq!(sample(&text, &refused(Refusal::FeedCap)), Some(2), "{text}");
    assert_eq!(sample(&text, &refused(Refusal::SessionCap)), Some(1), "{text}");
    assert_eq!(
        sample(&text, &refused(Refusal::Unauthenticated)),
        Some(0),
        "{text}"
    );
    assert_eq!(sample(&text, &refused(Refusal::Draining)), Some(0), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_without_an_accepted_token_are_counted_as_unauthenticated() {
    const TOKEN: &str = "metrics-test-token";
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("tokens");
    std::fs::write(&path, format!("{TOKEN}\n")).expect("token file written");
    let mut config = Config::with_seed(SEED);
    config.auth_tokens = Some(Arc::new(ApiTokens::load(&path).expect("the token file loads")));
    let (server, metrics) = TestServer::start_with_metrics(config).await;
    let mut client = server.client().await;

    for authorization in [None, Some("Bearer not-the-token")] {
        let mut request = tonic::Request::new(order("1", "USD", "EUR"));
        if let Some(value) = authorization {
            let value: MetadataValue<_> = value.parse().expect("an ASCII header value");
            request.metadata_mut().insert("authorization", value);
        }
        let status = client
            .convert(request)
            .await
            .expect_err("refused without the token");
        assert_eq!(status.code(), Code::Unauthenticated);
    }
    let mut accepted = tonic::Request::new(order("1", "USD", "EUR"));
    let value: MetadataValue<_> = format!("Bearer {TOKEN}").parse().expect("an ASCII header value");
    accepted.metadata_mut().insert("authorization", value);
    client.convert(accepted).await.expect("the token is accepted");

    let text = scrape(metrics).await;
    assert_eq!(
        sample(&text, &refused(Refusal::Unauthenticated)),
        Some(2),
        "{text}"
    );
    assert_eq!(sample(&text, &refused(Refusal::FeedCap)), Some(0), "{text}");
}

/// A client that resets its stream halfway through sending its request
/// left: the call is CANCELLED, not UNKNOWN.
#[tokio::test]
async fn a_client_that_leaves_mid_request_is_counted_as_cancelled() {
    let (server, metrics, _clock) = pinned_server_with_metrics().await;
    let mut connection = harness::raw_h2::RawConnection::open(server.addr).await;
    let (_response, mut body) = connection.start("Convert").await.expect("the call opens");
    let frame = harness::raw_h2::grpc_frame(&order("100", "EUR", "USD"));
    body.send_data(frame.slice(..4), false).expect("half a message");
    body.send_reset(h2::Reason::CANCEL);
    wait_for(metrics, &requests(CONVERT, "CANCELLED"), 1).await;
    let text = scrape(metrics).await;
    assert_eq!(sample(&text, &requests(CONVERT, "UNKNOWN")), None, "{text}");
}

/// Load shedding refuses a call at once, and says so in the metrics.
#[tokio::test]
async fn a_call_shed_by_the_connection_limit_is_counted_as_a_refusal() {
    let clock = Arc::new(ManualClock::new(PINNED_UNIX_MS));
    let mut config = Config::with_seed(SEED);
    config.clock = Arc::clone(&clock) as Arc<dyn Clock>;
    config.transport.concurrency_per_connection = 1;
    let (server, metrics) = TestServer::start_with_metrics(config).await;
    let mut connection = harness::raw_h2::RawConnection::open(server.addr).await;
    // A batch holds the connection's only handler place until it ends.
    let (_batch, mut batch_body) = connection.start("ConvertBatch").await.expect("the batch opens");
    batch_body
        .send_data(harness::raw_h2::grpc_frame(&order("1", "EUR", "USD")), false)
        .expect("an item");
    assert_eq!(
        connection.call("Convert", &order("1", "EUR", "USD")).await,
        Code::ResourceExhausted
    );
    wait_for(
        metrics,
        &format!("bank_calls_refused_total{{reason=\"{}\"}}", Refusal::Shed.label()),
        1,
    )
    .await;
}

/// One call of every RPC the server serves, each model included: unary
/// (ListCurrencies, Convert, GetRateHistory, a refused Convert, health),
/// server streaming (StreamRates), client streaming (ConvertBatch) and
/// bidirectional (ConvertSession).
async fn call_every_model(server: &TestServer, clock: &ManualClock) {
    let mut client = server.client().await;
    client
        .list_currencies(ListCurrenciesRequest {})
        .await
        .expect("currencies are listed");
    client.convert(order("10", "EUR", "USD")).await.expect("converts");
    convert_to_an_unknown_currency(&mut client).await;

    let mut feed = client
        .stream_rates(feed_request())
        .await
        .expect("the feed opens")
        .into_inner();
    next_update(&mut feed).await;
    clock.set(PINNED_UNIX_MS + 2 * TICK_MS);
    client.convert(order("1", "EUR", "USD")).await.expect("converts");
    next_update(&mut feed).await;
    drop(feed);

    let history = client
        .get_rate_history(GetRateHistoryRequest {
            pair: "EUR/USD".into(),
            start_time: Some(prost_types::Timestamp {
                seconds: i64::try_from(PINNED_UNIX_MS / 1_000).expect("fits"),
                nanos: 0,
            }),
            end_time: None,
            interval: None,
        })
        .await
        .expect("the history answers")
        .into_inner();
    assert!(!history.candles.is_empty());

    let summary = client
        .convert_batch(tokio_stream::iter(vec![
            order("10", "EUR", "USD"),
            order("abc", "EUR", "USD"),
        ]))
        .await
        .expect("the batch completes")
        .into_inner();
    assert_eq!((summary.accepted, summary.rejected), (1, 1));

    let mut session = Session::open(&mut client).await;
    session.send(order("5", "GBP", "JPY")).await;
    session.conversion().await;
    drop(session);

    HealthClient::new(server.channel().await)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("health answers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scrape_after_calls_of_every_model_passes_promtool_check_metrics_without_a_warning() {
    let (server, metrics, clock) = pinned_server_with_metrics().await;
    call_every_model(&server, &clock).await;
    // The streams' ends are counted when the server sees them.
    wait_for(metrics, "bank_open_feeds", 0).await;
    wait_for(metrics, "bank_open_sessions", 0).await;
    let text = scrape(metrics).await;
    for model in ["Convert", "StreamRates", "ConvertBatch", "ConvertSession"] {
        let method = format!("/bank.v1.BankService/{model}");
        assert!(
            text.contains(&format!("bank_rpc_latency_seconds_count{{method=\"{method}\"}}")),
            "{model}:\n{text}"
        );
    }

    let Some(verdict) = promtool_check_metrics(&text).await else {
        harness::skip_outside_ci("promtool is not installed (apt-get install prometheus)");
        return;
    };
    assert!(
        verdict.passed,
        "promtool check metrics failed:\n{}\n{text}",
        verdict.output
    );
    assert_eq!(verdict.output.trim(), "", "promtool's warnings:\n{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_process_metrics_are_exposed_with_plausible_values() {
    let (_server, metrics, _clock) = pinned_server_with_metrics().await;
    let text = scrape(metrics).await;
    for (name, kind) in [
        ("process_cpu_seconds_total", "counter"),
        ("process_resident_memory_bytes", "gauge"),
        ("process_virtual_memory_bytes", "gauge"),
        ("process_open_fds", "gauge"),
        ("process_max_fds", "gauge"),
        ("process_start_time_seconds", "gauge"),
        ("process_threads", "gauge"),
    ] {
        assert!(
            text.contains(&format!("# TYPE {name} {kind}\n")),
            "{name}:\n{text}"
        );
    }
    let value = |name| sample(&text, name).unwrap_or_else(|| panic!("{name}:\n{text}"));
    // The server runs in this test's process: at least a mebibyte resident,
    // less than the machine has.
    let resident = value("process_resident_memory_bytes");
    assert!((1 << 20..1 << 40).contains(&resident), "{resident}");
    assert!(value("process_virtual_memory_bytes") >= resident);
    // The listeners of the server and of its metrics at least.
    let open = value("process_open_fds");
    assert!(open >= 2, "{open}");
    assert!(value("process_max_fds") >= open);
    // The runtime's two workers at least.
    assert!(value("process_threads") >= 2, "{text}");
    let cpu = sample_decimal(&text, "process_cpu_seconds_total").expect("CPU time");
    assert!(cpu >= Decimal::ZERO, "{cpu}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the machine's clock is after 1970")
        .as_secs();
    let started = value("process_start_time_seconds");
    assert!(
        started <= now + 1 && started + 24 * 3_600 > now,
        "started at {started}, now {now}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_build_info_is_one_series_at_1_naming_the_crate_version() {
    let (_server, metrics, _clock) = pinned_server_with_metrics().await;
    let text = scrape(metrics).await;
    assert!(text.contains("# TYPE bank_build_info gauge\n"), "{text}");
    let series: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("bank_build_info{"))
        .collect();
    assert_eq!(series.len(), 1, "{text}");
    let version = format!("{{version=\"{}\",", env!("CARGO_PKG_VERSION"));
    assert!(series[0].contains(&version), "{}", series[0]);
    assert!(series[0].contains(",rustc=\"1."), "{}", series[0]);
    assert!(series[0].ends_with("} 1"), "{}", series[0]);
}
