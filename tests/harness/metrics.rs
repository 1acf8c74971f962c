//! Reading a server's `/metrics` the way Prometheus does: a plain HTTP/1.1
//! GET on loopback, and the value of one exact series; and linting what was
//! read with `promtool check metrics`, where promtool is installed.

use std::net::SocketAddr;
use std::time::Duration;

use rust_decimal::Decimal;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::PATIENCE;

/// An HTTP response, split.
pub struct HttpResponse {
    pub status: u16,
    pub head: String,
    pub body: String,
}

/// `GET path` on `addr`, with `Connection: close` so the response ends
/// with the connection.
pub async fn get(addr: SocketAddr, path: &str) -> HttpResponse {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.expect("metrics endpoint accepts");
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("request sent");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("response read");
        raw
    };
    let raw = tokio::time::timeout(PATIENCE, exchange)
        .await
        .expect("the endpoint answers in time");
    let text = String::from_utf8(raw).expect("the response is UTF-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("a header block");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("a status line: {head}"));
    HttpResponse {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

/// The body of `GET /metrics`, which must answer 200.
pub async fn scrape(addr: SocketAddr) -> String {
    let response = get(addr, "/metrics").await;
    assert_eq!(response.status, 200, "{}", response.head);
    response.body
}

/// The value of `series` (its name and labels exactly as exposed), if the
/// scrape has it.
pub fn sample(text: &str, series: &str) -> Option<u64> {
    text.lines()
        .filter_map(|line| line.rsplit_once(' '))
        .find(|(name, _)| *name == series)
        .map(|(_, value)| {
            value
                .parse()
                .unwrap_or_else(|error| panic!("{series}: {value}: {error}"))
        })
}

/// Scrapes until `series` has `expected` (series absent counts as 0);
/// panics with the last scrape after [`PATIENCE`]. For values that settle
/// after the call that changes them returns (a stream's end is counted
/// when the server sees it).
pub async fn wait_for(addr: SocketAddr, series: &str, expected: u64) -> String {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let text = scrape(addr).await;
        if sample(&text, series).unwrap_or(0) == expected {
            return text;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{series} never reached {expected}:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The value of `series` as an exact decimal, for the values that are
/// signed or fractional (`bank_clock_offset_seconds`,
/// `process_cpu_seconds_total`), in plain or scientific notation.
pub fn sample_decimal(text: &str, series: &str) -> Option<Decimal> {
    text.lines()
        .filter_map(|line| line.rsplit_once(' '))
        .find(|(name, _)| *name == series)
        .map(|(_, value)| {
            Decimal::from_str_exact(value)
                .or_else(|_| Decimal::from_scientific(value))
                .unwrap_or_else(|error| panic!("{series}: {value}: {error}"))
        })
}

/// What `promtool check metrics` said of an exposition: whether it passed,
/// and everything it printed (its lint warnings, if any).
pub struct PromtoolVerdict {
    pub passed: bool,
    pub output: String,
}

/// Runs Prometheus's `promtool check metrics` on `text`, as Prometheus's
/// own CI lints an exposition; `None` when `promtool` is not installed
/// (Debian's `prometheus` package has it). Bounded by [`PATIENCE`].
pub async fn promtool_check_metrics(text: &str) -> Option<PromtoolVerdict> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    let mut child = match Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
        Err(error) => panic!("promtool: {error}"),
    };
    let mut stdin = child.stdin.take().expect("promtool's standard input");
    let text = text.to_owned();
    let run = tokio::task::spawn_blocking(move || {
        stdin
            .write_all(text.as_bytes())
            .expect("exposition written to promtool");
        // Closing its input tells promtool the exposition is complete.
        drop(stdin);
        child.wait_with_output().expect("promtool ran")
    });
    let output = tokio::time::timeout(PATIENCE, run)
        .await
        .expect("promtool answers in time")
        .expect("the promtool task");
    Some(PromtoolVerdict {
        passed: output.status.success(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    })
}
