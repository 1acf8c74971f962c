//! The page's catalogs (`web/locales/en.ftl` and `fr.ftl`), held to the
//! standard of the CLI's: read as Fluent syntax, beside the page's sources
//! (`web/src`, the generated code left out), with no browser and no Node.
//!
//! - both catalogs parse, hold exactly the same message ids, and each
//!   message uses the same variables in both languages (a variable missing
//!   from one would print as `{$name}` there);
//! - every id the page asks for exists: `t("…")` calls, `data-l10n="…"` and
//!   `data-l10n-placeholder="…"` attributes, and the ids a module builds at
//!   run time, which it must list in a `// l10n-ids: id-one id-two` comment;
//! - every message is used: its id appears in the sources as a string
//!   literal or in one of the places above;
//! - French is translated: no French value is a copy of the English one,
//!   apart from the few listed in [`SAME_IN_BOTH`];
//! - the French catalog follows the French typography of the CLI's
//!   catalog, and the English one holds no typographic spaces, checked by
//!   the same functions (`typography`);
//! - the French catalog uses the glossary's words (`glossary`): « période
//!   de cotation », never « tick » in prose, and « fil des taux » for the
//!   feed, never « flux de cours ».

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_syntax::ast::{CallArguments, Entry, Expression, InlineExpression, Pattern, PatternElement};
use regex::Regex;

use crate::glossary::french_glossary_faults;
use crate::typography::{french_catalog_faults, has_stray_space};
use harness::catalogs::catalog_texts;

/// Messages whose French is, rightly, the English text: the server's
/// lifeline in a diagram, named by its program, `bank-server`.
const SAME_IN_BOTH: &[&str] = &["models-lane-server"];

/// The page's folder in the workspace.
fn web() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../web")
}

fn catalog(lang: &str) -> String {
    let path = web().join("locales").join(format!("{lang}.ftl"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Each message of a catalog and the variables it uses (values and
/// attributes alike); a syntax error fails the test.
fn messages(lang: &str) -> BTreeMap<String, BTreeSet<String>> {
    let source = catalog(lang);
    let resource = fluent_syntax::parser::parse(source.as_str())
        .unwrap_or_else(|(_, errors)| panic!("web/locales/{lang}.ftl does not parse: {errors:?}"));
    let mut all = BTreeMap::new();
    for entry in &resource.body {
        if let Entry::Message(message) = entry {
            let mut variables = BTreeSet::new();
            let patterns = message
                .value
                .iter()
                .chain(message.attributes.iter().map(|attribute| &attribute.value));
            for pattern in patterns {
                pattern_variables(pattern, &mut variables);
            }
            let id = message.id.name.to_owned();
            assert!(
                all.insert(id.clone(), variables).is_none(),
                "{lang}.ftl defines {id} twice"
            );
        }
    }
    all
}

fn pattern_variables(pattern: &Pattern<&str>, into: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_variables(expression, into);
        }
    }
}

fn expression_variables(expression: &Expression<&str>, into: &mut BTreeSet<String>) {
    match expression {
        Expression::Select { selector, variants } => {
            inline_variables(selector, into);
            for variant in variants {
                pattern_variables(&variant.value, into);
            }
        }
        Expression::Inline(inline) => inline_variables(inline, into),
    }
}

fn inline_variables(inline: &InlineExpression<&str>, into: &mut BTreeSet<String>) {
    let arguments = |arguments: &CallArguments<&str>, into: &mut BTreeSet<String>| {
        let named = arguments.named.iter().map(|argument| &argument.value);
        for argument in arguments.positional.iter().chain(named) {
            inline_variables(argument, into);
        }
    };
    match inline {
        InlineExpression::VariableReference { id } => {
            into.insert(id.name.to_owned());
        }
        InlineExpression::FunctionReference { arguments: given, .. } => arguments(given, into),
        InlineExpression::TermReference {
            arguments: Some(given),
            ..
        } => arguments(given, into),
        InlineExpression::Placeable { expression } => expression_variables(expression, into),
        _ => {}
    }
}

/// The page's own sources: TypeScript and HTML under web/src, without the
/// code generated from the protos.
fn sources() -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut folders = vec![web().join("src")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("web/src is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|name| name != "gen") {
                    folders.push(path);
                }
            } else if path.extension().is_some_and(|ext| ext == "ts" || ext == "html") {
                let text = std::fs::read_to_string(&path).expect("source is readable");
                found.push((path, text));
            }
        }
    }
    found
}

/// The ids the page's sources ask for by name (which must exist), and
/// every string literal shaped like an id (which marks a message as used).
fn ids_in_sources() -> (BTreeSet<String>, BTreeSet<String>) {
    let sources = sources();
    ids_in(sources.iter().map(|(_, text)| text.as_str()))
}

fn ids_in<'a>(texts: impl Iterator<Item = &'a str>) -> (BTreeSet<String>, BTreeSet<String>) {
    let asked = Regex::new(
        r#"\bt\(\s*"([a-z][a-z0-9-]*)"|data-l10n(?:-placeholder)?="([^"]*)"|dataset\.l10n(?:Placeholder)?\s*=\s*"([^"]*)""#,
    )
    .expect("valid regex");
    let listed = Regex::new(r"//\s*l10n-ids:(.*)").expect("valid regex");
    let literal = Regex::new(r#"["'`]([a-z][a-z0-9]*(?:-[a-z0-9]+)+)["'`]"#).expect("valid regex");
    let (mut required, mut literals) = (BTreeSet::new(), BTreeSet::new());
    for text in texts {
        for found in asked.captures_iter(text) {
            let id = (1..=3)
                .find_map(|group| found.get(group))
                .expect("one group matched");
            required.insert(id.as_str().to_owned());
        }
        for found in listed.captures_iter(text) {
            required.extend(found[1].split_whitespace().map(str::to_owned));
        }
        literals.extend(literal.captures_iter(text).map(|found| found[1].to_owned()));
    }
    (required, literals)
}

#[test]
fn both_page_catalogs_hold_the_same_messages_with_the_same_variables() {
    let english = messages("en");
    let french = messages("fr");
    assert!(english.len() > 20, "the English catalog was read");
    let only = |one: &BTreeMap<_, _>, other: &BTreeMap<_, _>| -> Vec<String> {
        one.keys()
            .filter(|id| !other.contains_key(*id))
            .cloned()
            .collect()
    };
    assert!(
        only(&english, &french).is_empty(),
        "missing from fr.ftl: {:?}",
        only(&english, &french)
    );
    assert!(
        only(&french, &english).is_empty(),
        "missing from en.ftl: {:?}",
        only(&french, &english)
    );
    let differing: Vec<String> = english
        .iter()
        .filter(|(id, variables)| french.get(*id) != Some(variables))
        .map(|(id, variables)| format!("{id}: en {variables:?}, fr {:?}", french[id]))
        .collect();
    assert!(
        differing.is_empty(),
        "variables differ:\n{}",
        differing.join("\n")
    );
}

#[test]
fn every_message_the_page_asks_for_exists_and_every_message_is_used() {
    let defined = messages("en");
    let (required, literals) = ids_in_sources();
    assert!(required.len() > 20, "the page's sources were scanned");
    let missing: Vec<&String> = required.iter().filter(|id| !defined.contains_key(*id)).collect();
    assert!(
        missing.is_empty(),
        "asked for by web/src, missing from the catalogs: {missing:?}"
    );
    let unused: Vec<&String> = defined
        .keys()
        .filter(|id| !required.contains(*id) && !literals.contains(*id))
        .collect();
    assert!(
        unused.is_empty(),
        "in the catalogs, used nowhere in web/src (an id built at run time goes in a `// l10n-ids:` comment): {unused:?}"
    );
}

#[test]
fn the_source_scan_finds_each_way_of_naming_a_message() {
    let source = r#"
        <h1 data-l10n="page-title"></h1><input data-l10n-placeholder="pairs-hint">
        status.textContent = t("board-idle", { count: 2 });
        label.dataset.l10n = "column-pair";
        // l10n-ids: model-unary-what model-bidi-what
        const TITLES = { unary: "model-unary-title" };
    "#;
    let (required, literals) = ids_in([source].into_iter());
    let names = |ids: &[&str]| ids.iter().map(|id| (*id).to_owned()).collect::<BTreeSet<_>>();
    assert_eq!(
        required,
        names(&[
            "board-idle",
            "column-pair",
            "model-bidi-what",
            "model-unary-what",
            "page-title",
            "pairs-hint"
        ])
    );
    assert!(literals.contains("model-unary-title"), "{literals:?}");
}

#[test]
fn the_page_in_french_copies_no_english_text() {
    let by_id = |lang: &str| -> BTreeMap<String, Vec<String>> {
        let mut texts: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (id, text) in catalog_texts(&catalog(lang)) {
            texts.entry(id).or_default().push(text);
        }
        texts
    };
    let (english, french) = (by_id("en"), by_id("fr"));
    let placeable = Regex::new(r"\{[^}]*\}").expect("valid regex");
    let has_words = |texts: &[String]| {
        texts
            .iter()
            .any(|text| placeable.replace_all(text, "").chars().any(char::is_alphabetic))
    };
    let copied: BTreeSet<&String> = english
        .iter()
        .filter(|(id, texts)| french.get(*id) == Some(texts) && has_words(texts))
        .map(|(id, _)| id)
        .collect();
    let allowed: BTreeSet<&String> = copied
        .iter()
        .copied()
        .filter(|id| SAME_IN_BOTH.contains(&id.as_str()))
        .collect();
    let untranslated: Vec<&&String> = copied.difference(&allowed).collect();
    assert!(
        untranslated.is_empty(),
        "French copies the English of: {untranslated:?}"
    );
    let stale: Vec<&&str> = SAME_IN_BOTH
        .iter()
        .filter(|id| !allowed.iter().any(|allowed| allowed.as_str() == **id))
        .collect();
    assert!(
        stale.is_empty(),
        "SAME_IN_BOTH lists messages that now differ: {stale:?}"
    );
}

#[test]
fn the_page_catalogs_follow_the_typography_of_each_language() {
    let mut faults = french_catalog_faults(&catalog_texts(&catalog("fr")));
    faults.extend(
        catalog_texts(&catalog("en"))
            .into_iter()
            .filter(|(_, text)| has_stray_space(text))
            .map(|(id, text)| format!("en {id}: typographic space in {text:?}")),
    );
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

#[test]
fn the_page_in_french_never_says_tick_in_prose_nor_flux_de_cours_for_the_feed() {
    let faults = french_glossary_faults(&catalog_texts(&catalog("fr")));
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}
