//! Input bounds: no field value, however large or strange, makes the
//! server panic, allocate in proportion to it, or send it back. Each field
//! is tried at the largest size a request may have.

use bank_domain::conversion::MAX_REQUEST_ID_BYTES;
use bank_domain::rates::MAX_PAIRS_PER_FEED;
use bank_proto::v1::session_reply::Outcome;
use bank_proto::v1::{ConvertRequest, ItemError, SessionReply, StreamRatesRequest};
use bank_server::limits::MAX_REQUEST_MESSAGE_BYTES;
use harness::{TestServer, conversion, next_message, open_session};
use tokio::sync::mpsc;
use tonic::{Code, Streaming};

/// A field value that fills most of a request message.
fn huge(unit: &str) -> String {
    unit.repeat((MAX_REQUEST_MESSAGE_BYTES - 1_024) / unit.len())
}

/// Whatever the input, an error status stays small: it travels in HTTP/2
/// trailers and must never echo the input back.
const MAX_STATUS_BYTES: usize = 2_048;

#[tokio::test]
async fn huge_or_strange_field_values_are_invalid_arguments_with_small_statuses() {
    let server = TestServer::start(1_000).await;
    let mut client = server.client().await;
    let cases = [
        conversion(&huge("9"), "EUR", "USD", ""),
        conversion(&format!("1.{}", huge("0")), "EUR", "USD", ""),
        conversion(&huge("é"), "EUR", "USD", ""),
        conversion("100", &huge("E"), "USD", ""),
        conversion("100", "EUR", &huge("\u{1F4B6}"), ""),
        conversion("100", "EUR", "USD", &huge("x")),
        conversion("100", "EUR", "USD", &"x".repeat(MAX_REQUEST_ID_BYTES + 1)),
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
                from_sequence: 0,
            })
            .await
            .expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().len() + status.details().len() < MAX_STATUS_BYTES);
    }
    assert_eq!(server.open.feeds(), 0);
}

/// Sends `request` on a session and returns the error reply it must get.
async fn refused_in_session(
    requests: &mpsc::Sender<ConvertRequest>,
    replies: &mut Streaming<SessionReply>,
    request: ConvertRequest,
) -> ItemError {
    requests.send(request).await.expect("sent");
    let reply = next_message(replies).await.expect("healthy").expect("a reply");
    match reply.outcome {
        Some(Outcome::Error(error)) => error,
        other => panic!("an error reply, got {other:?}"),
    }
}

#[tokio::test]
async fn a_session_error_reply_does_not_echo_an_oversized_request_id() {
    let server = TestServer::start(1_000).await;
    let mut client = server.client().await;
    let (requests, mut replies) = open_session(&mut client).await.expect("the session opens");

    let oversized = conversion("100", "EUR", "USD", &huge("x"));
    let error = refused_in_session(&requests, &mut replies, oversized).await;
    assert_eq!(error.field, "request_id");
    assert_eq!(error.request_id.len(), 0, "an id over the limit is not sent back");

    // An id within the limit is echoed as usual.
    let id = "x".repeat(MAX_REQUEST_ID_BYTES);
    let error = refused_in_session(&requests, &mut replies, conversion("0", "EUR", "USD", &id)).await;
    assert_eq!(error.field, "amount");
    assert_eq!(error.request_id, id);
}
