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
