//! `bank watch`: the classroom view in a terminal. With `--json` it prints
//! each event of another client's calls as one JSON object per line.

use std::time::Duration;

use bank_server::Config;
use harness::cli::{self, assert_exit};
use harness::{PATIENCE, SEED, TestServer};

/// How often the test makes its call while the watcher starts: it cannot
/// know when the watch has opened, so it calls until the watcher has seen
/// one call end.
const CALL_EVERY: Duration = Duration::from_millis(100);

#[tokio::test]
async fn bank_watch_json_prints_the_events_of_a_convert_made_by_another_client() {
    let mut config = Config::with_seed(SEED);
    config.classroom = true;
    let server = TestServer::start_with(config).await;
    let mut watcher = cli::spawn(&server.url(), &["--json", "watch", "--calls", "1"]);

    let attempts = PATIENCE.as_millis() / CALL_EVERY.as_millis();
    for _ in 0..attempts {
        if watcher.try_wait().expect("the watcher's state").is_some() {
            break;
        }
        server.direct_convert("10", "USD", "EUR").await;
        tokio::time::sleep(CALL_EVERY).await;
    }
    let output = cli::finish(watcher).await;
    assert_exit(&output, 0);

    let events = cli::json_lines(&output);
    let kinds: Vec<&str> = events
        .iter()
        .map(|event| {
            let case = event["event"].as_object().expect("each event says what happened");
            case.keys().next().map_or("", String::as_str)
        })
        .collect();
    assert_eq!(kinds, ["started", "message", "half_close", "message", "ended"]);
    let call_id = &events[0]["call_id"];
    assert!(
        events.iter().all(|event| &event["call_id"] == call_id),
        "one call"
    );
    assert_eq!(
        events[0]["event"]["started"]["method"],
        "/bank.v1.BankService/Convert"
    );
    // Enums by their names in the .proto, as the proto3 JSON mapping has them.
    assert_eq!(events[0]["event"]["started"]["model"], "CALL_MODEL_UNARY");
    let request = &events[1]["event"]["message"];
    assert_eq!(request["type"], "bank.v1.ConvertRequest");
    assert_eq!(request["direction"], "DIRECTION_CLIENT_TO_SERVER");
    let json_bytes = request["json"].as_str().expect("the request as JSON").len();
    assert_eq!(request["json_bytes"], json_bytes);
    assert_eq!(
        events[3]["event"]["message"]["direction"],
        "DIRECTION_SERVER_TO_CLIENT"
    );
    assert_eq!(events[4]["event"]["ended"]["code"], 0);
    assert_eq!(events[4]["event"]["ended"]["cause"], "END_CAUSE_UNSPECIFIED");
}

#[tokio::test]
async fn bank_watch_against_a_server_without_the_classroom_fails_with_exit_1() {
    let server = TestServer::start_with(Config::with_seed(SEED)).await;
    let mut command = cli::bank(&server.url());
    command.arg("watch");
    let output = cli::run(command).await;
    assert_exit(&output, 1);
}
