//! Transport limits of the server, each with the reason for its value.
//!
//! Domain limits live with the rule they protect (`money::MAX_INTEGER_DIGITS`,
//! `rates::MAX_PAIRS_PER_FEED`, `conversion::MAX_REQUEST_ID_BYTES`,
//! `batch::MAX_REPORTED_ERRORS`); these are the ones about connections and
//! messages.

use std::time::Duration;

/// Largest request message accepted. The biggest legitimate request is a
/// `StreamRatesRequest` with `MAX_PAIRS_PER_FEED` pairs (about 2.5 KiB);
/// 64 KiB leaves room for any client and refuses memory-exhaustion attempts
/// long before tonic's 4 MiB default would.
pub const MAX_REQUEST_MESSAGE_BYTES: usize = 64 * 1024;

/// Largest response message sent. The biggest is a `BatchSummary` with 100
/// errors and a quote for every pair used (about 150 KiB at most); 4 MiB is
/// the gRPC default receive limit of most clients, so nothing larger could
/// be read anyway.
pub const MAX_RESPONSE_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

/// HTTP/2 streams (concurrent calls) one connection may hold open. Enough
/// for a load generator multiplexing hundreds of feeds on one connection;
/// bounded so one client cannot open millions of streams.
pub const MAX_CONCURRENT_STREAMS_PER_CONNECTION: u32 = 1_024;

/// Largest header block accepted: metadata is a few short headers; this
/// refuses header floods (HTTP/2's default is unbounded in hyper's eyes).
pub const MAX_HEADER_LIST_BYTES: u32 = 16 * 1024;

/// How often an idle connection is pinged. Reaps half-open connections
/// (a client that vanished without closing) that would otherwise hold a
/// feed open forever.
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);

/// How long a keepalive ping may go unanswered before the connection is
/// closed.
pub const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a shutdown waits for in-flight calls before closing the
/// remaining connections. Kubernetes' default termination period is 30 s,
/// so 5 s fits well inside it.
pub const DEFAULT_GRACE_PERIOD: Duration = Duration::from_secs(5);

/// Rate feeds (`StreamRates`) open at once on one server, by default. The
/// performance target is 10,000 subscribers on one server, measured at
/// about 55 MiB of resident memory; twice that leaves headroom for
/// reconnect storms (a restart briefly doubles the count while old streams
/// drain) and still keeps a flood of subscribers to about 110 MiB instead
/// of letting it grow until the process is killed.
pub const DEFAULT_MAX_FEEDS: usize = 20_000;

/// Sessions (`ConvertSession`) open at once on one server, by default. A
/// session is a person at a till or a trading screen; a thousand at once
/// is far beyond one server's expected share, and each one may read a
/// request of up to [`MAX_REQUEST_MESSAGE_BYTES`], so the cap also bounds
/// the memory a crowd of sessions can pin (1,000 × 64 KiB = 64 MiB).
pub const DEFAULT_MAX_SESSIONS: usize = 1_000;

/// Calls whose handler is still running, per HTTP/2 connection; one more
/// is refused at once with RESOURCE_EXHAUSTED (load shedding) instead of
/// queueing behind the others. Unary handlers finish in microseconds, so
/// only a burst reaches this; 256 is the in-flight count of `bank bench`'s
/// default closed loop, which thus never sheds even on a single connection.
/// A batch holds its slot for its whole life (its handler runs until the
/// summary); feeds and sessions hold one only while their stream starts,
/// which is why they have caps of their own.
pub const DEFAULT_CONCURRENCY_PER_CONNECTION: usize = 256;

/// How long a batch or a session may go without a message from its client
/// before the server ends it and frees its place. Long enough for a person
/// typing into `bank session` to stop and think; short enough that a
/// forgotten or stuck client gives its slot back within minutes. (A client
/// that vanished without closing is reaped sooner, by keepalive.)
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(300);
