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
//! - one reply per request, in order, priced at the live rate (or at the
//!   past instant the request names with `at`);
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
use crate::service::call::{Call, Model};
use crate::service::{BankApi, wire};
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
    let mut call = Call::open(api, &request, Model::Session)?;
    let mut requests = request.into_inner();
    let board = api.board.clone();
    let replies = async_stream::stream! {
        let mut index: u64 = 0;
        loop {
            match call.next(requests.message()).await {
                // The client closed its side: every reply has been sent.
                Ok(Ok(None)) => break,
                Ok(Ok(Some(request))) => {
                    call.message_arrived();
                    yield Ok(reply(&board, index, request, call.lang));
                    index += 1;
                }
                // The call ends (drain, deadline, idle), or the client's
                // stream broke (reset, bad frame, oversized message): pass
                // the status on and stop.
                Err(status) | Ok(Err(status)) => {
                    yield Err(status);
                    break;
                }
            }
        }
    };
    Ok(Response::new(Box::pin(replies)))
}

/// The reply to one request: its conversion, or why it was refused.
fn reply(board: &RateBoard, index: u64, request: ConvertRequest, lang: Lang) -> SessionReply {
    let outcome: Result<_, DomainError> = wire::conversion_request(&request)
        .and_then(|order| convert(&order, &*wire::snapshot_for(board, &request)?));
    let outcome = match outcome {
        Ok(conversion) => Outcome::Conversion(wire::conversion_response(request.request_id, &conversion)),
        Err(error) => Outcome::Error(item_error(index, &request.request_id, &error, lang)),
    };
    SessionReply {
        outcome: Some(outcome),
    }
}
