//! `bank` when things go wrong, command by command: a server that accepts
//! connections and never answers (a timeout, exit 3), no server at all
//! (exit 3), a server shutting down (UNAVAILABLE, exit 3), an input file
//! that cannot be read or an invalid `--count` (usage errors, exit 2), and
//! Ctrl-C (exit 0 for `rates`, 130 otherwise), each with one sentence in
//! the user's language; and how that language is chosen from the
//! environment.

use std::io::{BufRead, BufReader};

use harness::TestServer;
use harness::cli::{self, SilentServer, assert_exit};

/// Every command that talks to the server, with its input.
const COMMANDS: [(&[&str], &str); 5] = [
    (&["convert", "1", "USD", "EUR"], ""),
    (&["currencies"], ""),
    (&["rates", "EUR/USD"], ""),
    (&["session"], "1 USD EUR\n"),
    (&["batch"], "1,USD,EUR\n"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_is_a_timeout_for_every_command() {
    let silent = SilentServer::start().await;
    for (lang, sentence) in [
        ("en", "The server did not answer in time (see --timeout)."),
        ("fr", "Le serveur n’a pas répondu à temps (voir --timeout)."),
    ] {
        for (args, input) in COMMANDS {
            let mut command = cli::bank(&silent.url);
            command
                .args(["--lang", lang, "--timeout", "200ms"])
                .args(args)
                .write_stdin(input);
            let output = cli::run(command).await;
            assert_exit(&output, 3);
            assert_eq!(cli::stdout(&output), "", "{args:?}");
            assert!(
                cli::stderr(&output).trim_end().ends_with(sentence),
                "{lang} {args:?}: {}",
                cli::describe(&output)
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_larger_than_the_servers_window_still_times_out() {
    // More than HTTP/2's first 64 KiB window: the rows the silent server
    // never makes room for block the sending, not just the answer.
    let silent = SilentServer::start().await;
    let mut command = cli::bank(&silent.url);
    command
        .args(["--timeout", "200ms", "batch"])
        .write_stdin("1.37,USD,EUR\n".repeat(50_000));
    let output = cli::run(command).await;
    assert_exit(&output, 3);
    assert!(
        cli::stderr(&output).contains("did not answer in time"),
        "{}",
        cli::describe(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_exits_three_for_the_streaming_commands_too() {
    let url = cli::unreachable_url();
    for (args, input) in &COMMANDS[2..] {
        let mut command = cli::bank(&url);
        command.args(*args).write_stdin(*input);
        let output = cli::run(command).await;
        assert_exit(&output, 3);
        let stderr = cli::stderr(&output);
        assert!(stderr.starts_with("Could not reach"), "{args:?}: {stderr}");
        assert!(stderr.contains(&url), "{args:?}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draining_server_ends_a_session_with_exit_three() {
    // A feed is not ended by a drain: `bank rates` reconnects, which
    // tests/cli_faults.rs checks across a restart.
    for args in [&["session"][..]] {
        let (mut server, _clock) = TestServer::start_pinned().await;
        let mut child = cli::spawn(&server.url(), args);
        // Standard input stays open: the session waits for more lines.
        let keyboard = child.stdin.take();
        server
            .wait_until("the stream is open", |server| {
                server.open.feeds() + server.open.sessions() == 1
            })
            .await;
        server.begin_shutdown();
        let output = cli::finish(child).await;
        drop(keyboard);
        assert_exit(&output, 3);
        let stderr = cli::stderr(&output);
        assert!(
            stderr.starts_with("The Bank Service at") && stderr.contains("is unavailable"),
            "{args:?}: {stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_input_file_is_a_usage_error_named_in_the_users_language() {
    let directory = tempfile::tempdir().expect("a temporary folder");
    let missing = directory.path().join("missing.csv");
    let missing = missing.to_str().expect("a UTF-8 path");
    let folder = directory.path().to_str().expect("a UTF-8 path");
    // The file is checked first: no server is needed to say it is missing.
    let url = cli::unreachable_url();
    for (lang, path, reason) in [
        ("en", missing, "no such file"),
        ("fr", missing, "fichier introuvable"),
        ("en", folder, "it is a directory, not a file"),
        ("fr", folder, "c’est un dossier, pas un fichier"),
    ] {
        let mut command = cli::bank(&url);
        command.args(["--lang", lang, "batch", path]);
        let output = cli::run(command).await;
        assert_exit(&output, 2);
        let stderr = cli::stderr(&output);
        assert_eq!(stderr.trim_end().lines().count(), 1, "one sentence: {stderr}");
        assert!(stderr.contains(path), "names the file: {stderr}");
        assert!(stderr.trim_end().ends_with(reason), "{lang}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_count_of_zero_is_refused_before_anything_is_sent() {
    let mut command = cli::bank(&cli::unreachable_url());
    command.args(["rates", "--count", "0"]);
    let output = cli::run(command).await;
    assert_exit(&output, 2);
    assert!(
        cli::stderr(&output).contains("--count"),
        "{}",
        cli::describe(&output)
    );
}

/// Starts `bank args...`, waits for its first line of output, then sends
/// SIGINT.
async fn interrupted_after_first_line(
    server: &TestServer,
    args: &[&str],
    input: &str,
) -> std::process::Output {
    let mut child = cli::spawn(&server.url(), args);
    let mut keyboard = child.stdin.take().expect("piped stdin");
    std::io::Write::write_all(&mut keyboard, input.as_bytes()).expect("input written");
    let stdout = child.stdout.take().expect("piped stdout");
    let (first, stdout) = tokio::task::spawn_blocking(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).expect("a first line");
        (line, reader)
    })
    .await
    .expect("the read did not panic");
    assert!(!first.is_empty(), "bank printed something first");
    cli::interrupt(&child);
    let mut output = cli::finish(child).await;
    drop(keyboard);
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut stdout.into_inner(), &mut rest).expect("the rest of stdout");
    output.stdout = [first.into_bytes(), rest].concat();
    output
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_the_feed_with_exit_zero_and_a_session_with_exit_130() {
    let (server, _clock) = TestServer::start_pinned().await;
    let output = interrupted_after_first_line(&server, &["rates", "EUR/USD"], "").await;
    assert_exit(&output, 0);
    assert_eq!(cli::stderr(&output), "", "a normal end, nothing to say");

    // The session answers a line, then waits for more: standard input is
    // still open.
    let output = interrupted_after_first_line(&server, &["session"], "1 USD EUR\n").await;
    assert_exit(&output, 130);
    assert_eq!(
        cli::stderr(&output),
        "Interrupted.\n",
        "{}",
        cli::describe(&output)
    );
    assert!(cli::stdout(&output).starts_with("[1] 1.00 USD = "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_comes_from_language_then_lc_all_then_lc_messages_then_lang() {
    let url = cli::unreachable_url();
    let french = "Impossible de joindre";
    let english = "Could not reach";
    let cases: [(&[(&str, &str)], &str); 10] = [
        // gettext's LANGUAGE, a list by preference, comes first...
        (&[("LANGUAGE", "fr"), ("LC_ALL", "en_US.UTF-8")], french),
        (&[("LANGUAGE", "de:fr:en"), ("LANG", "en_US.UTF-8")], french),
        // ...unless the locale is C, which asks for untranslated messages.
        (&[("LANGUAGE", "fr"), ("LC_ALL", "C")], english),
        (
            &[
                ("LC_ALL", "fr_FR.UTF-8"),
                ("LC_MESSAGES", "en_US.UTF-8"),
                ("LANG", "en_US.UTF-8"),
            ],
            french,
        ),
        (
            &[
                ("LC_ALL", "en_US.UTF-8"),
                ("LC_MESSAGES", "fr_FR.UTF-8"),
                ("LANG", "fr_FR.UTF-8"),
            ],
            english,
        ),
        (&[("LC_MESSAGES", "fr_CA.UTF-8"), ("LANG", "en_US.UTF-8")], french),
        (&[("LC_MESSAGES", "C"), ("LANG", "fr_FR.UTF-8")], english),
        // Empty is the same as unset.
        (
            &[("LC_ALL", ""), ("LC_MESSAGES", ""), ("LANG", "fr_BE.UTF-8")],
            french,
        ),
        (&[("LANG", "de_DE.UTF-8")], english),
        (&[], english),
    ];
    for (env, expected) in cases {
        let mut command = cli::bank(&url);
        command.envs(env.iter().copied()).arg("currencies");
        let output = cli::run(command).await;
        assert_exit(&output, 3);
        assert!(
            cli::stderr(&output).starts_with(expected),
            "{env:?}: {}",
            cli::stderr(&output)
        );
    }
    // --lang wins over the environment.
    let mut command = cli::bank(&url);
    command
        .env("LC_ALL", "fr_FR.UTF-8")
        .args(["--lang", "en", "currencies"]);
    let output = cli::run(command).await;
    assert!(
        cli::stderr(&output).starts_with(english),
        "{}",
        cli::stderr(&output)
    );
}
