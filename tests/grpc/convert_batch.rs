//! Client streaming: `ConvertBatch`. Totals that a client can recompute
//! exactly from the summary's rates, bad items reported by index while the
//! batch goes on, the cap of 100 reported errors, the empty batch, and a
//! 100,000-item batch.

use std::collections::{BTreeMap, BTreeSet};

use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_proto::v1::{BatchSummary, ConvertRequest};
use harness::{PATIENCE, PINNED_UNIX_MS, TestServer};
use rust_decimal::{Decimal, RoundingStrategy};
use tonic::transport::Channel;

fn item(amount: &str, from: &str, to: &str, request_id: &str) -> ConvertRequest {
    ConvertRequest {
        amount: amount.into(),
        from_currency: from.into(),
        to_currency: to.into(),
        request_id: request_id.into(),
        at: None,
    }
}

fn decimal(text: &str) -> Decimal {
    Decimal::from_str_exact(text).expect("a decimal string")
}

async fn send_batch(
    client: &mut BankServiceClient<Channel>,
    items: impl IntoIterator<Item = ConvertRequest, IntoIter: Send + 'static>,
) -> BatchSummary {
    tokio::time::timeout(PATIENCE, client.convert_batch(tokio_stream::iter(items)))
        .await
        .expect("the summary arrives in time")
        .expect("the batch is accepted")
        .into_inner()
}

/// The mid of every pair in the summary's `rates`, by pair.
fn mids(summary: &BatchSummary) -> BTreeMap<String, Decimal> {
    summary
        .rates
        .iter()
        .map(|quote| (quote.pair.clone(), decimal(&quote.mid)))
        .collect()
}

/// The oracle: `amount × mid`, rounded once, half to even, to `units`.
fn converted(amount: &str, mid: Decimal, units: u32) -> Decimal {
    (decimal(amount) * mid).round_dp_with_strategy(units, RoundingStrategy::MidpointNearestEven)
}

/// A total written the way the contract says: exactly `units` decimals.
fn written(mut total: Decimal, units: u32) -> String {
    total.rescale(units);
    total.to_string()
}

#[tokio::test]
async fn totals_are_the_exact_sums_of_items_recomputed_from_the_published_rates() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let units = server.minor_units().await;
    let items = vec![
        item("100", "USD", "EUR", "a"),
        item("0.01", "USD", "EUR", "b"),
        item("12.345", "KWD", "JPY", "c"),
        item("15023", "JPY", "USD", "d"),
        item("42.5", "EUR", "EUR", "e"),
        item("1", "CHF", "EUR", "f"),
        item("999999.99", "GBP", "JPY", "g"),
        item("3", "EUR", "XOF", "h"),
        item("250.75", "USD", "EUR", "i"),
        item("0.5", "USD", "KWD", "j"),
    ];
    let summary = send_batch(&mut client, items.clone()).await;

    assert_eq!((summary.accepted, summary.rejected), (items.len() as u64, 0));
    assert!(summary.errors.is_empty());
    assert_eq!(summary.rate_sequence, PINNED_UNIX_MS / 1_000);

    // `rates` holds exactly the FROM/TO pairs used; same-currency items need none.
    let used: BTreeSet<String> = items
        .iter()
        .filter(|item| item.from_currency != item.to_currency)
        .map(|item| format!("{}/{}", item.from_currency, item.to_currency))
        .collect();
    let listed: Vec<&str> = summary.rates.iter().map(|quote| quote.pair.as_str()).collect();
    assert_eq!(listed.len(), used.len(), "each pair once: {listed:?}");
    assert_eq!(
        listed
            .iter()
            .map(|pair| (*pair).to_owned())
            .collect::<BTreeSet<_>>(),
        used
    );

    // Every total, recomputed from the summary alone.
    let mids = mids(&summary);
    let mut expected: BTreeMap<&str, (Decimal, u64)> = BTreeMap::new();
    for item in &items {
        let to_units = units[&item.to_currency];
        let mid = if item.from_currency == item.to_currency {
            Decimal::ONE
        } else {
            mids[&format!("{}/{}", item.from_currency, item.to_currency)]
        };
        let entry = expected.entry(&item.to_currency).or_default();
        entry.0 += converted(&item.amount, mid, to_units);
        entry.1 += 1;
    }
    let expected: Vec<(String, String, u64)> = expected
        .into_iter()
        .map(|(code, (total, count))| (code.to_owned(), written(total, units[code]), count))
        .collect();
    let totals: Vec<(String, String, u64)> = summary
        .totals
        .iter()
        .map(|total| (total.currency.clone(), total.total.clone(), total.count))
        .collect();
    // The expected list is sorted by code (a BTreeMap), as the totals must be.
    assert_eq!(totals, expected);

    // The published rates are the ones `Convert` applies at that tick.
    for quote in &summary.rates {
        let (from, to) = quote.pair.split_once('/').expect("FROM/TO");
        let single = client
            .convert(item("1", from, to, ""))
            .await
            .expect("converted")
            .into_inner();
        assert_eq!(single.rate_sequence, summary.rate_sequence, "{}", quote.pair);
        assert_eq!(single.rate, quote.mid, "{}", quote.pair);
    }
}

#[tokio::test]
async fn bad_items_are_reported_by_index_and_the_batch_goes_on() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let items = vec![
        item("10", "USD", "EUR", "ok-0"),
        item("abc", "USD", "EUR", "bad-amount"),
        item("10", "USD", "EUR", "ok-2"),
        item("10", "XXX", "EUR", "bad-from"),
        item("10", "USD", "usd", "bad-to"),
        item("1.001", "USD", "EUR", "too-precise"),
        item("0", "USD", "EUR", "zero"),
        item("10", "EUR", "USD", "ok-7"),
    ];
    let summary = send_batch(&mut client, items).await;

    assert_eq!((summary.accepted, summary.rejected), (3, 5));
    let errors: Vec<(u64, &str, &str, &str)> = summary
        .errors
        .iter()
        .map(|error| {
            (
                error.index,
                error.request_id.as_str(),
                error.code.as_str(),
                error.field.as_str(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (1, "bad-amount", "INVALID_ARGUMENT", "amount"),
            (3, "bad-from", "INVALID_ARGUMENT", "from_currency"),
            (4, "bad-to", "INVALID_ARGUMENT", "to_currency"),
            (5, "too-precise", "INVALID_ARGUMENT", "amount"),
            (6, "zero", "INVALID_ARGUMENT", "amount"),
        ]
    );
    let counts: Vec<(&str, u64)> = summary
        .totals
        .iter()
        .map(|total| (total.currency.as_str(), total.count))
        .collect();
    assert_eq!(counts, [("EUR", 2), ("USD", 1)]);
}

#[tokio::test]
async fn only_the_first_hundred_errors_are_listed_but_every_rejection_is_counted() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    // Even positions are good, odd ones bad: 150 of each.
    let items: Vec<ConvertRequest> = (0..300)
        .map(|i| {
            let amount = if i % 2 == 0 { "1" } else { "-1" };
            item(amount, "USD", "EUR", &format!("item-{i}"))
        })
        .collect();
    let summary = send_batch(&mut client, items).await;

    assert_eq!((summary.accepted, summary.rejected), (150, 150));
    assert_eq!(summary.errors.len(), 100);
    let indices: Vec<u64> = summary.errors.iter().map(|error| error.index).collect();
    let first_hundred: Vec<u64> = (0..100).map(|k| 2 * k + 1).collect();
    assert_eq!(indices, first_hundred);
    assert!(
        summary
            .errors
            .iter()
            .all(|error| error.request_id == format!("item-{}", error.index))
    );
}

#[tokio::test]
async fn an_empty_batch_is_ok_with_zero_counts() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let summary = send_batch(&mut client, Vec::new()).await;
    assert_eq!((summary.accepted, summary.rejected), (0, 0));
    assert!(summary.totals.is_empty());
    assert!(summary.errors.is_empty());
    assert!(summary.rates.is_empty());
    assert_eq!(summary.rate_sequence, 0);
    assert_eq!(summary.rate_time, None);
}

/// The amount of item `i` of the big batch: varied, with up to two decimals.
fn big_batch_amount(i: u32) -> String {
    format!("{}.{:02}", 1 + i % 9_973, i % 100)
}

#[tokio::test]
async fn a_hundred_thousand_item_batch_is_summed_exactly() {
    const ITEMS: u32 = 100_000;
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    // Generated lazily, as the client streams it.
    let items = (0..ITEMS).map(|i| item(&big_batch_amount(i), "USD", "EUR", ""));
    let summary = send_batch(&mut client, items).await;

    assert_eq!((summary.accepted, summary.rejected), (u64::from(ITEMS), 0));
    assert_eq!(summary.rate_sequence, PINNED_UNIX_MS / 1_000);
    let mid = mids(&summary)["USD/EUR"];
    let expected: Decimal = (0..ITEMS).map(|i| converted(&big_batch_amount(i), mid, 2)).sum();
    assert_eq!(summary.totals.len(), 1);
    assert_eq!(summary.totals[0].currency, "EUR");
    assert_eq!(summary.totals[0].count, u64::from(ITEMS));
    assert_eq!(summary.totals[0].total, written(expected, 2));

    let single = client
        .convert(item("1", "USD", "EUR", ""))
        .await
        .expect("converted")
        .into_inner();
    assert_eq!(decimal(&single.rate), mid, "the batch used the tick's mid");
}
