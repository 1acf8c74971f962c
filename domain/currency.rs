//! The supported currencies: ISO 4217 codes, names, minor units, and the
//! baseline rate each one fluctuates around.
//!
//! The table is written once, sorted by code, and turned into [`Currency`]
//! values the first time it is used. A currency is always handled as
//! `&'static Currency`: having one proves the code is supported, and its
//! `index` gives it a slot in per-tick rate tables without hashing.
//!
//! Baselines are realistic mid-market levels. Three currencies keep their
//! real fixed parity to the euro (XOF, XAF, KMF) and so move with it; every
//! other currency follows its own seeded random walk against the US dollar.

use std::sync::LazyLock;

use rust_decimal::Decimal;

use super::error::{DomainError, Field, InputProblem};

/// A supported currency.
#[derive(Debug, PartialEq, Eq)]
pub struct Currency {
    /// ISO 4217 alphabetic code, e.g. `EUR`.
    pub code: &'static str,
    /// ISO 4217 English name, e.g. `Euro`.
    pub name: &'static str,
    /// ISO 4217 minor units: how many decimals an amount may carry.
    pub minor_units: u32,
    /// Position in [`all`], used as an array index by the rate tables.
    pub index: usize,
    /// How the rate source values this currency in US dollars.
    pub(crate) valuation: Valuation,
}

/// How one unit of a currency is valued in US dollars before fluctuation.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Valuation {
    /// The US dollar itself: every other value is expressed in it.
    Base,
    /// Floats around this many US dollars per unit.
    Floating { usd_per_unit: Decimal },
    /// Fixed parity: `units_per_anchor` units buy one unit of the anchor.
    Pegged {
        anchor: usize,
        units_per_anchor: Decimal,
    },
}

/// How the table below writes a baseline: the way markets quote it.
enum Quoted {
    Base,
    /// One unit of the currency costs this many US dollars (EUR, GBP, ...).
    InUsd(&'static str),
    /// One US dollar costs this many units of the currency (JPY, CHF, ...).
    PerUsd(&'static str),
    /// One unit of the anchor currency costs this many units, exactly.
    Pegged(&'static str, &'static str),
}

/// `(code, name, minor units, baseline)`, sorted by code.
const TABLE: &[(&str, &str, u32, Quoted)] = &[
    ("AED", "UAE Dirham", 2, Quoted::PerUsd("3.6725")),
    ("AUD", "Australian Dollar", 2, Quoted::InUsd("0.6550")),
    ("BHD", "Bahraini Dinar", 3, Quoted::PerUsd("0.376")),
    ("BRL", "Brazilian Real", 2, Quoted::PerUsd("5.45")),
    ("CAD", "Canadian Dollar", 2, Quoted::PerUsd("1.3650")),
    ("CDF", "Congolese Franc", 2, Quoted::PerUsd("2850")),
    ("CHF", "Swiss Franc", 2, Quoted::PerUsd("0.8850")),
    ("CLP", "Chilean Peso", 0, Quoted::PerUsd("945")),
    ("CNY", "Yuan Renminbi", 2, Quoted::PerUsd("7.2400")),
    ("CZK", "Czech Koruna", 2, Quoted::PerUsd("23.10")),
    ("DKK", "Danish Krone", 2, Quoted::PerUsd("6.8700")),
    ("DZD", "Algerian Dinar", 2, Quoted::PerUsd("134.50")),
    ("EGP", "Egyptian Pound", 2, Quoted::PerUsd("48.60")),
    ("EUR", "Euro", 2, Quoted::InUsd("1.0850")),
    ("GBP", "Pound Sterling", 2, Quoted::InUsd("1.2700")),
    ("GNF", "Guinean Franc", 0, Quoted::PerUsd("8600")),
    ("HKD", "Hong Kong Dollar", 2, Quoted::PerUsd("7.8100")),
    ("HTG", "Gourde", 2, Quoted::PerUsd("131.50")),
    ("HUF", "Forint", 2, Quoted::PerUsd("362.00")),
    ("IDR", "Rupiah", 2, Quoted::PerUsd("15750")),
    ("ILS", "New Israeli Sheqel", 2, Quoted::PerUsd("3.7200")),
    ("INR", "Indian Rupee", 2, Quoted::PerUsd("83.50")),
    ("ISK", "Iceland Krona", 0, Quoted::PerUsd("138")),
    ("JOD", "Jordanian Dinar", 3, Quoted::PerUsd("0.709")),
    ("JPY", "Yen", 0, Quoted::PerUsd("149.50")),
    ("KMF", "Comorian Franc", 0, Quoted::Pegged("EUR", "491.96775")),
    ("KRW", "Won", 0, Quoted::PerUsd("1370")),
    ("KWD", "Kuwaiti Dinar", 3, Quoted::PerUsd("0.3075")),
    ("MAD", "Moroccan Dirham", 2, Quoted::PerUsd("9.9500")),
    ("MGA", "Malagasy Ariary", 2, Quoted::PerUsd("4550")),
    ("MXN", "Mexican Peso", 2, Quoted::PerUsd("17.90")),
    ("NOK", "Norwegian Krone", 2, Quoted::PerUsd("10.75")),
    ("NZD", "New Zealand Dollar", 2, Quoted::InUsd("0.6050")),
    ("OMR", "Rial Omani", 3, Quoted::PerUsd("0.3845")),
    ("PLN", "Zloty", 2, Quoted::PerUsd("3.9800")),
    ("RWF", "Rwanda Franc", 0, Quoted::PerUsd("1310")),
    ("SAR", "Saudi Riyal", 2, Quoted::PerUsd("3.7500")),
    ("SEK", "Swedish Krona", 2, Quoted::PerUsd("10.45")),
    ("SGD", "Singapore Dollar", 2, Quoted::PerUsd("1.3450")),
    ("THB", "Baht", 2, Quoted::PerUsd("35.80")),
    ("TND", "Tunisian Dinar", 3, Quoted::PerUsd("3.1200")),
    ("TRY", "Turkish Lira", 2, Quoted::PerUsd("32.50")),
    ("USD", "US Dollar", 2, Quoted::Base),
    ("VND", "Dong", 0, Quoted::PerUsd("24500")),
    ("XAF", "CFA Franc BEAC", 0, Quoted::Pegged("EUR", "655.957")),
    ("XOF", "CFA Franc BCEAO", 0, Quoted::Pegged("EUR", "655.957")),
    ("ZAR", "Rand", 2, Quoted::PerUsd("18.60")),
];

static CURRENCIES: LazyLock<Vec<Currency>> = LazyLock::new(build_table);

/// Every three-letter code `AAA`..`ZZZ` maps to a slot of this table, which
/// holds the currency's position plus one, or 0 for an unsupported code:
/// looking up a code is one index, not a search (17,576 bytes, built once).
static BY_CODE: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut slots = vec![0u8; 26 * 26 * 26];
    for currency in all() {
        if let Some(slot) = code_slot(currency.code) {
            slots[slot] = u8::try_from(currency.index + 1).expect("fewer than 255 currencies");
        }
    }
    slots
});

/// The slot of a three-uppercase-letter code, `None` for anything else.
fn code_slot(code: &str) -> Option<usize> {
    match code.as_bytes() {
        &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => {
            let letter = |byte: u8| usize::from(byte - b'A');
            Some((letter(a) * 26 + letter(b)) * 26 + letter(c))
        }
        _ => None,
    }
}

/// Turns [`TABLE`] into currencies. The table is a constant of this file, so
/// any mistake in it is a programming error caught by the unit tests below;
/// that is why `expect` is acceptable here.
fn build_table() -> Vec<Currency> {
    let constant = |text: &str| Decimal::from_str_exact(text).expect("baseline is a valid decimal");
    TABLE
        .iter()
        .enumerate()
        .map(|(index, (code, name, minor_units, quoted))| {
            let valuation = match quoted {
                Quoted::Base => Valuation::Base,
                Quoted::InUsd(usd) => Valuation::Floating {
                    usd_per_unit: constant(usd),
                },
                Quoted::PerUsd(units) => Valuation::Floating {
                    usd_per_unit: Decimal::ONE
                        .checked_div(constant(units))
                        .expect("baseline is not zero"),
                },
                Quoted::Pegged(anchor, units) => Valuation::Pegged {
                    anchor: TABLE
                        .iter()
                        .position(|(other, ..)| other == anchor)
                        .expect("anchor is in the table"),
                    units_per_anchor: constant(units),
                },
            };
            Currency {
                code,
                name,
                minor_units: *minor_units,
                index,
                valuation,
            }
        })
        .collect()
}

/// Every supported currency, sorted by code.
pub fn all() -> &'static [Currency] {
    &CURRENCIES
}

/// The currency with this exact code, if supported.
pub fn find(code: &str) -> Option<&'static Currency> {
    let position = usize::from(*BY_CODE.get(code_slot(code)?)?).checked_sub(1)?;
    all().get(position)
}

/// The US dollar, the currency every rate is derived from.
pub fn usd() -> &'static Currency {
    find("USD").expect("USD is in the table")
}

impl Currency {
    /// Parses a currency code from a request: exactly three uppercase ASCII
    /// letters naming a supported currency. Lowercase is refused rather than
    /// guessed at: the contract says uppercase, and clients that want to be
    /// forgiving (the `bank` CLI is) normalise before sending.
    pub fn parse(field: Field, text: &str) -> Result<&'static Currency, DomainError> {
        if !is_code_shaped(text) {
            return Err(DomainError::invalid(field, InputProblem::CurrencyMalformed));
        }
        find(text).ok_or_else(|| {
            DomainError::invalid(
                field,
                InputProblem::CurrencyUnsupported {
                    code: text.to_owned(),
                },
            )
        })
    }
}

/// Three uppercase ASCII letters: the shape of an ISO 4217 code.
pub fn is_code_shaped(text: &str) -> bool {
    code_slot(text).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_indexed_by_position() {
        let table = all();
        assert!(table.len() >= 30, "at least 30 currencies");
        for pair in table.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} then {}",
                pair[0].code,
                pair[1].code
            );
        }
        for (position, currency) in table.iter().enumerate() {
            assert_eq!(currency.index, position);
            assert!(is_code_shaped(currency.code));
            assert!(currency.minor_units <= 3);
        }
    }

    #[test]
    fn the_required_currencies_are_supported_with_iso_minor_units() {
        let expected = [
            ("USD", 2),
            ("EUR", 2),
            ("GBP", 2),
            ("JPY", 0),
            ("KRW", 0),
            ("XOF", 0),
            ("XAF", 0),
            ("KWD", 3),
            ("BHD", 3),
            ("TND", 3),
            ("MAD", 2),
            ("DZD", 2),
            ("CHF", 2),
            ("CAD", 2),
        ];
        for (code, minor_units) in expected {
            let currency = find(code).unwrap_or_else(|| panic!("{code} is supported"));
            assert_eq!(currency.minor_units, minor_units, "{code}");
        }
    }

    #[test]
    fn parse_accepts_only_supported_uppercase_codes() {
        assert_eq!(
            Currency::parse(Field::ToCurrency, "EUR").map(|c| c.code),
            Ok("EUR")
        );
        for bad in ["", "eur", "Eur", "EU", "EURO", " EUR", "E1R", "ÉUR"] {
            assert_eq!(
                Currency::parse(Field::ToCurrency, bad),
                Err(DomainError::invalid(
                    Field::ToCurrency,
                    InputProblem::CurrencyMalformed
                )),
                "{bad:?}"
            );
        }
        assert_eq!(
            Currency::parse(Field::ToCurrency, "XXX"),
            Err(DomainError::invalid(
                Field::ToCurrency,
                InputProblem::CurrencyUnsupported { code: "XXX".into() }
            ))
        );
    }
}
