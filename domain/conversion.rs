//! One conversion: parse the request once, apply one rate, round once.
//!
//! ```text
//! converted = round_half_even(amount × rate, target minor units)
//! ```
//!
//! The product is computed exactly on integers (`amount` in minor units
//! times the rate's mantissa fits an `i128` with a wide margin), then
//! rounded a single time. `rust_decimal`'s multiplication is not used for
//! this step because it silently rounds products that exceed 96 bits; here
//! an out-of-range product is an error, never a quietly different number.
//! Any client can check a response from its own fields alone.

use rust_decimal::Decimal;

use super::currency::Currency;
use super::error::{DomainError, Field, InputProblem};
use super::money::{Money, pow10, round_half_even};
use super::rates::{Rate, Snapshot, Tick};

/// A request id is an opaque label echoed back; 128 bytes holds any UUID,
/// ULID or trace id, and keeps echoed errors small.
pub const MAX_REQUEST_ID_BYTES: usize = 128;

/// The request id to echo in an answer about a request: the id itself, or
/// nothing when it is longer than [`MAX_REQUEST_ID_BYTES`] (that request
/// was refused for it). An answer never grows with the caller's input.
pub fn echoable_request_id(request_id: &str) -> &str {
    if request_id.len() <= MAX_REQUEST_ID_BYTES {
        request_id
    } else {
        ""
    }
}

/// A conversion request whose every field is known to be valid.
///
/// The request id is not part of it: it is an opaque label that the
/// transport echoes back, and the domain has no use for it beyond checking
/// its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversionRequest {
    pub amount: Money,
    pub to: &'static Currency,
}

impl ConversionRequest {
    /// Parses the fields of a request. The first invalid field, in the order
    /// `from_currency`, `to_currency`, `amount`, `request_id`, is reported
    /// (the amount needs the source currency to know its minor units).
    pub fn parse(
        amount: &str,
        from_currency: &str,
        to_currency: &str,
        request_id: &str,
    ) -> Result<Self, DomainError> {
        let from = Currency::parse(Field::FromCurrency, from_currency)?;
        let to = Currency::parse(Field::ToCurrency, to_currency)?;
        let amount =
            Money::parse(amount, from).map_err(|problem| DomainError::invalid(Field::Amount, problem))?;
        if request_id.len() > MAX_REQUEST_ID_BYTES {
            return Err(DomainError::invalid(
                Field::RequestId,
                InputProblem::RequestIdTooLong {
                    max: MAX_REQUEST_ID_BYTES,
                },
            ));
        }
        Ok(Self { amount, to })
    }
}

/// A completed conversion, with everything needed to verify it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    pub amount: Money,
    pub converted: Money,
    /// The exact rate applied.
    pub rate: Rate,
    /// The tick whose rate was applied.
    pub tick: Tick,
}

/// Converts at the mid rate of `snapshot`.
pub fn convert(request: &ConversionRequest, snapshot: &Snapshot) -> Result<Conversion, DomainError> {
    let rate = snapshot.conversion_rate(request.amount.currency(), request.to)?;
    let converted = apply_rate(request.amount, request.to, rate.value)?;
    Ok(Conversion {
        amount: request.amount,
        converted,
        rate,
        tick: snapshot.tick,
    })
}

/// `amount × rate`, rounded once, half to even, to `to`'s minor units.
pub fn apply_rate(amount: Money, to: &'static Currency, rate: Decimal) -> Result<Money, DomainError> {
    // amount = minor_from / 10^from_units and rate = mantissa / 10^scale,
    // so the target's minor units are
    //   minor_from × mantissa / 10^(from_units + scale - to_units).
    let product = amount
        .minor()
        .checked_mul(rate.mantissa())
        .ok_or(DomainError::Overflow)?;
    let excess_digits =
        i64::from(amount.currency().minor_units) + i64::from(rate.scale()) - i64::from(to.minor_units);
    let minor = if excess_digits >= 0 {
        round_half_even(product, excess_digits as u32).ok_or(DomainError::Overflow)?
    } else {
        product
            .checked_mul(pow10(excess_digits.unsigned_abs() as u32))
            .ok_or(DomainError::Overflow)?
    };
    Ok(Money::from_minor(minor, to))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::RoundingStrategy;

    use super::*;
    use crate::currency::find;
    use crate::rates::RateSource;

    fn money(text: &str, code: &str) -> Money {
        Money::parse(text, find(code).expect("currency")).expect("valid amount")
    }

    fn rate(text: &str) -> Decimal {
        Decimal::from_str_exact(text).expect("valid rate")
    }

    fn converted(amount: &str, from: &str, to: &str, with_rate: &str) -> String {
        apply_rate(money(amount, from), find(to).expect("currency"), rate(with_rate))
            .expect("in range")
            .to_string()
    }

    #[test]
    fn results_are_rounded_once_half_to_even_to_the_target_minor_units() {
        assert_eq!(converted("100", "USD", "EUR", "0.9230769231"), "92.31");
        assert_eq!(converted("100", "USD", "JPY", "149.5012345"), "14950");
        assert_eq!(converted("1", "EUR", "KWD", "0.3336000000"), "0.334");
        // Ties: 0.125 -> 0.12 and 0.135 -> 0.14 (half to even).
        assert_eq!(converted("0.25", "USD", "EUR", "0.5000000000"), "0.12");
        assert_eq!(converted("0.27", "USD", "EUR", "0.5000000000"), "0.14");
        // A tie in yen: 2.5 -> 2, 3.5 -> 4.
        assert_eq!(converted("5", "JPY", "KRW", "0.5"), "2");
        assert_eq!(converted("7", "JPY", "KRW", "0.5"), "4");
        // Fewer source decimals than target: scaled up exactly.
        assert_eq!(converted("15023", "JPY", "KWD", "1"), "15023.000");
    }

    #[test]
    fn the_largest_amounts_convert_without_overflow() {
        let largest = "999999999999999.999";
        let result = converted(largest, "KWD", "VND", "79674.79675");
        assert!(result.starts_with("79674796749999"), "{result}");
    }

    #[test]
    fn an_out_of_range_product_is_an_error_not_a_panic() {
        let huge_rate = Decimal::MAX;
        assert_eq!(
            apply_rate(
                money("999999999999999.999", "KWD"),
                find("USD").expect("USD"),
                huge_rate
            ),
            Err(DomainError::Overflow)
        );
    }

    #[test]
    fn requests_report_the_first_invalid_field() {
        let parse = ConversionRequest::parse;
        assert_eq!(
            parse("1", "usd", "EUR", "").unwrap_err().field(),
            Some(Field::FromCurrency)
        );
        assert_eq!(
            parse("1", "USD", "EURO", "").unwrap_err().field(),
            Some(Field::ToCurrency)
        );
        assert_eq!(
            parse("1.001", "USD", "EUR", "").unwrap_err().field(),
            Some(Field::Amount)
        );
        let long_id = "x".repeat(MAX_REQUEST_ID_BYTES + 1);
        assert_eq!(
            parse("1", "USD", "EUR", &long_id).unwrap_err().field(),
            Some(Field::RequestId)
        );
        assert!(parse("1", "USD", "EUR", &"x".repeat(MAX_REQUEST_ID_BYTES)).is_ok());
    }

    #[test]
    fn a_conversion_uses_the_published_mid_of_its_tick() {
        let source = RateSource::new(9, 1_000, 20).expect("valid source");
        let snapshot = source.snapshot(source.tick(1_800_000_000)).expect("snapshot");
        let request = ConversionRequest::parse("100", "USD", "EUR", "r1").expect("valid");
        let conversion = convert(&request, &snapshot).expect("converted");
        let pair = crate::rates::Pair::parse(0, "USD/EUR").expect("pair");
        assert_eq!(conversion.rate.value, snapshot.quote(pair).expect("quote").mid);
        assert_eq!(&*conversion.rate.text, conversion.rate.value.to_string());
        assert_eq!(conversion.tick.sequence, 1_800_000_000);
        assert_eq!(conversion.amount.to_string(), "100.00");
    }

    proptest! {
        #[test]
        fn conversion_matches_exact_decimal_arithmetic(
            // Below 10^15 minor units so that the oracle's own 96-bit product
            // stays exact; our side is checked up to 10^18 above.
            minor in 1i64..1_000_000_000_000_000,
            rate_mantissa in 1i64..10_000_000_000,
            rate_scale in 0u32..16,
            from in prop::sample::select(vec!["JPY", "USD", "KWD"]),
            to in prop::sample::select(vec!["JPY", "USD", "KWD"]),
        ) {
            let from = find(from).expect("currency");
            let to = find(to).expect("currency");
            let amount = Money::from_minor(i128::from(minor), from);
            let rate = Decimal::new(rate_mantissa, rate_scale);
            let ours = apply_rate(amount, to, rate).expect("in range");
            // Oracle: rust_decimal, whose product is exact in this range.
            let exact = Decimal::new(minor, from.minor_units) * rate;
            let expected = exact.round_dp_with_strategy(to.minor_units, RoundingStrategy::MidpointNearestEven);
            let mut expected = expected;
            expected.rescale(to.minor_units);
            prop_assert_eq!(ours.to_string(), expected.to_string());
        }

        #[test]
        fn parsing_a_request_never_panics_and_never_echoes_huge_input(
            amount in "\\PC{0,300}",
            from in "\\PC{0,12}|[A-Z]{3}",
            to in "\\PC{0,12}|[A-Z]{3}",
            request_id in "\\PC{0,200}",
        ) {
            if let Err(error) = ConversionRequest::parse(&amount, &from, &to, &request_id) {
                // The error names a field and a problem; it never carries
                // the offending text whole (trailers have a size limit).
                let described = format!("{error:?}");
                prop_assert!(described.len() < 300, "{}", described);
            }
        }
    }
}
