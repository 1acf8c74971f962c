//! The classroom view (`--classroom`): a watcher of `WatchCalls` sees every
//! `BankService` call of the other clients, in each of the four models, as
//! started / message / half-close / ended events; metadata other than a
//! few harmless keys is masked; the service needs a token like the bank
//! when tokens are on, is UNIMPLEMENTED without the flag, and a watcher
//! that does not read is told how many events it skipped.

use std::sync::Arc;

use bank_proto::v1::call_event::Event;
use bank_proto::v1::classroom_service_client::ClassroomServiceClient;
use bank_proto::v1::{
    CallEnded, CallEvent, CallModel, ConvertRequest, Direction, EndCause, StreamRatesRequest,
    WatchCallsRequest,
};
use bank_server::{ApiTokens, Config};
use harness::session::Session;
use harness::{PATIENCE, SEED, TestServer};
use tonic::metadata::MetadataValue;
use tonic::{Code, Request, Streaming};

const TOKEN: &str = "classroom-token-for-tests";

/// The deadline of the feed that must end by it: short, since the test
/// waits for it to pass; how many updates come before it does not matter.
const FEED_DEADLINE: std::time::Duration = std::time::Duration::from_millis(300);

/// Events a test reads at most before it gives up on one it waits for.
const MAX_EVENTS: usize = 10_000;

async fn classroom_server() -> TestServer {
    let mut config = Config::with_seed(SEED);
    config.classroom = true;
    TestServer::start_with(config).await
}

fn convert_request(request_id: &str) -> ConvertRequest {
    ConvertRequest {
        amount: "10".into(),
        from_currency: "USD".into(),
        to_currency: "EUR".into(),
        request_id: request_id.into(),
        at: None,
    }
}

/// Sends a batch of `count` conversions named `{prefix}-{index}`; how many
/// the server accepted.
async fn batch(server: &TestServer, prefix: &str, count: usize) -> u64 {
    let requests: Vec<_> = (0..count)
        .map(|index| convert_request(&format!("{prefix}-{index}")))
        .collect();
    server
        .client()
        .await
        .convert_batch(tokio_stream::iter(requests))
        .await
        .expect("the batch succeeds")
        .into_inner()
        .accepted
}

fn with_token<T>(message: T, token: Option<&str>) -> Request<T> {
    let mut request = Request::new(message);
    if let Some(token) = token {
        let value: MetadataValue<_> = format!("Bearer {token}").parse().expect("an ASCII header value");
        request.metadata_mut().insert("authorization", value);
    }
    request
}

/// A watcher, subscribed once this returns: it sees every call made after.
async fn watch(server: &TestServer, token: Option<&str>) -> Streaming<CallEvent> {
    ClassroomServiceClient::new(server.channel().await)
        .watch_calls(with_token(WatchCallsRequest {}, token))
        .await
        .expect("the watch opens")
        .into_inner()
}

async fn next_event(events: &mut Streaming<CallEvent>) -> CallEvent {
    tokio::time::timeout(PATIENCE, events.message())
        .await
        .expect("an event in time")
        .expect("a healthy watch")
        .expect("the watch goes on")
}

/// Every event of the next call the watcher sees, up to its end.
async fn one_call(events: &mut Streaming<CallEvent>) -> Vec<Event> {
    let mut seen = Vec::new();
    let mut call_id = None;
    for _ in 0..MAX_EVENTS {
        let event = next_event(events).await;
        let id = *call_id.get_or_insert(event.call_id);
        assert_eq!(event.call_id, id, "one call at a time here");
        let event = event.event.expect("every event says what happened");
        let ended = matches!(event, Event::Ended(_));
        seen.push(event);
        if ended {
            return seen;
        }
    }
    panic!("the call did not end within {MAX_EVENTS} events");
}

/// Each event as a letter: S started, C client message, H half-close,
/// R server (reply) message, E ended.
fn shape(events: &[Event]) -> String {
    events
        .iter()
        .map(|event| match event {
            Event::Started(_) => 'S',
            Event::Message(message) if message.direction == Direction::ClientToServer as i32 => 'C',
            Event::Message(_) => 'R',
            Event::HalfClose(_) => 'H',
            Event::Ended(_) => 'E',
            Event::Skipped(_) => 'K',
        })
        .collect()
}

fn ended(events: &[Event]) -> &CallEnded {
    match events.last() {
        Some(Event::Ended(ended)) => ended,
        other => panic!("the last event is not the end: {other:?}"),
    }
}

#[tokio::test]
async fn a_convert_is_seen_as_started_message_half_close_message_and_ended_with_its_token_masked() {
    let tokens = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(tokens.path(), format!("{TOKEN}\n")).expect("token file written");
    let mut config = Config::with_seed(SEED);
    config.classroom = true;
    config.auth_tokens = Some(Arc::new(ApiTokens::load(tokens.path()).expect("tokens load")));
    let server = TestServer::start_with(config).await;
    let mut events = watch(&server, Some(TOKEN)).await;

    server
        .client()
        .await
        .convert(with_token(convert_request("watched"), Some(TOKEN)))
        .await
        .expect("the convert succeeds");

    let call = one_call(&mut events).await;
    assert_eq!(shape(&call), "SCHRE");
    let Event::Started(started) = &call[0] else {
        unreachable!()
    };
    assert_eq!(started.method, "/bank.v1.BankService/Convert");
    assert_eq!(started.model, CallModel::Unary as i32);
    assert!(
        started.connection.starts_with("client "),
        "{}",
        started.connection
    );
    assert!(started.http2_stream % 2 == 1, "client streams are odd");
    let first = &started.metadata[0];
    assert_eq!((first.name.as_str(), first.masked), ("authorization", true));
    assert!(!first.value.contains(TOKEN));
    let Event::Message(request) = &call[1] else {
        unreachable!()
    };
    assert_eq!(request.r#type, "bank.v1.ConvertRequest");
    assert!(request.encoded_bytes > 0);
    let json: serde_json::Value = serde_json::from_str(&request.json).expect("the request as JSON");
    assert_eq!(json["request_id"], "watched");
    assert!(!request.truncated);
    assert_eq!(request.json_bytes as usize, request.json.len());
    let Event::Message(reply) = &call[3] else {
        unreachable!()
    };
    assert_eq!(reply.r#type, "bank.v1.ConvertResponse");
    assert_eq!(ended(&call).code, Code::Ok as i32);
}

#[tokio::test]
async fn a_batch_of_five_is_one_call_with_five_client_messages_and_one_reply() {
    let server = classroom_server().await;
    let mut events = watch(&server, None).await;

    assert_eq!(batch(&server, "item", 5).await, 5);

    let call = one_call(&mut events).await;
    assert_eq!(shape(&call), "SCCCCCHRE");
    let Event::Started(started) = &call[0] else {
        unreachable!()
    };
    assert_eq!(started.model, CallModel::ClientStreaming as i32);
    assert_eq!(ended(&call).code, Code::Ok as i32);
}

#[tokio::test]
async fn a_session_is_seen_as_interleaved_messages() {
    let server = classroom_server().await;
    let mut events = watch(&server, None).await;

    let mut client = server.client().await;
    let mut session = Session::open(&mut client).await;
    for index in 0..3 {
        session.send(convert_request(&format!("turn-{index}"))).await;
        session.conversion().await;
    }
    drop(session);

    let call = one_call(&mut events).await;
    let shape = shape(&call);
    assert!(shape.starts_with("SCRCRCR"), "{shape}");
    let Event::Started(started) = &call[0] else {
        unreachable!()
    };
    assert_eq!(started.model, CallModel::BidiStreaming as i32);
}

#[tokio::test]
async fn a_feed_the_client_cancels_ends_as_cancelled() {
    let server = classroom_server().await;
    let mut events = watch(&server, None).await;

    let mut feed = server
        .client()
        .await
        .stream_rates(StreamRatesRequest {
            pairs: vec!["USD/EUR".into()],
            ..Default::default()
        })
        .await
        .expect("the feed opens")
        .into_inner();
    tokio::time::timeout(PATIENCE, feed.message())
        .await
        .expect("an update in time")
        .expect("a healthy feed")
        .expect("an update");
    drop(feed);

    let call = one_call(&mut events).await;
    let Event::Started(started) = &call[0] else {
        unreachable!()
    };
    assert_eq!(started.model, CallModel::ServerStreaming as i32);
    assert!(shape(&call).starts_with("SCHR"), "{}", shape(&call));
    let end = ended(&call);
    assert_eq!(end.code, Code::Cancelled as i32);
    assert_eq!(end.cause, EndCause::Cancelled as i32);
}

#[tokio::test]
async fn a_refused_convert_ends_with_its_error_reason_and_the_field_at_fault() {
    let server = classroom_server().await;
    let mut events = watch(&server, None).await;

    let mut request = convert_request("refused");
    request.amount = "1e5".into();
    let refused = server
        .client()
        .await
        .convert(request)
        .await
        .expect_err("1e5 is not a decimal amount");
    assert_eq!(refused.code(), Code::InvalidArgument);

    let call = one_call(&mut events).await;
    assert_eq!(shape(&call), "SCHE", "no reply message, a status alone");
    let end = ended(&call);
    assert_eq!(end.code, Code::InvalidArgument as i32);
    assert_eq!(end.reason, "AMOUNT_NOT_DECIMAL");
    assert_eq!(end.bad_fields, ["amount"]);
    assert_eq!(end.cause, EndCause::Unspecified as i32);
}

#[tokio::test]
async fn a_feed_whose_deadline_passes_ends_as_deadline_expired() {
    let server = classroom_server().await;
    let mut events = watch(&server, None).await;

    let mut request = Request::new(StreamRatesRequest {
        pairs: vec!["USD/EUR".into()],
        ..Default::default()
    });
    request.set_timeout(FEED_DEADLINE);
    let mut feed = server
        .client()
        .await
        .stream_rates(request)
        .await
        .expect("the feed opens")
        .into_inner();
    let mut updates = 0;
    let status = loop {
        match tokio::time::timeout(PATIENCE, feed.message()).await {
            Ok(Ok(Some(_))) if updates < MAX_EVENTS => updates += 1,
            Ok(Ok(Some(_))) => panic!("the feed outlived its deadline by {MAX_EVENTS} updates"),
            Ok(Ok(None)) => panic!("the feed ended without a status"),
            Ok(Err(status)) => break status,
            Err(_) => panic!("the deadline did not end the feed in time"),
        }
    };
    assert_eq!(status.code(), Code::DeadlineExceeded);

    let call = one_call(&mut events).await;
    let Event::Started(started) = &call[0] else {
        unreachable!()
    };
    let timeout = started
        .metadata
        .iter()
        .find(|entry| entry.name == "grpc-timeout")
        .expect("the deadline travels as grpc-timeout");
    assert!(!timeout.masked, "grpc-timeout is shown");
    let end = ended(&call);
    assert_eq!(end.code, Code::DeadlineExceeded as i32);
    assert_eq!(end.cause, EndCause::DeadlineExpired as i32);
    assert!(
        end.duration_us >= FEED_DEADLINE.as_micros() as u64,
        "{} µs",
        end.duration_us
    );
}

#[tokio::test]
async fn with_tokens_watching_without_a_token_is_unauthenticated() {
    let tokens = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(tokens.path(), format!("{TOKEN}\n")).expect("token file written");
    let mut config = Config::with_seed(SEED);
    config.classroom = true;
    config.auth_tokens = Some(Arc::new(ApiTokens::load(tokens.path()).expect("tokens load")));
    let server = TestServer::start_with(config).await;

    let refused = ClassroomServiceClient::new(server.channel().await)
        .watch_calls(WatchCallsRequest {})
        .await
        .expect_err("no token, no watch");
    assert_eq!(refused.code(), Code::Unauthenticated);
}

#[tokio::test]
async fn without_the_classroom_flag_the_service_is_unimplemented() {
    let server = TestServer::start_with(Config::with_seed(SEED)).await;
    let refused = ClassroomServiceClient::new(server.channel().await)
        .watch_calls(WatchCallsRequest {})
        .await
        .expect_err("no classroom");
    assert_eq!(refused.code(), Code::Unimplemented);
}

/// Items in the batch that floods a watcher that does not read: each is
/// one event, far more than the watcher's buffer and its stream's HTTP/2
/// window hold.
const FLOOD_ITEMS: usize = 3_000;

#[tokio::test]
async fn a_watcher_that_does_not_read_is_told_how_many_events_it_skipped() {
    let server = classroom_server().await;
    let mut events = watch(&server, None).await;

    let accepted = batch(&server, "flood", FLOOD_ITEMS).await;
    assert_eq!(accepted, u64::try_from(FLOOD_ITEMS).expect("a small count"));

    // The batch has ended: every event of it is published, each either
    // waiting for the watcher or counted as skipped. The start, the items,
    // the half-close, the summary and the end.
    let total = u64::try_from(FLOOD_ITEMS + 4).expect("a small count");
    let (mut received, mut skipped) = (0, 0);
    for _ in 0..MAX_EVENTS {
        if received + skipped >= total {
            break;
        }
        match next_event(&mut events).await.event {
            Some(Event::Skipped(missed)) => skipped += missed.count,
            _ => received += 1,
        }
    }
    assert!(skipped > 0, "the watcher was told it skipped events");
    assert_eq!(received + skipped, total);
}
