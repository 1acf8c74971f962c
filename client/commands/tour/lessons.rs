//! The lessons after the four models: how a call ends, and what a stream
//! promises. Each is a live call with real figures.
//!
//! - [`cancellation`]: the client gives up on a feed; the wire shows the
//!   reset, and the server's own counters show the call ended CANCELLED
//!   and the feed's work stopped.
//! - [`deadlines`]: a feed asked with a deadline runs out of time; the
//!   client and the server both end it with DEADLINE_EXCEEDED.
//! - [`errors`]: a bad amount as a unary call ends the call with a status;
//!   the same mistake inside a session is answered in a reply, and the
//!   session goes on.
//! - [`slow_reader`]: a feed read slowly, on a connection with a small
//!   flow-control window, skips to the latest tick; the gaps are shown.
//! - [`resume`]: a feed cut and resumed from the tick after the last one
//!   seen loses nothing.
//!
//! The server's side of each story is read from the embedded server's
//! counters ([`super::embedded::ServerView`]); against `--server`, the tour
//! says it cannot see them.

use std::time::{Duration, Instant};

use bank_i18n::tr;
use bank_proto::v1::session_reply::Outcome;
use bank_proto::v1::{ConvertRequest, StreamRatesRequest};
use tonic::{Code, Status};

use super::Stage;
use super::embedded::Reading;
use super::models::{follow, open_feed, open_session, request};
use super::timeline::{self, Timeline, say};
use crate::connect::{Connection, SLOW_READER_WINDOW};
use crate::error::CliError;

/// The method every feed lesson calls, as the server counts it.
const STREAM_RATES: &str = "/bank.v1.BankService/StreamRates";

/// The one pair the feed lessons follow: short updates, easy to read.
const PAIR: &str = "EUR/USD";

/// Updates the cancelled feed shows before the client gives up.
const CANCEL_AFTER: usize = 3;

/// The deadline of the feed that runs out of time: a few ticks of the
/// embedded server.
const DEADLINE: Duration = Duration::from_millis(900);

/// How long past its deadline the tour waits for a server to end the
/// call, before it ends the call itself (a server that ignores deadlines).
const DEADLINE_GRACE: Duration = Duration::from_secs(2);

/// Updates the slow reader reads.
const SLOW_READS: usize = 6;

/// Ticks the slow reader lets go by between two reads.
const SLOW_READ_TICKS: u64 = 4;

/// Pause between two reads when the tick is unknown (`--server`).
const SLOW_PAUSE_UNKNOWN_TICK: Duration = Duration::from_secs(2);

/// Ticks that go by while the resumed feed is cut.
const RESUME_AFTER_TICKS: u64 = 2;

/// Updates the resumed feed shows: the missed ticks and one more.
const RESUMED_UPDATES: u32 = 3;

/// Updates the feed shows before it is cut.
const BEFORE_CUT: u32 = 3;

fn feed(max_updates: u32, from_sequence: u64) -> StreamRatesRequest {
    StreamRatesRequest {
        pairs: vec![PAIR.to_owned()],
        max_updates,
        from_sequence,
    }
}

/// The tick's length, or a second when the server is not ours.
fn tick(stage: &Stage<'_>) -> Duration {
    Duration::from_millis(stage.tick_ms.unwrap_or(1_000))
}

/// Milliseconds with one decimal, in the user's language.
fn millis(stage: &Stage<'_>, elapsed: Duration) -> String {
    timeline::millis(stage.context.messages.lang(), elapsed)
}

/// The client cancels a feed; the server sees CANCELLED and stops.
pub async fn cancellation(stage: &Stage<'_>, timeline: &mut Timeline) -> Result<(), CliError> {
    let (connection, messages, width) = (stage.connection, timeline.messages, timeline.width);
    let mut updates = open_feed(connection, timeline, feed(0, 0)).await?;
    for _ in 0..CANCEL_AFTER {
        match updates
            .message()
            .await
            .map_err(|status| connection.failed(status))?
        {
            Some(update) => timeline.server_sent("RateUpdate", &update)?,
            None => break,
        }
    }
    // While the feed is open: its cancellation is not counted yet.
    let during = stage
        .server
        .map(|server| server.read(STREAM_RATES, Code::Cancelled));
    timeline.mark(&tr!(messages, "tour-cancel-mark"))?;
    // Dropping the call is the cancellation: h2 resets the stream.
    drop(updates);
    timeline.wire()?;
    output_blank()?;
    let text = server_view(
        stage,
        STREAM_RATES,
        Code::Cancelled,
        during,
        1,
        |before, after| {
            tr!(
                messages,
                "tour-cancel-server",
                before = before.ended,
                after = after.ended,
                open_during = before.feeds,
                open_after = after.feeds
            )
        },
    )
    .await;
    say(width, 2, &text)?;
    say(width, 0, &tr!(messages, "tour-cancel-lesson"))
}

/// A feed with a deadline: the deadline ends it on both sides.
pub async fn deadlines(stage: &Stage<'_>, timeline: &mut Timeline) -> Result<(), CliError> {
    let (connection, messages, width) = (stage.connection, timeline.messages, timeline.width);
    let before = stage
        .server
        .map(|server| server.read(STREAM_RATES, Code::DeadlineExceeded));
    let mut client = timeline.client(connection);
    let message = feed(0, 0);
    let mut request = connection.streaming(message.clone());
    // Sent as `grpc-timeout`; both sides count it from the call's start.
    request.set_timeout(DEADLINE);
    let started = Instant::now();
    timeline.client_sent("StreamRatesRequest", &message)?;
    let mut updates = client
        .stream_rates(request)
        .await
        .map_err(|status| connection.failed(status))?
        .into_inner();
    let mut received = 0_u64;
    let mut ended: Option<Status> = None;
    let guard = tokio::time::sleep(DEADLINE + DEADLINE_GRACE);
    tokio::pin!(guard);
    loop {
        tokio::select! {
            next = updates.message() => match next {
                Ok(Some(update)) => {
                    received += 1;
                    timeline.server_sent("RateUpdate", &update)?;
                }
                Ok(None) => break,
                Err(status) => {
                    ended = Some(status);
                    break;
                }
            },
            () = &mut guard => break,
        }
    }
    let elapsed = started.elapsed();
    drop(updates);
    timeline.wire()?;
    output_blank()?;
    match ended {
        Some(status) => say(
            width,
            2,
            &tr!(
                messages,
                "tour-deadline-client",
                code = bank_proto::code_name(status.code()),
                millis = millis(stage, elapsed),
                updates = received
            ),
        )?,
        None => say(width, 2, &tr!(messages, "tour-deadline-not-ended"))?,
    }
    let text = server_view(
        stage,
        STREAM_RATES,
        Code::DeadlineExceeded,
        before,
        0,
        |before, after| {
            tr!(
                messages,
                "tour-deadline-server",
                before = before.ended,
                after = after.ended
            )
        },
    )
    .await;
    say(width, 2, &text)?;
    say(width, 0, &tr!(messages, "tour-deadline-lesson"))
}

/// The same mistake as a status that ends a unary call, and as a reply
/// inside a session that goes on.
pub async fn errors(stage: &Stage<'_>, timeline: &mut Timeline) -> Result<(), CliError> {
    let (connection, messages, width) = (stage.connection, timeline.messages, timeline.width);
    // "1e5" is a number to many parsers (rust_decimal's `from_str` among
    // them), but not an amount: the service refuses it.
    let bad = request("1e5", "EUR", "USD", "bad-1");
    let mut client = timeline.client(connection);
    timeline.client_sent("ConvertRequest", &bad)?;
    let status = match client.convert(connection.unary(bad.clone())).await {
        Ok(response) => {
            timeline.server_sent("ConvertResponse", response.get_ref())?;
            Code::Ok
        }
        Err(status) => status.code(),
    };
    timeline.wire()?;
    output_blank()?;
    say(
        width,
        2,
        &tr!(
            messages,
            "tour-errors-status",
            code = bank_proto::code_name(status)
        ),
    )?;
    output_blank()?;

    let items = vec![
        request("20", "EUR", "USD", "till-1"),
        ConvertRequest {
            request_id: "till-2".to_owned(),
            ..bad
        },
        request("300", "TND", "EUR", "till-3"),
    ];
    let (sender, mut replies) = open_session(connection, timeline, 1).await?;
    let (mut answered, mut refused) = (0, 0);
    for item in items {
        timeline.client_sent("ConvertRequest", &item)?;
        if sender.send(item).await.is_err() {
            break;
        }
        match replies
            .message()
            .await
            .map_err(|status| connection.failed(status))?
        {
            Some(reply) => {
                match reply.outcome {
                    Some(Outcome::Error(_)) => refused += 1,
                    _ => answered += 1,
                }
                timeline.server_sent("SessionReply", &reply)?;
            }
            None => break,
        }
    }
    drop(sender);
    while replies
        .message()
        .await
        .map_err(|status| connection.failed(status))?
        .is_some()
    {}
    timeline.wire()?;
    output_blank()?;
    say(
        width,
        2,
        &tr!(
            messages,
            "tour-errors-in-band",
            answered = answered,
            refused = refused
        ),
    )?;
    say(width, 0, &tr!(messages, "tour-errors-lesson"))
}

/// A feed read slowly skips ticks: the server always sends the latest.
pub async fn slow_reader(stage: &Stage<'_>, timeline: &mut Timeline) -> Result<(), CliError> {
    let (messages, width) = (timeline.messages, timeline.width);
    let mut target = stage.context.target.at(stage.url.to_owned());
    target.stream_window = Some(SLOW_READER_WINDOW);
    let slow = Connection::open(&target).await?;
    let pause = match stage.tick_ms {
        Some(_) => tick(stage) * u32::try_from(SLOW_READ_TICKS).unwrap_or(1),
        None => SLOW_PAUSE_UNKNOWN_TICK,
    };
    let before = stage.server.map(|server| server.read(STREAM_RATES, Code::Ok));
    let mut updates = open_feed(&slow, timeline, feed(0, 0)).await?;
    let (mut previous, mut skipped, mut read) = (None::<u64>, 0, 0);
    for position in 0..SLOW_READS {
        if position > 0 {
            timeline.mark(&tr!(messages, "tour-slow-pause", millis = millis(stage, pause)))?;
            tokio::time::sleep(pause).await;
        }
        let Some(update) = updates.message().await.map_err(|status| slow.failed(status))? else {
            break;
        };
        read += 1;
        timeline.server_sent("RateUpdate", &update)?;
        if let Some(previous) = previous {
            let gap = update.sequence.saturating_sub(previous + 1);
            if gap > 0 {
                skipped += gap;
                timeline.mark(&tr!(
                    messages,
                    "tour-slow-gap",
                    from = previous + 1,
                    to = update.sequence - 1,
                    skipped = gap
                ))?;
            }
        }
        previous = Some(update.sequence);
    }
    drop(updates);
    timeline.wire()?;
    output_blank()?;
    say(
        width,
        2,
        &tr!(
            messages,
            "tour-slow-summary",
            read = read,
            skipped = skipped,
            window = SLOW_READER_WINDOW
        ),
    )?;
    match (stage.server, before) {
        (Some(server), Some(before)) => {
            let after = server.read(STREAM_RATES, Code::Ok);
            say(
                width,
                2,
                &tr!(
                    messages,
                    "tour-slow-server",
                    skipped = after.skipped.saturating_sub(before.skipped)
                ),
            )?;
        }
        _ => say(width, 2, &tr!(messages, "tour-server-view-unknown"))?,
    }
    say(width, 0, &tr!(messages, "tour-slow-lesson"))
}

/// A feed cut, then resumed after its last tick: no tick is lost. gRPC
/// does not resume a broken stream; the protocol has to, and this one can
/// because every tick is a pure function of the seed and its number.
pub async fn resume(stage: &Stage<'_>, timeline: &mut Timeline) -> Result<(), CliError> {
    let (messages, width) = (timeline.messages, timeline.width);
    let last = follow(stage, timeline, feed(BEFORE_CUT, 0)).await?;
    output_blank()?;
    say(width, 0, &tr!(messages, "tour-resume-cut", last = last))?;
    tokio::time::sleep(tick(stage) * u32::try_from(RESUME_AFTER_TICKS).unwrap_or(1)).await;
    output_blank()?;
    let resumed_last = follow(stage, timeline, feed(RESUMED_UPDATES, last + 1)).await?;
    output_blank()?;
    say(
        width,
        2,
        &tr!(
            messages,
            "tour-resume-none-lost",
            from = last + 1,
            to = resumed_last
        ),
    )
}

/// What the server's counters say once it has counted the call to `path`
/// that ended with `code` and closed `closed` of the feeds open at
/// `before`, as `text(before, after)`; or that they are unknown.
async fn server_view(
    stage: &Stage<'_>,
    path: &str,
    code: Code,
    before: Option<Reading>,
    closed: usize,
    text: impl FnOnce(Reading, Reading) -> String,
) -> String {
    match (stage.server, before) {
        (Some(server), Some(before)) => {
            let after = server
                .settled(path, code, before, before.feeds.saturating_sub(closed))
                .await;
            text(before, after)
        }
        _ => tr!(stage.context.messages, "tour-server-view-unknown"),
    }
}

fn output_blank() -> Result<(), CliError> {
    crate::output::line("")
}
