//! Server streaming: `StreamRates`, one request and a stream of updates.
//!
//! Choose this model when the server has a sequence of things to say in
//! answer to one question: here, "tell me the rates of these pairs as they
//! change".
//!
//! Lifecycle of one feed:
//! 1. The pairs are validated before anything is sent: a bad pair is
//!    INVALID_ARGUMENT and no stream opens.
//! 2. The current tick is sent at once, then one update per new tick. With
//!    `from_sequence`, ticks already past are replayed first, every one,
//!    each computed again exactly as it was published (the quotes are a
//!    pure function of the tick), at the pace the reader takes them; then
//!    the feed goes live. A client that lost its connection resumes from
//!    the last sequence it saw plus one and misses nothing: gRPC does not
//!    resume a broken stream, the protocol has to.
//! 3. It ends with OK after `max_updates`; with UNAVAILABLE when the server
//!    drains; with DEADLINE_EXCEEDED when the client's `grpc-timeout`
//!    passes; and silently when the client cancels, because tonic then drops
//!    this stream, and with it all the work (there is no spawned task or
//!    timer to leak).
//!
//! A feed holds one of the server's feed places (`--max-feeds`) for its
//! whole life; when all are taken the call gets RESOURCE_EXHAUSTED at once.
//!
//! Every update is encoded once per tick for all the feeds that asked for
//! the same pairs, and handed to each as the same bytes
//! ([`shared_updates`](crate::service::shared_updates)); a replayed tick is
//! encoded for its one reader and goes out the same way.
//!
//! The stream is pulled, not pushed: it computes an update only when tonic
//! asks for the next item, which it does only when HTTP/2 flow control lets
//! it send. A slow reader therefore never makes the server queue anything;
//! when it catches up it gets the latest tick, with a visible gap in
//! `sequence`.

use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::watch;
use tokio_stream::Stream;
use tonic::metadata::MetadataValue;
use tonic::{Request, Response, Status};

use crate::service::call::{Call, Model};
use crate::service::{BankApi, caller_lang, wire};
use crate::shutdown::unavailable;
use crate::status::to_status;
use bank_domain::history;
use bank_domain::rates::{Pair, Snapshot};
use bank_proto::REPLAY_TICKS_HEADER;
use bank_proto::encoded::{Encoded, EncodedRateUpdate};
use bank_proto::v1::StreamRatesRequest;

/// The response stream of `StreamRates`: each update already encoded.
pub type RateStream = Pin<Box<dyn Stream<Item = Result<EncodedRateUpdate, Status>> + Send + 'static>>;

pub fn stream_rates(
    api: &BankApi,
    request: Request<StreamRatesRequest>,
) -> Result<Response<RateStream>, Status> {
    let lang = caller_lang(&request);
    let pairs = Pair::parse_list(&request.get_ref().pairs).map_err(|error| to_status(error, lang))?;
    // 0 means "until the client cancels".
    let max_updates = (request.get_ref().max_updates > 0).then_some(request.get_ref().max_updates);
    // Subscribe before reading the current tick, so that no tick can slip
    // between the two.
    let mut ticks = api.board.subscribe();
    // The current tick, published if the ticker has not yet: the first
    // update is this tick or a newer one. Only its sequence is kept: the
    // stream takes the snapshot itself from the board when it first runs,
    // so a feed that is never read never keeps an old tick's snapshot
    // alive (hundreds of them, one per tick, for a crowd of stalled feeds).
    let first = api
        .board
        .current()
        .map_err(|error| to_status(error, lang))?
        .tick
        .sequence;
    // A resuming client names the first tick it wants: from a day back to
    // the next tick, never later (that would reveal the future).
    let replay_from = match request.get_ref().from_sequence {
        0 => None,
        from => Some(history::replay_start(from, first).map_err(|error| to_status(error, lang))?),
    };
    // Last, after every check that could refuse the call: the place is
    // taken only for a stream that will run.
    let mut call = Call::open(api, &request, Model::Feed)?;
    let metrics = Arc::clone(&api.metrics);
    let board = Arc::clone(&api.board);
    let mut replay = replay_from.map(|start| board.source().replay(&pairs, start));
    let pair_names: Vec<String> = pairs.iter().map(ToString::to_string).collect();
    // The feeds of the same pairs share each tick's encoded update.
    let shared = api.updates.join(pairs);
    let updates = async_stream::stream! {
        let mut sent: u32 = 0;
        // The last tick sent (or, for a client that resumed after the
        // latest tick, the one before the tick it asked for).
        let mut last: Option<u64> = None;
        // The tick in progress, as last seen: a replay stops short of it
        // and looks again only when it gets there.
        let mut current = first;
        loop {
            let (sequence, update) = match (&mut replay, last) {
                // Replaying: every tick from the first asked for, none
                // skipped, each priced only when the reader has room for it
                // (the stream is pulled), so the reader sets the pace and
                // nothing waits in the server's memory.
                (Some(ticks), _) => {
                    let sequence = ticks.next_sequence();
                    if sequence > current {
                        match board.current() {
                            Ok(latest) => current = latest.tick.sequence,
                            Err(error) => {
                                yield Err(to_status(error, lang));
                                break;
                            }
                        }
                    }
                    if sequence > current {
                        // Caught up with the tick in progress: live from here.
                        replay = None;
                        last = Some(sequence - 1);
                        continue;
                    }
                    // A replay never waits, so it looks for the drain and
                    // the deadline itself.
                    if let Err(status) = call.check() {
                        yield Err(status);
                        break;
                    }
                    let update = ticks
                        .next_tick()
                        .map(|(tick, quotes)| Encoded::new(&wire::replayed_update(tick, &quotes, &pair_names)));
                    (sequence, update)
                }
                // Live, first update: the tick in progress.
                (None, None) => {
                    let latest = Arc::clone(&ticks.borrow_and_update());
                    let skipped = latest.tick.sequence.saturating_sub(first);
                    if skipped > 0 {
                        metrics.record_skipped_ticks(skipped);
                    }
                    (latest.tick.sequence, shared.update(&latest))
                }
                // Live: the next tick, or the latest if the reader was slow.
                (None, Some(after)) => match next_tick(&mut ticks, &mut call, after).await {
                    Ok(latest) => {
                        // The watch channel keeps only the latest tick: a
                        // reader that was slow to take the last update
                        // misses the ones in between. Only the update is
                        // kept across the next wait, not the snapshot.
                        let skipped = latest.tick.sequence.saturating_sub(after + 1);
                        if skipped > 0 {
                            metrics.record_skipped_ticks(skipped);
                        }
                        (latest.tick.sequence, shared.update(&latest))
                    }
                    Err(status) => {
                        yield Err(status);
                        break;
                    }
                },
            };
            match update {
                Ok(update) => yield Ok(update),
                Err(error) => {
                    yield Err(to_status(error, lang));
                    break;
                }
            }
            last = Some(sequence);
            // Saturating: an unlimited feed may outlive any counter.
            sent = sent.saturating_add(1);
            metrics.record_rate_update();
            if max_updates.is_some_and(|max| sent >= max) {
                break;
            }
        }
    };
    let mut response = Response::new(Box::pin(updates) as RateStream);
    if let Some(start) = replay_from {
        // How many past ticks this feed replays before the tick in
        // progress, in the response headers: a resuming client can say
        // what it recovered without counting updates against a clock.
        let replayed = first.saturating_sub(start) + u64::from(start <= first);
        response
            .metadata_mut()
            .insert(REPLAY_TICKS_HEADER, MetadataValue::from(replayed));
    }
    Ok(response)
}

/// Waits for a tick newer than `after`; or the status that ends the feed
/// (see [`Call::next`]). The watch channel holds only the latest snapshot,
/// so after a slow read this returns the newest tick, skipping the ones in
/// between.
async fn next_tick(
    ticks: &mut watch::Receiver<Arc<Snapshot>>,
    call: &mut Call,
    after: u64,
) -> Result<Arc<Snapshot>, Status> {
    loop {
        // An error means the board is gone: the server is stopping.
        call.next(ticks.changed()).await?.map_err(|_| unavailable())?;
        let latest = Arc::clone(&ticks.borrow_and_update());
        if latest.tick.sequence > after {
            return Ok(latest);
        }
    }
}
