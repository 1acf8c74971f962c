//! User-facing text in English and French, from Project Fluent catalogs.
//!
//! Every sentence a person reads, from the CLI, the tour or the server's
//! error messages, lives in `locales/<lang>.ftl`: one file per language,
//! compiled in. Code refers to messages by id through the [`tr!`](crate::tr)
//! macro; adding a language is adding a catalog and a [`Lang`] variant. A
//! test checks that the catalogs hold the same ids and that every id used in
//! the code exists.
//!
//! Money is not formatted by Fluent: it is exact decimal text, which the
//! CLI groups and punctuates for each language itself. Counts are passed as
//! numbers, so that messages choose singular or plural with Fluent's
//! plural selectors, by each language's rules (French says "0 élément",
//! English "0 items"). Fluent writes numbers without grouping, so a count
//! that can reach the thousands is passed twice: the number, to choose the
//! form, and beside it the text to show, grouped by the CLI the language's
//! way (`count` and `count_text`: "1,000,000 items", "1 000 000 éléments").

pub mod command_line;

use std::sync::LazyLock;

pub use fluent_bundle::FluentValue;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

/// A language the CLI speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    /// The language of the environment, as gettext reads it: the locale is
    /// the first set of `LC_ALL`, `LC_MESSAGES`, `LANG` (POSIX); `LANGUAGE`,
    /// a colon-separated list of languages in order of preference
    /// (`fr_CA:fr:en`), comes first, except when the locale is the C one
    /// (unset, `C`, `POSIX`, `C.UTF-8`), which asks for untranslated
    /// messages. French for a `fr*` entry, English otherwise.
    pub fn from_env() -> Lang {
        Lang::from_vars(|name| std::env::var(name).ok())
    }

    /// [`Lang::from_env`] over any source of variables (tests give theirs).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Lang {
        let french = |tag: &str| tag.to_ascii_lowercase().starts_with("fr");
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| var(name))
            .find(|value| !value.is_empty())
            .unwrap_or_default();
        let c_locale =
            locale.is_empty() || matches!(locale.as_str(), "C" | "POSIX") || locale.starts_with("C.");
        if !c_locale
            && let Some(languages) = var("LANGUAGE")
            && let Some(first) = languages.split(':').find(|tag| {
                Lang::ALL
                    .iter()
                    .any(|lang| tag.to_ascii_lowercase().starts_with(lang.tag()))
            })
        {
            return if french(first) { Lang::Fr } else { Lang::En };
        }
        if french(&locale) { Lang::Fr } else { Lang::En }
    }

    /// The preferred supported language of an HTTP `Accept-Language` value
    /// such as `fr-CH, fr;q=0.9, en;q=0.8`; English when none is supported.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(Lang, u16)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            // Quality in thousandths, 1.000 when absent or unreadable.
            let quality = parts
                .find_map(|param| param.trim().strip_prefix("q="))
                .and_then(|q| quality_thousandths(q.trim()))
                .unwrap_or(1000);
            let lang = Lang::ALL.into_iter().find(|lang| {
                tag.strip_prefix(lang.tag())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
            });
            if let Some(lang) = lang
                && quality > 0
                && best.is_none_or(|(_, q)| quality > q)
            {
                best = Some((lang, quality));
            }
        }
        best.map_or(Lang::En, |(lang, _)| lang)
    }

    /// The BCP 47 tag, also sent to the server as `accept-language`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The catalog source of this language.
    pub fn catalog(self) -> &'static str {
        match self {
            Lang::En => include_str!("en.ftl"),
            Lang::Fr => include_str!("fr.ftl"),
        }
    }

    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];
}

/// The messages of one language.
pub struct Messages {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
}

impl Messages {
    /// The messages of `lang`, loaded once per process.
    pub fn of(lang: Lang) -> &'static Messages {
        static ENGLISH: LazyLock<Messages> = LazyLock::new(|| Messages::new(Lang::En));
        static FRENCH: LazyLock<Messages> = LazyLock::new(|| Messages::new(Lang::Fr));
        match lang {
            Lang::En => &ENGLISH,
            Lang::Fr => &FRENCH,
        }
    }

    /// Loads the catalog of `lang`. Catalogs are compiled in and checked by
    /// the tests, so a parse failure is a build defect: `expect` is fine.
    pub fn new(lang: Lang) -> Self {
        let resource = FluentResource::try_new(lang.catalog().to_owned())
            .unwrap_or_else(|(_, errors)| panic!("catalog {} does not parse: {errors:?}", lang.tag()));
        let tag: LanguageIdentifier = lang.tag().parse().expect("valid language tag");
        let mut bundle = FluentBundle::new_concurrent(vec![tag]);
        // No Unicode isolation marks: output goes to terminals and pipes.
        bundle.set_use_isolating(false);
        bundle
            .add_resource(resource)
            .unwrap_or_else(|errors| panic!("catalog {} has duplicate ids: {errors:?}", lang.tag()));
        Self { lang, bundle }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Whether the catalog has a message `id`.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// The message `id` with `args`, or the id itself if it is missing (a
    /// defect the catalog tests catch before release).
    pub fn format(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|message| message.value()) else {
            return id.to_owned();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned()
    }
}

/// A value a message can take as an argument.
///
/// Text stays text, and integers become Fluent numbers: a plural selector
/// (`{ $count -> [one] ... *[other] ... }`) chooses its variant only from a
/// number, never from the string "1". Money is still passed as text,
/// formatted by the caller, so Fluent never reformats an amount.
pub trait Arg {
    fn to_fluent(&self) -> FluentValue<'_>;
}

impl Arg for str {
    fn to_fluent(&self) -> FluentValue<'_> {
        FluentValue::from(self)
    }
}

impl Arg for String {
    fn to_fluent(&self) -> FluentValue<'_> {
        FluentValue::from(self.as_str())
    }
}

impl<T: Arg + ?Sized> Arg for &T {
    fn to_fluent(&self) -> FluentValue<'_> {
        (**self).to_fluent()
    }
}

/// Fluent numbers are `f64`, exact up to 2^53: beyond that an integer is
/// passed as its exact digits (it then takes the `other` variant, which is
/// right for any count that large).
const LARGEST_EXACT_FLOAT: u64 = 1 << 53;

macro_rules! integer_args {
    ($($integer:ty),+) => {$(
        impl Arg for $integer {
            fn to_fluent(&self) -> FluentValue<'_> {
                match u64::try_from(*self) {
                    Ok(value) if value > LARGEST_EXACT_FLOAT => FluentValue::from(self.to_string()),
                    _ => FluentValue::from(*self),
                }
            }
        }
    )+};
}

integer_args!(u8, u16, u32, u64, usize, i32, i64);

/// `tr!(messages, "id")` or `tr!(messages, "id", name = value, ...)`, where
/// each value is text or an integer (see [`Arg`](crate::Arg)). Values
/// are borrowed, never moved.
#[macro_export]
macro_rules! tr {
    ($messages:expr, $id:literal) => {
        $messages.format($id, &[])
    };
    ($messages:expr, $id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $messages.format($id, &[$((stringify!($name), $crate::Arg::to_fluent(&$value))),+])
    };
}

/// An HTTP quality value (`0`, `0.5`, `1.000`: at most three decimals, at
/// most 1) in thousandths, read as the integer it is; `None` when it is not
/// one.
fn quality_thousandths(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let thousandths = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0u16, |acc, byte| acc * 10 + u16::from(byte - b'0'));
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    /// The message ids a catalog defines.
    fn ids(lang: Lang) -> BTreeSet<String> {
        lang.catalog()
            .lines()
            .filter(|line| line.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|line| line.split_once(" =").map(|(id, _)| id.trim().to_owned()))
            .collect()
    }

    /// The message ids used through `tr!` in the client's sources.
    fn used_ids() -> BTreeSet<String> {
        // Ids passed to `tr!`, and ids written as plain literals (tables of
        // ids handed to `Messages::format`): any literal shaped like an id
        // of one of the catalogs' sections.
        let pattern = regex::Regex::new(
            r#"tr!\(\s*[\w.]+,\s*"([a-z0-9-]+)"|"((?:tour|bench|batch|rates|session|convert|currencies|error|problem)-[a-z][a-z0-9-]*)""#,
        )
        .expect("valid regex");
        let mut used = BTreeSet::new();
        // This crate sits in the workspace's `locales/`; its users beside it.
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut folders = vec![root.join("client"), root.join("server")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("client folder is readable") {
                let path = entry.expect("directory entry").path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|ext| ext == "rs") {
                    let source = std::fs::read_to_string(&path).expect("source is readable");
                    // Comments may show the macro's shape; only code counts.
                    let source: String = source
                        .lines()
                        .filter(|line| !line.trim_start().starts_with("//"))
                        .collect::<Vec<_>>()
                        .join("\n");
                    used.extend(
                        pattern
                            .captures_iter(&source)
                            .filter_map(|c| c.get(1).or_else(|| c.get(2)))
                            .map(|m| m.as_str().to_owned()),
                    );
                }
            }
        }
        used
    }

    #[test]
    fn every_catalog_parses_and_holds_the_same_message_ids() {
        let english = ids(Lang::En);
        assert!(english.len() > 20, "the catalog was read");
        for lang in Lang::ALL {
            let _ = Messages::new(lang);
            assert_eq!(ids(lang), english, "{} differs from en", lang.tag());
        }
    }

    #[test]
    fn every_message_used_in_the_code_exists_in_every_catalog() {
        let used = used_ids();
        assert!(used.len() > 20, "the sources were scanned");
        for lang in Lang::ALL {
            let defined = ids(lang);
            let missing: Vec<_> = used.difference(&defined).collect();
            assert!(missing.is_empty(), "missing from {}.ftl: {missing:?}", lang.tag());
        }
    }

    #[test]
    fn messages_are_formatted_without_isolation_marks() {
        let french = Messages::new(Lang::Fr);
        let text = tr!(french, "batch-items", count = 3, count_text = "3");
        assert_eq!(text, "3 éléments");
    }

    #[test]
    fn counts_choose_the_plural_form_of_each_language() {
        let english = Messages::new(Lang::En);
        let french = Messages::new(Lang::Fr);
        // The number chooses the form; the text, grouped by the caller
        // the language's way, is what is shown.
        for (count, en_text, fr_text, en, fr) in [
            (0_u64, "0", "0", "0 items", "0 élément"),
            (1, "1", "1", "1 item", "1 élément"),
            (2, "2", "2", "2 items", "2 éléments"),
            (
                1_000_000,
                "1,000,000",
                "1\u{202F}000\u{202F}000",
                "1,000,000 items",
                "1\u{202F}000\u{202F}000 éléments",
            ),
        ] {
            assert_eq!(
                tr!(english, "batch-items", count = count, count_text = en_text),
                en
            );
            assert_eq!(
                tr!(french, "batch-items", count = count, count_text = fr_text),
                fr
            );
        }
        // Text stays text: a string "1" is not a count.
        assert_eq!(
            tr!(english, "batch-row-fields", expected = "3-4", found = 1_usize),
            "3-4 fields expected, 1 found"
        );
        assert_eq!(
            tr!(french, "batch-row-fields", expected = "3-4", found = 1_usize),
            "3-4 champs attendus, 1 trouvé"
        );
        // Integers beyond f64's exact range keep every digit.
        assert_eq!(
            tr!(english, "batch-row-fields", expected = "3-4", found = u64::MAX),
            "3-4 fields expected, 18446744073709551615 found"
        );
    }
}

#[cfg(test)]
mod accept_language_tests {
    use super::*;

    fn lang_of(vars: &[(&str, &str)]) -> Lang {
        Lang::from_vars(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn the_environment_language_follows_gettext() {
        assert_eq!(lang_of(&[]), Lang::En);
        assert_eq!(lang_of(&[("LANG", "fr_FR.UTF-8")]), Lang::Fr);
        assert_eq!(
            lang_of(&[("LANG", "fr_FR.UTF-8"), ("LC_ALL", "en_GB.UTF-8")]),
            Lang::En
        );
        assert_eq!(lang_of(&[("LANGUAGE", "fr"), ("LANG", "en_US.UTF-8")]), Lang::Fr);
        assert_eq!(
            lang_of(&[("LANGUAGE", "de:fr_CA:en"), ("LANG", "de_DE.UTF-8")]),
            Lang::Fr,
            "the first supported language of the list"
        );
        assert_eq!(
            lang_of(&[("LANGUAGE", "en:fr"), ("LANG", "fr_FR.UTF-8")]),
            Lang::En
        );
        assert_eq!(
            lang_of(&[("LANGUAGE", "fr"), ("LC_ALL", "C")]),
            Lang::En,
            "the C locale asks for untranslated messages"
        );
        assert_eq!(lang_of(&[("LANGUAGE", "de"), ("LANG", "fr_FR.UTF-8")]), Lang::Fr);
        for c in [
            &[("LANGUAGE", "fr")][..],
            &[("LANGUAGE", "fr"), ("LANG", "C.UTF-8")],
        ] {
            assert_eq!(lang_of(c), Lang::En, "{c:?}: the C locale, set or not");
        }
    }

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(Lang::from_accept_language("fr"), Lang::Fr);
        assert_eq!(Lang::from_accept_language("fr-CA"), Lang::Fr);
        assert_eq!(Lang::from_accept_language("de, fr;q=0.5"), Lang::Fr);
        assert_eq!(Lang::from_accept_language("fr;q=0.4, en;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language("de"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
        assert_eq!(Lang::from_accept_language("fr;q=0"), Lang::En);
        assert_eq!(Lang::from_accept_language("french"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr;q=0.001, en;q=0"), Lang::Fr);
        assert_eq!(Lang::from_accept_language("en;q=0.5, fr;q=0.75"), Lang::Fr);
    }

    #[test]
    fn quality_values_are_read_as_exact_thousandths() {
        assert_eq!(quality_thousandths("1"), Some(1000));
        assert_eq!(quality_thousandths("1.000"), Some(1000));
        assert_eq!(quality_thousandths("0.5"), Some(500));
        assert_eq!(quality_thousandths("0.125"), Some(125));
        assert_eq!(quality_thousandths("0"), Some(0));
        for bad in ["1.5", "2", "-1", "0.1234", "", ".5", "0.x"] {
            assert_eq!(quality_thousandths(bad), None, "{bad}");
        }
    }
}
