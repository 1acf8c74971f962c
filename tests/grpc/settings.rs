//! The server's settings as the operations guides tell them are the binary's.
//!
//! A setting is defined once, on the configuration type; `bank-server
//! --help` is generated from that definition. The operations guides
//! (OPERATIONS.md, and EXPLOITATION.md in French) repeat the flags in the
//! synopsis and the limits table, so that readers find them without running
//! anything: every flag, variable and default they name must be the one
//! `--help` gives, and every `BANK_` variable they name must be read by
//! `bank-server` or `bank`.

use std::collections::BTreeMap;
use std::path::Path;

use regex::Regex;

/// A flag of `bank-server --help`: its environment variable and default.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Flag {
    env: Option<String>,
    default: Option<String>,
}

/// `binary --help`, in English.
fn help_text(binary: &Path) -> String {
    let output = std::process::Command::new(binary)
        .arg("--help")
        .env_clear()
        .output()
        .expect("the binary runs");
    assert!(output.status.success());
    String::from_utf8(output.stdout).expect("UTF-8 help")
}

/// The flags of `bank-server --help`.
fn help() -> BTreeMap<String, Flag> {
    let text = help_text(harness::server_exe());
    let flag = Regex::new(r"^\s+(--[a-z0-9-]+)").expect("valid regex");
    let env = Regex::new(r"\[env: ([A-Z0-9_]+)=").expect("valid regex");
    let default = Regex::new(r"\[default: ([^\]]+)\]").expect("valid regex");
    let mut flags = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(capture) = flag.captures(line) {
            current = Some(capture[1].to_owned());
            flags.insert(
                capture[1].to_owned(),
                Flag {
                    env: None,
                    default: None,
                },
            );
        } else if let Some(name) = &current
            && let Some(entry) = flags.get_mut(name)
        {
            if let Some(capture) = env.captures(line) {
                entry.env = Some(capture[1].to_owned());
            }
            if let Some(capture) = default.captures(line) {
                entry.default = Some(capture[1].to_owned());
            }
        }
    }
    flags
}

fn readme(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// "20,000", "20 000" (with any space) and "`5m`" as `--help` writes them.
fn plain(value: &str) -> String {
    value
        .chars()
        .filter(|c| !matches!(c, ',' | '`') && !c.is_whitespace())
        .collect()
}

fn check(name: &str) {
    let flags = help();
    assert!(flags.len() > 20, "the help was read: {flags:?}");
    let text = readme(name);

    // The synopsis: `[--flag value]` with a number or a duration is the default.
    let synopsis = Regex::new(r"\[(--[a-z0-9-]+) ([0-9][0-9a-z.:]*)\]").expect("valid regex");
    let mut seen = 0;
    for capture in synopsis.captures_iter(&text) {
        let flag = flags
            .get(&capture[1])
            .unwrap_or_else(|| panic!("{name}: no flag {}", &capture[1]));
        assert_eq!(
            flag.default.as_deref(),
            Some(&capture[2]),
            "{name}: {}",
            &capture[1]
        );
        seen += 1;
    }
    assert!(seen >= 15, "{name}: the synopsis was read ({seen} flags)");

    // The limits table: | `--flag` (`VARIABLE`) | default | ... |
    let row = Regex::new(r"(?m)^\| `(--[a-z0-9-]+)` \(`([A-Z0-9_]+)`\) \| ([^|]+) \|").expect("valid regex");
    let mut rows = 0;
    for capture in row.captures_iter(&text) {
        let flag = flags
            .get(&capture[1])
            .unwrap_or_else(|| panic!("{name}: no flag {}", &capture[1]));
        assert_eq!(flag.env.as_deref(), Some(&capture[2]), "{name}: {}", &capture[1]);
        assert_eq!(
            flag.default.as_deref().map(plain),
            Some(plain(&capture[3])),
            "{name}: {}",
            &capture[1]
        );
        rows += 1;
    }
    assert!(rows >= 10, "{name}: the limits table was read ({rows} rows)");

    // The list of variables: every flag's variable is named, and no other.
    let variables: Vec<&str> = flags.values().filter_map(|flag| flag.env.as_deref()).collect();
    for variable in &variables {
        assert!(
            text.contains(&format!("`{variable}`")),
            "{name} does not name {variable}"
        );
    }
    // The client's help names its variables in its sentences ("or BANK_CA").
    let client = help_text(harness::bank_exe());
    let variable = Regex::new(r"\bBANK_[A-Z0-9_]+").expect("valid regex");
    let of_the_client: Vec<&str> = variable.find_iter(&client).map(|found| found.as_str()).collect();
    assert!(
        of_the_client.contains(&"BANK_SERVER"),
        "the client's help was read"
    );
    // Variables the tests read (the Python example's interpreter), which
    // the READMEs' section on tests names.
    let of_the_tests = ["BANK_PYTHON"];
    let named = Regex::new(r"`(BANK_[A-Z0-9_]+)`").expect("valid regex");
    for capture in named.captures_iter(&text) {
        let variable = &capture[1];
        assert!(
            variables.contains(&variable)
                || of_the_client.contains(&variable)
                || of_the_tests.contains(&variable),
            "{name} names {variable}, which neither bank-server nor bank reads"
        );
    }
}

#[test]
fn the_english_operations_guide_gives_every_server_flag_its_real_variable_and_default() {
    check("OPERATIONS.md");
}

#[test]
fn the_french_operations_guide_gives_every_server_flag_its_real_variable_and_default() {
    check("EXPLOITATION.md");
}
