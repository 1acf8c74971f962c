//! `bank bench batch`: one `ConvertBatch` of `--items` generated items.
//!
//! Items are generated lazily as tonic pulls them, so the client holds none
//! of them, and written straight into the request buffer from their
//! numbers (`generated`), so that the generator costs less than the
//! server it measures. The time runs from the first item sent to the summary received.
//! The summary is then verified: every item is recomputed from the
//! summary's own `rates` (half-even rounding, `rust_decimal` as the oracle)
//! and the totals must match to the last minor unit. Server memory is
//! sampled during the batch to show it stays flat.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bank_i18n::tr;
use bank_proto::code_name;
use bank_proto::v1::BatchSummary;
use http::uri::PathAndQuery;
use rust_decimal::{Decimal, RoundingStrategy};
use tokio::time::Instant;
use tokio_stream::Stream;
use tonic::transport::Channel;
use tonic::{Request, Response, Status};

use super::generated::ItemCodec;
use super::report::Report;
use super::server_stats::ServerProcess;
use super::unary::minor_units;
use super::{BatchArgs, Bench, generated_item};
use crate::error::CliError;

/// The largest summary accepted: a summary lists up to 100 errors and a
/// total and a quote per currency, far below this.
const MAX_SUMMARY_BYTES: usize = 16 * 1024 * 1024;

/// How often server memory is sampled during the batch.
const RSS_SAMPLE_EVERY: Duration = Duration::from_millis(10);

pub async fn run(bench: &Bench, args: BatchArgs) -> Result<Report, CliError> {
    let messages = bench.messages;
    let channel = bench.connect().await?;
    let units = minor_units(&channel, &bench.url).await?;
    let process = ServerProcess::find(args.server.server_pid);
    let rss_before = process.and_then(|p| p.rss_bytes());
    let peak = Arc::new(AtomicU64::new(rss_before.unwrap_or(0)));
    let sampler = process.map(|process| {
        let peak = Arc::clone(&peak);
        tokio::spawn(async move {
            loop {
                if let Some(rss) = process.rss_bytes() {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(RSS_SAMPLE_EVERY).await;
            }
        })
    });

    let sent = Arc::new(AtomicU64::new(0));
    let progress = super::progress(
        messages,
        "bench-progress-items",
        Arc::clone(&sent),
        Duration::ZERO,
    );
    let counter = Arc::clone(&sent);
    // Item numbers: the codec writes each item's request from its number.
    let items = tokio_stream::iter((0..args.items).inspect(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    }));
    let started = Instant::now();
    let result = convert_batch(channel, items).await;
    let elapsed = started.elapsed();
    super::end_progress(progress);
    if let Some(sampler) = sampler {
        sampler.abort();
    }

    let mut report = Report::new("batch");
    report.count(messages, "items", tr!(messages, "bench-items"), args.items);
    report.duration(messages, elapsed);
    report.per_second(
        messages,
        "items_per_second",
        tr!(messages, "bench-items-rate"),
        args.items,
        elapsed,
    );
    let growth = rss_before.map(|before| peak.load(Ordering::Relaxed).saturating_sub(before));
    report.mebibytes(
        messages,
        "server_rss_growth_bytes",
        tr!(messages, "bench-rss-growth"),
        growth,
    );
    match result {
        Ok(summary) => {
            let verified = verify(&summary, args.items, &units);
            report.figure(
                "verified",
                tr!(messages, "bench-verified"),
                messages.format(if verified { "bench-yes" } else { "bench-no" }, &[]),
                serde_json::json!(verified),
            );
            if !verified {
                report.error("WRONG_RESULT", 1);
            }
        }
        Err(status) => report.error(code_name(status.code()), 1),
    }
    Ok(report)
}

/// `ConvertBatch`, as the generated client sends it, with each item
/// written from its number ([`ItemCodec`]).
async fn convert_batch(
    channel: Channel,
    items: impl Stream<Item = u64> + Send + 'static,
) -> Result<BatchSummary, Status> {
    let mut grpc = tonic::client::Grpc::new(channel).max_decoding_message_size(MAX_SUMMARY_BYTES);
    grpc.ready()
        .await
        .map_err(|error| Status::unavailable(error.to_string()))?;
    let path = PathAndQuery::from_static("/bank.v1.BankService/ConvertBatch");
    grpc.client_streaming(Request::new(items), path, ItemCodec::<BatchSummary>::default())
        .await
        .map(Response::into_inner)
}

/// Recomputes every total from the summary's rates.
fn verify(summary: &BatchSummary, items: u64, units: &HashMap<String, u32>) -> bool {
    if summary.accepted != items || summary.rejected != 0 {
        return false;
    }
    let mids: HashMap<&str, Decimal> = summary
        .rates
        .iter()
        .filter_map(|quote| Some((quote.pair.as_str(), Decimal::from_str_exact(&quote.mid).ok()?)))
        .collect();
    let mut totals: HashMap<String, Decimal> = HashMap::new();
    for n in 0..items {
        let item = generated_item(n);
        let pair = format!("{}/{}", item.from_currency, item.to_currency);
        let (Some(rate), Some(target_units), Ok(amount)) = (
            mids.get(pair.as_str()),
            units.get(&item.to_currency),
            Decimal::from_str(&item.amount),
        ) else {
            return false;
        };
        let converted =
            (amount * rate).round_dp_with_strategy(*target_units, RoundingStrategy::MidpointNearestEven);
        *totals.entry(item.to_currency).or_default() += converted;
    }
    summary.totals.len() == totals.len()
        && summary
            .totals
            .iter()
            .all(|total| Decimal::from_str_exact(&total.total).ok() == totals.get(&total.currency).copied())
}
