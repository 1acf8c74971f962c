//! `Pair::parse` and `Pair::parse_list` against an independent reference.
//!
//! Input: UTF-8 text (other inputs are skipped). The whole text is parsed as
//! one pair, and its lines (split on `\n`; an empty input is the empty list)
//! as the pair list of a feed request.
//!
//! Invariants:
//! - a pair parses exactly when the text is `AAA/BBB` with two supported,
//!   different codes (supported = listed by `currency::all()`, checked by a
//!   linear search, not through the parser's own lookup table);
//! - a parsed pair's `Display` is the text it came from (the only spelling
//!   accepted is the canonical one), and its currencies are the table's;
//! - a refusal names the `pairs` field, the pair's index and the right
//!   problem (malformed, the first unsupported code, or the same currency);
//! - `parse_list` refuses more than `MAX_PAIRS_PER_FEED` pairs, expands the
//!   empty list to every currency against USD, otherwise fails with the
//!   error of the first bad pair or returns the pairs in order, without
//!   duplicates.

#![no_main]

use bank_domain::currency;
use bank_domain::error::{DomainError, Field, InputProblem};
use bank_domain::rates::{MAX_PAIRS_PER_FEED, Pair};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let whole = Pair::parse(7, text);
    assert_eq!(whole, reference(7, text), "{text:?}");
    if let Ok(pair) = &whole {
        assert_eq!(pair.to_string(), text);
        assert_ne!(pair.base, pair.quote);
        assert_eq!(Pair::parse(0, &pair.to_string()), Ok(*pair));
    }

    let texts: Vec<&str> = if text.is_empty() {
        Vec::new()
    } else {
        text.split('\n').collect()
    };
    let listed = Pair::parse_list(&texts);
    if texts.len() > MAX_PAIRS_PER_FEED {
        let too_many = InputProblem::TooManyPairs {
            max: MAX_PAIRS_PER_FEED,
        };
        assert_eq!(listed, Err(DomainError::invalid(Field::Pairs, too_many)));
        return;
    }
    if texts.is_empty() {
        let pairs = listed.expect("the empty list is every currency against USD");
        assert_eq!(pairs.len(), currency::all().len() - 1);
        assert!(pairs.iter().all(|pair| pair.quote.code == "USD"));
        return;
    }
    let mut expected: Result<Vec<Pair>, DomainError> = Ok(Vec::new());
    for (index, text) in texts.iter().enumerate() {
        match reference(index, text) {
            Ok(pair) => {
                if let Ok(pairs) = &mut expected
                    && !pairs.contains(&pair)
                {
                    pairs.push(pair);
                }
            }
            Err(error) => {
                expected = Err(error);
                break;
            }
        }
    }
    assert_eq!(listed, expected, "{texts:?}");
    if let Ok(pairs) = listed {
        for (at, pair) in pairs.iter().enumerate() {
            assert!(!pairs[..at].contains(pair), "{pair} listed twice");
        }
    }
});

/// What `Pair::parse(index, text)` must return, built without the parser.
fn reference(index: usize, text: &str) -> Result<Pair, DomainError> {
    let invalid = |problem| Err(DomainError::invalid(Field::Pairs, problem));
    let bytes = text.as_bytes();
    let letters = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_uppercase);
    if bytes.len() != 7 || bytes[3] != b'/' || !letters(0..3) || !letters(4..7) {
        return invalid(InputProblem::PairMalformed { index });
    }
    let (base, quote) = (&text[..3], &text[4..]);
    let supported = |code: &str| currency::all().iter().find(|currency| currency.code == code);
    let (Some(base), Some(quote)) = (supported(base), supported(quote)) else {
        let code = if supported(base).is_none() { base } else { quote };
        return invalid(InputProblem::PairUnsupportedCurrency {
            index,
            code: code.to_owned(),
        });
    };
    if std::ptr::eq(base, quote) {
        return invalid(InputProblem::PairSameCurrency { index });
    }
    Ok(Pair::new(base, quote).expect("two different currencies make a pair"))
}
