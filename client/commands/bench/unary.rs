//! `bank bench convert` and `bank bench baseline`: unary load.
//!
//! `--concurrency` workers share `--connections` HTTP/2 connections. In a
//! closed loop each worker sends its next request when the previous answer
//! arrives; with `--rate` (open loop) requests leave on a fixed schedule and
//! latency counts from the scheduled time, so a stalled server cannot hide
//! its stalls by slowing the sender down (coordinated omission).
//!
//! Every `Convert` answer is checked: `converted_amount` must equal
//! `amount × rate` rounded half to even to the target's minor units,
//! recomputed here with `rust_decimal` (an oracle independent of the
//! server's integer arithmetic). A wrong number counts as an error.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bank_i18n::tr;
use bank_proto::code_name;
use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_proto::v1::{ConvertRequest, ConvertResponse, Currency, ListCurrenciesRequest};
use hdrhistogram::Histogram;
use rust_decimal::{Decimal, RoundingStrategy};
use tokio::time::Instant;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

use super::report::{Report, latency_histogram, micros};
use super::server_stats::ServerProcess;
use super::{Bench, LoadArgs, PAIRS};
use crate::error::CliError;

/// Which RPC to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Convert,
    HealthCheck,
}

/// What one worker saw.
struct Tally {
    latency: Histogram<u64>,
    ok: u64,
    errors: BTreeMap<String, u64>,
}

pub async fn run(bench: &Bench, call: Call, args: LoadArgs) -> Result<Report, CliError> {
    let messages = bench.messages;
    let channels = bench.connect_many(args.connections).await?;
    let minor_units = Arc::new(minor_units(&channels[0], &bench.url).await?);
    let workload = Arc::new(workload(&minor_units));
    let process = ServerProcess::find(args.server.server_pid);
    let concurrency = args.concurrency.max(1);
    // Open loop: each worker's share of the rate, as a period between sends.
    let period = args
        .rate
        .filter(|rate| *rate > 0)
        .map(|rate| Duration::from_nanos(1_000_000_000 * concurrency as u64 / rate));

    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    // With --requests the count ends the run, not the clock.
    let deadline = match args.requests {
        Some(_) => started + Duration::from_secs(365 * 24 * 3_600),
        None => started + args.duration,
    };
    let issued = Arc::new(AtomicU64::new(0));
    let limit = args.requests;
    let progress = super::progress(
        messages,
        "bench-progress-requests",
        Arc::clone(&done),
        args.duration,
    );
    let cpu_before = process.and_then(|p| p.cpu_time());

    let mut workers = Vec::with_capacity(concurrency);
    for worker in 0..concurrency {
        let channel = channels[worker % channels.len()].clone();
        let workload = Arc::clone(&workload);
        let minor_units = Arc::clone(&minor_units);
        let done = Arc::clone(&done);
        let issued = Arc::clone(&issued);
        workers.push(tokio::spawn(async move {
            let mut tally = Tally {
                latency: latency_histogram(),
                ok: 0,
                errors: BTreeMap::new(),
            };
            let mut convert = BankServiceClient::new(channel.clone());
            let mut health = HealthClient::new(channel);
            let mut next =
                started + period.map_or(Duration::ZERO, |p| p * worker as u32 / concurrency as u32);
            let mut index = worker;
            loop {
                if period.is_some() {
                    tokio::time::sleep_until(next).await;
                }
                let sent = if period.is_some() { next } else { Instant::now() };
                if sent >= deadline {
                    break;
                }
                if limit.is_some_and(|limit| issued.fetch_add(1, Ordering::Relaxed) >= limit) {
                    break;
                }
                let outcome = match call {
                    Call::Convert => {
                        let request = workload[index % workload.len()].clone();
                        index += concurrency;
                        match convert.convert(request).await {
                            Ok(response) => verify(&response.into_inner(), &minor_units),
                            Err(status) => Err(code_name(status.code()).to_owned()),
                        }
                    }
                    Call::HealthCheck => health
                        .check(HealthCheckRequest {
                            service: String::new(),
                        })
                        .await
                        .map(|_| ())
                        .map_err(|status| code_name(status.code()).to_owned()),
                };
                let _ = tally.latency.record(micros(sent.elapsed()));
                match outcome {
                    Ok(()) => tally.ok += 1,
                    Err(code) => *tally.errors.entry(code).or_default() += 1,
                }
                done.fetch_add(1, Ordering::Relaxed);
                if let Some(period) = period {
                    next += period;
                }
            }
            tally
        }));
    }

    let mut latency = latency_histogram();
    let mut ok = 0;
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    for worker in workers {
        if let Ok(tally) = worker.await {
            let _ = latency.add(&tally.latency);
            ok += tally.ok;
            for (code, count) in tally.errors {
                *errors.entry(code).or_default() += count;
            }
        }
    }
    let elapsed = started.elapsed();
    super::end_progress(progress);
    let cpu = process
        .and_then(|p| p.cpu_time())
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));

    let total = ok + errors.values().sum::<u64>();
    let target = match call {
        Call::Convert => "convert",
        Call::HealthCheck => "baseline",
    };
    let mut report = Report::new(target);
    report.count(messages, "requests", tr!(messages, "bench-requests"), total);
    report.per_second(
        messages,
        "requests_per_second",
        tr!(messages, "bench-throughput"),
        total,
        elapsed,
    );
    let cpu_per_call = cpu
        .filter(|_| total > 0)
        .map(|cpu| u64::try_from(cpu.as_nanos() / u128::from(total)).unwrap_or(u64::MAX));
    report.figure(
        "server_cpu_ns_per_call",
        tr!(messages, "bench-server-cpu"),
        cpu_per_call.map_or_else(
            || "n/a".to_owned(),
            |ns| format!("{}.{} µs", ns / 1_000, (ns % 1_000) / 100),
        ),
        serde_json::json!(cpu_per_call),
    );
    report.latency(tr!(messages, "bench-latency"), latency);
    for (code, count) in errors {
        report.error(&code, count);
    }
    Ok(report)
}

/// The server's currencies, in its order.
pub(super) async fn currencies(channel: &Channel, url: &str) -> Result<Vec<Currency>, CliError> {
    let currencies = BankServiceClient::new(channel.clone())
        .list_currencies(ListCurrenciesRequest {})
        .await
        .map_err(|status| CliError::Status {
            url: url.to_owned(),
            status,
        })?
        .into_inner()
        .currencies;
    Ok(currencies)
}

/// Minor units of every currency, for verification.
pub(super) async fn minor_units(channel: &Channel, url: &str) -> Result<HashMap<String, u32>, CliError> {
    let currencies = currencies(channel, url).await?;
    Ok(currencies.into_iter().map(|c| (c.code, c.minor_units)).collect())
}

/// A cycle of 1,024 requests over the pairs, with amounts of every size the
/// source currency allows.
fn workload(minor_units: &HashMap<String, u32>) -> Vec<ConvertRequest> {
    (0..1_024u64)
        .map(|n| {
            let (from, to) = PAIRS[(n % PAIRS.len() as u64) as usize];
            let units = minor_units.get(from).copied().unwrap_or(0);
            let whole = (n * 7_919 + 1) % 1_000_000;
            let amount = if units == 0 {
                whole.max(1).to_string()
            } else {
                let fraction = (n * 104_729) % 10u64.pow(units);
                format!("{whole}.{fraction:0width$}", width = units as usize)
            };
            ConvertRequest {
                amount,
                from_currency: from.to_owned(),
                to_currency: to.to_owned(),
                request_id: String::new(),
                at: None,
            }
        })
        .filter(|request| !request.amount.trim_start_matches(['0', '.']).is_empty())
        .collect()
}

/// Recomputes the conversion from the response alone.
pub(super) fn verify(response: &ConvertResponse, minor_units: &HashMap<String, u32>) -> Result<(), String> {
    let wrong = || "WRONG_RESULT".to_owned();
    let amount = Decimal::from_str_exact(&response.amount).map_err(|_| wrong())?;
    let rate = Decimal::from_str_exact(&response.rate).map_err(|_| wrong())?;
    let units = *minor_units.get(&response.to_currency).ok_or_else(wrong)?;
    let mut expected = amount
        .checked_mul(rate)
        .ok_or_else(wrong)?
        .round_dp_with_strategy(units, RoundingStrategy::MidpointNearestEven);
    expected.rescale(units);
    if expected.to_string() == response.converted_amount {
        Ok(())
    } else {
        Err(wrong())
    }
}
