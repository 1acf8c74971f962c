//! The page from the keyboard alone: a form submits with Enter, the focus
//! moves with Tab to the buttons, a call goes on the projector with Enter
//! and comes back with Escape, the focus returning to its button.

use harness::TestServer;
use harness::browser::Browser;
use harness::page::board_sequence_after;

/// WebDriver's key codes (the W3C specification's table).
const ENTER: &str = "\u{E007}";
const TAB: &str = "\u{E004}";
const ESCAPE: &str = "\u{E00C}";

/// Keys pressed, at most, to reach a button with Tab.
const MAX_TABS: usize = 200;

/// Presses `keys` where the focus is.
async fn press(browser: &Browser, keys: &str) {
    browser
        .client()
        .active_element()
        .await
        .expect("an element has the focus")
        .send_keys(keys)
        .await
        .expect("the keys are pressed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_and_the_projector_work_from_the_keyboard() {
    let (server, clock, page) = TestServer::start_pinned_with_web(|config| config.classroom = true).await;
    let Some(browser) = Browser::open("en").await else {
        return;
    };
    browser.open_page(&page).await;
    browser
        .wait_for(
            "the classroom view",
            "document.getElementById('classroom-status').dataset.state === 'watching'",
        )
        .await;

    // Enter in the pairs field starts the board.
    browser.type_into("#pairs", &format!("EUR/USD{ENTER}")).await;
    browser.wait_for_attribute("figure.chart", "data-history").await;
    server.publish_ticks(&clock, 1).await;
    board_sequence_after(&browser, None).await;

    // Tab reaches the feed's projector button; Enter puts the call on the
    // projector.
    let target = "document.activeElement.matches('.call[data-method=\"StreamRates\"] button.projector')";
    let mut reached = false;
    for _ in 0..MAX_TABS {
        press(&browser, TAB).await;
        if browser.run(&format!("return {target};")).await == true {
            reached = true;
            break;
        }
    }
    assert!(reached, "Tab reaches the projector button of the feed's call");
    press(&browser, ENTER).await;
    browser
        .wait_for(
            "the call on the projector",
            "document.querySelector('.call.projected')",
        )
        .await;

    // Escape takes it off, and the focus is back on its button.
    press(&browser, ESCAPE).await;
    browser
        .wait_for(
            "the call back in its place, the focus on its button",
            &format!("!document.querySelector('.call.projected') && {target}"),
        )
        .await;
    browser.close().await;
}
