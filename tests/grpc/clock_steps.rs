//! The tick clock when the wall clock steps: an hour back, the feed goes on
//! ticking (1% slower) instead of falling silent for an hour; an hour
//! forward, no tick of that hour is published at once; either way the step
//! is counted and its offset exported, and no sequence goes backwards.
//!
//! The in-process tests give the server a wall clock they step themselves.
//! The last test steps the real `bank-server` binary's wall clock with
//! libfaketime (Debian's `faketime` package, which `.ci/run` installs),
//! leaving its monotonic clock alone; it is skipped, saying why, where the
//! library is missing, except under CI (`CI=true`), where it fails.

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bank_domain::clock::{SlewingClock, TimeSources};
use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_proto::v1::{ConvertRequest, RateUpdate, StreamRatesRequest};
use bank_server::Config;
use harness::metrics::{sample_decimal, scrape, wait_for};
use harness::server_process::ServerProcess;
use harness::{PATIENCE, SEED, TestServer};
use rust_decimal::Decimal;
use tonic::Streaming;
use tonic::transport::Channel;

/// Short ticks, so that a test sees many in a second.
const TICK_MS: u64 = 50;

/// An hour, in milliseconds: the step the issue describes.
const HOUR_MS: i64 = 3_600_000;

/// Updates read after each step: a second of 50 ms ticks.
const UPDATES_AFTER_A_STEP: usize = 20;

/// What the server logs, at WARN, for each step it detects.
const STEP_MESSAGE: &str = "wall clock stepped: the tick clock slews toward it instead of jumping";

/// The machine's monotonic clock, and a wall clock that is the real one at
/// the start plus the monotonic time since, plus whatever steps the test
/// makes.
struct SteppableTime {
    origin: Instant,
    wall_at_origin: Duration,
    stepped_ms: AtomicI64,
}

impl SteppableTime {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            origin: Instant::now(),
            wall_at_origin: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .expect("the machine's clock is after 1970"),
            stepped_ms: AtomicI64::new(0),
        })
    }

    /// Sets the wall clock `ms` forward, or back if negative.
    fn step(&self, ms: i64) {
        self.stepped_ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// What the wall clock would read now had it never been stepped.
    fn unstepped_unix_ms(&self) -> u64 {
        u64::try_from((self.wall_at_origin + self.origin.elapsed()).as_millis()).expect("fits")
    }
}

impl TimeSources for SteppableTime {
    fn wall(&self) -> Duration {
        let stepped_ms = self.stepped_ms.load(Ordering::SeqCst);
        let stepped = Duration::from_millis(stepped_ms.unsigned_abs());
        let unstepped = self.wall_at_origin + self.origin.elapsed();
        if stepped_ms < 0 {
            unstepped.saturating_sub(stepped)
        } else {
            unstepped + stepped
        }
    }

    fn monotonic(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// A server with 50 ms ticks over `time`, and its metrics address.
async fn server_over(time: &Arc<SteppableTime>) -> (TestServer, SocketAddr) {
    let mut config = Config::with_seed(SEED);
    config.tick_ms = TICK_MS;
    config.clock = Arc::new(SlewingClock::with_sources(Arc::clone(time)));
    TestServer::start_with_metrics(config).await
}

async fn open_feed(client: &mut BankServiceClient<Channel>) -> Streaming<RateUpdate> {
    client
        .stream_rates(StreamRatesRequest {
            pairs: vec!["EUR/USD".into()],
            max_updates: 0,
            from_sequence: 0,
        })
        .await
        .expect("the feed opens")
        .into_inner()
}

/// The next update, which must come within [`PATIENCE`]: a feed silenced
/// by a step back of an hour fails here.
async fn next_update(feed: &mut Streaming<RateUpdate>) -> RateUpdate {
    tokio::time::timeout(PATIENCE, feed.message())
        .await
        .expect("an update arrives in time: the feed is not silent")
        .expect("the feed is healthy")
        .expect("the feed goes on")
}

/// The start of an update's tick, in milliseconds since the epoch.
fn tick_start_ms(update: &RateUpdate) -> u64 {
    let time = update.time.expect("the tick start");
    u64::try_from(time.seconds).expect("after 1970") * 1_000
        + u64::from(time.nanos.unsigned_abs()) / 1_000_000
}

/// Reads [`UPDATES_AFTER_A_STEP`] updates after `previous`, checking that
/// the sequence only ever increases; returns the last.
async fn updates_keep_coming(feed: &mut Streaming<RateUpdate>, previous: RateUpdate) -> RateUpdate {
    let mut last = previous;
    for _ in 0..UPDATES_AFTER_A_STEP {
        let update = next_update(feed).await;
        assert!(
            update.sequence > last.sequence,
            "sequence {} after {}",
            update.sequence,
            last.sequence
        );
        last = update;
    }
    last
}

async fn convert_sequence(client: &mut BankServiceClient<Channel>) -> u64 {
    client
        .convert(ConvertRequest {
            amount: "100".into(),
            from_currency: "EUR".into(),
            to_currency: "USD".into(),
            request_id: String::new(),
            at: None,
        })
        .await
        .expect("converts")
        .into_inner()
        .rate_sequence
}

/// `bank_clock_offset_seconds` in milliseconds.
fn offset_ms(text: &str) -> i64 {
    let seconds =
        sample_decimal(text, "bank_clock_offset_seconds").unwrap_or_else(|| panic!("an offset:\n{text}"));
    i64::try_from(seconds * Decimal::ONE_THOUSAND).expect("whole milliseconds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hour_step_back_slows_the_feed_by_one_percent_instead_of_silencing_it() {
    let time = SteppableTime::new();
    let (server, metrics) = server_over(&time).await;
    let mut client = server.client().await;
    let mut feed = open_feed(&mut client).await;
    let first = next_update(&mut feed).await;

    time.step(-HOUR_MS);
    let last = updates_keep_coming(&mut feed, first).await;
    assert!(
        convert_sequence(&mut client).await >= last.sequence,
        "Convert never uses a tick older than the feed's"
    );

    let text = wait_for(metrics, "bank_clock_steps_total", 1).await;
    // An hour, less the 1% of the seconds slewed since.
    let offset = offset_ms(&text);
    assert!(
        (-HOUR_MS..=-HOUR_MS + 1_000).contains(&offset),
        "{offset} ms:\n{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hour_step_forward_publishes_no_tick_of_that_hour_at_once() {
    let time = SteppableTime::new();
    let (server, metrics) = server_over(&time).await;
    let mut client = server.client().await;
    let mut feed = open_feed(&mut client).await;
    let first = next_update(&mut feed).await;

    time.step(HOUR_MS);
    let step_made = Instant::now();
    let mut last = first;
    for _ in 0..UPDATES_AFTER_A_STEP {
        last = next_update_after(&mut feed, last).await;
        // Trusted time runs at most 1% fast: a second of margin is plenty
        // here, and an hour is far beyond it.
        let bound = time.unstepped_unix_ms() + 1_000;
        assert!(
            tick_start_ms(&last) <= bound,
            "tick {} starts at {} ms, after {bound} ms, {:?} after the step",
            last.sequence,
            tick_start_ms(&last),
            step_made.elapsed()
        );
    }
    let sequence = convert_sequence(&mut client).await;
    assert!(sequence >= last.sequence);
    assert!(
        sequence * TICK_MS <= time.unstepped_unix_ms() + 1_000,
        "Convert uses tick {sequence}, not one of the hour ahead"
    );

    let text = wait_for(metrics, "bank_clock_steps_total", 1).await;
    let offset = offset_ms(&text);
    assert!(
        (HOUR_MS - 1_000..=HOUR_MS).contains(&offset),
        "{offset} ms:\n{text}"
    );
}

/// One update after `previous`, with a higher sequence.
async fn next_update_after(feed: &mut Streaming<RateUpdate>, previous: RateUpdate) -> RateUpdate {
    let update = next_update(feed).await;
    assert!(
        update.sequence > previous.sequence,
        "sequence {} after {}",
        update.sequence,
        previous.sequence
    );
    update
}

/// Where Debian and Ubuntu install libfaketime, by architecture.
const FAKETIME_LIBRARIES: [&str; 4] = [
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
    "/usr/local/lib/faketime/libfaketime.so.1",
];

/// libfaketime, where the usual paths or `dpkg -L libfaketime` say it is.
fn find_libfaketime() -> Option<PathBuf> {
    if let Some(found) = FAKETIME_LIBRARIES
        .iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
    {
        return Some(found);
    }
    let listed = std::process::Command::new("dpkg")
        .args(["-L", "libfaketime"])
        .output()
        .ok()?;
    String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(PathBuf::from)
        .find(|path| path.file_name() == Some(OsStr::new("libfaketime.so.1")) && path.is_file())
}

/// Rewrites libfaketime's timestamp file in one step (a rename), so the
/// server, which reads it at every clock read, never sees it half written.
/// `offset` is libfaketime's relative form: `+0`, `-30`, `+3600` seconds.
fn set_fake_offset(file: &Path, offset: &str) {
    let next = file.with_extension("next");
    std::fs::write(&next, format!("{offset}\n")).expect("timestamp file written");
    std::fs::rename(&next, file).expect("timestamp file replaced");
}

fn now_unix_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_millis(),
    )
    .expect("fits")
}

fn within(value: &serde_json::Value, range: std::ops::RangeInclusive<i64>) -> bool {
    value.as_i64().is_some_and(|value| range.contains(&value))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_binary_under_libfaketime_logs_counts_and_slews_steps_of_30_s_back_and_an_hour_forward() {
    let Some(library) = find_libfaketime() else {
        harness::skip_outside_ci("libfaketime is not installed (apt-get install faketime)");
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let timestamp = dir.path().join("faketime");
    set_fake_offset(&timestamp, "+0");
    let mut server = ServerProcess::start_with_env(
        &["--tick-ms", &TICK_MS.to_string()],
        &[
            ("LD_PRELOAD", library.as_os_str()),
            ("FAKETIME_TIMESTAMP_FILE", timestamp.as_os_str()),
            // Read the file at every clock read, so a rewrite is a step.
            ("FAKETIME_NO_CACHE", OsStr::new("1")),
            // Only the wall clock steps; the monotonic clock runs on.
            ("FAKETIME_DONT_FAKE_MONOTONIC", OsStr::new("1")),
        ],
    );
    let mut client = BankServiceClient::connect(server.url())
        .await
        .expect("client connects");
    let mut feed = open_feed(&mut client).await;
    let first = next_update(&mut feed).await;

    // 30 s back: the feed goes on, the step is logged once and counted.
    set_fake_offset(&timestamp, "-30");
    let last = updates_keep_coming(&mut feed, first).await;
    assert!(convert_sequence(&mut client).await >= last.sequence);
    let back = server.wait_for_line("the step back", |line| line["message"] == STEP_MESSAGE);
    assert_eq!(back["level"], "WARN", "{back}");
    assert!(within(&back["step_ms"], -30_100..=-29_900), "{back}");
    assert!(within(&back["offset_ms"], -30_100..=-29_900), "{back}");
    // 30 s at 1%: 50 minutes.
    assert!(within(&back["slew_seconds"], 2_990..=3_010), "{back}");
    let text = wait_for(server.metrics, "bank_clock_steps_total", 1).await;
    assert!((-30_100..=-29_000).contains(&offset_ms(&text)), "{text}");

    // An hour forward (3,630 s from where the wall clock was): no tick of
    // that hour is published; the server's ticks stay on the real time of
    // this test process, whose clock is not faked.
    set_fake_offset(&timestamp, "+3600");
    let mut last = last;
    for _ in 0..UPDATES_AFTER_A_STEP {
        last = next_update_after(&mut feed, last).await;
        let bound = now_unix_ms() + 1_000;
        assert!(
            tick_start_ms(&last) <= bound,
            "tick {} starts at {} ms, after {bound} ms",
            last.sequence,
            tick_start_ms(&last)
        );
    }
    let sequence = convert_sequence(&mut client).await;
    assert!(sequence >= last.sequence);
    assert!(sequence * TICK_MS <= now_unix_ms() + 1_000, "tick {sequence}");
    let forward = server.wait_for_line("the step forward", |line| line["message"] == STEP_MESSAGE);
    assert!(within(&forward["step_ms"], 3_629_900..=3_630_100), "{forward}");
    // The hour, plus the 1% the tick clock fell behind real time while it
    // slewed toward the wall clock set 30 s back.
    assert!(within(&forward["offset_ms"], 3_600_000..=3_601_000), "{forward}");
    let text = wait_for(server.metrics, "bank_clock_steps_total", 2).await;
    assert!((3_599_000..=3_601_000).contains(&offset_ms(&text)), "{text}");
    let updated = scrape(server.metrics).await;
    assert!(
        offset_ms(&updated) <= offset_ms(&text),
        "the offset only shrinks while the wall clock holds still"
    );
}
