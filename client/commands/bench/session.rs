//! `bank bench session`: one pipelined `ConvertSession`.
//!
//! Up to `--window` requests are in flight at once: a permit is taken for
//! each request sent and given back when its reply arrives. Replies come in
//! order, so each one's latency is measured against the oldest send time.
//! One reply in 16 is verified against `amount × rate` (checking all would
//! make this client, not the server, the bottleneck being measured).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bank_i18n::tr;
use bank_proto::code_name;
use bank_proto::v1::SessionReply;
use bank_proto::v1::session_reply::Outcome;
use http::uri::PathAndQuery;
use tokio::sync::{Semaphore, mpsc};
use tokio::time::Instant;
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::codec::Streaming;
use tonic::transport::Channel;
use tonic::{Request, Response, Status};

use super::generated::ItemCodec;
use super::report::{Report, latency_histogram, micros};
use super::unary::{minor_units, verify};
use super::{Bench, SessionArgs};
use crate::error::CliError;

/// Verify one reply in this many.
const VERIFY_EVERY: u64 = 16;

pub async fn run(bench: &Bench, args: SessionArgs) -> Result<Report, CliError> {
    let messages = bench.messages;
    let channel = bench.connect().await?;
    let units: HashMap<String, u32> = minor_units(&channel, &bench.url).await?;
    let window = args.window.max(1);
    let permits = Arc::new(Semaphore::new(window));
    let sent_at: Arc<Mutex<VecDeque<Instant>>> = Arc::new(Mutex::new(VecDeque::with_capacity(window)));
    let (requests, outgoing) = mpsc::channel(window);

    let received = Arc::new(AtomicU64::new(0));
    let progress = super::progress(
        messages,
        "bench-progress-replies",
        Arc::clone(&received),
        std::time::Duration::ZERO,
    );
    let started = Instant::now();
    let mut replies = match convert_session(channel, ReceiverStream::new(outgoing)).await {
        Ok(replies) => replies,
        Err(status) => {
            super::end_progress(progress);
            let mut report = Report::new("session");
            report.error(code_name(status.code()), 1);
            return Ok(report);
        }
    };

    let sender = {
        let permits = Arc::clone(&permits);
        let sent_at = Arc::clone(&sent_at);
        let items = args.items;
        tokio::spawn(async move {
            for n in 0..items {
                let Ok(permit) = permits.acquire().await else {
                    return;
                };
                permit.forget();
                sent_at
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push_back(Instant::now());
                if requests.send(n).await.is_err() {
                    return;
                }
            }
        })
    };

    let mut report = Report::new("session");
    let mut latency = latency_histogram();
    let (mut conversions, mut wrong, mut refused) = (0u64, 0u64, 0u64);
    let mut index = 0u64;
    while index < args.items {
        let reply = match replies.message().await {
            Ok(Some(reply)) => reply,
            Ok(None) => break,
            Err(status) => {
                report.error(code_name(status.code()), 1);
                break;
            }
        };
        if let Some(sent) = sent_at.lock().unwrap_or_else(PoisonError::into_inner).pop_front() {
            let _ = latency.record(micros(sent.elapsed()));
        }
        permits.add_permits(1);
        match reply.outcome {
            Some(Outcome::Conversion(conversion)) => {
                conversions += 1;
                if index.is_multiple_of(VERIFY_EVERY) && verify(&conversion, &units).is_err() {
                    wrong += 1;
                }
            }
            _ => refused += 1,
        }
        index += 1;
        received.fetch_add(1, Ordering::Relaxed);
    }
    let elapsed = started.elapsed();
    sender.abort();
    super::end_progress(progress);

    report.count(
        messages,
        "conversions",
        tr!(messages, "bench-conversions"),
        conversions,
    );
    report.count(messages, "window", tr!(messages, "bench-window"), window as u64);
    report.duration(messages, elapsed);
    report.per_second(
        messages,
        "conversions_per_second",
        tr!(messages, "bench-conversions-rate"),
        conversions,
        elapsed,
    );
    report.latency(tr!(messages, "bench-latency"), latency);
    report.error("WRONG_RESULT", wrong);
    report.error("REFUSED_ITEM", refused);
    Ok(report)
}

/// `ConvertSession`, as the generated client opens it, with each request
/// written from its item number ([`ItemCodec`]).
async fn convert_session(
    channel: Channel,
    items: impl Stream<Item = u64> + Send + 'static,
) -> Result<Streaming<SessionReply>, Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|error| Status::unavailable(error.to_string()))?;
    let path = PathAndQuery::from_static("/bank.v1.BankService/ConvertSession");
    grpc.streaming(Request::new(items), path, ItemCodec::<SessionReply>::default())
        .await
        .map(Response::into_inner)
}
