//! `--json` failures are one JSON object on standard output (the gRPC code,
//! the reason, the field, the message, the exit code) while standard error
//! keeps the sentence; usage errors read as a person would write them; a
//! wrong scheme (`http://` to TLS, `https://` to plaintext) is said plainly;
//! the CLI phrases the server's reasons in its own terms.

use harness::TestServer;
use harness::cli::{self, assert_exit};
use harness::pki::{TestCa, tls_server};
use serde_json::Value;

/// The one object a `--json` failure prints, checked to be alone on stdout
/// and beside a sentence on stderr.
fn failure(output: &std::process::Output, exit: i32) -> Value {
    assert_exit(output, exit);
    let lines = cli::json_lines(output);
    assert_eq!(lines.len(), 1, "one object: {}", cli::describe(output));
    assert!(!cli::stderr(output).is_empty(), "stderr keeps the sentence");
    let error = lines[0]["error"].clone();
    assert_eq!(error["exit_code"], exit);
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty()),
        "{error}"
    );
    error
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_in_json_carries_the_code_reason_field_and_metadata() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command.args(["--json", "convert", "1.001", "USD", "EUR"]);
    let error = failure(&cli::run(command).await, 1);
    assert_eq!(error["code"], "INVALID_ARGUMENT");
    assert_eq!(error["reason"], "AMOUNT_TOO_PRECISE");
    assert_eq!(error["domain"], "bank.v1");
    assert_eq!(error["field"], "amount");
    assert_eq!(error["metadata"]["minor_units"], "2");
    assert_eq!(error["metadata"]["currency"], "USD");

    let mut command = cli::bank(&server.url());
    command.args(["--json", "convert", "1", "USD", "XXX"]);
    let error = failure(&cli::run(command).await, 1);
    assert_eq!(error["reason"], "CURRENCY_NOT_SUPPORTED");
    assert_eq!(error["field"], "to_currency");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_in_json_name_their_reason_and_argument() {
    let cases: [(&[&str], &str, &str); 6] = [
        (&["convert", "-5", "USD", "EUR"], "AMOUNT_NEGATIVE", "<AMOUNT>"),
        (
            &["--timeout", "5", "currencies"],
            "DURATION_WITHOUT_UNIT",
            "--timeout",
        ),
        (
            &["--timeout", "0s", "currencies"],
            "DURATION_NOT_POSITIVE",
            "--timeout",
        ),
        (
            &["convert", "1", "USD", "EUR", "--at", "soon"],
            "INSTANT_MALFORMED",
            "--at",
        ),
        (&["tour", "--model", "foo"], "INVALID_VALUE", "--model"),
        (
            &["convert", "1", "USD", "EUR", "--bogus"],
            "UNKNOWN_ARGUMENT",
            "--bogus",
        ),
    ];
    for (args, reason, field) in cases {
        let mut command = cli::bank(&cli::unreachable_url());
        command.arg("--json").args(args);
        let error = failure(&cli::run(command).await, 2);
        assert_eq!(error["reason"], reason, "{args:?}");
        assert_eq!(error["domain"], "bank.cli", "{args:?}");
        assert_eq!(error["field"], field, "{args:?}");
        assert_eq!(error["code"], Value::Null, "nothing was sent: {args:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_choice_lists_the_valid_values() {
    let mut command = cli::bank_without_server();
    command.args(["--json", "tour", "--model", "foo"]);
    let error = failure(&cli::run(command).await, 2);
    assert_eq!(
        error["metadata"]["valid_values"],
        "unary,server-streaming,client-streaming,bidi,cancellation,deadlines,errors,slow-reader,resume"
    );
    let mut command = cli::bank_without_server();
    command.args(["tour", "--model", "foo"]);
    let output = cli::run(command).await;
    assert_exit(&output, 2);
    assert!(
        cli::stderr(&output).contains("unary, server-streaming, client-streaming, bidi"),
        "{}",
        cli::describe(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_in_json_is_unavailable_with_exit_three() {
    let mut command = cli::bank(&cli::unreachable_url());
    command.args(["--json", "currencies"]);
    let error = failure(&cli::run(command).await, 3);
    assert_eq!(error["code"], "UNAVAILABLE");
    assert_eq!(error["reason"], "SERVER_UNREACHABLE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plaintext_to_a_tls_server_says_to_use_https() {
    let ca = TestCa::new("wrong-scheme");
    let server = tls_server(&ca, None).await;
    let plain = format!("http://{}", server.addr);
    // The feed is tried several times: its failure comes either when the
    // call opens or just after it opened, and both must be recognised.
    let feed = &["--json", "rates", "EUR/USD"][..];
    for args in [
        &["--json", "convert", "1", "USD", "EUR"][..],
        feed,
        feed,
        feed,
        feed,
        feed,
    ] {
        let mut command = cli::bank(&plain);
        command.args(args);
        let error = failure(&cli::run(command).await, 3);
        assert_eq!(error["reason"], "WRONG_SCHEME", "{args:?}");
        assert_eq!(error["metadata"]["suggested"], format!("https://{}", server.addr));
    }
    // A batch too, whose failure may come while its rows stream.
    for _ in 0..3 {
        let mut command = cli::bank(&plain);
        command
            .args(["--json", "batch", "-"])
            .write_stdin("1,USD,EUR\n2,USD,EUR\n");
        let error = failure(&cli::run(command).await, 3);
        assert_eq!(error["reason"], "WRONG_SCHEME");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_to_a_plaintext_server_says_to_use_http() {
    let (server, _clock) = TestServer::start_pinned().await;
    let tls = format!("https://{}", server.addr);
    let mut command = cli::bank(&tls);
    command.args(["--json", "currencies"]);
    let error = failure(&cli::run(command).await, 3);
    assert_eq!(error["reason"], "WRONG_SCHEME");
    assert_eq!(error["metadata"]["suggested"], server.url());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn english_amounts_may_have_thousands_separators() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command.args(["--json", "convert", "10,000.50", "USD", "EUR"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);
    assert_eq!(cli::json_lines(&output)[0]["amount"], "10000.50");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn french_refusals_describe_amounts_the_french_way() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command.args(["--lang", "fr", "convert", "douze", "USD", "EUR"]);
    let output = cli::run(command).await;
    assert_exit(&output, 1);
    let stderr = cli::stderr(&output);
    assert!(stderr.contains("montant"), "{stderr}");
    assert!(stderr.contains("12,50"), "a decimal comma: {stderr}");
    assert!(!stderr.contains("12.50"), "no decimal point: {stderr}");
}

#[test]
fn the_readme_lists_every_reason_of_the_cli() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for readme in ["README.md", "README.fr.md"] {
        let text = std::fs::read_to_string(root.join(readme)).expect("README");
        for reason in bank::CLI_REASONS {
            assert!(text.contains(&format!("`{reason}`")), "{readme} lists {reason}");
        }
    }
}
