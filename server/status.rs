//! The one mapping from domain errors to gRPC statuses.
//!
//! Every handler hands its `DomainError`s to [`to_status`], which decides
//! the code, the details and the words, so a mistake gets the same answer
//! from every RPC, in the caller's language (`accept-language`). Codes
//! follow the gRPC guidance:
//!
//! - INVALID_ARGUMENT: the request can never succeed as sent; the status
//!   carries a `google.rpc.BadRequest` naming the field, so clients can
//!   point at it without parsing the message;
//! - OUT_OF_RANGE: valid input whose result leaves the representable range;
//!   the `google.rpc.BadRequest` names the amount, the only caller input in
//!   the arithmetic;
//! - INTERNAL: the server failed (a rate could not be computed), never the
//!   caller's input.
//!
//! Inside batches and sessions a bad item must not end the stream, so the
//! same mapping produces an `ItemError` instead of a status.
//!
//! The statuses the service decides for itself, not for a domain error,
//! are here too: a cap reached, an idle call, a deadline passed, a panic.

use std::time::Duration;

use bank_proto::code_name;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use bank_domain::conversion::echoable_request_id;
use bank_domain::{DomainError, InputProblem};
use bank_i18n::tr;
use bank_i18n::{Lang, Messages};
use bank_proto::v1::ItemError;

/// The gRPC code for a domain error.
pub fn code_for(error: &DomainError) -> Code {
    match error {
        DomainError::InvalidInput { .. } => Code::InvalidArgument,
        DomainError::OutOfRange { .. } | DomainError::Overflow => Code::OutOfRange,
        DomainError::RateUnavailable { .. } => Code::Internal,
    }
}

/// The status for a domain error, for a caller who reads `lang`.
///
/// - the status message is English, for logs and developers;
/// - `google.rpc.BadRequest` names the field at fault (English description),
///   whenever the caller's input is to blame;
/// - `google.rpc.LocalizedMessage` carries the sentence in `lang`, the one
///   to show a person.
pub fn to_status(error: DomainError, lang: Lang) -> Status {
    let code = code_for(&error);
    let english = Messages::of(Lang::En);
    let mut details = ErrorDetails::new();
    if let Some(field) = error.field() {
        let description = match &error {
            DomainError::InvalidInput { problem, .. } | DomainError::OutOfRange { problem, .. } => {
                problem_text(problem, english)
            }
            other => sentence(other, english),
        };
        details.add_bad_request_violation(field.as_str(), description);
    }
    details.set_localized_message(lang.tag(), sentence(&error, Messages::of(lang)));
    Status::with_error_details(code, sentence(&error, english), details)
}

/// The per-item form of the same mapping, for batches and sessions, whose
/// items cannot fail the whole call. The message is in `lang`.
pub fn item_error(index: u64, request_id: &str, error: &DomainError, lang: Lang) -> ItemError {
    ItemError {
        index,
        request_id: echoable_request_id(request_id).to_owned(),
        code: code_name(code_for(error)).to_owned(),
        message: sentence(error, Messages::of(lang)),
        field: error
            .field()
            .map(|field| field.as_str().to_owned())
            .unwrap_or_default(),
    }
}

/// A kind of long-lived call the server caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capped {
    Feeds,
    Sessions,
    Batches,
    FeedsPerConnection,
    SessionsPerConnection,
}

/// RESOURCE_EXHAUSTED: the server already holds `max` calls of this kind.
/// The gRPC code for "out of a resource, perhaps a per-server quota"; the
/// client may retry later, or elsewhere.
pub fn too_many(kind: Capped, max: usize, lang: Lang) -> Status {
    localized(Code::ResourceExhausted, lang, |messages| match kind {
        Capped::Feeds => tr!(messages, "error-too-many-feeds", max = max),
        Capped::Sessions => tr!(messages, "error-too-many-sessions", max = max),
        Capped::Batches => tr!(messages, "error-too-many-batches", max = max),
        Capped::FeedsPerConnection => tr!(messages, "error-too-many-feeds-per-connection", max = max),
        Capped::SessionsPerConnection => tr!(messages, "error-too-many-sessions-per-connection", max = max),
    })
}

/// The end of a batch or session whose client sent nothing for `idle`.
///
/// CANCELLED, because the server abandoned the call: the gRPC definition,
/// "the operation was cancelled, typically by the caller", does not require
/// the caller. DEADLINE_EXCEEDED would be wrong: it means the client's own
/// deadline passed, and clients (the `bank` CLI among them) read it as
/// "my --timeout was too short". UNKNOWN or INTERNAL would claim a fault.
pub fn idle_too_long(idle: Duration, lang: Lang) -> Status {
    // "5m", "90s", "200ms": exact, and readable in both languages.
    let idle = humantime::format_duration(idle).to_string();
    localized(Code::Cancelled, lang, |messages| {
        tr!(messages, "error-idle", idle = idle)
    })
}

/// RESOURCE_EXHAUSTED: the client read nothing for `limit` while a reply
/// waited for room (HTTP/2 flow control closed), so the server ended the
/// call to free its place. The code of a quota reached, here the server's
/// patience with one reader; the client may call again and read.
pub fn stalled(limit: Duration, lang: Lang) -> Status {
    let limit = humantime::format_duration(limit).to_string();
    localized(Code::ResourceExhausted, lang, |messages| {
        tr!(messages, "error-stalled", limit = limit)
    })
}

/// RESOURCE_EXHAUSTED: a request message declared `size` bytes, more than
/// the `max` its method accepts. The gRPC status guide's code for a message
/// over the size limit (tonic's own check answers OUT_OF_RANGE).
pub fn message_too_large(size: u64, max: usize, lang: Lang) -> Status {
    localized(Code::ResourceExhausted, lang, |messages| {
        tr!(messages, "error-message-too-large", size = size, max = max)
    })
}

/// CANCELLED: a call that sends one request message did not send it whole
/// within `limit` of its start; the server abandoned it (see
/// [`idle_too_long`] for why CANCELLED).
pub fn request_too_slow(limit: Duration, lang: Lang) -> Status {
    let limit = humantime::format_duration(limit).to_string();
    localized(Code::Cancelled, lang, |messages| {
        tr!(messages, "error-request-too-slow", limit = limit)
    })
}

/// RESOURCE_EXHAUSTED: this connection already runs `max` handlers; the
/// call is refused at once rather than queued (load shedding).
pub fn shed(max: usize, lang: Lang) -> Status {
    localized(Code::ResourceExhausted, lang, |messages| {
        tr!(messages, "error-shed", max = max)
    })
}

/// UNAVAILABLE: the call's connection reached its maximum age and its
/// grace period is over. Clients retry UNAVAILABLE on a new connection.
pub fn connection_closing(lang: Lang) -> Status {
    localized(Code::Unavailable, lang, |messages| {
        tr!(messages, "error-connection-closing")
    })
}

/// DEADLINE_EXCEEDED: the client's `grpc-timeout` passed before the call
/// completed. Clients recognise the code, so no sentence is needed.
pub fn deadline_exceeded() -> Status {
    Status::deadline_exceeded("the deadline set by the client (grpc-timeout) passed")
}

/// INTERNAL, for a call whose handler or stream panicked. It says nothing
/// about the cause: that is in the server's log, and may be sensitive.
pub fn internal_failure() -> Status {
    Status::internal("the server failed while handling this call")
}

/// A status whose message is `sentence` in English, with the sentence in
/// `lang` as a `google.rpc.LocalizedMessage` for the person reading it.
fn localized(code: Code, lang: Lang, sentence: impl Fn(&Messages) -> String) -> Status {
    let mut details = ErrorDetails::new();
    details.set_localized_message(lang.tag(), sentence(Messages::of(lang)));
    Status::with_error_details(code, sentence(Messages::of(Lang::En)), details)
}

/// The whole sentence for an error, e.g. "amount must be greater than zero".
pub fn sentence(error: &DomainError, messages: &Messages) -> String {
    match error {
        DomainError::InvalidInput { field, problem } | DomainError::OutOfRange { field, problem } => tr!(
            messages,
            "error-invalid-input",
            field = field.as_str(),
            problem = problem_text(problem, messages)
        ),
        DomainError::Overflow => tr!(messages, "error-overflow"),
        DomainError::RateUnavailable { pair } => tr!(messages, "error-rate-unavailable", pair = pair),
    }
}

/// What is wrong with a field, e.g. "must be greater than zero".
fn problem_text(problem: &InputProblem, messages: &Messages) -> String {
    match problem {
        InputProblem::AmountMalformed => tr!(messages, "problem-amount-malformed"),
        InputProblem::AmountZero => tr!(messages, "problem-amount-zero"),
        InputProblem::AmountTooPrecise {
            currency,
            minor_units,
        } => tr!(
            messages,
            "problem-amount-too-precise",
            currency = currency,
            minor_units = minor_units
        ),
        InputProblem::AmountTooLarge => tr!(messages, "problem-amount-too-large"),
        InputProblem::CurrencyMalformed => tr!(messages, "problem-currency-malformed"),
        InputProblem::CurrencyUnsupported { code } => {
            tr!(messages, "problem-currency-unsupported", code = code)
        }
        InputProblem::PairMalformed { index } => tr!(messages, "problem-pair-malformed", index = index),
        InputProblem::PairUnsupportedCurrency { index, code } => {
            tr!(messages, "problem-pair-unsupported", index = index, code = code)
        }
        InputProblem::PairSameCurrency { index } => tr!(messages, "problem-pair-same", index = index),
        InputProblem::TooManyPairs { max } => tr!(messages, "problem-too-many-pairs", max = max),
        InputProblem::RequestIdTooLong { max } => tr!(messages, "problem-request-id-too-long", max = max),
        InputProblem::PairShape => tr!(messages, "problem-pair-shape"),
        InputProblem::SameCurrency => tr!(messages, "problem-same-currency"),
        InputProblem::TimeMalformed => tr!(messages, "problem-time-malformed"),
        InputProblem::Missing => tr!(messages, "problem-missing"),
        InputProblem::NotAfterStart => tr!(messages, "problem-not-after-start"),
        InputProblem::NotWholeTicks { tick_ms } => {
            tr!(messages, "problem-not-whole-ticks", tick_ms = *tick_ms)
        }
        InputProblem::TooManyCandles { max } => tr!(messages, "problem-too-many-candles", max = *max),
        InputProblem::TooManyTicks { max } => tr!(messages, "problem-too-many-ticks", max = *max),
        InputProblem::InFuture => tr!(messages, "problem-in-future"),
        InputProblem::BeyondHorizon { days } => tr!(messages, "problem-beyond-horizon", days = *days),
        InputProblem::BeforeReplayWindow { oldest } => {
            tr!(messages, "problem-before-replay-window", oldest = *oldest)
        }
        InputProblem::AfterNextTick { next } => tr!(messages, "problem-after-next-tick", next = *next),
        InputProblem::NotTheBatchTick { tick, batch } => {
            tr!(
                messages,
                "problem-not-the-batch-tick",
                tick = *tick,
                batch = *batch
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overflow_is_out_of_range_and_names_the_amount() {
        let status = to_status(DomainError::Overflow, Lang::Fr);
        assert_eq!(status.code(), Code::OutOfRange);
        let bad_request = status.get_details_bad_request().expect("BadRequest");
        assert_eq!(bad_request.field_violations.len(), 1);
        assert_eq!(bad_request.field_violations[0].field, "amount");
        assert_eq!(
            bad_request.field_violations[0].description,
            "the result is outside the range this service can represent exactly"
        );
        let localized = status.get_details_localized_message().expect("LocalizedMessage");
        assert_eq!(localized.locale, "fr");
        assert_eq!(
            localized.message,
            "le résultat sort de l’intervalle que ce service représente exactement"
        );

        let item = item_error(3, "r", &DomainError::Overflow, Lang::En);
        assert_eq!(
            (item.code.as_str(), item.field.as_str()),
            ("OUT_OF_RANGE", "amount")
        );
    }

    #[test]
    fn a_server_fault_names_no_field() {
        let status = to_status(
            DomainError::RateUnavailable {
                pair: "EUR/USD".into(),
            },
            Lang::En,
        );
        assert_eq!(status.code(), Code::Internal);
        assert!(status.get_details_bad_request().is_none());
    }
}
