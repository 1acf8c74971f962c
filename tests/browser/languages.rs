//! The page's two languages: a French browser gets the page in French, and
//! switching a page already in use to French leaves no English behind: no
//! text of the English catalog that the French one does not also use, and
//! no message id.
//!
//! The English texts are read from `web/locales/en.ftl` as syntax: each
//! variant of each message, cut at its placeables into the literal pieces
//! a reader would see. A piece counts as English only if no French text
//! has it too (the RPC names `Convert`, `StreamRates`, the word `Tick`).

use harness::TestServer;
use harness::browser::Browser;
use harness::catalogs::catalog_texts;
use harness::page::{board_sequence_after, convert, watch};
use regex::Regex;

use crate::page::ids_shown;
use crate::{page_catalog, page_text};

/// The literal pieces of a catalog text, placeables (`{…}`) cut out, each
/// trimmed of spaces and punctuation, keeping those with a letter.
fn pieces(text: &str) -> Vec<String> {
    let placeable = Regex::new(r"\{[^}]*\}").expect("valid regex");
    placeable
        .split(text)
        .map(|piece| piece.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
        .filter(|piece| piece.chars().any(char::is_alphabetic))
        .collect()
}

/// A pattern matching `piece` as whole words.
fn whole_words(piece: &str) -> Regex {
    Regex::new(&format!(r"(^|\W){}(\W|$)", regex::escape(piece))).expect("valid regex")
}

/// The pieces of English text that a French page must not show.
fn english_only_pieces() -> Vec<String> {
    let french: Vec<String> = catalog_texts(&page_catalog("fr"))
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    let mut english: Vec<String> = catalog_texts(&page_catalog("en"))
        .into_iter()
        .flat_map(|(_, text)| pieces(&text))
        .filter(|piece| {
            let piece = whole_words(piece);
            !french.iter().any(|text| piece.is_match(text))
        })
        .collect();
    english.sort();
    english.dedup();
    english
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_browser_gets_the_page_in_french() {
    let (_server, _clock, page) = TestServer::start_pinned_with_web(|_| {}).await;
    let Some(browser) = Browser::open("fr").await else {
        return;
    };
    browser.open_page(&page).await;
    let title = browser.client().title().await.expect("the title");
    assert_eq!(title, page_text("fr", "page-title"));
    assert_eq!(browser.attribute("html", "lang").await.as_deref(), Some("fr"));
    assert_eq!(
        browser
            .run("return document.getElementById('language').value;")
            .await,
        "fr"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_to_french_leaves_no_english_text_and_no_message_id() {
    let english = english_only_pieces();
    assert!(
        english.len() > 10,
        "the check has English to look for: {english:?}"
    );
    let (server, clock, page) = TestServer::start_pinned_with_web(|_| {}).await;
    let Some(browser) = Browser::open("en").await else {
        return;
    };
    browser.open_page(&page).await;
    // The page in use: a live board with its chart and a result, all drawn
    // in English. The feed resumes at the tick after the chart's history.
    watch(&browser, &["EUR/USD"]).await;
    browser.wait_for_attribute("figure.chart", "data-history").await;
    server.publish_ticks(&clock, 1).await;
    board_sequence_after(&browser, None).await;
    convert(&browser, "100", "EUR", "JPY").await;
    browser
        .wait_for_attribute("#convert-output", "data-converted")
        .await;

    browser.choose("#language", "fr").await;
    browser
        .wait_for("the page in French", "document.documentElement.lang === 'fr'")
        .await;
    let text = browser.page_text().await;
    let left: Vec<&String> = english
        .iter()
        .filter(|piece| whole_words(piece).is_match(&text))
        .collect();
    assert!(
        left.is_empty(),
        "English left on the French page: {left:?}\n{text}"
    );
    assert_eq!(ids_shown(&text), Vec::<String>::new(), "{text}");
    browser.close().await;
}

/// The server's sentence for an unknown currency (problem-currency-unsupported),
/// in each language.
const ENGLISH_SENTENCE: &str = "XXX is not a supported currency";
const FRENCH_SENTENCE: &str = "XXX n’est pas une devise prise en charge";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_charts_error_is_worded_again_in_french_after_a_switch() {
    let (_server, _clock, page) = TestServer::start_pinned_with_web(|_| {}).await;
    let Some(browser) = Browser::open("en").await else {
        return;
    };
    browser.open_page(&page).await;
    // No such currency: the chart's history is refused (INVALID_ARGUMENT).
    watch(&browser, &["EUR/XXX"]).await;
    let caption = "figure.chart figcaption .error";
    let english = browser
        .wait_for(
            "the chart's error, worded by the server",
            &format!("document.querySelector({caption:?})?.textContent"),
        )
        .await;
    let english = english.as_str().unwrap_or_default().to_owned();
    assert!(english.contains(ENGLISH_SENTENCE), "{english}");

    // The caption is redrawn at once; the server's sentence comes back in
    // French when the history call, made again, is answered.
    browser.choose("#language", "fr").await;
    browser
        .wait_for(
            "the chart's error, worded again by the server in French",
            &format!("document.querySelector({caption:?})?.textContent?.includes({FRENCH_SENTENCE:?})"),
        )
        .await;
    browser.close().await;
}
