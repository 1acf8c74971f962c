//! `bank tour`: the four models end to end, non-interactively, against the
//! embedded server, in both languages.

use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use regex::Regex;

fn tour(args: &[&str]) -> Output {
    Command::cargo_bin("bank")
        .expect("bank binary is built")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env_remove("BANK_SERVER")
        .arg("tour")
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("bank tour runs")
}

/// Message ids look like `tour-unary-name`; none may reach the screen.
fn assert_no_message_ids(text: &str) {
    let id = Regex::new(r"\b(tour|error|problem|batch|rates|session|convert|currencies)-[a-z]+(-[a-z]+)*\b")
        .expect("valid regex");
    assert!(
        id.find(text).is_none(),
        "untranslated id {:?} in:\n{text}",
        id.find(text)
    );
}

fn assert_live_figures(text: &str, total_pattern: &str) {
    let totals = Regex::new(total_pattern).expect("valid regex");
    let count = totals.find_iter(text).count();
    assert_eq!(count, 4, "one size total per model in:\n{text}");
    for capture in totals.captures_iter(text) {
        let protobuf: u64 = capture[1].parse().expect("protobuf bytes");
        let json: u64 = capture[2].parse().expect("json bytes");
        assert!(
            protobuf > 0 && protobuf < json,
            "protobuf {protobuf} vs JSON {json}"
        );
    }
}

#[test]
fn the_english_tour_shows_all_four_models_live() {
    let output = tour(&["--lang", "en", "--no-pause"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8 output");
    for heading in [
        "1/4 · Unary",
        "2/4 · Server streaming",
        "3/4 · Client streaming",
        "4/4 · Bidirectional streaming",
    ] {
        assert!(text.contains(heading), "missing {heading:?}");
    }
    for rpc in [
        "rpc Convert(ConvertRequest) returns (ConvertResponse);",
        "rpc StreamRates(StreamRatesRequest) returns (stream RateUpdate);",
        "rpc ConvertBatch(stream ConvertRequest) returns (BatchSummary);",
        "rpc ConvertSession(stream ConvertRequest) returns (stream SessionReply);",
    ] {
        assert!(text.contains(rpc), "missing {rpc:?}");
    }
    // Unary: one arrow each way; server streaming: 1 then 4; batch: 5 then
    // 1; session: 4 and 4.
    for counts in [
        "1 message(s) from the client, 1 from the server.",
        "1 message(s) from the client, 4 from the server.",
        "5 message(s) from the client, 1 from the server.",
        "4 message(s) from the client, 4 from the server.",
    ] {
        assert!(text.contains(counts), "missing {counts:?}");
    }
    assert_eq!(text.matches("client → server  RateUpdate").count(), 0);
    assert_eq!(text.matches("server → client  RateUpdate").count(), 4);
    assert_live_figures(
        &text,
        r"In all: (\d+) bytes of protobuf against (\d+) bytes of JSON",
    );
    assert_no_message_ids(&text);
}

#[test]
fn the_french_tour_shows_all_four_models_live() {
    let output = tour(&["--lang", "fr", "--no-pause"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8 output");
    for heading in [
        "1/4 · Unaire",
        "2/4 · Flux serveur",
        "3/4 · Flux client",
        "4/4 · Flux bidirectionnel",
    ] {
        assert!(text.contains(heading), "missing {heading:?}");
    }
    assert!(text.contains("client → serveur"));
    assert!(text.contains("serveur → client"));
    assert!(text.contains("Ce que vous venez de voir"));
    // The invalid batch item is explained in French by the server.
    assert!(text.contains("doit être supérieur à zéro"), "{text}");
    assert_live_figures(
        &text,
        r"Au total : (\d+) octets en protobuf contre (\d+) octets en JSON",
    );
    assert_no_message_ids(&text);
}

#[test]
fn one_model_can_be_toured_alone() {
    let output = tour(&["--lang", "en", "--no-pause", "--model", "bidi"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert!(text.contains("1/1 · Bidirectional streaming"));
    assert!(!text.contains("Unary"));
}
