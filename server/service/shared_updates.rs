//! One encoded update per tick for each set of pairs, shared by every feed
//! that asked for that set.
//!
//! Feeds repeat themselves: thousands of subscribers, a handful of distinct
//! pair lists. Each feed joins the [`PairSet`] of its list when it opens
//! (`SharedUpdates::join`) and leaves it when it ends (the set lives as
//! long as a feed holds it). At every tick, the first feed of a set to
//! send builds and encodes the update; the others get the same bytes
//! (`PairSet::update`), a reference count and no formatting. The codec
//! then copies those bytes into each stream's frame, which is the one
//! per-stream cost left (see `bank_proto::encoded`).
//!
//! A set keeps only its latest tick: a feed that asks for an older one (a
//! slow reader still holding the previous snapshot) gets it encoded for
//! itself, without evicting the newer one the others share.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use crate::service::wire;
use bank_domain::DomainError;
use bank_domain::rates::{Pair, Snapshot};
use bank_proto::encoded::{Encoded, EncodedRateUpdate};

/// Fewest entries the registry holds before it looks for sets no feed
/// holds any more; past it, it looks again whenever it has doubled, so
/// that forgetting dead sets costs a constant time per set created.
const MIN_PRUNE_AT: usize = 64;

/// The pair sets feeds are subscribed to, by pair list.
#[derive(Debug)]
pub struct SharedUpdates {
    registry: Mutex<Registry>,
}

#[derive(Debug)]
struct Registry {
    /// Weak: a set lives as long as its feeds, not as long as the server.
    sets: HashMap<Box<[Pair]>, Weak<PairSet>>,
    /// The size at which dead entries are next removed.
    prune_at: usize,
}

impl Default for SharedUpdates {
    fn default() -> Self {
        Self {
            registry: Mutex::new(Registry {
                sets: HashMap::new(),
                prune_at: MIN_PRUNE_AT,
            }),
        }
    }
}

impl SharedUpdates {
    /// The set of `pairs` (in this order), shared with every open feed of
    /// the same list.
    pub fn join(&self, pairs: Vec<Pair>) -> Arc<PairSet> {
        let mut registry = lock(&self.registry);
        if let Some(set) = registry.sets.get(pairs.as_slice()).and_then(Weak::upgrade) {
            return set;
        }
        if registry.sets.len() >= registry.prune_at {
            registry.sets.retain(|_, set| set.strong_count() > 0);
            registry.prune_at = (registry.sets.len() * 2).max(MIN_PRUNE_AT);
        }
        let pairs = pairs.into_boxed_slice();
        let set = Arc::new(PairSet {
            pairs: pairs.clone(),
            latest: Mutex::new(None),
        });
        registry.sets.insert(pairs, Arc::downgrade(&set));
        set
    }

    /// Pair lists with at least one feed.
    #[cfg(test)]
    fn live_sets(&self) -> usize {
        lock(&self.registry)
            .sets
            .values()
            .filter(|set| set.strong_count() > 0)
            .count()
    }
}

/// One list of pairs and its latest encoded update.
#[derive(Debug)]
pub struct PairSet {
    pairs: Box<[Pair]>,
    /// The latest tick's sequence and its update, encoded once.
    latest: Mutex<Option<(u64, EncodedRateUpdate)>>,
}

impl PairSet {
    /// The update of these pairs at `snapshot`'s tick: encoded by the first
    /// feed that asks, shared with the others.
    pub fn update(&self, snapshot: &Snapshot) -> Result<EncodedRateUpdate, DomainError> {
        let sequence = snapshot.tick.sequence;
        let mut latest = lock(&self.latest);
        match &*latest {
            Some((shared, update)) if *shared == sequence => return Ok(update.clone()),
            // An older tick than the one shared: this feed's alone.
            Some((shared, _)) if *shared > sequence => {
                drop(latest);
                return Ok(Encoded::new(&wire::rate_update(snapshot, &self.pairs)?));
            }
            _ => {}
        }
        // Encoded under the lock: the set's other feeds want the same bytes
        // and would otherwise encode them too.
        let update = Encoded::new(&wire::rate_update(snapshot, &self.pairs)?);
        *latest = Some((sequence, update.clone()));
        Ok(update)
    }
}

/// Every lock here guards plain data that a panic cannot leave half-written.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bank_domain::currency;
    use bank_domain::rates::RateSource;

    fn source() -> RateSource {
        RateSource::new(42, 1_000, 10).expect("valid source")
    }

    fn snapshot(source: &RateSource, sequence: u64) -> Snapshot {
        source.snapshot(source.tick(sequence)).expect("priced")
    }

    fn pairs(list: &[&str]) -> Vec<Pair> {
        Pair::parse_list(list).expect("valid pairs")
    }

    #[test]
    fn feeds_of_the_same_pairs_share_one_encoding_per_tick() {
        let source = source();
        let updates = SharedUpdates::default();
        let first = updates.join(pairs(&["EUR/USD", "GBP/JPY"]));
        let second = updates.join(pairs(&["EUR/USD", "GBP/JPY"]));
        let other = updates.join(pairs(&["GBP/JPY", "EUR/USD"]));
        assert!(Arc::ptr_eq(&first, &second));
        assert!(!Arc::ptr_eq(&first, &other));

        let tick = snapshot(&source, 1_795_000_000);
        let a = first.update(&tick).expect("quoted");
        let b = second.update(&tick).expect("quoted");
        assert_eq!(a.bytes().as_ptr(), b.bytes().as_ptr());
        let expected = wire::rate_update(&tick, &first.pairs).expect("quoted");
        assert_eq!(a.to_message().expect("decodes"), expected);
    }

    #[test]
    fn an_older_tick_is_encoded_apart_and_the_newer_one_stays_shared() {
        let source = source();
        let set = SharedUpdates::default().join(pairs(&["EUR/USD"]));
        let old = snapshot(&source, 1_795_000_000);
        let new = snapshot(&source, 1_795_000_001);
        let shared = set.update(&new).expect("quoted");
        let late = set.update(&old).expect("quoted");
        assert_eq!(late.to_message().expect("decodes").sequence, old.tick.sequence);
        let again = set.update(&new).expect("quoted");
        assert_eq!(again.bytes().as_ptr(), shared.bytes().as_ptr());
    }

    #[test]
    fn sets_no_feed_holds_are_forgotten() {
        let updates = SharedUpdates::default();
        let all = currency::all();
        let mut created = 0;
        // Every pair of currencies, each its own list, each dropped at once
        // as a feed that ends: far more lists than the registry keeps.
        for base in all {
            for quote in all {
                if let Some(pair) = Pair::new(base, quote) {
                    drop(updates.join(vec![pair]));
                    created += 1;
                }
            }
        }
        assert!(created > MIN_PRUNE_AT * 2, "{created} lists");
        let kept = updates.join(pairs(&["EUR/USD"]));
        assert_eq!(updates.live_sets(), 1);
        assert!(lock(&updates.registry).sets.len() <= MIN_PRUNE_AT + 1);
        drop(kept);
    }
}
