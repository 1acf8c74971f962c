//! Deadlines: a client's `grpc-timeout` bounds the work done for it, on
//! every kind of call. Feeds and sessions, whose handlers return at once,
//! end with DEADLINE_EXCEEDED when it passes and free their places; a
//! batch still running gets DEADLINE_EXCEEDED too (tonic's server alone
//! would say CANCELLED). The clock is pinned, so no tick arrives to blur the end.

use std::time::Duration;

use bank_proto::v1::StreamRatesRequest;
use harness::raw_h2::{RawConnection, grpc_frame, status_of};
use harness::{PATIENCE, TestServer, hundred_eur_to_usd};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Code, Request};

/// A deadline short enough for a test; what is asserted is the status.
const SHORT_DEADLINE: Duration = Duration::from_millis(200);

fn with_deadline<T>(message: T, deadline: Duration) -> Request<T> {
    let mut request = Request::new(message);
    request.set_timeout(deadline);
    request
}

#[tokio::test]
async fn a_feed_ends_with_deadline_exceeded_when_the_clients_deadline_passes() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let request = StreamRatesRequest {
        pairs: vec!["EUR/USD".into()],
        max_updates: 0,
        from_sequence: 0,
    };
    let mut feed = client
        .stream_rates(with_deadline(request, SHORT_DEADLINE))
        .await
        .expect("the feed opens")
        .into_inner();
    let first = tokio::time::timeout(PATIENCE, feed.message())
        .await
        .expect("in time");
    assert!(first.expect("healthy").is_some(), "the current tick comes first");

    let end = tokio::time::timeout(PATIENCE, feed.message())
        .await
        .expect("the server ends the feed in time")
        .expect_err("the feed ends with an error, not cleanly");
    assert_eq!(end.code(), Code::DeadlineExceeded);
    server
        .wait_until("the feed frees its place", |server| server.open.feeds() == 0)
        .await;
}

#[tokio::test]
async fn a_session_ends_with_deadline_exceeded_when_the_clients_deadline_passes() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let (requests, outgoing) = mpsc::channel(1);
    let mut replies = client
        .convert_session(with_deadline(ReceiverStream::new(outgoing), SHORT_DEADLINE))
        .await
        .expect("the session opens")
        .into_inner();
    requests.send(hundred_eur_to_usd()).await.expect("sent");
    let reply = tokio::time::timeout(PATIENCE, replies.message())
        .await
        .expect("in time");
    assert!(reply.expect("healthy").is_some(), "a reply before the deadline");

    let end = tokio::time::timeout(PATIENCE, replies.message())
        .await
        .expect("the server ends the session in time")
        .expect_err("the session ends with an error, not cleanly");
    assert_eq!(end.code(), Code::DeadlineExceeded);
    server
        .wait_until("the session frees its place", |server| {
            server.open.sessions() == 0
        })
        .await;
}

/// A tonic client enforces its own deadline too, and reports CANCELLED
/// when the response has not started by then; a batch's response starts
/// only with its summary, so a tonic client would never show what the
/// server does. This client sends `grpc-timeout` and just waits.
#[tokio::test]
async fn a_batch_still_running_at_its_deadline_gets_deadline_exceeded_and_no_summary() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut connection = RawConnection::open(server.addr).await;
    let (response, mut items) = connection
        .start_with_metadata("ConvertBatch", &[("grpc-timeout", "200m")])
        .await
        .expect("the batch opens");
    items
        .send_data(grpc_frame(&hundred_eur_to_usd()), false)
        .expect("an item is sent");
    // The batch stays open: only the deadline can end it.
    assert_eq!(status_of(response).await, Code::DeadlineExceeded);
    drop(items);

    server
        .client()
        .await
        .convert(hundred_eur_to_usd())
        .await
        .expect("the server goes on");
}

#[tokio::test]
async fn calls_that_finish_before_their_deadline_are_unaffected_by_it() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    client
        .convert(with_deadline(hundred_eur_to_usd(), PATIENCE))
        .await
        .expect("a unary call within its deadline succeeds");
    let summary = client
        .convert_batch(with_deadline(
            tokio_stream::iter(vec![hundred_eur_to_usd(); 3]),
            PATIENCE,
        ))
        .await
        .expect("a batch within its deadline gets its summary")
        .into_inner();
    assert_eq!(summary.accepted, 3);
    let request = StreamRatesRequest {
        pairs: vec!["EUR/USD".into()],
        max_updates: 1,
        from_sequence: 0,
    };
    let mut feed = client
        .stream_rates(with_deadline(request, PATIENCE))
        .await
        .expect("the feed opens")
        .into_inner();
    assert!(feed.message().await.expect("healthy").is_some());
    assert!(feed.message().await.expect("ends cleanly").is_none());
}

/// A unary call whose message never comes does not hold its handler place
/// forever: past the request body timeout it ends with CANCELLED.
#[tokio::test]
async fn a_unary_call_whose_message_never_arrives_is_cancelled_after_the_request_body_timeout() {
    let mut config = bank_server::Config::with_seed(harness::SEED);
    config.transport.request_body_timeout = Duration::from_millis(200);
    let server = harness::TestServer::start_with(config).await;
    let mut connection = harness::raw_h2::RawConnection::open(server.addr).await;
    let (response, _body) = connection.start("Convert").await.expect("the call opens");
    assert_eq!(harness::raw_h2::status_of(response).await, tonic::Code::Cancelled);
    assert_eq!(
        connection.call("Convert", &harness::hundred_eur_to_usd()).await,
        tonic::Code::Ok
    );
}
