//! `Money::parse` against an independent reference of the amount grammar.
//!
//! Input: the first byte picks the currency among `currency::all()`, the rest
//! is the amount text (inputs that are not UTF-8 are skipped: the service
//! only ever sees `&str`).
//!
//! Invariants, checked both ways:
//! - it parses exactly when the text matches `^(0|[1-9][0-9]*)(\.[0-9]+)?$`,
//!   has at most `MAX_INTEGER_DIGITS` (15) integer digits, at most the
//!   currency's minor units of fraction digits, and is not zero;
//! - a parsed amount is positive, keeps its currency, has the exact value of
//!   the text in minor units, and is written back (`to_string`) as the text
//!   padded with zeros to exactly the currency's minor units;
//! - a refused amount is refused for a rule it really breaks, and a text
//!   outside the grammar is always `AmountMalformed`.
//!
//! The reference below is a hand-written state machine over bytes: it shares
//! no code and no structure with the parser it checks.

#![no_main]

use bank_domain::currency;
use bank_domain::error::InputProblem;
use bank_domain::money::{MAX_INTEGER_DIGITS, Money};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let currencies = currency::all();
    let currency = &currencies[usize::from(selector) % currencies.len()];
    let scale = currency.minor_units as usize;
    let reference = Reference::of(text.as_bytes());

    match Money::parse(text, currency) {
        Ok(money) => {
            let Some(shape) = reference.shape else {
                panic!("{text:?} is outside the grammar but parsed as {money}");
            };
            assert!(
                shape.integer_digits <= MAX_INTEGER_DIGITS,
                "{text:?} has {} integer digits but parsed",
                shape.integer_digits
            );
            assert!(
                shape.fraction_digits <= scale,
                "{text:?} has more decimals than {} allows but parsed",
                currency.code
            );
            assert!(shape.nonzero, "{text:?} is zero but parsed");
            assert!(
                std::ptr::eq(money.currency(), currency),
                "{text:?} changed currency"
            );
            assert!(
                money.minor() > 0,
                "{text:?} parsed to {} minor units",
                money.minor()
            );

            // The text padded to exactly `scale` decimals.
            let mut canonical = text.to_owned();
            if scale > 0 && shape.fraction_digits == 0 {
                canonical.push('.');
            }
            canonical.extend(std::iter::repeat_n('0', scale - shape.fraction_digits));
            assert_eq!(money.to_string(), canonical, "{text:?} {}", currency.code);

            // Its value in minor units is the canonical text without its point.
            let minor: i128 = canonical
                .bytes()
                .filter(u8::is_ascii_digit)
                .fold(0, |value, digit| value * 10 + i128::from(digit - b'0'));
            assert_eq!(money.minor(), minor, "{text:?} {}", currency.code);
        }
        Err(problem) => {
            let Some(shape) = reference.shape else {
                assert_eq!(problem, InputProblem::AmountMalformed, "{text:?}");
                return;
            };
            let broken = match &problem {
                InputProblem::AmountMalformed => false,
                InputProblem::AmountTooLarge => shape.integer_digits > MAX_INTEGER_DIGITS,
                InputProblem::AmountTooPrecise {
                    currency: code,
                    minor_units,
                } => {
                    *code == currency.code
                        && *minor_units == currency.minor_units
                        && shape.fraction_digits > scale
                }
                InputProblem::AmountZero => !shape.nonzero,
                _ => false,
            };
            assert!(
                broken,
                "{text:?} ({} integer digits, {} decimals, nonzero: {}) refused for {problem:?} in {}",
                shape.integer_digits, shape.fraction_digits, shape.nonzero, currency.code
            );
        }
    }
});

/// What the reference makes of a text.
struct Reference {
    /// `None` if the text is outside the grammar.
    shape: Option<Shape>,
}

struct Shape {
    integer_digits: usize,
    fraction_digits: usize,
    nonzero: bool,
}

impl Reference {
    /// Runs the automaton of `^(0|[1-9][0-9]*)(\.[0-9]+)?$`:
    ///
    /// ```text
    /// Start --'0'--> Zero --'.'--> Point --digit--> Fraction --digit--> Fraction
    /// Start --1-9--> Integer --digit--> Integer
    ///                Integer --'.'--> Point
    /// ```
    ///
    /// accepting in `Zero`, `Integer` and `Fraction`.
    fn of(text: &[u8]) -> Reference {
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            Start,
            Zero,
            Integer,
            Point,
            Fraction,
        }
        let mut state = State::Start;
        let mut integer_digits = 0;
        let mut fraction_digits = 0;
        let mut nonzero = false;
        for &byte in text {
            let digit = byte.is_ascii_digit();
            state = match (state, byte) {
                (State::Start, b'0') => State::Zero,
                (State::Start, _) if digit => State::Integer,
                (State::Integer, _) if digit => State::Integer,
                (State::Zero | State::Integer, b'.') => State::Point,
                (State::Point | State::Fraction, _) if digit => State::Fraction,
                _ => return Reference { shape: None },
            };
            match state {
                State::Zero | State::Integer => integer_digits += 1,
                State::Fraction => fraction_digits += 1,
                State::Start | State::Point => {}
            }
            nonzero |= digit && byte != b'0';
        }
        let accepted = matches!(state, State::Zero | State::Integer | State::Fraction);
        Reference {
            shape: accepted.then_some(Shape {
                integer_digits,
                fraction_digits,
                nonzero,
            }),
        }
    }
}
