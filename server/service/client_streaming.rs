//! Client streaming: `ConvertBatch`, a stream of requests and one summary.
//!
//! Choose this model when the client has many things to send and wants one
//! answer about all of them: here, a file of payments converted at one rate
//! snapshot, with exact totals per currency.
//!
//! Lifecycle: items are read one at a time as they arrive and folded into
//! constant-size totals (the domain's `BatchTotals`), so a million-item
//! batch uses the same server memory as a ten-item one. The rate snapshot is
//! taken when the first item arrives and used for every item: the tick in
//! progress, or the past tick the first item names with `at` (a later item
//! naming another tick is rejected). A bad item is
//! counted and listed with its index; the batch goes on. When the client
//! closes its side, the summary is sent.
//!
//! During a drain a batch already running is allowed to finish: its client
//! is owed a summary, and a batch is bounded by what the client sends.
//! What bounds a client that sends nothing: the idle timeout
//! (`--idle-timeout`, CANCELLED) and the client's own deadline
//! (DEADLINE_EXCEEDED). Either way no summary is sent, so a partial total
//! can never pass for a complete one.

use std::sync::Arc;

use tonic::{Request, Response, Status, Streaming};

use crate::service::call::{Call, Model};
use crate::service::{BankApi, wire};
use crate::status::to_status;
use bank_domain::batch::BatchTotals;
use bank_domain::conversion::convert;
use bank_domain::rates::Snapshot;
use bank_proto::v1::{BatchSummary, ConvertRequest};

pub async fn convert_batch(
    api: &BankApi,
    request: Request<Streaming<ConvertRequest>>,
) -> Result<Response<BatchSummary>, Status> {
    // Held until the summary is sent, or the client leaves.
    let mut call = Call::open(api, &request, Model::Batch)?;
    let lang = call.lang;
    let mut items = request.into_inner();
    let mut totals = BatchTotals::new();
    let mut snapshot: Option<Arc<Snapshot>> = None;
    // `message()` yields `Ok(None)` when the client half-closes, and an
    // error status if the client's stream broke (it is returned as is).
    while let Some(item) = call.next(items.message()).await?? {
        call.message_arrived();
        let outcome = match &snapshot {
            // Every item is priced at the batch's tick; one that names
            // another is rejected, field `at`.
            Some(snapshot) => wire::same_tick(&api.board, &item, snapshot.tick)
                .and_then(|()| wire::conversion_request(&item))
                .and_then(|order| convert(&order, snapshot)),
            // The first item decides the tick: its `at`, or now.
            None => match wire::snapshot_for(&api.board, &item) {
                Ok(first) => {
                    wire::conversion_request(&item).and_then(|order| convert(&order, snapshot.insert(first)))
                }
                // Now cannot be priced: the server's fault, the whole batch's.
                Err(error) if item.at.is_none() => return Err(to_status(error, lang)),
                // A first item with an `at` that cannot be served is
                // rejected; the next item decides.
                Err(error) => Err(error),
            },
        };
        let accepted = totals.record(&item.request_id, outcome);
        api.metrics.record_batch_item(accepted);
    }
    let summary = wire::batch_summary(totals.finish(), snapshot.as_deref(), lang)
        .map_err(|error| to_status(error, lang))?;
    Ok(Response::new(summary))
}
