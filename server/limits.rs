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
