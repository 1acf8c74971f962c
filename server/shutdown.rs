//! The drain signal: how every long-lived part of the server learns that the
//! process is shutting down.
//!
//! Lifecycle: the server creates one [`Drain`] at start; every handler gets
//! a clone. When SIGINT or SIGTERM arrives, `server::run` calls
//! [`Drain::start`] once. From then on:
//!
//! - unary calls and batches whose headers arrived before it finish
//!   normally; the transport refuses calls that arrive after it with
//!   UNAVAILABLE (`transport::connection`);
//! - rate feeds and sessions, which could otherwise run forever, watch
//!   [`Drain::started`] and end at once with UNAVAILABLE, so their clients
//!   know to reconnect elsewhere.
//!
//! The transport waits for every open call to end, which is why an
//! infinite stream that ignored this signal would hold the process up until
//! the grace period runs out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use crate::woken::Woken;
use tonic::Status;

/// Cheap to clone; all clones see the same signal.
#[derive(Debug, Clone, Default)]
pub struct Drain {
    /// Wakes the streams waiting for the drain.
    token: CancellationToken,
    /// The same fact for the hot path: every call checks it, and
    /// `CancellationToken::is_cancelled` takes a mutex shared by all
    /// clones, where an atomic load takes none.
    draining: Arc<AtomicBool>,
}

impl Drain {
    pub fn new() -> Self {
        Self::default()
    }

    /// Announces the shutdown to every stream and handler. Idempotent.
    pub fn start(&self) {
        self.draining.store(true, Ordering::Release);
        self.token.cancel();
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }

    /// Completes when the drain starts.
    pub async fn started(&self) {
        self.token.cancelled().await;
    }

    /// The same, as a future a stream creates once and keeps for its whole
    /// life. Waiting registers with the token, which takes a lock shared by
    /// every stream; a feed that built a fresh future for every tick, or
    /// polled this one at every tick, would take that lock once per
    /// update, for every subscriber: it is polled only when the drain
    /// wakes it ([`Woken`]).
    pub fn started_owned(&self) -> Woken<WaitForCancellationFutureOwned> {
        Woken::new(self.token.clone().cancelled_owned())
    }
}

/// The status that ends streams during a drain. UNAVAILABLE is the code
/// clients retry on: the call did not fail, this server is just going away.
pub fn unavailable() -> Status {
    crate::status::draining()
}
