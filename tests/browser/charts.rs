//! The charts beside the board: each pair's chart is first filled from
//! `GetRateHistory`, then extended by the live feed, with neither a tick
//! missing nor one drawn twice between the two (the feed resumes at the
//! tick after the history's last).
//!
//! The server's manual clock stands at `PINNED_UNIX_MS`, months behind the
//! browser's: the page must ask for history up to the server's now (it
//! reads it at `/server.json`), never its own, or the server would refuse
//! a period that has not started. The clock moves only when the test
//! publishes a tick.

use harness::TestServer;
use harness::browser::Browser;
use harness::page::watch;

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
    // The server's clock stands months before the browser's: the page asks
    // for history up to the server's now (/server.json), not its own.
    let (server, clock, page) = TestServer::start_pinned_with_web(|_| {}).await;
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
    assert_eq!(
        first_live,
        history_last + 1,
        "neither a gap nor a tick twice between the history and the live feed"
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
