//! Translation between the protobuf contract and the domain.
//!
//! Requests come in as strings and are parsed into domain types once
//! (`ConversionRequest::parse`); results go out as decimal strings written
//! by the domain's own formatting, so the wire never sees a float.

use prost_types::Timestamp;

use crate::status::item_error;
use std::sync::Arc;

use crate::rate_board::RateBoard;
use bank_domain::batch::BatchSummary;
use bank_domain::conversion::{Conversion, ConversionRequest};
use bank_domain::currency::Currency;
use bank_domain::history::{self, Candle, HistoryQuery};
use bank_domain::rates::{Pair, Quote, QuoteText, Snapshot, Tick, decimal_text};
use bank_domain::{DomainError, Field, InputProblem};
use bank_i18n::Lang;
use bank_proto::v1;

/// Parses the fields of a request; the request id stays with the caller.
pub fn conversion_request(request: &v1::ConvertRequest) -> Result<ConversionRequest, DomainError> {
    ConversionRequest::parse(
        &request.amount,
        &request.from_currency,
        &request.to_currency,
        &request.request_id,
    )
}

/// The snapshot a conversion request is priced at: the tick in progress,
/// or the one that contained its `at`.
pub fn snapshot_for(board: &RateBoard, request: &v1::ConvertRequest) -> Result<Arc<Snapshot>, DomainError> {
    match &request.at {
        None => board.current(),
        Some(at) => board.at(instant_ms(at, Field::At)?),
    }
}

/// Whether a batch item may be priced at the batch's tick: it names no
/// instant, or one within that tick. Otherwise INVALID_ARGUMENT naming `at`
/// (or OUT_OF_RANGE, for an instant that cannot be served at all).
pub fn same_tick(board: &RateBoard, request: &v1::ConvertRequest, batch: Tick) -> Result<(), DomainError> {
    let Some(at) = &request.at else {
        return Ok(());
    };
    let tick = history::tick_at(board.source(), instant_ms(at, Field::At)?, board.now_ms())?;
    if tick.sequence == batch.sequence {
        Ok(())
    } else {
        Err(DomainError::invalid(
            Field::At,
            InputProblem::NotTheBatchTick {
                tick: tick.sequence,
                batch: batch.sequence,
            },
        ))
    }
}

/// Parses a history request; the tick length checks the interval.
pub fn history_query(request: &v1::GetRateHistoryRequest, tick_ms: u64) -> Result<HistoryQuery, DomainError> {
    let pair = Pair::parse_single(&request.pair)?;
    let start_ms = request
        .start_time
        .as_ref()
        .ok_or(DomainError::invalid(Field::StartTime, InputProblem::Missing))
        .and_then(|time| instant_ms(time, Field::StartTime))?;
    let end_ms = request
        .end_time
        .as_ref()
        .map(|time| instant_ms(time, Field::EndTime))
        .transpose()?;
    let interval_ns = request
        .interval
        .as_ref()
        .map(|interval| {
            duration_ns(interval).ok_or(DomainError::invalid(
                Field::Interval,
                InputProblem::NotWholeTicks { tick_ms },
            ))
        })
        .transpose()?;
    Ok(HistoryQuery {
        pair,
        start_ms,
        end_ms,
        interval_ns,
    })
}

pub fn conversion_response(request_id: String, conversion: &Conversion) -> v1::ConvertResponse {
    v1::ConvertResponse {
        request_id,
        amount: conversion.amount.to_string(),
        from_currency: conversion.amount.currency().code.to_owned(),
        to_currency: conversion.converted.currency().code.to_owned(),
        converted_amount: conversion.converted.to_string(),
        rate: conversion.rate.text.to_string(),
        rate_sequence: conversion.tick.sequence,
        rate_time: Some(timestamp(conversion.tick)),
    }
}

pub fn currency(currency: &Currency) -> v1::Currency {
    v1::Currency {
        code: currency.code.to_owned(),
        name: currency.name.to_owned(),
        minor_units: currency.minor_units,
    }
}

/// A request's instant in Unix milliseconds (sub-millisecond digits are
/// dropped: ticks are whole milliseconds). Before 1970 or with nanoseconds
/// out of range: INVALID_ARGUMENT naming `field`.
pub fn instant_ms(time: &Timestamp, field: Field) -> Result<u64, DomainError> {
    let malformed = || DomainError::invalid(field, InputProblem::TimeMalformed);
    let seconds = u64::try_from(time.seconds).map_err(|_| malformed())?;
    let nanos = u64::try_from(time.nanos)
        .ok()
        .filter(|nanos| *nanos < 1_000_000_000)
        .ok_or_else(malformed)?;
    seconds
        .checked_mul(1_000)
        .and_then(|ms| ms.checked_add(nanos / 1_000_000))
        .ok_or_else(malformed)
}

/// A request's duration in nanoseconds; `None` if negative or malformed.
pub fn duration_ns(duration: &prost_types::Duration) -> Option<u128> {
    let seconds = u128::try_from(duration.seconds).ok()?;
    let nanos = u128::try_from(duration.nanos)
        .ok()
        .filter(|nanos| *nanos < 1_000_000_000)?;
    Some(seconds * 1_000_000_000 + nanos)
}

/// A number of milliseconds as a protobuf duration.
pub fn duration(millis: u64) -> prost_types::Duration {
    prost_types::Duration {
        seconds: i64::try_from(millis / 1_000).unwrap_or(i64::MAX),
        nanos: i32::try_from(millis % 1_000 * 1_000_000).unwrap_or(0),
    }
}

/// The start of a tick as a protobuf timestamp.
pub fn timestamp(tick: Tick) -> Timestamp {
    timestamp_ms(tick.start_unix_ms)
}

/// Unix milliseconds as a protobuf timestamp.
pub fn timestamp_ms(millis: u64) -> Timestamp {
    Timestamp {
        seconds: i64::try_from(millis / 1_000).unwrap_or(i64::MAX),
        // Below 10^9, so the conversion cannot fail.
        nanos: i32::try_from(millis % 1_000 * 1_000_000).unwrap_or(0),
    }
}

pub fn quote(text: &QuoteText) -> v1::Quote {
    v1::Quote {
        pair: text.pair.to_string(),
        bid: text.bid.to_string(),
        mid: text.mid.to_string(),
        ask: text.ask.to_string(),
    }
}

/// One feed update: the quotes of `pairs` at the snapshot's tick.
pub fn rate_update(snapshot: &Snapshot, pairs: &[Pair]) -> Result<v1::RateUpdate, DomainError> {
    let quotes = pairs
        .iter()
        .map(|pair| snapshot.quote_text(*pair).map(quote))
        .collect::<Result<_, _>>()?;
    Ok(v1::RateUpdate {
        sequence: snapshot.tick.sequence,
        time: Some(timestamp(snapshot.tick)),
        quotes,
    })
}

/// One replayed feed update: the same message `rate_update` builds from the
/// tick's snapshot, from quotes priced without one. `pairs` are the pairs'
/// names, written once for the whole replay.
pub fn replayed_update(tick: Tick, quotes: &[Quote], pairs: &[String]) -> v1::RateUpdate {
    v1::RateUpdate {
        sequence: tick.sequence,
        time: Some(timestamp(tick)),
        // Written as `QuoteText::of` writes them, without its shared copies:
        // a replayed tick is written once.
        quotes: quotes
            .iter()
            .zip(pairs)
            .map(|(one, pair)| v1::Quote {
                pair: pair.clone(),
                bid: decimal_text(one.bid),
                mid: decimal_text(one.mid),
                ask: decimal_text(one.ask),
            })
            .collect(),
    }
}

/// The batch summary, with a quote for every pair the batch used, all from
/// the batch's one snapshot (none for an empty batch).
pub fn batch_summary(
    summary: BatchSummary,
    snapshot: Option<&Snapshot>,
    lang: Lang,
) -> Result<v1::BatchSummary, DomainError> {
    let rates = match snapshot {
        Some(snapshot) => summary
            .pairs_used
            .iter()
            .map(|pair| snapshot.quote_text(*pair).map(quote))
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    Ok(v1::BatchSummary {
        accepted: summary.accepted,
        rejected: summary.rejected,
        totals: summary
            .totals
            .iter()
            .map(|total| v1::CurrencyTotal {
                currency: total.total.currency().code.to_owned(),
                total: total.total.to_string(),
                count: total.count,
            })
            .collect(),
        errors: summary
            .errors
            .iter()
            .map(|rejected| item_error(rejected.index, &rejected.request_id, &rejected.error, lang))
            .collect(),
        rates,
        rate_sequence: snapshot.map_or(0, |snapshot| snapshot.tick.sequence),
        rate_time: snapshot.map(|snapshot| timestamp(snapshot.tick)),
    })
}

pub fn candle(candle: &Candle) -> v1::Candle {
    v1::Candle {
        time: Some(timestamp_ms(candle.start_ms)),
        first_sequence: candle.first_sequence,
        last_sequence: candle.last_sequence,
        // Written as every published mid is.
        open: decimal_text(candle.open),
        high: decimal_text(candle.high),
        low: decimal_text(candle.low),
        close: decimal_text(candle.close),
    }
}
