//! Unary RPCs: one request, one response.
//!
//! The simplest gRPC model and the right one whenever an answer fits in one
//! message and the client waits for it: `ListCurrencies`, `Convert` and
//! `GetRateHistory` (a year of candles is still one answer).
//! Lifecycle: tonic decodes the request, the handler runs to completion,
//! the response (or a status) goes back; there is nothing to clean up.

use tonic::{Request, Response, Status};

use crate::service::{BankApi, caller_lang, metadata_lang, wire};
use crate::status::to_status;
use bank_domain::conversion::convert as convert_at;
use bank_domain::{currency, history};
use bank_proto::v1::{
    ConvertRequest, ConvertResponse, GetRateHistoryRequest, GetRateHistoryResponse, ListCurrenciesRequest,
    ListCurrenciesResponse,
};

pub fn list_currencies(
    _api: &BankApi,
    _request: Request<ListCurrenciesRequest>,
) -> Result<Response<ListCurrenciesResponse>, Status> {
    let currencies = currency::all().iter().map(wire::currency).collect();
    Ok(Response::new(ListCurrenciesResponse { currencies }))
}

/// Converts at the mid rate of the tick in progress, or of the tick that
/// contained `at`.
pub fn convert(api: &BankApi, request: Request<ConvertRequest>) -> Result<Response<ConvertResponse>, Status> {
    let (metadata, _, request) = request.into_parts();
    let conversion = wire::conversion_request(&request)
        .and_then(|order| convert_at(&order, &*wire::snapshot_for(&api.board, &request)?))
        // The caller's language is worked out only for a status.
        .map_err(|error| to_status(error, metadata_lang(&metadata)))?;
    Ok(Response::new(wire::conversion_response(
        request.request_id,
        &conversion,
    )))
}

/// The candles of one pair over a past period, computed from the ticks.
pub fn get_rate_history(
    api: &BankApi,
    request: Request<GetRateHistoryRequest>,
) -> Result<Response<GetRateHistoryResponse>, Status> {
    let lang = caller_lang(&request);
    let request = request.into_inner();
    let source = api.board.source();
    let candles = wire::history_query(&request, source.tick_ms())
        .and_then(|query| history::candles(source, &query, api.board.now_ms()))
        .map_err(|error| to_status(error, lang))?;
    Ok(Response::new(GetRateHistoryResponse {
        pair: request.pair,
        tick: Some(wire::duration(source.tick_ms())),
        candles: candles.iter().map(wire::candle).collect(),
    }))
}
