//! The four models' live calls, and the measurement that answers "why not
//! call Convert four times?".
//!
//! Each function makes one real call through the timeline's client, so the
//! wire tap draws its opening metadata, half-close and trailers around the
//! messages drawn here. The session keeps [`IN_FLIGHT`] requests unanswered
//! and sends the next as each reply arrives, so its timeline comes out in
//! the same order on every run.

use std::time::{Duration, Instant};

use bank_i18n::tr;
use bank_proto::v1::{ConvertRequest, RateUpdate, SessionReply, StreamRatesRequest};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::Stage;
use super::timeline::{self, Timeline, say};
use super::wire::{self, WireLog};
use crate::connect::Connection;
use crate::error::CliError;
use crate::{format, output};

/// Pause between the requests of the batch, so that the stream of
/// requests is visible in the timeline.
const STEP: Duration = Duration::from_millis(150);

/// Requests the session keeps unanswered: two, so the timeline shows a
/// request going out before the previous one is answered.
const IN_FLIGHT: usize = 2;

/// Conversions of the measurement: enough that a call's fixed costs add up
/// to a clear figure, few enough to take well under a second.
const MEASURED: usize = 200;

/// Requests the measured session keeps unanswered: the client does not wait
/// for a reply before sending, as a till would not.
const MEASURED_IN_FLIGHT: usize = 64;

pub fn request(amount: &str, from: &str, to: &str, id: &str) -> ConvertRequest {
    ConvertRequest {
        amount: amount.to_owned(),
        from_currency: from.to_owned(),
        to_currency: to.to_owned(),
        request_id: id.to_owned(),
        at: None,
    }
}

/// One request, one response.
pub async fn unary(stage: &Stage<'_>, timeline: &mut Timeline) -> Result<(), CliError> {
    let connection = stage.connection;
    let message = request("100", "USD", "EUR", "tour-1");
    let mut client = timeline.client(connection);
    timeline.client_sent("ConvertRequest", &message)?;
    let response = client
        .convert(connection.unary(message))
        .await
        .map_err(|status| connection.failed(status))?
        .into_inner();
    timeline.server_sent("ConvertResponse", &response)?;
    timeline.wire()
}

/// One request, then a stream of updates.
pub async fn server_streaming(stage: &Stage<'_>, timeline: &mut Timeline) -> Result<(), CliError> {
    let message = StreamRatesRequest {
        pairs: vec!["EUR/USD".to_owned(), "EUR/XOF".to_owned()],
        max_updates: 4,
        from_sequence: 0,
    };
    follow(stage, timeline, message).await.map(|_| ())
}

/// Opens a feed and shows its updates until it ends; the last sequence.
pub async fn follow(
    stage: &Stage<'_>,
    timeline: &mut Timeline,
    message: StreamRatesRequest,
) -> Result<u64, CliError> {
    let connection = stage.connection;
    let mut updates = open_feed(connection, timeline, message).await?;
    let mut last = 0;
    while let Some(update) = updates
        .message()
        .await
        .map_err(|status| connection.failed(status))?
    {
        last = update.sequence;
        timeline.server_sent("RateUpdate", &update)?;
    }
    timeline.wire()?;
    Ok(last)
}

/// Opens a feed on `connection`, drawn on `timeline`, without a deadline.
pub async fn open_feed(
    connection: &Connection,
    timeline: &mut Timeline,
    message: StreamRatesRequest,
) -> Result<tonic::Streaming<RateUpdate>, CliError> {
    let mut client = timeline.client(connection);
    timeline.client_sent("StreamRatesRequest", &message)?;
    Ok(client
        .stream_rates(connection.streaming(message))
        .await
        .map_err(|status| connection.failed(status))?
        .into_inner())
}

/// A stream of requests, then one summary.
pub async fn client_streaming(stage: &Stage<'_>, timeline: &mut Timeline) -> Result<(), CliError> {
    let connection = stage.connection;
    let items = [
        request("100", "EUR", "XOF", "invoice-1"),
        request("2500", "MAD", "EUR", "invoice-2"),
        request("0", "USD", "EUR", "invoice-3"),
        request("12000", "JPY", "EUR", "invoice-4"),
        request("75.50", "CHF", "EUR", "invoice-5"),
    ];
    let (sender, stream) = mpsc::channel(items.len());
    let mut client = timeline.client(connection);
    let call = tokio::spawn({
        let request = connection.streaming(ReceiverStream::new(stream));
        async move { client.convert_batch(request).await }
    });
    for (position, item) in items.into_iter().enumerate() {
        // Between sends, not before the first: the first request goes out
        // as soon as the call starts.
        if position > 0 {
            tokio::time::sleep(STEP).await;
        }
        timeline.client_sent("ConvertRequest", &item)?;
        if sender.send(item).await.is_err() {
            break;
        }
    }
    // Closing our side is what tells the server the batch is complete: the
    // half-close the timeline draws next.
    drop(sender);
    let summary = match call.await {
        Ok(Ok(response)) => response.into_inner(),
        Ok(Err(status)) => return Err(connection.failed(status)),
        Err(_) => return Err(CliError::Interrupted),
    };
    timeline.server_sent("BatchSummary", &summary)?;
    timeline.wire()
}

/// Requests and replies interleaved on one call. The client keeps
/// [`IN_FLIGHT`] requests unanswered: it opens with that many, then sends the
/// next one as each reply arrives. Every send follows a reply, so the
/// timeline comes out in the same order on every run, and the server never
/// has more than two requests waiting.
pub async fn bidi(stage: &Stage<'_>, timeline: &mut Timeline) -> Result<(), CliError> {
    let connection = stage.connection;
    let mut pending = vec![
        request("20", "EUR", "USD", "till-1"),
        request("5000", "XOF", "EUR", "till-2"),
        request("12,5", "CAD", "EUR", "till-3"),
        request("300", "TND", "EUR", "till-4"),
    ]
    .into_iter();
    let (sender, mut replies) = open_session(connection, timeline, IN_FLIGHT).await?;
    let mut sender = Some(sender);
    for _ in 0..IN_FLIGHT {
        send_next(&mut pending, &mut sender, timeline).await?;
    }
    while let Some(reply) = replies
        .message()
        .await
        .map_err(|status| connection.failed(status))?
    {
        timeline.server_sent("SessionReply", &reply)?;
        send_next(&mut pending, &mut sender, timeline).await?;
    }
    timeline.wire()
}

/// Opens a session on `connection`, drawn on `timeline`: the sender of its
/// requests (holding at most `in_flight` not yet sent) and its replies.
pub async fn open_session(
    connection: &Connection,
    timeline: &mut Timeline,
    in_flight: usize,
) -> Result<(mpsc::Sender<ConvertRequest>, tonic::Streaming<SessionReply>), CliError> {
    let (sender, stream) = mpsc::channel(in_flight);
    let mut client = timeline.client(connection);
    let replies = client
        .convert_session(connection.streaming(ReceiverStream::new(stream)))
        .await
        .map_err(|status| connection.failed(status))?
        .into_inner();
    Ok((sender, replies))
}

/// Sends the next request of the session, or, once all are sent, closes our
/// side: the server then ends the session after its last reply.
pub async fn send_next(
    pending: &mut impl Iterator<Item = ConvertRequest>,
    sender: &mut Option<mpsc::Sender<ConvertRequest>>,
    timeline: &mut Timeline,
) -> Result<(), CliError> {
    let Some(to_server) = sender.as_ref() else {
        return Ok(());
    };
    match pending.next() {
        Some(item) => {
            timeline.client_sent("ConvertRequest", &item)?;
            if to_server.send(item).await.is_err() {
                // The session is over; its end status comes with the replies.
                *sender = None;
            }
        }
        None => *sender = None,
    }
    Ok(())
}

/// What one way of making the measured conversions cost.
struct Cost {
    elapsed: Duration,
    calls: u64,
    header_blocks: u64,
}

impl Cost {
    fn of(log: &WireLog, started: Instant) -> Self {
        use std::sync::atomic::Ordering::Relaxed;
        Self {
            elapsed: started.elapsed(),
            calls: log.calls.load(Relaxed),
            header_blocks: log.header_blocks.load(Relaxed),
        }
    }
}

/// "Why not call Convert four times?", answered with a measurement made on
/// the spot: [`MEASURED`] conversions as that many unary calls, one after
/// the other as a client waiting for each answer makes them, then the same
/// conversions in one session, sent without waiting. The same messages go
/// each way; the wire tap counts the HTTP/2 streams and header blocks each
/// way costs.
pub async fn why_not_unary(stage: &Stage<'_>, width: usize) -> Result<(), CliError> {
    let connection = stage.connection;
    let messages = stage.context.messages;
    let conversions =
        || (0..MEASURED).map(|item| request("20", "EUR", "USD", &format!("measure-{}", item + 1)));

    let log = WireLog::counted();
    let mut client = wire::client(connection.channel(), &log);
    let started = Instant::now();
    for message in conversions() {
        client
            .convert(connection.unary(message))
            .await
            .map_err(|status| connection.failed(status))?;
    }
    let unary = Cost::of(&log, started);

    let log = WireLog::counted();
    let mut client = wire::client(connection.channel(), &log);
    let started = Instant::now();
    let (sender, stream) = mpsc::channel(MEASURED_IN_FLIGHT);
    let mut replies = client
        .convert_session(connection.streaming(ReceiverStream::new(stream)))
        .await
        .map_err(|status| connection.failed(status))?
        .into_inner();
    let feeder = tokio::spawn(async move {
        for message in conversions() {
            if sender.send(message).await.is_err() {
                break;
            }
        }
    });
    let mut answered = 0;
    while answered < MEASURED
        && replies
            .message()
            .await
            .map_err(|status| connection.failed(status))?
            .is_some()
    {
        answered += 1;
    }
    let _ = feeder.await;
    // The session ends once every reply is in: drain its trailers too.
    while replies
        .message()
        .await
        .map_err(|status| connection.failed(status))?
        .is_some()
    {}
    let session = Cost::of(&log, started);

    let lang = messages.lang();
    let millis = |cost: &Cost| timeline::millis(lang, cost.elapsed);
    // Tenths of the ratio, in integers: 5.2 times, not a float.
    let tenths = (unary.elapsed.as_micros() * 10)
        .checked_div(session.elapsed.as_micros().max(1))
        .unwrap_or(0);
    let ratio = format::decimal(lang, &format!("{}.{}", tenths / 10, tenths % 10));
    output::line("")?;
    say(width, 0, &tr!(messages, "tour-measure-title", count = MEASURED))?;
    for (unary_calls, cost) in [(true, &unary), (false, &session)] {
        let (calls, headers, took) = (cost.calls, cost.header_blocks, millis(cost));
        let count = MEASURED;
        let text = if unary_calls {
            tr!(
                messages,
                "tour-measure-unary",
                count = count,
                calls = calls,
                headers = headers,
                millis = took
            )
        } else {
            tr!(
                messages,
                "tour-measure-session",
                count = count,
                calls = calls,
                headers = headers,
                millis = took
            )
        };
        say(width, 2, &text)?;
    }
    say(
        width,
        2,
        &tr!(messages, "tour-measure-messages", messages = MEASURED * 2),
    )?;
    say(width, 2, &tr!(messages, "tour-measure-ratio", ratio = ratio))?;
    say(width, 0, &tr!(messages, "tour-measure-lesson"))?;
    Ok(())
}
