//! The places of long-lived calls: how many feeds, sessions and batches are
//! open, on the server and on each connection, against their caps.
//!
//! A call takes its place when it opens (or is refused at once with
//! RESOURCE_EXHAUSTED) and holds an [`OpenGuard`] for its whole life;
//! dropping the guard, because the call ended or its client left and the
//! call was dropped, frees the place. A place is one compare-and-swap on an
//! atomic counter: no lock, and two calls racing for the last place cannot
//! both get it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tonic::Status;

use super::ServiceLimits;
use crate::metrics::{Metrics, OpenGauges, Refusal};
use crate::status::{self, Capped};
use bank_i18n::Lang;

/// Counts of open long-lived streams, and their caps. The counts show that
/// a stream's work stops when its client leaves (the count drops), and feed
/// the metrics; the caps keep a crowd of streams from taking the memory and
/// the tick fan-out every other client needs.
///
/// These caps are the service's own because a handler slot of the
/// transport is held only until the handler returns, and a feed's or
/// session's handler returns its stream at once: the place must be held by
/// the stream.
#[derive(Debug)]
pub struct OpenStreams {
    feeds: AtomicUsize,
    sessions: AtomicUsize,
    batches: AtomicUsize,
    caps: ServiceLimits,
}

impl Default for OpenStreams {
    fn default() -> Self {
        Self::with_limits(&ServiceLimits::default())
    }
}

/// The feeds and sessions open on one connection, so that one connection
/// cannot take every place of the server. The transport puts one in the
/// extensions of every request of the connection.
#[derive(Debug, Default)]
pub struct ConnectionStreams {
    feeds: AtomicUsize,
    sessions: AtomicUsize,
}

impl OpenGauges for OpenStreams {
    fn feeds(&self) -> usize {
        OpenStreams::feeds(self)
    }

    fn sessions(&self) -> usize {
        OpenStreams::sessions(self)
    }
}

impl OpenStreams {
    pub fn with_limits(limits: &ServiceLimits) -> Self {
        Self {
            feeds: AtomicUsize::new(0),
            sessions: AtomicUsize::new(0),
            batches: AtomicUsize::new(0),
            caps: *limits,
        }
    }

    /// Rate feeds open right now.
    pub fn feeds(&self) -> usize {
        self.feeds.load(Ordering::Relaxed)
    }

    /// Sessions open right now.
    pub fn sessions(&self) -> usize {
        self.sessions.load(Ordering::Relaxed)
    }

    pub fn batches(&self) -> usize {
        self.batches.load(Ordering::Relaxed)
    }

    /// A place for one more feed or session, on the server and on the
    /// caller's connection, or RESOURCE_EXHAUSTED if either is full. The
    /// connection's place is taken first, then the server's: a connection
    /// over its share is refused without touching the server's count.
    pub(super) fn open_stream(
        self: &Arc<Self>,
        kind: StreamKind,
        connection: Option<&Arc<ConnectionStreams>>,
        metrics: &Metrics,
        lang: Lang,
    ) -> Result<OpenGuard, Status> {
        let (per_connection, capped, refusal) = kind.per_connection(&self.caps);
        let on_connection = match connection {
            Some(connection) => Some(
                Place::take(Arc::clone(connection), kind.connection_counter(), per_connection).ok_or_else(
                    || {
                        metrics.record_refusal(refusal);
                        status::too_many(capped, per_connection, lang)
                    },
                )?,
            ),
            None => None,
        };
        let (max, capped, refusal) = kind.per_server(&self.caps);
        let on_server = Place::take(Arc::clone(self), kind.server_counter(), max).ok_or_else(|| {
            metrics.record_refusal(refusal);
            status::too_many(capped, max, lang)
        })?;
        Ok(OpenGuard {
            _on_server: on_server,
            _on_connection: on_connection,
        })
    }

    /// A place for one more batch, or RESOURCE_EXHAUSTED if all are taken.
    /// (Per connection, batches are bounded by the transport's handler
    /// limit: a batch's handler runs until its summary.)
    pub(super) fn open_batch(self: &Arc<Self>, metrics: &Metrics, lang: Lang) -> Result<OpenGuard, Status> {
        let on_server = Place::take(Arc::clone(self), |open| &open.batches, self.caps.max_batches)
            .ok_or_else(|| {
                metrics.record_refusal(Refusal::BatchCap);
                status::too_many(Capped::Batches, self.caps.max_batches, lang)
            })?;
        Ok(OpenGuard {
            _on_server: on_server,
            _on_connection: None,
        })
    }
}

/// The long-lived streams capped per server and per connection.
#[derive(Debug, Clone, Copy)]
pub(super) enum StreamKind {
    Feed,
    Session,
}

impl StreamKind {
    fn server_counter(self) -> fn(&OpenStreams) -> &AtomicUsize {
        match self {
            Self::Feed => |open| &open.feeds,
            Self::Session => |open| &open.sessions,
        }
    }

    fn connection_counter(self) -> fn(&ConnectionStreams) -> &AtomicUsize {
        match self {
            Self::Feed => |connection| &connection.feeds,
            Self::Session => |connection| &connection.sessions,
        }
    }

    /// The server's cap, and how a refusal is said and counted.
    fn per_server(self, caps: &ServiceLimits) -> (usize, Capped, Refusal) {
        match self {
            Self::Feed => (caps.max_feeds, Capped::Feeds, Refusal::FeedCap),
            Self::Session => (caps.max_sessions, Capped::Sessions, Refusal::SessionCap),
        }
    }

    /// The connection's cap, and how a refusal is said and counted.
    fn per_connection(self, caps: &ServiceLimits) -> (usize, Capped, Refusal) {
        match self {
            Self::Feed => (
                caps.max_feeds_per_connection,
                Capped::FeedsPerConnection,
                Refusal::FeedCapPerConnection,
            ),
            Self::Session => (
                caps.max_sessions_per_connection,
                Capped::SessionsPerConnection,
                Refusal::SessionCapPerConnection,
            ),
        }
    }
}

/// Held by a stream for its whole life; dropping it (the stream ended, or
/// the client went away and the stream was dropped) frees its places.
pub(super) struct OpenGuard {
    _on_server: Place<OpenStreams>,
    _on_connection: Option<Place<ConnectionStreams>>,
}

/// One counted place in `owner`.
struct Place<T> {
    owner: Arc<T>,
    counter: fn(&T) -> &AtomicUsize,
}

impl<T> Place<T> {
    /// Takes a place if fewer than `max` are taken. The check and the
    /// increment are one compare-and-swap, so two calls racing for the last
    /// place cannot both get it.
    fn take(owner: Arc<T>, counter: fn(&T) -> &AtomicUsize, max: usize) -> Option<Self> {
        counter(&owner)
            .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |count| {
                (count < max).then_some(count + 1)
            })
            .ok()?;
        Some(Self { owner, counter })
    }
}

impl<T> Drop for Place<T> {
    fn drop(&mut self) {
        (self.counter)(&self.owner).fetch_sub(1, Ordering::AcqRel);
    }
}
