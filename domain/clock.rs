//! Where "now" comes from: the tick clock.
//!
//! Rates depend on time (tick n is the interval `[n·tick, (n+1)·tick)` since
//! the Unix epoch), so the clock is a dependency like any other: the server
//! uses [`SystemClock`], tests pin time with [`ManualClock`] and get exact,
//! repeatable quotes.
//!
//! The wall clock alone is not fit to cut ticks: an operator, NTP or a
//! resumed virtual machine can step it. Stepped back, it would freeze the
//! feed until it caught up again (the board never publishes an older tick);
//! stepped forward, it would publish at once the ticks the other replicas
//! publish only later, and keep serving them after the clock is put right.
//! So the server's clock is a [`SlewingClock`]:
//!
//! - At start it anchors a monotonic reading to the wall clock. From then
//!   on "trusted now" advances with the monotonic clock, which never steps.
//! - A full read ([`Clock::read`]) also reads the wall clock and compares.
//!   A disagreement of more than [`STEP_THRESHOLD`] (beyond a correction
//!   already under way) is a step: it is counted, reported to the caller
//!   as a [`ClockStep`] (which the rate board logs), and its offset is
//!   remembered. The rate board's ticker makes a full read at every tick,
//!   and at least every [`STEP_CHECK_INTERVAL`]; conversions, many
//!   thousands a second, ask only [`Clock::now_unix_ms`], which reads the
//!   monotonic clock alone.
//! - Trusted time then converges on the wall clock by slewing: it runs at
//!   most [`SLEW_RATE_PPM`] faster or slower than real time until the offset
//!   is gone. It never jumps and never goes backwards, so a feed keeps
//!   ticking (a little slower or faster) and its sequence never decreases.
//! - Smaller disagreements (drift, an adjustment under the threshold) are
//!   slewed away the same way, silently.
//!
//! A tick is therefore never published before its start by the trusted
//! clock, and the trusted clock never runs ahead of where it stood by more
//! than [`SLEW_RATE_PPM`] of the real time elapsed since.
//!
//! Both clocks are read through [`TimeSources`], so unit tests step a fake
//! wall clock and advance a fake monotonic clock without sleeping.
//!
//! Nothing here logs or exports anything: a read returns the step it saw,
//! and [`Clock::report`] gives the metrics exporter its figures.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How much faster or slower than real time trusted time may run while it
/// converges on a stepped wall clock, in parts per million: 10,000 ppm is 1%.
///
/// Slow enough that a step is never visible at once and that a wrong step
/// forward is revealed only slowly: after t seconds of slewing the server
/// is at most t/100 ahead of where it stood, so a step of an hour forward
/// shows 36 s of it after an hour (a one-second tick comes every 0.99 s),
/// and a wrong step put right within 100 ticks reveals at most one tick.
/// Fast enough that a step back never freezes a feed (a 30 s step back
/// stretches one-second ticks to 1.01 s for 50 minutes, instead of stopping
/// them for 30 s) and that a replica whose clock was corrected is back in
/// step with its peers within the hour for any step up to 36 s. A larger
/// step takes longer (an hour takes 100 hours); OPERATIONS.md says what an
/// operator does then. Must stay below 1,000,000, so that trusted time
/// always moves forward.
pub const SLEW_RATE_PPM: u64 = 10_000;

/// A disagreement between the wall clock and trusted time larger than this,
/// beyond the correction already under way, is a step: counted, reported
/// and logged. 100 ms is far above what two back-to-back readings can
/// disagree by (see [`MAX_READ_SPREAD`]), below ntpd's 128 ms step
/// threshold (so every step NTP makes is seen) and a tenth of the default
/// tick. Smaller disagreements are slewed away without a word.
pub const STEP_THRESHOLD: Duration = Duration::from_millis(100);

/// The wall clock is read between two monotonic readings. When these are
/// further apart than this, the thread was preempted in the middle of the
/// read, and the wall reading is not compared (a 100 ms preemption would
/// otherwise look like a 100 ms step). The three readings normally take
/// well under a microsecond.
pub const MAX_READ_SPREAD: Duration = Duration::from_millis(1);

/// A slewing clock sees a step only on a full read ([`Clock::read`]). The
/// rate board's ticker makes one at every tick and at least this often,
/// even when ticks are longer, so that a step is detected, logged and its
/// slew started within a second (until then trusted time simply runs at
/// real speed, which is safe either way).
pub const STEP_CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// Disagreements smaller than this are not corrected at all: they are the
/// measurement's own noise (at most half of [`MAX_READ_SPREAD`]), and
/// chasing them would only make trusted time wander.
pub const DRIFT_TOLERANCE: Duration = MAX_READ_SPREAD;

const PPM: i128 = 1_000_000;
const NANOS_PER_MILLI: i128 = 1_000_000;

const _: () = assert!(SLEW_RATE_PPM > 0 && SLEW_RATE_PPM < 1_000_000);

/// A source of "now" for the rate board, in milliseconds since the Unix
/// epoch.
pub trait Clock: Send + Sync + 'static {
    /// Now, in milliseconds since the Unix epoch: what every conversion
    /// asks, so it is cheap. A [`SlewingClock`] answers from its monotonic
    /// clock alone and detects no step here. Successive reads of a
    /// [`SlewingClock`] never decrease; a [`ManualClock`] reads whatever it
    /// was last set to.
    fn now_unix_ms(&self) -> u64;

    /// Now, after comparing with the wall clock, and the wall-clock step
    /// this read detected, if any: what the rate board's ticker asks, and
    /// it logs the step. A clock that never detects steps need not
    /// implement it.
    fn read(&self) -> Reading {
        Reading {
            unix_ms: self.now_unix_ms(),
            step: None,
        }
    }

    /// How much real (monotonic) time will pass before this clock reads
    /// `unix_ms`, at its current rate; zero if it already has. The default
    /// assumes the clock runs at the rate of real time.
    fn real_time_until(&self, unix_ms: u64) -> Duration {
        Duration::from_millis(unix_ms.saturating_sub(self.now_unix_ms()))
    }

    /// How often the clock wants to be read even when nobody needs the time
    /// (see [`STEP_CHECK_INTERVAL`]); `None`, the default, for a clock that
    /// has nothing to detect.
    fn read_interval(&self) -> Option<Duration> {
        None
    }

    /// Steps detected so far and the correction still to make, for the
    /// metrics endpoint. Does not read the wall clock.
    fn report(&self) -> ClockReport {
        ClockReport::default()
    }
}

/// One read of a [`Clock`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// Trusted now, in milliseconds since the Unix epoch.
    pub unix_ms: u64,
    /// The wall-clock step this read detected. Each step is returned by
    /// exactly one read.
    pub step: Option<ClockStep>,
}

/// A wall-clock step, as detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockStep {
    /// How far the wall clock jumped, in milliseconds: positive forward,
    /// negative back.
    pub step_ms: i64,
    /// Wall clock minus trusted time after the step, in milliseconds: the
    /// whole correction the slew will make (this step and whatever was left
    /// of earlier ones).
    pub offset_ms: i64,
    /// How much real time the slew will take, at [`SLEW_RATE_PPM`].
    pub slew: Duration,
}

/// What a clock tells the metrics endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClockReport {
    /// Wall-clock steps detected since the start.
    pub steps: u64,
    /// Wall clock minus trusted time now, in milliseconds: the correction
    /// still to make (positive when the wall clock is ahead).
    pub offset_ms: i64,
}

/// The two clocks of a machine, as the slewing clock reads them.
pub trait TimeSources: Send + Sync + 'static {
    /// The wall clock: time since the Unix epoch (zero if it is set before
    /// it). It may step either way at any moment.
    fn wall(&self) -> Duration;

    /// A monotonic clock: time since an arbitrary origin. It never goes
    /// backwards and never steps.
    fn monotonic(&self) -> Duration;
}

/// Shared sources: a test keeps one handle to step them and gives the clock
/// another.
impl<T: TimeSources> TimeSources for std::sync::Arc<T> {
    fn wall(&self) -> Duration {
        T::wall(self)
    }

    fn monotonic(&self) -> Duration {
        T::monotonic(self)
    }
}

/// The machine's real clocks: `SystemTime` and `Instant`.
#[derive(Debug, Clone, Copy)]
pub struct MachineTime {
    origin: Instant,
}

impl Default for MachineTime {
    fn default() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl TimeSources for MachineTime {
    fn wall(&self) -> Duration {
        // A clock set before 1970 reads as the epoch rather than failing.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
    }

    fn monotonic(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// The server's clock: trusted time over the machine's real clocks.
pub type SystemClock = SlewingClock<MachineTime>;

impl SystemClock {
    /// Anchors trusted time to the machine's wall clock, now.
    pub fn new() -> Self {
        Self::with_sources(MachineTime::default())
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

/// Trusted time: the monotonic clock, anchored to the wall clock at start
/// and slewed toward it when it steps (see the module documentation).
#[derive(Debug)]
pub struct SlewingClock<S> {
    sources: S,
    state: Mutex<SlewState>,
}

/// Trusted time as a piecewise function of the monotonic clock, in
/// nanoseconds: from `base_monotonic`, it starts at `base_trusted` and runs
/// at real speed plus or minus [`SLEW_RATE_PPM`] until it has made up
/// `pending`, then at real speed.
#[derive(Debug, Clone, Copy)]
struct SlewState {
    base_monotonic: i128,
    base_trusted: i128,
    /// Wall clock minus trusted time at `base_monotonic`: the correction to
    /// make from there.
    pending: i128,
    /// The highest trusted time handed out: a guard, so that no read ever
    /// returns less than an earlier one.
    last_trusted: i128,
    steps: u64,
}

impl SlewState {
    /// Trusted time at `monotonic`, and the correction still to make then.
    fn at(&self, monotonic: i128) -> (i128, i128) {
        let elapsed = (monotonic - self.base_monotonic).max(0);
        let most = elapsed * i128::from(SLEW_RATE_PPM) / PPM;
        let made = self.pending.clamp(-most, most);
        (self.base_trusted + elapsed + made, self.pending - made)
    }

    /// Trusted time at `monotonic` in milliseconds, never less than any
    /// handed out before.
    fn hand_out(&mut self, monotonic: i128) -> u64 {
        let (trusted, _) = self.at(monotonic);
        self.last_trusted = trusted.max(self.last_trusted);
        u64::try_from(self.last_trusted.max(0) / NANOS_PER_MILLI).unwrap_or(u64::MAX)
    }

    /// Restarts the function at `monotonic`, where trusted time is
    /// `trusted`, with `pending` still to make up.
    fn rebase(&mut self, monotonic: i128, trusted: i128, pending: i128) {
        self.base_monotonic = monotonic;
        self.base_trusted = trusted;
        self.pending = pending;
    }
}

impl<S: TimeSources> SlewingClock<S> {
    /// Anchors trusted time to the wall clock of `sources`, now.
    pub fn with_sources(sources: S) -> Self {
        let monotonic = nanos(sources.monotonic());
        let wall = nanos(sources.wall());
        Self {
            sources,
            state: Mutex::new(SlewState {
                base_monotonic: monotonic,
                base_trusted: wall,
                pending: 0,
                last_trusted: wall,
                steps: 0,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, SlewState> {
        // The state is consistent after every statement that changes it, so
        // a panic elsewhere while holding the lock leaves nothing half-done.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<S: TimeSources> Clock for SlewingClock<S> {
    fn now_unix_ms(&self) -> u64 {
        let mut state = self.state();
        let now = nanos(self.sources.monotonic());
        state.hand_out(now)
    }

    fn read(&self) -> Reading {
        let mut state = self.state();
        let before = nanos(self.sources.monotonic());
        let wall = nanos(self.sources.wall());
        let after = nanos(self.sources.monotonic()).max(before);
        let mut step = None;
        if after - before <= nanos(MAX_READ_SPREAD) {
            let middle = before + (after - before) / 2;
            let (trusted, pending) = state.at(middle);
            let offset = wall - trusted;
            let surprise = offset - pending;
            if surprise.abs() > nanos(STEP_THRESHOLD) {
                state.steps += 1;
                step = Some(ClockStep {
                    step_ms: millis(surprise),
                    offset_ms: millis(offset),
                    slew: slew_duration(offset),
                });
            }
            if surprise.abs() >= nanos(DRIFT_TOLERANCE) {
                state.rebase(middle, trusted, offset);
            }
        }
        Reading {
            unix_ms: state.hand_out(after),
            step,
        }
    }

    fn real_time_until(&self, unix_ms: u64) -> Duration {
        let state = *self.state();
        let now = nanos(self.sources.monotonic());
        let (trusted, pending) = state.at(now);
        let needed = i128::from(unix_ms) * NANOS_PER_MILLI - trusted;
        if needed <= 0 {
            return Duration::ZERO;
        }
        // While the slew lasts, trusted time gains (1 ± rate) per unit of
        // real time; after it, exactly one.
        let rate = PPM + pending.signum() * i128::from(SLEW_RATE_PPM);
        let slew_real = div_ceil(pending.abs() * PPM, i128::from(SLEW_RATE_PPM));
        let slew_gain = slew_real + pending;
        let real = if needed <= slew_gain {
            div_ceil(needed * PPM, rate)
        } else {
            slew_real + (needed - slew_gain)
        };
        Duration::from_nanos(u64::try_from(real).unwrap_or(u64::MAX))
    }

    fn read_interval(&self) -> Option<Duration> {
        Some(STEP_CHECK_INTERVAL)
    }

    fn report(&self) -> ClockReport {
        let state = *self.state();
        let (_, pending) = state.at(nanos(self.sources.monotonic()));
        ClockReport {
            steps: state.steps,
            offset_ms: millis(pending),
        }
    }
}

/// A clock that only moves when told to, for deterministic tests. It reads
/// whatever it was last set to, even earlier than before: the board still
/// never publishes an older tick.
#[derive(Debug, Default)]
pub struct ManualClock {
    now_unix_ms: AtomicU64,
}

impl ManualClock {
    pub fn new(now_unix_ms: u64) -> Self {
        Self {
            now_unix_ms: AtomicU64::new(now_unix_ms),
        }
    }

    pub fn set(&self, now_unix_ms: u64) {
        self.now_unix_ms.store(now_unix_ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_unix_ms(&self) -> u64 {
        self.now_unix_ms.load(Ordering::SeqCst)
    }
}

fn nanos(duration: Duration) -> i128 {
    i128::try_from(duration.as_nanos()).unwrap_or(i128::MAX)
}

/// Whole milliseconds, towards zero, saturating.
fn millis(nanos: i128) -> i64 {
    let millis = nanos / NANOS_PER_MILLI;
    i64::try_from(millis).unwrap_or(if millis < 0 { i64::MIN } else { i64::MAX })
}

/// How long slewing away `offset` takes in real time.
fn slew_duration(offset: i128) -> Duration {
    let real = div_ceil(offset.abs() * PPM, i128::from(SLEW_RATE_PPM));
    Duration::from_nanos(u64::try_from(real).unwrap_or(u64::MAX))
}

/// `numerator / denominator` rounded up, for non-negative numerators and
/// positive denominators.
fn div_ceil(numerator: i128, denominator: i128) -> i128 {
    (numerator + denominator - 1) / denominator
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::*;
    use crate::rates::RateSource;

    /// 2026-09-21T14:13:20Z.
    const START_MS: u64 = 1_790_000_000_000;

    /// A wall clock the test steps and a monotonic clock it advances, both
    /// in nanoseconds. `per_read_ns` makes every monotonic reading also let
    /// that much real time pass, as a preempted thread would see.
    #[derive(Debug, Default)]
    struct FakeTime {
        wall_ns: AtomicU64,
        monotonic_ns: AtomicU64,
        per_read_ns: AtomicU64,
    }

    impl FakeTime {
        fn starting_at(unix_ms: u64) -> Arc<Self> {
            let time = Self::default();
            time.wall_ns.store(unix_ms * 1_000_000, Ordering::SeqCst);
            time.monotonic_ns.store(5_000_000_000, Ordering::SeqCst);
            Arc::new(time)
        }

        /// Real time passes: both clocks advance.
        fn pass_ms(&self, ms: u64) {
            self.pass_ns(ms * 1_000_000);
        }

        fn pass_ns(&self, ns: u64) {
            self.wall_ns.fetch_add(ns, Ordering::SeqCst);
            self.monotonic_ns.fetch_add(ns, Ordering::SeqCst);
        }

        /// Someone sets the wall clock `ms` forward (or back, if negative).
        fn step_wall_ms(&self, ms: i64) {
            let ns = ms.unsigned_abs() * 1_000_000;
            if ms < 0 {
                self.wall_ns.fetch_sub(ns, Ordering::SeqCst);
            } else {
                self.wall_ns.fetch_add(ns, Ordering::SeqCst);
            }
        }

        fn wall_ms(&self) -> u64 {
            self.wall_ns.load(Ordering::SeqCst) / 1_000_000
        }
    }

    impl TimeSources for FakeTime {
        fn wall(&self) -> Duration {
            Duration::from_nanos(self.wall_ns.load(Ordering::SeqCst))
        }

        fn monotonic(&self) -> Duration {
            let preempted = self.per_read_ns.load(Ordering::SeqCst);
            if preempted > 0 {
                self.pass_ns(preempted);
            }
            Duration::from_nanos(self.monotonic_ns.load(Ordering::SeqCst))
        }
    }

    fn clock_at_start() -> (SlewingClock<Arc<FakeTime>>, Arc<FakeTime>) {
        let time = FakeTime::starting_at(START_MS);
        (SlewingClock::with_sources(Arc::clone(&time)), time)
    }

    fn read_quietly(clock: &impl Clock) -> u64 {
        let reading = clock.read();
        assert_eq!(reading.step, None, "no step expected at {}", reading.unix_ms);
        reading.unix_ms
    }

    #[test]
    fn trusted_time_is_the_wall_clock_while_it_does_not_step() {
        let (clock, time) = clock_at_start();
        assert_eq!(read_quietly(&clock), START_MS);
        for _ in 0..10 {
            time.pass_ms(1_234);
            assert_eq!(read_quietly(&clock), time.wall_ms());
        }
        assert_eq!(
            clock.report(),
            ClockReport {
                steps: 0,
                offset_ms: 0
            }
        );
    }

    #[test]
    fn a_30_s_step_back_is_reported_once_and_slewed_away_in_50_minutes_one_percent_slower() {
        let (clock, time) = clock_at_start();
        time.pass_ms(1_000);
        assert_eq!(read_quietly(&clock), START_MS + 1_000);

        time.step_wall_ms(-30_000);
        let reading = clock.read();
        assert_eq!(reading.unix_ms, START_MS + 1_000, "trusted time does not go back");
        assert_eq!(
            reading.step,
            Some(ClockStep {
                step_ms: -30_000,
                offset_ms: -30_000,
                slew: Duration::from_secs(3_000),
            })
        );
        assert_eq!(
            clock.report(),
            ClockReport {
                steps: 1,
                offset_ms: -30_000
            }
        );

        // One second of real time is 990 ms of trusted time.
        time.pass_ms(1_000);
        assert_eq!(read_quietly(&clock), START_MS + 1_990);
        assert_eq!(
            clock.report(),
            ClockReport {
                steps: 1,
                offset_ms: -29_990
            }
        );

        // 50 minutes after the step, trusted time has met the wall clock...
        time.pass_ms(2_999_000);
        assert_eq!(read_quietly(&clock), time.wall_ms());
        assert_eq!(time.wall_ms(), START_MS + 1_000 + 3_000_000 - 30_000);
        assert_eq!(
            clock.report(),
            ClockReport {
                steps: 1,
                offset_ms: 0
            }
        );
        // ...and runs at real speed again.
        time.pass_ms(1_000);
        assert_eq!(read_quietly(&clock), time.wall_ms());
    }

    #[test]
    fn a_one_hour_step_forward_is_never_jumped_and_is_caught_up_one_percent_faster_in_100_hours() {
        let (clock, time) = clock_at_start();
        time.step_wall_ms(3_600_000);
        let reading = clock.read();
        assert_eq!(reading.unix_ms, START_MS, "trusted time does not jump");
        assert_eq!(
            reading.step,
            Some(ClockStep {
                step_ms: 3_600_000,
                offset_ms: 3_600_000,
                slew: Duration::from_secs(360_000),
            })
        );

        time.pass_ms(1_000);
        assert_eq!(read_quietly(&clock), START_MS + 1_010);
        // After an hour, 36 s of the step are showing; the rest is to come.
        time.pass_ms(3_599_000);
        assert_eq!(read_quietly(&clock), START_MS + 3_600_000 + 36_000);
        assert_eq!(clock.report().offset_ms, 3_564_000);

        time.pass_ms(356_400_000);
        assert_eq!(read_quietly(&clock), time.wall_ms());
        assert_eq!(
            clock.report(),
            ClockReport {
                steps: 1,
                offset_ms: 0
            }
        );
        time.pass_ms(1_000);
        assert_eq!(read_quietly(&clock), time.wall_ms(), "no overshoot");
    }

    #[test]
    fn after_a_step_back_a_new_tick_starts_at_least_every_1_01_ticks_and_the_sequence_never_goes_back() {
        let source = RateSource::new(1, 1_000, 20).expect("valid source");
        let (clock, time) = clock_at_start();
        time.step_wall_ms(-30_000);
        assert!(clock.read().step.is_some());

        let mut last = source.tick_at(read_quietly(&clock));
        let mut since_last_tick_ms = 0;
        // Two minutes of real time, read every 10 ms.
        for _ in 0..12_000 {
            time.pass_ms(10);
            since_last_tick_ms += 10;
            let tick = source.tick_at(read_quietly(&clock));
            assert!(tick.sequence >= last.sequence, "{tick:?} after {last:?}");
            if tick.sequence > last.sequence {
                assert_eq!(tick.sequence, last.sequence + 1, "no tick is skipped");
                last = tick;
                since_last_tick_ms = 0;
            }
            assert!(since_last_tick_ms <= 1_020, "the feed went silent at {tick:?}");
        }
    }

    #[test]
    fn after_a_step_forward_no_tick_starts_ahead_of_the_old_timeline_by_more_than_one_percent() {
        let source = RateSource::new(1, 1_000, 20).expect("valid source");
        let (clock, time) = clock_at_start();
        time.step_wall_ms(3_600_000);
        assert!(clock.read().step.is_some());

        let mut last = source.tick_at(START_MS);
        // Two minutes of real time, read every 10 ms.
        for elapsed_ms in (10..=120_000).step_by(10) {
            time.pass_ms(10);
            let tick = source.tick_at(read_quietly(&clock));
            let old_timeline_ms = START_MS + elapsed_ms;
            assert!(
                tick.start_unix_ms <= old_timeline_ms + elapsed_ms / 100,
                "{tick:?} published {elapsed_ms} ms after the step"
            );
            assert!(
                tick.sequence <= last.sequence + 1,
                "{tick:?} jumped from {last:?}"
            );
            last = tick;
        }
        // 120 s at 1.01: 121.2 s of trusted time.
        assert_eq!(last.start_unix_ms, START_MS + 121_000);
    }

    #[test]
    fn real_time_until_an_instant_follows_the_slew_rate_and_its_end() {
        let (clock, time) = clock_at_start();
        time.step_wall_ms(-200);
        let now = clock.read().unix_ms;
        // Slower: 990 ms of trusted time take a second.
        assert_eq!(clock.real_time_until(now + 990), Duration::from_secs(1));
        // The 200 ms take 20 s to slew away, gaining 19.8 s; then real speed.
        assert_eq!(clock.real_time_until(now + 29_800), Duration::from_secs(30));
        time.pass_ms(30_000);
        assert_eq!(read_quietly(&clock), now + 29_800);
        assert_eq!(clock.real_time_until(now + 29_800), Duration::ZERO);

        time.step_wall_ms(200);
        let now = clock.read().unix_ms;
        // Faster: 1,010 ms of trusted time in a second.
        assert_eq!(clock.real_time_until(now + 1_010), Duration::from_secs(1));
        assert_eq!(clock.real_time_until(now + 30_200), Duration::from_secs(30));
    }

    #[test]
    fn the_cheap_read_follows_the_slew_but_leaves_step_detection_to_the_full_read() {
        let (clock, time) = clock_at_start();
        time.step_wall_ms(-30_000);
        time.pass_ms(1_000);
        assert_eq!(clock.now_unix_ms(), START_MS + 1_000, "not seen yet: real speed");
        assert_eq!(clock.report().steps, 0);
        let reading = clock.read();
        assert_eq!(reading.step.map(|step| step.step_ms), Some(-30_000));
        time.pass_ms(1_000);
        assert_eq!(
            clock.now_unix_ms(),
            START_MS + 1_990,
            "1% slower from the detection on"
        );
        assert_eq!(
            clock.read(),
            Reading {
                unix_ms: START_MS + 1_990,
                step: None
            }
        );
    }

    #[test]
    fn a_manual_clock_waits_in_real_time_and_reports_nothing() {
        let clock = ManualClock::new(START_MS);
        assert_eq!(clock.real_time_until(START_MS + 700), Duration::from_millis(700));
        assert_eq!(clock.real_time_until(START_MS - 700), Duration::ZERO);
        clock.set(START_MS - 5_000);
        assert_eq!(
            clock.read(),
            Reading {
                unix_ms: START_MS - 5_000,
                step: None
            }
        );
        assert_eq!(clock.report(), ClockReport::default());
        assert_eq!(clock.read_interval(), None);
    }

    #[test]
    fn a_disagreement_under_the_threshold_is_slewed_away_without_counting_a_step() {
        let (clock, time) = clock_at_start();
        time.step_wall_ms(100);
        assert_eq!(read_quietly(&clock), START_MS);
        assert_eq!(
            clock.report(),
            ClockReport {
                steps: 0,
                offset_ms: 100
            }
        );
        time.pass_ms(10_000);
        assert_eq!(read_quietly(&clock), time.wall_ms());
        assert_eq!(
            clock.report(),
            ClockReport {
                steps: 0,
                offset_ms: 0
            }
        );
    }

    #[test]
    fn a_read_preempted_between_its_clock_readings_is_not_compared() {
        let (clock, time) = clock_at_start();
        time.step_wall_ms(-30_000);
        time.per_read_ns.store(5_000_000, Ordering::SeqCst);
        let preempted = clock.read();
        assert_eq!(preempted.step, None);
        assert!(preempted.unix_ms > START_MS, "trusted time still advances");
        time.per_read_ns.store(0, Ordering::SeqCst);
        let reading = clock.read();
        assert_eq!(reading.step.map(|step| step.step_ms), Some(-30_000));
        assert_eq!(clock.report().steps, 1);
    }

    #[test]
    fn a_step_during_a_slew_is_measured_against_the_slew_and_a_correction_ends_it() {
        let (clock, time) = clock_at_start();
        time.step_wall_ms(-30_000);
        assert!(clock.read().step.is_some());
        time.pass_ms(10_000);
        let trusted = read_quietly(&clock);
        assert_eq!(trusted, START_MS + 9_900);

        time.step_wall_ms(-10_000);
        let again = clock.read().step.expect("a second step");
        assert_eq!((again.step_ms, again.offset_ms), (-10_000, -39_900));

        // The wall clock is put right: nothing is left to slew.
        time.step_wall_ms(39_900);
        let reading = clock.read();
        let corrected = reading.step.expect("the correction is a step too");
        assert_eq!(
            (corrected.step_ms, corrected.offset_ms, corrected.slew),
            (39_900, 0, Duration::ZERO)
        );
        assert_eq!(reading.unix_ms, trusted);
        time.pass_ms(1_000);
        assert_eq!(read_quietly(&clock), trusted + 1_000);
        assert_eq!(time.wall_ms(), trusted + 1_000);
        assert_eq!(
            clock.report(),
            ClockReport {
                steps: 3,
                offset_ms: 0
            }
        );
    }

    #[test]
    fn the_machine_clock_starts_on_the_wall_clock() {
        let before = MachineTime::default().wall();
        let clock = SystemClock::new();
        let now = u128::from(clock.read().unix_ms);
        let after = MachineTime::default().wall();
        assert!(
            before.as_millis() <= now && now <= after.as_millis(),
            "{before:?} {now} {after:?}"
        );
        assert_eq!(clock.report().steps, 0);
    }

    /// A wall-clock step of `0`, of under 50 ms, or of 200 ms to an hour,
    /// either way: clear of the threshold, so the expected count is exact.
    fn wall_step_ms() -> impl Strategy<Value = i64> {
        prop_oneof![
            Just(0i64),
            -50i64..=50,
            (200i64..=3_600_000).prop_flat_map(|size| prop_oneof![Just(size), Just(-size)]),
        ]
    }

    proptest! {
        #[test]
        fn trusted_time_never_goes_back_never_runs_outside_one_percent_and_meets_the_wall_clock(
            moves in prop::collection::vec((0u64..600_000, wall_step_ms()), 1..40)
        ) {
            let (clock, time) = clock_at_start();
            let mut last = clock.read().unix_ms;
            let mut real_ms = 0u64;
            let mut expected_steps = 0;
            for (pass_ms, step_ms) in moves {
                time.pass_ms(pass_ms);
                real_ms += pass_ms;
                let now = read_quietly(&clock);
                prop_assert!(now >= last);
                // Within 1% of real time, give or take the millisecond
                // rounding of the two readings.
                prop_assert!(now - last + 1 >= pass_ms - pass_ms / 100, "{} in {pass_ms} ms", now - last);
                prop_assert!(now - last <= pass_ms + pass_ms / 100 + 1, "{} in {pass_ms} ms", now - last);
                // Never ahead of the start's timeline by more than 1%.
                prop_assert!(now <= START_MS + real_ms + real_ms / 100 + 1);
                last = now;

                time.step_wall_ms(step_ms);
                let reading = clock.read();
                prop_assert_eq!(reading.unix_ms, now, "a step moves nothing at once");
                prop_assert_eq!(reading.step.is_some(), step_ms.abs() > 100);
                expected_steps += u64::from(step_ms.abs() > 100);
            }
            let report = clock.report();
            prop_assert_eq!(report.steps, expected_steps);
            let offset_ms = i128::from(time.wall_ms()) - i128::from(last);
            prop_assert!((i128::from(report.offset_ms) - offset_ms).abs() <= 1, "{:?} against {}", report, offset_ms);
            // Long enough to slew the whole offset away.
            time.pass_ms(report.offset_ms.unsigned_abs() * 100 + 1_000);
            let now = read_quietly(&clock);
            prop_assert!(now.abs_diff(time.wall_ms()) <= 1, "{} against {}", now, time.wall_ms());
        }
    }
}
