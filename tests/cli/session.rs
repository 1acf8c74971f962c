//! `bank session`: lines read from standard input, each answered in input
//! order (a bad line gets an error reply and the session goes on), end of
//! input or `quit` closes the session, blank lines and comments are skipped
//! without shifting the replies' numbers, the exit code says whether any
//! line failed, and the replies are the server's numbers, in English,
//! French or JSON.

use harness::TestServer;
use harness::cli::{self, assert_exit, localized};
use serde_json::Value;

/// Good, unparseable, refused by the server, good with an id.
const MIXED_INPUT: &str = "100 USD EUR\nhello\n5 XXX EUR\n7 eur jpy id9\n";

async fn session(server: &TestServer, args: &[&str], input: &str) -> std::process::Output {
    let mut command = cli::bank(&server.url());
    command.args(args).arg("session").write_stdin(input);
    cli::run(command).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_lines_get_error_replies_in_input_order_and_the_session_goes_on() {
    let (server, _clock) = TestServer::start_pinned().await;
    let output = session(&server, &[], MIXED_INPUT).await;
    assert_exit(&output, 1);

    let dollars = server.direct_convert("100", "USD", "EUR").await;
    let yen = server.direct_convert("7", "EUR", "JPY").await;
    let lines = cli::stdout_lines(&output);
    assert_eq!(lines.len(), 4, "{}", cli::describe(&output));
    assert_eq!(
        lines[0],
        format!(
            "[1] 100.00 USD = {} EUR (rate {})",
            localized("en", &dollars.converted_amount),
            localized("en", &dollars.rate)
        )
    );
    assert!(lines[1].starts_with("[2] error"), "{}", lines[1]);
    assert!(lines[2].starts_with("[3] error"), "{}", lines[2]);
    assert!(lines[2].contains("XXX"), "the server's reason: {}", lines[2]);
    assert_eq!(
        lines[3],
        format!(
            "[4] 7.00 EUR = {} JPY (rate {})",
            localized("en", &yen.converted_amount),
            localized("en", &yen.rate)
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_of_good_lines_exits_zero() {
    let (server, _clock) = TestServer::start_pinned().await;
    let output = session(&server, &[], "1 USD EUR\n2.50 gbp jpy\n3 CHF CHF order-3\n").await;
    assert_exit(&output, 0);
    let lines = cli::stdout_lines(&output);
    assert_eq!(lines.len(), 3, "{}", cli::describe(&output));
    for (number, line) in lines.iter().enumerate() {
        assert!(line.starts_with(&format!("[{}] ", number + 1)), "{line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_first_or_last_line_is_answered_in_its_place() {
    let (server, _clock) = TestServer::start_pinned().await;
    let output = session(&server, &[], "hello\n1 USD EUR\nnot a conversion\n").await;
    assert_exit(&output, 1);
    let lines = cli::stdout_lines(&output);
    assert_eq!(lines.len(), 3, "{}", cli::describe(&output));
    assert!(lines[0].starts_with("[1] error"), "{}", lines[0]);
    assert!(lines[1].starts_with("[2] 1.00 USD = "), "{}", lines[1]);
    assert!(lines[2].starts_with("[3] error"), "{}", lines[2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_input_closes_the_session_cleanly() {
    let (server, _clock) = TestServer::start_pinned().await;
    let output = session(&server, &[], "").await;
    assert_exit(&output, 0);
    assert_eq!(cli::stdout(&output), "");
    assert_eq!(cli::stderr(&output), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_replies_carry_the_line_and_a_conversion_or_an_error() {
    let (server, _clock) = TestServer::start_pinned().await;
    let output = session(&server, &["--json"], MIXED_INPUT).await;
    assert_exit(&output, 1);

    let replies: Vec<Value> = cli::json_lines(&output);
    assert_eq!(replies.len(), 4, "{}", cli::describe(&output));
    for (number, reply) in replies.iter().enumerate() {
        assert_eq!(reply["line"], number + 1, "{reply}");
    }
    let dollars = server.direct_convert("100", "USD", "EUR").await;
    let conversion = &replies[0]["conversion"];
    assert_eq!(conversion["converted_amount"], dollars.converted_amount.as_str());
    assert_eq!(conversion["rate"], dollars.rate.as_str());
    assert_eq!(conversion["rate_sequence"], dollars.rate_sequence);

    assert!(replies[1]["error"]["message"].is_string(), "{}", replies[1]);
    assert!(replies[1].get("conversion").is_none());
    assert_eq!(replies[2]["error"]["field"], "from_currency", "{}", replies[2]);
    assert_eq!(replies[2]["error"]["code"], "INVALID_ARGUMENT");

    let yen = server.direct_convert("7", "EUR", "JPY").await;
    let conversion = &replies[3]["conversion"];
    assert_eq!(conversion["converted_amount"], yen.converted_amount.as_str());
    assert_eq!(conversion["from_currency"], "EUR");
    assert_eq!(conversion["to_currency"], "JPY");
    assert_eq!(conversion["request_id"], "id9");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn french_replies_say_erreur_and_use_a_decimal_comma() {
    let (server, _clock) = TestServer::start_pinned().await;
    let output = session(&server, &["--lang", "fr"], "12,50 USD EUR\nbonjour\n").await;
    assert_exit(&output, 1);

    let expected = server.direct_convert("12.50", "USD", "EUR").await;
    let lines = cli::stdout_lines(&output);
    assert_eq!(lines.len(), 2, "{}", cli::describe(&output));
    assert_eq!(
        lines[0],
        format!(
            "[1] 12,50 USD = {} EUR (taux {})",
            localized("fr", &expected.converted_amount),
            localized("fr", &expected.rate)
        )
    );
    assert!(lines[1].starts_with("[2] erreur"), "{}", lines[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_amount_written_in_groups_is_one_amount() {
    let (server, _clock) = TestServer::start_pinned().await;
    let output = session(
        &server,
        &["--lang", "fr"],
        "1 234,5 EUR USD\n1\u{202F}234,50 EUR USD id-2\n",
    )
    .await;
    assert_exit(&output, 0);
    let expected = server.direct_convert("1234.5", "EUR", "USD").await;
    let lines = cli::stdout_lines(&output);
    assert_eq!(lines.len(), 2, "{}", cli::describe(&output));
    for (number, line) in lines.iter().enumerate() {
        assert_eq!(
            *line,
            format!(
                "[{}] 1\u{202F}234,50 EUR = {} USD (taux {})",
                number + 1,
                localized("fr", &expected.converted_amount),
                localized("fr", &expected.rate)
            )
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_line_has_a_stable_code_in_json_whatever_the_language() {
    let (server, _clock) = TestServer::start_pinned().await;
    for lang in ["en", "fr"] {
        let output = session(&server, &["--lang", lang, "--json"], "hello\n1 USD EUR\n").await;
        assert_exit(&output, 1);
        let replies = cli::json_lines(&output);
        assert_eq!(replies.len(), 2, "{}", cli::describe(&output));
        assert_eq!(replies[0]["line"], 1);
        assert_eq!(
            replies[0]["error"]["code"], "MALFORMED_LINE",
            "{lang}: {}",
            replies[0]
        );
        assert!(replies[0]["error"]["message"].is_string(), "{}", replies[0]);
        assert!(replies[1]["conversion"].is_object(), "{}", replies[1]);
    }
}

/// Comments and blank lines around three requests (a good one, a
/// malformed one, a good one), then `quit` (or another word for it) and a
/// line that is never read.
fn commented_input(quit: &str) -> String {
    format!("# prices for Monday\n\n100 USD EUR\n   \nhello\n  # a note\n7 eur jpy id9\n{quit}\n5 USD EUR\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_and_blank_lines_do_not_shift_the_numbers_and_quit_ends_the_session() {
    let (server, _clock) = TestServer::start_pinned().await;
    for (lang, quit) in [("en", "quit"), ("en", "exit"), ("fr", "Quitter")] {
        let output = session(&server, &["--lang", lang], &commented_input(quit)).await;
        assert_exit(&output, 1);
        let lines = cli::stdout_lines(&output);
        assert_eq!(lines.len(), 3, "{quit}: {}", cli::describe(&output));
        for (number, line) in lines.iter().enumerate() {
            assert!(line.starts_with(&format!("[{}] ", number + 1)), "{quit}: {line}");
        }
        assert!(
            lines[1].contains("error") || lines[1].contains("erreur"),
            "{}",
            lines[1]
        );
        assert!(lines[2].contains(" JPY "), "{}", lines[2]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_replies_come_in_request_order_and_give_the_input_line() {
    let (server, _clock) = TestServer::start_pinned().await;
    let output = session(&server, &["--json"], &commented_input("quit")).await;
    assert_exit(&output, 1);
    let replies = cli::json_lines(&output);
    let lines: Vec<&Value> = replies.iter().map(|reply| &reply["line"]).collect();
    assert_eq!(lines, [3, 5, 7], "{}", cli::describe(&output));
    assert!(replies[0]["conversion"].is_object(), "{}", replies[0]);
    assert_eq!(replies[1]["error"]["code"], "MALFORMED_LINE", "{}", replies[1]);
    assert_eq!(replies[1]["error"]["reason"], "MALFORMED_LINE", "{}", replies[1]);
    assert_eq!(replies[1]["error"]["domain"], "bank.cli", "{}", replies[1]);
    assert_eq!(replies[2]["conversion"]["request_id"], "id9", "{}", replies[2]);
}
