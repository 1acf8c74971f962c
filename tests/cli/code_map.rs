//! The paths the documentation and the tour point readers to exist.
//!
//! The README's "where to look in the code" (in both languages) and the
//! tour's "read it in" lines are how people find their way into the code;
//! a file that moved must take its mentions with it.

use std::collections::BTreeSet;
use std::path::Path;

use regex::Regex;

/// The workspace's root, two folders up from this package's manifest.
fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative)).unwrap_or_else(|error| panic!("{relative}: {error}"))
}

/// Every `code span` of a README's code section that names a file or a
/// folder of the workspace.
fn code_map_paths(readme: &str, heading: &str) -> BTreeSet<String> {
    let text = read(readme);
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("{readme} has {heading}"));
    let section = &text[start..];
    let end = section[heading.len()..]
        .find("\n## ")
        .map_or(section.len(), |end| end + heading.len());
    let span =
        Regex::new(r"`([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]*)+|[A-Za-z0-9_-]+\.(?:rs|toml|md|ftl|proto|sh))`")
            .expect("valid regex");
    span.captures_iter(&section[..end])
        .map(|capture| capture[1].to_owned())
        .collect()
}

fn missing(paths: &BTreeSet<String>) -> Vec<&String> {
    paths.iter().filter(|path| !root().join(path).exists()).collect()
}

#[test]
fn every_path_of_the_english_code_map_exists() {
    let paths = code_map_paths("README.md", "## Where to look in the code");
    assert!(paths.len() > 30, "the map was read: {paths:?}");
    assert_eq!(missing(&paths), Vec::<&String>::new());
}

#[test]
fn every_path_of_the_french_code_map_exists() {
    let paths = code_map_paths("README.fr.md", "## Où regarder dans le code");
    assert!(paths.len() > 30, "the map was read: {paths:?}");
    assert_eq!(missing(&paths), Vec::<&String>::new());
}

#[test]
fn both_code_maps_name_the_same_paths() {
    assert_eq!(
        code_map_paths("README.md", "## Where to look in the code"),
        code_map_paths("README.fr.md", "## Où regarder dans le code")
    );
}

#[test]
fn every_file_the_tour_points_to_exists() {
    let source = read("client/commands/tour/mod.rs");
    let file = Regex::new(r#"file: "([^"]+)""#).expect("valid regex");
    let chapters = file.captures_iter(&source).count();
    assert_eq!(chapters, 9, "one line of files per chapter");
    // A chapter may point to several files, separated by commas.
    let paths: BTreeSet<String> = file
        .captures_iter(&source)
        .flat_map(|c| c[1].split(", ").map(str::to_owned).collect::<Vec<_>>())
        .collect();
    assert_eq!(missing(&paths), Vec::<&String>::new());
}
