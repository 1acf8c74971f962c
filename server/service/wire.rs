//! Translation between the protobuf contract and the domain.
//!
//! Requests come in as strings and are parsed into domain types once
//! (`ConversionRequest::parse`); results go out as decimal strings written
//! by the domain's own formatting, so the wire never sees a float.

use prost_types::Timestamp;

use crate::status::item_error;
use bank_domain::DomainError;
use bank_domain::batch::BatchSummary;
use bank_domain::conversion::{Conversion, ConversionRequest};
use bank_domain::currency::Currency;
use bank_domain::rates::{Pair, QuoteText, Snapshot, Tick};
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

/// The start of a tick as a protobuf timestamp.
pub fn timestamp(tick: Tick) -> Timestamp {
    let millis = tick.start_unix_ms;
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
