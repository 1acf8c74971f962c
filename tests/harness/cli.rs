//! Running the real `bank` binary from a test.
//!
//! Every command starts from a known environment: no locale variables and
//! no `BANK_SERVER`, so a developer's French shell or exported server never
//! changes a result; a test that is about them sets them explicitly. Every
//! command is bounded by [`COMMAND_TIMEOUT`].

use std::net::TcpListener;
use std::process::{Child, Output, Stdio};
use std::time::Duration;

use assert_cmd::Command;

/// Upper bound for one run of `bank`: far above what any command here needs,
/// only ever reached when something hangs.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// `bank` with a clean environment and no `--server`.
pub fn bank_without_server() -> Command {
    let mut command = Command::from_std(bank_process());
    command.timeout(COMMAND_TIMEOUT);
    command
}

/// The same as a plain process, for tests that feed its standard input
/// while it runs (the caller bounds the wait).
pub fn bank_process() -> std::process::Command {
    let mut command = std::process::Command::new(crate::bank_exe());
    command
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE")
        .env_remove("LANG")
        .env_remove("BANK_SERVER");
    command
}

/// `bank --server URL args...` as a process of its own, with a clean
/// environment and piped standard streams: for tests that act on it while
/// it runs (keep its standard input open, interrupt it). Kill it or wait
/// for it with [`finish`].
pub fn spawn(server_url: &str, args: &[&str]) -> Child {
    std::process::Command::new(crate::bank_exe())
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE")
        .env_remove("LANG")
        .env_remove("BANK_SERVER")
        .arg("--server")
        .arg(server_url)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bank starts")
}

/// Sends SIGINT to `child`, as Ctrl-C would.
pub fn interrupt(child: &Child) {
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill(1) runs");
    assert!(status.success(), "SIGINT sent");
}

/// Waits for a spawned `bank` to exit (killed after [`COMMAND_TIMEOUT`])
/// and returns what it printed.
pub async fn finish(child: Child) -> Output {
    let pid = child.id().to_string();
    let waiting = tokio::task::spawn_blocking(move || child.wait_with_output().expect("bank's output"));
    let output = tokio::time::timeout(COMMAND_TIMEOUT, waiting).await;
    if output.is_err() {
        let _ = std::process::Command::new("kill").args(["-KILL", &pid]).status();
    }
    output
        .expect("bank exits in time")
        .expect("the blocking wait did not panic")
}

/// A server that accepts connections and then never says a word, not even
/// HTTP/2's greeting: the kind of server only a timeout gets away from.
/// Stops listening when dropped.
pub struct SilentServer {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl SilentServer {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let task = tokio::spawn(async move {
            // Held open, never read nor written.
            let mut connections = Vec::new();
            while let Ok((connection, _)) = listener.accept().await {
                connections.push(connection);
            }
        });
        Self { url, task }
    }
}

impl Drop for SilentServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `bank --server URL` with a clean environment.
pub fn bank(server_url: &str) -> Command {
    let mut command = bank_without_server();
    command.arg("--server").arg(server_url);
    command
}

/// Runs `command` to its end off the async runtime (the server the command
/// talks to runs on that runtime) and returns what it printed.
pub async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("bank starts"))
        .await
        .expect("the blocking run did not panic")
}

/// The exit code; a run killed by a signal (e.g. the timeout) has none.
pub fn code(output: &Output) -> i32 {
    output
        .status
        .code()
        .unwrap_or_else(|| panic!("bank was killed (timeout?): {}", describe(output)))
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// The non-empty lines of standard output.
pub fn stdout_lines(output: &Output) -> Vec<String> {
    stdout(output)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Status, stdout and stderr, for assertion messages.
pub fn describe(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Asserts the exit code, showing everything the command printed if not.
pub fn assert_exit(output: &Output, expected: i32) {
    assert_eq!(code(output), expected, "{}", describe(output));
}

/// Each standard output line parsed as one JSON value.
pub fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    stdout_lines(output)
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("not JSON ({error}): {line}")))
        .collect()
}

/// A URL on 127.0.0.1 where nothing listens: a port the system just handed
/// out and that was closed again.
pub fn unreachable_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let addr = listener.local_addr().expect("bound address");
    drop(listener);
    format!("http://{addr}")
}

/// A decimal string as the CLI writes it in `lang` ("en" or "fr"):
/// `1234.5` is `1,234.5` in English and `1 234,5` in French (narrow
/// no-break space, U+202F). The oracle for localized numbers.
/// Written independently of the CLI's `format::decimal` on purpose: a test
/// oracle that reused the code under test could not catch its mistakes.
pub fn localized(lang: &str, decimal: &str) -> String {
    let (group, point) = match lang {
        "fr" => ('\u{202F}', ','),
        _ => (',', '.'),
    };
    let (integer, fraction) = match decimal.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (decimal, None),
    };
    let mut out = String::new();
    for (position, digit) in integer.chars().enumerate() {
        if position > 0 && (integer.len() - position) % 3 == 0 {
            out.push(group);
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push(point);
        out.push_str(fraction);
    }
    out
}

/// Runs `bank batch` on a CSV file of a header and `rows` conversions (one
/// `ConvertBatch` message each) and returns what it printed.
pub async fn batch(server_url: &str, rows: usize) -> Output {
    let mut csv = String::from("amount,from,to,id\n");
    for row in 1..=rows {
        csv.push_str(&format!("{row}0,USD,EUR,row-{row}\n"));
    }
    let file = tempfile::Builder::new()
        .suffix(".csv")
        .tempfile()
        .expect("a temporary file");
    std::fs::write(file.path(), csv).expect("CSV written");
    let mut command = bank(server_url);
    command.arg("batch").arg(file.path());
    run(command).await
}

/// Runs `bank session` and types `lines` one at a time, each only once the
/// reply to the one before was printed: on the wire, requests and replies
/// alternate. Returns the replies; every read is bounded by
/// [`COMMAND_TIMEOUT`], and the process is killed if the test gives up.
pub async fn session_line_by_line(server_url: &str, lines: &[&str]) -> Vec<String> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    let mut command = tokio::process::Command::from(bank_process());
    command
        .arg("--server")
        .arg(server_url)
        .arg("session")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("bank starts");
    let mut input = child.stdin.take().expect("a piped standard input");
    let mut replies = BufReader::new(child.stdout.take().expect("a piped standard output")).lines();
    let mut printed = Vec::new();
    for line in lines {
        input
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("the line is typed");
        input.flush().await.expect("the line is sent");
        let reply = tokio::time::timeout(COMMAND_TIMEOUT, replies.next_line())
            .await
            .expect("a reply in time")
            .expect("standard output is readable")
            .expect("a reply line before the end");
        printed.push(reply);
    }
    drop(input);
    let status = tokio::time::timeout(COMMAND_TIMEOUT, child.wait())
        .await
        .expect("bank exits in time")
        .expect("bank's exit status");
    assert!(
        status.success(),
        "bank session failed: {status}; replies {printed:?}"
    );
    printed
}
