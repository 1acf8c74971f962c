//! The glossary (`docs/glossary.md`) held in a French catalog: the words
//! its last column, "where not to use the term", rules out in French,
//! found by a check any catalog can run on its texts (as
//! `harness::catalogs::catalog_texts` gives them). The page's catalog
//! (`web_locales`) and the CLI's (below) run it.
//!
//! Two kinds of fault are found:
//!
//! - « tick » as a French word: in French market jargon a tick is the
//!   smallest price step, so the interval one quote holds for is a
//!   « période de cotation ». « tick » stays only where it is a name or
//!   a formula: inside backticks, in field and flag names (`tick_ms`,
//!   `--tick-ms`, `--ticks`), in a variable (`{$ticks}`), and in the
//!   formula [n·tick ; (n+1)·tick[;
//! - the phrases the glossary says French never uses, each with the term
//!   that replaces it ([`NEVER_IN_FRENCH`]), « flux de cours » first.
//!
//! What no pattern can tell is a lone « flux » that means the feed (« le
//! flux s'est terminé ») rather than a gRPC stream; reviewers still read
//! for that.

use regex::Regex;

use crate::typography::{code_spans, faults_by_message};

/// Phrases the glossary rules out in French (case and spacing aside), and
/// what to say instead.
const NEVER_IN_FRENCH: &[(&str, &str)] = &[
    (
        r"flux\s+d(?:e|es|u)\s+(?:cours|taux)",
        "« fil des taux » for the rate feed: « flux » is the gRPC stream",
    ),
    (r"flux\s+HTTP/2", "« stream HTTP/2 »: « flux » is the gRPC stream"),
    (r"unités\s+mineures", "« unités divisionnaires »"),
    (r"cours\s+du\s+moment", "« taux en vigueur »"),
];

/// « tick » or « ticks » standing as a word: not glued to a name (a word
/// character, `_` or `-` on either side, `$` or `.` before) nor to a
/// formula (`·` before). Without look-around, the neighbours are matched
/// as groups.
fn tick_as_a_word() -> Regex {
    Regex::new(r"(?i)(?:^|[^\w·$.\-])ticks?(?:[^\w\-]|$)").expect("valid regex")
}

/// Every word of `text` the glossary rules out in French, code spans left
/// out.
fn glossary_faults(text: &str) -> Vec<String> {
    let prose = code_spans().replace_all(text, "CODE");
    let mut faults = Vec::new();
    if tick_as_a_word().is_match(&prose) {
        faults.push("« tick » in prose, say « période de cotation »".to_owned());
    }
    for (phrase, instead) in NEVER_IN_FRENCH {
        let pattern = Regex::new(&format!("(?i){phrase}")).expect("valid regex");
        if let Some(found) = pattern.find(&prose) {
            faults.push(format!("{:?}, say {instead}", found.as_str()));
        }
    }
    faults
}

/// Every glossary fault in a French catalog's `texts`, each with its
/// message id.
pub(crate) fn french_glossary_faults(texts: &[(String, String)]) -> Vec<String> {
    faults_by_message(texts, glossary_faults)
}

#[test]
fn the_glossary_check_catches_tick_in_prose_and_the_feed_called_flux_de_cours() {
    for right in [
        "Période n° {$sequence} · 2 périodes de cotation sautées",
        "l’intervalle [n·tick ; (n+1)·tick[ depuis l’époque Unix",
        "toutes les {$tick_ms} ms (`tick_ms`, voir --tick-ms et --ticks)",
        "{$ticks} périodes",
        "le fil des taux, un flux serveur ; le contrôle de flux d’HTTP/2",
        "son stream HTTP/2 {$stream}",
    ] {
        assert!(glossary_faults(right).is_empty(), "{right:?} is refused");
    }
    for wrong in [
        "Tick {$sequence}",
        "un tick sauté",
        "{$count} ticks sautés",
        "Durée d’une période de cotation (tick)",
        "le flux de cours s’est terminé",
        "le flux des taux",
        "flux HTTP/2 {$stream}",
        "en unités mineures",
        "au cours du moment",
    ] {
        assert!(!glossary_faults(wrong).is_empty(), "{wrong:?} passes");
    }
}

#[test]
fn the_cli_french_catalog_follows_the_glossary() {
    let faults = french_glossary_faults(&harness::catalogs::catalog_texts(bank_i18n::Lang::Fr.catalog()));
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}
