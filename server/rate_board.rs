//! The live rate board: the current tick's snapshot, shared by every call.
//!
//! The domain's [`RateSource`] can price any tick; the board keeps the one
//! for the tick in progress and tells feed subscribers when it changes.
//!
//! Lifecycle: [`RateBoard::start`] publishes the current tick and spawns a
//! ticker task that wakes at every tick boundary and publishes the next
//! snapshot; the task ends when the drain starts (nobody is left to read
//! it) or when the board is dropped.
//!
//! Time is the [`Clock`]'s trusted time: on the server, the monotonic clock
//! anchored to the wall clock and slewed toward it when the wall clock
//! steps (see [`clock`](bank_domain::clock)). The ticker sleeps in real
//! time for as long as the clock, at its current rate, needs to reach the
//! next boundary, so while the clock slews the feed ticks a little slower
//! or faster and never stops. Before each sleep it makes the full read
//! that compares the clock with the wall clock, and logs the step it
//! detects, once; it also wakes as often as the clock asks
//! ([`STEP_CHECK_INTERVAL`]), so that a step is seen even when ticks are
//! long. Calls ask only the cheap [`Clock::now_unix_ms`].
//!
//! [`STEP_CHECK_INTERVAL`]: bank_domain::clock::STEP_CHECK_INTERVAL
//!
//! Publication goes through a `tokio::sync::watch` channel, which holds only
//! the latest value: a subscriber that falls behind does not queue old
//! ticks, it simply sees the newest one next time it looks (a gap in
//! `sequence`). Memory per subscriber is constant, however slow it reads.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::shutdown::Drain;
use bank_domain::DomainError;
use bank_domain::clock::{Clock, ClockStep, SLEW_RATE_PPM};
use bank_domain::history;
use bank_domain::rates::{RateSource, Snapshot};

/// Shared by every handler through an `Arc`.
pub struct RateBoard {
    source: RateSource,
    clock: Arc<dyn Clock>,
    /// Holds the newest snapshot; feeds subscribe to it.
    latest: watch::Sender<Arc<Snapshot>>,
}

impl RateBoard {
    /// Prices the current tick and starts the ticker. Must be called inside
    /// a Tokio runtime.
    pub fn start(source: RateSource, clock: Arc<dyn Clock>, drain: Drain) -> Result<Arc<Self>, DomainError> {
        let first = source.snapshot(source.tick_at(read_clock(&*clock)))?;
        let (latest, _) = watch::channel(Arc::new(first));
        let board = Arc::new(Self {
            source,
            clock,
            latest,
        });
        tokio::spawn(run_ticker(Arc::downgrade(&board), drain));
        Ok(board)
    }

    /// The snapshot of the tick in progress now. Calls that land just after
    /// a tick boundary, before the ticker has woken, price the new tick
    /// themselves: a conversion always uses the rate of the moment it runs.
    pub fn current(&self) -> Result<Arc<Snapshot>, DomainError> {
        let tick = self.source.tick_at(self.clock.now_unix_ms());
        let latest = self.latest.borrow().clone();
        if latest.tick.sequence >= tick.sequence {
            return Ok(latest);
        }
        let fresh = Arc::new(self.source.snapshot(tick)?);
        self.publish(&fresh);
        Ok(fresh)
    }

    /// The rate source, for what is computed rather than watched: replays
    /// and history.
    pub fn source(&self) -> &RateSource {
        &self.source
    }

    /// The trusted time now, in Unix milliseconds: what decides which
    /// ticks have started.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_unix_ms()
    }

    /// The snapshot of tick `sequence`, which must have started: the
    /// latest when it is that one, otherwise computed again, bit for bit as
    /// it was published.
    pub fn past(&self, sequence: u64) -> Result<Arc<Snapshot>, DomainError> {
        let latest = self.current()?;
        if latest.tick.sequence == sequence {
            return Ok(latest);
        }
        debug_assert!(
            sequence < latest.tick.sequence,
            "a tick is never served before it starts"
        );
        Ok(Arc::new(self.source.snapshot(self.source.tick(sequence))?))
    }

    /// The snapshot of the tick containing the past instant `at_ms`:
    /// OUT_OF_RANGE in the future or beyond the history horizon.
    pub fn at(&self, at_ms: u64) -> Result<Arc<Snapshot>, DomainError> {
        let tick = history::tick_at(&self.source, at_ms, self.now_ms())?;
        self.past(tick.sequence)
    }

    /// A receiver that sees every new tick, or the latest if it fell behind.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.latest.subscribe()
    }

    /// Makes `snapshot` the latest unless a newer one is already there (two
    /// callers may race at a boundary; sequences never go backwards).
    fn publish(&self, snapshot: &Arc<Snapshot>) {
        self.latest.send_if_modified(|latest| {
            let newer = snapshot.tick.sequence > latest.tick.sequence;
            if newer {
                *latest = Arc::clone(snapshot);
            }
            newer
        });
    }

    /// How long, in real time, until the next tick starts by the clock, or
    /// until the clock wants to be read again if that is sooner.
    fn until_next_tick(&self) -> Duration {
        let tick = self.source.tick_at(read_clock(&*self.clock));
        let next_start = tick.start_unix_ms.saturating_add(self.source.tick_ms());
        let until = self.clock.real_time_until(next_start);
        self.clock
            .read_interval()
            .map_or(until, |interval| until.min(interval))
    }
}

/// Trusted now, after logging the step this read detected, if any.
fn read_clock(clock: &dyn Clock) -> u64 {
    let reading = clock.read();
    if let Some(step) = reading.step {
        log_step(&step);
    }
    reading.unix_ms
}

fn log_step(step: &ClockStep) {
    tracing::warn!(
        step_ms = step.step_ms,
        offset_ms = step.offset_ms,
        slew_rate_ppm = SLEW_RATE_PPM,
        slew_seconds = step.slew.as_secs(),
        "wall clock stepped: the tick clock slews toward it instead of jumping"
    );
}

/// Publishes one snapshot per tick until the drain starts or the board is
/// gone. Holds only a weak reference so that dropping the board stops it.
async fn run_ticker(board: std::sync::Weak<RateBoard>, drain: Drain) {
    // The clock and Tokio's timer can disagree by a millisecond around a
    // boundary; sleeping at least this long keeps the loop from spinning.
    const MIN_SLEEP: Duration = Duration::from_millis(1);
    loop {
        let Some(wait) = board.upgrade().map(|board| board.until_next_tick()) else {
            return;
        };
        tokio::select! {
            () = drain.started() => return,
            () = tokio::time::sleep(wait.max(MIN_SLEEP)) => {}
        }
        let Some(board) = board.upgrade() else { return };
        if let Err(error) = board.current() {
            tracing::error!(%error, "could not price the new tick; keeping the previous one");
        }
    }
}
