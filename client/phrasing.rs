//! The server's refusals in the command line's own terms.
//!
//! Every error a Bank Service sends carries a `google.rpc.ErrorInfo`: a
//! stable `reason` naming the problem (`AMOUNT_NOT_DECIMAL`) and metadata
//! with what a client needs to explain it (the currency, its minor units).
//! The server's own sentence (`google.rpc.LocalizedMessage`) describes the
//! wire: a French reader is told to send `12.50`, with a point, because
//! that is what a program must put in the `amount` field. This CLI reads
//! French amounts with a decimal comma (`12,50`) and English ones with
//! thousands separators (`10,000.50`), so for the problems a person fixes
//! on the command line it says what to type, in its own words. Any other
//! reason, and any server that sends none, keeps the server's sentence.
//!
//! The same reasons reach batch and session items (`ItemError.reason`),
//! phrased the same way.

use bank_i18n::{FluentValue, Messages};
use bank_proto::v1::ItemError;

/// The `domain` of the reasons phrased here: this service's.
const SERVER_DOMAIN: &str = "bank.v1";

/// The reasons phrased in the CLI's terms, and their catalog ids. The
/// metadata each one uses is the server's (see `server/status.rs`).
const PHRASED: &[(&str, &str)] = &[
    ("AMOUNT_NOT_DECIMAL", "error-reason-amount-not-decimal"),
    ("AMOUNT_NOT_POSITIVE", "error-reason-amount-not-positive"),
    ("AMOUNT_TOO_PRECISE", "error-reason-amount-too-precise"),
    ("AMOUNT_TOO_LARGE", "error-reason-amount-too-large"),
    ("CURRENCY_CODE_MALFORMED", "error-reason-currency-code-malformed"),
    ("CURRENCY_NOT_SUPPORTED", "error-reason-currency-not-supported"),
    ("PAIR_MALFORMED", "error-reason-pair-malformed"),
    ("PAIR_SAME_CURRENCY", "error-reason-pair-same-currency"),
    ("TICK_NOT_STARTED", "error-reason-tick-not-started"),
    ("BEYOND_HISTORY", "error-reason-beyond-history"),
];

/// What to say about a rejected batch or session item: the CLI's own words
/// for its reason, else the server's sentence.
pub fn item(messages: &Messages, error: &ItemError) -> String {
    phrase(messages, SERVER_DOMAIN, &error.reason, &error.metadata).unwrap_or_else(|| error.message.clone())
}

/// The CLI's clause for `reason` from `domain`, with `metadata` as its
/// arguments; `None` when the CLI has no words of its own for it.
pub fn phrase<'a>(
    messages: &Messages,
    domain: &str,
    reason: &str,
    metadata: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> Option<String> {
    if domain != SERVER_DOMAIN {
        return None;
    }
    let metadata: Vec<(&String, &String)> = metadata.into_iter().collect();
    // TICK_NOT_STARTED is also a `from_sequence` past the next tick (its
    // metadata then says which tick is `next`): that is no instant, and
    // keeps the server's words.
    if reason == "TICK_NOT_STARTED" && metadata.iter().any(|(key, _)| *key == "next") {
        return None;
    }
    let (_, id) = PHRASED.iter().find(|(known, _)| *known == reason)?;
    // Counts travel as text; Fluent needs numbers to choose a plural.
    let args: Vec<(&str, FluentValue<'_>)> = metadata
        .into_iter()
        .map(|(key, value)| {
            let value = match value.parse::<u64>() {
                Ok(number) => FluentValue::from(number),
                Err(_) => FluentValue::from(value.as_str()),
            };
            (key.as_str(), value)
        })
        .collect();
    Some(messages.format(id, &args))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use bank_i18n::Lang;

    fn metadata(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn french_amounts_are_described_with_a_decimal_comma() {
        let french = phrase(
            Messages::of(Lang::Fr),
            "bank.v1",
            "AMOUNT_NOT_DECIMAL",
            &metadata(&[("field", "amount")]),
        )
        .expect("phrased");
        assert!(french.contains("12,50") && french.contains("montant"), "{french}");
        let english = phrase(
            Messages::of(Lang::En),
            "bank.v1",
            "AMOUNT_NOT_DECIMAL",
            &HashMap::new(),
        )
        .expect("phrased");
        assert!(english.contains("10,000.50"), "{english}");
    }

    #[test]
    fn minor_units_choose_the_plural() {
        let en = Messages::of(Lang::En);
        let none = phrase(
            en,
            "bank.v1",
            "AMOUNT_TOO_PRECISE",
            &metadata(&[("currency", "JPY"), ("minor_units", "0")]),
        );
        assert_eq!(
            none.as_deref(),
            Some("JPY has no decimals: the amount must be a whole number")
        );
        let two = phrase(
            en,
            "bank.v1",
            "AMOUNT_TOO_PRECISE",
            &metadata(&[("currency", "USD"), ("minor_units", "2")]),
        );
        assert_eq!(
            two.as_deref(),
            Some("USD has 2 decimals: the amount cannot have more")
        );
    }

    #[test]
    fn a_sequence_not_yet_started_is_not_called_an_instant() {
        let en = Messages::of(Lang::En);
        let instant = metadata(&[("field", "at")]);
        assert!(phrase(en, "bank.v1", "TICK_NOT_STARTED", &instant).is_some());
        let sequence = metadata(&[("field", "from_sequence"), ("next", "1790000001")]);
        assert_eq!(phrase(en, "bank.v1", "TICK_NOT_STARTED", &sequence), None);
    }

    #[test]
    fn other_reasons_and_other_domains_keep_the_servers_words() {
        let en = Messages::of(Lang::En);
        assert_eq!(
            phrase(en, "bank.v1", "TOO_MANY_FEEDS", &HashMap::<String, String>::new()),
            None
        );
        assert_eq!(
            phrase(
                en,
                "example.com",
                "AMOUNT_NOT_DECIMAL",
                &HashMap::<String, String>::new()
            ),
            None
        );
    }

    #[test]
    fn every_phrased_reason_has_words_in_every_catalog() {
        for lang in Lang::ALL {
            for (_, id) in PHRASED {
                assert!(Messages::of(lang).has(id), "{id} in {lang:?}");
            }
        }
    }
}
