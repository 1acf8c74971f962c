//! Bidirectional streaming: `ConvertSession`, requests and replies
//! interleaved on one call.
//!
//! Choose this model for a conversation: the client sends conversions as
//! they come up (a till, a chat, a trading screen) and gets each answer as
//! soon as it is computed, without a new call each time.
//!
//! Lifecycle: the reply stream pulls the next request only when tonic asks
//! for the next reply, so there is exactly one request in the server's
//! hands at a time and no buffer in between. A client that stops reading
//! replies stops the server reading requests: HTTP/2 flow control then
//! slows the client down, and server memory stays flat.
//!
//! - one reply per request, in order, priced at the live rate;
//! - a bad request gets a `SessionReply.error` and the session goes on
//!   (an `Err` item would end the whole call);
//! - the client closing its side ends the session with OK;
//! - a drain ends it with UNAVAILABLE;
//! - the client's `grpc-timeout` passing ends it with DEADLINE_EXCEEDED;
//! - no message for the idle timeout (`--idle-timeout`) ends it with
//!   CANCELLED, freeing its place.
//!
//! A session holds one of the server's session places (`--max-sessions`)
//! for its whole life; when all are taken the call gets RESOURCE_EXHAUSTED
//! at once.

use std::pin::Pin;

use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use crate::rate_board::RateBoard;
use crate::service::{BankApi, CallTimer, caller_connection, caller_lang, wire};
use crate::shutdown::unavailable;
use crate::status::item_error;
use bank_domain::DomainError;
use bank_domain::conversion::convert;
use bank_i18n::Lang;
use bank_proto::v1::session_reply::Outcome;
use bank_proto::v1::{ConvertRequest, SessionReply};

/// The response stream of `ConvertSession`.
pub type SessionStream = Pin<Box<dyn Stream<Item = Result<SessionReply, Status>> + Send + 'static>>;

pub fn convert_session(
    api: &BankApi,
    request: Request<Streaming<ConvertRequest>>,
) -> Result<Response<SessionStream>, Status> {
    let lang = caller_lang(&request);
    let open = api
        .open
        .open_session(caller_connection(&request).as_ref(), &api.metrics, lang)?;
    let mut timer = CallTimer::deadline_and_idle(&request, api.idle_timeout, lang);
    let mut requests = request.into_inner();
    let board = api.board.clone();
    let drain = api.drain.clone();
    let drained = api.drain.started_owned();

    let replies = async_stream::stream! {
        let _open = open;
        // One drain future for the whole session (see `Drain::started_owned`).
        let mut drained = std::pin::pin!(drained);
        let mut index: u64 = 0;
        loop {
            // Checked before waiting, with an atomic load: a busy session
            // always has a message ready, so the select below, which takes
            // a ready message first, would never see the drain by itself.
            // A message already in hand is still answered.
            if drain.is_draining() {
                yield Err(unavailable());
                break;
            }
            let next = tokio::select! {
                // A ready message first, so a busy session does not poll the
                // drain future (which takes a lock) per message.
                biased;
                message = requests.message() => Ok(message),
                () = drained.as_mut() => Err(unavailable()),
                status = timer.expired() => Err(status),
            };
            match next {
                Err(status) => {
                    yield Err(status);
                    break;
                }
                // The client closed its side: every reply has been sent.
                Ok(Ok(None)) => break,
                // The client's stream broke (reset, bad frame, oversized
                // message): pass its status on and stop.
                Ok(Err(status)) => {
                    yield Err(status);
                    break;
                }
                Ok(Ok(Some(request))) => {
                    timer.message_arrived();
                    yield Ok(reply(&board, index, request, lang));
                    index += 1;
                }
            }
        }
    };
    Ok(Response::new(Box::pin(replies)))
}

/// The reply to one request: its conversion, or why it was refused.
fn reply(board: &RateBoard, index: u64, request: ConvertRequest, lang: Lang) -> SessionReply {
    let outcome: Result<_, DomainError> =
        wire::conversion_request(&request).and_then(|order| convert(&order, &*board.current()?));
    let outcome = match outcome {
        Ok(conversion) => Outcome::Conversion(wire::conversion_response(request.request_id, &conversion)),
        Err(error) => Outcome::Error(item_error(index, &request.request_id, &error, lang)),
    };
    SessionReply {
        outcome: Some(outcome),
    }
}
