//! Hostile bytes on the wire leave the server healthy: a flood of streams
//! opened and reset at once (the HTTP/2 "rapid reset" attack), bytes that
//! are not HTTP/2 at all, a broken connection preface, and a gRPC frame
//! that declares a message far beyond the size limit. After each, the
//! server still answers a normal call, and no feed is left counted open.

use bank_proto::v1::StreamRatesRequest;
use bank_server::limits::MAX_REQUEST_MESSAGE_BYTES;
use harness::raw_h2::{RawConnection, grpc_frame, status_of};
use harness::{PATIENCE, TestServer, hundred_eur_to_usd};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tonic::Code;

/// Streams opened and reset in the flood: twice the per-connection stream
/// limit, so that resets must free stream slots for the flood to go on.
const FLOOD_STREAMS: usize = 2_000;

/// One stream in this many waits for the feed to start before resetting,
/// so that the flood certainly opens feeds the resets must close.
const STARTED_EVERY: usize = 100;

/// Seed of the random garbage, so a failure reproduces.
const GARBAGE_SEED: u64 = 6;

/// The server answers an ordinary call on a new connection.
async fn assert_healthy(server: &TestServer) {
    let response = tokio::time::timeout(PATIENCE, async {
        server.client().await.convert(hundred_eur_to_usd()).await
    })
    .await
    .expect("the server answers in time");
    assert_eq!(
        response.expect("the server converts").into_inner().amount,
        "100.00"
    );
}

#[tokio::test]
async fn a_flood_of_streams_reset_as_soon_as_opened_leaves_the_server_healthy_and_no_feed_open() {
    let server = TestServer::start(50).await;
    let feed = grpc_frame(&StreamRatesRequest {
        pairs: vec!["EUR/USD".into()],
        max_updates: 0,
        from_sequence: 0,
    });
    let mut connection = RawConnection::open(server.addr).await;
    let mut reconnections = 0_usize;
    let mut started = 0_usize;
    for index in 0..FLOOD_STREAMS {
        match connection.start("StreamRates").await {
            Ok((response, mut stream)) => {
                // Errors only mean the server already dropped the stream or
                // the connection, which is its right.
                let _ = stream.send_data(feed.clone(), true);
                if index % STARTED_EVERY == 0
                    && let Ok(Ok(_headers)) = tokio::time::timeout(PATIENCE, response).await
                {
                    started += 1;
                }
                stream.send_reset(h2::Reason::CANCEL);
            }
            // The server may close a connection that resets too much
            // (hyper's defence against this attack); the flood goes on
            // on a new one, as an attacker's would.
            Err(_) => {
                reconnections += 1;
                connection = RawConnection::open(server.addr).await;
            }
        }
    }
    assert!(reconnections < FLOOD_STREAMS, "some streams were opened");
    assert!(started > 0, "some feeds started before their reset");

    assert_healthy(&server).await;
    server
        .wait_until("every flooded feed is closed", |server| server.open.feeds() == 0)
        .await;
    assert_eq!(server.open.sessions(), 0);
}

/// Writes `bytes` on a fresh TCP connection, closes the writing side, and
/// waits for the server to close the connection (bounded by PATIENCE).
async fn send_garbage(server: &TestServer, bytes: &[u8]) {
    let mut tcp = TcpStream::connect(server.addr)
        .await
        .expect("the server accepts TCP");
    // The server may hang up before reading everything: write errors are
    // part of the game.
    let _ = tcp.write_all(bytes).await;
    let _ = tcp.shutdown().await;
    let mut sink = [0_u8; 4096];
    tokio::time::timeout(PATIENCE, async {
        while let Ok(read) = tcp.read(&mut sink).await {
            if read == 0 {
                break;
            }
        }
    })
    .await
    .expect("the server closes a connection that makes no sense");
}

#[tokio::test]
async fn random_bytes_http1_and_a_broken_preface_leave_the_server_healthy() {
    let server = TestServer::start(1_000).await;
    let mut random = vec![0_u8; 64 * 1024];
    StdRng::seed_from_u64(GARBAGE_SEED).fill_bytes(&mut random);
    let mut preface_then_random = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    preface_then_random.extend_from_slice(&random[..1024]);

    let garbage: [&[u8]; 5] = [
        &random,
        b"GET / HTTP/1.1\r\nHost: bank\r\n\r\n",
        // The HTTP/2 preface with its last line wrong.
        b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n",
        // A correct preface followed by frames that are noise.
        &preface_then_random,
        b"\0\0\0\0\0\0\0\0\0",
    ];
    for bytes in garbage {
        send_garbage(&server, bytes).await;
        assert_healthy(&server).await;
    }
}

#[tokio::test]
async fn a_grpc_frame_declaring_a_message_over_the_limit_is_refused_without_waiting_for_it() {
    let server = TestServer::start(1_000).await;
    let mut connection = RawConnection::open(server.addr).await;
    for declared in [MAX_REQUEST_MESSAGE_BYTES + 1, u32::MAX as usize] {
        let (response, mut body) = connection.start("Convert").await.expect("the stream opens");
        let mut prefix = vec![0_u8];
        prefix.extend_from_slice(&u32::try_from(declared).expect("fits the prefix").to_be_bytes());
        prefix.extend_from_slice(b"a few bytes of a message that never comes");
        // The stream stays open: the answer must not wait for the
        // announced bytes, nor buffer them.
        body.send_data(prefix.into(), false).expect("the prefix is sent");
        // RESOURCE_EXHAUSTED, as the gRPC status guide asks for a message
        // over the size limit (tonic's own check would say OUT_OF_RANGE).
        assert_eq!(status_of(response).await, Code::ResourceExhausted);
    }
    // The same connection still serves well-formed calls.
    assert_eq!(connection.call("Convert", &hundred_eur_to_usd()).await, Code::Ok);
    assert_healthy(&server).await;
}
