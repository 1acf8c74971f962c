//! Errors in the caller's language: `accept-language: fr` through a real
//! tonic client gives a French `google.rpc.LocalizedMessage`, English
//! otherwise, and French item errors in batches and sessions.

use bank_proto::v1::ConvertRequest;
use harness::TestServer;
use harness::session::Session;
use tonic::metadata::MetadataValue;
use tonic::{Code, Request};
use tonic_types::StatusExt;

fn zero_amount() -> ConvertRequest {
    ConvertRequest {
        amount: "0".into(),
        from_currency: "USD".into(),
        to_currency: "EUR".into(),
        request_id: "z".into(),
        at: None,
    }
}

fn in_language<T>(message: T, language: &'static str) -> Request<T> {
    let mut request = Request::new(message);
    request
        .metadata_mut()
        .insert("accept-language", MetadataValue::from_static(language));
    request
}

#[tokio::test]
async fn accept_language_fr_gives_a_french_localized_message() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let status = client
        .convert(in_language(zero_amount(), "fr-FR,fr;q=0.9,en;q=0.5"))
        .await
        .expect_err("zero is refused");
    assert_eq!(status.code(), Code::InvalidArgument);
    let localized = status.get_details_localized_message().expect("LocalizedMessage");
    assert_eq!(localized.locale, "fr");
    assert_eq!(
        localized.message,
        "montant (amount)\u{a0}: doit être supérieur à zéro"
    );
    // The field stays machine-readable whatever the language.
    let bad_request = status.get_details_bad_request().expect("BadRequest");
    assert_eq!(bad_request.field_violations[0].field, "amount");
}

#[tokio::test]
async fn without_accept_language_the_localized_message_is_english() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    for request in [Request::new(zero_amount()), in_language(zero_amount(), "de-DE")] {
        let status = client.convert(request).await.expect_err("zero is refused");
        let localized = status.get_details_localized_message().expect("LocalizedMessage");
        assert_eq!(localized.locale, "en");
        assert_eq!(localized.message, "amount: must be greater than zero");
    }
}

#[tokio::test]
async fn batch_item_errors_follow_accept_language() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let items = tokio_stream::iter(vec![zero_amount()]);
    let summary = client
        .convert_batch(in_language(items, "fr"))
        .await
        .expect("batch completes")
        .into_inner();
    assert_eq!(summary.rejected, 1);
    assert_eq!(
        summary.errors[0].message,
        "montant (amount)\u{a0}: doit être supérieur à zéro"
    );
    assert_eq!(summary.errors[0].code, "INVALID_ARGUMENT");
}

#[tokio::test]
async fn session_item_errors_follow_accept_language() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let mut session = Session::open_in(&mut client, "fr").await;
    let mut good = zero_amount();
    good.amount = "100".into();
    let mut unsupported = good.clone();
    unsupported.from_currency = "XXX".into();

    // A good request, a bad one mid-session, and the session goes on.
    session.send(good.clone()).await;
    session.conversion().await;
    session.send(unsupported).await;
    let error = session.error().await;
    assert_eq!(error.index, 1);
    assert_eq!(error.code, "INVALID_ARGUMENT");
    assert_eq!(error.field, "from_currency");
    assert_eq!(
        error.message,
        "devise de départ (from_currency)\u{a0}: XXX n’est pas une devise prise en charge"
    );
    session.send(good).await;
    session.conversion().await;
}
