//! Bidirectional streaming: `ConvertSession`. One reply per request, in
//! order, while the client is still sending; a bad request gets an error
//! reply and the session goes on; the client closing its side ends the
//! session with OK and closes it on the server.

use bank_proto::v1::ConvertRequest;
use bank_proto::v1::session_reply::Outcome;
use harness::session::Session;
use harness::{PATIENCE, TestServer};

fn request(amount: &str, from: &str, to: &str, request_id: &str) -> ConvertRequest {
    ConvertRequest {
        amount: amount.into(),
        from_currency: from.into(),
        to_currency: to.into(),
        request_id: request_id.into(),
        at: None,
    }
}

#[tokio::test]
async fn each_request_gets_its_reply_before_the_next_is_sent() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let mut session = Session::open(&mut client).await;
    let requests = [
        request("100", "USD", "EUR", "r0"),
        request("15023", "JPY", "USD", "r1"),
        request("1.250", "KWD", "CHF", "r2"),
        request("42.5", "EUR", "EUR", "r3"),
        request("7", "GBP", "XOF", ""),
    ];
    for sent in requests {
        // The unary answer at the same (pinned) tick is the expected reply.
        let expected = client
            .convert(sent.clone())
            .await
            .expect("converted")
            .into_inner();
        session.send(sent).await;
        let reply = session.conversion().await;
        assert_eq!(reply, expected);
    }
    assert_eq!(server.open.sessions(), 1);
}

#[tokio::test]
async fn a_bad_request_gets_an_error_reply_and_the_session_goes_on() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let mut session = Session::open(&mut client).await;

    session.send(request("10", "USD", "EUR", "good-0")).await;
    assert_eq!(session.conversion().await.request_id, "good-0");

    session.send(request("1e3", "USD", "EUR", "bad-1")).await;
    let error = session.error().await;
    assert_eq!(
        (
            error.index,
            error.request_id.as_str(),
            error.code.as_str(),
            error.field.as_str()
        ),
        (1, "bad-1", "INVALID_ARGUMENT", "amount")
    );

    session.send(request("10", "USD", "EURO", "bad-2")).await;
    let error = session.error().await;
    assert_eq!(
        (
            error.index,
            error.request_id.as_str(),
            error.code.as_str(),
            error.field.as_str()
        ),
        (2, "bad-2", "INVALID_ARGUMENT", "to_currency")
    );

    session.send(request("10", "EUR", "JPY", "good-3")).await;
    let conversion = session.conversion().await;
    assert_eq!(conversion.request_id, "good-3");
    assert_eq!(
        (conversion.from_currency.as_str(), conversion.to_currency.as_str()),
        ("EUR", "JPY")
    );
}

#[tokio::test]
async fn closing_the_request_side_ends_the_session_with_ok_and_closes_it_on_the_server() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    assert_eq!(server.open.sessions(), 0);
    let Session {
        requests,
        mut replies,
    } = Session::open(&mut client).await;

    requests
        .send(request("1", "USD", "EUR", "only"))
        .await
        .expect("the session takes requests");
    let reply = tokio::time::timeout(PATIENCE, replies.message())
        .await
        .expect("a reply arrives in time")
        .expect("the session is healthy")
        .expect("one reply");
    assert!(matches!(reply.outcome, Some(Outcome::Conversion(_))), "{reply:?}");
    assert_eq!(server.open.sessions(), 1, "the session is open");

    // Half-close: the client has nothing more to send.
    drop(requests);
    let end = tokio::time::timeout(PATIENCE, replies.message())
        .await
        .expect("the session ends in time")
        .expect("the session ends with OK");
    assert!(end.is_none(), "no reply after the last request: {end:?}");
    server
        .wait_until("the session is closed", |s| s.open.sessions() == 0)
        .await;
}
