//! What the server does about connections themselves, below any call: it
//! advertises a cap on concurrent HTTP/2 streams, and it pings idle
//! connections so that one whose client vanished without closing it (a
//! half-open connection) is closed, and the feed it held is freed.
//!
//! A bare HTTP/2 client (the `h2` crate) plays the client, because a
//! well-behaved one (tonic) always answers pings: here the test decides
//! when the client stops listening.

use std::time::Duration;

use bank_proto::v1::{ListCurrenciesRequest, StreamRatesRequest};
use bank_server::Config;
use bank_server::limits::MAX_CONCURRENT_STREAMS_PER_CONNECTION;
use harness::raw_h2::grpc_frame;
use harness::{PATIENCE, SEED, TestServer};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

fn request(addr: std::net::SocketAddr, method: &str) -> http::Request<()> {
    http::Request::post(format!("http://{addr}/bank.v1.BankService/{method}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(())
        .expect("a valid request")
}

#[tokio::test]
async fn the_server_caps_the_streams_one_connection_may_open() {
    let server = TestServer::start(1_000).await;
    let tcp = TcpStream::connect(server.addr)
        .await
        .expect("the server accepts TCP");
    let (sender, mut connection) = h2::client::handshake(tcp).await.expect("HTTP/2 handshake");

    // One complete call, driving the connection meanwhile, so the server's
    // SETTINGS have arrived and been acknowledged.
    let call = async {
        let mut sender = sender.ready().await.expect("the connection is ready");
        let (response, mut body) = sender
            .send_request(request(server.addr, "ListCurrencies"), false)
            .expect("the call starts");
        body.send_data(grpc_frame(&ListCurrenciesRequest {}), true)
            .expect("the request is sent");
        let response = response.await.expect("the server answers");
        let mut stream = response.into_body();
        while let Some(chunk) = stream.data().await {
            chunk.expect("the body arrives");
        }
    };
    tokio::select! {
        () = call => {}
        result = &mut connection => panic!("the connection ended first: {result:?}"),
    }

    assert_eq!(
        connection.max_concurrent_send_streams(),
        MAX_CONCURRENT_STREAMS_PER_CONNECTION as usize
    );
}

#[tokio::test]
async fn a_half_open_connection_is_closed_by_keepalive_and_its_feed_freed() {
    let mut config = Config::with_seed(SEED);
    config.tick_ms = 1_000;
    config.transport.keepalive_interval = Duration::from_millis(100);
    config.transport.keepalive_timeout = Duration::from_millis(100);
    let server = TestServer::start_with(config).await;

    let tcp = TcpStream::connect(server.addr)
        .await
        .expect("the server accepts TCP");
    let (sender, connection) = h2::client::handshake(tcp).await.expect("HTTP/2 handshake");
    // The connection is driven (pings answered) until the client "vanishes":
    // from then on it is held open but never read again, like a peer whose
    // machine lost power behind a NAT that keeps the TCP state.
    let (vanish, vanished) = oneshot::channel::<()>();
    let holder = tokio::spawn(async move {
        let mut connection = connection;
        tokio::select! {
            _ = &mut connection => None,
            _ = vanished => Some(connection),
        }
    });

    let mut sender = sender.ready().await.expect("the connection is ready");
    let (response, mut body) = sender
        .send_request(request(server.addr, "StreamRates"), false)
        .expect("the feed starts");
    let feed = StreamRatesRequest {
        pairs: vec!["EUR/USD".into()],
        max_updates: 0,
        from_sequence: 0,
    };
    // The whole request: a server-streaming call reads its one message to
    // the end of the request stream before answering.
    body.send_data(grpc_frame(&feed), true)
        .expect("the request is sent");
    let response = tokio::time::timeout(PATIENCE, response)
        .await
        .expect("the server answers in time")
        .expect("the feed opens");
    assert_eq!(response.status(), 200);
    server
        .wait_until("the feed is open", |server| server.open.feeds() == 1)
        .await;

    // The client stops answering anything, pings included.
    vanish.send(()).expect("the holder is waiting");
    let held = holder.await.expect("the holder did not panic");
    assert!(
        held.is_some(),
        "the connection was still up when the client vanished"
    );

    // Unanswered pings make the server close the connection, which drops
    // the feed's stream: the open count returns to zero by itself.
    server
        .wait_until("the half-open connection is reaped", |server| {
            server.open.feeds() == 0
        })
        .await;
    drop((held, body));
}
