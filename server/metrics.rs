//! Metrics: counters kept on the hot path, and a Prometheus endpoint that
//! reads them.
//!
//! [`Metrics`] is a fixed set of atomics: one request counter per (method,
//! status code) and one latency histogram per method, where methods are the
//! RPCs this server implements (known at build time, see [`METHODS`]) plus
//! an "other" slot for any other path, so the label set stays bounded
//! whatever clients send. Recording a call is a handful of relaxed atomic
//! additions: no lock, no allocation, no map lookup by string. The RPC log
//! layer (`telemetry`) records every call where its code and latency are
//! known; the feed and batch handlers count their items.
//!
//! The tick clock's steps and offset come from its [`ClockReport`], read at
//! each scrape.
//!
//! [`serve`] answers `GET /metrics` over HTTP/1.1 in the Prometheus text
//! format, version 0.0.4, on its own listener (`bank-server --metrics-addr`);
//! any other path is 404. It stops accepting when the server drains, and
//! closes its open connections once their current scrape is answered.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::{Method, Request, Response, StatusCode, header};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tonic::Code;

use crate::domain::clock::{Clock, ClockReport};
use crate::service::OpenStreams;
use crate::service::status::code_name;
use crate::shutdown::Drain;

/// The RPC paths counted under their own label. Anything else (a typo, a
/// scanner, a service added without updating this list) is counted as
/// [`OTHER_METHOD`]; a unit test checks that every `BankService` method is
/// here.
pub const METHODS: [&str; 9] = [
    "/bank.v1.BankService/ListCurrencies",
    "/bank.v1.BankService/Convert",
    "/bank.v1.BankService/StreamRates",
    "/bank.v1.BankService/ConvertBatch",
    "/bank.v1.BankService/ConvertSession",
    "/grpc.health.v1.Health/Check",
    "/grpc.health.v1.Health/Watch",
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
];

/// The `method` label of every path not in [`METHODS`].
pub const OTHER_METHOD: &str = "other";

/// Method slots: the known methods, then "other".
const METHOD_SLOTS: usize = METHODS.len() + 1;

/// gRPC status codes are 0 (OK) to 16 (UNAUTHENTICATED).
const CODE_SLOTS: usize = 17;

/// Upper bounds of the latency buckets, in microseconds, with their label.
/// From 100 µs (a loopback unary call) to 10 min (a long-lived feed or
/// session ends in the last buckets, or in `+Inf`). Labels are written out
/// rather than formatted from floats so they are stable and exact.
const LATENCY_BUCKETS: [(u64, &str); 18] = [
    (100, "0.0001"),
    (250, "0.00025"),
    (500, "0.0005"),
    (1_000, "0.001"),
    (2_500, "0.0025"),
    (5_000, "0.005"),
    (10_000, "0.01"),
    (25_000, "0.025"),
    (50_000, "0.05"),
    (100_000, "0.1"),
    (250_000, "0.25"),
    (500_000, "0.5"),
    (1_000_000, "1"),
    (2_500_000, "2.5"),
    (5_000_000, "5"),
    (10_000_000, "10"),
    (60_000_000, "60"),
    (600_000_000, "600"),
];

/// How long a metrics client may take to send its request headers before
/// the connection is closed: a scrape sends them at once, and a client
/// that trickles them must not hold a connection forever.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Pause after a failed `accept` (typically too many open files) before
/// trying again, so the loop does not spin while the condition lasts.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_millis(100);

/// The media type of the Prometheus text exposition format.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Which [`METHODS`] slot a call is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodSlot(usize);

impl MethodSlot {
    /// The slot of a request path: a comparison against a handful of
    /// static strings, no allocation.
    pub fn of(path: &str) -> Self {
        Self(
            METHODS
                .iter()
                .position(|known| *known == path)
                .unwrap_or(METHODS.len()),
        )
    }

    fn label(self) -> &'static str {
        METHODS.get(self.0).copied().unwrap_or(OTHER_METHOD)
    }
}

/// Latency distribution of one method.
#[derive(Debug, Default)]
struct Histogram {
    /// Calls per bucket (not cumulative); the last slot is above every
    /// bound (`+Inf`).
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    sum_us: AtomicU64,
}

impl Histogram {
    fn observe(&self, latency_us: u64) {
        // The first bucket whose bound is at least the latency (`le`).
        let bucket = LATENCY_BUCKETS.partition_point(|&(bound, _)| bound < latency_us);
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.sum_us.fetch_add(latency_us, Ordering::Relaxed);
    }
}

/// Every counter of the server. Shared by reference count between the log
/// layer, the handlers and the endpoint.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: [[AtomicU64; CODE_SLOTS]; METHOD_SLOTS],
    latency: [Histogram; METHOD_SLOTS],
    batch_accepted: AtomicU64,
    batch_rejected: AtomicU64,
    rate_updates_sent: AtomicU64,
    rate_ticks_skipped: AtomicU64,
}

impl Metrics {
    /// One finished call: its status code and how long it took.
    pub fn record_rpc(&self, method: MethodSlot, code: Code, latency_us: u64) {
        // `Code` is a C-like enum of the wire values 0..=16.
        let code = usize::try_from(code as i32).unwrap_or(0).min(CODE_SLOTS - 1);
        self.requests[method.0][code].fetch_add(1, Ordering::Relaxed);
        self.latency[method.0].observe(latency_us);
    }

    /// One batch item, accepted or rejected.
    pub fn record_batch_item(&self, accepted: bool) {
        let counter = if accepted {
            &self.batch_accepted
        } else {
            &self.batch_rejected
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// One rate update handed to a subscriber.
    pub fn record_rate_update(&self) {
        self.rate_updates_sent.fetch_add(1, Ordering::Relaxed);
    }

    /// Ticks a slow subscriber never saw.
    pub fn record_skipped_ticks(&self, skipped: u64) {
        self.rate_ticks_skipped.fetch_add(skipped, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of every metric. Request counters and
    /// histograms are written only for the (method, code) pairs seen so far,
    /// so an idle method adds no lines.
    pub fn render(&self, open: &OpenStreams, clock: ClockReport) -> String {
        let mut out = String::with_capacity(4 * 1024);
        // Writing to a String cannot fail.
        let _ = self.write(&mut out, open, clock);
        out
    }

    fn write(&self, out: &mut String, open: &OpenStreams, clock: ClockReport) -> std::fmt::Result {
        header(
            out,
            "bank_rpc_requests_total",
            "counter",
            "Finished RPCs by method and gRPC status code.",
        )?;
        for (method, codes) in self.requests.iter().enumerate() {
            let method = MethodSlot(method).label();
            for (code, count) in codes.iter().enumerate() {
                let count = count.load(Ordering::Relaxed);
                if count > 0 {
                    let code = code_name(Code::from_i32(i32::try_from(code).unwrap_or(2)));
                    writeln!(
                        out,
                        "bank_rpc_requests_total{{method=\"{method}\",code=\"{code}\"}} {count}"
                    )?;
                }
            }
        }

        header(
            out,
            "bank_rpc_latency_seconds",
            "histogram",
            "RPC latency by method, from the request to its status (for streams, the stream's lifetime).",
        )?;
        for (method, histogram) in self.latency.iter().enumerate() {
            let counts: Vec<u64> = histogram
                .buckets
                .iter()
                .map(|bucket| bucket.load(Ordering::Relaxed))
                .collect();
            let total: u64 = counts.iter().sum();
            if total == 0 {
                continue;
            }
            let method = MethodSlot(method).label();
            let mut cumulative = 0;
            for ((_, le), count) in LATENCY_BUCKETS.iter().zip(&counts) {
                cumulative += count;
                writeln!(
                    out,
                    "bank_rpc_latency_seconds_bucket{{method=\"{method}\",le=\"{le}\"}} {cumulative}"
                )?;
            }
            writeln!(
                out,
                "bank_rpc_latency_seconds_bucket{{method=\"{method}\",le=\"+Inf\"}} {total}"
            )?;
            let sum_us = histogram.sum_us.load(Ordering::Relaxed);
            writeln!(
                out,
                "bank_rpc_latency_seconds_sum{{method=\"{method}\"}} {}.{:06}",
                sum_us / 1_000_000,
                sum_us % 1_000_000
            )?;
            writeln!(
                out,
                "bank_rpc_latency_seconds_count{{method=\"{method}\"}} {total}"
            )?;
        }

        header(
            out,
            "bank_open_feeds",
            "gauge",
            "Rate feeds (StreamRates) open right now.",
        )?;
        writeln!(out, "bank_open_feeds {}", open.feeds())?;
        header(
            out,
            "bank_open_sessions",
            "gauge",
            "Conversion sessions (ConvertSession) open right now.",
        )?;
        writeln!(out, "bank_open_sessions {}", open.sessions())?;
        // One task per connection plus a few of the server's own: flat under
        // steady load, growing when work outlives the calls it served (the
        // soak script watches it).
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            header(
                out,
                "bank_runtime_alive_tasks",
                "gauge",
                "Tokio tasks alive in the server's runtime.",
            )?;
            writeln!(
                out,
                "bank_runtime_alive_tasks {}",
                runtime.metrics().num_alive_tasks()
            )?;
        }

        header(
            out,
            "bank_batch_items_total",
            "counter",
            "ConvertBatch items by outcome.",
        )?;
        for (outcome, counter) in [
            ("accepted", &self.batch_accepted),
            ("rejected", &self.batch_rejected),
        ] {
            writeln!(
                out,
                "bank_batch_items_total{{outcome=\"{outcome}\"}} {}",
                counter.load(Ordering::Relaxed)
            )?;
        }

        header(
            out,
            "bank_rate_updates_sent_total",
            "counter",
            "Rate updates sent to feed subscribers.",
        )?;
        writeln!(
            out,
            "bank_rate_updates_sent_total {}",
            self.rate_updates_sent.load(Ordering::Relaxed)
        )?;
        header(
            out,
            "bank_rate_ticks_skipped_total",
            "counter",
            "Ticks feed subscribers never received because they read too slowly.",
        )?;
        writeln!(
            out,
            "bank_rate_ticks_skipped_total {}",
            self.rate_ticks_skipped.load(Ordering::Relaxed)
        )?;

        header(
            out,
            "bank_clock_steps_total",
            "counter",
            "Wall-clock steps detected (the wall clock jumped against the monotonic clock); each is slewed away, never followed at once.",
        )?;
        writeln!(out, "bank_clock_steps_total {}", clock.steps)?;
        header(
            out,
            "bank_clock_offset_seconds",
            "gauge",
            "Wall clock minus the trusted tick clock: the correction the slew has still to make (positive when the wall clock is ahead).",
        )?;
        writeln!(out, "bank_clock_offset_seconds {}", seconds(clock.offset_ms))
    }
}

/// Milliseconds as exact decimal seconds (`-29.990`), without floats.
fn seconds(millis: i64) -> String {
    let sign = if millis < 0 { "-" } else { "" };
    let magnitude = millis.unsigned_abs();
    format!("{sign}{}.{:03}", magnitude / 1_000, magnitude % 1_000)
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) -> std::fmt::Result {
    writeln!(out, "# HELP {name} {help}")?;
    writeln!(out, "# TYPE {name} {kind}")
}

/// What the endpoint reads.
#[derive(Clone)]
pub struct Exporter {
    pub metrics: Arc<Metrics>,
    pub open: Arc<OpenStreams>,
    /// The rate board's clock, for its steps and offset.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Exporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exporter")
            .field("metrics", &self.metrics)
            .field("open", &self.open)
            .field("clock", &self.clock.report())
            .finish()
    }
}

impl Exporter {
    fn respond<B>(&self, request: &Request<B>) -> Response<String> {
        let (status, body) = match (request.method(), request.uri().path()) {
            (&Method::GET, "/metrics") => (
                StatusCode::OK,
                self.metrics.render(&self.open, self.clock.report()),
            ),
            (_, "/metrics") => (StatusCode::METHOD_NOT_ALLOWED, "only GET\n".to_owned()),
            _ => (
                StatusCode::NOT_FOUND,
                "not found; metrics are at /metrics\n".to_owned(),
            ),
        };
        let mut response = Response::new(body);
        *response.status_mut() = status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static(CONTENT_TYPE),
        );
        response
    }
}

/// Serves `GET /metrics` on `listener` until the drain starts.
pub async fn serve(listener: TcpListener, exporter: Exporter, drain: Drain) {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "metrics listening");
    }
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = drain.started() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "metrics: accept failed");
                    tokio::time::sleep(ACCEPT_RETRY_DELAY).await;
                    continue;
                }
            },
        };
        tokio::spawn(serve_connection(stream, peer, exporter.clone(), drain.clone()));
    }
}

async fn serve_connection(stream: tokio::net::TcpStream, peer: SocketAddr, exporter: Exporter, drain: Drain) {
    let service = service_fn(move |request| {
        let response = exporter.respond(&request);
        async move { Ok::<_, Infallible>(response) }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = drain.started() => {
            // Finish the scrape in progress, then close.
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(%peer, %error, "metrics connection ended with an error");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn every_bank_service_method_has_its_own_slot() {
        let set = prost_types::FileDescriptorSet::decode(crate::proto::FILE_DESCRIPTOR_SET)
            .expect("the embedded descriptor set decodes");
        let mut paths = Vec::new();
        for file in &set.file {
            for service in &file.service {
                for method in &service.method {
                    paths.push(format!(
                        "/{}.{}/{}",
                        file.package(),
                        service.name(),
                        method.name()
                    ));
                }
            }
        }
        assert!(!paths.is_empty());
        for path in paths {
            assert_ne!(MethodSlot::of(&path).label(), OTHER_METHOD, "{path} has no slot");
        }
        assert_eq!(MethodSlot::of("/no.Such/Method").label(), OTHER_METHOD);
    }

    #[test]
    fn a_latency_on_a_bound_falls_in_that_bucket_and_the_histogram_is_cumulative() {
        let metrics = Metrics::default();
        let convert = MethodSlot::of("/bank.v1.BankService/Convert");
        metrics.record_rpc(convert, Code::Ok, 100);
        metrics.record_rpc(convert, Code::Ok, 101);
        metrics.record_rpc(convert, Code::InvalidArgument, 700_000_000);
        let text = metrics.render(&OpenStreams::default(), ClockReport::default());
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
            assert!(
                text.lines().any(|line| line == expected),
                "missing {expected} in\n{text}"
            );
        }
        assert!(
            !text.contains("ListCurrencies"),
            "idle methods add no lines:\n{text}"
        );
    }

    #[test]
    fn the_clock_offset_is_exact_signed_seconds_and_its_steps_a_counter() {
        let report = ClockReport {
            steps: 2,
            offset_ms: -29_990,
        };
        let text = Metrics::default().render(&OpenStreams::default(), report);
        for expected in [
            "# TYPE bank_clock_steps_total counter",
            "bank_clock_steps_total 2",
            "# TYPE bank_clock_offset_seconds gauge",
            "bank_clock_offset_seconds -29.990",
        ] {
            assert!(
                text.lines().any(|line| line == expected),
                "missing {expected} in\n{text}"
            );
        }
        assert_eq!(seconds(0), "0.000");
        assert_eq!(seconds(3_564_000), "3564.000");
        assert_eq!(seconds(-7), "-0.007");
        assert_eq!(seconds(i64::MIN), "-9223372036854775.808");
    }
}
