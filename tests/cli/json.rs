//! `--json` output is for scripts: the same bytes whatever the language,
//! with the server's exact decimal strings and stable field names. Checked
//! for `convert`, `rates` and `session` under `--lang fr` and under a
//! French locale, against the English run on the same pinned server.

use harness::TestServer;
use harness::cli::{self, assert_exit};

/// Runs `args` (with `input`) in English, with `--lang fr`, and under
/// `LANG=fr_FR.UTF-8`, and checks the three outputs are identical JSON.
async fn assert_same_json_in_every_language(server: &TestServer, args: &[&str], input: &str) -> String {
    let mut outputs = Vec::new();
    for (lang_args, env) in [
        (&["--lang", "en"][..], None),
        (&["--lang", "fr"][..], None),
        (&[][..], Some(("LANG", "fr_FR.UTF-8"))),
    ] {
        let mut command = cli::bank(&server.url());
        command
            .args(lang_args)
            .arg("--json")
            .args(args)
            .write_stdin(input);
        if let Some((name, value)) = env {
            command.env(name, value);
        }
        let output = cli::run(command).await;
        assert_exit(&output, 0);
        assert!(!cli::json_lines(&output).is_empty(), "{}", cli::describe(&output));
        outputs.push(cli::stdout(&output));
    }
    assert_eq!(outputs[0], outputs[1], "{args:?}: --lang fr changes nothing");
    assert_eq!(
        outputs[0], outputs[2],
        "{args:?}: a French locale changes nothing"
    );
    outputs.remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn convert_json_is_the_same_in_every_language() {
    let (server, _clock) = TestServer::start_pinned().await;
    let json = assert_same_json_in_every_language(&server, &["convert", "1234.5", "EUR", "JPY"], "").await;
    let expected = server.direct_convert("1234.5", "EUR", "JPY").await;
    assert!(
        json.contains(&format!("\"rate\":\"{}\"", expected.rate)),
        "{json}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rates_json_is_the_same_in_every_language() {
    let (server, _clock) = TestServer::start_pinned().await;
    let json =
        assert_same_json_in_every_language(&server, &["rates", "EUR/USD", "USD/JPY", "--count", "1"], "")
            .await;
    assert!(json.contains("\"mid\":\""), "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_json_is_the_same_in_every_language() {
    let (server, _clock) = TestServer::start_pinned().await;
    let json =
        assert_same_json_in_every_language(&server, &["session"], "1234.5 USD EUR\n7 eur jpy id9\n").await;
    assert_eq!(json.lines().count(), 2, "{json}");
}

/// The `--json` output of `args` (with `input` on standard input) against a
/// pinned server: every byte is reproducible.
async fn pinned_json(server: &TestServer, args: &[&str], input: &str) -> String {
    let mut command = cli::bank(&server.url());
    command.arg("--json").args(args).write_stdin(input);
    let output = cli::run(command).await;
    assert!(!cli::json_lines(&output).is_empty(), "{}", cli::describe(&output));
    cli::stdout(&output)
}

/// Scripts read these bytes: field names, their order and the exact
/// decimal strings. Pinned on a pinned server (seed and clock), for every
/// command whose output carries the contract's messages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_of_every_command_is_pinned_byte_for_byte() {
    let (server, _clock) = TestServer::start_pinned().await;
    let convert = pinned_json(&server, &["convert", "1234.5", "EUR", "JPY", "--id", "c-1"], "").await;
    let rates = pinned_json(&server, &["rates", "EUR/USD", "USD/JPY", "--count", "1"], "").await;
    let session = pinned_json(&server, &["session"], "1234.5 USD EUR s-1\n7 ABC JPY s-2\n").await;
    let folder = tempfile::tempdir().expect("a temporary folder");
    let file = folder.path().join("payments.csv");
    std::fs::write(
        &file,
        "amount,from,to,id\n10.50,USD,EUR,b-1\n7,EUR,JPY,b-2\nx,USD,EUR,b-3\n1,2\n",
    )
    .expect("the file is written");
    let batch = pinned_json(&server, &["batch", file.to_str().expect("UTF-8 path")], "").await;
    assert_eq!(
        convert,
        r#"{"request_id":"c-1","amount":"1234.50","from_currency":"EUR","to_currency":"JPY","converted_amount":"200395","rate":"162.3285692","rate_sequence":1790000000,"rate_time":"2026-09-21T14:13:20Z"}
"#
    );
    assert_eq!(
        rates,
        r#"{"sequence":1790000000,"time":"2026-09-21T14:13:20Z","skipped":0,"quotes":[{"pair":"EUR/USD","bid":"1.076755943","mid":"1.077833777","ask":"1.078911611"},{"pair":"USD/JPY","bid":"150.4557048","mid":"150.6063112","ask":"150.7569176"}]}
"#
    );
    assert_eq!(
        session,
        r#"{"line":1,"conversion":{"request_id":"s-1","amount":"1234.50","from_currency":"USD","to_currency":"EUR","converted_amount":"1145.35","rate":"0.9277868457","rate_sequence":1790000000,"rate_time":"2026-09-21T14:13:20Z"}}
{"line":2,"error":{"index":1,"request_id":"s-2","code":"INVALID_ARGUMENT","field":"from_currency","reason":"CURRENCY_NOT_SUPPORTED","metadata":{"currency":"ABC","field":"from_currency"},"message":"from_currency: ABC is not a supported currency"}}
"#
    );
    assert_eq!(
        batch,
        r#"{"complete":true,"accepted":2,"rejected":1,"malformed":1,"totals":[{"currency":"EUR","total":"9.74","count":1},{"currency":"JPY","total":"1136","count":1}],"rates":[{"pair":"EUR/JPY","bid":"162.1662406","mid":"162.3285692","ask":"162.4908978"},{"pair":"USD/EUR","bid":"0.9268590588","mid":"0.9277868457","ask":"0.9287146326"}],"rate_sequence":1790000000,"rate_time":"2026-09-21T14:13:20Z","errors":[{"index":2,"request_id":"b-3","code":"INVALID_ARGUMENT","field":"amount","reason":"AMOUNT_NOT_DECIMAL","metadata":{"field":"amount"},"message":"amount: must be a plain decimal number such as 100 or 12.50 (digits and at most one point; no sign, exponent, spaces or leading zeros)","line":4}],"malformed_rows":[{"line":5,"code":"WRONG_FIELD_COUNT","reason":"3-4 fields expected, 2 found"}]}
"#
    );
}
