//! Replicas: servers started with the same seed publish the same quotes for
//! the same tick and convert identically, with no coordination, whenever
//! they were started; a different seed publishes different mids; and the
//! tick follows the clock.

use std::sync::Arc;
use std::time::Duration;

use bank_domain::clock::{Clock, ManualClock};
use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_proto::v1::{ConvertRequest, ConvertResponse, RateUpdate, StreamRatesRequest};
use bank_server::Config;
use harness::{PATIENCE, PINNED_UNIX_MS, SEED, TestServer};
use tonic::transport::Channel;

const PAIRS: [&str; 5] = ["EUR/USD", "GBP/JPY", "USD/XOF", "KWD/CHF", "CAD/MAD"];

/// A server with `seed` whose clock stands at [`PINNED_UNIX_MS`].
async fn pinned_replica(seed: u64) -> (TestServer, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(PINNED_UNIX_MS));
    let mut config = Config::with_seed(seed);
    config.clock = Arc::clone(&clock) as Arc<dyn Clock>;
    (TestServer::start_with(config).await, clock)
}

async fn first_update(client: &mut BankServiceClient<Channel>) -> RateUpdate {
    let request = StreamRatesRequest {
        pairs: PAIRS.iter().map(|pair| (*pair).to_owned()).collect(),
        max_updates: 1,
        from_sequence: 0,
    };
    let mut updates = client
        .stream_rates(request)
        .await
        .expect("the feed opens")
        .into_inner();
    tokio::time::timeout(PATIENCE, updates.message())
        .await
        .expect("the update arrives in time")
        .expect("the feed is healthy")
        .expect("one update")
}

fn conversions() -> Vec<ConvertRequest> {
    [
        ("100", "USD", "EUR"),
        ("15023", "JPY", "USD"),
        ("1.250", "KWD", "XOF"),
        ("999999.99", "GBP", "CHF"),
    ]
    .into_iter()
    .map(|(amount, from, to)| ConvertRequest {
        amount: amount.into(),
        from_currency: from.into(),
        to_currency: to.into(),
        request_id: format!("{from}-{to}"),
        at: None,
    })
    .collect()
}

async fn convert_all(client: &mut BankServiceClient<Channel>) -> Vec<ConvertResponse> {
    let mut responses = Vec::new();
    for request in conversions() {
        responses.push(client.convert(request).await.expect("converted").into_inner());
    }
    responses
}

#[tokio::test]
async fn two_servers_with_the_same_seed_agree_on_a_tick_whenever_they_started() {
    let (first, _first_clock) = pinned_replica(SEED).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (second, _second_clock) = pinned_replica(SEED).await;
    let mut a = first.client().await;
    let mut b = second.client().await;

    let update = first_update(&mut a).await;
    assert_eq!(update.sequence, PINNED_UNIX_MS / 1_000);
    assert_eq!(update.quotes.len(), PAIRS.len());
    assert_eq!(first_update(&mut b).await, update);
    assert_eq!(convert_all(&mut b).await, convert_all(&mut a).await);
}

#[tokio::test]
async fn a_server_with_another_seed_publishes_different_mids() {
    let (server, _clock) = pinned_replica(SEED).await;
    let (other, _other_clock) = pinned_replica(SEED + 1).await;
    let ours = first_update(&mut server.client().await).await;
    let theirs = first_update(&mut other.client().await).await;

    assert_eq!(ours.sequence, theirs.sequence, "the same tick");
    let mid = |update: &RateUpdate, pair: &str| {
        update
            .quotes
            .iter()
            .find(|quote| quote.pair == pair)
            .map(|quote| quote.mid.clone())
            .expect("the pair is quoted")
    };
    for pair in ["EUR/USD", "GBP/JPY", "KWD/CHF", "CAD/MAD"] {
        assert_ne!(mid(&ours, pair), mid(&theirs, pair), "{pair}");
    }
}

#[tokio::test]
async fn the_tick_follows_the_clock_and_replicas_agree_again_once_both_move() {
    let (first, first_clock) = pinned_replica(SEED).await;
    let (second, second_clock) = pinned_replica(SEED).await;
    let mut a = first.client().await;
    let mut b = second.client().await;
    let pinned_tick = PINNED_UNIX_MS / 1_000;

    first_clock.set(PINNED_UNIX_MS + 5_000);
    let moved = convert_all(&mut a).await;
    let still = convert_all(&mut b).await;
    for (moved, still) in moved.iter().zip(&still) {
        assert_eq!(moved.rate_sequence, pinned_tick + 5);
        let time = moved.rate_time.expect("the tick start");
        assert_eq!(
            u64::try_from(time.seconds).expect("after the epoch"),
            pinned_tick + 5
        );
        assert_eq!(still.rate_sequence, pinned_tick);
    }
    assert_eq!(first_update(&mut a).await.sequence, pinned_tick + 5);

    second_clock.set(PINNED_UNIX_MS + 5_000);
    assert_eq!(convert_all(&mut b).await, moved);
    assert_eq!(first_update(&mut b).await, first_update(&mut a).await);
}
