//! `bank bench history` and `bank bench replay`: the past, computed.
//!
//! `history` asks `GetRateHistory` for `--ticks` ticks of one pair in 1,000
//! candles, `--calls` times one after the other, and reports the latency of
//! a call (median and slowest): the server evaluates every tick of the
//! period each time. The answers are checked: the candles must cover the
//! ticks asked for, without a gap.
//!
//! `replay` opens one feed with `from_sequence` set `--ticks` ticks back
//! and reads the replay as fast as it comes, then reports the updates per
//! second one reader gets: the server computes each replayed tick when the
//! reader has room for it. The sequences must follow each other without a
//! gap.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bank_i18n::tr;
use bank_proto::code_name;
use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_proto::v1::{GetRateHistoryRequest, StreamRatesRequest};
use tokio::time::Instant;
use tonic::transport::Channel;

use super::report::Report;
use super::{Bench, HistoryArgs, ReplayArgs};
use crate::commands::history::one_tick;
use crate::error::CliError;

/// Candles per history call: the CLI's chart draws fewer.
const CANDLES: u64 = 1_000;

pub async fn history(bench: &Bench, args: HistoryArgs) -> Result<Report, CliError> {
    let messages = bench.messages;
    let mut client = BankServiceClient::new(bench.connect().await?);
    let mut report = Report::new("history");
    let tick = tick_of(&mut client, &args.pair).await;
    let ticks = args.ticks.max(CANDLES);
    // On a tick boundary, so that the period holds exactly `ticks` ticks.
    let start = on_tick(
        SystemTime::now() - tick * u32::try_from(ticks).unwrap_or(u32::MAX),
        tick,
    );
    let request = GetRateHistoryRequest {
        pair: args.pair.clone(),
        start_time: Some(start.into()),
        // The end is fixed, so that every call evaluates the same ticks.
        end_time: Some((start + tick * u32::try_from(ticks).unwrap_or(u32::MAX)).into()),
        interval: prost_types::Duration::try_from(tick * u32::try_from(ticks / CANDLES).unwrap_or(1)).ok(),
    };
    let mut latencies = Vec::with_capacity(args.calls);
    for _ in 0..args.calls.max(1) {
        let started = Instant::now();
        match client.get_rate_history(request.clone()).await {
            Ok(response) => {
                latencies.push(started.elapsed());
                let candles = response.into_inner().candles;
                let covered = candles
                    .last()
                    .zip(candles.first())
                    .map(|(last, first)| last.last_sequence - first.first_sequence + 1);
                let gapless = candles
                    .windows(2)
                    .all(|pair| pair[1].first_sequence == pair[0].last_sequence + 1);
                if covered != Some(ticks) || !gapless {
                    report.error("WRONG_RESULT", 1);
                }
            }
            Err(status) => report.error(code_name(status.code()), 1),
        }
    }
    latencies.sort();
    report.count(
        messages,
        "ticks_per_call",
        tr!(messages, "bench-history-ticks"),
        ticks,
    );
    report.count(
        messages,
        "calls",
        tr!(messages, "bench-requests"),
        latencies.len() as u64,
    );
    if let (Some(median), Some(slowest)) = (latencies.get(latencies.len() / 2), latencies.last()) {
        report.figure(
            "median_ms",
            tr!(messages, "bench-latency-median"),
            format!("{} ms", median.as_millis()),
            serde_json::json!(median.as_secs_f64() * 1_000.0),
        );
        report.figure(
            "max_ms",
            tr!(messages, "bench-latency-max"),
            format!("{} ms", slowest.as_millis()),
            serde_json::json!(slowest.as_secs_f64() * 1_000.0),
        );
    }
    Ok(report)
}

pub async fn replay(bench: &Bench, args: ReplayArgs) -> Result<Report, CliError> {
    let messages = bench.messages;
    let mut client = BankServiceClient::new(bench.connect().await?);
    let mut report = Report::new("replay");
    let tick = tick_of(&mut client, &args.pair).await;
    // The first tick of the replay: the one `--ticks` ticks back.
    let start = SystemTime::now() - tick * u32::try_from(args.ticks).unwrap_or(u32::MAX);
    let first = client
        .get_rate_history(one_tick(&args.pair, start))
        .await
        .ok()
        .and_then(|response| {
            response
                .into_inner()
                .candles
                .first()
                .map(|candle| candle.first_sequence)
        })
        .unwrap_or(1);
    let request = StreamRatesRequest {
        pairs: vec![args.pair.clone()],
        max_updates: u32::try_from(args.ticks).unwrap_or(u32::MAX),
        from_sequence: first,
    };
    let started = Instant::now();
    let mut received: u64 = 0;
    let mut expected = first;
    match client.stream_rates(request).await {
        Ok(response) => {
            let mut updates = response.into_inner();
            loop {
                match updates.message().await {
                    Ok(Some(update)) => {
                        if update.sequence != expected {
                            report.error("GAP", 1);
                        }
                        expected = update.sequence + 1;
                        received += 1;
                    }
                    Ok(None) => break,
                    Err(status) => {
                        report.error(code_name(status.code()), 1);
                        break;
                    }
                }
            }
        }
        Err(status) => report.error(code_name(status.code()), 1),
    }
    let elapsed = started.elapsed();
    report.count(messages, "updates", tr!(messages, "bench-updates"), received);
    report.duration(messages, elapsed);
    report.per_second(
        messages,
        "updates_per_second",
        tr!(messages, "bench-updates-rate"),
        received,
        elapsed,
    );
    Ok(report)
}

/// The start of the tick containing `time`.
fn on_tick(time: SystemTime, tick: Duration) -> SystemTime {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let into_tick = since_epoch.as_nanos() % tick.as_nanos().max(1);
    time - Duration::from_nanos(u64::try_from(into_tick).unwrap_or(0))
}

/// The server's tick, from a one-tick history request (one second if it
/// cannot say).
async fn tick_of(client: &mut BankServiceClient<Channel>, pair: &str) -> Duration {
    let start = SystemTime::now() - Duration::from_secs(60);
    client
        .get_rate_history(one_tick(pair, start))
        .await
        .ok()
        .and_then(|response| response.into_inner().tick)
        .and_then(|tick| Duration::try_from(tick).ok())
        .filter(|tick| !tick.is_zero())
        .unwrap_or(Duration::from_secs(1))
}
