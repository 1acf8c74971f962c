//! The page as a fresh server serves it: its title, its parts, every
//! translated element filled in, and no message id showing where a text
//! should be.

use bank_server::Config;
use harness::browser::Browser;
use harness::catalogs::catalog_texts;
use harness::{SEED, TestServer};

use crate::{page_catalog, page_text};

/// The parts every page has, by the element that holds each.
const PARTS: [&str; 4] = ["#language", "#board-form", "#convert-form", "#convert-output"];

/// The message ids of the page's catalog that `text` shows.
pub fn ids_shown(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = catalog_texts(&page_catalog("en"))
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| text.contains(id.as_str()))
        .collect();
    ids.dedup();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_server_serves_the_page_with_its_title_its_parts_and_no_message_id() {
    let (_server, web) = TestServer::start_with_web(Config::with_seed(SEED), &[]).await;
    let Some(browser) = Browser::open("en").await else {
        return;
    };
    browser.open_page(&format!("http://{web}/")).await;

    let title = browser.client().title().await.expect("the title");
    assert_eq!(title, page_text("en", "page-title"));
    for part in PARTS {
        browser.element(part).await;
    }
    let empty = browser
        .run(
            "return [...document.querySelectorAll('[data-l10n]')]
                .filter((element) => element.textContent.trim() === '')
                .map((element) => element.dataset.l10n);",
        )
        .await;
    assert_eq!(empty, serde_json::json!([]), "translated elements left empty");
    let text = browser.page_text().await;
    assert!(text.contains(&page_text("en", "board-title")), "{text}");
    assert!(text.contains(&page_text("en", "convert-title")), "{text}");
    assert_eq!(ids_shown(&text), Vec::<String>::new(), "{text}");
    browser.close().await;
}

/// A phone's screen, in CSS pixels (an iPhone 12 to 15).
const PHONE: (u32, u32) = (390, 844);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_page_fits_the_screen_width_with_the_board_and_the_models_drawn() {
    let (server, clock, page) = TestServer::start_pinned_with_web(|config| config.classroom = true).await;
    let Some(browser) = Browser::open_phone("en", PHONE).await else {
        return;
    };
    browser.open_page(&page).await;
    harness::page::watch(&browser, &["EUR/USD", "GBP/JPY"]).await;
    browser.wait_for_attribute("figure.chart", "data-history").await;
    server.publish_ticks(&clock, 1).await;
    harness::page::board_sequence_after(&browser, None).await;
    browser
        .wait_for(
            "the board's feed drawn as a call",
            "document.querySelector('#models .call[data-method=\"StreamRates\"] .arrow')",
        )
        .await;

    let width = browser.run("return window.innerWidth;").await;
    assert!(
        width
            .as_u64()
            .is_some_and(|width| width <= u64::from(PHONE.0) + 20),
        "the window is a phone's: {width}"
    );
    // Nothing makes the page itself scroll sideways (a wide diagram or
    // command scrolls inside its own box).
    let overflow = browser
        .run(
            "return [...document.querySelectorAll('body *')]
                .filter((element) => element.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                    && !element.closest('.lanes, pre, .rpc, .command-line, .uplot, table'))
                .slice(0, 5)
                .map((element) => element.tagName + '.' + element.className + '#' + element.id);",
        )
        .await;
    assert_eq!(overflow, serde_json::json!([]), "elements wider than the screen");
    let page_width = browser.run("return document.documentElement.scrollWidth;").await;
    assert_eq!(page_width, width, "the page scrolls sideways");
    browser.close().await;
}
