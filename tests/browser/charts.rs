//! The charts beside the board: each pair's chart is first filled from
//! `GetRateHistory`, then extended by the live feed, with no tick missing
//! between the two (the history reaches at least the tick before the first
//! live one).
//!
//! The page guesses the server's current tick from the browser's clock
//! before its first history call, so this server's manual clock starts at
//! the machine's time (to the second) rather than at `PINNED_UNIX_MS`,
//! which is months behind the browser: as with a real server, whose clock
//! agrees with its readers'. It still moves only when the test publishes.

use harness::browser::Browser;
use harness::page::watch;
use harness::{TestServer, manual_clock_at_machine_time, pinned_config};

/// Ticks published before the page opens, so that there is history.
const TICKS_BEFORE: u64 = 5;

/// The pair charted.
const PAIR: &str = "EUR/USD";

/// An attribute of the chart of [`PAIR`], as a number, once it has it.
async fn chart_number(browser: &Browser, attribute: &str) -> u64 {
    let css = format!("figure.chart[data-pair=\"{PAIR}\"]");
    let value = browser.wait_for_attribute(&css, attribute).await;
    value
        .parse()
        .unwrap_or_else(|error| panic!("{attribute} = {value:?}: {error}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chart_holds_history_up_to_the_first_live_tick() {
    let clock = manual_clock_at_machine_time();
    let (server, web) = TestServer::start_with_web(pinned_config(&clock), &[]).await;
    let page = format!("http://{web}/");
    server.publish_ticks(&clock, TICKS_BEFORE).await;
    let Some(browser) = Browser::open("en").await else {
        return;
    };
    browser.open_page(&page).await;
    watch(&browser, &[PAIR]).await;

    let candles = chart_number(&browser, "data-history").await;
    let history_last = chart_number(&browser, "data-history-last-sequence").await;
    assert!(candles > 0, "the chart starts with history");
    // The feed resumes after the history: its first tick is the next one.
    server.publish_ticks(&clock, 1).await;
    let first_live = chart_number(&browser, "data-first-live-sequence").await;
    assert!(
        first_live <= history_last + 1,
        "no gap between the history (to {history_last}) and the live feed (from {first_live})"
    );

    let live = chart_number(&browser, "data-live").await;
    server.publish_ticks(&clock, 1).await;
    let css = format!("figure.chart[data-pair=\"{PAIR}\"]");
    browser
        .wait_for(
            "a live tick folded into the chart",
            &format!(
                "Number(document.querySelector({})?.dataset.live ?? 0) > {live}",
                serde_json::json!(css)
            ),
        )
        .await;
    browser.close().await;
}
