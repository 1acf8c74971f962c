//! What a person does on the page, in terms of its DOM contract (the ids
//! and `data-` attributes the page promises its tests): start the board,
//! read its tick, convert, wait for the classroom view. The browser tests
//! and the screenshots program share these, so the contract is written
//! down once.

use serde_json::json;

use crate::browser::Browser;

/// Types `pairs` in the board's field (`#pairs`) and starts watching them.
pub async fn watch(browser: &Browser, pairs: &[&str]) {
    browser.type_into("#pairs", &pairs.join(", ")).await;
    browser.click("#board-toggle").await;
}

/// The tick the board's status shows (`data-sequence`), once it is past
/// `after` (any tick for `None`).
pub async fn board_sequence_after(browser: &Browser, after: Option<u64>) -> u64 {
    let floor = after.map_or(-1, i128::from);
    let expression = format!(
        "(() => {{ const s = document.getElementById('board-status').dataset.sequence;
                   return s !== undefined && BigInt(s) > {floor}n ? s : null; }})()"
    );
    let sequence = browser.wait_for("a newer tick on the board", &expression).await;
    sequence
        .as_str()
        .and_then(|sequence| sequence.parse().ok())
        .unwrap_or_else(|| panic!("a sequence: {sequence}"))
}

/// Fills the converter's form and submits it.
pub async fn convert(browser: &Browser, amount: &str, from: &str, to: &str) {
    browser.type_into("#amount", amount).await;
    browser.type_into("#from_currency", from).await;
    browser.type_into("#to_currency", to).await;
    browser.click("#convert-form [type=submit]").await;
}

/// Waits until the classroom view's status (`#classroom-status`) is
/// `state`: connecting, watching, off, refused or ended.
pub async fn classroom_state(browser: &Browser, state: &str) {
    browser
        .wait_for(
            &format!("the classroom view {state}"),
            &format!(
                "document.getElementById('classroom-status')?.dataset.state === {}",
                json!(state)
            ),
        )
        .await;
}

/// Whether the page has the classroom view at all.
pub async fn has_classroom_view(browser: &Browser) -> bool {
    browser
        .run("return document.getElementById('classroom-status') !== null;")
        .await
        == json!(true)
}

/// The first call of `method` (`ConvertBatch`…) drawn from the classroom
/// view, once ended: its arrows as a shape, one letter each in order (C a
/// client message, R a server message, H the half-close, T the trailers,
/// K skipped ticks, X a cancellation), and its code.
pub async fn ended_call(browser: &Browser, method: &str) -> (String, String) {
    let css = format!(".call[data-method=\"{method}\"][data-source=\"classroom\"][data-code]");
    let call = browser
        .wait_for(
            &format!("an ended {method} call"),
            &format!(
                "(() => {{ const call = document.querySelector({});
                    if (!call) return null;
                    const shape = [...call.querySelectorAll('.arrow')].map((arrow) => {{
                        switch (arrow.dataset.kind) {{
                            case 'message': return arrow.dataset.direction === 'client' ? 'C' : 'R';
                            case 'half-close': return 'H';
                            case 'trailers': return 'T';
                            case 'skipped': return 'K';
                            case 'cancel': return 'X';
                            default: return '?';
                        }}
                    }}).join('');
                    return [shape, call.dataset.code]; }})()",
                json!(css)
            ),
        )
        .await;
    serde_json::from_value(call).expect("a shape and a code")
}
