//! `bank bench feed`: many concurrent `StreamRates` subscribers.
//!
//! Each subscriber asks for the same `--pairs` pairs and reads every update
//! it gets. Delivery lag is the time between a tick's start (the update's
//! `time`, from the server's clock, which is this machine's clock when the
//! server runs locally) and the moment the update is read here. The first
//! update of each subscriber is the tick in progress when it subscribed, so
//! it is not counted as lag. Gaps in `sequence` are ticks the server
//! skipped because the subscriber was behind.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bank_i18n::tr;
use bank_proto::code_name;
use bank_proto::codec::BankCodec;
use bank_proto::v1::StreamRatesRequest;
use hdrhistogram::Histogram;
use http::uri::PathAndQuery;
use tokio::time::Instant;
use tonic::codec::Streaming;
use tonic::transport::Channel;
use tonic::{Request, Response, Status};

use super::report::{Report, latency_histogram};
use super::server_stats::ServerProcess;
use super::{Bench, FeedArgs};
use crate::error::CliError;

/// Pairs handed out to subscribers, majors and CFA franc first.
const PAIRS: [&str; 12] = [
    "EUR/USD", "GBP/USD", "USD/JPY", "EUR/XOF", "USD/CHF", "AUD/USD", "USD/CAD", "EUR/MAD", "USD/KWD",
    "EUR/GBP", "USD/TND", "NZD/USD",
];

struct Tally {
    lag: Histogram<u64>,
    updates: u64,
    skipped: u64,
    error: Option<String>,
}

pub async fn run(bench: &Bench, args: FeedArgs) -> Result<Report, CliError> {
    let messages = bench.messages;
    let channels = bench.connect_many(args.connections).await?;
    let pairs: Vec<String> = PAIRS
        .iter()
        .take(args.pairs.clamp(1, PAIRS.len()))
        .map(|p| (*p).to_owned())
        .collect();
    let process = ServerProcess::find(args.server.server_pid);
    let rss_before = process.and_then(|p| p.rss_bytes());

    let received = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + args.duration;
    let progress = super::progress(
        messages,
        "bench-progress-updates",
        Arc::clone(&received),
        args.duration,
    );

    let mut subscribers = Vec::with_capacity(args.subscribers);
    for subscriber in 0..args.subscribers {
        let channel = channels[subscriber % channels.len()].clone();
        let request = StreamRatesRequest {
            pairs: pairs.clone(),
            max_updates: 0,
            from_sequence: 0,
        };
        let received = Arc::clone(&received);
        subscribers.push(tokio::spawn(async move {
            let mut tally = Tally {
                lag: latency_histogram(),
                updates: 0,
                skipped: 0,
                error: None,
            };
            let mut updates = match subscribe(channel, request).await {
                Ok(updates) => updates,
                Err(status) => {
                    tally.error = Some(code_name(status.code()).to_owned());
                    return tally;
                }
            };
            let mut last: Option<u64> = None;
            // One timer for the whole run: a fresh one per update would
            // cost the generator a timer insertion and removal per update,
            // time that would show up as lag.
            let mut end = std::pin::pin!(tokio::time::sleep_until(deadline));
            loop {
                let update = tokio::select! {
                    () = end.as_mut() => break,
                    update = updates.message() => update,
                };
                match update {
                    Ok(Some(update)) => {
                        if let Some(last) = last {
                            tally.skipped += update.sequence.saturating_sub(last + 1);
                            let _ = tally.lag.record(lag_micros(update.time.as_ref()));
                        }
                        last = Some(update.sequence);
                        tally.updates += 1;
                        received.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(None) => break,
                    Err(status) => {
                        tally.error = Some(code_name(status.code()).to_owned());
                        break;
                    }
                }
            }
            tally
        }));
    }
    // Measured while every subscriber is still connected.
    tokio::time::sleep_until(deadline).await;
    let rss = process.and_then(|p| p.rss_bytes());

    let mut lag = latency_histogram();
    let mut report = Report::new("feed");
    let (mut updates, mut skipped) = (0, 0);
    for subscriber in subscribers {
        if let Ok(tally) = subscriber.await {
            let _ = lag.add(&tally.lag);
            updates += tally.updates;
            skipped += tally.skipped;
            if let Some(code) = tally.error {
                report.error(&code, 1);
            }
        }
    }
    let elapsed = started.elapsed();
    super::end_progress(progress);

    report.count(
        messages,
        "subscribers",
        tr!(messages, "bench-subscribers"),
        args.subscribers as u64,
    );
    report.count(
        messages,
        "pairs",
        tr!(messages, "bench-pairs"),
        pairs.len() as u64,
    );
    report.count(messages, "updates", tr!(messages, "bench-updates"), updates);
    report.per_second(
        messages,
        "updates_per_second",
        tr!(messages, "bench-updates-rate"),
        updates,
        elapsed,
    );
    report.count(messages, "skipped_ticks", tr!(messages, "bench-skipped"), skipped);
    report.mebibytes(
        messages,
        "server_rss_bytes",
        tr!(messages, "bench-server-rss"),
        rss,
    );
    report.mebibytes(
        messages,
        "server_rss_before_bytes",
        tr!(messages, "bench-server-rss-before"),
        rss_before,
    );
    report.latency(tr!(messages, "bench-lag"), lag);
    Ok(report)
}

/// The first two fields of a `RateUpdate`; the quotes are skipped.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct UpdateHeader {
    #[prost(uint64, tag = "1")]
    pub(super) sequence: u64,
    #[prost(message, optional, tag = "2")]
    time: Option<prost_types::Timestamp>,
}

/// `StreamRates`, decoding each update as an [`UpdateHeader`]: the
/// generated client's call, with another response type.
pub(super) async fn subscribe(
    channel: Channel,
    request: StreamRatesRequest,
) -> Result<Streaming<UpdateHeader>, Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|error| Status::unavailable(error.to_string()))?;
    let path = PathAndQuery::from_static("/bank.v1.BankService/StreamRates");
    let codec = BankCodec::<StreamRatesRequest, UpdateHeader>::default();
    grpc.server_streaming(Request::new(request), path, codec)
        .await
        .map(Response::into_inner)
}

/// Microseconds from the start of the update's tick to now.
fn lag_micros(time: Option<&prost_types::Timestamp>) -> u64 {
    let Some(time) = time else { return 1 };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let tick_start_us = u128::try_from(time.seconds).unwrap_or(0) * 1_000_000
        + u128::try_from(time.nanos).unwrap_or(0) / 1_000;
    u64::try_from(now.as_micros().saturating_sub(tick_start_us))
        .unwrap_or(u64::MAX)
        .max(1)
}
