//! API tokens: with `--auth-tokens`, every BankService call needs
//! `authorization: Bearer <token>`; health and reflection stay open; the
//! token file reloads (directly and on SIGHUP), keeping the old tokens when
//! the new file is unusable, half-written ones included; the `bank` binary
//! sends `--token` on every call, streams included.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bank_proto::v1::{ConvertRequest, StreamRatesRequest};
use bank_server::Config;
use bank_server::{ApiTokens, TokenFileError};
use harness::cli::{self, assert_exit};
use harness::{PATIENCE, SEED, TestServer};
use tempfile::TempDir;
use tonic::metadata::MetadataValue;
use tonic::{Code, Request, Status};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

const GOOD: &str = "s3cret-token-for-tests";
const OTHER: &str = "another-valid-token";

/// A token file in its own folder.
struct TokenFile {
    dir: TempDir,
}

impl TokenFile {
    fn with(text: &str) -> Self {
        let file = Self {
            dir: tempfile::tempdir().expect("a temporary folder"),
        };
        file.rewrite(text);
        file
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("tokens")
    }

    /// Replaces the file's content in one rename, as an operator's tooling
    /// would, so a reload never reads it half-written.
    fn rewrite(&self, text: &str) {
        let staging = self.dir.path().join("tokens.new");
        std::fs::write(&staging, text).expect("token file written");
        std::fs::rename(&staging, self.path()).expect("token file replaced");
    }

    /// Rewrites the file in place and stops after `text`, as a writer
    /// caught mid-write leaves it.
    fn write_in_place(&self, text: &str) {
        std::fs::write(self.path(), text).expect("token file rewritten in place");
    }
}

async fn server_requiring(tokens: &Path) -> (TestServer, Arc<ApiTokens>) {
    let tokens = Arc::new(ApiTokens::load(tokens).expect("the token file loads"));
    let mut config = Config::with_seed(SEED);
    config.auth_tokens = Some(Arc::clone(&tokens));
    (TestServer::start_with(config).await, tokens)
}

fn convert_request() -> ConvertRequest {
    ConvertRequest {
        amount: "1".into(),
        from_currency: "USD".into(),
        to_currency: "EUR".into(),
        request_id: String::new(),
        at: None,
    }
}

fn with_authorization<T>(message: T, authorization: Option<&str>) -> Request<T> {
    let mut request = Request::new(message);
    if let Some(value) = authorization {
        let value: MetadataValue<_> = value.parse().expect("an ASCII header value");
        request.metadata_mut().insert("authorization", value);
    }
    request
}

async fn convert(server: &TestServer, authorization: Option<&str>) -> Result<(), Status> {
    let request = with_authorization(convert_request(), authorization);
    server.client().await.convert(request).await.map(|_| ())
}

/// The next message of a stream, waited for at most [`PATIENCE`].
async fn next_message<T>(stream: &mut tonic::Streaming<T>) -> Option<T> {
    tokio::time::timeout(PATIENCE, stream.message())
        .await
        .expect("a message in time")
        .expect("a healthy stream")
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn a_call_with_a_listed_token_goes_through() {
    let file = TokenFile::with(&format!("# test tokens\n\n{GOOD}\n{OTHER}\n"));
    let (server, _tokens) = server_requiring(&file.path()).await;
    convert(&server, Some(&bearer(GOOD)))
        .await
        .expect("the first token works");
    convert(&server, Some(&bearer(OTHER)))
        .await
        .expect("the second token works");
}

#[tokio::test]
async fn missing_wrong_scheme_and_unknown_tokens_get_the_same_unauthenticated_status() {
    let file = TokenFile::with(&format!("{GOOD}\n"));
    let (server, _tokens) = server_requiring(&file.path()).await;
    let basic = format!("Basic {GOOD}");
    let unknown = bearer("not-a-token");
    let truncated = bearer(&GOOD[..GOOD.len() - 1]);
    let mut messages = Vec::new();
    for authorization in [
        None,
        Some(basic.as_str()),
        Some(GOOD),
        Some(unknown.as_str()),
        Some(truncated.as_str()),
    ] {
        let status = convert(&server, authorization)
            .await
            .expect_err("refused without a valid token");
        assert_eq!(status.code(), Code::Unauthenticated, "{authorization:?}");
        messages.push(status.message().to_owned());
    }
    messages.dedup();
    assert_eq!(messages.len(), 1, "every refusal reads the same: {messages:?}");
}

#[tokio::test]
async fn streaming_calls_need_the_token_too() {
    let file = TokenFile::with(&format!("{GOOD}\n"));
    let (server, _tokens) = server_requiring(&file.path()).await;
    let feed = || StreamRatesRequest {
        pairs: vec!["EUR/USD".into()],
        max_updates: 1,
        from_sequence: 0,
    };
    let refused = server
        .client()
        .await
        .stream_rates(with_authorization(feed(), None))
        .await
        .expect_err("a feed without a token is refused");
    assert_eq!(refused.code(), Code::Unauthenticated);

    let mut updates = server
        .client()
        .await
        .stream_rates(with_authorization(feed(), Some(&bearer(GOOD))))
        .await
        .expect("a feed with the token opens")
        .into_inner();
    assert!(next_message(&mut updates).await.is_some());
}

#[tokio::test]
async fn health_and_reflection_stay_open_without_a_token() {
    let file = TokenFile::with(&format!("{GOOD}\n"));
    let (server, _tokens) = server_requiring(&file.path()).await;

    let health = HealthClient::new(server.channel().await)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("health answers without a token")
        .into_inner();
    assert_eq!(health.status, ServingStatus::Serving as i32);

    let request = ServerReflectionRequest {
        message_request: Some(MessageRequest::ListServices(String::new())),
        ..Default::default()
    };
    let mut answers = ServerReflectionClient::new(server.channel().await)
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection answers without a token")
        .into_inner();
    let answer = next_message(&mut answers)
        .await
        .and_then(|answer| answer.message_response);
    let Some(MessageResponse::ListServicesResponse(list)) = answer else {
        panic!("a list of services, got {answer:?}");
    };
    assert!(
        list.service
            .iter()
            .any(|service| service.name == "bank.v1.BankService")
    );
}

#[tokio::test]
async fn a_reload_swaps_the_tokens_and_a_failed_one_keeps_the_previous_tokens() {
    let file = TokenFile::with(&format!("{GOOD}\n"));
    let (server, tokens) = server_requiring(&file.path()).await;

    file.rewrite(&format!("{OTHER}\n"));
    assert_eq!(tokens.reload().expect("the new file loads"), 1);
    assert_eq!(
        convert(&server, Some(&bearer(GOOD)))
            .await
            .map_err(|status| status.code()),
        Err(Code::Unauthenticated)
    );
    convert(&server, Some(&bearer(OTHER)))
        .await
        .expect("the new token works");

    // An empty file, a bad line and a vanished file are all refused, and
    // the token loaded before keeps working.
    for broken in ["# nothing left\n\n", "with a space\n"] {
        file.rewrite(broken);
        assert!(tokens.reload().is_err(), "{broken:?}");
        convert(&server, Some(&bearer(OTHER)))
            .await
            .expect("the previous token still works");
    }
    std::fs::remove_file(file.path()).expect("token file removed");
    assert!(matches!(tokens.reload(), Err(TokenFileError::Read { .. })));
    convert(&server, Some(&bearer(OTHER)))
        .await
        .expect("the previous token still works");
}

#[tokio::test]
async fn a_reload_of_a_half_written_file_keeps_the_old_token_and_refuses_the_prefix() {
    const NEW: &str = "a-brand-new-token-being-written";
    let file = TokenFile::with(&format!("{GOOD}\n"));
    let (server, tokens) = server_requiring(&file.path()).await;

    // The writer has put down the first half of the new token, and no
    // newline yet.
    let prefix = &NEW[..NEW.len() / 2];
    file.write_in_place(prefix);
    assert!(matches!(tokens.reload(), Err(TokenFileError::Incomplete { .. })));
    assert_eq!(tokens.len(), 1);
    convert(&server, Some(&bearer(GOOD)))
        .await
        .expect("the old token still works");
    for refused in [prefix, NEW] {
        assert_eq!(
            convert(&server, Some(&bearer(refused)))
                .await
                .map_err(|status| status.code()),
            Err(Code::Unauthenticated),
            "{refused}"
        );
    }

    // Once the writer is done, the next reload takes the new file.
    file.write_in_place(&format!("{NEW}\n"));
    assert_eq!(tokens.reload().expect("the finished file loads"), 1);
    convert(&server, Some(&bearer(NEW)))
        .await
        .expect("the new token works");
}

#[test]
fn a_token_file_that_cannot_be_used_is_refused_at_load() {
    let empty = TokenFile::with("# only a comment\n");
    assert!(matches!(
        ApiTokens::load(empty.path()),
        Err(TokenFileError::Empty { .. })
    ));
    let bad = TokenFile::with("good\nnot good\n");
    assert!(matches!(
        ApiTokens::load(bad.path()),
        Err(TokenFileError::InvalidLine { line: 2, .. })
    ));
    let half_written = TokenFile::with(&format!("{GOOD}\n{}", &OTHER[..4]));
    assert!(matches!(
        ApiTokens::load(half_written.path()),
        Err(TokenFileError::Incomplete { .. })
    ));
    let huge = TokenFile::with(&"x".repeat(bank_server::MAX_TOKEN_FILE_BYTES as usize + 1));
    assert!(matches!(
        ApiTokens::load(huge.path()),
        Err(TokenFileError::TooLarge { .. })
    ));
}

#[cfg(unix)]
#[tokio::test]
async fn sighup_reloads_the_token_file() {
    let file = TokenFile::with(&format!("{GOOD}\n"));
    let (server, tokens) = server_requiring(&file.path()).await;
    let _reloader = bank_server::reload_on_sighup(Arc::clone(&tokens)).expect("SIGHUP handler installed");

    file.rewrite(&format!("{OTHER}\n"));
    let pid = std::process::id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .expect("kill runs");
    assert!(sent.success());

    let deadline = tokio::time::Instant::now() + PATIENCE;
    while convert(&server, Some(&bearer(OTHER))).await.is_err() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the new token was never accepted"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        convert(&server, Some(&bearer(GOOD)))
            .await
            .map_err(|status| status.code()),
        Err(Code::Unauthenticated)
    );
}

fn bank(server: &TestServer) -> assert_cmd::Command {
    let mut command = cli::bank(&server.url());
    command.env_remove("BANK_TOKEN");
    command
}

#[tokio::test]
async fn bank_sends_its_token_on_unary_and_streaming_calls() {
    let file = TokenFile::with(&format!("{GOOD}\n"));
    let (server, _tokens) = server_requiring(&file.path()).await;

    let mut convert = bank(&server);
    convert.args(["--token", GOOD, "--json", "convert", "1", "USD", "EUR"]);
    let output = cli::run(convert).await;
    assert_exit(&output, 0);
    assert_eq!(cli::json_lines(&output)[0]["amount"], "1.00");

    let mut rates = bank(&server);
    rates
        .env("BANK_TOKEN", GOOD)
        .args(["--json", "rates", "EUR/USD", "--count", "1"]);
    let output = cli::run(rates).await;
    assert_exit(&output, 0);
    assert_eq!(cli::json_lines(&output).len(), 1);
}

#[tokio::test]
async fn bank_without_a_valid_token_is_refused_in_both_languages() {
    let file = TokenFile::with(&format!("{GOOD}\n"));
    let (server, _tokens) = server_requiring(&file.path()).await;
    let mut sentences = Vec::new();
    for (lang, token) in [("en", None), ("fr", Some("wrong"))] {
        let mut command = bank(&server);
        if let Some(token) = token {
            command.args(["--token", token]);
        }
        command.args(["--lang", lang, "convert", "1", "USD", "EUR"]);
        let output = cli::run(command).await;
        assert_exit(&output, 1);
        let stderr = cli::stderr(&output);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(!stderr.contains("wrong"), "the token is not echoed: {stderr}");
        sentences.push(stderr);
    }
    assert_ne!(
        sentences[0], sentences[1],
        "the French sentence is not the English one"
    );
}

#[tokio::test]
async fn bank_refuses_a_token_no_server_could_accept_as_a_usage_error() {
    let file = TokenFile::with(&format!("{GOOD}\n"));
    let (server, _tokens) = server_requiring(&file.path()).await;
    let mut command = bank(&server);
    command.args(["--token", "two words", "convert", "1", "USD", "EUR"]);
    assert_exit(&cli::run(command).await, 2);
}
