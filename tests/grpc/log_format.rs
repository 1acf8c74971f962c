//! `bank-server --log-format json`: every line on standard error is one
//! JSON object, and a call's closing line carries the `rpc` span's method,
//! status code and latency. An unknown format is a usage error.

use bank_proto::v1::ConvertRequest;
use bank_proto::v1::bank_service_client::BankServiceClient;
use harness::server_process::ServerProcess;
use tonic::Code;

const CONVERT: &str = "/bank.v1.BankService/Convert";

fn order(to: &str) -> ConvertRequest {
    ConvertRequest {
        amount: "10".into(),
        from_currency: "EUR".into(),
        to_currency: to.into(),
        request_id: String::new(),
        at: None,
    }
}

/// The closing line of a call with this method and code.
fn rpc_line(method: &'static str, code: &'static str) -> impl Fn(&serde_json::Value) -> bool {
    move |line| line["span"]["method"] == method && line["span"]["code"] == code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_per_line_with_the_rpc_fields() {
    let mut server = ServerProcess::start();
    let mut client = BankServiceClient::connect(server.url())
        .await
        .expect("client connects");
    client.convert(order("USD")).await.expect("converts");
    let refused = client.convert(order("XXX")).await.expect_err("refused");
    assert_eq!(refused.code(), Code::InvalidArgument);

    // Reading stops at the wanted line; every line read on the way must
    // be JSON too (`wait_for_line` parses each one).
    let invalid = server.wait_for_line("Convert INVALID_ARGUMENT", rpc_line(CONVERT, "INVALID_ARGUMENT"));
    assert_eq!(invalid["span"]["name"], "rpc", "{invalid}");
    assert!(invalid["span"]["latency_us"].is_u64(), "{invalid}");
    assert_eq!(invalid["level"], "INFO", "{invalid}");
    // The call that succeeded, before it, has no line at the default level.
    let ok_lines = server
        .seen
        .iter()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(rpc_line(CONVERT, "OK"))
        .count();
    assert_eq!(ok_lines, 0, "{:?}", server.seen);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_that_succeed_are_logged_at_debug_level() {
    let debug = std::ffi::OsStr::new("info,bank_server::telemetry=debug");
    let mut server = ServerProcess::start_with_env(&[], &[("RUST_LOG", debug)]);
    let mut client = BankServiceClient::connect(server.url())
        .await
        .expect("client connects");
    client.convert(order("USD")).await.expect("converts");
    let ok = server.wait_for_line("Convert OK", rpc_line(CONVERT, "OK"));
    assert_eq!(ok["level"], "DEBUG", "{ok}");
    assert_eq!(ok["span"]["name"], "rpc", "{ok}");
    assert!(ok["span"]["latency_us"].is_u64(), "{ok}");
}

#[test]
fn an_unknown_log_format_is_a_usage_error() {
    let output = std::process::Command::new(harness::server_exe())
        .args(["--log-format", "xml", "--addr", "127.0.0.1:0"])
        .output()
        .expect("bank-server runs");
    assert_eq!(output.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_addresses_may_be_host_names_and_localhost_means_ipv4_loopback() {
    let server = ServerProcess::start_with(&["--addr", "localhost:0", "--metrics-addr", "localhost:0"]);
    assert_eq!(server.addr.ip(), std::net::Ipv4Addr::LOCALHOST);
    assert_eq!(server.metrics.ip(), std::net::Ipv4Addr::LOCALHOST);
    let mut client = BankServiceClient::connect(server.url())
        .await
        .expect("client connects");
    let answer = client.convert(order("USD")).await.expect("converts");
    assert_eq!(answer.get_ref().from_currency, "EUR");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_usable_cpu_gets_a_current_thread_runtime_unless_workers_say_otherwise() {
    let held = ServerProcess::start_on_cpus(&[], &[0]);
    let line = held.listening_line();
    assert_eq!(line["runtime"], "current_thread", "{line}");
    assert_eq!(line["usable_cpus"], 1, "{line}");
    let mut client = BankServiceClient::connect(held.url())
        .await
        .expect("client connects");
    client.convert(order("USD")).await.expect("converts");

    // Two threads asked for: the default shape for several, one
    // current-thread runtime each (Linux).
    let told = ServerProcess::start_on_cpus(&["--workers", "2"], &[0]);
    let line = told.listening_line();
    assert_eq!(line["runtime"], "per_core", "{line}");
    assert_eq!(line["workers"], 2, "{line}");
}
