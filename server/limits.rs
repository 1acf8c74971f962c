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

/// Largest request message accepted by `grpc.health.v1.Health`: a
/// `HealthCheckRequest` holds one service name, tens of bytes. Health is
/// open without a token, so its limit must be as tight as the service's.
pub const MAX_HEALTH_REQUEST_BYTES: usize = 1024;

/// Largest request message accepted by server reflection (v1 and
/// v1alpha): one file name or symbol, far below a kilobyte even for deeply
/// nested packages. Reflection is open without a token, like health.
pub const MAX_REFLECTION_REQUEST_BYTES: usize = 4 * 1024;

/// Largest request message on a path the server does not serve; it is
/// answered UNIMPLEMENTED, so nothing needs to be read at all.
pub const MAX_UNKNOWN_REQUEST_BYTES: usize = 1024;

/// Longest `grpc-message` the server sends. A status message is a sentence;
/// a library that echoes input in its message (reflection does, with a
/// requested file name) is cut here, so no error echoes unbounded input.
pub const MAX_STATUS_MESSAGE_BYTES: usize = 1024;

/// How long a new connection has to complete the TLS handshake, when TLS
/// is on, and to send the HTTP/2 preface and its first SETTINGS. A real
/// client does both in a few round trips; a connection that sends nothing
/// would otherwise hold a socket and a task forever (keepalive only starts
/// once HTTP/2 is spoken), and a thousand of them exhaust the file table.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Response bytes one stream may have queued in h2 before the response
/// body is asked for more: 1 means one chunk at a time (a chunk is one
/// message, or the replies of a session that were ready together). h2's
/// default is 400 KiB per stream whatever the peer's window, so a feed
/// whose reader stopped pinned about 670 KiB, and a reader that froze for a
/// second got dozens of stale ticks on waking up. With one chunk queued, a
/// stalled feed holds one update, and a reader that resumes gets at most
/// one stale update before the newest tick. A fast reader loses nothing:
/// h2 hands the chunk to the socket as soon as the window allows, and the
/// next one is asked for at once.
pub const MAX_SEND_BUFFER_BYTES: usize = 1;

/// Request bytes the client may send on one stream before the server has
/// read them (the HTTP/2 stream window). A session client that pipelines
/// without reading is stopped by flow control after this much; it is also
/// what one stream's unread requests may cost (the server keeps them in one
/// compact buffer). 256 KiB keeps a batch upload at full speed on loopback
/// and over a LAN.
pub const STREAM_WINDOW_BYTES: u32 = 256 * 1024;

/// Request bytes all the streams of one connection may have sent and the
/// server not yet read (the HTTP/2 connection window): four streams'
/// worth, so one stalled stream never blocks the others' requests.
pub const CONNECTION_WINDOW_BYTES: u32 = 1024 * 1024;

/// How long a stream may have a response to send while its client makes
/// no room for it (HTTP/2 flow control closed) before the server ends it
/// with RESOURCE_EXHAUSTED and frees its place. Far longer than a garbage
/// collection pause or a network hiccup a healthy client recovers from;
/// short enough that a client squatting on feeds or sessions it never
/// reads gives them back within a minute. Exchange feeds cut slow
/// consumers off the same way.
pub const DEFAULT_STALL_LIMIT: Duration = Duration::from_secs(30);

/// How long a call that sends exactly one request message (the unary RPCs,
/// `StreamRates`, health checks) has to send it, once its headers arrived.
/// A real client sends the message with the headers; a client that opens
/// the call and trickles or withholds the body would otherwise hold a
/// handler slot forever. Longer calls are bounded by the idle timeout.
pub const REQUEST_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections the page's listener (`--web-addr`) serves at once. A
/// browser opens up to six HTTP/1.1 connections per origin and holds one
/// for each open feed, so a class of a hundred with a few tabs each stays
/// far below; past it, the listener stops accepting until a connection
/// closes (newcomers wait in the kernel's backlog) rather than running out
/// of file descriptors that the gRPC port needs too.
pub const MAX_WEB_CONNECTIONS: usize = 1_024;

/// How long a connection may live. Once it is this old the server sends a
/// GOAWAY: the client opens a new connection for its next calls (which
/// rebalances clients across replicas, and checks their API token again)
/// while the calls under way go on for the grace period below.
pub const DEFAULT_MAX_CONNECTION_AGE: Duration = Duration::from_secs(60 * 60);

/// How long calls may go on after their connection reached its maximum age
/// before they are ended with UNAVAILABLE. Together with the age it bounds
/// how long a stream opened with a revoked token can keep running: at most
/// age + grace (1 h 5 min by default).
pub const DEFAULT_MAX_CONNECTION_AGE_GRACE: Duration = Duration::from_secs(5 * 60);

/// Rate feeds one connection may hold open. `bank bench feed` runs 100 per
/// connection; 512 lets a multiplexing client go far beyond that, while
/// one connection alone can take only 1/40 of the server's feeds.
pub const DEFAULT_MAX_FEEDS_PER_CONNECTION: usize = 512;

/// Sessions one connection may hold open. A session is a person or a
/// trading program; one connection holding more than 64 is a program
/// multiplexing its users, which still leaves the server's other 936
/// places to everybody else.
pub const DEFAULT_MAX_SESSIONS_PER_CONNECTION: usize = 64;

/// Batches (`ConvertBatch`) running at once on one server. Each holds at
/// most one stream window of unread items and the running totals (about
/// 80 KiB measured with a client that stops mid-upload), so 1,000 bound
/// that to about 80 MiB; per connection, batches are also bounded by the
/// handler limit, `DEFAULT_CONCURRENCY_PER_CONNECTION`.
pub const DEFAULT_MAX_BATCHES: usize = 1_000;

/// Shortest pause of the accept loop after an error such as EMFILE (no
/// file descriptor left): accepting again at once would fail again at once
/// and spin a core. The pause doubles up to [`ACCEPT_BACKOFF_MAX`] while
/// errors go on.
pub const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(5);

/// Longest pause of the accept loop after repeated errors: a freed
/// descriptor is used within a second.
pub const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// How long a closing connection may take to write its last GOAWAY before
/// it is dropped: a peer that stopped reading must not hold a shutdown.
pub const CLOSE_FLUSH_TIMEOUT: Duration = Duration::from_millis(250);

/// Framing overhead h2 lets a connection's unread small DATA frames cost
/// before it closes the whole connection with ENHANCE_YOUR_CALM (each frame
/// under 256 bytes costs 256 minus its length). h2's default, half the
/// connection window, is spent by about 2,200 of a session's 19-byte
/// requests; a client that pipelines them without reading its replies sent
/// 14,000 before flow control stopped it, and lost its feed on the same
/// connection. This budget covers a full connection window of frames of
/// 16 bytes or more (no gRPC request frame is smaller), so flow control,
/// not the budget, stops such a client. The frames themselves stay in h2
/// only until the stream's task moves them into its compact buffer.
pub const DATA_FRAME_BUDGET: usize = (CONNECTION_WINDOW_BYTES as usize / 16) * (256 - 16);
