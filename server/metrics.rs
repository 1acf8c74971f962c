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
//! Nothing here formats text: at each scrape the official Prometheus client
//! library (`prometheus-client`) asks its collectors for their values and
//! writes the exposition. The submodules, in the order a scrape meets them:
//!
//! - `endpoint`: `GET /metrics` over HTTP/1.1 on its own listener
//!   (`bank-server --metrics-addr`), which stops with the server's drain;
//! - `exposition`: the registry, and the collector of the bank's own
//!   metrics, read from [`Metrics`], the open streams ([`OpenGauges`]), the
//!   runtime and the tick clock's report;
//! - `process`: the collector of the standard `process_*` metrics (CPU,
//!   memory, file descriptors, threads, start time), and `bank_build_info`.

mod endpoint;
mod exposition;
mod process;

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tonic::Code;

pub use endpoint::{Exporter, serve};

/// The RPC paths counted under their own label. Anything else (a typo, a
/// scanner, a service added without updating this list) is counted as
/// [`OTHER_METHOD`]; a unit test checks that every `BankService` method is
/// here.
pub const METHODS: [&str; 11] = [
    "/bank.v1.BankService/ListCurrencies",
    "/bank.v1.BankService/Convert",
    "/bank.v1.BankService/StreamRates",
    "/bank.v1.BankService/ConvertBatch",
    "/bank.v1.BankService/ConvertSession",
    "/bank.v1.BankService/GetRateHistory",
    "/bank.v1.ClassroomService/WatchCalls",
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

/// Upper bounds of the latency buckets, in microseconds: the unit the log
/// layer measures in, so that a call is counted by integer comparisons.
/// From 100 µs (a loopback unary call) to 10 min (a long-lived feed or
/// session ends in the last buckets, or in `+Inf`). The exposition turns
/// them into seconds at scrape time (`le="0.0001"` to `le="600"`).
const LATENCY_BUCKETS_US: [u64; 18] = [
    100,
    250,
    500,
    1_000,
    2_500,
    5_000,
    10_000,
    25_000,
    50_000,
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    60_000_000,
    600_000_000,
];

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
    buckets: [AtomicU64; LATENCY_BUCKETS_US.len() + 1],
    sum_us: AtomicU64,
}

impl Histogram {
    fn observe(&self, latency_us: u64) {
        // The first bucket whose bound is at least the latency (`le`).
        let bucket = LATENCY_BUCKETS_US.partition_point(|&bound| bound < latency_us);
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
    /// Connections accepted so far: the last one's number.
    connections: AtomicU64,
}

impl Metrics {
    /// Numbers a new connection, from 1 (the classroom view's "client 7":
    /// one counter for the whole server, whichever runtime accepted it).
    pub(crate) fn number_connection(&self) -> u64 {
        self.connections.fetch_add(1, Ordering::Relaxed) + 1
    }

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

    /// Ticks slow subscribers never saw, so far.
    pub fn skipped_ticks(&self) -> u64 {
        self.rate_ticks_skipped.load(Ordering::Relaxed)
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

    /// Calls to `path` (`/bank.v1.BankService/StreamRates`) that ended with
    /// `code` so far: the server's own count, which the tour shows beside
    /// what the client saw.
    pub fn calls(&self, path: &str, code: Code) -> u64 {
        let code = usize::try_from(code as i32).unwrap_or(0).min(CODE_SLOTS - 1);
        self.requests[MethodSlot::of(path).0][code].load(Ordering::Relaxed)
    }

    /// Refusals of `reason` so far.
    pub fn refusals(&self, reason: Refusal) -> u64 {
        self.refused[reason.index()].load(Ordering::Relaxed)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;
    use std::sync::Arc;

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
}
