//! The documented exit codes of `bank` (0 success, 1 rejected by the
//! server, 2 usage error, 3 server unreachable), the one-sentence errors in
//! English and French, `BANK_SERVER`, and `--help`.

use harness::TestServer;
use harness::cli::{self, assert_exit};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_successful_conversion_exits_zero_and_says_nothing_on_stderr() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command.args(["convert", "1", "USD", "EUR"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);
    assert_eq!(cli::stderr(&output), "");
    assert_eq!(cli::stdout_lines(&output).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_rejection_exits_one_with_a_sentence_naming_the_field_in_each_language() {
    let (server, _clock) = TestServer::start_pinned().await;
    // The problem is phrased by the CLI from the server's reason, in the
    // language the CLI asked for.
    for (lang, refused, field, problems) in [
        (
            "en",
            "The server refused the request",
            "amount",
            [
                ("0", "must be greater than zero"),
                ("1.001", "USD has 2 decimals"),
            ],
        ),
        (
            "fr",
            "Le serveur a refusé la requête",
            "montant",
            [
                ("0", "doit être supérieur à zéro"),
                ("1,001", "USD n’a que 2 décimales"),
            ],
        ),
    ] {
        for (amount, problem) in problems {
            let mut command = cli::bank(&server.url());
            command.args(["--lang", lang, "convert", amount, "USD", "EUR"]);
            let output = cli::run(command).await;
            assert_exit(&output, 1);
            assert_eq!(cli::stdout(&output), "", "nothing on stdout ({lang}, {amount})");
            let stderr = cli::stderr(&output);
            assert_eq!(stderr.trim_end().lines().count(), 1, "one sentence: {stderr}");
            assert!(stderr.starts_with(refused), "{lang}, {amount}: {stderr}");
            assert!(
                stderr.contains(field),
                "names the field ({lang}, {amount}): {stderr}"
            );
            assert!(
                stderr.contains(problem),
                "says what is wrong in {lang} ({amount}): {stderr}"
            );
            assert!(
                !stderr.contains("Status {") && !stderr.contains("code:"),
                "no debug dump: {stderr}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_two_before_anything_is_sent() {
    let (server, _clock) = TestServer::start_pinned().await;
    let cases: [&[&str]; 4] = [
        &["convert", "1", "USD"],
        &["--bogus", "currencies"],
        &["convert", "1", "USD", "EUR", "--bogus"],
        &["--lang", "de", "currencies"],
    ];
    for args in cases {
        let mut command = cli::bank(&server.url());
        command.args(args);
        let output = cli::run(command).await;
        assert_eq!(cli::code(&output), 2, "{args:?}: {}", cli::describe(&output));
        assert_eq!(cli::stdout(&output), "", "{args:?}");
        assert!(!cli::stderr(&output).is_empty(), "{args:?} explains itself");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_exits_three_naming_the_address_in_each_language() {
    let url = cli::unreachable_url();
    for (lang, sentence) in [("en", "Could not reach"), ("fr", "Impossible de joindre")] {
        for args in [&["convert", "1", "USD", "EUR"][..], &["currencies"][..]] {
            let mut command = cli::bank(&url);
            command.args(["--lang", lang]).args(args);
            let output = cli::run(command).await;
            assert_exit(&output, 3);
            let stderr = cli::stderr(&output);
            assert_eq!(stderr.trim_end().lines().count(), 1, "one sentence: {stderr}");
            assert!(stderr.starts_with(sentence), "{lang}: {stderr}");
            assert!(
                stderr.contains(&url),
                "names the address tried ({lang}): {stderr}"
            );
            assert!(
                stderr.contains("bank-server"),
                "hints at the server ({lang}): {stderr}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bank_server_variable_chooses_the_server() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank_without_server();
    command
        .env("BANK_SERVER", server.url())
        .args(["--json", "convert", "1", "USD", "EUR"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);
    assert_eq!(
        cli::json_lines(&output)[0]["rate_sequence"],
        harness::PINNED_UNIX_MS / 1_000
    );

    let unreachable = cli::unreachable_url();
    let mut command = cli::bank_without_server();
    command
        .env("BANK_SERVER", &unreachable)
        .args(["convert", "1", "USD", "EUR"]);
    let output = cli::run(command).await;
    assert_exit(&output, 3);
    assert!(
        cli::stderr(&output).contains(&unreachable),
        "{}",
        cli::describe(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_flag_wins_over_the_bank_server_variable() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command
        .env("BANK_SERVER", cli::unreachable_url())
        .args(["convert", "1", "USD", "EUR"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_exits_zero_and_documents_the_exit_codes() {
    let mut command = cli::bank_without_server();
    command.arg("--help");
    let output = cli::run(command).await;
    assert_exit(&output, 0);
    let help = cli::stdout(&output)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for documented in [
        "Exit codes",
        "0 success",
        "1 the server rejected",
        "2 usage error",
        "3 server unreachable",
    ] {
        assert!(
            help.contains(documented),
            "--help documents {documented:?}: {help}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_and_help_are_in_the_users_language() {
    let mut missing = harness::cli::bank_without_server();
    missing.args(["--lang", "fr", "convert", "1", "USD"]);
    let output = harness::cli::run(missing).await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Il manque"), "{stderr}");
    assert!(!stderr.contains("error:"), "no English clap message: {stderr}");

    let mut help = harness::cli::bank_without_server();
    help.env("LANG", "fr_FR.UTF-8").args(["convert", "--help"]);
    let output = harness::cli::run(help).await;
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Utilisation\u{a0}: bank convert"), "{stdout}");
    assert!(stdout.contains("Convertir un montant"), "{stdout}");
    // Headings from the catalog, punctuated the French way.
    assert!(stdout.contains("\nArguments\u{a0}:\n"), "{stdout}");
    assert!(stdout.contains("\nOptions\u{a0}:\n"), "{stdout}");
    assert!(!stdout.contains("Options:"), "{stdout}");
}
