//! The seeded, smooth, bounded random walk that makes rates fluctuate.
//!
//! The deviation of a currency from its baseline at tick `n` is a pure
//! function of `(seed, currency code, n)`: no state, no history, no clock.
//! That is what lets two servers started at different times with the same
//! seed publish identical quotes for the same tick, and what lets tests pin
//! exact values.
//!
//! It is built as "value noise": for each of a few octaves, random values
//! are drawn at lattice points every `period` ticks (from a hash, not from a
//! running generator) and joined by a smoothstep curve. Summing octaves from
//! fast and small to slow and large gives a path that wanders like a market:
//! a few basis points per tick, larger swings over hours, never a jump.
//!
//! Everything is integer arithmetic in parts per billion, so the result is
//! bit-for-bit identical on every platform. Floating point would not be:
//! libm functions may differ in their last bit between machines.
//!
//! Bounds, from the octave table:
//! - the deviation never exceeds the sum of amplitudes, 8.9%. Every rate is
//!   a ratio of two currencies' values, so a cross rate can deviate by
//!   `(1 + d) / (1 - d)`: 8.9% per currency keeps every cross within
//!   +19.6% / -16.4% of its baseline, inside the promised ±20% (the sum
//!   must stay under 1/11, about 9.09%, for that to hold);
//! - smoothstep's slope is at most 1.5 per period, so one octave moves at
//!   most `3 × amplitude / period` per tick, and all together at most
//!   about 10.8 basis points per tick per currency (about 22 for a cross,
//!   far below 1%); the typical move is 1 to 3.

/// One part per billion: deviations are integers in these units.
pub const PPB: i64 = 1_000_000_000;

/// `(period in ticks, amplitude in parts per billion)`, fastest first.
const OCTAVES: [(u64, i64); 5] = [
    (8, 2_000_000),
    (64, 5_000_000),
    (512, 12_000_000),
    (4_096, 25_000_000),
    (32_768, 45_000_000),
];

/// The largest deviation the walk can produce, in parts per billion.
pub const MAX_DEVIATION_PPB: i64 = {
    let mut total = 0;
    let mut octave = 0;
    while octave < OCTAVES.len() {
        total += OCTAVES[octave].1;
        octave += 1;
    }
    total
};

/// Deviation of `code` from its baseline at `tick`, in parts per billion:
/// the currency is worth `baseline × (1 + deviation / 10^9)` US dollars.
pub fn deviation_ppb(seed: u64, code: &str, tick: u64) -> i64 {
    let currency_key = key_of(code);
    OCTAVES
        .iter()
        .zip(0u64..)
        .map(|(&(period, amplitude), octave)| {
            let lattice = tick / period;
            let start = lattice_value(seed, currency_key, octave, lattice);
            let end = lattice_value(seed, currency_key, octave, lattice + 1);
            scaled(smooth_between(start, end, tick % period, period), amplitude)
        })
        .sum()
}

/// The deviations of one currency at consecutive ticks, from `first` on:
/// `deviation_ppb(seed, code, n)` for `n = first, first + 1, ...`, to the
/// bit. History and replays read ticks in order, and between two lattice
/// points an octave's end values do not change: a walk draws them once per
/// lattice period instead of twice per tick, which makes a tick about ten
/// times cheaper.
#[derive(Debug, Clone)]
pub struct Walk {
    seed: u64,
    currency_key: u64,
    next: u64,
    /// Per octave: the lattice index whose end values are held, and them.
    held: [(u64, i64, i64); OCTAVES.len()],
}

impl Walk {
    pub fn new(seed: u64, code: &str, first: u64) -> Self {
        let currency_key = key_of(code);
        let mut held = [(0, 0, 0); OCTAVES.len()];
        for ((slot, &(period, _)), octave) in held.iter_mut().zip(&OCTAVES).zip(0u64..) {
            let lattice = first / period;
            *slot = (
                lattice,
                lattice_value(seed, currency_key, octave, lattice),
                lattice_value(seed, currency_key, octave, lattice + 1),
            );
        }
        Self {
            seed,
            currency_key,
            next: first,
            held,
        }
    }
}

impl Iterator for Walk {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        let tick = self.next;
        self.next = tick.checked_add(1)?;
        let mut total = 0;
        for ((slot, &(period, amplitude)), octave) in self.held.iter_mut().zip(&OCTAVES).zip(0u64..) {
            let lattice = tick / period;
            if lattice != slot.0 {
                // One lattice on: the old end is the new start.
                let start = if lattice == slot.0 + 1 {
                    slot.2
                } else {
                    lattice_value(self.seed, self.currency_key, octave, lattice)
                };
                *slot = (
                    lattice,
                    start,
                    lattice_value(self.seed, self.currency_key, octave, lattice + 1),
                );
            }
            total += scaled(smooth_between(slot.1, slot.2, tick % period, period), amplitude);
        }
        Some(total)
    }
}

/// The currency's code as a number, for the hash.
fn key_of(code: &str) -> u64 {
    code.bytes().fold(0u64, |key, byte| (key << 8) | u64::from(byte))
}

/// An octave's unit value (within ±10^9) times its amplitude, in parts per
/// billion, truncated towards zero. The product is below 5·10^16, so 64
/// bits hold it, and dividing a 64-bit number by a constant compiles to a
/// multiplication.
fn scaled(unit: i64, amplitude: i64) -> i64 {
    unit * amplitude / PPB
}

/// The random value at one lattice point, uniform in `[-10^9, 10^9]`.
fn lattice_value(seed: u64, currency_key: u64, octave: u64, lattice: u64) -> i64 {
    let mut hash = splitmix64(seed);
    hash = splitmix64(hash ^ currency_key);
    hash = splitmix64(hash ^ octave);
    hash = splitmix64(hash ^ lattice);
    // The span has 2·10^9 + 1 values; the bias of the modulo is < 10^-9.
    (hash % (2 * PPB as u64 + 1)) as i64 - PPB
}

/// Smoothstep from `start` (offset 0) to `end` (offset `period`):
/// `start + (end - start) · s²(3 - 2s)` with `s = offset / period`, in exact
/// integer arithmetic (truncated towards zero, identically everywhere).
fn smooth_between(start: i64, end: i64, offset: u64, period: u64) -> i64 {
    let (t, p) = (i128::from(offset), i128::from(period));
    let weight = t * t * (3 * p - 2 * t);
    let span = i128::from(end) - i128::from(start);
    // |span| <= 2·10^9 and weight <= p³ <= 2^45: the product fits in i128.
    start + divide_by_cube(span * weight, period) as i64
}

/// `value / period³`, truncated towards zero. Every period is a power of
/// two, so this is a shift (with the adjustment that makes a shift of a
/// negative number truncate towards zero, as `/` does): a 128-bit division
/// costs tens of nanoseconds, a shift one.
fn divide_by_cube(value: i128, period: u64) -> i128 {
    debug_assert!(period.is_power_of_two());
    let shift = 3 * period.trailing_zeros();
    let bias = if value < 0 { (1i128 << shift) - 1 } else { 0 };
    (value + bias) >> shift
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, well-mixed, fixed
/// algorithm. Unlike the generators of `rand`, whose output may change
/// between versions, this one is written down here and never changes.
fn splitmix64(input: u64) -> u64 {
    let mut z = input.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A tick near the present with one-second ticks.
    const NOW: u64 = 1_790_000_000;

    #[test]
    fn the_walk_is_a_pure_function_of_seed_currency_and_tick() {
        assert_eq!(deviation_ppb(42, "EUR", NOW), deviation_ppb(42, "EUR", NOW));
        assert_ne!(deviation_ppb(42, "EUR", NOW), deviation_ppb(43, "EUR", NOW));
        assert_ne!(deviation_ppb(42, "EUR", NOW), deviation_ppb(42, "GBP", NOW));
    }

    #[test]
    fn pinned_values_never_change_between_versions() {
        // Replicas of different builds must agree: if this test fails, the
        // walk changed and mixed fleets would publish different quotes.
        let pinned: Vec<i64> = (0..4).map(|step| deviation_ppb(42, "EUR", NOW + step)).collect();
        assert_eq!(pinned, PINNED_EUR_SEED_42);
    }

    const PINNED_EUR_SEED_42: [i64; 4] = [14_561_040, 14_648_409, 14_905_497, 15_274_429];

    #[test]
    fn typical_moves_are_a_few_basis_points_per_tick() {
        let steps: Vec<i64> = (0..10_000u64)
            .map(|n| (deviation_ppb(7, "JPY", NOW + n + 1) - deviation_ppb(7, "JPY", NOW + n)).abs())
            .collect();
        let mean = steps.iter().sum::<i64>() / steps.len() as i64;
        // One basis point is 100,000 parts per billion.
        assert!((20_000..=500_000).contains(&mean), "mean step {mean} ppb");
    }

    #[test]
    fn every_cross_rate_stays_within_twenty_percent_of_its_baseline() {
        // The worst cross puts one currency at +MAX and the other at -MAX:
        // (1 + d) / (1 - d) <= 1.2 and (1 - d) / (1 + d) >= 0.8, compared
        // in integers.
        let (high, low) = (PPB + MAX_DEVIATION_PPB, PPB - MAX_DEVIATION_PPB);
        assert!(high * 10 <= low * 12, "a cross could rise more than 20%");
        assert!(low * 10 >= high * 8, "a cross could fall more than 20%");
    }

    /// The formula as first written, with 128-bit divisions: the shortcuts
    /// above must give the same integers.
    fn reference_deviation(seed: u64, code: &str, tick: u64) -> i64 {
        let currency_key = key_of(code);
        OCTAVES
            .iter()
            .zip(0u64..)
            .map(|(&(period, amplitude), octave)| {
                let lattice = tick / period;
                let start = lattice_value(seed, currency_key, octave, lattice);
                let end = lattice_value(seed, currency_key, octave, lattice + 1);
                let (t, p) = (i128::from(tick % period), i128::from(period));
                let weight = t * t * (3 * p - 2 * t);
                let unit = start + ((i128::from(end) - i128::from(start)) * weight / (p * p * p)) as i64;
                (i128::from(unit) * i128::from(amplitude) / i128::from(PPB)) as i64
            })
            .sum()
    }

    #[test]
    fn every_period_is_a_power_of_two() {
        assert!(OCTAVES.iter().all(|(period, _)| period.is_power_of_two()));
    }

    proptest! {
        #[test]
        fn the_shortcuts_compute_the_formula_to_the_bit(seed in any::<u64>(), tick in any::<u64>()) {
            let tick = tick / 2;
            prop_assert_eq!(deviation_ppb(seed, "JPY", tick), reference_deviation(seed, "JPY", tick));
        }

        #[test]
        fn a_walk_gives_the_deviation_of_every_tick_in_turn(
            seed in any::<u64>(),
            first in 0u64..(u64::MAX / 2),
            count in 1usize..200,
        ) {
            let walked: Vec<i64> = Walk::new(seed, "GBP", first).take(count).collect();
            let direct: Vec<i64> = (first..).take(count).map(|tick| deviation_ppb(seed, "GBP", tick)).collect();
            prop_assert_eq!(walked, direct);
        }

        #[test]
        fn the_walk_stays_within_its_bounds(seed in any::<u64>(), tick in any::<u64>()) {
            let tick = tick / 2; // keep tick + 1 in range
            let here = deviation_ppb(seed, "EUR", tick);
            let next = deviation_ppb(seed, "EUR", tick + 1);
            prop_assert!(here.abs() <= MAX_DEVIATION_PPB);
            // Less than 1% of the value in one tick, for a cross rate too
            // (two currencies moving apart; each value is at least 1 - 8.9%
            // of its baseline, hence the margin).
            prop_assert!(2 * (next - here).abs() < PPB / 100 * 91 / 100);
        }
    }
}
