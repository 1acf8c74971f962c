//! Rates through time: any tick that has started, again, exactly.
//!
//! A quote is a pure function of (seed, currencies, tick), so the past needs
//! no storage: a replayed tick, a candle of last Tuesday or a conversion at
//! a past instant is computed again, bit for bit as it was published, on
//! any replica. Two limits shape what is served:
//!
//! - the present: a tick that has not started is never served, although it
//!   is computable; publishing it early would leak the future of a
//!   deterministic source. Asking for it is OUT_OF_RANGE, not an error of
//!   the request: it will be served once it starts;
//! - the horizons: replays reach [`MAX_REPLAY_TICKS`] back, history and
//!   past conversions [`MAX_HISTORY_AGE_DAYS`], and one history call covers
//!   at most [`MAX_HISTORY_TICKS`] ticks in at most [`MAX_CANDLES`] candles,
//!   so that no request costs more than a fraction of a second.
//!
//! Candles are computed from the walk itself ([`Walk`], ticks in order) and
//! compared in integers: a mid is a rounded, increasing function of the
//! ratio of the two currencies' walk factors, so the tick with the highest
//! ratio has the highest mid. Only the four ticks a candle shows (first,
//! highest, lowest, last) are priced in decimals, by the same function that
//! prices every published quote.

use rust_decimal::Decimal;

use super::error::{DomainError, Field, InputProblem};
use super::rate_walk::{PPB, Walk};
use super::rates::{Pair, RateSource, Tick, driver, mid_from_deviations};

/// How far back a feed may resume: one day of one-second ticks. A client
/// that was away longer starts from the present and shows a gap.
pub const MAX_REPLAY_TICKS: u64 = 86_400;

/// How far back history and conversions at a past instant reach: a year
/// and a month, enough to compare with the same day last year.
pub const MAX_HISTORY_AGE_DAYS: u64 = 400;

/// [`MAX_HISTORY_AGE_DAYS`] in milliseconds.
pub const MAX_HISTORY_AGE_MS: u64 = MAX_HISTORY_AGE_DAYS * 86_400_000;

/// Candles in one history answer: more than any screen draws, and the
/// answer stays under a megabyte.
pub const MAX_CANDLES: u64 = 10_000;

/// Ticks evaluated by one history call: about a tenth of a second of one
/// core, so that no single request can hold a server busy.
pub const MAX_HISTORY_TICKS: u64 = 10_000_000;

/// The first tick of a feed that resumes at `from_sequence` while tick
/// `current` is in progress: from `current - MAX_REPLAY_TICKS` to
/// `current + 1` (a client that saw the latest tick waits for the next).
pub fn replay_start(from_sequence: u64, current: u64) -> Result<u64, DomainError> {
    let oldest = current.saturating_sub(MAX_REPLAY_TICKS);
    let next = current.saturating_add(1);
    if from_sequence < oldest {
        return Err(DomainError::out_of_range(
            Field::FromSequence,
            InputProblem::BeforeReplayWindow { oldest },
        ));
    }
    if from_sequence > next {
        return Err(DomainError::out_of_range(
            Field::FromSequence,
            InputProblem::AfterNextTick { next },
        ));
    }
    Ok(from_sequence)
}

/// The tick containing the past instant `at_ms` (Unix milliseconds), when
/// the time is `now_ms`: OUT_OF_RANGE for an instant in the future or
/// beyond the horizon.
pub fn tick_at(source: &RateSource, at_ms: u64, now_ms: u64) -> Result<Tick, DomainError> {
    check_past(Field::At, at_ms, now_ms)?;
    Ok(source.tick_at(at_ms))
}

fn check_past(field: Field, at_ms: u64, now_ms: u64) -> Result<(), DomainError> {
    if at_ms > now_ms {
        return Err(DomainError::out_of_range(field, InputProblem::InFuture));
    }
    if now_ms - at_ms > MAX_HISTORY_AGE_MS {
        return Err(DomainError::out_of_range(
            field,
            InputProblem::BeyondHorizon {
                days: MAX_HISTORY_AGE_DAYS,
            },
        ));
    }
    Ok(())
}

/// A history request, parsed: Unix milliseconds throughout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryQuery {
    pub pair: Pair,
    pub start_ms: u64,
    /// Excluded; `None` means now.
    pub end_ms: Option<u64>,
    /// Nanoseconds, as the request gave it; `None` means one tick.
    pub interval_ns: Option<u128>,
}

/// One candle: the mids of a pair over the ticks of one interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candle {
    /// The start of the candle's interval, in Unix milliseconds.
    pub start_ms: u64,
    pub first_sequence: u64,
    pub last_sequence: u64,
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub close: Decimal,
}

/// The candles of `query` when the time is `now_ms`, oldest first.
pub fn candles(source: &RateSource, query: &HistoryQuery, now_ms: u64) -> Result<Vec<Candle>, DomainError> {
    let tick_ms = source.tick_ms();
    check_past(Field::StartTime, query.start_ms, now_ms)?;
    let interval_ticks = match query.interval_ns {
        None => 1,
        Some(nanos) => {
            let tick_ns = u128::from(tick_ms) * 1_000_000;
            if nanos == 0 || nanos % tick_ns != 0 {
                return Err(DomainError::invalid(
                    Field::Interval,
                    InputProblem::NotWholeTicks { tick_ms },
                ));
            }
            // Beyond u64 ticks, one candle holds all of history anyway.
            u64::try_from(nanos / tick_ns).unwrap_or(u64::MAX)
        }
    };
    let current = now_ms / tick_ms;
    let first = query.start_ms / tick_ms;
    let last = match query.end_ms {
        None => current,
        Some(end_ms) if end_ms <= query.start_ms => {
            return Err(DomainError::invalid(Field::EndTime, InputProblem::NotAfterStart));
        }
        Some(end_ms) => ((end_ms - 1) / tick_ms).min(current),
    };
    if last - first + 1 > MAX_HISTORY_TICKS {
        return Err(DomainError::invalid(
            Field::StartTime,
            InputProblem::TooManyTicks {
                max: MAX_HISTORY_TICKS,
            },
        ));
    }
    if last / interval_ticks - first / interval_ticks + 1 > MAX_CANDLES {
        return Err(DomainError::invalid(
            Field::Interval,
            InputProblem::TooManyCandles { max: MAX_CANDLES },
        ));
    }

    let pair = query.pair;
    let walk = |currency| driver(currency).map(|driver| Walk::new(source.seed(), driver.code, first));
    let (mut base_walk, mut quote_walk) = (walk(pair.base), walk(pair.quote));
    let next_deviation = |walk: &mut Option<Walk>| walk.as_mut().map_or(0, |walk| walk.next().unwrap_or(0));

    let mut candles = Vec::new();
    let mut open: Option<Open> = None;
    for sequence in first..=last {
        let point = Point {
            sequence,
            base: next_deviation(&mut base_walk),
            quote: next_deviation(&mut quote_walk),
        };
        let index = sequence / interval_ticks;
        match &mut open {
            Some(candle) if candle.index == index => candle.add(point),
            _ => {
                if let Some(done) = open.take() {
                    candles.push(done.close(pair, interval_ticks, tick_ms)?);
                }
                open = Some(Open::new(index, point));
            }
        }
    }
    if let Some(done) = open {
        candles.push(done.close(pair, interval_ticks, tick_ms)?);
    }
    Ok(candles)
}

/// One tick of the walk: its sequence and its two deviations.
#[derive(Debug, Clone, Copy)]
struct Point {
    sequence: u64,
    base: i64,
    quote: i64,
}

impl Point {
    /// Whether this tick's mid is above `other`'s: the ratio of the walk
    /// factors, `(1 + base) / (1 + quote)`, compared by cross-multiplying.
    fn above(self, other: Point) -> bool {
        let factor = |deviation: i64| i128::from(PPB + deviation);
        factor(self.base) * factor(other.quote) > factor(other.base) * factor(self.quote)
    }

    fn mid(self, pair: Pair) -> Result<Decimal, DomainError> {
        mid_from_deviations(pair, self.base, self.quote)
    }
}

/// A candle being filled, tick by tick.
struct Open {
    index: u64,
    first: Point,
    high: Point,
    low: Point,
    last: Point,
}

impl Open {
    fn new(index: u64, point: Point) -> Self {
        Self {
            index,
            first: point,
            high: point,
            low: point,
            last: point,
        }
    }

    fn add(&mut self, point: Point) {
        if point.above(self.high) {
            self.high = point;
        }
        if self.low.above(point) {
            self.low = point;
        }
        self.last = point;
    }

    fn close(self, pair: Pair, interval_ticks: u64, tick_ms: u64) -> Result<Candle, DomainError> {
        Ok(Candle {
            start_ms: self.index.saturating_mul(interval_ticks).saturating_mul(tick_ms),
            first_sequence: self.first.sequence,
            last_sequence: self.last.sequence,
            open: self.first.mid(pair)?,
            high: self.high.mid(pair)?,
            low: self.low.mid(pair)?,
            close: self.last.mid(pair)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// 2026-09-21T14:13:20Z, in milliseconds.
    const NOW_MS: u64 = 1_790_000_000_000;

    fn source(tick_ms: u64) -> RateSource {
        RateSource::new(42, tick_ms, 20).expect("valid source")
    }

    fn pair(text: &str) -> Pair {
        Pair::parse(0, text).expect("valid pair")
    }

    fn query(pair_text: &str, start_ms: u64, end_ms: Option<u64>, interval_ms: Option<u64>) -> HistoryQuery {
        HistoryQuery {
            pair: pair(pair_text),
            start_ms,
            end_ms,
            interval_ns: interval_ms.map(|ms| u128::from(ms) * 1_000_000),
        }
    }

    /// The candles by brute force: every tick's mid from a full snapshot,
    /// exactly as a feed publishes it.
    fn brute_force(source: &RateSource, query: &HistoryQuery, now_ms: u64) -> Vec<Candle> {
        let tick_ms = source.tick_ms();
        let interval_ticks = query
            .interval_ns
            .map_or(1, |ns| (ns / (u128::from(tick_ms) * 1_000_000)) as u64);
        let first = query.start_ms / tick_ms;
        let last = query.end_ms.map_or(now_ms / tick_ms, |end| {
            ((end - 1) / tick_ms).min(now_ms / tick_ms)
        });
        let mut candles: Vec<Candle> = Vec::new();
        for sequence in first..=last {
            let mid = source
                .snapshot(source.tick(sequence))
                .and_then(|snapshot| snapshot.quote(query.pair))
                .expect("a quote")
                .mid;
            let start_ms = sequence / interval_ticks * interval_ticks * tick_ms;
            match candles.last_mut() {
                Some(candle) if candle.start_ms == start_ms => {
                    candle.last_sequence = sequence;
                    candle.high = candle.high.max(mid);
                    candle.low = candle.low.min(mid);
                    candle.close = mid;
                }
                _ => candles.push(Candle {
                    start_ms,
                    first_sequence: sequence,
                    last_sequence: sequence,
                    open: mid,
                    high: mid,
                    low: mid,
                    close: mid,
                }),
            }
        }
        candles
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn candles_equal_a_brute_force_evaluation_of_every_tick(
            seed in any::<u64>(),
            pair_index in 0usize..6,
            tick_ms in prop_oneof![Just(1_000u64), Just(250), Just(60_000)],
            ticks_back in 1u64..3_000,
            length in 1u64..3_000,
            interval_ticks in prop_oneof![Just(1u64), Just(7), Just(60), Just(600)],
            open_end in any::<bool>(),
        ) {
            let source = RateSource::new(seed, tick_ms, 20).expect("valid source");
            let pairs = ["EUR/USD", "USD/JPY", "XOF/GBP", "XAF/EUR", "CHF/KWD", "XOF/XAF"];
            let start_ms = NOW_MS - ticks_back * tick_ms + 17;
            let end_ms = (!open_end).then_some(start_ms + length * tick_ms);
            let query = query(pairs[pair_index], start_ms, end_ms, Some(interval_ticks * tick_ms));
            let fast = candles(&source, &query, NOW_MS).expect("candles");
            prop_assert_eq!(fast, brute_force(&source, &query, NOW_MS));
        }
    }

    #[test]
    fn the_first_and_the_last_candles_may_be_partial_and_all_are_aligned() {
        let source = source(1_000);
        // From 10 s into a minute to 20 s into the third one, by minutes.
        let minute = 60_000;
        let start = NOW_MS / minute * minute - 3 * minute + 10_000;
        let query = query("EUR/USD", start, Some(start + 2 * minute + 10_000), Some(minute));
        let candles = candles(&source, &query, NOW_MS).expect("candles");
        assert_eq!(candles.len(), 3);
        assert_eq!(candles[0].start_ms, start - 10_000);
        assert_eq!(candles[0].last_sequence - candles[0].first_sequence + 1, 50);
        assert_eq!(candles[1].last_sequence - candles[1].first_sequence + 1, 60);
        assert_eq!(candles[2].last_sequence - candles[2].first_sequence + 1, 20);
        assert!(candles.iter().all(|candle| candle.start_ms % minute == 0));
    }

    #[test]
    fn an_end_in_the_future_is_clipped_to_the_tick_in_progress() {
        let source = source(1_000);
        let query = query("EUR/USD", NOW_MS - 10_000, Some(NOW_MS + 3_600_000), None);
        let candles = candles(&source, &query, NOW_MS + 400).expect("candles");
        assert_eq!(
            candles.last().map(|candle| candle.last_sequence),
            Some(NOW_MS / 1_000)
        );
        assert_eq!(candles.len(), 11);
    }

    #[test]
    fn each_limit_is_refused_with_its_field() {
        let source = source(1_000);
        let refused = |query: HistoryQuery| candles(&source, &query, NOW_MS).expect_err("refused");
        let day = 86_400_000;
        assert_eq!(
            refused(query("EUR/USD", NOW_MS + 1, None, None)),
            DomainError::out_of_range(Field::StartTime, InputProblem::InFuture)
        );
        assert_eq!(
            refused(query("EUR/USD", NOW_MS - MAX_HISTORY_AGE_MS - 1, None, None)),
            DomainError::out_of_range(Field::StartTime, InputProblem::BeyondHorizon { days: 400 })
        );
        assert_eq!(
            refused(query("EUR/USD", NOW_MS - 1_000, None, Some(1_500))),
            DomainError::invalid(Field::Interval, InputProblem::NotWholeTicks { tick_ms: 1_000 })
        );
        assert_eq!(
            refused(query("EUR/USD", NOW_MS - 1_000, Some(NOW_MS - 1_000), None)),
            DomainError::invalid(Field::EndTime, InputProblem::NotAfterStart)
        );
        assert_eq!(
            refused(query("EUR/USD", NOW_MS - 2 * day, None, Some(1_000))),
            DomainError::invalid(Field::Interval, InputProblem::TooManyCandles { max: MAX_CANDLES })
        );
        assert_eq!(
            refused(query("EUR/USD", NOW_MS - 200 * day, None, Some(day))),
            DomainError::invalid(
                Field::StartTime,
                InputProblem::TooManyTicks {
                    max: MAX_HISTORY_TICKS
                }
            )
        );
        // One tick more than the limit is refused before any is evaluated.
        let over = (MAX_HISTORY_TICKS) * 1_000;
        assert_eq!(
            refused(query("EUR/USD", NOW_MS - over, None, Some(day))),
            DomainError::invalid(
                Field::StartTime,
                InputProblem::TooManyTicks {
                    max: MAX_HISTORY_TICKS
                }
            )
        );
        // The present itself is served: the tick in progress has started.
        assert_eq!(
            candles(&source, &query("EUR/USD", NOW_MS, None, None), NOW_MS).map(|c| c.len()),
            Ok(1)
        );
    }

    #[test]
    fn a_feed_resumes_from_one_day_back_to_the_next_tick() {
        let current = 1_000_000;
        assert_eq!(
            replay_start(current - MAX_REPLAY_TICKS, current),
            Ok(current - MAX_REPLAY_TICKS)
        );
        assert_eq!(replay_start(current + 1, current), Ok(current + 1));
        assert_eq!(
            replay_start(current - MAX_REPLAY_TICKS - 1, current),
            Err(DomainError::out_of_range(
                Field::FromSequence,
                InputProblem::BeforeReplayWindow {
                    oldest: current - MAX_REPLAY_TICKS
                }
            ))
        );
        assert_eq!(
            replay_start(current + 2, current),
            Err(DomainError::out_of_range(
                Field::FromSequence,
                InputProblem::AfterNextTick { next: current + 1 }
            ))
        );
    }

    #[test]
    fn an_instant_is_priced_at_its_tick_only_once_it_has_passed() {
        let source = source(1_000);
        assert_eq!(
            tick_at(&source, NOW_MS - 1_500, NOW_MS).map(|tick| tick.sequence),
            Ok(NOW_MS / 1_000 - 2)
        );
        assert_eq!(
            tick_at(&source, NOW_MS + 1, NOW_MS),
            Err(DomainError::out_of_range(Field::At, InputProblem::InFuture))
        );
        assert_eq!(
            tick_at(&source, NOW_MS - MAX_HISTORY_AGE_MS - 1, NOW_MS),
            Err(DomainError::out_of_range(
                Field::At,
                InputProblem::BeyondHorizon { days: 400 }
            ))
        );
    }
}
