//! Numbers and times as each language writes them, and forgiving input.
//!
//! The server sends exact decimal strings; they are only re-punctuated here,
//! never converted to a float: English `1,234.56`, French `1 234,56` (with a
//! narrow no-break space, U+202F, as French typography and CLDR use).
//! `--json` output bypasses all of this and prints the server's strings.

use std::time::{Duration, SystemTime};

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

/// What separates the items of a list on one line, as each language
/// punctuates it: English `a; b`, French `a ; b` with a narrow no-break
/// space before the semicolon, so that a line is never cut before it.
pub fn semicolon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "; ",
        Lang::Fr => "\u{202F}; ",
    }
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
/// spaces dropped, digit groups joined as the language writes them
/// (`10,000.50` in English, `1 234,50` in French, as this CLI writes them
/// too) and, in French, a decimal comma turned into a point (`12,50` ->
/// `12.50`). Only what is unambiguous is changed: groups are joined only
/// when every group after the first has exactly three digits. Anything else
/// is passed on as typed: the server is the authority on what is valid,
/// and says precisely what is wrong.
pub fn amount_input(lang: Lang, text: &str) -> String {
    let text = text.trim();
    let (point, groups): (char, &[char]) = match lang {
        Lang::En => ('.', &[',']),
        // A lone comma with no point is the French decimal comma.
        Lang::Fr if !text.contains('.') && text.matches(',').count() == 1 => (',', &FRENCH_GROUP_SPACES),
        Lang::Fr => ('.', &FRENCH_GROUP_SPACES),
    };
    let (integer, fraction) = match text.split_once(point) {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (text, None),
    };
    let integer = ungrouped(integer, groups).unwrap_or_else(|| integer.to_owned());
    match fraction {
        Some(fraction) => format!("{integer}.{fraction}"),
        None => integer,
    }
}

/// `1 234 567` -> `1234567` (or `1,234,567` in English) when the groups are
/// those of a written number: one to three digits, then groups of exactly
/// three, split by one of `separators`; `None` otherwise (`12 34` could be
/// two numbers, `1,5` a decimal comma: both are left for the server to
/// refuse).
fn ungrouped(integer: &str, separators: &[char]) -> Option<String> {
    let mut groups = integer.split(separators);
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

/// What is wrong with a value the command line parses itself (durations,
/// instants, amounts). clap keeps it as the source of its error, and
/// `cli::usage_error` turns it into a sentence in the user's language and
/// a reason for `--json`; the `Display` text is for developers only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ArgProblem {
    /// `5`: a number with no unit (seconds? minutes?).
    #[error("a duration needs a unit")]
    DurationWithoutUnit,
    /// `0s`: nothing to wait for, or no time at all to wait.
    #[error("a duration must be more than zero")]
    DurationNotPositive,
    /// Not a duration at all.
    #[error("not a duration")]
    DurationMalformed,
    /// Longer than the option takes (`--slow 1h`): a typo, not a wish.
    #[error("a duration longer than {max:?}")]
    DurationTooLong { max: Duration },
    /// Neither an RFC 3339 time nor a duration ago.
    #[error("not an instant")]
    InstantMalformed,
    /// A duration ago that reaches before 1970.
    #[error("an instant before 1970")]
    InstantBeforeEpoch,
    /// `-5`: an amount is never negative (the direction is in the currencies).
    #[error("a negative amount")]
    AmountNegative,
}

impl ArgProblem {
    /// The reason `--json` reports, in the style of the server's
    /// `google.rpc.ErrorInfo` reasons.
    pub fn reason(self) -> &'static str {
        match self {
            ArgProblem::DurationWithoutUnit => "DURATION_WITHOUT_UNIT",
            ArgProblem::DurationNotPositive => "DURATION_NOT_POSITIVE",
            ArgProblem::DurationMalformed => "DURATION_MALFORMED",
            // A value outside what the option accepts, as for a choice
            // that is not in its list.
            ArgProblem::DurationTooLong { .. } => "INVALID_VALUE",
            ArgProblem::InstantMalformed => "INSTANT_MALFORMED",
            ArgProblem::InstantBeforeEpoch => "INSTANT_BEFORE_1970",
            ArgProblem::AmountNegative => "AMOUNT_NEGATIVE",
        }
    }
}

/// A duration as the command line takes it (`--timeout`, `--interval`,
/// `--since`, the benchmarks' lengths): a number with a unit (`500ms`,
/// `5s`, `1h 30m`), more than zero. A bare number is refused rather than
/// guessed at: `5` could be seconds or milliseconds.
pub fn duration_input(text: &str) -> Result<Duration, ArgProblem> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ArgProblem::DurationWithoutUnit);
    }
    match humantime::parse_duration(text) {
        Ok(duration) if duration.is_zero() => Err(ArgProblem::DurationNotPositive),
        Ok(duration) => Ok(duration),
        Err(_) => Err(ArgProblem::DurationMalformed),
    }
}

/// A duration as [`duration_input`] takes it, and at most `max`: for the
/// options where a longer one can only be a mistake.
pub fn duration_at_most(text: &str, max: Duration) -> Result<Duration, ArgProblem> {
    let duration = duration_input(text)?;
    if duration > max {
        return Err(ArgProblem::DurationTooLong { max });
    }
    Ok(duration)
}

/// An instant as the command line takes it (`--at`, `--from`, `--to`):
/// RFC 3339 (`2026-11-24T09:30:00Z`) or a duration ago (`90m`, `7d`).
pub fn instant_input(text: &str) -> Result<SystemTime, ArgProblem> {
    if let Ok(instant) = humantime::parse_rfc3339_weak(text) {
        return Ok(instant);
    }
    let ago = duration_input(text).map_err(|problem| match problem {
        ArgProblem::DurationWithoutUnit => problem,
        _ => ArgProblem::InstantMalformed,
    })?;
    SystemTime::now()
        .checked_sub(ago)
        .ok_or(ArgProblem::InstantBeforeEpoch)
}

/// `bank convert`'s amount as clap reads it: anything but a negative
/// number, which clap would otherwise take for an unknown option (`-5`).
/// The rest is the server's to judge.
pub fn amount_arg(text: &str) -> Result<String, ArgProblem> {
    match text.trim().strip_prefix('-') {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == ',') => {
            Err(ArgProblem::AmountNegative)
        }
        _ => Ok(text.to_owned()),
    }
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
            "a comma before two digits is not an English group: the server refuses it"
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
    fn english_input_accepts_thousands_separators_and_reads_back_english_output() {
        assert_eq!(amount_input(Lang::En, "10,000.50"), "10000.50");
        assert_eq!(amount_input(Lang::En, "1,234,567"), "1234567");
        let written = decimal(Lang::En, "1234567.891");
        assert_eq!(amount_input(Lang::En, &written), "1234567.891");
        for ambiguous in ["1,5", "12,34.5", "1234,567", "1,,234", "10,000,5"] {
            assert_eq!(amount_input(Lang::En, ambiguous), ambiguous, "{ambiguous:?}");
        }
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
    fn durations_need_a_unit_and_must_be_positive() {
        assert_eq!(duration_input("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration_input("1h 30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(duration_input("5"), Err(ArgProblem::DurationWithoutUnit));
        assert_eq!(duration_input("0s"), Err(ArgProblem::DurationNotPositive));
        assert_eq!(duration_input("soon"), Err(ArgProblem::DurationMalformed));
        assert_eq!(instant_input("90"), Err(ArgProblem::DurationWithoutUnit));
        assert_eq!(instant_input("yesterday"), Err(ArgProblem::InstantMalformed));
        assert!(instant_input("2026-11-24T09:30:00Z").is_ok());
    }

    #[test]
    fn a_negative_amount_is_named_as_such() {
        assert_eq!(amount_arg("-5"), Err(ArgProblem::AmountNegative));
        assert_eq!(amount_arg("-,5"), Err(ArgProblem::AmountNegative));
        assert_eq!(amount_arg("5").as_deref(), Ok("5"));
        assert_eq!(amount_arg("-x").as_deref(), Ok("-x"), "left to the server");
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
