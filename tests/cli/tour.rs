//! `bank tour`: the four models end to end, non-interactively, against the
//! embedded server, in both languages.

use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use regex::Regex;

fn tour(args: &[&str]) -> Output {
    Command::new(harness::bank_exe())
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE")
        .env_remove("LANG")
        .env_remove("BANK_SERVER")
        // Piped and without COLUMNS, the tour wraps to 80 columns.
        .env_remove("COLUMNS")
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
        let percent: u64 = capture[3].parse().expect("percent");
        assert!(
            protobuf > 0 && protobuf < json,
            "protobuf {protobuf} vs JSON {json}"
        );
        assert_eq!(percent, protobuf * 100 / json, "{}", &capture[0]);
    }
}

/// What one language's tour must show.
struct Expected {
    lang: &'static str,
    headings: [&'static str; 4],
    /// Messages each way, for each model in order.
    counts: [&'static str; 4],
    client_arrow: &'static str,
    server_arrow: &'static str,
    /// Captures protobuf bytes, JSON bytes and the percentage.
    total_pattern: &'static str,
    /// The server's own words for the invalid batch item.
    refusal: &'static str,
}

/// Runs the whole tour in one language and checks everything a learner
/// should see in it.
fn assert_full_tour(expected: &Expected) {
    let output = tour(&["--lang", expected.lang, "--no-pause"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8 output");
    // Sentences and JSON text values may be wrapped across lines.
    let prose = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for heading in expected.headings {
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
    for counts in expected.counts {
        assert!(prose.contains(counts), "missing {counts:?}");
    }
    let arrow = |from: &str, name: &str| text.matches(&format!("{from}  {name}")).count();
    // Requests go out once in the unary call, five times in the batch and
    // four times in the session. Unary: one arrow each way.
    assert_eq!(arrow(expected.client_arrow, "ConvertRequest"), 1 + 5 + 4);
    assert_eq!(arrow(expected.server_arrow, "ConvertResponse"), 1);
    // Server streaming: one request, four updates, none the other way;
    // then the feed is cut and resumed with `from_sequence`: a second
    // request, and the three ticks that follow the last one seen.
    assert_eq!(arrow(expected.client_arrow, "StreamRatesRequest"), 2);
    assert_eq!(arrow(expected.client_arrow, "RateUpdate"), 0);
    assert_eq!(arrow(expected.server_arrow, "RateUpdate"), 4 + 3);
    let feed = &text[text.find("StreamRates(").expect("server streaming section")..];
    let sequences: Vec<u64> = Regex::new(r#""sequence":(\d+)"#)
        .expect("regex")
        .captures_iter(feed)
        .map(|capture| capture[1].parse().expect("a number"))
        .take(7)
        .collect();
    let last_seen = sequences[3];
    assert_eq!(
        sequences[4..],
        [last_seen + 1, last_seen + 2, last_seen + 3],
        "{sequences:?}"
    );
    assert!(
        text.contains("\"from_sequence\":"),
        "the resuming request shows from_sequence"
    );
    // Client streaming: five requests, one summary.
    assert_eq!(arrow(expected.server_arrow, "BatchSummary"), 1);
    // Bidirectional: four replies, the second request out before the first
    // reply is in.
    assert_eq!(arrow(expected.server_arrow, "SessionReply"), 4);
    let session = &text[text.find("ConvertSession(").expect("bidi section")..];
    let order: Vec<&str> = session
        .lines()
        .filter_map(|line| match line {
            _ if line.contains(&format!("{}  ConvertRequest", expected.client_arrow)) => Some("request"),
            _ if line.contains(&format!("{}  SessionReply", expected.server_arrow)) => Some("reply"),
            _ => None,
        })
        .collect();
    assert_eq!(
        order,
        [
            "request", "request", "reply", "request", "reply", "request", "reply", "reply"
        ]
    );
    assert!(prose.contains(expected.refusal), "{text}");
    assert_live_figures(&prose, expected.total_pattern);
    assert_no_message_ids(&text);
    // Wrapped to 80 columns: only a JSON value too long for any line (none
    // in the tour) could run over.
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}",
            line.chars().count()
        );
    }
}

#[test]
fn the_english_tour_shows_all_four_models_live() {
    assert_full_tour(&Expected {
        lang: "en",
        headings: [
            "1/4 · Unary",
            "2/4 · Server streaming",
            "3/4 · Client streaming",
            "4/4 · Bidirectional streaming",
        ],
        counts: [
            "1 message from the client, 1 from the server.",
            "2 messages from the client, 7 from the server.",
            "5 messages from the client, 1 from the server.",
            "4 messages from the client, 4 from the server.",
        ],
        client_arrow: "client → server",
        server_arrow: "server → client",
        total_pattern: r"In all: (\d+) bytes of protobuf against (\d+) bytes of JSON, so protobuf is (\d+)% of the JSON size\.",
        refusal: "amount: must be greater than zero",
    });
}

#[test]
fn the_french_tour_shows_all_four_models_live() {
    assert_full_tour(&Expected {
        lang: "fr",
        headings: [
            "1/4 · Unaire",
            "2/4 · Flux serveur",
            "3/4 · Flux client",
            "4/4 · Flux bidirectionnel",
        ],
        counts: [
            "1 message du client, 1 du serveur.",
            "2 messages du client, 7 du serveur.",
            "5 messages du client, 1 du serveur.",
            "4 messages du client, 4 du serveur.",
        ],
        client_arrow: "client → serveur",
        server_arrow: "serveur → client",
        total_pattern: r"Au total : (\d+) octets en protobuf contre (\d+) octets en JSON, soit (\d+) % de la taille JSON\.",
        // The invalid batch item is explained in French by the server.
        refusal: "montant (amount) : doit être supérieur à zéro",
    });
}

#[test]
fn one_model_can_be_toured_alone() {
    let output = tour(&["--lang", "en", "--no-pause", "--model", "bidi"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert!(text.contains("1/1 · Bidirectional streaming"));
    assert!(!text.contains("Unary"));
    // It ends pointing at this model's own command, not at all four
    // (words rejoined: the paragraph is wrapped to the terminal's width).
    let ending = text[text.rfind("server/service/bidi.rs").expect("the code's file")..]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(ending.contains("bank session"), "{ending}");
    for other in ["bank convert", "bank rates", "bank batch"] {
        assert!(!ending.contains(other), "{ending}");
    }
}
