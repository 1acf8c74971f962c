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

use std::collections::HashMap;
use std::time::Duration;

use bank_proto::code_name;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use bank_domain::conversion::echoable_request_id;
use bank_domain::money::MAX_INTEGER_DIGITS;
use bank_domain::{DomainError, Field, InputProblem};
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
    let (reason, metadata) = reason_of(&error);
    details.set_error_info(reason, ERROR_DOMAIN, metadata);
    details.set_localized_message(lang.tag(), sentence(&error, Messages::of(lang)));
    Status::with_error_details(code, sentence(&error, english), details)
}

/// The `domain` of every `google.rpc.ErrorInfo` this server sends.
pub const ERROR_DOMAIN: &str = "bank.v1";

/// Every `google.rpc.ErrorInfo.reason` this server sends (AIP-193): one
/// stable name per distinct problem, for programs to branch on. The same
/// list is in `proto/bank/v1/bank.proto` and in both READMEs; a test keeps
/// the three in step.
pub const REASONS: &[&str] = &[
    "AMOUNT_NOT_DECIMAL",
    "AMOUNT_NOT_POSITIVE",
    "AMOUNT_TOO_PRECISE",
    "AMOUNT_TOO_LARGE",
    "CURRENCY_CODE_MALFORMED",
    "CURRENCY_NOT_SUPPORTED",
    "PAIR_MALFORMED",
    "PAIR_SAME_CURRENCY",
    "TOO_MANY_PAIRS",
    "REQUEST_ID_TOO_LONG",
    "TIME_MALFORMED",
    "FIELD_MISSING",
    "END_NOT_AFTER_START",
    "INTERVAL_NOT_WHOLE_TICKS",
    "TOO_MANY_CANDLES",
    "TOO_MANY_TICKS",
    "TICK_NOT_STARTED",
    "BEYOND_HISTORY",
    "BEFORE_REPLAY_WINDOW",
    "NOT_THE_BATCH_TICK",
    "RESULT_OUT_OF_RANGE",
    "RATE_UNAVAILABLE",
    "TOO_MANY_FEEDS",
    "TOO_MANY_SESSIONS",
    "TOO_MANY_BATCHES",
    "TOO_MANY_FEEDS_ON_CONNECTION",
    "TOO_MANY_SESSIONS_ON_CONNECTION",
    "CONNECTION_BUSY",
    "IDLE_TOO_LONG",
    "READER_STALLED",
    "MESSAGE_TOO_LARGE",
    "REQUEST_TOO_SLOW",
    "CONNECTION_TOO_OLD",
    "DEADLINE_PASSED",
    "SERVER_FAILURE",
    "SERVER_DRAINING",
    "TOKEN_REJECTED",
];

/// The reason of a domain error, with what a program needs beside it
/// (limits, the currency's minor units), as text.
fn reason_of(error: &DomainError) -> (&'static str, HashMap<String, String>) {
    let (reason, pairs): (&'static str, Vec<(&str, String)>) = match error {
        DomainError::InvalidInput { problem, .. } | DomainError::OutOfRange { problem, .. } => {
            match problem {
                InputProblem::AmountMalformed => ("AMOUNT_NOT_DECIMAL", vec![]),
                InputProblem::AmountZero => ("AMOUNT_NOT_POSITIVE", vec![]),
                InputProblem::AmountTooPrecise {
                    currency,
                    minor_units,
                } => (
                    "AMOUNT_TOO_PRECISE",
                    vec![
                        ("currency", (*currency).to_owned()),
                        ("minor_units", minor_units.to_string()),
                    ],
                ),
                InputProblem::AmountTooLarge => (
                    "AMOUNT_TOO_LARGE",
                    vec![("max_integer_digits", MAX_INTEGER_DIGITS.to_string())],
                ),
                InputProblem::CurrencyMalformed => ("CURRENCY_CODE_MALFORMED", vec![]),
                InputProblem::CurrencyUnsupported { code } => {
                    ("CURRENCY_NOT_SUPPORTED", vec![("currency", code.clone())])
                }
                InputProblem::PairMalformed { index } => {
                    ("PAIR_MALFORMED", vec![("index", index.to_string())])
                }
                InputProblem::PairShape => ("PAIR_MALFORMED", vec![]),
                InputProblem::PairUnsupportedCurrency { index, code } => (
                    "CURRENCY_NOT_SUPPORTED",
                    vec![("index", index.to_string()), ("currency", code.clone())],
                ),
                InputProblem::PairSameCurrency { index } => {
                    ("PAIR_SAME_CURRENCY", vec![("index", index.to_string())])
                }
                InputProblem::SameCurrency => ("PAIR_SAME_CURRENCY", vec![]),
                InputProblem::TooManyPairs { max } => ("TOO_MANY_PAIRS", vec![("max", max.to_string())]),
                InputProblem::RequestIdTooLong { max } => {
                    ("REQUEST_ID_TOO_LONG", vec![("max_bytes", max.to_string())])
                }
                InputProblem::TimeMalformed => ("TIME_MALFORMED", vec![]),
                InputProblem::Missing => ("FIELD_MISSING", vec![]),
                InputProblem::NotAfterStart => ("END_NOT_AFTER_START", vec![]),
                InputProblem::NotWholeTicks { tick_ms } => {
                    ("INTERVAL_NOT_WHOLE_TICKS", vec![("tick_ms", tick_ms.to_string())])
                }
                InputProblem::TooManyCandles { max } => ("TOO_MANY_CANDLES", vec![("max", max.to_string())]),
                InputProblem::TooManyTicks { max } => ("TOO_MANY_TICKS", vec![("max", max.to_string())]),
                InputProblem::InFuture => ("TICK_NOT_STARTED", vec![]),
                InputProblem::BeyondHorizon { days } => {
                    ("BEYOND_HISTORY", vec![("max_days", days.to_string())])
                }
                InputProblem::BeforeReplayWindow { oldest } => {
                    ("BEFORE_REPLAY_WINDOW", vec![("oldest", oldest.to_string())])
                }
                InputProblem::AfterNextTick { next } => {
                    ("TICK_NOT_STARTED", vec![("next", next.to_string())])
                }
                InputProblem::NotTheBatchTick { tick, batch } => (
                    "NOT_THE_BATCH_TICK",
                    vec![("tick", tick.to_string()), ("batch_tick", batch.to_string())],
                ),
            }
        }
        DomainError::Overflow => ("RESULT_OUT_OF_RANGE", vec![]),
        DomainError::RateUnavailable { pair } => ("RATE_UNAVAILABLE", vec![("pair", pair.clone())]),
    };
    let mut metadata: HashMap<String, String> = pairs
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect();
    if let Some(field) = error.field() {
        metadata.insert("field".to_owned(), field.as_str().to_owned());
    }
    (reason, metadata)
}

/// The per-item form of the same mapping, for batches and sessions, whose
/// items cannot fail the whole call. The message is in `lang`.
pub fn item_error(index: u64, request_id: &str, error: &DomainError, lang: Lang) -> ItemError {
    let (reason, metadata) = reason_of(error);
    ItemError {
        index,
        request_id: echoable_request_id(request_id).to_owned(),
        code: code_name(code_for(error)).to_owned(),
        reason: reason.to_owned(),
        metadata: metadata.into_iter().collect(),
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
    let reason = match kind {
        Capped::Feeds => "TOO_MANY_FEEDS",
        Capped::Sessions => "TOO_MANY_SESSIONS",
        Capped::Batches => "TOO_MANY_BATCHES",
        Capped::FeedsPerConnection => "TOO_MANY_FEEDS_ON_CONNECTION",
        Capped::SessionsPerConnection => "TOO_MANY_SESSIONS_ON_CONNECTION",
    };
    localized(
        Code::ResourceExhausted,
        (reason, &[("max", max.to_string())]),
        lang,
        |messages| match kind {
            Capped::Feeds => tr!(messages, "error-too-many-feeds", max = max),
            Capped::Sessions => tr!(messages, "error-too-many-sessions", max = max),
            Capped::Batches => tr!(messages, "error-too-many-batches", max = max),
            Capped::FeedsPerConnection => tr!(messages, "error-too-many-feeds-per-connection", max = max),
            Capped::SessionsPerConnection => {
                tr!(messages, "error-too-many-sessions-per-connection", max = max)
            }
        },
    )
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
    localized(
        Code::Cancelled,
        ("IDLE_TOO_LONG", &[("limit", idle.clone())]),
        lang,
        |messages| tr!(messages, "error-idle", idle = idle),
    )
}

/// RESOURCE_EXHAUSTED: the client read nothing for `limit` while a reply
/// waited for room (HTTP/2 flow control closed), so the server ended the
/// call to free its place. The code of a quota reached, here the server's
/// patience with one reader; the client may call again and read.
pub fn stalled(limit: Duration, lang: Lang) -> Status {
    let limit = humantime::format_duration(limit).to_string();
    localized(
        Code::ResourceExhausted,
        ("READER_STALLED", &[("limit", limit.clone())]),
        lang,
        |messages| tr!(messages, "error-stalled", limit = limit),
    )
}

/// RESOURCE_EXHAUSTED: a request message declared `size` bytes, more than
/// the `max` its method accepts. The gRPC status guide's code for a message
/// over the size limit (tonic's own check answers OUT_OF_RANGE).
pub fn message_too_large(size: u64, max: usize, lang: Lang) -> Status {
    let limits = [("size", size.to_string()), ("max", max.to_string())];
    localized(
        Code::ResourceExhausted,
        ("MESSAGE_TOO_LARGE", &limits),
        lang,
        |messages| tr!(messages, "error-message-too-large", size = size, max = max),
    )
}

/// CANCELLED: a call that sends one request message did not send it whole
/// within `limit` of its start; the server abandoned it (see
/// [`idle_too_long`] for why CANCELLED).
pub fn request_too_slow(limit: Duration, lang: Lang) -> Status {
    let limit = humantime::format_duration(limit).to_string();
    localized(
        Code::Cancelled,
        ("REQUEST_TOO_SLOW", &[("limit", limit.clone())]),
        lang,
        |messages| tr!(messages, "error-request-too-slow", limit = limit),
    )
}

/// RESOURCE_EXHAUSTED: this connection already runs `max` handlers; the
/// call is refused at once rather than queued (load shedding).
pub fn shed(max: usize, lang: Lang) -> Status {
    localized(
        Code::ResourceExhausted,
        ("CONNECTION_BUSY", &[("max", max.to_string())]),
        lang,
        |messages| tr!(messages, "error-shed", max = max),
    )
}

/// UNAVAILABLE: the call's connection reached its maximum age and its
/// grace period is over. Clients retry UNAVAILABLE on a new connection.
pub fn connection_closing(lang: Lang) -> Status {
    localized(Code::Unavailable, ("CONNECTION_TOO_OLD", &[]), lang, |messages| {
        tr!(messages, "error-connection-closing")
    })
}

/// DEADLINE_EXCEEDED: the client's `grpc-timeout` passed before the call
/// completed. Clients recognise the code, so no sentence is needed.
pub fn deadline_exceeded() -> Status {
    with_reason(
        Code::DeadlineExceeded,
        "the deadline set by the client (grpc-timeout) passed",
        "DEADLINE_PASSED",
    )
}

/// INTERNAL, for a call whose handler or stream panicked. It says nothing
/// about the cause: that is in the server's log, and may be sensitive.
pub fn internal_failure() -> Status {
    with_reason(
        Code::Internal,
        "the server failed while handling this call",
        "SERVER_FAILURE",
    )
}

/// UNAVAILABLE: the server is shutting down (the drain). Clients retry it.
pub fn draining() -> Status {
    with_reason(
        Code::Unavailable,
        "the server is shutting down; reconnect and retry",
        "SERVER_DRAINING",
    )
}

/// UNAUTHENTICATED: no API token the server accepts. The message says no
/// more, so as not to help a guesser.
pub fn token_rejected(message: &str) -> Status {
    with_reason(Code::Unauthenticated, message, "TOKEN_REJECTED")
}

/// A status whose only detail is its `ErrorInfo`.
fn with_reason(code: Code, message: &str, reason: &'static str) -> Status {
    let mut details = ErrorDetails::new();
    details.set_error_info(reason, ERROR_DOMAIN, HashMap::new());
    Status::with_error_details(code, message, details)
}

/// A status whose message is `sentence` in English, with the sentence in
/// `lang` as a `google.rpc.LocalizedMessage` for the person reading it.
fn localized(
    code: Code,
    (reason, metadata): (&'static str, &[(&str, String)]),
    lang: Lang,
    sentence: impl Fn(&Messages) -> String,
) -> Status {
    let mut details = ErrorDetails::new();
    let metadata: HashMap<String, String> = metadata
        .iter()
        .map(|(key, value)| ((*key).to_owned(), value.clone()))
        .collect();
    details.set_error_info(reason, ERROR_DOMAIN, metadata);
    details.set_localized_message(lang.tag(), sentence(Messages::of(lang)));
    Status::with_error_details(code, sentence(Messages::of(Lang::En)), details)
}

/// The whole sentence for an error, e.g. "amount must be greater than zero".
pub fn sentence(error: &DomainError, messages: &Messages) -> String {
    match error {
        DomainError::InvalidInput { field, problem } | DomainError::OutOfRange { field, problem } => tr!(
            messages,
            "error-invalid-input",
            name = field_name(*field, messages),
            field = field.as_str(),
            problem = problem_text(problem, messages)
        ),
        DomainError::Overflow => tr!(messages, "error-overflow"),
        DomainError::RateUnavailable { pair } => tr!(messages, "error-rate-unavailable", pair = pair),
    }
}

/// A field's name in the reader's language ("montant"); sentences give the
/// wire name beside it ("montant (amount)"), the one a program sends.
fn field_name(field: Field, messages: &Messages) -> String {
    match field {
        Field::Amount => tr!(messages, "field-amount"),
        Field::FromCurrency => tr!(messages, "field-from-currency"),
        Field::ToCurrency => tr!(messages, "field-to-currency"),
        Field::RequestId => tr!(messages, "field-request-id"),
        Field::Pairs => tr!(messages, "field-pairs"),
        Field::FromSequence => tr!(messages, "field-from-sequence"),
        Field::Pair => tr!(messages, "field-pair"),
        Field::StartTime => tr!(messages, "field-start-time"),
        Field::EndTime => tr!(messages, "field-end-time"),
        Field::Interval => tr!(messages, "field-interval"),
        Field::At => tr!(messages, "field-at"),
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
        // People count from one: the first pair is item 1 in the message,
        // while the `index` metadata keeps the wire's zero-based position.
        InputProblem::PairMalformed { index } => {
            tr!(messages, "problem-pair-malformed", number = index + 1)
        }
        InputProblem::PairUnsupportedCurrency { index, code } => {
            tr!(
                messages,
                "problem-pair-unsupported",
                number = index + 1,
                code = code
            )
        }
        InputProblem::PairSameCurrency { index } => tr!(messages, "problem-pair-same", number = index + 1),
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
    fn every_domain_error_has_a_listed_reason() {
        use bank_domain::Field;
        let problems = [
            InputProblem::AmountMalformed,
            InputProblem::AmountZero,
            InputProblem::AmountTooPrecise {
                currency: "JPY",
                minor_units: 0,
            },
            InputProblem::AmountTooLarge,
            InputProblem::CurrencyMalformed,
            InputProblem::CurrencyUnsupported { code: "ABC".into() },
            InputProblem::PairMalformed { index: 0 },
            InputProblem::PairUnsupportedCurrency {
                index: 0,
                code: "ABC".into(),
            },
            InputProblem::PairSameCurrency { index: 0 },
            InputProblem::TooManyPairs { max: 256 },
            InputProblem::RequestIdTooLong { max: 128 },
            InputProblem::PairShape,
            InputProblem::SameCurrency,
            InputProblem::TimeMalformed,
            InputProblem::Missing,
            InputProblem::NotAfterStart,
            InputProblem::NotWholeTicks { tick_ms: 1_000 },
            InputProblem::TooManyCandles { max: 1 },
            InputProblem::TooManyTicks { max: 1 },
            InputProblem::InFuture,
            InputProblem::BeyondHorizon { days: 400 },
            InputProblem::BeforeReplayWindow { oldest: 1 },
            InputProblem::AfterNextTick { next: 2 },
            InputProblem::NotTheBatchTick { tick: 1, batch: 2 },
        ];
        let errors = problems
            .into_iter()
            .map(|problem| DomainError::invalid(Field::Amount, problem))
            .chain([
                DomainError::Overflow,
                DomainError::RateUnavailable {
                    pair: "EUR/USD".into(),
                },
            ]);
        for error in errors {
            let (reason, _) = reason_of(&error);
            assert!(REASONS.contains(&reason), "{reason} is not listed");
        }
    }

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
