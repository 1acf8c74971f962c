//! The bank's metrics in the Prometheus exposition, written by the official
//! client library, `prometheus-client`, from the atomics of [`Metrics`].
//!
//! Lifecycle: [`registry`] is built once, when the endpoint starts. It
//! holds a [`BankCollector`] (this file) and the process's collector and
//! build info (`process`). At each scrape the endpoint calls [`encode`]; the
//! library calls each collector's [`Collector::encode`], which loads every
//! atomic once (relaxed, as the hot path writes them) and hands the values
//! to the library's encoders as constant metrics (`ConstCounter`,
//! `ConstGauge`, `encode_histogram`). The hot path never touches the
//! library, and the library keeps no value of its own: nothing is copied
//! between scrapes.
//!
//! The names, labels and meanings are the ones the endpoint always had
//! (OPERATIONS.md, "Metrics"). Where the library decides the spelling:
//!
//! - Counters are given to the library without their `_total` suffix,
//!   which it appends to every counter (the suffix belongs to the counter
//!   type; a debug build's `Registry::register` even panics on a counter
//!   name that already ends in it): [`RPC_REQUESTS`], `bank_rpc_requests`,
//!   is exposed as `bank_rpc_requests_total`, as before.
//! - Numbers are written by the library: integers as they are, floats in
//!   their shortest exact form. Bucket bounds come out as Go's client
//!   writes them, `le="0.0001"` to `le="600"`, the labels the endpoint
//!   always had (a test pins them); the clock's offset of -29.990 s is
//!   written `-29.99`, and zero `0.0`: the same values.
//! - A family is described (`# HELP`, `# TYPE`) even before its first
//!   sample: the request and latency families have a sample only for the
//!   methods and codes seen so far, so an idle method adds no lines.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    DescriptorEncoder, EncodeCounterValue, EncodeGaugeValue, EncodeLabelSet, EncodeMetric, NoLabelSet,
    prometheus_text,
};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;
use tokio::runtime::Handle;
use tonic::Code;

use super::{Histogram, LATENCY_BUCKETS_US, MethodSlot, Metrics, OpenGauges, Refusal, process};
use bank_domain::clock::Clock;
use bank_proto::code_name;

/// `bank_rpc_requests_total`: finished calls by method and status code.
const RPC_REQUESTS: &str = "bank_rpc_requests";
/// `bank_rpc_latency_seconds`: a histogram, hence its `_bucket`, `_sum`
/// and `_count` series.
const RPC_LATENCY: &str = "bank_rpc_latency_seconds";
/// `bank_batch_items_total`.
const BATCH_ITEMS: &str = "bank_batch_items";
/// `bank_calls_refused_total`.
const CALLS_REFUSED: &str = "bank_calls_refused";
/// `bank_rate_updates_sent_total`.
const RATE_UPDATES_SENT: &str = "bank_rate_updates_sent";
/// `bank_rate_ticks_skipped_total`.
const RATE_TICKS_SKIPPED: &str = "bank_rate_ticks_skipped";
/// `bank_clock_steps_total`.
const CLOCK_STEPS: &str = "bank_clock_steps";

/// Room for a scrape, so that encoding seldom reallocates: about 7 KiB
/// before the first calls, and 2 KiB more for each method called (its
/// histogram's 21 lines), about 30 KiB once all of them have been.
const TYPICAL_SCRAPE_BYTES: usize = 32 * 1024;

/// The registry the endpoint encodes: the bank's metrics, the process's
/// and the build's.
pub fn registry(
    metrics: Arc<Metrics>,
    open: Arc<dyn OpenGauges>,
    clock: Arc<dyn Clock>,
    runtimes: Vec<Handle>,
) -> Registry {
    let mut registry = Registry::default();
    process::register(&mut registry);
    registry.register_collector(Box::new(BankCollector {
        metrics,
        open,
        clock,
        runtimes,
    }));
    registry
}

/// One scrape: the registry in the Prometheus text format, version 0.0.4.
pub fn encode(registry: &Registry) -> Result<String, fmt::Error> {
    let mut text = String::with_capacity(TYPICAL_SCRAPE_BYTES);
    prometheus_text::encode(&mut text, registry)?;
    Ok(text)
}

/// Reads the bank's counters at each scrape.
struct BankCollector {
    metrics: Arc<Metrics>,
    open: Arc<dyn OpenGauges>,
    /// The rate board's clock, for its steps and offset.
    clock: Arc<dyn Clock>,
    /// The server's runtimes, whose live tasks are counted together: one,
    /// or one per core (`--runtime per-core`).
    runtimes: Vec<Handle>,
}

impl fmt::Debug for BankCollector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BankCollector")
            .field("metrics", &self.metrics)
            .field("open", &self.open)
            .field("clock", &self.clock.report())
            .field("runtimes", &self.runtimes.len())
            .finish()
    }
}

impl Collector for BankCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
        let metrics = &*self.metrics;
        counters(
            &mut encoder,
            RPC_REQUESTS,
            "Finished RPCs by method and gRPC status code.",
            metrics.requests.iter().enumerate().flat_map(|(method, codes)| {
                codes.iter().enumerate().filter_map(move |(code, count)| {
                    let count = count.load(Ordering::Relaxed);
                    let code = Code::from_i32(i32::try_from(code).unwrap_or(2));
                    let labels = [("method", MethodSlot(method).label()), ("code", code_name(code))];
                    (count > 0).then_some((labels, count))
                })
            }),
        )?;
        latency(&mut encoder, metrics)?;

        gauge(
            &mut encoder,
            "bank_open_feeds",
            "Rate feeds (StreamRates) open right now.",
            self.open.feeds(),
        )?;
        gauge(
            &mut encoder,
            "bank_open_sessions",
            "Conversion sessions (ConvertSession) open right now.",
            self.open.sessions(),
        )?;
        // One task per connection plus a few of the server's own: flat under
        // steady load, growing when work outlives the calls it served (the
        // soak script watches it). Summed over the runtimes.
        if !self.runtimes.is_empty() {
            gauge(
                &mut encoder,
                "bank_runtime_alive_tasks",
                "Tokio tasks alive in the server's runtimes.",
                self.runtimes
                    .iter()
                    .map(|runtime| runtime.metrics().num_alive_tasks())
                    .sum::<usize>(),
            )?;
        }

        counters(
            &mut encoder,
            BATCH_ITEMS,
            "ConvertBatch items by outcome.",
            [
                ("accepted", &metrics.batch_accepted),
                ("rejected", &metrics.batch_rejected),
            ]
            .map(|(outcome, count)| ([("outcome", outcome)], count.load(Ordering::Relaxed))),
        )?;
        counters(
            &mut encoder,
            CALLS_REFUSED,
            "Calls and connections the server refused, by reason.",
            Refusal::ALL.map(|reason| ([("reason", reason.label())], metrics.refusals(reason))),
        )?;
        counter(
            &mut encoder,
            RATE_UPDATES_SENT,
            "Rate updates sent to feed subscribers.",
            metrics.rate_updates_sent.load(Ordering::Relaxed),
        )?;
        counter(
            &mut encoder,
            RATE_TICKS_SKIPPED,
            "Ticks feed subscribers never received because they read too slowly.",
            metrics.rate_ticks_skipped.load(Ordering::Relaxed),
        )?;

        let clock = self.clock.report();
        counter(
            &mut encoder,
            CLOCK_STEPS,
            "Wall-clock steps detected (the wall clock jumped against the monotonic clock); each is slewed away, never followed at once.",
            clock.steps,
        )?;
        gauge(
            &mut encoder,
            "bank_clock_offset_seconds",
            "Wall clock minus the trusted tick clock: the correction the slew has still to make (positive when the wall clock is ahead).",
            millis_as_seconds(clock.offset_ms),
        )
    }
}

/// `bank_rpc_latency_seconds`: one histogram per method called so far.
fn latency(encoder: &mut DescriptorEncoder, metrics: &Metrics) -> fmt::Result {
    let mut family = encoder.encode_descriptor(
        RPC_LATENCY,
        "RPC latency by method, from the request to its status (for streams, the stream's lifetime).",
        None,
        MetricType::Histogram,
    )?;
    for (method, histogram) in metrics.latency.iter().enumerate() {
        let Some(snapshot) = HistogramSnapshot::of(histogram) else {
            continue;
        };
        let labels = [("method", MethodSlot(method).label())];
        family.encode_family(&labels)?.encode_histogram::<NoLabelSet>(
            snapshot.sum_seconds,
            snapshot.count,
            &snapshot.buckets,
            None,
        )?;
    }
    Ok(())
}

/// One histogram's atomics, loaded once, in the shape the library takes.
struct HistogramSnapshot {
    /// (upper bound in seconds, calls in that bucket alone): the library
    /// makes them cumulative and adds `le="+Inf"` with the count.
    buckets: [(f64, u64); LATENCY_BUCKETS_US.len()],
    count: u64,
    sum_seconds: f64,
}

impl HistogramSnapshot {
    /// `None` for a method never called.
    fn of(histogram: &Histogram) -> Option<Self> {
        let counts = histogram
            .buckets
            .each_ref()
            .map(|bucket| bucket.load(Ordering::Relaxed));
        let count: u64 = counts.iter().sum();
        if count == 0 {
            return None;
        }
        let mut buckets = [(0.0, 0); LATENCY_BUCKETS_US.len()];
        for ((bucket, bound_us), calls) in buckets.iter_mut().zip(LATENCY_BUCKETS_US).zip(counts) {
            *bucket = (micros_as_seconds(bound_us), calls);
        }
        Some(Self {
            buckets,
            count,
            sum_seconds: micros_as_seconds(histogram.sum_us.load(Ordering::Relaxed)),
        })
    }
}

/// Microseconds as seconds: exact to the microsecond for any latency sum
/// below 2^53 µs (285 years), so `700000201` µs is written `700.000201`.
fn micros_as_seconds(micros: u64) -> f64 {
    Duration::from_micros(micros).as_secs_f64()
}

/// Signed milliseconds as seconds, exact to the millisecond below 2^53 ms
/// (285,000 years), far beyond any offset a clock reports.
fn millis_as_seconds(millis: i64) -> f64 {
    millis as f64 / 1_000.0
}

/// A counter without labels. `name` is given without `_total`, which the
/// library appends.
pub(super) fn counter(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: impl EncodeCounterValue,
) -> fmt::Result {
    let counter = ConstCounter::new(value);
    counter.encode(encoder.encode_descriptor(name, help, None, counter.metric_type())?)
}

/// A family of counters, one per label set. `name` is given without
/// `_total`, which the library appends.
fn counters<Labels: EncodeLabelSet>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    samples: impl IntoIterator<Item = (Labels, u64)>,
) -> fmt::Result {
    let mut family = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
    for (labels, value) in samples {
        ConstCounter::new(value).encode(family.encode_family(&labels)?)?;
    }
    Ok(())
}

/// A gauge without labels.
pub(super) fn gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: impl EncodeGaugeValue,
) -> fmt::Result {
    let gauge = ConstGauge::new(value);
    gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bank_domain::clock::ClockReport;

    /// A server with nothing open.
    #[derive(Debug)]
    struct NothingOpen;

    impl OpenGauges for NothingOpen {
        fn feeds(&self) -> usize {
            0
        }

        fn sessions(&self) -> usize {
            0
        }
    }

    /// A clock that reports what the test says.
    struct Reporting(ClockReport);

    impl Clock for Reporting {
        fn now_unix_ms(&self) -> u64 {
            0
        }

        fn report(&self) -> ClockReport {
            self.0
        }
    }

    /// One scrape of `metrics` with the clock reporting `report`.
    fn render(metrics: Metrics, report: ClockReport) -> String {
        let registry = registry(
            Arc::new(metrics),
            Arc::new(NothingOpen),
            Arc::new(Reporting(report)),
            Vec::new(),
        );
        encode(&registry).expect("encoding into a String succeeds")
    }

    fn has_line(text: &str, expected: &str) -> bool {
        text.lines().any(|line| line == expected)
    }

    #[test]
    fn every_family_keeps_its_name_type_and_help() {
        let text = render(Metrics::default(), ClockReport::default());
        for (name, kind) in [
            ("bank_rpc_requests_total", "counter"),
            ("bank_rpc_latency_seconds", "histogram"),
            ("bank_open_feeds", "gauge"),
            ("bank_open_sessions", "gauge"),
            ("bank_batch_items_total", "counter"),
            ("bank_calls_refused_total", "counter"),
            ("bank_rate_updates_sent_total", "counter"),
            ("bank_rate_ticks_skipped_total", "counter"),
            ("bank_clock_steps_total", "counter"),
            ("bank_clock_offset_seconds", "gauge"),
        ] {
            assert!(
                has_line(&text, &format!("# TYPE {name} {kind}")),
                "{name}:\n{text}"
            );
            assert!(
                text.lines()
                    .any(|line| line.starts_with(&format!("# HELP {name} ")) && line.ends_with('.')),
                "{name}:\n{text}"
            );
        }
    }

    #[test]
    fn every_refusal_reason_is_rendered_even_at_zero() {
        let metrics = Metrics::default();
        metrics.record_refusal(Refusal::SessionCap);
        metrics.record_refusal(Refusal::SessionCap);
        metrics.record_refusal(Refusal::Draining);
        let text = render(metrics, ClockReport::default());
        assert!(
            has_line(&text, "# TYPE bank_calls_refused_total counter"),
            "{text}"
        );
        for reason in Refusal::ALL {
            let expected = match reason {
                Refusal::SessionCap => 2,
                Refusal::Draining => 1,
                _ => 0,
            };
            let line = format!(
                "bank_calls_refused_total{{reason=\"{}\"}} {expected}",
                reason.label()
            );
            assert!(has_line(&text, &line), "missing {line} in\n{text}");
        }
    }

    #[test]
    fn a_latency_on_a_bound_falls_in_that_bucket_and_the_histogram_is_cumulative() {
        let metrics = Metrics::default();
        let convert = MethodSlot::of("/bank.v1.BankService/Convert");
        metrics.record_rpc(convert, Code::Ok, 100);
        metrics.record_rpc(convert, Code::Ok, 101);
        metrics.record_rpc(convert, Code::InvalidArgument, 700_000_000);
        let text = render(metrics, ClockReport::default());
        let method = "method=\"/bank.v1.BankService/Convert\"";
        for expected in [
            format!("bank_rpc_requests_total{{{method},code=\"OK\"}} 2"),
            format!("bank_rpc_requests_total{{{method},code=\"INVALID_ARGUMENT\"}} 1"),
            format!("bank_rpc_latency_seconds_bucket{{{method},le=\"0.0001\"}} 1"),
            format!("bank_rpc_latency_seconds_bucket{{{method},le=\"0.00025\"}} 2"),
            format!("bank_rpc_latency_seconds_bucket{{{method},le=\"600\"}} 2"),
            format!("bank_rpc_latency_seconds_bucket{{{method},le=\"+Inf\"}} 3"),
            format!("bank_rpc_latency_seconds_sum{{{method}}} 700.000201"),
            format!("bank_rpc_latency_seconds_count{{{method}}} 3"),
        ] {
            assert!(has_line(&text, &expected), "missing {expected} in\n{text}");
        }
        assert!(
            !text.contains("ListCurrencies"),
            "idle methods add no lines:\n{text}"
        );
    }

    #[test]
    fn the_bucket_bounds_keep_the_labels_they_always_had() {
        let metrics = Metrics::default();
        metrics.record_rpc(MethodSlot::of("/bank.v1.BankService/Convert"), Code::Ok, 1);
        let text = render(metrics, ClockReport::default());
        let labels: Vec<&str> = text
            .lines()
            .filter(|line| line.starts_with("bank_rpc_latency_seconds_bucket{"))
            .filter_map(|line| line.split("le=\"").nth(1)?.split('"').next())
            .collect();
        assert_eq!(
            labels,
            [
                "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                "0.25", "0.5", "1", "2.5", "5", "10", "60", "600", "+Inf",
            ],
            "{text}"
        );
    }

    #[test]
    fn the_clock_offset_is_signed_seconds_to_the_millisecond_and_its_steps_a_counter() {
        let report = ClockReport {
            steps: 2,
            offset_ms: -29_990,
        };
        let text = render(Metrics::default(), report);
        for expected in [
            "# TYPE bank_clock_steps_total counter",
            "bank_clock_steps_total 2",
            "# TYPE bank_clock_offset_seconds gauge",
            "bank_clock_offset_seconds -29.99",
        ] {
            assert!(has_line(&text, expected), "missing {expected} in\n{text}");
        }
        assert_eq!(millis_as_seconds(-7).to_string(), "-0.007");
        assert_eq!(millis_as_seconds(3_564_001).to_string(), "3564.001");
    }
}
