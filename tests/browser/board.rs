//! The live board (StreamRates over gRPC-Web): one row per pair watched,
//! each tick's quotes as the server publishes them, and a sequence that
//! only goes up.

use bank_proto::v1::StreamRatesRequest;
use harness::browser::Browser;
use harness::page::{board_sequence_after, watch};
use harness::{TestServer, next_message};
use rust_decimal::Decimal;

/// The pairs the board watches, as typed in its field.
const PAIRS: [&str; 2] = ["EUR/USD", "GBP/JPY"];

/// Ticks published while the page watches.
const TICKS: u64 = 3;

/// The board's rows: pair, bid, mid, ask.
async fn rows(browser: &Browser) -> Vec<Vec<String>> {
    let rows = browser
        .run(
            "return [...document.querySelectorAll('#board tbody tr[data-pair]')]
                .map((row) => [...row.cells].slice(0, 4).map((cell) => cell.textContent));",
        )
        .await;
    serde_json::from_value(rows).expect("rows of texts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_ticks_appear_on_the_board_and_their_sequence_increases() {
    let (server, clock, page) = TestServer::start_pinned_with_web(|_| {}).await;
    let Some(browser) = Browser::open("en").await else {
        return;
    };
    browser.open_page(&page).await;
    watch(&browser, &PAIRS).await;
    // The feed resumes after the charts' history, at the next tick.
    browser.wait_for_attribute("figure.chart", "data-history").await;
    server.publish_ticks(&clock, 1).await;

    let mut sequences = vec![board_sequence_after(&browser, None).await];
    for _ in 0..TICKS {
        server.publish_ticks(&clock, 1).await;
        let last = sequences.last().copied();
        sequences.push(board_sequence_after(&browser, last).await);
    }
    assert!(
        sequences.windows(2).all(|pair| pair[0] < pair[1]),
        "{sequences:?}"
    );

    // The clock stands still now: a native feed opened now starts with the
    // tick the board shows last, quote for quote.
    let mut native = server
        .client()
        .await
        .stream_rates(StreamRatesRequest {
            pairs: PAIRS.iter().map(|pair| (*pair).to_owned()).collect(),
            max_updates: 1,
            from_sequence: 0,
        })
        .await
        .expect("the native feed opens")
        .into_inner();
    let update = next_message(&mut native)
        .await
        .expect("a healthy feed")
        .expect("one update");
    assert_eq!(Some(update.sequence), sequences.last().copied());
    let expected: Vec<Vec<String>> = update
        .quotes
        .iter()
        .map(|quote| {
            vec![
                quote.pair.clone(),
                quote.bid.clone(),
                quote.mid.clone(),
                quote.ask.clone(),
            ]
        })
        .collect();
    let shown = rows(&browser).await;
    assert_eq!(shown, expected);
    for row in &shown {
        let [bid, mid, ask] = [&row[1], &row[2], &row[3]]
            .map(|text| Decimal::from_str_exact(text).unwrap_or_else(|error| panic!("{text}: {error}")));
        assert!(bid < mid && mid < ask, "{row:?}");
    }
    browser.close().await;
}
