//! The drain signal: how every long-lived part of the server learns that the
//! process is shutting down.
//!
//! Lifecycle: the server creates one [`Drain`] at start; every handler gets
//! a clone. When SIGINT or SIGTERM arrives, `server::run` calls
//! [`Drain::start`] once. From then on:
//!
//! - unary calls and batches that are already running finish normally;
//!   new calls of any kind are refused with UNAVAILABLE ([`Drain::refuse_new_calls`]);
//! - rate feeds and sessions, which could otherwise run forever, watch
//!   [`Drain::started`] and end at once with UNAVAILABLE, so their clients
//!   know to reconnect elsewhere.
//!
//! tonic's `serve_with_shutdown` waits for every open stream to end, which
//! is why an infinite stream that ignored this signal would hold the process
//! up until the grace period runs out.

use tokio_util::sync::CancellationToken;
use tonic::Status;

/// Cheap to clone; all clones see the same signal.
#[derive(Debug, Clone, Default)]
pub struct Drain {
    token: CancellationToken,
}

impl Drain {
    pub fn new() -> Self {
        Self::default()
    }

    /// Announces the shutdown to every stream and handler. Idempotent.
    pub fn start(&self) {
        self.token.cancel();
    }

    pub fn is_draining(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Completes when the drain starts; streams `select!` on it.
    pub async fn started(&self) {
        self.token.cancelled().await;
    }

    /// `Err(UNAVAILABLE)` once draining: called at the start of every RPC
    /// so that a call that slips in during shutdown is told to retry
    /// elsewhere rather than started and cut off.
    pub fn refuse_new_calls(&self) -> Result<(), Status> {
        if self.is_draining() {
            Err(unavailable())
        } else {
            Ok(())
        }
    }
}

/// The status that ends streams during a drain. UNAVAILABLE is the code
/// clients retry on: the call did not fail, this server is just going away.
pub fn unavailable() -> Status {
    Status::unavailable("the server is shutting down; reconnect and retry")
}
