//! Graceful shutdown: open feeds and sessions end with UNAVAILABLE so their
//! clients know to reconnect, the server stops even when a client holds a
//! feed open without reading it (the grace period), and calls that arrive
//! once the shutdown has begun are refused with UNAVAILABLE.

use std::time::Duration;

use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_proto::v1::{ConvertRequest, RateUpdate, SessionReply, StreamRatesRequest};
use bank_server::Config;
use harness::{PATIENCE, SEED, TestServer};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Status, Streaming};

fn feed_request() -> StreamRatesRequest {
    StreamRatesRequest {
        pairs: vec!["EUR/USD".into()],
        max_updates: 0,
        from_sequence: 0,
    }
}

fn conversion_request() -> ConvertRequest {
    ConvertRequest {
        amount: "10".into(),
        from_currency: "USD".into(),
        to_currency: "EUR".into(),
        request_id: String::new(),
        at: None,
    }
}

async fn open_feed(client: &mut BankServiceClient<Channel>) -> Streaming<RateUpdate> {
    let mut feed = client
        .stream_rates(feed_request())
        .await
        .expect("the feed opens")
        .into_inner();
    tokio::time::timeout(PATIENCE, feed.message())
        .await
        .expect("the first update arrives in time")
        .expect("the feed is healthy")
        .expect("a first update");
    feed
}

/// Reads a stream until it fails, skipping the messages still in flight;
/// panics if it ends with OK or takes longer than [`PATIENCE`].
async fn final_status<T>(stream: &mut Streaming<T>) -> Status {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match tokio::time::timeout_at(deadline, stream.message()).await {
            Err(_) => panic!("the stream did not end in time"),
            Ok(Ok(Some(_))) => continue,
            Ok(Ok(None)) => panic!("the stream ended with OK"),
            Ok(Err(status)) => return status,
        }
    }
}

#[tokio::test]
async fn open_feeds_and_sessions_end_with_unavailable_and_the_server_stops() {
    let mut server = TestServer::start(20).await;
    let mut client = server.client().await;
    let mut feed = open_feed(&mut client).await;

    let (requests, outgoing) = mpsc::channel(1);
    let mut session: Streaming<SessionReply> = client
        .convert_session(ReceiverStream::new(outgoing))
        .await
        .expect("the session opens")
        .into_inner();
    requests
        .send(conversion_request())
        .await
        .expect("the session takes requests");
    tokio::time::timeout(PATIENCE, session.message())
        .await
        .expect("a reply arrives in time")
        .expect("the session is healthy")
        .expect("one reply");
    assert_eq!((server.open.feeds(), server.open.sessions()), (1, 1));

    server.begin_shutdown();
    assert_eq!(final_status(&mut feed).await.code(), Code::Unavailable);
    assert_eq!(final_status(&mut session).await.code(), Code::Unavailable);
    server.stop().await.expect("the server stops cleanly");
    drop(requests);
}

#[tokio::test]
async fn shutdown_completes_within_the_grace_period_with_a_feed_nobody_reads() {
    let mut config = Config::with_seed(SEED);
    config.tick_ms = 10;
    config.grace_period = Duration::from_secs(1);
    let server = TestServer::start_with(config).await;
    // A tiny window that the feed fills at once: the server then cannot
    // send anything more on it, not even the UNAVAILABLE that would end it.
    let channel = Endpoint::from_shared(server.url())
        .expect("valid url")
        .initial_stream_window_size(1024)
        .initial_connection_window_size(1024)
        .connect()
        .await
        .expect("client connects");
    let mut client = BankServiceClient::new(channel);
    let feed = open_feed(&mut client).await;
    // Let the updates fill the window; the feed is never read again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.open.feeds(), 1);

    let started = Instant::now();
    server.stop().await.expect("the server stops cleanly");
    let took = started.elapsed();
    // The configured 1 s grace ended it, not the 5 s default nor a wait for
    // the reader: the bound is loose for slow machines and still below 5 s.
    assert!(
        took < Duration::from_secs(4),
        "stopped after {took:?}, with a grace period of 1 s"
    );
    drop(feed);
}

#[tokio::test]
async fn a_call_sent_after_the_shutdown_began_is_unavailable() {
    let mut server = TestServer::start(20).await;
    let mut client = server.client().await;
    let mut feed = open_feed(&mut client).await;

    server.begin_shutdown();
    // The feed ending proves the drain has started.
    assert_eq!(final_status(&mut feed).await.code(), Code::Unavailable);

    // By now the server has sent GOAWAY and closed its listener, so the
    // channel's reconnection is refused; a call that reached the server
    // during the drain would be refused by the drain. Both are UNAVAILABLE:
    // the caller is told to go elsewhere.
    let status = tokio::time::timeout(PATIENCE, client.convert(conversion_request()))
        .await
        .expect("the call fails in time")
        .expect_err("the call is refused");
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    server.stop().await.expect("the server stops cleanly");
}

/// An item the server must read and then refuses (its request id is too
/// long): 60 kB, so that 80 of them are several times more than every
/// HTTP/2 window and buffer between the client and the server's handler
/// (the server's window is 1 MiB).
fn bulky_item() -> ConvertRequest {
    ConvertRequest {
        request_id: "x".repeat(60_000),
        ..conversion_request()
    }
}

#[tokio::test]
async fn a_batch_running_when_the_shutdown_begins_still_gets_its_summary() {
    const BULKY_ITEMS: u64 = 80;
    let mut server = TestServer::start(20).await;
    let mut client = server.client().await;
    let mut feed = open_feed(&mut client).await;

    let (items, outgoing) = mpsc::channel(1);
    let mut batch_client = client.clone();
    let batch = tokio::spawn(async move { batch_client.convert_batch(ReceiverStream::new(outgoing)).await });
    let send = |item: ConvertRequest| {
        let items = items.clone();
        async move {
            tokio::time::timeout(PATIENCE, items.send(item))
                .await
                .expect("the batch takes the item in time")
                .expect("the batch is still open");
        }
    };
    send(conversion_request()).await;
    // Flow control only lets these through as the server's handler reads
    // them: once they are sent, the batch is running on the server.
    for _ in 0..BULKY_ITEMS {
        send(bulky_item()).await;
    }

    server.begin_shutdown();
    // The feed ending proves the drain has started; the batch goes on.
    assert_eq!(final_status(&mut feed).await.code(), Code::Unavailable);
    send(conversion_request()).await;
    send(conversion_request()).await;
    drop(items);

    let summary = tokio::time::timeout(PATIENCE, batch)
        .await
        .expect("the summary arrives in time")
        .expect("the batch task did not panic")
        .expect("the batch completes during the drain")
        .into_inner();
    assert_eq!((summary.accepted, summary.rejected), (3, BULKY_ITEMS));
    server.stop().await.expect("the server stops cleanly");
}

/// Nothing in flight: the shutdown is immediate, whatever the connections
/// left open (an idle client, a peer that stopped answering PINGs, a socket
/// that never sent the HTTP/2 preface).
#[tokio::test]
async fn a_shutdown_with_no_call_in_flight_is_immediate_whatever_connections_are_open() {
    let mut config = Config::with_seed(SEED);
    config.grace_period = Duration::from_secs(10);
    let server = TestServer::start_with(config).await;
    let mut idle = server.client().await;
    idle.convert(conversion_request()).await.expect("a first call");
    let (mut frozen, freeze) =
        harness::raw_h2::RawConnection::open_with(server.addr, &h2::client::Builder::new()).await;
    assert_eq!(frozen.call("Convert", &conversion_request()).await, Code::Ok);
    let _ = freeze.send(());
    let _silent = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("TCP connects");

    let started = Instant::now();
    server.stop().await.expect("stops cleanly");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the shutdown took {:?} with nothing in flight",
        started.elapsed()
    );
}

/// A health `Watch` never ends by itself: the drain ends it, after it has
/// told the watcher NOT_SERVING, and does not wait for the grace period.
#[tokio::test]
async fn a_health_watch_says_not_serving_then_ends_at_the_drain() {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::health_client::HealthClient;
    let mut config = Config::with_seed(SEED);
    config.grace_period = Duration::from_secs(10);
    let mut server = TestServer::start_with(config).await;
    let mut health = HealthClient::new(server.channel().await);
    let mut watch = health
        .watch(HealthCheckRequest {
            service: "bank.v1.BankService".into(),
        })
        .await
        .expect("the watch opens")
        .into_inner();
    let first = tokio::time::timeout(PATIENCE, watch.message())
        .await
        .expect("in time")
        .expect("healthy")
        .expect("a status");
    assert_eq!(first.status(), ServingStatus::Serving);

    let started = Instant::now();
    server.begin_shutdown();
    let next = tokio::time::timeout(PATIENCE, watch.message())
        .await
        .expect("in time")
        .expect("healthy")
        .expect("a status");
    assert_eq!(next.status(), ServingStatus::NotServing);
    let end = tokio::time::timeout(PATIENCE, watch.message())
        .await
        .expect("the watch ends in time");
    assert_eq!(end.expect_err("ended by the drain").code(), Code::Unavailable);
    server.stop().await.expect("stops cleanly");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "waited for the grace period"
    );
}

/// A call is admitted when its headers arrive: a Convert whose headers came
/// before the drain but whose message came after is still answered.
#[tokio::test]
async fn a_unary_call_whose_headers_arrived_before_the_drain_is_answered() {
    use harness::raw_h2::{RawConnection, grpc_frame, status_of};
    let mut config = Config::with_seed(SEED);
    config.tick_ms = 50;
    let mut server = TestServer::start_with(config).await;
    let mut connection = RawConnection::open(server.addr).await;
    let (convert_response, mut convert_body) = connection.start("Convert").await.expect("the call opens");
    // A feed opened after it on the same connection: HTTP/2 delivers the
    // streams in order, so once the feed answers, the server has the
    // Convert's headers. The feed's end then shows the drain has started.
    let (feed_response, mut feed_body) = connection.start("StreamRates").await.expect("the feed opens");
    feed_body
        .send_data(grpc_frame(&feed_request()), true)
        .expect("sent");
    let feed_response = tokio::time::timeout(PATIENCE, feed_response)
        .await
        .expect("the feed answers in time")
        .expect("the feed opens");

    server.begin_shutdown();
    let mut feed = feed_response.into_body();
    let ended = tokio::time::timeout(PATIENCE, async {
        while let Some(data) = feed.data().await {
            let _ = feed
                .flow_control()
                .release_capacity(data.expect("readable").len());
        }
        feed.trailers().await.expect("trailers").expect("a status")
    })
    .await
    .expect("the feed ends at the drain");
    assert_eq!(
        ended.get("grpc-status").expect("a status"),
        "14",
        "the drain started"
    );
    convert_body
        .send_data(grpc_frame(&conversion_request()), true)
        .expect("the message is sent after the drain started");
    assert_eq!(status_of(convert_response).await, Code::Ok);
}
