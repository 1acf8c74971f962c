//! Fluent catalogs read as syntax (fluent-syntax), for the tests that look
//! at every text a catalog can give: French typography (the CLI's
//! `locales/*.ftl`), and the page's language switch (`web/locales/*.ftl`).

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

/// Every text a pattern can give: one per variant of each selector, each
/// placeable kept as `{$name}` (or `{}` for anything but a variable).
pub fn texts(pattern: &Pattern<&str>) -> Vec<String> {
    let mut all = vec![String::new()];
    for element in &pattern.elements {
        let pieces = match element {
            PatternElement::TextElement { value } => vec![(*value).to_owned()],
            PatternElement::Placeable {
                expression: Expression::Select { variants, .. },
            } => variants
                .iter()
                .flat_map(|variant| texts(&variant.value))
                .collect(),
            PatternElement::Placeable {
                expression: Expression::Inline(InlineExpression::VariableReference { id }),
            } => vec![format!("{{${}}}", id.name)],
            PatternElement::Placeable { .. } => vec!["{}".to_owned()],
        };
        all = all
            .iter()
            .flat_map(|text| pieces.iter().map(move |piece| format!("{text}{piece}")))
            .collect();
    }
    all
}

/// `(message id, text)` for every value and attribute of the catalog
/// whose source is `catalog`.
pub fn catalog_texts(catalog: &str) -> Vec<(String, String)> {
    let resource = fluent_syntax::parser::parse(catalog).expect("the catalog parses");
    let mut all = Vec::new();
    for entry in &resource.body {
        if let Entry::Message(message) = entry {
            let patterns = message
                .value
                .iter()
                .chain(message.attributes.iter().map(|attribute| &attribute.value));
            for pattern in patterns {
                for text in texts(pattern) {
                    all.push((message.id.name.to_owned(), text));
                }
            }
        }
    }
    all
}
