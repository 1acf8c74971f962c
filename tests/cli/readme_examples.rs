//! The READMEs' examples are real output, and agree with each other: every
//! ` ```console ` block of README.md and README.fr.md is run against a Bank
//! Service with the READMEs' seed whose clock stands at [`README_NOW_MS`],
//! and must print exactly what the README shows.
//!
//! A checked block reads as a terminal session:
//! - a `$ ` line is a command; the lines after it, up to the next `$ ` line
//!   or the block's end, are its standard output (blank lines at the end of
//!   one command's output only separate it from the next command);
//! - a line `...` stands for any number of lines (a long listing cut short);
//! - `$ cat FILE` shows a file: its lines are written to FILE, in a folder
//!   the block's commands run in;
//! - `printf 'TEXT' | bank …` feeds TEXT (with its `\n`) to standard input;
//! - `| cat` and `2>/dev/null` mean what they say: the output is a pipe,
//!   and standard error is not shown.
//!
//! The server is `bank-server --seed 42`; the commands name their instant
//! (`--at`, `--from-sequence`, `--from`/`--to`), so the figures are the
//! ones anyone gets from that server, whatever the day.

use std::path::Path;

use bank_domain::clock::{Clock, ManualClock};
use bank_server::Config;
use harness::TestServer;
use harness::cli;

/// The seed the READMEs' server runs with (`bank-server --seed 42`).
const README_SEED: u64 = 42;

/// Where the test server's clock stands: 2026-11-26T15:00:00Z, after every
/// instant the examples name and within a day of them, so that replays
/// (`--from-sequence`) are inside the server's window.
const README_NOW_MS: u64 = 1_795_705_200_000;

/// One command of a block and what it must print.
#[derive(Debug)]
struct Example {
    readme: &'static str,
    line: usize,
    command: String,
    output: Vec<String>,
}

/// The `$ ` commands of every ` ```console ` block, in order, each block
/// starting with an empty folder.
fn examples(readme: &'static str) -> Vec<Vec<Example>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join(readme)).expect("the README");
    let mut blocks = Vec::new();
    let mut block: Option<Vec<Example>> = None;
    for (index, line) in text.lines().enumerate() {
        match (&mut block, line) {
            (None, "```console") => block = Some(Vec::new()),
            (Some(_), "```") => blocks.extend(block.take()),
            (Some(commands), line) => match line.strip_prefix("$ ") {
                Some(command) => commands.push(Example {
                    readme,
                    line: index + 1,
                    command: command.to_owned(),
                    output: Vec::new(),
                }),
                None => commands
                    .last_mut()
                    .unwrap_or_else(|| panic!("{readme}:{}: output before any command", index + 1))
                    .output
                    .push(line.to_owned()),
            },
            (None, _) => {}
        }
    }
    for example in blocks.iter_mut().flatten() {
        while example.output.last().is_some_and(String::is_empty) {
            example.output.pop();
        }
    }
    blocks
}

/// Whether `actual` is what `expected` shows, `...` matching any lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(line, others)| line == first && matches(rest, others)),
    }
}

/// Runs one example's command in `folder` against `server`.
async fn run(example: &Example, folder: &Path, server: &str) -> String {
    let (stdin, command) = match example.command.split_once(" | bank ") {
        Some((printf, rest)) => {
            let text = shlex::split(printf.strip_prefix("printf ").expect("printf '...' | bank"))
                .and_then(|words| words.into_iter().next())
                .expect("one quoted argument to printf");
            (Some(text.replace("\\n", "\n")), format!("bank {rest}"))
        }
        None => (None, example.command.clone()),
    };
    let command = command
        .trim_end_matches(" | cat")
        .trim_end_matches(" 2>/dev/null")
        .to_owned();
    let words = shlex::split(&command).expect("a command line");
    assert_eq!(
        words[0], "bank",
        "{}:{}: only bank runs here",
        example.readme, example.line
    );
    let mut bank = cli::bank(server);
    bank.current_dir(folder).args(&words[1..]);
    if let Some(stdin) = stdin {
        bank.write_stdin(stdin);
    }
    let output = cli::run(bank).await;
    cli::stdout(&output)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_console_example_of_both_readmes_prints_what_it_shows() {
    let clock = std::sync::Arc::new(ManualClock::new(README_NOW_MS));
    let mut config = Config::with_seed(README_SEED);
    config.clock = clock as std::sync::Arc<dyn Clock>;
    let server = TestServer::start_with(config).await;
    let mut checked = 0;
    for readme in ["README.md", "README.fr.md"] {
        for block in examples(readme) {
            let folder = tempfile::tempdir().expect("a folder");
            for example in block {
                if let Some(file) = example.command.strip_prefix("cat ") {
                    let text: String = example.output.iter().map(|line| format!("{line}\n")).collect();
                    std::fs::write(folder.path().join(file), text).expect("the example's file");
                    continue;
                }
                let printed = run(&example, folder.path(), &server.url()).await;
                let lines: Vec<&str> = printed.lines().collect();
                assert!(
                    matches(&example.output, &lines),
                    "{}:{}: `{}` printed\n{printed}\nbut the README shows\n{}",
                    example.readme,
                    example.line,
                    example.command,
                    example.output.join("\n")
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 16, "only {checked} examples were found");
}

#[test]
fn an_elision_matches_any_lines_and_nothing_else_is_loose() {
    let expected: Vec<String> = ["a", "...", "z"].map(str::to_owned).to_vec();
    assert!(matches(&expected, &["a", "z"]));
    assert!(matches(&expected, &["a", "b", "c", "z"]));
    assert!(!matches(&expected, &["a", "b"]));
    assert!(!matches(&expected, &["b", "z"]));
}
