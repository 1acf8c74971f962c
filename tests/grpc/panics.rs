//! Panic containment: a panic in a handler or in a stream's producer ends
//! that call with INTERNAL (a stream never ends looking complete), and the
//! server goes on serving everyone, on the same connection too.
//!
//! There is no test backdoor in the server: the panic comes from the
//! clock, a dependency every conversion consults, replaced here by one
//! that panics while armed. The tick is a day long, so the rate board's
//! ticker sleeps through the test and only calls consult the clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bank_domain::clock::Clock;
use bank_domain::rates::MAX_TICK_MS;
use bank_proto::v1::SessionReply;
use bank_proto::v1::session_reply::Outcome;
use bank_server::Config;
use harness::{PATIENCE, PINNED_UNIX_MS, SEED, TestServer, hundred_eur_to_usd, next_message, open_session};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;

/// A pinned clock that panics when read while armed.
#[derive(Debug, Default)]
struct PanickingClock {
    armed: AtomicBool,
}

impl PanickingClock {
    fn arm(&self) {
        self.armed.store(true, Ordering::SeqCst);
    }

    fn disarm(&self) {
        self.armed.store(false, Ordering::SeqCst);
    }
}

impl Clock for PanickingClock {
    fn now_unix_ms(&self) -> u64 {
        assert!(
            !self.armed.load(Ordering::SeqCst),
            "test clock armed: simulated bug"
        );
        PINNED_UNIX_MS
    }
}

async fn start() -> (TestServer, Arc<PanickingClock>) {
    let clock = Arc::new(PanickingClock::default());
    let mut config = Config::with_seed(SEED);
    config.tick_ms = MAX_TICK_MS;
    config.clock = Arc::clone(&clock) as Arc<dyn Clock>;
    (TestServer::start_with(config).await, clock)
}

async fn assert_converts(reply: Result<Option<SessionReply>, tonic::Status>) {
    let reply = reply.expect("healthy").expect("a reply");
    assert!(matches!(reply.outcome, Some(Outcome::Conversion(_))));
}

#[tokio::test]
async fn a_panic_in_a_unary_handler_is_internal_and_the_same_channel_and_others_are_served() {
    let (server, clock) = start().await;
    let mut client = server.client().await;
    client.convert(hundred_eur_to_usd()).await.expect("served before");

    clock.arm();
    let failed = client
        .convert(hundred_eur_to_usd())
        .await
        .expect_err("the panicking call fails");
    clock.disarm();
    assert_eq!(failed.code(), Code::Internal);

    client
        .convert(hundred_eur_to_usd())
        .await
        .expect("the same channel is served after");
    server
        .client()
        .await
        .convert(hundred_eur_to_usd())
        .await
        .expect("another client is served after");
}

#[tokio::test]
async fn a_panic_inside_a_session_stream_ends_it_with_internal_while_other_calls_on_the_connection_go_on() {
    let (server, clock) = start().await;
    let mut client = server.client().await;

    // Two sessions on one connection: one will panic, one must not notice.
    let (bystander_requests, mut bystander) = open_session(&mut client).await.expect("the session opens");
    let (requests, mut replies) = open_session(&mut client).await.expect("the session opens");
    requests.send(hundred_eur_to_usd()).await.expect("sent");
    assert_converts(next_message(&mut replies).await).await;

    clock.arm();
    requests.send(hundred_eur_to_usd()).await.expect("sent");
    let end = next_message(&mut replies).await;
    clock.disarm();
    let end = end.expect_err("the stream ends with an error, never cleanly");
    assert_eq!(end.code(), Code::Internal);

    bystander_requests.send(hundred_eur_to_usd()).await.expect("sent");
    assert_converts(next_message(&mut bystander).await).await;
    client
        .convert(hundred_eur_to_usd())
        .await
        .expect("unary calls on the same connection go on");
    drop(bystander_requests);
    assert!(
        next_message(&mut bystander)
            .await
            .expect("ends cleanly")
            .is_none()
    );
    server
        .wait_until("both sessions free their places", |server| {
            server.open.sessions() == 0
        })
        .await;
}

#[tokio::test]
async fn a_panic_in_a_running_batch_is_internal_and_no_summary_is_sent() {
    let (server, clock) = start().await;
    let mut client = server.client().await;
    let (requests, outgoing) = mpsc::channel(1);
    let batch = tokio::spawn({
        let mut client = client.clone();
        async move { client.convert_batch(ReceiverStream::new(outgoing)).await }
    });
    clock.arm();
    // The batch reads the rate (and so the clock) when its first item arrives.
    requests.send(hundred_eur_to_usd()).await.expect("sent");
    let end = tokio::time::timeout(PATIENCE, batch)
        .await
        .expect("the batch ends in time")
        .expect("the client task did not panic");
    clock.disarm();
    assert_eq!(end.expect_err("no summary").code(), Code::Internal);
    client.convert(hundred_eur_to_usd()).await.expect("served after");
}
