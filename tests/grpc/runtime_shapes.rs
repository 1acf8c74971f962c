//! `bank-server --runtime per-core`: one current-thread runtime per
//! worker, each with its own listener on the shared port (`SO_REUSEPORT`),
//! run as a real process. The kernel picks the listener of each connection
//! from a hash of its ports, so the tests open several connections to reach
//! every runtime; what they assert holds wherever the connections land:
//! every model answers on every connection, a server-wide cap counts the
//! calls of all runtimes together, and SIGTERM drains them all before the
//! process exits.
//!
//! (The shape and worker count of the start-up line, for the other shapes
//! too, are in `log_format.rs`.)

use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_proto::v1::{RateUpdate, StreamRatesRequest};
use harness::server_process::ServerProcess;
use harness::session::Session;
use harness::{PATIENCE, conversion, hundred_eur_to_usd, next_message};
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Streaming};

/// Connections each test opens: with two listeners, the chance that all of
/// them land on the same one is 2 in 2^8, under 1%.
const CONNECTIONS: usize = 8;

/// The flags of the server under test: two runtimes sharing the port, and a
/// tick short enough for feeds to update at once.
const PER_CORE: [&str; 6] = ["--runtime", "per-core", "--workers", "2", "--tick-ms", "50"];

fn start(more: &[&str]) -> ServerProcess {
    let args: Vec<&str> = PER_CORE.iter().chain(more).copied().collect();
    ServerProcess::start_with(&args)
}

/// One client per connection: each `Endpoint::connect` opens its own.
async fn clients(server: &ServerProcess) -> Vec<BankServiceClient<Channel>> {
    let mut clients = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let channel = Endpoint::from_shared(server.url())
            .expect("valid url")
            .connect()
            .await
            .expect("client connects");
        clients.push(BankServiceClient::new(channel));
    }
    clients
}

fn feed_request(max_updates: u32) -> StreamRatesRequest {
    StreamRatesRequest {
        pairs: vec!["EUR/USD".into()],
        max_updates,
        from_sequence: 0,
    }
}

async fn open_feed(client: &mut BankServiceClient<Channel>) -> Result<Streaming<RateUpdate>, tonic::Status> {
    client
        .stream_rates(feed_request(0))
        .await
        .map(tonic::Response::into_inner)
}

async fn first_update(feed: &mut Streaming<RateUpdate>) -> RateUpdate {
    next_message(feed)
        .await
        .expect("the feed is healthy")
        .expect("an update")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_per_core_server_answers_every_model_on_every_connection() {
    let server = start(&[]);
    let line = server.listening_line();
    assert_eq!(line["runtime"], "per_core", "{line}");
    assert_eq!(line["workers"], 2, "{line}");

    for mut client in clients(&server).await {
        // Unary.
        let answer = client.convert(hundred_eur_to_usd()).await.expect("converts");
        assert_eq!(answer.get_ref().to_currency, "USD");

        // Server streaming: the one update asked for, then the end.
        let mut feed = client
            .stream_rates(feed_request(1))
            .await
            .expect("the feed opens")
            .into_inner();
        let update = first_update(&mut feed).await;
        assert_eq!(update.quotes.len(), 1);
        assert!(next_message(&mut feed).await.expect("ends cleanly").is_none());

        // Client streaming: two items, one summary.
        let items = vec![
            conversion("10", "EUR", "USD", "a"),
            conversion("20", "USD", "JPY", "b"),
        ];
        let summary = tokio::time::timeout(PATIENCE, client.convert_batch(tokio_stream::iter(items)))
            .await
            .expect("the summary arrives in time")
            .expect("the batch is accepted")
            .into_inner();
        assert_eq!((summary.accepted, summary.rejected), (2, 0));

        // Bidirectional: a request, its reply, and the end.
        let mut session = Session::open(&mut client).await;
        session.send(hundred_eur_to_usd()).await;
        assert_eq!(session.conversion().await.to_currency, "USD");
        drop(session.requests);
        assert!(
            next_message(&mut session.replies)
                .await
                .expect("ends cleanly")
                .is_none()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_cap_holds_across_the_runtimes_of_a_per_core_server() {
    /// Fewer than the connections, so that some of them find it full.
    const MAX_FEEDS: usize = 4;
    let server = start(&["--max-feeds", &MAX_FEEDS.to_string()]);
    let mut clients = clients(&server).await;

    // One feed per connection: the first MAX_FEEDS open, wherever their
    // connections landed, and every one after is refused.
    let mut open = Vec::new();
    for client in &mut clients[..MAX_FEEDS] {
        let mut feed = open_feed(client).await.expect("a feed under the cap opens");
        first_update(&mut feed).await;
        open.push(feed);
    }
    for client in &mut clients[MAX_FEEDS..] {
        let refused = open_feed(client).await.expect_err("a feed over the cap");
        assert_eq!(refused.code(), Code::ResourceExhausted);
    }

    // The feeds that opened keep updating.
    for feed in &mut open {
        first_update(feed).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_every_runtime_of_a_per_core_server_and_it_exits_cleanly() {
    let mut server = start(&[]);
    let mut feeds = Vec::new();
    for mut client in clients(&server).await {
        let mut feed = open_feed(&mut client).await.expect("the feed opens");
        first_update(&mut feed).await;
        feeds.push(feed);
    }

    server.terminate();
    // Every feed, on whichever runtime, ends with the drain's status.
    for feed in &mut feeds {
        let ended = tokio::time::timeout(PATIENCE, async {
            loop {
                match feed.message().await {
                    Ok(Some(_)) => {}
                    Ok(None) => panic!("a feed ended without a status"),
                    Err(status) => break status,
                }
            }
        })
        .await
        .expect("the feed ends in time");
        assert_eq!(ended.code(), Code::Unavailable, "{ended:?}");
    }
    let status = server.wait_for_exit();
    assert!(status.success(), "{status}");
    server.wait_for_line("the last line", |line| line["message"] == "stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_per_core_server_on_the_same_port_fails_to_start_instead_of_sharing_it() {
    let first = start(&[]);
    let addr = first.url().trim_start_matches("http://").to_owned();
    let mut second = std::process::Command::new(harness::server_exe())
        .args(PER_CORE)
        .args(["--addr", &addr, "--seed", "1"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("bank-server starts");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = second.try_wait().expect("waitable") {
            break status;
        }
        if started.elapsed() > PATIENCE {
            let _ = second.kill();
            let _ = second.wait();
            panic!("the second server kept running on a port already served");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(1), "{status}");
    // The first one still answers.
    let mut clients = clients(&first).await;
    let answer = clients[0]
        .convert(hundred_eur_to_usd())
        .await
        .expect("the first server answers");
    assert_eq!(answer.get_ref().to_currency, "USD");
}
