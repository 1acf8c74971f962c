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
//! Refused calls and connections are counted by [`Refusal`] reason
//! ([`Metrics::record_refusal`]) and logged, at most one `warn` line per
//! reason per [`REFUSAL_LOG_INTERVAL`] ([`LogThrottle`]): a flood of
//! refusals is then a few lines a second, each saying how many refusals it
//! stands for, and the counters keep the exact figures.
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
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http::{Method, Request, Response, StatusCode, header};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tonic::Code;

use crate::shutdown::Drain;
use bank_domain::clock::{Clock, ClockReport};
use bank_proto::code_name;

/// The RPC paths counted under their own label. Anything else (a typo, a
/// scanner, a service added without updating this list) is counted as
/// [`OTHER_METHOD`]; a unit test checks that every `BankService` method is
/// here.
pub const METHODS: [&str; 10] = [
    "/bank.v1.BankService/ListCurrencies",
    "/bank.v1.BankService/Convert",
    "/bank.v1.BankService/StreamRates",
    "/bank.v1.BankService/ConvertBatch",
    "/bank.v1.BankService/ConvertSession",
    "/bank.v1.BankService/GetRateHistory",
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

/// At most one log line per refusal reason per this interval. A client
/// retrying in a tight loop, or a burst shed by a busy connection, can be
/// refused thousands of times a second: a line each would flood the log
/// and cost more than the refusal itself. A second is short enough that an
/// operator watching the log still sees every kind of refusal as it starts.
pub const REFUSAL_LOG_INTERVAL: Duration = Duration::from_secs(1);

/// Why the server refused a call or a connection: the `reason` label of
/// `bank_calls_refused_total`. Some are counted by the service (caps,
/// tokens, drain), the others by the transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A call over the per-connection limit on running handlers (load
    /// shedding): RESOURCE_EXHAUSTED.
    Shed,
    /// A feed over the server's cap on open feeds: RESOURCE_EXHAUSTED.
    FeedCap,
    /// A session over the server's cap on open sessions: RESOURCE_EXHAUSTED.
    SessionCap,
    /// A batch over the server's cap on running batches: RESOURCE_EXHAUSTED.
    BatchCap,
    /// A feed over its connection's cap on open feeds.
    FeedCapPerConnection,
    /// A session over its connection's cap on open sessions.
    SessionCapPerConnection,
    /// A BankService call without an accepted API token: UNAUTHENTICATED.
    Unauthenticated,
    /// A new call while the server drains: UNAVAILABLE.
    Draining,
    /// A stream ended because its reader stopped reading.
    Stalled,
    /// A request message over the size limit.
    MessageTooLarge,
    /// A connection whose TLS handshake failed.
    TlsHandshake,
    /// A connection that did not finish its handshake in time.
    HandshakeTimeout,
}

impl Refusal {
    /// Every reason, in the order of the metric's lines; each at the index
    /// of its discriminant (a unit test checks it).
    pub const ALL: [Self; 12] = [
        Self::Shed,
        Self::FeedCap,
        Self::SessionCap,
        Self::BatchCap,
        Self::FeedCapPerConnection,
        Self::SessionCapPerConnection,
        Self::Unauthenticated,
        Self::Draining,
        Self::Stalled,
        Self::MessageTooLarge,
        Self::TlsHandshake,
        Self::HandshakeTimeout,
    ];

    /// The `reason` label value.
    pub fn label(self) -> &'static str {
        match self {
            Self::Shed => "shed",
            Self::FeedCap => "feed_cap",
            Self::SessionCap => "session_cap",
            Self::BatchCap => "batch_cap",
            Self::FeedCapPerConnection => "feed_cap_per_connection",
            Self::SessionCapPerConnection => "session_cap_per_connection",
            Self::Unauthenticated => "unauthenticated",
            Self::Draining => "draining",
            Self::Stalled => "stalled",
            Self::MessageTooLarge => "message_too_large",
            Self::TlsHandshake => "tls_handshake",
            Self::HandshakeTimeout => "handshake_timeout",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Refusal reasons, one slot each.
const REFUSAL_SLOTS: usize = Refusal::ALL.len();

/// Lets through at most one event per interval, lock-free, and counts the
/// events it held back, so that the line it lets through can say how many
/// it stands for. Time is given by the caller, in milliseconds from any
/// fixed origin, which makes the gate deterministic under test.
#[derive(Debug)]
pub struct LogThrottle {
    interval_ms: u64,
    /// When the last event was let through; [`LogThrottle::NEVER`] before
    /// the first.
    last_ms: AtomicU64,
    /// Events held back since the last one let through.
    held_back: AtomicU64,
}

impl LogThrottle {
    /// `last_ms` before any event was let through.
    const NEVER: u64 = u64::MAX;

    pub fn new(interval: Duration) -> Self {
        Self {
            interval_ms: u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
            last_ms: AtomicU64::new(Self::NEVER),
            held_back: AtomicU64::new(0),
        }
    }

    /// One event at `now_ms`: `Some(held_back)` when it may be logged,
    /// with the number of events held back since the previous one logged;
    /// `None` when it must be held back.
    ///
    /// The first event of an interval claims it with one compare-and-swap:
    /// of events racing for it, exactly one wins and the others are held
    /// back. An event held back while the winner collects the count is
    /// reported by the next line instead: each event is either logged or
    /// counted in exactly one line.
    pub fn admit(&self, now_ms: u64) -> Option<u64> {
        let last = self.last_ms.load(Ordering::Acquire);
        let due = last == Self::NEVER || now_ms >= last.saturating_add(self.interval_ms);
        if due
            && self
                .last_ms
                .compare_exchange(last, now_ms, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            return Some(self.held_back.swap(0, Ordering::AcqRel));
        }
        self.held_back.fetch_add(1, Ordering::AcqRel);
        None
    }
}

impl Default for LogThrottle {
    fn default() -> Self {
        Self::new(REFUSAL_LOG_INTERVAL)
    }
}

/// The origin of the refusal log's time: the first refusal of the process.
static LOG_EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Milliseconds since [`LOG_EPOCH`], from the monotonic clock.
fn log_clock_ms() -> u64 {
    u64::try_from(LOG_EPOCH.elapsed().as_millis()).unwrap_or(u64::MAX)
}

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
    /// Refusals by [`Refusal`] slot.
    refused: [AtomicU64; REFUSAL_SLOTS],
    /// The log gate of each [`Refusal`] slot.
    refusal_log: [LogThrottle; REFUSAL_SLOTS],
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

    /// One refused call or connection: counted, and logged unless a line
    /// for the same reason was written less than [`REFUSAL_LOG_INTERVAL`]
    /// ago. Lock-free: a few atomic operations, and a log line at most once
    /// a second per reason.
    pub fn record_refusal(&self, reason: Refusal) {
        self.record_refusal_at(reason, log_clock_ms());
    }

    /// [`Metrics::record_refusal`] at `now_ms` of the log clock.
    fn record_refusal_at(&self, reason: Refusal, now_ms: u64) {
        if let Some(not_logged) = self.count_refusal(reason, now_ms) {
            tracing::warn!(
                reason = reason.label(),
                not_logged,
                total = self.refusals(reason),
                "refused (one line per reason per second at most; not_logged: refusals of this reason since the previous line)"
            );
        }
    }

    /// Counts one refusal at `now_ms` (milliseconds of the log clock);
    /// `Some(not_logged)` when it is to be logged, with the number of
    /// refusals of that reason not logged since the previous line.
    fn count_refusal(&self, reason: Refusal, now_ms: u64) -> Option<u64> {
        self.refused[reason.index()].fetch_add(1, Ordering::Relaxed);
        self.refusal_log[reason.index()].admit(now_ms)
    }

    /// Refusals of `reason` so far.
    pub fn refusals(&self, reason: Refusal) -> u64 {
        self.refused[reason.index()].load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition of every metric. Request counters and
    /// histograms are written only for the (method, code) pairs seen so far,
    /// so an idle method adds no lines.
    pub fn render(&self, open: &dyn OpenGauges, clock: ClockReport) -> String {
        let mut out = String::with_capacity(4 * 1024);
        // Writing to a String cannot fail.
        let _ = self.write(&mut out, open, clock);
        out
    }

    fn write(&self, out: &mut String, open: &dyn OpenGauges, clock: ClockReport) -> std::fmt::Result {
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
            "bank_calls_refused_total",
            "counter",
            "Calls and connections the server refused, by reason.",
        )?;
        for reason in Refusal::ALL {
            writeln!(
                out,
                "bank_calls_refused_total{{reason=\"{}\"}} {}",
                reason.label(),
                self.refusals(reason)
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

/// What is open right now, read at each scrape. The service's open-stream
/// counters implement it: the service reports to metrics, metrics does not
/// reach into the service.
pub trait OpenGauges: Send + Sync + std::fmt::Debug {
    /// Rate feeds open right now.
    fn feeds(&self) -> usize;
    /// Sessions open right now.
    fn sessions(&self) -> usize;
}

/// What the endpoint reads.
#[derive(Clone)]
pub struct Exporter {
    pub metrics: Arc<Metrics>,
    pub open: Arc<dyn OpenGauges>,
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
                self.metrics.render(self.open.as_ref(), self.clock.report()),
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
    use prost::Message;

    #[test]
    fn every_bank_service_method_has_its_own_slot() {
        let set = prost_types::FileDescriptorSet::decode(bank_proto::FILE_DESCRIPTOR_SET)
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

    /// [`REFUSAL_LOG_INTERVAL`] in milliseconds, for the injected clock.
    const INTERVAL_MS: u64 = 1_000;

    #[test]
    fn the_refusal_log_interval_is_the_one_the_tests_step_by() {
        assert_eq!(REFUSAL_LOG_INTERVAL, Duration::from_millis(INTERVAL_MS));
    }

    #[test]
    fn every_refusal_reason_sits_at_its_own_index_with_a_distinct_snake_case_label() {
        let mut labels = Vec::new();
        for (index, reason) in Refusal::ALL.iter().enumerate() {
            assert_eq!(reason.index(), index, "{reason:?}");
            let label = reason.label();
            assert!(
                label
                    .bytes()
                    .all(|byte| byte.is_ascii_lowercase() || byte == b'_'),
                "{label}"
            );
            labels.push(label);
        }
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), Refusal::ALL.len());
    }

    #[test]
    fn the_first_event_is_logged_and_the_rest_of_its_interval_held_back() {
        let throttle = LogThrottle::new(REFUSAL_LOG_INTERVAL);
        assert_eq!(throttle.admit(5_000), Some(0));
        assert_eq!(throttle.admit(5_000), None);
        assert_eq!(throttle.admit(5_000 + INTERVAL_MS - 1), None);
        // The next line, a full interval later, says two were held back.
        assert_eq!(throttle.admit(5_000 + INTERVAL_MS), Some(2));
        assert_eq!(throttle.admit(5_000 + INTERVAL_MS + 1), None);
        // A quiet spell: the next event is logged at once, with the one
        // held back before it.
        assert_eq!(throttle.admit(60_000), Some(1));
    }

    #[test]
    fn an_event_at_time_zero_is_logged_too() {
        let throttle = LogThrottle::new(REFUSAL_LOG_INTERVAL);
        assert_eq!(throttle.admit(0), Some(0));
        assert_eq!(throttle.admit(INTERVAL_MS - 1), None);
        assert_eq!(throttle.admit(INTERVAL_MS), Some(1));
    }

    #[test]
    fn a_clock_read_late_by_a_racing_thread_is_held_back_not_logged_twice() {
        let throttle = LogThrottle::new(REFUSAL_LOG_INTERVAL);
        assert_eq!(throttle.admit(10_000), Some(0));
        // A thread that read the clock before the winner did.
        assert_eq!(throttle.admit(9_999), None);
        assert_eq!(throttle.admit(11_000), Some(1));
    }

    #[test]
    fn of_threads_racing_in_one_interval_exactly_one_logs_and_every_other_event_is_reported_once() {
        const THREADS: u64 = 8;
        const EVENTS_PER_THREAD: u64 = 1_000;
        let throttle = LogThrottle::new(REFUSAL_LOG_INTERVAL);
        // Per thread: lines let through, and the held-back events they
        // reported (a winner may report events held back before it).
        let (lines, reported) = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..THREADS)
                .map(|_| {
                    scope.spawn(|| {
                        (0..EVENTS_PER_THREAD)
                            .filter_map(|_| throttle.admit(0))
                            .fold((0_u64, 0_u64), |(lines, reported), held_back| {
                                (lines + 1, reported + held_back)
                            })
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().expect("worker thread"))
                .fold((0, 0), |(lines, reported), (more_lines, more_reported)| {
                    (lines + more_lines, reported + more_reported)
                })
        });
        assert_eq!(lines, 1);
        let next_line = throttle.admit(INTERVAL_MS).expect("a new interval");
        assert_eq!(reported + next_line, THREADS * EVENTS_PER_THREAD - 1);
    }

    #[test]
    fn refusals_are_counted_every_time_and_logged_once_per_reason_per_interval() {
        let metrics = Metrics::default();
        assert_eq!(metrics.count_refusal(Refusal::FeedCap, 0), Some(0));
        for _ in 0..14_879 {
            assert_eq!(metrics.count_refusal(Refusal::FeedCap, 500), None);
        }
        // Each reason has its own gate.
        assert_eq!(metrics.count_refusal(Refusal::Unauthenticated, 500), Some(0));
        assert_eq!(metrics.count_refusal(Refusal::FeedCap, INTERVAL_MS), Some(14_879));
        assert_eq!(metrics.refusals(Refusal::FeedCap), 14_881);
        assert_eq!(metrics.refusals(Refusal::Unauthenticated), 1);
        assert_eq!(metrics.refusals(Refusal::Shed), 0);
    }

    /// A log writer the test can read back.
    #[derive(Clone, Default)]
    struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log buffer").extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_flood_of_refusals_writes_one_warning_per_reason_per_interval_with_the_count_not_logged() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let metrics = Metrics::default();
        tracing::subscriber::with_default(subscriber, || {
            for now_ms in 0..100 {
                metrics.record_refusal_at(Refusal::Shed, now_ms);
            }
            metrics.record_refusal_at(Refusal::Draining, 50);
            metrics.record_refusal_at(Refusal::Shed, INTERVAL_MS);
        });
        let log = String::from_utf8(captured.0.lock().expect("log buffer").clone()).expect("UTF-8 log");
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 3, "{log}");
        assert!(lines.iter().all(|line| line.contains("WARN")), "{log}");
        for (line, expected) in lines.iter().zip([
            "reason=\"shed\" not_logged=0 total=1",
            "reason=\"draining\" not_logged=0 total=1",
            "reason=\"shed\" not_logged=99 total=101",
        ]) {
            assert!(line.contains(expected), "{expected} in {line}");
        }
    }

    #[test]
    fn every_refusal_reason_is_rendered_even_at_zero() {
        let metrics = Metrics::default();
        metrics.record_refusal(Refusal::SessionCap);
        metrics.record_refusal(Refusal::SessionCap);
        metrics.record_refusal(Refusal::Draining);
        let text = metrics.render(&NothingOpen, bank_domain::clock::ClockReport::default());
        assert!(
            text.contains("# TYPE bank_calls_refused_total counter\n"),
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
            assert!(
                text.lines().any(|found| found == line),
                "missing {line} in\n{text}"
            );
        }
    }

    #[test]
    fn a_latency_on_a_bound_falls_in_that_bucket_and_the_histogram_is_cumulative() {
        let metrics = Metrics::default();
        let convert = MethodSlot::of("/bank.v1.BankService/Convert");
        metrics.record_rpc(convert, Code::Ok, 100);
        metrics.record_rpc(convert, Code::Ok, 101);
        metrics.record_rpc(convert, Code::InvalidArgument, 700_000_000);
        let text = metrics.render(&NothingOpen, ClockReport::default());
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
        let text = Metrics::default().render(&NothingOpen, report);
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
