//! Aggregating a batch of conversions in constant memory.
//!
//! A batch can hold millions of items, so nothing per item is kept: only
//! counts, one running total per target currency (exact integers in minor
//! units), a bit per currency pair used, and the first
//! [`MAX_REPORTED_ERRORS`] rejections. Memory is bounded by the size of the
//! currency table, whatever the number of items.
//!
//! Each total is the exact sum of the individually rounded conversions, so
//! a client that recomputes every item with the published rates finds the
//! same totals to the last minor unit.

use super::conversion::{Conversion, echoable_request_id};
use super::currency::{self, Currency};
use super::error::DomainError;
use super::money::Money;
use super::rates::Pair;

/// The summary lists at most this many rejected items (the counts stay
/// exact): enough to fix a file, bounded so a batch of a million bad rows
/// does not produce a reply of a million errors.
pub const MAX_REPORTED_ERRORS: usize = 100;

/// One rejected item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedItem {
    /// 0-based position in the batch.
    pub index: u64,
    /// The item's request id, or empty if it was too long to echo.
    pub request_id: String,
    pub error: DomainError,
}

/// The total of one target currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyTotal {
    pub total: Money,
    pub count: u64,
}

/// The outcome of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSummary {
    pub accepted: u64,
    pub rejected: u64,
    /// Sorted by currency code.
    pub totals: Vec<CurrencyTotal>,
    /// The first [`MAX_REPORTED_ERRORS`] rejections, in stream order.
    pub errors: Vec<RejectedItem>,
    /// Every pair an accepted item was converted with, sorted by codes.
    pub pairs_used: Vec<Pair>,
}

/// Running state of a batch.
#[derive(Debug)]
pub struct BatchTotals {
    accepted: u64,
    rejected: u64,
    /// `(sum in minor units, item count)` per target currency, indexed by
    /// `Currency::index`.
    totals: Vec<(i128, u64)>,
    /// Whether pair `(from, to)` was used, indexed by `from × n + to`.
    pairs_used: Vec<bool>,
    errors: Vec<RejectedItem>,
}

impl Default for BatchTotals {
    fn default() -> Self {
        Self::new()
    }
}

impl BatchTotals {
    pub fn new() -> Self {
        let n = currency::all().len();
        Self {
            accepted: 0,
            rejected: 0,
            totals: vec![(0, 0); n],
            pairs_used: vec![false; n * n],
            errors: Vec::new(),
        }
    }

    /// Position the next item will have.
    fn next_index(&self) -> u64 {
        self.accepted + self.rejected
    }

    /// Records the next item: its conversion, or why it was refused.
    /// `request_id` is the item's raw id, echoed in a rejection. Returns
    /// whether the item was accepted.
    pub fn record(&mut self, request_id: &str, outcome: Result<Conversion, DomainError>) -> bool {
        let outcome = outcome.and_then(|conversion| self.add_to_total(&conversion));
        match outcome {
            Ok(()) => {
                self.accepted += 1;
                true
            }
            Err(error) => {
                self.reject(request_id, error);
                false
            }
        }
    }

    fn add_to_total(&mut self, conversion: &Conversion) -> Result<(), DomainError> {
        let from = conversion.amount.currency();
        let to = conversion.converted.currency();
        let (sum, count) = &mut self.totals[to.index];
        // Not reachable with amounts below 10^15 before 10^20 items, but a
        // total must never wrap: the item is refused instead.
        *sum = sum
            .checked_add(conversion.converted.minor())
            .ok_or(DomainError::Overflow)?;
        *count += 1;
        if from != to {
            self.pairs_used[from.index * self.totals.len() + to.index] = true;
        }
        Ok(())
    }

    fn reject(&mut self, request_id: &str, error: DomainError) {
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(RejectedItem {
                index: self.next_index(),
                request_id: echoable_request_id(request_id).to_owned(),
                error,
            });
        }
        self.rejected += 1;
    }

    pub fn finish(self) -> BatchSummary {
        let all = currency::all();
        let totals = all
            .iter()
            .zip(&self.totals)
            .filter(|(_, (_, count))| *count > 0)
            .map(|(currency, &(sum, count))| CurrencyTotal {
                total: Money::from_minor(sum, currency),
                count,
            })
            .collect();
        let pairs_used = self
            .pairs_used
            .iter()
            .enumerate()
            .filter(|(_, used)| **used)
            .filter_map(|(slot, _)| pair_at(all, slot))
            .collect();
        BatchSummary {
            accepted: self.accepted,
            rejected: self.rejected,
            totals,
            errors: self.errors,
            pairs_used,
        }
    }
}

fn pair_at(all: &'static [Currency], slot: usize) -> Option<Pair> {
    let n = all.len();
    Pair::new(&all[slot / n], &all[slot % n])
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::conversion::{ConversionRequest, convert};
    use crate::rates::RateSource;

    fn snapshot() -> crate::rates::Snapshot {
        let source = RateSource::new(5, 1_000, 20).expect("valid source");
        source.snapshot(source.tick(1_800_000_000)).expect("snapshot")
    }

    fn item(amount: &str, from: &str, to: &str) -> Result<Conversion, DomainError> {
        ConversionRequest::parse(amount, from, to, "").and_then(|request| convert(&request, &snapshot()))
    }

    #[test]
    fn an_empty_batch_has_zero_counts() {
        let summary = BatchTotals::new().finish();
        assert_eq!((summary.accepted, summary.rejected), (0, 0));
        assert!(summary.totals.is_empty() && summary.errors.is_empty() && summary.pairs_used.is_empty());
    }

    #[test]
    fn rejections_keep_their_index_and_the_batch_goes_on() {
        let mut batch = BatchTotals::new();
        batch.record("a", item("10", "USD", "EUR"));
        batch.record("b", item("1.001", "USD", "EUR"));
        batch.record("c", item("10", "EUR", "EUR"));
        let summary = batch.finish();
        assert_eq!((summary.accepted, summary.rejected), (2, 1));
        assert_eq!(summary.errors.len(), 1);
        assert_eq!(
            (summary.errors[0].index, summary.errors[0].request_id.as_str()),
            (1, "b")
        );
        assert_eq!(summary.totals.len(), 1);
        assert_eq!(summary.totals[0].count, 2);
        let pairs: Vec<String> = summary.pairs_used.iter().map(ToString::to_string).collect();
        assert_eq!(pairs, ["USD/EUR"], "same-currency items need no rate");
    }

    #[test]
    fn only_the_first_hundred_errors_are_listed_but_all_are_counted() {
        let mut batch = BatchTotals::new();
        for _ in 0..250 {
            batch.record("", item("0", "USD", "EUR"));
        }
        let summary = batch.finish();
        assert_eq!(summary.rejected, 250);
        assert_eq!(summary.errors.len(), MAX_REPORTED_ERRORS);
        assert_eq!(summary.errors.last().map(|e| e.index), Some(99));
    }

    proptest! {
        #[test]
        fn a_batch_total_is_the_sum_of_single_conversions(
            items in prop::collection::vec((1u64..10_000_000, prop::sample::select(vec!["USD", "JPY", "KWD", "EUR", "XOF"])), 0..60)
        ) {
            let mut batch = BatchTotals::new();
            let mut expected: i128 = 0;
            for (minor, from) in &items {
                let amount = Money::from_minor(i128::from(*minor), crate::currency::find(from).expect("currency")).to_string();
                let single = item(&amount, from, "TND").expect("valid item");
                expected += single.converted.minor();
                batch.record("", Ok(single));
            }
            let summary = batch.finish();
            prop_assert_eq!(summary.accepted, items.len() as u64);
            let total = summary.totals.iter().find(|t| t.total.currency().code == "TND").map_or(0, |t| t.total.minor());
            prop_assert_eq!(total, expected);
        }
    }
}
