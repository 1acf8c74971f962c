//! The four models, drawn live from the classroom view (`--classroom`):
//! the page watches `WatchCalls` over gRPC-Web and draws each call the
//! server sees as a lane of arrows, here made by the `bank` CLI the test
//! runs, as a learner in the room would. Without `--classroom` the page
//! says the view is off; with tokens it is refused until the reader gives
//! one.
//! Each call is read back as a shape, one letter per arrow in order
//! (`harness::page::ended_call`): a batch of N rows is N client messages,
//! the half-close, one reply, the trailers.

use std::sync::Arc;

use bank_server::ApiTokens;
use harness::browser::Browser;
use harness::page::{classroom_state, ended_call};
use harness::{TestServer, cli};

/// Rows in the batch, so client messages in its call.
const BATCH_ROWS: usize = 5;

/// Requests typed in the session, one at a time.
const SESSION_LINES: [&str; 3] = ["1 USD EUR", "2 EUR JPY", "3 GBP USD"];

/// The token of the servers started with tokens on.
const TOKEN: &str = "a-token-for-the-classroom";

/// The four models, as the page names its articles.
const MODELS: [&str; 4] = ["unary", "server-streaming", "client-streaming", "bidi"];

/// The gRPC code UNAUTHENTICATED.
const UNAUTHENTICATED: &str = "16";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_explains_the_four_models_says_the_classroom_is_off_and_offers_commands_for_this_server() {
    let (server, _clock, page) = TestServer::start_pinned_with_web(|_| {}).await;
    let Some(browser) = Browser::open("en").await else {
        return;
    };
    browser.open_page(&page).await;
    let models = browser
        .run(
            "return [...document.querySelectorAll('#models article.model')]
                .map((article) => article.dataset.model);",
        )
        .await;
    assert_eq!(models, serde_json::json!(MODELS));
    classroom_state(&browser, "off").await;

    // The session's command names this server's gRPC port (/server.json),
    // and its button copies it, or selects it where the clipboard is
    // refused.
    let port = server.url().rsplit(':').next().unwrap_or_default().to_owned();
    let command = browser
        .wait_for(
            "the command with this server's port",
            &format!(
                "(text => text.includes(':{port} ') ? text : null)(document.querySelector('[data-model=\"bidi\"] code.command').textContent)"
            ),
        )
        .await;
    browser.click("[data-model=\"bidi\"] button.copy-command").await;
    let said = browser
        .wait_for(
            "the button saying what it did",
            "(l => l === 'models-copied' || l === 'models-copy-select' ? l : null)(document.querySelector('[data-model=\"bidi\"] button.copy-command').dataset.l10n)",
        )
        .await;
    if said == "models-copy-select" {
        let selected = browser.run("return String(getSelection());").await;
        assert_eq!(selected, command, "the command is selected for Ctrl-C");
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bank_batch_appears_as_one_call_with_a_client_arrow_per_row_and_one_reply() {
    let (server, _clock, page) = TestServer::start_pinned_with_web(|config| config.classroom = true).await;
    let Some(browser) = Browser::open("en").await else {
        return;
    };
    browser.open_page(&page).await;
    classroom_state(&browser, "watching").await;

    let output = cli::batch(&server.url(), BATCH_ROWS).await;
    cli::assert_exit(&output, 0);

    let (shape, code) = ended_call(&browser, "ConvertBatch").await;
    assert_eq!(shape, format!("{}HRT", "C".repeat(BATCH_ROWS)));
    assert_eq!(code, "0");
    let calls = browser
        .run("return document.querySelectorAll('.call[data-method=\"ConvertBatch\"]').length;")
        .await;
    assert_eq!(calls, 1, "one call for the whole batch");

    // Its Mermaid text says the same, arrow for arrow.
    browser
        .click(".call[data-method=\"ConvertBatch\"] button.mermaid-export")
        .await;
    let text = browser
        .wait_for(
            "the call's Mermaid text",
            "document.querySelector('.call[data-method=\"ConvertBatch\"] .mermaid textarea')?.value",
        )
        .await;
    let text = text.as_str().unwrap_or_default();
    let count = |prefix: &str| text.lines().filter(|line| line.starts_with(prefix)).count();
    assert_eq!(text.lines().next(), Some("sequenceDiagram"), "{text}");
    assert_eq!(count("    C->>S: "), BATCH_ROWS, "{text}");
    assert_eq!(count("    S->>C: "), 1, "{text}");
    assert_eq!(count("    C-->>S: "), 1, "the half-close: {text}");
    assert_eq!(count("    S-->>C: "), 1, "the trailers: {text}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bank_session_appears_as_client_and_server_arrows_taking_turns() {
    let (server, _clock, page) = TestServer::start_pinned_with_web(|config| config.classroom = true).await;
    let Some(browser) = Browser::open("en").await else {
        return;
    };
    browser.open_page(&page).await;
    classroom_state(&browser, "watching").await;

    let replies = cli::session_line_by_line(&server.url(), &SESSION_LINES).await;
    assert_eq!(replies.len(), SESSION_LINES.len());

    let (shape, code) = ended_call(&browser, "ConvertSession").await;
    assert_eq!(shape, format!("{}HT", "CR".repeat(SESSION_LINES.len())));
    assert_eq!(code, "0");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_tokens_the_classroom_is_refused_without_a_token_and_watched_with_one() {
    let tokens = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(tokens.path(), format!("{TOKEN}\n")).expect("token file written");
    let loaded = Arc::new(ApiTokens::load(tokens.path()).expect("the tokens load"));
    let (_server, _clock, page) = TestServer::start_pinned_with_web(|config| {
        config.classroom = true;
        config.auth_tokens = Some(loaded);
    })
    .await;
    let Some(browser) = Browser::open("en").await else {
        return;
    };
    browser.open_page(&page).await;
    classroom_state(&browser, "refused").await;
    assert_eq!(
        browser
            .attribute("#classroom-status", "data-code")
            .await
            .as_deref(),
        Some(UNAUTHENTICATED)
    );
    browser.type_into("#token", TOKEN).await;
    classroom_state(&browser, "watching").await;
    browser.close().await;
}
