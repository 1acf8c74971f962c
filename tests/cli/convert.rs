//! `bank convert` and `bank currencies`, run as the real binary: the
//! numbers are the server's (checked against a direct gRPC call on a pinned
//! server), the text is English or French, and input is forgiving (any case
//! for codes, a decimal comma in French).

use bank_proto::v1::{Currency, ListCurrenciesRequest};
use harness::cli::{self, assert_exit, localized};
use harness::{PINNED_UNIX_MS, TestServer};
use regex::Regex;

async fn direct_currencies(server: &TestServer) -> Vec<Currency> {
    server
        .client()
        .await
        .list_currencies(ListCurrenciesRequest {})
        .await
        .expect("the direct call lists")
        .into_inner()
        .currencies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn convert_prints_the_result_and_the_rate_line_and_accepts_lowercase_codes() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command.args(["convert", "100", "usd", "eur"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);

    let expected = server.direct_convert("100", "USD", "EUR").await;
    let lines = cli::stdout_lines(&output);
    assert_eq!(lines.len(), 2, "{}", cli::describe(&output));
    assert_eq!(
        lines[0],
        format!("100.00 USD = {} EUR", localized("en", &expected.converted_amount))
    );
    let rate_line = Regex::new(r"^rate (\S+) \(USD/EUR\), tick #(\d+) at (\S+)$").expect("regex");
    let captures = rate_line
        .captures(&lines[1])
        .unwrap_or_else(|| panic!("rate line: {}", lines[1]));
    assert_eq!(&captures[1], localized("en", &expected.rate));
    assert_eq!(&captures[2], expected.rate_sequence.to_string());
    assert_eq!(&captures[3], "2026-09-21T14:13:20Z", "the pinned tick's time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn convert_json_is_exactly_what_a_direct_grpc_call_returns() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command.args(["--json", "convert", "12.34", "usd", "jpy", "--id", "order-7"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);

    let values = cli::json_lines(&output);
    assert_eq!(values.len(), 1, "one JSON object: {}", cli::describe(&output));
    let json = &values[0];
    let expected = server.direct_convert("12.34", "USD", "JPY").await;
    assert_eq!(json["converted_amount"], expected.converted_amount.as_str());
    assert_eq!(json["rate"], expected.rate.as_str());
    assert_eq!(json["rate_sequence"], expected.rate_sequence);
    assert_eq!(json["rate_sequence"], PINNED_UNIX_MS / 1_000);
    assert_eq!(json["amount"], expected.amount.as_str());
    assert_eq!(json["from_currency"], "USD");
    assert_eq!(json["to_currency"], "JPY");
    assert_eq!(json["request_id"], "order-7");
    assert_eq!(json["rate_time"], "2026-09-21T14:13:20Z");
}

/// The French output of `convert 12,50 USD EUR`, checked line by line.
async fn assert_french_conversion(server: &TestServer, output: &std::process::Output) {
    assert_exit(output, 0);
    let expected = server.direct_convert("12.50", "USD", "EUR").await;
    let lines = cli::stdout_lines(output);
    assert_eq!(lines.len(), 2, "{}", cli::describe(output));
    assert_eq!(
        lines[0],
        format!("12,50 USD = {} EUR", localized("fr", &expected.converted_amount))
    );
    assert!(
        lines[1].starts_with(&format!("taux {} (USD/EUR)", localized("fr", &expected.rate))),
        "French rate line with a decimal comma: {}",
        lines[1]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn french_output_has_a_decimal_comma_and_a_decimal_comma_is_accepted() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command.args(["--lang", "fr", "convert", "12,50", "USD", "EUR"]);
    let output = cli::run(command).await;
    assert_french_conversion(&server, &output).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_lang_variable_gives_french_without_the_flag() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command
        .env("LANG", "fr_FR.UTF-8")
        .args(["convert", "12,50", "usd", "eur"]);
    let output = cli::run(command).await;
    assert_french_conversion(&server, &output).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lang_flag_wins_over_a_french_locale() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command
        .env("LC_ALL", "fr_FR.UTF-8")
        .args(["--lang", "en", "convert", "12.50", "USD", "EUR"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);
    let lines = cli::stdout_lines(&output);
    assert!(lines[0].starts_with("12.50 USD = "), "{}", cli::describe(&output));
    assert!(lines[1].starts_with("rate "), "{}", cli::describe(&output));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_amounts_are_grouped_per_language() {
    let (server, _clock) = TestServer::start_pinned().await;
    let expected = server.direct_convert("1234", "USD", "JPY").await;
    for (lang, amount) in [("en", "1,234.00"), ("fr", "1\u{202F}234,00")] {
        let mut command = cli::bank(&server.url());
        command.args(["--lang", lang, "convert", "1234", "USD", "JPY"]);
        let output = cli::run(command).await;
        assert_exit(&output, 0);
        assert_eq!(
            cli::stdout_lines(&output)[0],
            format!(
                "{amount} USD = {} JPY",
                localized(lang, &expected.converted_amount)
            ),
            "{lang}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn currencies_prints_a_table_with_headers_in_each_language() {
    let (server, _clock) = TestServer::start_pinned().await;
    let currencies = direct_currencies(&server).await;
    let jpy_row = Regex::new(r"^JPY\s+\S.*\s0$").expect("regex");
    for (lang, header) in [
        ("en", r"^Code\s+Name\s+Minor units$"),
        ("fr", r"^Code\s+Nom\s+Décimales$"),
    ] {
        let mut command = cli::bank(&server.url());
        command.args(["--lang", lang, "currencies"]);
        let output = cli::run(command).await;
        assert_exit(&output, 0);
        let lines = cli::stdout_lines(&output);
        assert!(
            Regex::new(header).expect("regex").is_match(&lines[0]),
            "{lang} header: {}",
            lines[0]
        );
        assert_eq!(lines.len(), currencies.len() + 1, "one row per currency ({lang})");
        assert!(
            lines.iter().any(|line| jpy_row.is_match(line)),
            "JPY has 0 minor units"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn currencies_json_lists_every_currency_with_its_minor_units() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command.args(["--json", "currencies"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);

    let values = cli::json_lines(&output);
    assert_eq!(values.len(), 1, "one JSON array: {}", cli::describe(&output));
    let list = values[0].as_array().expect("a JSON array");
    assert!(list.len() >= 30, "{} currencies", list.len());
    let jpy = list.iter().find(|c| c["code"] == "JPY").expect("JPY is listed");
    assert_eq!(jpy["minor_units"], 0);

    let expected = direct_currencies(&server).await;
    assert_eq!(list.len(), expected.len());
    for (json, currency) in list.iter().zip(&expected) {
        assert_eq!(json["code"], currency.code.as_str());
        assert_eq!(json["name"], currency.name.as_str());
        assert_eq!(json["minor_units"], currency.minor_units);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn french_input_reads_back_french_grouping() {
    let (server, _clock) = TestServer::start_pinned().await;
    let expected = server.direct_convert("1234.5", "EUR", "JPY").await;
    // A space, a no-break space, and the narrow no-break space the CLI
    // itself writes: `1 234,50` as printed can be pasted back.
    for amount in ["1 234,5", "1\u{A0}234,5", "1\u{202F}234,50"] {
        let mut command = cli::bank(&server.url());
        command.args(["--lang", "fr", "convert", amount, "EUR", "JPY"]);
        let output = cli::run(command).await;
        assert_exit(&output, 0);
        assert_eq!(
            cli::stdout_lines(&output)[0],
            format!(
                "1\u{202F}234,50 EUR = {} JPY",
                localized("fr", &expected.converted_amount)
            ),
            "{amount:?}"
        );
    }
    // Groups that are not thousands are not guessed at.
    let mut command = cli::bank(&server.url());
    command.args(["--lang", "fr", "convert", "12 34,5", "EUR", "JPY"]);
    let output = cli::run(command).await;
    assert_exit(&output, 1);
    assert!(
        cli::stderr(&output).contains("montant"),
        "{}",
        cli::describe(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn french_currency_names_are_french_and_json_keeps_the_servers() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut command = cli::bank(&server.url());
    command.args(["--lang", "fr", "currencies"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);
    let lines = cli::stdout_lines(&output);
    for (code, name) in [
        ("USD", "Dollar des États-Unis"),
        ("XOF", "Franc CFA (BCEAO)"),
        ("KWD", "Dinar koweïtien"),
        ("CHF", "Franc suisse"),
    ] {
        let row = Regex::new(&format!(r"^{code}\s+{}\s+\d$", regex::escape(name))).expect("regex");
        assert!(lines.iter().any(|line| row.is_match(line)), "{code}: {lines:#?}");
    }
    assert!(!lines.iter().any(|line| line.contains("US Dollar")), "{lines:#?}");

    let mut command = cli::bank(&server.url());
    command.args(["--lang", "fr", "--json", "currencies"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);
    let list = cli::json_lines(&output).remove(0);
    let usd = list
        .as_array()
        .expect("a JSON array")
        .iter()
        .find(|c| c["code"] == "USD")
        .expect("USD is listed")
        .clone();
    assert_eq!(usd["name"], "US Dollar", "the server's name, as sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_calls_give_the_same_answers() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut outputs = Vec::new();
    for compress in ["none", "gzip", "zstd"] {
        let mut command = cli::bank(&server.url());
        command.args([
            "--json",
            "--compress",
            compress,
            "convert",
            "1234.5",
            "EUR",
            "JPY",
        ]);
        let output = cli::run(command).await;
        cli::assert_exit(&output, 0);
        outputs.push(cli::stdout(&output));
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
}
