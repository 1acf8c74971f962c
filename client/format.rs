//! Numbers and times as each language writes them, and forgiving input.
//!
//! The server sends exact decimal strings; they are only re-punctuated here,
//! never converted to a float: English `1,234.56`, French `1 234,56` (with a
//! narrow no-break space, U+202F, as French typography and CLDR use).
//! `--json` output bypasses all of this and prints the server's strings.

use std::time::SystemTime;

use prost_types::Timestamp;

use bank_i18n::Lang;

/// The French thousands separator: a narrow no-break space.
const FRENCH_GROUP: char = '\u{202F}';

/// A decimal string (`"1234.56"`) written for `lang` (`"1 234,56"`).
pub fn decimal(lang: Lang, text: &str) -> String {
    let (integer, fraction) = match text.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (text, None),
    };
    let (sign, digits) = match integer.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", integer),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return text.to_owned();
    }
    let (group, point) = match lang {
        Lang::En => (',', '.'),
        Lang::Fr => (FRENCH_GROUP, ','),
    };
    let mut out = String::with_capacity(text.len() + digits.len() / 3 + 1);
    out.push_str(sign);
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position) % 3 == 0 {
            out.push(group);
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push(point);
        out.push_str(fraction);
    }
    out
}

/// A count (rows, items, ticks) written for `lang`: `1,000,000` in
/// English, `1 000 000` in French.
pub fn count(lang: Lang, value: u64) -> String {
    decimal(lang, &value.to_string())
}

/// The spaces French writes between digit groups: a plain space, a no-break
/// space (U+00A0) and the narrow no-break space (U+202F) of [`decimal`].
const FRENCH_GROUP_SPACES: [char; 3] = [' ', '\u{A0}', FRENCH_GROUP];

/// An amount as typed by a user, made ready for the server: surrounding
/// spaces dropped and, in French, digit groups joined (`1 234,50`, as this
/// CLI writes it) and a decimal comma turned into a point (`12,50` ->
/// `12.50`). Only what is unambiguous is changed: groups are joined only
/// when every group after the first has exactly three digits. Anything else
/// is passed on as typed: the server is the authority on what is valid,
/// and says precisely what is wrong.
pub fn amount_input(lang: Lang, text: &str) -> String {
    let text = text.trim();
    if lang != Lang::Fr {
        return text.to_owned();
    }
    let comma = !text.contains('.') && text.matches(',').count() == 1;
    let (integer, fraction) = match text.split_once(if comma { ',' } else { '.' }) {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (text, None),
    };
    let integer = ungrouped(integer).unwrap_or_else(|| integer.to_owned());
    match fraction {
        Some(fraction) => format!("{integer}.{fraction}"),
        None => integer,
    }
}

/// `1 234 567` -> `1234567` when the groups are those of a French number:
/// one to three digits, then groups of exactly three; `None` otherwise
/// (`12 34` could be two numbers, and is left for the server to refuse).
fn ungrouped(integer: &str) -> Option<String> {
    let mut groups = integer.split(FRENCH_GROUP_SPACES);
    let first = groups.next()?;
    let digits = |group: &str| group.bytes().all(|b| b.is_ascii_digit());
    if !(1..=3).contains(&first.len()) || !digits(first) {
        return None;
    }
    let mut joined = first.to_owned();
    let mut any = false;
    for group in groups {
        if group.len() != 3 || !digits(group) {
            return None;
        }
        joined.push_str(group);
        any = true;
    }
    any.then_some(joined)
}

/// A currency code as typed by a user: any case is fine (`eur` -> `EUR`).
pub fn code_input(text: &str) -> String {
    text.trim().to_ascii_uppercase()
}

/// A pair as typed: `eur/usd`, `EURUSD` and `EUR-USD` all mean `EUR/USD`.
pub fn pair_input(text: &str) -> String {
    let upper = text.trim().to_ascii_uppercase();
    let letters: String = upper.chars().filter(char::is_ascii_alphabetic).collect();
    let separators_only = upper
        .chars()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '-' | ' '));
    if letters.len() == 6 && separators_only {
        format!("{}/{}", &letters[..3], &letters[3..])
    } else {
        upper
    }
}

/// An instant as the command line takes it (`--at`, `--from`, `--to`):
/// RFC 3339 (`2026-11-24T09:30:00Z`) or a duration ago (`90m`, `7d`).
pub fn instant_input(text: &str) -> Result<SystemTime, String> {
    if let Ok(instant) = humantime::parse_rfc3339_weak(text) {
        return Ok(instant);
    }
    let ago = humantime::parse_duration(text)
        .map_err(|_| format!("{text:?} is neither an RFC 3339 time nor a duration ago such as 90m or 7d"))?;
    SystemTime::now()
        .checked_sub(ago)
        .ok_or_else(|| format!("{text:?} reaches before 1970"))
}

/// A protobuf timestamp as RFC 3339 UTC, e.g. `2026-09-21T14:13:20Z`.
pub fn time(timestamp: Option<&Timestamp>) -> String {
    // RFC 3339, with milliseconds when the time has them: the proto3 JSON
    // mapping's form, the same `--json` writes (see `proto/json.rs`).
    timestamp.map_or_else(|| "-".to_owned(), Timestamp::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_grouped_and_punctuated_per_language() {
        assert_eq!(decimal(Lang::En, "1234567.891"), "1,234,567.891");
        assert_eq!(decimal(Lang::Fr, "1234.56"), "1\u{202F}234,56");
        assert_eq!(decimal(Lang::Fr, "100"), "100");
        assert_eq!(decimal(Lang::En, "0.9230769231"), "0.9230769231");
        assert_eq!(decimal(Lang::En, "-1234"), "-1,234");
    }

    #[test]
    fn french_input_accepts_a_decimal_comma() {
        assert_eq!(amount_input(Lang::Fr, " 12,50 "), "12.50");
        assert_eq!(amount_input(Lang::Fr, "12.50"), "12.50");
        assert_eq!(
            amount_input(Lang::En, "12,50"),
            "12,50",
            "English leaves it to the server"
        );
        assert_eq!(
            amount_input(Lang::Fr, "1,2,3"),
            "1,2,3",
            "ambiguous input is not guessed at"
        );
    }

    #[test]
    fn french_input_reads_back_french_output() {
        for typed in ["1 234,5", "1\u{A0}234,5", "1\u{202F}234,5"] {
            assert_eq!(amount_input(Lang::Fr, typed), "1234.5", "{typed:?}");
        }
        let written = decimal(Lang::Fr, "1234567.50");
        assert_eq!(amount_input(Lang::Fr, &written), "1234567.50");
        assert_eq!(amount_input(Lang::Fr, "12 345"), "12345");
        for ambiguous in ["12 34,5", "1 2345", "1234 567", "1  234", " 1 234 5"] {
            let kept = ambiguous.trim().replace(',', ".");
            assert_eq!(amount_input(Lang::Fr, ambiguous), kept, "{ambiguous:?}");
        }
        assert_eq!(
            amount_input(Lang::En, "1 234.5"),
            "1 234.5",
            "English leaves grouping to the server"
        );
    }

    #[test]
    fn counts_are_grouped_per_language() {
        assert_eq!(count(Lang::En, 1_000_000), "1,000,000");
        assert_eq!(count(Lang::Fr, 500_000), "500\u{202F}000");
        assert_eq!(count(Lang::Fr, 999), "999");
    }

    #[test]
    fn codes_and_pairs_are_accepted_in_any_case() {
        assert_eq!(code_input(" eur "), "EUR");
        assert_eq!(pair_input("eur/usd"), "EUR/USD");
        assert_eq!(pair_input("eurusd"), "EUR/USD");
        assert_eq!(pair_input("EUR-USD"), "EUR/USD");
        assert_eq!(pair_input("EUR/US"), "EUR/US");
    }

    #[test]
    fn times_are_rfc3339_utc() {
        let timestamp = Timestamp {
            seconds: 1_790_000_000,
            nanos: 0,
        };
        assert_eq!(time(Some(&timestamp)), "2026-09-21T14:13:20Z");
        assert_eq!(time(None), "-");
    }
}
