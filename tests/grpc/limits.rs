//! Limits that protect everyone else: caps on open feeds and sessions,
//! load shedding per connection, and the idle timeout of batches and
//! sessions. Past a cap a new call is refused at once with
//! RESOURCE_EXHAUSTED, and the streams already open are untouched.

use std::time::Duration;

use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_proto::v1::session_reply::Outcome;
use bank_proto::v1::{ConvertRequest, RateUpdate, StreamRatesRequest};
use bank_server::Config;
use harness::raw_h2::{RawConnection, grpc_frame, status_of};
use harness::{PATIENCE, SEED, TestServer, hundred_eur_to_usd, next_message, open_session};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;
use tonic::{Code, Streaming};

/// A tick short enough that feeds update several times during a test.
const FAST_TICK_MS: u64 = 20;

/// An idle timeout short enough for a test; what is asserted is the
/// status, never how long it took.
const TEST_IDLE_TIMEOUT: Duration = Duration::from_millis(200);

fn config() -> Config {
    let mut config = Config::with_seed(SEED);
    config.tick_ms = FAST_TICK_MS;
    config
}

fn feed_request() -> StreamRatesRequest {
    StreamRatesRequest {
        pairs: vec!["EUR/USD".into()],
        max_updates: 0,
        from_sequence: 0,
    }
}

async fn next_update(feed: &mut Streaming<RateUpdate>) -> RateUpdate {
    tokio::time::timeout(PATIENCE, feed.message())
        .await
        .expect("an update arrives in time")
        .expect("the feed is healthy")
        .expect("the feed goes on")
}

async fn open_feed(client: &mut BankServiceClient<Channel>) -> Result<Streaming<RateUpdate>, tonic::Status> {
    client
        .stream_rates(feed_request())
        .await
        .map(tonic::Response::into_inner)
}

#[tokio::test]
async fn a_feed_over_the_cap_is_refused_at_once_and_the_open_feeds_keep_updating() {
    let mut config = config();
    config.limits.max_feeds = 2;
    let server = TestServer::start_with(config).await;
    let mut client = server.client().await;

    let mut first = open_feed(&mut client).await.expect("feed 1 of 2 opens");
    let mut second = open_feed(&mut client).await.expect("feed 2 of 2 opens");
    next_update(&mut first).await;
    next_update(&mut second).await;

    let refused = open_feed(&mut client).await.expect_err("feed 3 is over the cap");
    assert_eq!(refused.code(), Code::ResourceExhausted);
    assert_eq!(server.open.feeds(), 2);

    // The open feeds are untouched: they keep receiving new ticks.
    let before = next_update(&mut first).await.sequence;
    assert!(next_update(&mut first).await.sequence > before);
    next_update(&mut second).await;

    // Leaving frees the place for someone else.
    drop(first);
    server
        .wait_until("the closed feed frees its place", |server| {
            server.open.feeds() == 1
        })
        .await;
    let mut third = open_feed(&mut client)
        .await
        .expect("a freed place is taken again");
    next_update(&mut third).await;
}

#[tokio::test]
async fn a_session_over_the_cap_is_refused_at_once_and_the_open_session_keeps_answering() {
    let mut config = config();
    config.limits.max_sessions = 1;
    let server = TestServer::start_with(config).await;
    let mut client = server.client().await;

    let (requests, mut replies) = open_session(&mut client).await.expect("session 1 of 1 opens");
    let refused = open_session(&mut client)
        .await
        .expect_err("session 2 is over the cap");
    assert_eq!(refused.code(), Code::ResourceExhausted);

    requests
        .send(hundred_eur_to_usd())
        .await
        .expect("the open session takes requests");
    let reply = next_message(&mut replies)
        .await
        .expect("healthy")
        .expect("a reply");
    assert!(matches!(reply.outcome, Some(Outcome::Conversion(_))));
    assert_eq!(server.open.sessions(), 1);

    drop(requests);
    assert!(next_message(&mut replies).await.expect("ends cleanly").is_none());
    server
        .wait_until("the session frees its place", |server| {
            server.open.sessions() == 0
        })
        .await;
    open_session(&mut client)
        .await
        .expect("the freed place is taken again");
}

#[tokio::test]
async fn caps_are_per_kind_so_full_feeds_do_not_refuse_sessions_or_unary_calls() {
    let mut config = config();
    config.limits.max_feeds = 1;
    let server = TestServer::start_with(config).await;
    let mut client = server.client().await;

    let _feed = open_feed(&mut client).await.expect("the only feed opens");
    let refused = open_feed(&mut client)
        .await
        .expect_err("a second feed is over the cap");
    assert_eq!(refused.code(), Code::ResourceExhausted);

    client
        .convert(hundred_eur_to_usd())
        .await
        .expect("unary calls go on");
    open_session(&mut client)
        .await
        .expect("sessions have their own cap");
}

#[tokio::test]
async fn a_call_over_the_connection_limit_is_shed_with_resource_exhausted_not_queued() {
    let mut config = config();
    config.transport.concurrency_per_connection = 1;
    let server = TestServer::start_with(config).await;
    let mut connection = RawConnection::open(server.addr).await;

    // A batch's handler runs until the client closes its side, holding the
    // connection's only slot. HTTP/2 delivers the two streams in order, so
    // the server takes the batch before the Convert.
    let (batch, mut batch_body) = connection.start("ConvertBatch").await.expect("the batch opens");
    batch_body
        .send_data(grpc_frame(&hundred_eur_to_usd()), false)
        .expect("an item is sent");
    assert_eq!(
        connection.call("Convert", &hundred_eur_to_usd()).await,
        Code::ResourceExhausted
    );

    // Another connection has its own slots.
    server
        .client()
        .await
        .convert(hundred_eur_to_usd())
        .await
        .expect("another connection is served");

    // Once the batch ends, its slot serves the next call.
    batch_body
        .send_data(bytes::Bytes::new(), true)
        .expect("the batch is closed");
    assert_eq!(status_of(batch).await, Code::Ok);
    assert_eq!(connection.call("Convert", &hundred_eur_to_usd()).await, Code::Ok);
}

#[tokio::test]
async fn a_session_that_sends_nothing_is_cancelled_after_the_idle_timeout_and_frees_its_place() {
    let mut config = config();
    config.limits.idle_timeout = TEST_IDLE_TIMEOUT;
    config.limits.max_sessions = 1;
    let server = TestServer::start_with(config).await;
    let mut client = server.client().await;

    let (_requests, mut replies) = open_session(&mut client).await.expect("the session opens");
    let ended = next_message(&mut replies)
        .await
        .expect_err("an idle session ends with an error");
    assert_eq!(ended.code(), Code::Cancelled);

    server
        .wait_until("the idle session frees its place", |server| {
            server.open.sessions() == 0
        })
        .await;
    open_session(&mut client).await.expect("its place is free again");
}

#[tokio::test]
async fn a_session_that_keeps_talking_is_not_idle() {
    // Messages a tenth of the idle timeout apart, for one and a half idle
    // timeouts in all: only a timer that restarts with every message lets
    // the session live to the end. (The tenfold margin absorbs a slow
    // machine.)
    const IDLE_TIMEOUT: Duration = Duration::from_secs(1);
    const MESSAGES: u32 = 15;
    let mut config = config();
    config.limits.idle_timeout = IDLE_TIMEOUT;
    let server = TestServer::start_with(config).await;
    let mut client = server.client().await;

    let (requests, mut replies) = open_session(&mut client).await.expect("the session opens");
    for _ in 0..MESSAGES {
        tokio::time::sleep(IDLE_TIMEOUT / 10).await;
        requests.send(hundred_eur_to_usd()).await.expect("sent");
        let reply = next_message(&mut replies)
            .await
            .expect("healthy")
            .expect("a reply");
        assert!(matches!(reply.outcome, Some(Outcome::Conversion(_))));
    }
}

#[tokio::test]
async fn a_batch_that_sends_nothing_is_cancelled_after_the_idle_timeout_without_a_summary() {
    let mut config = config();
    config.limits.idle_timeout = TEST_IDLE_TIMEOUT;
    let server = TestServer::start_with(config).await;
    let mut client = server.client().await;

    let (requests, outgoing) = mpsc::channel::<ConvertRequest>(1);
    requests
        .send(hundred_eur_to_usd())
        .await
        .expect("one item is queued");
    let ended = tokio::time::timeout(PATIENCE, client.convert_batch(ReceiverStream::new(outgoing)))
        .await
        .expect("the server ends the batch in time")
        .expect_err("an idle batch gets no summary");
    assert_eq!(ended.code(), Code::Cancelled);
    drop(requests);

    client
        .convert(hundred_eur_to_usd())
        .await
        .expect("the server goes on");
}

/// One client that takes every place its connection may hold (feeds it
/// never reads, sessions it never uses) cannot keep another client from
/// getting a feed and a session.
#[tokio::test]
async fn a_connection_holding_every_place_it_may_leaves_feeds_and_sessions_for_other_clients() {
    let mut config = config();
    config.limits.max_feeds = 8;
    config.limits.max_sessions = 4;
    config.limits.max_feeds_per_connection = 3;
    config.limits.max_sessions_per_connection = 2;
    let server = TestServer::start_with(config).await;

    // The squatter, on one connection.
    let mut squatter = server.client().await;
    let mut held_feeds = Vec::new();
    for _ in 0..3 {
        held_feeds.push(
            open_feed(&mut squatter)
                .await
                .expect("a feed within its connection's share"),
        );
    }
    let refused = open_feed(&mut squatter)
        .await
        .expect_err("a fourth feed on one connection");
    assert_eq!(refused.code(), Code::ResourceExhausted);
    let mut held_sessions = Vec::new();
    for _ in 0..2 {
        held_sessions.push(
            open_session(&mut squatter)
                .await
                .expect("a session within its connection's share"),
        );
    }
    let refused = open_session(&mut squatter)
        .await
        .expect_err("a third session on one connection");
    assert_eq!(refused.code(), Code::ResourceExhausted);

    // A well-behaved client, on its own connection, is served.
    let mut other = server.client().await;
    let mut feed = open_feed(&mut other).await.expect("another client's feed opens");
    next_update(&mut feed).await;
    let (requests, mut replies) = open_session(&mut other)
        .await
        .expect("another client's session opens");
    requests.send(hundred_eur_to_usd()).await.expect("sent");
    let reply = next_message(&mut replies)
        .await
        .expect("a reply")
        .expect("the session goes on");
    assert!(matches!(reply.outcome, Some(Outcome::Conversion(_))));
    assert_eq!(server.open.feeds(), 4);
    assert_eq!(server.open.sessions(), 3);
}

#[tokio::test]
async fn a_batch_over_the_servers_cap_is_refused_with_resource_exhausted_and_its_place_comes_back() {
    let mut config = config();
    config.limits.max_batches = 1;
    let server = TestServer::start_with(config).await;

    let (items, outgoing) = mpsc::channel(1);
    let mut first_client = server.client().await;
    let first = tokio::spawn(async move { first_client.convert_batch(ReceiverStream::new(outgoing)).await });
    items
        .send(hundred_eur_to_usd())
        .await
        .expect("the first item is sent");
    server
        .wait_until("the first batch runs", |server| server.open.batches() == 1)
        .await;

    let mut second_client = server.client().await;
    let refused = second_client
        .convert_batch(tokio_stream::iter(vec![hundred_eur_to_usd()]))
        .await
        .expect_err("a second batch at once");
    assert_eq!(refused.code(), Code::ResourceExhausted);

    drop(items);
    let summary = tokio::time::timeout(PATIENCE, first)
        .await
        .expect("the first batch ends")
        .expect("no panic")
        .expect("the first batch is summed")
        .into_inner();
    assert_eq!(summary.accepted, 1);
    second_client
        .convert_batch(tokio_stream::iter(vec![hundred_eur_to_usd()]))
        .await
        .expect("its place came back");
}

/// A message over a service's limit is refused by its declared length,
/// with RESOURCE_EXHAUSTED, on health and reflection too: they are open
/// without a token, so their limits are as tight as the service's.
#[tokio::test]
async fn health_and_reflection_refuse_messages_over_their_own_limits() {
    let server = TestServer::start(1_000).await;
    let mut connection = RawConnection::open(server.addr).await;
    for (path, limit) in [
        (
            "/grpc.health.v1.Health/Check",
            bank_server::limits::MAX_HEALTH_REQUEST_BYTES,
        ),
        (
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            bank_server::limits::MAX_REFLECTION_REQUEST_BYTES,
        ),
        (
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
            bank_server::limits::MAX_REFLECTION_REQUEST_BYTES,
        ),
    ] {
        let (response, mut body) = connection.start_path(path).await.expect("the stream opens");
        let mut prefix = vec![0_u8];
        prefix.extend_from_slice(&u32::try_from(limit + 1).expect("small").to_be_bytes());
        body.send_data(prefix.into(), false).expect("the prefix is sent");
        assert_eq!(status_of(response).await, Code::ResourceExhausted, "{path}");
    }
}

/// Reflection puts a file name it cannot find in its error message; the
/// message the server sends is cut, whatever the name's length.
#[tokio::test]
async fn no_status_message_echoes_a_long_input_whole() {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    let server = TestServer::start(1_000).await;
    let mut connection = RawConnection::open(server.addr).await;
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::FileByFilename("x".repeat(3_000))),
    };
    let (response, mut body) = connection
        .start_path("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")
        .await
        .expect("the stream opens");
    body.send_data(grpc_frame(&request), true).expect("sent");
    let response = tokio::time::timeout(PATIENCE, response)
        .await
        .expect("answered in time")
        .expect("answered");
    let mut longest = response
        .headers()
        .get("grpc-message")
        .map_or(0, |message| message.len());
    let mut stream = response.into_body();
    while let Some(data) = tokio::time::timeout(PATIENCE, stream.data())
        .await
        .expect("in time")
    {
        let data = data.expect("readable");
        let _ = stream.flow_control().release_capacity(data.len());
    }
    if let Some(trailers) = stream.trailers().await.expect("trailers arrive") {
        longest = longest.max(trailers.get("grpc-message").map_or(0, |message| message.len()));
    }
    assert!(
        longest <= bank_server::limits::MAX_STATUS_MESSAGE_BYTES,
        "a grpc-message of {longest} bytes"
    );
}
