//! `bank bench stall`: rate feeds whose reader stopped reading.
//!
//! Opens `--feeds` `StreamRates` feeds of `--pairs` pairs each, spread
//! over `--connections` HTTP/2 connections, and never reads them. Nothing
//! read means no receive window released: each connection's window fills
//! within a tick or two, and from then on the server cannot send on any of
//! its feeds; whatever it had prepared for them waits in its memory. This
//! is the slow consumer a server must survive, held for `--duration`.
//!
//! At the end of the hold each feed is read until it says what became of
//! it: ended by the server (its status code: OK, CANCELLED, UNAVAILABLE...,
//! or the error the transport reports for a reset stream or a closed
//! connection), or still open, which a feed shows by delivering a tick at
//! least as new as the one a fresh probe feed (on a connection of its own)
//! gets at the end of the hold. The updates buffered during the hold come
//! first and are skipped. Feeds the server refused at the start are the
//! report's errors.
//!
//! Server memory is read from `/proc` before the feeds open and at the end
//! of the hold, while every feed is still held, which gives the server's
//! memory per held feed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bank_i18n::tr;
use bank_proto::code_name;
use bank_proto::v1::StreamRatesRequest;
use serde_json::json;
use tokio::time::Instant;
use tonic::Code;
use tonic::codec::Streaming;

use super::feed::{UpdateHeader, subscribe};
use super::report::Report;
use super::server_stats::ServerProcess;
use super::{Bench, StallArgs};
use crate::error::CliError;
use crate::format;

/// The longest a held feed is read at the end of the hold before it is
/// counted as still open. Reading out what a connection buffered (its
/// receive window, a few MiB) takes well under a second on loopback; the
/// rest is for a fresh tick to arrive, which takes one tick (a second by
/// default). Beyond that a feed that neither ended nor moved on is still
/// open as far as this benchmark can tell.
const SETTLE_LIMIT: Duration = Duration::from_secs(10);

/// What became of one held feed.
enum Outcome {
    /// The server ended it, with this code.
    Ended(Code),
    /// It delivered a fresh tick, or nothing conclusive within
    /// [`SETTLE_LIMIT`].
    StillOpen,
}

pub async fn run(bench: &Bench, args: StallArgs) -> Result<Report, CliError> {
    let messages = bench.messages;
    let channels = bench.connect_many(args.connections).await?;
    let codes: Vec<String> = super::unary::currencies(&channels[0], &bench.url)
        .await?
        .into_iter()
        .map(|currency| currency.code)
        .collect();
    let pairs = distinct_pairs(&codes, args.pairs);
    let process = ServerProcess::find(args.server.server_pid);
    let rss_before = process.and_then(|p| p.rss_bytes());

    let held = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let hold_ends = started + args.duration;
    let progress = super::progress(
        messages,
        "bench-progress-stalled",
        Arc::clone(&held),
        args.duration,
    );

    // Every feed opens at once, each in its own task, and is handed back
    // unread.
    let mut opening = Vec::with_capacity(args.feeds);
    for feed in 0..args.feeds {
        let channel = channels[feed % channels.len()].clone();
        let request = StreamRatesRequest {
            pairs: pairs.clone(),
            max_updates: 0,
            from_sequence: 0,
        };
        let held = Arc::clone(&held);
        opening.push(tokio::spawn(async move {
            let opened = subscribe(channel, request).await;
            if opened.is_ok() {
                held.fetch_add(1, Ordering::Relaxed);
            }
            opened
        }));
    }
    let mut report = Report::new("stall");
    let mut feeds = Vec::with_capacity(args.feeds);
    for opened in opening {
        match opened.await {
            Ok(Ok(updates)) => feeds.push(updates),
            Ok(Err(status)) => report.error(code_name(status.code()), 1),
            // A task cannot panic here; counted rather than unwrapped.
            Err(_) => report.error(code_name(Code::Internal), 1),
        }
    }

    let opened = feeds.len() as u64;

    tokio::time::sleep_until(hold_ends).await;
    let rss_held = process.and_then(|p| p.rss_bytes());
    super::end_progress(progress);

    // The tick in progress now, seen on a connection of its own (the held
    // ones cannot deliver it until they are read out).
    let current_tick = current_tick(bench, &pairs).await;
    let settling: Vec<_> = feeds
        .into_iter()
        .map(|updates| tokio::spawn(settle(updates, current_tick)))
        .collect();
    let mut ended: BTreeMap<String, u64> = BTreeMap::new();
    let mut still_open = 0;
    for outcome in settling {
        match outcome.await {
            Ok(Outcome::Ended(code)) => *ended.entry(code_name(code).to_owned()).or_default() += 1,
            Ok(Outcome::StillOpen) | Err(_) => still_open += 1,
        }
    }

    report.count(messages, "feeds", tr!(messages, "bench-stall-feeds"), opened);
    report.count(
        messages,
        "connections",
        tr!(messages, "bench-connections"),
        channels.len() as u64,
    );
    report.count(
        messages,
        "pairs",
        tr!(messages, "bench-stall-pairs"),
        pairs.len() as u64,
    );
    report.figure(
        "held_seconds",
        tr!(messages, "bench-stall-held"),
        humantime::format_duration(args.duration).to_string(),
        json!(args.duration.as_secs_f64()),
    );
    let ended_total: u64 = ended.values().sum();
    let ended_shown = if ended.is_empty() {
        "0".to_owned()
    } else {
        ended
            .iter()
            .map(|(code, count)| format!("{code} {}", format::decimal(messages.lang(), &count.to_string())))
            .collect::<Vec<_>>()
            .join(", ")
    };
    report.figure(
        "ended_by_server",
        tr!(messages, "bench-stall-ended"),
        ended_shown,
        json!({ "total": ended_total, "by_code": ended }),
    );
    report.count(
        messages,
        "still_open",
        tr!(messages, "bench-stall-open"),
        still_open,
    );
    report.mebibytes(
        messages,
        "server_rss_before_bytes",
        tr!(messages, "bench-server-rss-before"),
        rss_before,
    );
    report.mebibytes(
        messages,
        "server_rss_held_bytes",
        tr!(messages, "bench-stall-rss-held"),
        rss_held,
    );
    let per_feed = match (rss_before, rss_held) {
        (Some(before), Some(held)) if opened > 0 => Some(held.saturating_sub(before) / opened),
        _ => None,
    };
    report.figure(
        "server_bytes_per_feed",
        tr!(messages, "bench-stall-per-feed"),
        per_feed.map_or_else(
            || "n/a".to_owned(),
            |bytes| {
                format!(
                    "{} KiB",
                    format::decimal(messages.lang(), &(bytes / 1_024).to_string())
                )
            },
        ),
        json!(per_feed),
    );
    Ok(report)
}

/// `count` different pairs (at least one), in a fixed order: every
/// currency the server lists against every other, so that a feed can ask
/// for as many as the server allows (the server drops repeated pairs).
fn distinct_pairs(codes: &[String], count: usize) -> Vec<String> {
    codes
        .iter()
        .flat_map(|base| {
            codes
                .iter()
                .filter(move |quote| *quote != base)
                .map(move |quote| format!("{base}/{quote}"))
        })
        .take(count.max(1))
        .collect()
}

/// The sequence of the tick in progress, from a one-update feed on a new
/// connection; `None` if it cannot be had (held feeds are then told apart
/// by [`SETTLE_LIMIT`] alone).
async fn current_tick(bench: &Bench, pairs: &[String]) -> Option<u64> {
    let channel = bench.connect().await.ok()?;
    let request = StreamRatesRequest {
        pairs: pairs.iter().take(1).cloned().collect(),
        max_updates: 1,
        from_sequence: 0,
    };
    let probe = async {
        let mut updates = subscribe(channel, request).await.ok()?;
        updates.message().await.ok()?.map(|update| update.sequence)
    };
    tokio::time::timeout(SETTLE_LIMIT, probe).await.ok().flatten()
}

/// Reads a held feed until it ends or shows it is still live (see the
/// module documentation).
async fn settle(mut updates: Streaming<UpdateHeader>, current_tick: Option<u64>) -> Outcome {
    let read = async {
        loop {
            match updates.message().await {
                Ok(Some(update)) => {
                    if current_tick.is_some_and(|current| update.sequence >= current) {
                        return Outcome::StillOpen;
                    }
                }
                Ok(None) => return Outcome::Ended(Code::Ok),
                Err(status) => return Outcome::Ended(status.code()),
            }
        }
    };
    tokio::time::timeout(SETTLE_LIMIT, read)
        .await
        .unwrap_or(Outcome::StillOpen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bank_domain::currency;
    use bank_domain::rates::Pair;

    use crate::commands::bench::MAX_PAIRS_PER_FEED;

    #[test]
    fn the_pairs_asked_for_are_all_different_and_accepted_by_the_server() {
        let codes: Vec<String> = currency::all().iter().map(|c| c.code.to_owned()).collect();
        let pairs = distinct_pairs(&codes, MAX_PAIRS_PER_FEED);
        assert_eq!(pairs.len(), MAX_PAIRS_PER_FEED);
        let parsed = Pair::parse_list(&pairs).expect("every pair is valid");
        assert_eq!(parsed.len(), MAX_PAIRS_PER_FEED, "none is a repeat");
        assert_eq!(distinct_pairs(&codes, 0).len(), 1);
        assert_eq!(MAX_PAIRS_PER_FEED, bank_domain::rates::MAX_PAIRS_PER_FEED);
    }
}
