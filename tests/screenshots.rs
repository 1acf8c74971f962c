//! Screenshots of the page for the READMEs: `docs/screenshots/page-en.png`
//! and `page-fr.png`, made by `scripts/screenshots.sh`
//! (`cargo run -p bank-tests --bin screenshots -- docs/screenshots`).
//!
//! Lifecycle: one server on a manual clock with the page and the classroom
//! view; then, for each language, a fresh headless chromium that opens the
//! page, starts the board, converts, and (when the page has the classroom
//! view) watches a `bank batch` and a `bank session` run from here, so the
//! four models have diagrams; the whole page is then saved as a PNG and
//! the browser closed. The clock only moves when this program publishes a
//! tick.

use std::path::PathBuf;
use std::process::ExitCode;

use harness::browser::Browser;
use harness::cli;
use harness::page::{board_sequence_after, classroom_state, convert, ended_call, has_classroom_view};
use harness::{TestServer, manual_clock_at_machine_time, pinned_config};

/// The page's width in the pictures: a laptop's.
const WIDTH: u32 = 1280;

/// Ticks published before the page opens, so the charts have history.
const HISTORY_TICKS: u64 = 30;

/// Ticks published while the board watches.
const LIVE_TICKS: u64 = 3;

/// Rows of the batch drawn in the client-streaming diagram.
const BATCH_ROWS: usize = 4;

/// Requests of the session drawn in the bidirectional diagram.
const SESSION_LINES: [&str; 3] = ["100 EUR USD", "250 GBP JPY", "42 USD CHF"];

/// The languages pictured, each with its file name.
const LANGUAGES: [(&str, &str); 2] = [("en", "page-en.png"), ("fr", "page-fr.png")];

#[tokio::main]
async fn main() -> ExitCode {
    let folder = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "docs/screenshots".into()),
    );
    std::fs::create_dir_all(&folder).expect("the screenshots' folder");
    // The server's clock stands at the machine's time, so the pictures
    // show today's date, and moves only when a tick is published here.
    let clock = manual_clock_at_machine_time();
    let mut config = pinned_config(&clock);
    config.classroom = true;
    let (server, web) = TestServer::start_with_web(config, &[]).await;
    let page = format!("http://{web}/");
    server.publish_ticks(&clock, HISTORY_TICKS).await;
    for (lang, file) in LANGUAGES {
        let Some(browser) = Browser::open(lang).await else {
            return ExitCode::FAILURE;
        };
        browser.open_page(&page).await;
        browser.click("#board-toggle").await;
        // The feed resumes at the tick after the charts' history.
        browser.wait_for_attribute("figure.chart", "data-history").await;
        let mut sequence = None;
        for _ in 0..LIVE_TICKS {
            server.publish_ticks(&clock, 1).await;
            sequence = Some(board_sequence_after(&browser, sequence).await);
        }
        convert(&browser, "1234.56", "EUR", "JPY").await;
        browser
            .wait_for_attribute("#convert-output", "data-converted")
            .await;
        if has_classroom_view(&browser).await {
            classroom_state(&browser, "watching").await;
            cli::assert_exit(&cli::batch(&server.url(), BATCH_ROWS).await, 0);
            cli::session_line_by_line(&server.url(), &SESSION_LINES).await;
            ended_call(&browser, "ConvertBatch").await;
            ended_call(&browser, "ConvertSession").await;
        } else {
            eprintln!("this page has no classroom view yet: no diagrams in the {lang} picture");
        }
        let png = browser.full_page_png(WIDTH).await;
        let path = folder.join(file);
        std::fs::write(&path, png).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        println!("{}", path.display());
        browser.close().await;
    }
    ExitCode::SUCCESS
}
