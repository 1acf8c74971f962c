//! Input bounds: no field value, however large or strange, makes the
//! server panic, allocate in proportion to it, or send it back. Each field
//! is tried at the largest size a request may have.

mod common;

use bank_service::domain::conversion::MAX_REQUEST_ID_BYTES;
use bank_service::domain::rates::MAX_PAIRS_PER_FEED;
use bank_service::limits::MAX_REQUEST_MESSAGE_BYTES;
use bank_service::proto::v1::session_reply::Outcome;
use bank_service::proto::v1::{ConvertRequest, StreamRatesRequest};
use common::{PATIENCE, TestServer};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;

/// A field value that fills most of a request message.
fn huge(unit: &str) -> String {
    unit.repeat((MAX_REQUEST_MESSAGE_BYTES - 1_024) / unit.len())
}

/// Whatever the input, an error status stays small: it travels in HTTP/2
/// trailers and must never echo the input back.
const MAX_STATUS_BYTES: usize = 2_048;

fn request(amount: &str, from: &str, to: &str, request_id: &str) -> ConvertRequest {
    ConvertRequest {
        amount: amount.into(),
        from_currency: from.into(),
        to_currency: to.into(),
        request_id: request_id.into(),
    }
}

#[tokio::test]
async fn huge_or_strange_field_values_are_invalid_arguments_with_small_statuses() {
    let server = TestServer::start(1_000).await;
    let mut client = server.client().await;
    let cases = [
        request(&huge("9"), "EUR", "USD", ""),
        request(&format!("1.{}", huge("0")), "EUR", "USD", ""),
        request(&huge("é"), "EUR", "USD", ""),
        request("100", &huge("E"), "USD", ""),
        request("100", "EUR", &huge("\u{1F4B6}"), ""),
        request("100", "EUR", "USD", &huge("x")),
        request("100", "EUR", "USD", &"x".repeat(MAX_REQUEST_ID_BYTES + 1)),
    ];
    for case in cases {
        let status = client.convert(case).await.expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().len() + status.details().len() < MAX_STATUS_BYTES);
    }
}

#[tokio::test]
async fn too_many_or_huge_pairs_are_refused_before_a_feed_opens() {
    let server = TestServer::start(1_000).await;
    let mut client = server.client().await;
    let cases = [
        vec!["EUR/USD".to_owned(); MAX_PAIRS_PER_FEED + 1],
        vec![huge("EUR/")],
        vec![huge("/")],
    ];
    for pairs in cases {
        let status = client
            .stream_rates(StreamRatesRequest {
                pairs,
                max_updates: 1,
            })
            .await
            .expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().len() + status.details().len() < MAX_STATUS_BYTES);
    }
    assert_eq!(server.open.feeds(), 0);
}

#[tokio::test]
async fn a_session_error_reply_does_not_echo_an_oversized_request_id() {
    let server = TestServer::start(1_000).await;
    let mut client = server.client().await;
    let (requests, outgoing) = mpsc::channel(1);
    let mut replies = client
        .convert_session(ReceiverStream::new(outgoing))
        .await
        .expect("the session opens")
        .into_inner();
    requests
        .send(request("100", "EUR", "USD", &huge("x")))
        .await
        .expect("sent");
    let reply = tokio::time::timeout(PATIENCE, replies.message())
        .await
        .expect("in time")
        .expect("healthy")
        .expect("a reply");
    let Some(Outcome::Error(error)) = reply.outcome else {
        panic!("an error reply, got {reply:?}");
    };
    assert_eq!(error.field, "request_id");
    assert_eq!(error.request_id.len(), 0, "an id over the limit is not sent back");

    // An id within the limit is echoed as usual.
    let id = "x".repeat(MAX_REQUEST_ID_BYTES);
    requests
        .send(request("0", "EUR", "USD", &id))
        .await
        .expect("sent");
    let reply = replies.message().await.expect("healthy").expect("a reply");
    let Some(Outcome::Error(error)) = reply.outcome else {
        panic!("an error reply, got {reply:?}");
    };
    assert_eq!(error.request_id, id);
}
