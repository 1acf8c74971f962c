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
        .timeout(Duration::from_secs(180))
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
    headings: [&'static str; 9],
    /// Messages each way, for each model in order.
    counts: [&'static str; 4],
    client_arrow: &'static str,
    server_arrow: &'static str,
    /// Captures protobuf bytes, JSON bytes and the percentage.
    total_pattern: &'static str,
    /// The server's own words for the invalid batch item.
    refusal: &'static str,
    /// Captures the HTTP/2 streams and header blocks of a way of making
    /// the measured conversions (unary calls first, then the session).
    measure_pattern: &'static str,
    /// Captures the server's count of cancelled feeds before and after,
    /// and its open feeds before and after.
    cancel_pattern: &'static str,
    /// Captures the server's count of expired feeds before and after.
    deadline_pattern: &'static str,
    /// The title of the table that ends the full tour.
    choosing_title: &'static str,
}

/// The tour cut at its chapter headings: the text before the first, then
/// one piece per chapter.
fn chapters(text: &str) -> Vec<&str> {
    let mut starts: Vec<usize> = text.match_indices("━━ ").map(|(at, _)| at).collect();
    starts.dedup_by(|next, previous| *next < *previous + 4);
    let mut pieces = vec![&text[..starts.first().copied().unwrap_or(text.len())]];
    for (position, start) in starts.iter().enumerate() {
        let end = starts.get(position + 1).copied().unwrap_or(text.len());
        pieces.push(&text[*start..end]);
    }
    pieces
}

/// The sequences of the rate updates in `text`, in order.
fn sequences(text: &str) -> Vec<u64> {
    Regex::new(r#""sequence":(\d+)"#)
        .expect("regex")
        .captures_iter(text)
        .map(|capture| capture[1].parse().expect("a number"))
        .collect()
}

/// The numbers `pattern` captures in `text`, each capture in order.
fn numbers(pattern: &str, text: &str) -> Vec<Vec<u64>> {
    Regex::new(pattern)
        .expect("regex")
        .captures_iter(text)
        .map(|capture| {
            capture
                .iter()
                .skip(1)
                .map(|group| {
                    group
                        .expect("a group")
                        .as_str()
                        .replace(['\u{a0}', '\u{202f}'], "")
                        .parse()
                        .expect("a number")
                })
                .collect()
        })
        .collect()
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
    let prose_of = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Sentences and JSON text values may be wrapped across lines.
    let prose = prose_of(&text);
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
    let chapters = chapters(&text);
    assert_eq!(chapters.len(), 1 + 9, "{text}");
    let (client, server) = (expected.client_arrow, expected.server_arrow);
    let arrows = |chapter: &str, from: &str, name: &str| chapter.matches(&format!("{from}  {name}")).count();
    // The line where `needle` first appears in `chapter`.
    let line_of = |chapter: &str, needle: &str| {
        chapter
            .lines()
            .position(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("missing {needle:?} in:\n{chapter}"))
    };

    // Every model's call shows its whole life: the opening metadata (the
    // method's path, our language, the user agent), the half-close and the
    // trailers with grpc-status 0.
    for (chapter, method) in
        chapters[1..=4]
            .iter()
            .zip(["Convert", "StreamRates", "ConvertBatch", "ConvertSession"])
    {
        let opened = line_of(chapter, &format!(":path /bank.v1.BankService/{method}"));
        assert!(chapter.contains(&format!("accept-language: {}", expected.lang)));
        assert!(chapter.contains("user-agent: bank/"));
        let half_closed = line_of(chapter, "(END_STREAM)");
        let ended = line_of(chapter, "grpc-status: 0 (OK)");
        assert!(opened < half_closed && half_closed < ended, "{chapter}");
    }

    // Unary: the opening with its deadline, the request, the half-close,
    // the response, then the trailers.
    let unary = chapters[1];
    assert!(unary.contains("grpc-timeout: "), "{unary}");
    assert_eq!(arrows(unary, client, "ConvertRequest"), 1);
    assert_eq!(arrows(unary, server, "ConvertResponse"), 1);
    let request = line_of(unary, &format!("{client}  ConvertRequest"));
    let response = line_of(unary, &format!("{server}  ConvertResponse"));
    assert!(line_of(unary, ":path") < request);
    assert!(request < line_of(unary, "(END_STREAM)"));
    assert!(line_of(unary, "(END_STREAM)") < response);
    assert!(response < line_of(unary, "grpc-status: 0"));

    // Server streaming: one request, four updates, none the other way.
    let feed = chapters[2];
    assert_eq!(arrows(feed, client, "StreamRatesRequest"), 1);
    assert_eq!(arrows(feed, client, "RateUpdate"), 0);
    assert_eq!(arrows(feed, server, "RateUpdate"), 4);

    // Client streaming: five requests, the half-close, one summary.
    let batch = chapters[3];
    assert_eq!(arrows(batch, client, "ConvertRequest"), 5);
    assert_eq!(arrows(batch, server, "BatchSummary"), 1);
    let last_request = batch
        .lines()
        .collect::<Vec<_>>()
        .iter()
        .rposition(|line| line.contains(&format!("{client}  ConvertRequest")))
        .expect("requests");
    assert!(last_request < line_of(batch, "(END_STREAM)"));
    assert!(line_of(batch, "(END_STREAM)") < line_of(batch, &format!("{server}  BatchSummary")));
    assert!(prose_of(batch).contains(expected.refusal), "{batch}");

    // Bidirectional: four replies, the second request out before the first
    // reply is in.
    let session = chapters[4];
    assert_eq!(arrows(session, server, "SessionReply"), 4);
    let order: Vec<&str> = session
        .lines()
        .filter_map(|line| match line {
            _ if line.contains(&format!("{client}  ConvertRequest")) => Some("request"),
            _ if line.contains(&format!("{server}  SessionReply")) => Some("reply"),
            _ => None,
        })
        .collect();
    // Drawn as they went by: two requests out before any reply, then never
    // more than two unanswered, four of each in all.
    assert_eq!(order[..3], ["request", "request", "reply"], "{order:?}");
    let mut unanswered = 0_i32;
    for step in &order {
        unanswered += if *step == "request" { 1 } else { -1 };
        assert!((0..=2).contains(&unanswered), "{order:?}");
    }
    assert_eq!((order.len(), unanswered), (8, 0), "{order:?}");
    // The measurement: 200 unary calls cost 200 streams and three header
    // blocks each; one session, one stream and three header blocks.
    assert_eq!(
        numbers(expected.measure_pattern, &prose_of(session)),
        [vec![200, 600], vec![1, 3]],
        "{session}"
    );

    // Cancellation: three updates, the reset, no trailers; the server
    // counted one more cancelled feed and closed it.
    let cancellation = chapters[5];
    assert_eq!(arrows(cancellation, server, "RateUpdate"), 3);
    assert!(cancellation.contains("RST_STREAM (CANCEL)"), "{cancellation}");
    assert!(!cancellation.contains("grpc-status"), "{cancellation}");
    let counts = numbers(expected.cancel_pattern, &prose_of(cancellation));
    let [before, after, open_before, open_after] = counts[0][..] else {
        panic!("{counts:?}");
    };
    assert_eq!(
        (after, open_after),
        (before + 1, open_before - 1),
        "{cancellation}"
    );

    // Deadlines: the deadline goes out as grpc-timeout, the server ends the
    // feed with DEADLINE_EXCEEDED, and counts it.
    let deadline = chapters[6];
    assert!(deadline.contains("grpc-timeout: 900000u"), "{deadline}");
    assert!(
        deadline.contains("grpc-status: 4 (DEADLINE_EXCEEDED)"),
        "{deadline}"
    );
    let counts = numbers(expected.deadline_pattern, &prose_of(deadline));
    assert_eq!(counts[0][1], counts[0][0] + 1, "{deadline}");

    // A status error ends the unary call with no message, and names the
    // field; the same mistake in a session is a reply, and the session
    // ends with OK.
    let errors = chapters[7];
    assert!(errors.contains("grpc-status: 3 (INVALID_ARGUMENT)"), "{errors}");
    assert!(errors.contains("BadRequest { field: amount }"), "{errors}");
    assert_eq!(arrows(errors, server, "ConvertResponse"), 0);
    assert_eq!(arrows(errors, server, "SessionReply"), 3);
    assert!(errors.contains("grpc-status: 0 (OK)"), "{errors}");

    // A slow reader: six updates, each newer than the last, with ticks
    // skipped between them (four ticks go by between two reads).
    let slow = chapters[8];
    let seen = sequences(slow);
    assert_eq!(seen.len(), 6, "{slow}");
    assert!(seen.windows(2).all(|pair| pair[0] < pair[1]), "{seen:?}");
    assert!(seen[5] - seen[0] > 5, "no tick was skipped: {seen:?}");

    // Resuming: three updates, then, from the tick after the last one
    // seen, the three that follow it.
    let resume = chapters[9];
    let seen = sequences(resume);
    assert_eq!(seen.len(), 6, "{resume}");
    assert_eq!(seen[3..], [seen[2] + 1, seen[2] + 2, seen[2] + 3], "{seen:?}");
    assert!(resume.contains(&format!("\"from_sequence\":{}", seen[2] + 1)));

    // The full tour ends with the choosing table: each model and its RPC,
    // when to choose it and a counter-example, after the last chapter.
    let choosing = &resume[resume.find(expected.choosing_title).expect("the choosing table")..];
    for model in ["(Convert)", "(StreamRates)", "(ConvertBatch)", "(ConvertSession)"] {
        assert_eq!(choosing.matches(model).count(), 1, "{model} in:\n{choosing}");
    }
    assert!(choosing.lines().filter(|line| line.starts_with("    ")).count() >= 8);

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
fn the_english_tour_shows_all_four_models_and_how_calls_end_live() {
    assert_full_tour(&Expected {
        lang: "en",
        headings: [
            "1/9 · Unary",
            "2/9 · Server streaming",
            "3/9 · Client streaming",
            "4/9 · Bidirectional streaming",
            "5/9 · Cancellation",
            "6/9 · Deadlines",
            "7/9 · A status or an error in the stream",
            "8/9 · A slow reader",
            "9/9 · Resuming a stream",
        ],
        counts: [
            "1 message from the client, 1 from the server.",
            "1 message from the client, 4 from the server.",
            "5 messages from the client, 1 from the server.",
            "4 messages from the client, 4 from the server.",
        ],
        client_arrow: "client → server",
        server_arrow: "server → client",
        total_pattern: r"In all: (\d+) bytes of protobuf against (\d+) bytes of JSON, so protobuf is (\d+)% of the JSON size\.",
        refusal: "amount: must be greater than zero",
        measure_pattern: r"(\d+) HTTP/2 streams?, (\d+) header blocks",
        cancel_pattern: r"CANCELLED went from (\d+) to (\d+); feeds open went from (\d+) to (\d+)",
        deadline_pattern: r"DEADLINE_EXCEEDED went from (\d+) to (\d+)",
        choosing_title: "Choosing a model",
    });
}

#[test]
fn the_french_tour_shows_all_four_models_and_how_calls_end_live() {
    assert_full_tour(&Expected {
        lang: "fr",
        headings: [
            "1/9 · Unaire",
            "2/9 · Flux serveur",
            "3/9 · Flux client",
            "4/9 · Flux bidirectionnel",
            "5/9 · Annulation",
            "6/9 · Délais",
            "7/9 · Un statut ou une erreur dans le flux",
            "8/9 · Un lecteur lent",
            "9/9 · Reprendre un flux",
        ],
        counts: [
            "1 message du client, 1 du serveur.",
            "1 message du client, 4 du serveur.",
            "5 messages du client, 1 du serveur.",
            "4 messages du client, 4 du serveur.",
        ],
        client_arrow: "client → serveur",
        server_arrow: "serveur → client",
        total_pattern: r"Au total\s?: (\d+) octets en protobuf contre (\d+) octets en JSON, soit (\d+)\s?% de la taille JSON\.",
        // The invalid batch item is explained in French by the server.
        refusal: "montant (amount)",
        measure_pattern: r"(\d+) streams? HTTP/2, (\d+) blocs d’en-têtes",
        cancel_pattern: r"CANCELLED sont passés de (\d+) à (\d+)\s?; les fils ouverts, de (\d+) à (\d+)",
        deadline_pattern: r"DEADLINE_EXCEEDED sont passés de (\d+) à (\d+)",
        choosing_title: "Choisir un modèle",
    });
}

#[test]
fn one_model_can_be_toured_alone() {
    let output = tour(&["--lang", "en", "--no-pause", "--model", "bidi"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert!(text.contains("1/1 · Bidirectional streaming"));
    assert!(!text.contains("· Unary"));
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

#[test]
fn one_lesson_can_be_toured_alone_and_names_its_own_command() {
    let output = tour(&["--lang", "fr", "--no-pause", "--model", "deadlines"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert!(text.contains("1/1 · Délais"), "{text}");
    assert!(text.contains("grpc-status: 4 (DEADLINE_EXCEEDED)"), "{text}");
    let ending = text[text.rfind("server/deadline.rs").expect("the code's file")..]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(ending.contains("bank rates --deadline 2s"), "{ending}");
    assert!(!ending.contains("bank session"), "{ending}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tour_shows_that_a_token_goes_out_but_never_the_token_itself() {
    const TOKEN: &str = "tour-s3cret-token";
    let folder = tempfile::tempdir().expect("a temporary folder");
    let tokens = folder.path().join("tokens");
    std::fs::write(&tokens, format!("{TOKEN}\n")).expect("token file written");
    let mut config = bank_server::Config::with_seed(harness::SEED);
    config.auth_tokens = Some(std::sync::Arc::new(
        bank_server::ApiTokens::load(&tokens).expect("the token file loads"),
    ));
    let server = harness::TestServer::start_with(config).await;
    let mut command = harness::cli::bank(&server.url());
    command.args([
        "--token",
        TOKEN,
        "--lang",
        "en",
        "tour",
        "--no-pause",
        "--model",
        "unary",
    ]);
    let output = harness::cli::run(command).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert!(text.contains("authorization: •••"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
    assert!(text.contains("grpc-status: 0 (OK)"), "{text}");
}
