//! Server streaming: `StreamRates`. The first update at once, `max_updates`,
//! the default pairs, bad pairs refused before any update, mids that match
//! `Convert`, a cancelled feed that stops the server's work, and a slow
//! reader that skips ticks instead of making the server queue them.

use std::time::Duration;

use bank_proto::v1::{
    ConvertRequest, ListCurrenciesRequest, RateUpdate, StreamRatesRequest,
    bank_service_client::BankServiceClient,
};
use harness::{PATIENCE, PINNED_UNIX_MS, TestServer};
use regex::Regex;
use rust_decimal::Decimal;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Streaming};
use tonic_types::StatusExt;

fn feed(pairs: &[&str], max_updates: u32) -> StreamRatesRequest {
    StreamRatesRequest {
        pairs: pairs.iter().map(|pair| (*pair).to_owned()).collect(),
        max_updates,
        from_sequence: 0,
    }
}

/// The next update of a feed, which must come within [`PATIENCE`].
async fn next_update(updates: &mut Streaming<RateUpdate>) -> RateUpdate {
    tokio::time::timeout(PATIENCE, updates.message())
        .await
        .expect("an update arrives in time")
        .expect("the feed is healthy")
        .expect("the feed goes on")
}

async fn open_feed(
    client: &mut BankServiceClient<Channel>,
    request: StreamRatesRequest,
) -> Streaming<RateUpdate> {
    client
        .stream_rates(request)
        .await
        .expect("the feed opens")
        .into_inner()
}

fn decimal(text: &str) -> Decimal {
    Decimal::from_str_exact(text).expect("a decimal string")
}

#[tokio::test]
async fn the_first_update_arrives_at_once_with_the_current_tick_and_the_pairs_in_order() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let pairs = ["GBP/JPY", "EUR/USD", "USD/KWD", "XOF/CHF"];
    let mut updates = open_feed(&mut client, feed(&pairs, 0)).await;

    let first = next_update(&mut updates).await;
    assert_eq!(first.sequence, PINNED_UNIX_MS / 1_000);
    let time = first.time.expect("the tick start");
    assert_eq!(time.seconds, i64::try_from(PINNED_UNIX_MS / 1_000).expect("fits"));
    assert_eq!(time.nanos, 0);

    let written: Vec<&str> = first.quotes.iter().map(|quote| quote.pair.as_str()).collect();
    assert_eq!(written, pairs);
    let plain_decimal = Regex::new(r"^(0|[1-9][0-9]*)(\.[0-9]+)?$").expect("valid regex");
    for quote in &first.quotes {
        for text in [&quote.bid, &quote.mid, &quote.ask] {
            assert!(plain_decimal.is_match(text), "{}: {text:?}", quote.pair);
        }
        let (bid, mid, ask) = (decimal(&quote.bid), decimal(&quote.mid), decimal(&quote.ask));
        assert!(bid < mid && mid < ask, "{}: {bid} {mid} {ask}", quote.pair);
    }
}

#[tokio::test]
async fn max_updates_ends_the_feed_with_ok_after_exactly_that_many_increasing_ticks() {
    let server = TestServer::start(20).await;
    let mut client = server.client().await;
    let mut updates = open_feed(&mut client, feed(&["EUR/USD"], 3)).await;

    let mut sequences = Vec::new();
    for _ in 0..3 {
        sequences.push(next_update(&mut updates).await.sequence);
    }
    assert!(
        sequences.windows(2).all(|w| w[0] < w[1]),
        "sequences increase: {sequences:?}"
    );
    let end = tokio::time::timeout(PATIENCE, updates.message())
        .await
        .expect("the feed ends in time")
        .expect("the feed ends with OK");
    assert!(end.is_none(), "no fourth update: {end:?}");
}

#[tokio::test]
async fn empty_pairs_quote_every_supported_currency_against_the_us_dollar() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let currencies = client
        .list_currencies(ListCurrenciesRequest {})
        .await
        .expect("listed")
        .into_inner()
        .currencies;
    let mut updates = open_feed(&mut client, feed(&[], 1)).await;
    let update = next_update(&mut updates).await;

    assert_eq!(update.quotes.len(), currencies.len() - 1);
    assert!(
        update.quotes.iter().all(|quote| quote.pair.ends_with("/USD")),
        "every pair is against USD"
    );
    for currency in currencies.iter().filter(|currency| currency.code != "USD") {
        let pair = format!("{}/USD", currency.code);
        assert_eq!(
            update.quotes.iter().filter(|quote| quote.pair == pair).count(),
            1,
            "{pair} is quoted once"
        );
    }
}

#[tokio::test]
async fn an_unknown_malformed_or_same_currency_pair_is_refused_before_any_update() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let cases: [&[&str]; 6] = [
        &["EURUSD"],
        &["eur/usd"],
        &["EUR/EUR"],
        &["EUR/XXX"],
        &["EUR/"],
        &["EUR/USD", "GBP/GBP"],
    ];
    for pairs in cases {
        let status = client
            .stream_rates(feed(pairs, 0))
            .await
            .expect_err("the call itself fails, with no update sent");
        assert_eq!(status.code(), Code::InvalidArgument, "{pairs:?}");
        let bad_request = status.get_details_bad_request().expect("BadRequest details");
        assert_eq!(bad_request.field_violations.len(), 1, "{pairs:?}");
        assert_eq!(bad_request.field_violations[0].field, "pairs", "{pairs:?}");
    }
}

#[tokio::test]
async fn the_published_mid_is_the_rate_convert_applies_at_that_tick() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let pairs = ["EUR/USD", "USD/JPY", "GBP/CHF", "KWD/XOF", "CAD/MAD"];
    let mut updates = open_feed(&mut client, feed(&pairs, 1)).await;
    let update = next_update(&mut updates).await;

    for quote in &update.quotes {
        let (from, to) = quote.pair.split_once('/').expect("FROM/TO");
        let conversion = client
            .convert(ConvertRequest {
                amount: "1".into(),
                from_currency: from.into(),
                to_currency: to.into(),
                request_id: String::new(),
                at: None,
            })
            .await
            .expect("converted")
            .into_inner();
        assert_eq!(conversion.rate_sequence, update.sequence, "{}", quote.pair);
        assert_eq!(conversion.rate, quote.mid, "{}", quote.pair);
    }
}

#[tokio::test]
async fn cancelling_a_feed_stops_the_servers_work_for_it() {
    let server = TestServer::start(20).await;
    let mut client = server.client().await;
    assert_eq!(server.open.feeds(), 0);
    let mut updates = open_feed(&mut client, feed(&["EUR/USD"], 0)).await;
    next_update(&mut updates).await;
    next_update(&mut updates).await;
    assert_eq!(server.open.feeds(), 1, "the feed is open while it is read");

    drop(updates);
    server
        .wait_until("the feed is closed", |s| s.open.feeds() == 0)
        .await;
    // The connection itself is still usable.
    client
        .list_currencies(ListCurrenciesRequest {})
        .await
        .expect("the client still works");
}

#[tokio::test]
async fn a_slow_reader_skips_to_the_latest_tick_instead_of_being_queued() {
    let server = TestServer::start(10).await;
    // A tiny HTTP/2 window: the server can only get a few updates ahead of
    // a reader that stops reading.
    let channel = Endpoint::from_shared(server.url())
        .expect("valid url")
        .initial_stream_window_size(1024)
        .initial_connection_window_size(1024)
        .connect()
        .await
        .expect("client connects");
    let mut client = BankServiceClient::new(channel);
    let mut updates = open_feed(&mut client, feed(&["EUR/USD"], 0)).await;
    let first = next_update(&mut updates).await.sequence;

    // About 100 ticks go by without a read.
    tokio::time::sleep(Duration::from_secs(1)).await;

    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut sequences = vec![first];
    while sequences.last().is_some_and(|&last| last < first + 100) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the feed reaches tick {} in time",
            first + 100
        );
        sequences.push(next_update(&mut updates).await.sequence);
    }

    assert!(
        sequences.windows(2).all(|w| w[0] < w[1]),
        "sequences increase: {sequences:?}"
    );
    let last = *sequences.last().expect("at least one update");
    let received = sequences.len() as u64 - 1;
    assert!(
        received < last - first,
        "{received} updates for {} ticks: ticks were skipped",
        last - first
    );
    assert!(
        sequences.windows(2).any(|w| w[1] - w[0] > 1),
        "a gap in sequence: {sequences:?}"
    );
}
