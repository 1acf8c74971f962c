//! `bank help COMMAND`, `bank completions SHELL` and the manual pages
//! (`bank man`, `bank-server --man`): the command line describing itself,
//! as `--help` does, in both languages.

use harness::cli::{self, assert_exit};

fn run(args: &[&str]) -> std::process::Output {
    cli::bank_without_server().args(args).output().expect("bank runs")
}

#[test]
fn bank_help_command_prints_what_command_help_prints_in_each_language() {
    for lang in ["en", "fr"] {
        for command in [&["convert"][..], &["history"], &["bench", "feed"]] {
            let mut help = vec!["--lang", lang, "help"];
            help.extend(command);
            let mut flag = vec!["--lang", lang];
            flag.extend(command);
            flag.push("--help");
            let (by_help, by_flag) = (run(&help), run(&flag));
            assert_exit(&by_help, 0);
            assert_eq!(cli::stdout(&by_help), cli::stdout(&by_flag), "{lang} {command:?}");
            assert!(!cli::stdout(&by_help).is_empty());
        }
    }
}

#[test]
fn bank_help_of_an_unknown_command_is_a_usage_error_naming_it() {
    let output = run(&["help", "conver"]);
    assert_exit(&output, 2);
    assert!(
        cli::stderr(&output).contains("conver"),
        "{}",
        cli::describe(&output)
    );
}

#[test]
fn completions_are_generated_for_every_shell_with_every_command_and_global_option() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = run(&["completions", shell]);
        assert_exit(&output, 0);
        let script = cli::stdout(&output);
        // Options without their dashes: fish writes them `-l compress`.
        for word in ["convert", "history", "session", "compress", "server"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    assert_exit(&run(&["completions", "tcsh"]), 2);
}

/// Whether groff formats `page` without a single warning; `None` when
/// groff is missing (outside CI only: CI installs it).
fn groff_warnings(page: &std::path::Path) -> Option<String> {
    let run = std::process::Command::new("groff")
        .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
        .arg(page)
        .output();
    match run {
        Ok(output) => Some(String::from_utf8_lossy(&output.stderr).into_owned()),
        Err(error) => {
            harness::skip_outside_ci(&format!(
                "groff, which formats the manual pages, cannot run ({error}); Debian's groff-base has it"
            ));
            None
        }
    }
}

#[test]
fn bank_man_writes_a_page_per_command_in_each_language_that_groff_formats_cleanly() {
    for (lang, name_heading, convert_words) in [
        ("en", ".SH \"NAME\"", "Convert an amount"),
        ("fr", ".SH \"NOM\"", "Convertir un montant"),
    ] {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let dir_arg = dir.path().to_str().expect("a UTF-8 path");
        let output = run(&["--lang", lang, "man", "--dir", dir_arg]);
        assert_exit(&output, 0);
        let mut pages: Vec<String> = std::fs::read_dir(dir.path())
            .expect("the folder")
            .map(|entry| {
                entry
                    .expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        pages.sort();
        for expected in [
            "bank.1",
            "bank-convert.1",
            "bank-rates.1",
            "bank-batch.1",
            "bank-session.1",
            "bank-bench-feed.1",
            "bank-man.1",
        ] {
            assert!(
                pages.iter().any(|page| page == expected),
                "{lang}: {expected} in {pages:?}"
            );
        }
        let convert = std::fs::read_to_string(dir.path().join("bank-convert.1")).expect("the page");
        assert!(
            convert
                .lines()
                .any(|line| line.starts_with(".TH \"BANK-CONVERT\" \"1\"")),
            "{convert}"
        );
        assert!(convert.contains(name_heading), "{lang}: {convert}");
        assert!(convert.contains(convert_words), "{lang}: {convert}");
        for page in &pages {
            if let Some(warnings) = groff_warnings(&dir.path().join(page)) {
                assert_eq!(warnings, "", "{lang} {page}");
            }
        }
        // One page on standard output is the same page.
        let printed = run(&["--lang", lang, "man", "convert"]);
        assert_exit(&printed, 0);
        assert_eq!(cli::stdout(&printed), convert);
    }
}

#[test]
fn bank_server_man_documents_every_flag_of_its_help() {
    let help = std::process::Command::new(harness::server_exe())
        .arg("--help")
        .output()
        .expect("bank-server runs");
    let page = std::process::Command::new(harness::server_exe())
        .arg("--man")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE")
        .output()
        .expect("bank-server runs");
    assert!(page.status.success());
    let page = String::from_utf8(page.stdout).expect("UTF-8");
    assert!(
        page.lines()
            .any(|line| line.starts_with(".TH \"BANK-SERVER\" \"1\"")),
        "{page}"
    );
    let help = String::from_utf8(help.stdout).expect("UTF-8");
    let flags = help
        .split_whitespace()
        .filter(|word| word.starts_with("--"))
        .map(|word| word.trim_end_matches(','));
    for flag in flags {
        let roff = flag.replace('-', "\\-");
        assert!(page.contains(&roff), "{flag} in the page");
    }
    let file = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(file.path(), &page).expect("written");
    if let Some(warnings) = groff_warnings(file.path()) {
        assert_eq!(warnings, "");
    }
}

#[test]
fn bank_server_help_and_page_follow_the_environments_language() {
    let french = |arg: &str| {
        let output = std::process::Command::new(harness::server_exe())
            .arg(arg)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANGUAGE")
            .env("LANG", "fr_FR.UTF-8")
            .output()
            .expect("bank-server runs");
        assert!(output.status.success());
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let help = french("--help");
    assert!(help.contains("Utilisation\u{a0}: bank-server"), "{help}");
    assert!(help.contains("Adresse d’écoute"), "{help}");
    assert!(help.contains("[env: BANK_ADDR=]"), "clap's notes stay: {help}");
    let page = french("--man");
    assert!(page.contains(".SH \"NOM\""), "{page}");
    assert!(page.contains("Adresse d’écoute"), "{page}");
}

#[test]
fn bank_server_man_works_with_its_settings_in_the_environment() {
    // clap counts a value from the environment as given: `--man` must not
    // refuse to run beside them.
    let output = std::process::Command::new(harness::server_exe())
        .arg("--man")
        .env("BANK_ADDR", "127.0.0.1:50051")
        .env("BANK_SEED", "42")
        .output()
        .expect("bank-server runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains(".TH \"BANK-SERVER\""));
}
