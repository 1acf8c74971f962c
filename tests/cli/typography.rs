//! French typography, checked twice: in the catalog, and in what the tour
//! prints once wrapped to a narrow terminal.
//!
//! French puts a space before `: ; ? !` and inside `« »`, and that space
//! must never let a line break fall before the sign: a narrow no-break space
//! (U+202F) before `; ? !`, a no-break space (U+00A0) before `:`, after `«`
//! and before `»`. A number stays on the line of its unit or `%` (a
//! no-break space between them too). These tests read every value of
//! `locales/fr.ftl` (each variant of a selector on its own, placeables kept
//! as `{$name}` markers) against these rules; read the English catalog for
//! stray non-ASCII spaces; then run `bank tour --lang fr --no-pause` at 40,
//! 64 and 100 columns and check that the wrapping never breaks them. The
//! page's catalogs (web/locales) are held to the same rules by
//! `web_locales`, with the functions here.

use std::process::Output;
use std::time::Duration;

use bank_i18n::Lang;
use harness::catalogs::catalog_texts;
use regex::Regex;

/// No-break space, before `:` and inside `« »`, and between a number and its unit.
const NBSP: char = '\u{A0}';

/// Narrow no-break space, before `; ? !`.
const NNBSP: char = '\u{202F}';

/// The units a number is kept with: times (`ms`, `s`, `min`, `h`), the
/// percent sign, and sizes (`octets`, `bits`, `Kio`, `Mio`, `Mo`), and days.
const UNITS: &str = r"(?:ms|s|min|h|%|octets?|bits|Kio|Mio|Mo|jours?)";

/// Widths the tour is checked at: the narrowest it wraps to, a common
/// split-screen width, and a wide terminal.
const WIDTHS: [usize; 3] = [40, 64, 100];

/// Upper bound for one run of the tour: it waits for a few live ticks.
const TOUR_TIMEOUT: Duration = Duration::from_secs(60);

/// The spans French punctuation rules do not apply to, because they are
/// code or data copied as is: `` `code` ``; a word with a colon inside it,
/// never prose (URLs, `HOST:PORT`, clock times and RFC 3339 instants); a
/// quoted character (`';'`); and the one HTTP header the help writes out
/// (`authorization: Bearer`). The glossary check (`glossary`) leaves them
/// out too.
pub(crate) fn code_spans() -> Regex {
    Regex::new(r"`[^`]*`|[^\s:]+:[^\s:]\S*|'.'|authorization: Bearer").expect("valid regex")
}

/// What breaks French typography in `text`, code spans left out.
fn french_faults(text: &str) -> Vec<String> {
    let prose = code_spans().replace_all(text, "CODE");
    let chars: Vec<char> = prose.chars().collect();
    let mut faults = Vec::new();
    for (at, &c) in chars.iter().enumerate() {
        let before = at.checked_sub(1).map(|i| chars[i]);
        let after = chars.get(at + 1).copied();
        let wanted = match c {
            ';' | '?' | '!' => Some((before, NNBSP, "before")),
            ':' | '»' | '%' => Some((before, NBSP, "before")),
            '«' => Some((after, NBSP, "after")),
            _ => None,
        };
        if let Some((found, space, side)) = wanted
            && found != Some(space)
        {
            faults.push(format!("{found:?} {side} {c:?}, not {space:?}"));
        }
    }
    let number_then_unit = Regex::new(&format!(r"(\d|\{{\$\w+\}})[ \t]{UNITS}(\W|$)")).expect("valid regex");
    faults.extend(
        number_then_unit
            .find_iter(&prose)
            .map(|unit| format!("breakable space in {:?}", unit.as_str())),
    );
    faults
}

/// Whether `text` holds a space other than the plain one (or a line
/// break): English puts no space before its punctuation, so a no-break
/// space in it is a French habit gone astray.
pub(crate) fn has_stray_space(text: &str) -> bool {
    text.contains(|c: char| c.is_whitespace() && !matches!(c, ' ' | '\n'))
}

/// Every fault of French typography in a French catalog's `texts` (as
/// [`catalog_texts`] gives them), each with its message id.
pub(crate) fn french_catalog_faults(texts: &[(String, String)]) -> Vec<String> {
    faults_by_message(texts, french_faults)
}

/// What `check` finds in each of a catalog's `texts`, each fault with its
/// message id and the text it was found in (the glossary check reports
/// the same way).
pub(crate) fn faults_by_message(texts: &[(String, String)], check: fn(&str) -> Vec<String>) -> Vec<String> {
    texts
        .iter()
        .flat_map(|(id, text)| {
            check(text)
                .into_iter()
                .map(move |fault| format!("{id}: {fault} in {text:?}"))
        })
        .collect()
}

#[test]
fn every_french_message_follows_french_typography() {
    let faults = french_catalog_faults(&catalog_texts(Lang::Fr.catalog()));
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

#[test]
fn the_typography_check_catches_each_kind_of_fault() {
    assert!(french_faults("Forme\u{A0}: une flèche\u{202F}; «\u{A0}12,5\u{A0}» à 32\u{A0}%").is_empty());
    assert!(french_faults("voir `bank rates` à http://127.0.0.1:50051 (09:30:00Z), IP:PORT").is_empty());
    for wrong in [
        "Forme : une flèche",
        "Forme: une flèche",
        "une flèche ; puis",
        "lancé ?",
        "« 12,5\u{A0}»",
        "«\u{A0}12,5 »",
        "soit 32 %",
        "toutes les { $tick_ms } ms",
        "{$tick_ms} ms ici",
        "64 Kio",
    ] {
        let text = wrong.replace("{ $tick_ms }", "{$tick_ms}");
        assert!(!french_faults(&text).is_empty(), "{wrong:?} passes");
    }
}

#[test]
fn english_messages_hold_no_typographic_spaces() {
    let faults: Vec<String> = catalog_texts(Lang::En.catalog())
        .into_iter()
        .filter(|(_, text)| has_stray_space(text))
        .map(|(id, text)| format!("{id}: {text:?}"))
        .collect();
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

fn french_tour(columns: usize) -> Output {
    let mut command = harness::cli::bank_without_server();
    command
        .env("COLUMNS", columns.to_string())
        .args(["tour", "--lang", "fr", "--no-pause"])
        .timeout(TOUR_TIMEOUT);
    command.output().expect("bank tour runs")
}

/// What breaks the French rules in one wrapped line or between it and the
/// next: too wide (unless it is a single word that fits no line), a line
/// starting with a sign that belongs to the word before, one ending with an
/// opening guillemet, or a number parted from its unit.
///
/// The width is checked on prose only: the tour lays out its timelines and
/// size tables in columns (two spaces between them) and prints the proto's
/// `rpc` lines verbatim, neither of them wrapped.
fn wrapping_faults(text: &str, width: usize) -> Vec<String> {
    let unit_first = Regex::new(&format!(r"^{UNITS}(\W|$)")).expect("valid regex");
    let lines: Vec<&str> = text.lines().collect();
    let mut faults = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let content = line.trim();
        let laid_out = content.contains("  ") || content.starts_with("rpc ");
        if !laid_out && line.chars().count() > width && content.contains(' ') {
            faults.push(format!("wider than {width}: {line:?}"));
        }
        // `:path` is HTTP/2's pseudo-header, which the timelines print as
        // it is sent; a colon of French prose is followed by a space.
        let pseudo_header = content.starts_with(':') && content[1..].starts_with(char::is_alphabetic);
        if content.starts_with([':', ';', '?', '!', '%', '»']) && !pseudo_header {
            faults.push(format!("starts with a closing sign: {line:?}"));
        }
        if content.ends_with('«') {
            faults.push(format!("ends with «: {line:?}"));
        }
        let next = lines.get(at + 1).map(|next| next.trim_start()).unwrap_or("");
        if content.ends_with(|c: char| c.is_ascii_digit()) && unit_first.is_match(next) {
            faults.push(format!("number and unit parted: {line:?} / {next:?}"));
        }
    }
    faults
}

#[test]
fn the_french_tour_wraps_without_breaking_french_typography() {
    let outputs: Vec<(usize, Output)> = std::thread::scope(|scope| {
        let runs: Vec<_> = WIDTHS
            .iter()
            .map(|&columns| scope.spawn(move || (columns, french_tour(columns))))
            .collect();
        runs.into_iter()
            .map(|run| run.join().expect("the tour run did not panic"))
            .collect()
    });
    for (columns, output) in outputs {
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            harness::cli::describe(&output)
        );
        let text = String::from_utf8(output.stdout).expect("UTF-8 output");
        assert!(text.contains('\u{A0}'), "the French tour has no-break spaces");
        let faults = wrapping_faults(&text, columns);
        assert!(faults.is_empty(), "{columns} columns:\n{}", faults.join("\n"));
    }
}

#[test]
fn the_wrapping_check_catches_each_kind_of_fault() {
    assert!(wrapping_faults("Forme\u{A0}: une\nflèche", 20).is_empty());
    assert!(wrapping_faults("  {\"une_valeur_json_trop_longue\":1}", 10).is_empty());
    assert!(wrapping_faults("  12,5 ms  client → serveur  ConvertRequest", 20).is_empty());
    assert!(wrapping_faults("      :path /bank.v1.BankService/Convert", 80).is_empty());
    for (wrong, width) in [
        ("une ligne bien trop longue", 10),
        ("Forme\n: une flèche", 20),
        ("Forme\n; une flèche", 20),
        ("soit 32\n% de", 20),
        ("une requête (« \n12,5", 20),
        ("toutes les 250\nms ici", 20),
    ] {
        assert!(!wrapping_faults(wrong, width).is_empty(), "{wrong:?} passes");
    }
}
