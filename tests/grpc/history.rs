//! Rates through time: a feed resumed with `from_sequence` replays every
//! missed tick exactly as it was published; `GetRateHistory` computes exact
//! candles; `at` prices a conversion at a past instant; and no RPC ever
//! reveals a tick before it starts.

use std::sync::Arc;
use std::time::Duration;

use bank_domain::clock::{Clock, ManualClock};
use bank_domain::history::{MAX_HISTORY_AGE_MS, MAX_REPLAY_TICKS};
use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_proto::v1::{ConvertRequest, GetRateHistoryRequest, RateUpdate, StreamRatesRequest};
use bank_server::Config;
use harness::{PATIENCE, PINNED_UNIX_MS, SEED, TestServer, conversion};
use prost::Message;
use prost_types::Timestamp;
use tokio_stream::StreamExt;
use tonic::transport::Channel;
use tonic::{Code, Status, Streaming};
use tonic_types::StatusExt;

/// The tick in progress on a pinned server (one-second ticks).
const NOW_TICK: u64 = PINNED_UNIX_MS / 1_000;

fn feed(from_sequence: u64, max_updates: u32) -> StreamRatesRequest {
    StreamRatesRequest {
        pairs: vec!["EUR/USD".into(), "USD/JPY".into(), "XOF/GBP".into()],
        max_updates,
        from_sequence,
    }
}

fn time(unix_ms: u64) -> Timestamp {
    Timestamp {
        seconds: (unix_ms / 1_000) as i64,
        nanos: (unix_ms % 1_000 * 1_000_000) as i32,
    }
}

fn at(request: ConvertRequest, unix_ms: u64) -> ConvertRequest {
    ConvertRequest {
        at: Some(time(unix_ms)),
        ..request
    }
}

async fn open(client: &mut BankServiceClient<Channel>, request: StreamRatesRequest) -> Streaming<RateUpdate> {
    client
        .stream_rates(request)
        .await
        .expect("the feed opens")
        .into_inner()
}

async fn next(updates: &mut Streaming<RateUpdate>) -> RateUpdate {
    tokio::time::timeout(PATIENCE, updates.message())
        .await
        .expect("an update in time")
        .expect("a healthy feed")
        .expect("the feed goes on")
}

/// Every update of a feed that ends by itself (`max_updates`).
async fn all(updates: Streaming<RateUpdate>) -> Vec<RateUpdate> {
    tokio::time::timeout(
        PATIENCE,
        updates.map(|update| update.expect("a healthy feed")).collect(),
    )
    .await
    .expect("the feed ends in time")
}

/// The field a status's `google.rpc.BadRequest` names.
fn field_of(status: &Status) -> String {
    let bad_request = status.get_details_bad_request().expect("a BadRequest");
    assert_eq!(bad_request.field_violations.len(), 1, "{status:?}");
    bad_request.field_violations[0].field.clone()
}

fn assert_refused(result: Result<impl std::fmt::Debug, Status>, code: Code, field: &str) {
    let status = result.expect_err("refused");
    assert_eq!(
        (status.code(), field_of(&status).as_str()),
        (code, field),
        "{status:?}"
    );
}

/// A pinned server that watched ticks `NOW_TICK ..= NOW_TICK + 4` go by,
/// with what a live feed received for them, byte for byte.
async fn watched_live() -> (TestServer, Arc<ManualClock>, Vec<Vec<u8>>) {
    let (server, clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let mut live = open(&mut client, feed(0, 0)).await;
    let mut received = vec![next(&mut live).await.encode_to_vec()];
    for step in 1..=4 {
        server.publish_tick(&clock, PINNED_UNIX_MS + step * 1_000).await;
        received.push(next(&mut live).await.encode_to_vec());
    }
    (server, clock, received)
}

#[tokio::test]
async fn a_replayed_tick_is_byte_for_byte_the_update_published_live() {
    let (server, _clock, live) = watched_live().await;
    let mut client = server.client().await;
    let replayed: Vec<Vec<u8>> = all(open(&mut client, feed(NOW_TICK, 5)).await)
        .await
        .iter()
        .map(Message::encode_to_vec)
        .collect();
    assert_eq!(replayed, live);
}

#[tokio::test]
async fn max_updates_counts_the_replayed_ticks() {
    let (server, _clock, live) = watched_live().await;
    let mut client = server.client().await;
    let updates = all(open(&mut client, feed(NOW_TICK + 1, 2)).await).await;
    let sequences: Vec<u64> = updates.iter().map(|update| update.sequence).collect();
    assert_eq!(sequences, [NOW_TICK + 1, NOW_TICK + 2]);
    assert_eq!(updates[0].encode_to_vec(), live[1]);
}

#[tokio::test]
async fn a_replay_goes_on_live_after_the_tick_in_progress() {
    let (server, clock, _live) = watched_live().await;
    let mut client = server.client().await;
    let mut updates = open(&mut client, feed(NOW_TICK + 3, 0)).await;
    assert_eq!(next(&mut updates).await.sequence, NOW_TICK + 3);
    assert_eq!(next(&mut updates).await.sequence, NOW_TICK + 4);
    server.publish_tick(&clock, PINNED_UNIX_MS + 5_000).await;
    assert_eq!(next(&mut updates).await.sequence, NOW_TICK + 5);
}

#[tokio::test]
async fn a_feed_cut_by_a_restart_resumes_on_another_server_without_a_gap() {
    let clock = Arc::new(ManualClock::new(PINNED_UNIX_MS));
    let mut config = Config::with_seed(SEED);
    config.clock = Arc::clone(&clock) as Arc<dyn Clock>;
    let first = TestServer::start_with(config.clone()).await;
    let mut client = first.client().await;
    let mut updates = open(&mut client, feed(0, 0)).await;
    let mut seen = vec![next(&mut updates).await];
    first.publish_tick(&clock, PINNED_UNIX_MS + 1_000).await;
    seen.push(next(&mut updates).await);
    first.stop().await.expect("a clean stop");

    // Three ticks pass while no server runs; a replica with the same seed
    // takes over.
    clock.set(PINNED_UNIX_MS + 4_000);
    let second = TestServer::start_with(config).await;
    let mut client = second.client().await;
    let resume_from = seen.last().expect("an update").sequence + 1;
    let mut resumed = open(&mut client, feed(resume_from, 0)).await;
    for _ in 0..3 {
        seen.push(next(&mut resumed).await);
    }
    let sequences: Vec<u64> = seen.iter().map(|update| update.sequence).collect();
    assert_eq!(sequences, (NOW_TICK..=NOW_TICK + 4).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_feed_resumes_from_one_replay_window_back_to_the_next_tick_and_no_further() {
    let (server, clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;

    let oldest = NOW_TICK - MAX_REPLAY_TICKS;
    let first = next(&mut open(&mut client, feed(oldest, 1)).await).await;
    assert_eq!(first.sequence, oldest);
    assert_refused(
        client.stream_rates(feed(oldest - 1, 1)).await,
        Code::OutOfRange,
        "from_sequence",
    );

    // The next tick is accepted, and waits until it starts.
    let mut waiting = open(&mut client, feed(NOW_TICK + 1, 1)).await;
    let early = tokio::time::timeout(Duration::from_millis(300), waiting.message()).await;
    assert!(early.is_err(), "nothing before the tick starts: {early:?}");
    server.publish_tick(&clock, PINNED_UNIX_MS + 1_000).await;
    assert_eq!(next(&mut waiting).await.sequence, NOW_TICK + 1);

    assert_refused(
        client.stream_rates(feed(NOW_TICK + 3, 1)).await,
        Code::OutOfRange,
        "from_sequence",
    );
}

fn history(
    pair: &str,
    start_ms: u64,
    end_ms: Option<u64>,
    interval_ms: Option<u64>,
) -> GetRateHistoryRequest {
    GetRateHistoryRequest {
        pair: pair.into(),
        start_time: Some(time(start_ms)),
        end_time: end_ms.map(time),
        interval: interval_ms.map(|ms| prost_types::Duration {
            seconds: (ms / 1_000) as i64,
            nanos: (ms % 1_000 * 1_000_000) as i32,
        }),
    }
}

#[tokio::test]
async fn tick_candles_are_the_mids_the_feed_published_for_those_ticks() {
    let (server, _clock, _live) = watched_live().await;
    let mut client = server.client().await;
    let candles = client
        .get_rate_history(history("USD/JPY", PINNED_UNIX_MS, None, None))
        .await
        .expect("history")
        .into_inner();
    assert_eq!(candles.tick, Some(prost_types::Duration { seconds: 1, nanos: 0 }));
    let replayed = all(open(&mut client, feed(NOW_TICK, 5)).await).await;
    assert_eq!(candles.candles.len(), replayed.len());
    for (candle, update) in candles.candles.iter().zip(&replayed) {
        let mid = &update.quotes[1].mid;
        assert_eq!(
            (candle.first_sequence, candle.last_sequence),
            (update.sequence, update.sequence)
        );
        assert_eq!([&candle.open, &candle.high, &candle.low, &candle.close], [mid; 4]);
        assert_eq!(candle.time, update.time);
    }
}

#[tokio::test]
async fn minute_candles_cover_the_hour_and_stop_at_the_tick_in_progress() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let hour_ago = PINNED_UNIX_MS - 3_600_000;
    let response = client
        .get_rate_history(history(
            "EUR/USD",
            hour_ago,
            Some(PINNED_UNIX_MS + 86_400_000),
            Some(60_000),
        ))
        .await
        .expect("history")
        .into_inner();
    let candles = &response.candles;
    assert_eq!(candles.first().map(|c| c.first_sequence), Some(hour_ago / 1_000));
    // Nothing after the tick in progress, although the end is a day away.
    assert_eq!(candles.last().map(|c| c.last_sequence), Some(NOW_TICK));
    for pair in candles.windows(2) {
        assert_eq!(
            pair[1].first_sequence,
            pair[0].last_sequence + 1,
            "no tick missing"
        );
    }
    for candle in candles {
        let [open, high, low, close] = [&candle.open, &candle.high, &candle.low, &candle.close]
            .map(|text| rust_decimal::Decimal::from_str_exact(text).expect("a decimal"));
        assert!(low <= open.min(close) && high >= open.max(close), "{candle:?}");
        assert_eq!(candle.time.expect("a time").seconds % 60, 0, "aligned on minutes");
    }
}

#[tokio::test]
async fn history_refuses_each_bad_request_with_its_code_and_field() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let hour_ago = PINNED_UNIX_MS - 3_600_000;
    let cases = [
        (
            history("EUR-USD", hour_ago, None, None),
            Code::InvalidArgument,
            "pair",
        ),
        (
            GetRateHistoryRequest {
                start_time: None,
                ..history("EUR/USD", hour_ago, None, None)
            },
            Code::InvalidArgument,
            "start_time",
        ),
        (
            history("EUR/USD", PINNED_UNIX_MS + 1_000, None, None),
            Code::OutOfRange,
            "start_time",
        ),
        (
            history(
                "EUR/USD",
                PINNED_UNIX_MS - MAX_HISTORY_AGE_MS - 1_000,
                None,
                Some(86_400_000),
            ),
            Code::OutOfRange,
            "start_time",
        ),
        (
            history("EUR/USD", hour_ago, None, Some(1_500)),
            Code::InvalidArgument,
            "interval",
        ),
        (
            history("EUR/USD", hour_ago, Some(hour_ago), None),
            Code::InvalidArgument,
            "end_time",
        ),
        (
            history("EUR/USD", PINNED_UNIX_MS - 86_400_000, None, None),
            Code::InvalidArgument,
            "interval",
        ),
    ];
    for (request, code, field) in cases {
        assert_refused(client.get_rate_history(request).await, code, field);
    }
}

#[tokio::test]
async fn a_conversion_at_a_past_instant_equals_the_live_conversion_made_then() {
    let then = PINNED_UNIX_MS - 10_500;
    let clock_then = Arc::new(ManualClock::new(then));
    let mut config = Config::with_seed(SEED);
    config.clock = Arc::clone(&clock_then) as Arc<dyn Clock>;
    let past = TestServer::start_with(config).await;
    let live_then = past
        .client()
        .await
        .convert(conversion("1234.56", "EUR", "JPY", "x"))
        .await
        .expect("converts")
        .into_inner();

    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let priced_now = client
        .convert(at(conversion("1234.56", "EUR", "JPY", "x"), then))
        .await
        .expect("converts")
        .into_inner();
    assert_eq!(priced_now, live_then);
    assert_eq!(priced_now.rate_sequence, then / 1_000);
}

#[tokio::test]
async fn a_conversion_in_the_future_or_beyond_the_horizon_is_out_of_range() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let request = || conversion("1", "EUR", "USD", "");
    assert_refused(
        client.convert(at(request(), PINNED_UNIX_MS + 1)).await,
        Code::OutOfRange,
        "at",
    );
    assert_refused(
        client
            .convert(at(request(), PINNED_UNIX_MS - MAX_HISTORY_AGE_MS - 1))
            .await,
        Code::OutOfRange,
        "at",
    );
    // The present instant itself has started.
    let now = client
        .convert(at(request(), PINNED_UNIX_MS))
        .await
        .expect("converts");
    assert_eq!(now.into_inner().rate_sequence, NOW_TICK);
}

#[tokio::test]
async fn a_batch_is_priced_at_its_first_items_tick_and_rejects_an_item_naming_another() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let then = PINNED_UNIX_MS - 60_000;
    let items = vec![
        at(conversion("10", "EUR", "USD", "a"), then),
        at(conversion("20", "EUR", "USD", "b"), then + 999),
        at(conversion("30", "EUR", "USD", "c"), then + 1_000),
        conversion("40", "EUR", "USD", "d"),
    ];
    let summary = client
        .convert_batch(tokio_stream::iter(items))
        .await
        .expect("a summary")
        .into_inner();
    assert_eq!((summary.accepted, summary.rejected), (3, 1));
    assert_eq!(summary.rate_sequence, then / 1_000);
    assert_eq!(
        (
            summary.errors[0].index,
            summary.errors[0].field.as_str(),
            summary.errors[0].code.as_str()
        ),
        (2, "at", "INVALID_ARGUMENT")
    );
}

#[tokio::test]
async fn each_session_request_is_priced_at_its_own_instant() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let requests = vec![
        at(conversion("1", "GBP", "CHF", "a"), PINNED_UNIX_MS - 5_000),
        conversion("1", "GBP", "CHF", "b"),
        at(conversion("1", "GBP", "CHF", "c"), PINNED_UNIX_MS + 5_000),
    ];
    let replies: Vec<_> = client
        .convert_session(tokio_stream::iter(requests))
        .await
        .expect("a session")
        .into_inner()
        .map(|reply| reply.expect("a reply").outcome.expect("an outcome"))
        .collect()
        .await;
    use bank_proto::v1::session_reply::Outcome;
    let sequences: Vec<Option<u64>> = replies
        .iter()
        .map(|outcome| match outcome {
            Outcome::Conversion(conversion) => Some(conversion.rate_sequence),
            Outcome::Error(_) => None,
        })
        .collect();
    assert_eq!(sequences, [Some(NOW_TICK - 5), Some(NOW_TICK), None]);
    let Outcome::Error(error) = &replies[2] else {
        unreachable!("checked above")
    };
    assert_eq!(
        (error.code.as_str(), error.field.as_str()),
        ("OUT_OF_RANGE", "at")
    );
}

#[tokio::test]
async fn no_rpc_reveals_a_tick_before_it_starts() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let tomorrow = PINNED_UNIX_MS + 86_400_000;

    let converted = client
        .convert(conversion("1", "EUR", "USD", ""))
        .await
        .expect("converts");
    assert_eq!(converted.into_inner().rate_sequence, NOW_TICK);
    assert!(
        client
            .convert(at(conversion("1", "EUR", "USD", ""), tomorrow))
            .await
            .is_err()
    );

    let candles = client
        .get_rate_history(history("EUR/USD", PINNED_UNIX_MS - 10_000, Some(tomorrow), None))
        .await
        .expect("history")
        .into_inner()
        .candles;
    assert!(candles.iter().all(|candle| candle.last_sequence <= NOW_TICK));

    let replayed = next(&mut open(&mut client, feed(NOW_TICK - 3, 0)).await).await;
    assert!(replayed.sequence <= NOW_TICK);
    let mut ahead = open(&mut client, feed(NOW_TICK + 1, 0)).await;
    let early = tokio::time::timeout(Duration::from_millis(300), ahead.message()).await;
    assert!(early.is_err(), "the next tick is not served early: {early:?}");
    assert!(client.stream_rates(feed(NOW_TICK + 2, 0)).await.is_err());

    let summary = client
        .convert_batch(tokio_stream::iter(vec![at(
            conversion("1", "EUR", "USD", ""),
            tomorrow,
        )]))
        .await
        .expect("a summary")
        .into_inner();
    assert_eq!((summary.accepted, summary.rejected), (0, 1));
    assert!(summary.rate_sequence <= NOW_TICK);
}

#[tokio::test]
async fn a_resumed_feed_says_in_its_headers_how_many_ticks_it_replays() {
    let (server, _clock, _live) = watched_live().await;
    let mut client = server.client().await;
    let replay_ticks = |response: &tonic::Response<Streaming<RateUpdate>>| {
        response
            .metadata()
            .get(bank_proto::REPLAY_TICKS_HEADER)
            .map(|value| value.to_str().expect("ASCII").to_owned())
    };
    let resumed = client
        .stream_rates(feed(NOW_TICK + 1, 1))
        .await
        .expect("the feed opens");
    assert_eq!(replay_ticks(&resumed).as_deref(), Some("4"));
    let waiting = client
        .stream_rates(feed(NOW_TICK + 5, 1))
        .await
        .expect("the feed opens");
    assert_eq!(replay_ticks(&waiting).as_deref(), Some("0"));
    let live = client.stream_rates(feed(0, 1)).await.expect("the feed opens");
    assert_eq!(replay_ticks(&live), None);
}
