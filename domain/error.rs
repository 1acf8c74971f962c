//! The one error type of the domain.
//!
//! Every way a request can be wrong is a variant here, with the field at
//! fault. The service layer maps this type to a gRPC status in exactly one
//! place (`server/status.rs`), so a given mistake gets the same code, field
//! and sentence whether it arrives through `Convert`, a batch item or a
//! session message.
//!
//! `Display` is a terse developer string for logs ("invalid amount: zero
//! amount"). What a person reads comes from the Fluent catalogs
//! (`locales/`), chosen by variant in the status mapping; neither echoes
//! the input back, since input can be large and a status travels in HTTP/2
//! trailers, which have a size limit.

use std::fmt;

/// A request field that can be at fault, named as in `bank.v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Amount,
    FromCurrency,
    ToCurrency,
    RequestId,
    Pairs,
    FromSequence,
    Pair,
    StartTime,
    EndTime,
    Interval,
    At,
}

impl Field {
    /// The field's name in the protobuf contract, as `google.rpc.BadRequest`
    /// reports it.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Amount => "amount",
            Field::FromCurrency => "from_currency",
            Field::ToCurrency => "to_currency",
            Field::RequestId => "request_id",
            Field::Pairs => "pairs",
            Field::FromSequence => "from_sequence",
            Field::Pair => "pair",
            Field::StartTime => "start_time",
            Field::EndTime => "end_time",
            Field::Interval => "interval",
            Field::At => "at",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong with one field's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputProblem {
    #[error("malformed amount")]
    AmountMalformed,
    #[error("zero amount")]
    AmountZero,
    #[error("more than {minor_units} decimals for {currency}")]
    AmountTooPrecise {
        currency: &'static str,
        minor_units: u32,
    },
    #[error("amount of 10^15 units or more")]
    AmountTooLarge,
    #[error("malformed currency code")]
    CurrencyMalformed,
    #[error("unsupported currency {code}")]
    CurrencyUnsupported {
        /// Always three uppercase ASCII letters, so it is safe to echo.
        code: String,
    },
    #[error("malformed pair #{index}")]
    PairMalformed { index: usize },
    #[error("pair #{index}: unsupported currency {code}")]
    PairUnsupportedCurrency { index: usize, code: String },
    #[error("pair #{index}: one currency twice")]
    PairSameCurrency { index: usize },
    #[error("more than {max} pairs")]
    TooManyPairs { max: usize },
    #[error("longer than {max} bytes")]
    RequestIdTooLong { max: usize },
    #[error("malformed pair")]
    PairShape,
    #[error("one currency twice")]
    SameCurrency,
    #[error("malformed timestamp")]
    TimeMalformed,
    #[error("missing")]
    Missing,
    #[error("not after the start")]
    NotAfterStart,
    #[error("not a whole number of {tick_ms} ms ticks")]
    NotWholeTicks { tick_ms: u64 },
    #[error("more than {max} candles")]
    TooManyCandles { max: u64 },
    #[error("more than {max} ticks")]
    TooManyTicks { max: u64 },
    #[error("in the future")]
    InFuture,
    #[error("older than {days} days")]
    BeyondHorizon { days: u64 },
    #[error("before tick {oldest}")]
    BeforeReplayWindow { oldest: u64 },
    #[error("after tick {next}")]
    AfterNextTick { next: u64 },
    #[error("item names tick {tick}, not the batch's tick {batch}")]
    NotTheBatchTick { tick: u64, batch: u64 },
}

/// Everything the domain can refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The caller sent a value that can never be accepted as it is.
    #[error("invalid {field}: {problem}")]
    InvalidInput { field: Field, problem: InputProblem },
    /// A valid request for a time the service does not serve now: a tick
    /// that has not started (publishing it early would leak the future of
    /// a deterministic source), or one older than the history horizon.
    #[error("{field} out of range: {problem}")]
    OutOfRange { field: Field, problem: InputProblem },
    /// The arithmetic result does not fit the supported range. Checked
    /// arithmetic turns what would be a panic or a wrong number into this.
    #[error("overflow")]
    Overflow,
    /// A rate could not be computed. This is the server's fault, never the
    /// caller's; it cannot happen with the built-in currency table, and a
    /// unit test checks every pair to keep it that way.
    #[error("no rate for {pair}")]
    RateUnavailable { pair: String },
}

impl DomainError {
    /// Shorthand for the common case.
    pub fn invalid(field: Field, problem: InputProblem) -> Self {
        DomainError::InvalidInput { field, problem }
    }

    /// Shorthand for a time outside what is served now.
    pub fn out_of_range(field: Field, problem: InputProblem) -> Self {
        DomainError::OutOfRange { field, problem }
    }

    /// The field at fault, if the caller's input is to blame.
    ///
    /// An overflow is the amount's: rates are the server's own, bounded
    /// numbers, so the only caller input in a product (`amount × rate`) or
    /// a batch total (a sum of converted amounts) is the amount.
    pub fn field(&self) -> Option<Field> {
        match self {
            DomainError::InvalidInput { field, .. } | DomainError::OutOfRange { field, .. } => Some(*field),
            DomainError::Overflow => Some(Field::Amount),
            DomainError::RateUnavailable { .. } => None,
        }
    }
}
