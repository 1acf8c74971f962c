//! `bank help COMMAND` and `bank completions SHELL`: the command line
//! describing itself, as `--help` does, in both languages.

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
