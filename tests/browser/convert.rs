//! The converter (Convert over gRPC-Web): its result is `Convert`'s for the
//! same tick, now or at a past instant, and a bad amount gets the server's
//! error in the page's language, on the amount field.

use bank_proto::v1::ConvertRequest;
use harness::browser::Browser;
use harness::page::convert;
use harness::{PINNED_UNIX_MS, TestServer};
use tonic::metadata::MetadataValue;
use tonic_types::StatusExt;

/// Ticks published before converting, so that the tick is not the first.
const TICKS_BEFORE: u64 = 3;

/// An amount that many parsers read as a number, and the service refuses:
/// an exponent is not a plain decimal.
const BAD_AMOUNT: &str = "1e5";

/// The page's last result: the converted amount and the tick's sequence.
async fn result_on_page(browser: &Browser) -> (String, u64) {
    let converted = browser
        .wait_for_attribute("#convert-output", "data-converted")
        .await;
    let sequence = browser
        .attribute("#convert-output", "data-sequence")
        .await
        .and_then(|sequence| sequence.parse().ok())
        .expect("the result's tick");
    (converted, sequence)
}

/// Sets the `datetime-local` field `#at` to the instant `unix_ms` (the
/// browser lives in UTC), as a person picking it would.
async fn set_instant(browser: &Browser, unix_ms: u64) {
    browser
        .run(&format!(
            "const field = document.getElementById('at');
             field.value = new Date({unix_ms}).toISOString().slice(0, 19);
             field.dispatchEvent(new Event('input', {{ bubbles: true }}));
             field.dispatchEvent(new Event('change', {{ bubbles: true }}));
             return null;"
        ))
        .await;
}

/// The sentence the server gives a person reading `lang` for `request`'s
/// refusal (`google.rpc.LocalizedMessage`).
async fn localized_refusal(server: &TestServer, request: ConvertRequest, lang: &'static str) -> String {
    let mut request = tonic::Request::new(request);
    request
        .metadata_mut()
        .insert("accept-language", MetadataValue::from_static(lang));
    let status = server
        .client()
        .await
        .convert(request)
        .await
        .expect_err("the service refuses it");
    status
        .get_details_localized_message()
        .expect("a LocalizedMessage")
        .message
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversion_on_the_page_equals_convert_for_the_same_tick() {
    let (server, clock, page) = TestServer::start_pinned_with_web(|_| {}).await;
    server.publish_ticks(&clock, TICKS_BEFORE).await;
    let Some(browser) = Browser::open("en").await else {
        return;
    };
    browser.open_page(&page).await;
    convert(&browser, "1234.56", "EUR", "JPY").await;
    let (converted, sequence) = result_on_page(&browser).await;

    let direct = server.direct_convert("1234.56", "EUR", "JPY").await;
    assert_eq!(converted, direct.converted_amount);
    assert_eq!(sequence, direct.rate_sequence);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversion_at_a_past_instant_equals_convert_at_that_instant() {
    let (server, clock, page) = TestServer::start_pinned_with_web(|_| {}).await;
    server.publish_ticks(&clock, TICKS_BEFORE).await;
    let past_ms = PINNED_UNIX_MS + 1_000;
    let Some(browser) = Browser::open("en").await else {
        return;
    };
    browser.open_page(&page).await;
    set_instant(&browser, past_ms).await;
    convert(&browser, "1234.56", "EUR", "JPY").await;
    let (converted, sequence) = result_on_page(&browser).await;

    let at_seconds = i64::try_from(past_ms / 1_000).expect("an instant in range");
    let mut request = harness::conversion("1234.56", "EUR", "JPY", "");
    request.at = Some(prost_types::Timestamp {
        seconds: at_seconds,
        nanos: 0,
    });
    let direct = server
        .client()
        .await
        .convert(request)
        .await
        .expect("the direct call converts")
        .into_inner();
    let now = server.direct_convert("1234.56", "EUR", "JPY").await;
    assert_eq!(
        (converted, sequence),
        (direct.converted_amount, direct.rate_sequence)
    );
    assert!(sequence < now.rate_sequence, "a past tick, not the latest");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_amount_shows_the_server_error_in_the_page_language_on_the_amount_field() {
    let (server, _clock, page) = TestServer::start_pinned_with_web(|_| {}).await;
    let Some(browser) = Browser::open("en").await else {
        return;
    };
    browser.open_page(&page).await;
    let mut shown = Vec::new();
    for lang in ["en", "fr"] {
        browser.choose("#language", lang).await;
        convert(&browser, BAD_AMOUNT, "EUR", "JPY").await;
        let sentence =
            localized_refusal(&server, harness::conversion(BAD_AMOUNT, "EUR", "JPY", ""), lang).await;
        let expression = format!(
            "(() => {{ const output = document.getElementById('convert-output');
                       return output.classList.contains('error') && output.textContent.includes({})
                           ? output.textContent : null; }})()",
            serde_json::json!(sentence)
        );
        let text = browser
            .wait_for(&format!("the {lang} refusal on the page"), &expression)
            .await;
        assert_eq!(
            browser.attribute("#amount", "aria-invalid").await.as_deref(),
            Some("true"),
            "the amount field is marked ({lang})"
        );
        shown.push(text);
    }
    assert_ne!(shown[0], shown[1], "the refusal is translated");
    browser.close().await;
}
