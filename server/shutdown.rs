//! The drain signal: how every long-lived part of the server learns that the
//! process is shutting down.
//!
//! Lifecycle: the server creates one [`Drain`] at start; every handler gets
//! a clone. When SIGINT or SIGTERM arrives, `server::run` calls
//! [`Drain::start`] once. From then on:
//!
//! - unary calls and batches that are already running finish normally;
//!   new calls of any kind are refused with UNAVAILABLE ([`Drain::refuse_new_calls`]),
//!   and counted as [`Refusal::Draining`];
//! - rate feeds and sessions, which could otherwise run forever, watch
//!   [`Drain::started`] and end at once with UNAVAILABLE, so their clients
//!   know to reconnect elsewhere.
//!
//! tonic's `serve_with_shutdown` waits for every open stream to end, which
//! is why an infinite stream that ignored this signal would hold the process
//! up until the grace period runs out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};
use tonic::Status;

use crate::metrics::{Metrics, Refusal};

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
    /// every stream; a feed that built a fresh future for every tick would
    /// take that lock once per update, for every subscriber.
    pub fn started_owned(&self) -> WaitForCancellationFutureOwned {
        self.token.clone().cancelled_owned()
    }

    /// `Err(UNAVAILABLE)` once draining, counted in `metrics`: called at the
    /// start of every RPC so that a call that slips in during shutdown is
    /// told to retry elsewhere rather than started and cut off.
    pub fn refuse_new_calls(&self, metrics: &Metrics) -> Result<(), Status> {
        if self.is_draining() {
            metrics.record_refusal(Refusal::Draining);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_call_during_the_drain_is_refused_with_unavailable_and_counted() {
        let drain = Drain::new();
        let metrics = Metrics::default();
        assert!(drain.refuse_new_calls(&metrics).is_ok());
        assert_eq!(metrics.refusals(Refusal::Draining), 0);
        drain.start();
        let refused = drain
            .refuse_new_calls(&metrics)
            .expect_err("refused while draining");
        assert_eq!(refused.code(), tonic::Code::Unavailable);
        assert_eq!(metrics.refusals(Refusal::Draining), 1);
    }
}
