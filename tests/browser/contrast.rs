//! Readable contrast: every text on the page, in the light colours and in
//! the dark ones, meets WCAG 2 level AA against its background (4.5:1,
//! 3:1 for large text), with the board live, a refused conversion shown in
//! the error colour and a call drawn by the classroom view.

use harness::TestServer;
use harness::browser::Browser;
use harness::page::{board_sequence_after, convert, watch};

/// The check, run in the page (see the script's opening comment).
const FAULTS: &str = include_str!("contrast.js");

async fn texts_below_aa(dark: bool) -> serde_json::Value {
    let (server, clock, page) = TestServer::start_pinned_with_web(|config| config.classroom = true).await;
    let browser = if dark {
        Browser::open_dark("en").await
    } else {
        Browser::open("en").await
    };
    let Some(browser) = browser else {
        return serde_json::json!([]);
    };
    browser.open_page(&page).await;
    watch(&browser, &["EUR/USD"]).await;
    browser.wait_for_attribute("figure.chart", "data-history").await;
    server.publish_ticks(&clock, 1).await;
    board_sequence_after(&browser, None).await;
    convert(&browser, "1e5", "EUR", "USD").await;
    browser
        .wait_for("the refusal", "document.querySelector('#convert-output.error')")
        .await;
    browser
        .wait_for("a call drawn", "document.querySelector('#models .call .arrow')")
        .await;
    let scheme = browser
        .run("return matchMedia('(prefers-color-scheme: dark)').matches;")
        .await;
    assert_eq!(scheme, dark, "the page is drawn in the colours asked for");
    let faults = browser.run(FAULTS).await;
    browser.close().await;
    faults
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_text_meets_wcag_aa_contrast_in_light_colours() {
    assert_eq!(texts_below_aa(false).await, serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_text_meets_wcag_aa_contrast_in_dark_colours() {
    assert_eq!(texts_below_aa(true).await, serde_json::json!([]));
}
