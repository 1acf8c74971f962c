//! Connections that never become clients: sockets that say nothing, TLS
//! handshakes that fail, a file table that runs out, connections that live
//! too long. None of them may cost the server more than a bounded while,
//! nor lock the others out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bank_proto::v1::StreamRatesRequest;
use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_server::ApiTokens;
use bank_server::Config;
use bank_server::ServerTls;
use harness::metrics::wait_for;
use harness::pki::TestCa;
use harness::raw_h2::RawConnection;
use harness::server_process::ServerProcess;
use harness::{PATIENCE, SEED, TestServer, hundred_eur_to_usd};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tonic::Code;
use tonic::metadata::MetadataValue;
use tonic::transport::Endpoint;

/// Reads until the server closes the connection; panics if it does not
/// within [`PATIENCE`]. What the server wrote first (its SETTINGS) is
/// skipped.
async fn assert_closed_by_server(mut tcp: TcpStream) {
    let mut buffer = [0_u8; 1024];
    tokio::time::timeout(PATIENCE, async {
        loop {
            match tcp.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .expect("the server closes the silent connection");
}

#[tokio::test]
async fn connections_that_never_send_the_http2_preface_are_closed_after_the_handshake_timeout() {
    const SILENT: u64 = 20;
    let mut config = Config::with_seed(SEED);
    config.transport.handshake_timeout = Duration::from_millis(300);
    let (server, metrics) = TestServer::start_with_metrics(config).await;

    let mut silent = Vec::new();
    for _ in 0..SILENT {
        silent.push(TcpStream::connect(server.addr).await.expect("TCP connects"));
    }
    for tcp in silent {
        assert_closed_by_server(tcp).await;
    }
    wait_for(
        metrics,
        "bank_calls_refused_total{reason=\"handshake_timeout\"}",
        SILENT,
    )
    .await;
    // Well-behaved clients are served all along.
    let mut client = server.client().await;
    client
        .convert(hundred_eur_to_usd())
        .await
        .expect("a real client is served");
}

#[tokio::test]
async fn a_tls_server_closes_connections_that_never_start_the_handshake_and_counts_failed_ones() {
    let ca = TestCa::new("hygiene CA");
    let leaf = ca.server_leaf();
    let mut config = Config::with_seed(SEED);
    config.transport.handshake_timeout = Duration::from_millis(300);
    config.tls =
        Some(ServerTls::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes(), None).expect("TLS"));
    let (server, metrics) = TestServer::start_with_metrics(config).await;

    // Silent: no ClientHello at all.
    let silent = TcpStream::connect(server.addr).await.expect("TCP connects");
    assert_closed_by_server(silent).await;
    wait_for(
        metrics,
        "bank_calls_refused_total{reason=\"handshake_timeout\"}",
        1,
    )
    .await;

    // Plaintext HTTP/2 where TLS is expected: a failed handshake, counted.
    let mut plaintext = TcpStream::connect(server.addr).await.expect("TCP connects");
    tokio::io::AsyncWriteExt::write_all(&mut plaintext, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .expect("written");
    assert_closed_by_server(plaintext).await;
    wait_for(metrics, "bank_calls_refused_total{reason=\"tls_handshake\"}", 1).await;
}

#[tokio::test]
async fn the_open_file_limit_is_raised_to_the_hard_limit_at_start() {
    let server = ServerProcess::start_with_open_files(&[], 256, 4096);
    assert_eq!(server.open_file_limit(), 4096);
}

/// With 64 file descriptors, 100 connections that say nothing exhaust the
/// server's file table. The accept loop must pause (not spin on EMFILE),
/// and serve again once the handshake timeout has closed them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_file_descriptors_the_server_pauses_accepting_instead_of_spinning_and_recovers() {
    /// Clock ticks per second of `/proc/PID/stat` (`CLK_TCK`, 100 on Linux).
    const TICKS_PER_SECOND: u64 = 100;
    let server = ServerProcess::start_with_open_files(&["--handshake-timeout", "3s"], 64, 64);
    assert_eq!(server.open_file_limit(), 64);

    let mut silent = Vec::new();
    for _ in 0..100 {
        // Past the server's limit, connections wait in the kernel's
        // backlog: connecting still succeeds.
        silent.push(TcpStream::connect(server.addr).await.expect("TCP connects"));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = server.cpu_ticks();
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let used = server.cpu_ticks() - before;
    let elapsed_ticks =
        u64::try_from(started.elapsed().as_millis()).expect("short") * TICKS_PER_SECOND / 1000;
    // Spinning on EMFILE would use the whole second; backing off uses
    // almost nothing.
    assert!(
        used * 4 < elapsed_ticks,
        "the server used {used} of {elapsed_ticks} clock ticks while out of descriptors"
    );

    // Once the silent connections are closed, a real client is served.
    drop(silent);
    let deadline = Instant::now() + PATIENCE;
    loop {
        let attempt = async {
            let mut client = BankServiceClient::connect(server.url()).await.ok()?;
            client.convert(hundred_eur_to_usd()).await.ok()
        };
        if tokio::time::timeout(Duration::from_secs(2), attempt)
            .await
            .ok()
            .flatten()
            .is_some()
        {
            break;
        }
        assert!(Instant::now() < deadline, "the server never accepted again");
    }
}

/// A feed opened with a token keeps running after the token is revoked
/// only until its connection reaches its maximum age and grace: then it
/// ends with UNAVAILABLE, and the client's next call shows its token again.
#[tokio::test]
async fn a_stream_opened_with_a_revoked_token_ends_within_the_maximum_connection_age() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("tokens");
    std::fs::write(&path, "first-token\n").expect("written");
    let tokens = Arc::new(ApiTokens::load(&path).expect("loads"));
    let mut config = Config::with_seed(SEED);
    config.tick_ms = 50;
    config.auth_tokens = Some(Arc::clone(&tokens));
    config.transport.max_connection_age = Duration::from_millis(500);
    config.transport.max_connection_age_grace = Duration::from_millis(500);
    let server = TestServer::start_with(config).await;

    let channel = Endpoint::from_shared(server.url())
        .expect("url")
        .connect()
        .await
        .expect("connects");
    let bearer: MetadataValue<_> = "Bearer first-token".parse().expect("ascii");
    let mut client = BankServiceClient::with_interceptor(channel, move |mut request: tonic::Request<()>| {
        request.metadata_mut().insert("authorization", bearer.clone());
        Ok(request)
    });
    let request = StreamRatesRequest {
        pairs: vec!["EUR/USD".into()],
        max_updates: 0,
        from_sequence: 0,
    };
    let started = Instant::now();
    let mut feed = client
        .stream_rates(request)
        .await
        .expect("the feed opens")
        .into_inner();

    // Revoked: the file now holds another token.
    let staging = dir.path().join("tokens.new");
    std::fs::write(&staging, "second-token\n").expect("written");
    std::fs::rename(&staging, &path).expect("replaced");
    tokens.reload().expect("reloads");

    let ended = tokio::time::timeout(PATIENCE, async {
        loop {
            match feed.message().await {
                Ok(Some(_)) => {}
                Ok(None) => return Code::Ok,
                Err(status) => return status.code(),
            }
        }
    })
    .await
    .expect("the feed ends");
    assert_eq!(ended, Code::Unavailable);
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "not before the age"
    );
    let again = client
        .convert(hundred_eur_to_usd())
        .await
        .expect_err("the token is revoked");
    assert_eq!(again.code(), Code::Unauthenticated);
}

#[tokio::test]
async fn a_connection_past_its_maximum_age_takes_no_new_call_and_a_fresh_one_is_served() {
    let mut config = Config::with_seed(SEED);
    config.transport.max_connection_age = Duration::from_millis(200);
    config.transport.max_connection_age_grace = Duration::from_secs(30);
    let server = TestServer::start_with(config).await;
    let mut connection = RawConnection::open(server.addr).await;
    assert_eq!(connection.call("Convert", &hundred_eur_to_usd()).await, Code::Ok);
    tokio::time::sleep(Duration::from_millis(400)).await;
    // After GOAWAY the connection takes no new call...
    assert!(
        connection.start("Convert").await.is_err(),
        "a new stream after the connection's GOAWAY"
    );
    // ...and a fresh connection does.
    let mut fresh = RawConnection::open(server.addr).await;
    assert_eq!(fresh.call("Convert", &hundred_eur_to_usd()).await, Code::Ok);
}
