//! The page (`bank-server --web-addr`) in a real browser: headless chromium
//! driven through chromedriver (harness/browser.rs), against a server on
//! 127.0.0.1 started by each test, one module per part of the page.
//!
//! Each test opens its own server and its own browser and closes both at
//! its end (dropped on a panic too). The servers run on a pinned clock
//! wherever a test compares numbers: a tick is published only when the
//! test moves the clock, so the page and a direct call see the same one.
//! Where chromium is missing, each test says it was skipped and returns;
//! under CI it fails.

mod board;
mod charts;
mod contrast;
mod convert;
mod keyboard;
mod languages;
mod models;
mod page;

/// The page's catalog in `lang` ("en", "fr"), as the page bundles it.
pub fn page_catalog(lang: &str) -> String {
    let path = format!("{}/../web/locales/{lang}.ftl", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// The value of message `id` in the page's catalog for `lang`.
pub fn page_text(lang: &str, id: &str) -> String {
    harness::catalogs::catalog_texts(&page_catalog(lang))
        .into_iter()
        .find(|(message, _)| message == id)
        .map(|(_, text)| text)
        .unwrap_or_else(|| panic!("{id} is in web/locales/{lang}.ftl"))
}
