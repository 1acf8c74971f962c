//! One module per command; each returns the process exit code.

pub mod batch;
pub mod bench;
pub mod convert;
pub mod currencies;
pub mod rates;
pub mod session;
pub mod tour;

use bank_proto::v1::{ConvertResponse, ItemError, Quote};
use serde_json::{Value, json};

use crate::format;

/// A conversion as JSON: the server's own strings and field names.
pub fn conversion_json(response: &ConvertResponse) -> Value {
    json!({
        "request_id": response.request_id,
        "amount": response.amount,
        "from_currency": response.from_currency,
        "to_currency": response.to_currency,
        "converted_amount": response.converted_amount,
        "rate": response.rate,
        "rate_sequence": response.rate_sequence,
        "rate_time": format::time(response.rate_time.as_ref()),
    })
}

pub fn item_error_json(error: &ItemError) -> Value {
    json!({
        "index": error.index,
        "request_id": error.request_id,
        "code": error.code,
        "field": error.field,
        "message": error.message,
    })
}

pub fn quote_json(quote: &Quote) -> Value {
    json!({ "pair": quote.pair, "bid": quote.bid, "mid": quote.mid, "ask": quote.ask })
}
