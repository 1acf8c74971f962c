//! Exact amounts of money in ISO 4217 minor units.
//!
//! A [`Money`] is an integer count of minor units (cents for USD, yen for
//! JPY, fils for KWD) and the currency that says where the decimal point
//! goes. Integers cannot drift: `0.1 + 0.2` is exactly `0.30`.
//!
//! Amounts enter only through [`Money::parse`], which accepts exactly the
//! grammar of the contract and nothing else. `rust_decimal`'s own parser is
//! deliberately not used for input: it accepts `1e5`, `1_000`, `+1` and `.5`
//! and silently rounds extra digits, which a bank must refuse instead.
//!
//! The one rounding rule of the service, half to even, lives here too
//! ([`round_half_even`]); conversion rounds exactly once with it.

use std::fmt;

use super::currency::Currency;
use super::error::InputProblem;

/// An amount must be below 10^15 units of its currency: large enough for
/// any real transfer, small enough that `amount × rate` stays far inside
/// `i128` and `rust_decimal`'s 96-bit range, so no conversion can overflow.
pub const MAX_INTEGER_DIGITS: usize = 15;

/// A positive amount of one currency, in its minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    minor: i128,
    currency: &'static Currency,
}

impl Money {
    /// Parses a request amount: `^(0|[1-9][0-9]*)(\.[0-9]+)?$` in ASCII
    /// digits, greater than zero, below 10^15 units, and with no more
    /// fraction digits than the currency's minor units (`"1.0"` JPY has one
    /// fraction digit and is refused even though its value is whole).
    pub fn parse(text: &str, currency: &'static Currency) -> Result<Money, InputProblem> {
        let (integer, fraction) = match text.split_once('.') {
            Some((integer, fraction)) => (integer, Some(fraction)),
            None => (text, None),
        };
        let well_formed = is_digits(integer)
            && (integer == "0" || !integer.starts_with('0'))
            && fraction.is_none_or(is_digits);
        if !well_formed {
            return Err(InputProblem::AmountMalformed);
        }
        if integer.len() > MAX_INTEGER_DIGITS {
            return Err(InputProblem::AmountTooLarge);
        }
        let fraction = fraction.unwrap_or("");
        let scale = currency.minor_units;
        if fraction.len() > scale as usize {
            return Err(InputProblem::AmountTooPrecise {
                currency: currency.code,
                minor_units: scale,
            });
        }
        // At most 15 + 3 digits: this fits an i128 with room to spare, so
        // the arithmetic below cannot overflow.
        let padding = scale - fraction.len() as u32;
        let minor = digits_value(integer) * pow10(scale) + digits_value(fraction) * pow10(padding);
        if minor == 0 {
            return Err(InputProblem::AmountZero);
        }
        Ok(Money { minor, currency })
    }

    /// An amount of `minor` minor units of `currency`, as computed by the
    /// domain (conversions, totals).
    pub fn from_minor(minor: i128, currency: &'static Currency) -> Money {
        Money { minor, currency }
    }

    /// The amount in minor units: 12345 for 123.45 USD.
    pub fn minor(&self) -> i128 {
        self.minor
    }

    pub fn currency(&self) -> &'static Currency {
        self.currency
    }
}

/// Written with exactly the currency's minor units: `100.00` USD, `15023`
/// JPY, `1.250` KWD. Integer formatting only, so nothing is ever truncated.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_minor_units(f, self.minor, self.currency.minor_units)
    }
}

/// Writes `minor` minor units with `scale` decimals (`12345`, 2 -> `123.45`).
///
/// Digits are produced by integer division into a stack buffer: exact by
/// construction, and about four times faster than going through `Decimal`'s
/// `Display`, which matters because every response writes two amounts.
pub fn write_minor_units(out: &mut impl fmt::Write, minor: i128, scale: u32) -> fmt::Result {
    // 39 digits of a u128, a point and a sign, with room to spare.
    let mut buffer = [0u8; 48];
    let mut at = buffer.len();
    let mut push = |byte: u8| {
        at -= 1;
        buffer[at] = byte;
    };
    let mut magnitude = minor.unsigned_abs();
    let mut written = 0;
    loop {
        if written == scale && scale > 0 {
            push(b'.');
        }
        // Most amounts fit 64 bits, whose division is much cheaper.
        let digit = match u64::try_from(magnitude) {
            Ok(small) => {
                magnitude = u128::from(small / 10);
                small % 10
            }
            Err(_) => {
                let digit = (magnitude % 10) as u64;
                magnitude /= 10;
                digit
            }
        };
        push(b'0' + digit as u8);
        written += 1;
        if magnitude == 0 && written > scale {
            break;
        }
    }
    if minor < 0 {
        push(b'-');
    }
    // Only ASCII digits, '.' and '-' were written.
    out.write_str(std::str::from_utf8(&buffer[at..]).map_err(|_| fmt::Error)?)
}

/// `10^exponent` for the small exponents money needs (at most 38).
pub fn pow10(exponent: u32) -> i128 {
    10i128.pow(exponent)
}

/// Divides `value` by `10^digits` and rounds the quotient half to even
/// (banker's rounding): ties go to the even neighbour, so rounding errors do
/// not pile up in one direction over many conversions. `None` if `digits`
/// is beyond what an `i128` can hold.
pub fn round_half_even(value: i128, digits: u32) -> Option<i128> {
    if digits == 0 {
        return Some(value);
    }
    let divisor = 10i128.checked_pow(digits)?;
    let quotient = value / divisor;
    let remainder = (value % divisor).unsigned_abs();
    // remainder < divisor <= 10^38 < u128::MAX / 2, so doubling is safe.
    let twice = remainder * 2;
    let half = divisor.unsigned_abs();
    let away_from_zero = twice > half || (twice == half && quotient % 2 != 0);
    Some(if away_from_zero {
        quotient + value.signum()
    } else {
        quotient
    })
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// The value of a string of at most 18 ASCII digits (checked by the caller).
fn digits_value(digits: &str) -> i128 {
    digits
        .bytes()
        .fold(0i128, |value, digit| value * 10 + i128::from(digit - b'0'))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use regex::Regex;
    use rust_decimal::{Decimal, RoundingStrategy};

    use super::*;
    use crate::currency::find;

    fn currency(code: &str) -> &'static Currency {
        find(code).expect("test currency exists")
    }

    fn parse(text: &str, code: &str) -> Result<String, InputProblem> {
        Money::parse(text, currency(code)).map(|money| money.to_string())
    }

    #[test]
    fn amounts_are_echoed_with_the_currency_minor_units() {
        assert_eq!(parse("100", "USD"), Ok("100.00".into()));
        assert_eq!(parse("100.5", "USD"), Ok("100.50".into()));
        assert_eq!(parse("0.01", "USD"), Ok("0.01".into()));
        assert_eq!(parse("15023", "JPY"), Ok("15023".into()));
        assert_eq!(parse("1.25", "KWD"), Ok("1.250".into()));
        assert_eq!(
            parse("999999999999999.999", "KWD"),
            Ok("999999999999999.999".into())
        );
    }

    #[test]
    fn minor_units_are_written_with_exactly_the_scale() {
        let written = |minor: i128, scale| {
            let mut text = String::new();
            write_minor_units(&mut text, minor, scale).expect("writes");
            text
        };
        assert_eq!(written(0, 2), "0.00");
        assert_eq!(written(5, 2), "0.05");
        assert_eq!(written(12_345, 2), "123.45");
        assert_eq!(written(12_345, 0), "12345");
        assert_eq!(written(1_250, 3), "1.250");
        assert_eq!(written(-1_250, 3), "-1.250");
        assert_eq!(written(i128::MAX, 2), "1701411834604692317316873037158841057.27");
        assert_eq!(written(i128::MIN, 0), "-170141183460469231731687303715884105728");
    }

    #[test]
    fn malformed_amounts_are_refused() {
        for bad in [
            "", " 1", "1 ", "+1", "-1", "1e5", "1E5", "1_000", "1,000", "1,5", ".5", "5.", "01", "00",
            "00.5", "NaN", "inf", "Infinity", "0x10", "1..2", "1.2.3", "١٢٣", "１", "1\n",
        ] {
            assert_eq!(parse(bad, "USD"), Err(InputProblem::AmountMalformed), "{bad:?}");
        }
    }

    #[test]
    fn zero_too_precise_and_too_large_amounts_are_refused() {
        assert_eq!(parse("0", "USD"), Err(InputProblem::AmountZero));
        assert_eq!(parse("0.00", "USD"), Err(InputProblem::AmountZero));
        let too_precise = |code, minor_units| InputProblem::AmountTooPrecise {
            currency: code,
            minor_units,
        };
        assert_eq!(parse("1.0", "JPY"), Err(too_precise("JPY", 0)));
        assert_eq!(parse("1.001", "USD"), Err(too_precise("USD", 2)));
        assert_eq!(parse("1.0001", "KWD"), Err(too_precise("KWD", 3)));
        assert_eq!(
            parse("1000000000000000", "USD"),
            Err(InputProblem::AmountTooLarge)
        );
        assert_eq!(
            parse(&"9".repeat(10_000), "USD"),
            Err(InputProblem::AmountTooLarge)
        );
        assert_eq!(
            parse("999999999999999.99", "USD"),
            Ok("999999999999999.99".into())
        );
    }

    #[test]
    fn half_even_rounding_sends_ties_to_the_even_neighbour() {
        let cases = [
            (125, 1, 12),
            (135, 1, 14),
            (124, 1, 12),
            (126, 1, 13),
            (-125, 1, -12),
            (-135, 1, -14),
            (5, 1, 0),
            (15, 1, 2),
            (25, 1, 2),
            (12_345_000, 4, 1234),
            (12_355_000, 4, 1236),
            (12_345_001, 4, 1235),
            (7, 0, 7),
        ];
        for (value, digits, expected) in cases {
            assert_eq!(
                round_half_even(value, digits),
                Some(expected),
                "{value} / 10^{digits}"
            );
        }
        assert_eq!(round_half_even(1, 39), None);
    }

    proptest! {
        #[test]
        fn parse_accepts_exactly_the_contract_grammar(text in "[0-9.+e_ -]{0,8}|(0|[1-9][0-9]{0,16})(\\.[0-9]{1,4})?") {
            let grammar = Regex::new(r"^(0|[1-9][0-9]*)(\.[0-9]+)?$").expect("valid regex");
            let parsed = Money::parse(&text, currency("KWD"));
            if grammar.is_match(&text) {
                prop_assert_ne!(parsed, Err(InputProblem::AmountMalformed));
            } else {
                prop_assert_eq!(parsed, Err(InputProblem::AmountMalformed));
            }
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,40}") {
            let _ = Money::parse(&text, currency("USD"));
        }

        #[test]
        fn parsed_amounts_keep_their_exact_decimal_value(integer in 0u64..1_000_000_000_000_000, fraction in 0u32..1000) {
            let text = format!("{integer}.{fraction:03}");
            let expected = Decimal::from_str_exact(&text).expect("valid decimal");
            match Money::parse(&text, currency("KWD")) {
                Ok(money) => {
                    prop_assert_eq!(money.to_string(), text);
                    prop_assert_eq!(Decimal::from_i128_with_scale(money.minor(), 3), expected);
                }
                Err(problem) => prop_assert!(expected.is_zero() && problem == InputProblem::AmountZero),
            }
        }

        #[test]
        fn written_amounts_match_rust_decimal(minor in any::<i64>(), scale in 0u32..4) {
            let mut ours = String::new();
            write_minor_units(&mut ours, i128::from(minor), scale).expect("writes");
            prop_assert_eq!(ours, Decimal::new(minor, scale).to_string());
        }

        #[test]
        fn half_even_rounding_matches_rust_decimal(value in any::<i64>(), digits in 0u32..12) {
            let expected = Decimal::from_i128_with_scale(i128::from(value), digits)
                .round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven);
            prop_assert_eq!(round_half_even(i128::from(value), digits).map(Decimal::from), Some(expected));
        }
    }
}
