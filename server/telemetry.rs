//! Logs: one line per RPC that needs attention, with its method, status
//! code and latency; every RPC counted in the metrics.
//!
//! Every call (health and reflection included) has a [`CallLog`], which
//! the router (`crate::calls`) keeps beside the call. A gRPC call's
//! outcome is known only at its very end: in the response headers for a
//! call that fails at once ("trailers-only"), otherwise in the trailers
//! after the last message, which for a stream can be hours later. So the
//! call's response body finishes the record when it sees the trailers,
//! or, if the body is dropped first, the record logs the call with the
//! status the transport ended it with ([`EndedByTransport`]: a reader that
//! stalled, a connection past its age), or as CANCELLED when the client
//! went away.
//!
//! The same place feeds the request counters and latency histograms of
//! [`Metrics`]: the code and latency are known there and nowhere earlier.
//!
//! A call that fails is logged at `info` (`warn` for the server's own
//! failures); a call that succeeds at `debug` (`RUST_LOG=debug`, or
//! `RUST_LOG=bank_server::telemetry=debug` for these lines alone). An
//! access line for every successful call costs a quarter of a `Convert`
//! (BENCHMARKS.md, "Where a cheap call starts"), and the metrics already
//! count every call. The `rpc` span that carries the line's fields is
//! made when the call ends, and only if its line is to be written: a call
//! whose line is filtered out costs no span, no formatting and no lock.
//!
//! Logs are human-readable text by default, or one JSON object per line
//! (`--log-format json`) for log pipelines; in JSON the `rpc` span's fields
//! (`method`, `code`, `latency_us`) appear under `span`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Instant;

use http::{HeaderMap, Request};
use tonic::Code;

use crate::metrics::{MethodSlot, Metrics};
use bank_proto::code_name;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable text (coloured on a terminal).
    #[default]
    Text,
    /// One JSON object per line, for log pipelines.
    Json,
}

/// Installs the global subscriber: `RUST_LOG` filters (default `info`),
/// on standard error, in the given format.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder
            .json()
            // The event's own fields (`message`, ...) at the top level, the
            // current span's (the `rpc` fields) under `span`, and not the
            // whole span list, which would repeat them.
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}

/// The status the transport ended a call with, when it ended the call
/// itself rather than the handler (see `transport::stream`): the transport
/// puts one in every request's extensions and sets it before it drops the
/// response body, so the log line and the metrics give the real code.
#[derive(Debug)]
pub struct EndedByTransport {
    /// The code's wire value, or [`Self::NOT_SET`].
    code: AtomicU8,
}

impl Default for EndedByTransport {
    fn default() -> Self {
        Self {
            code: AtomicU8::new(Self::NOT_SET),
        }
    }
}

impl EndedByTransport {
    const NOT_SET: u8 = u8::MAX;

    pub fn set(&self, code: Code) {
        // `Code` is a C-like enum of the wire values 0..=16.
        let value = u8::try_from(code as i32).unwrap_or(Self::NOT_SET);
        self.code.store(value, Ordering::Release);
    }

    pub fn get(&self) -> Option<Code> {
        match self.code.load(Ordering::Acquire) {
            Self::NOT_SET => None,
            value => Some(Code::from_i32(i32::from(value))),
        }
    }
}

/// The record of one call, logged exactly once: with the status code when
/// it is known, or as CANCELLED when dropped before that.
pub(crate) struct CallLog {
    /// The request's URI, whose path the log line names.
    uri: http::Uri,
    started: Instant,
    finished: bool,
    method: MethodSlot,
    metrics: Arc<Metrics>,
    /// Set by the transport when it, not the handler, ended the call.
    ended: Option<Arc<EndedByTransport>>,
}

impl CallLog {
    /// The record of a call that starts now.
    pub(crate) fn start<B>(request: &Request<B>, metrics: Arc<Metrics>) -> Self {
        Self {
            // The URI shares its bytes: keeping it for the log line copies
            // no text.
            uri: request.uri().clone(),
            started: Instant::now(),
            finished: false,
            method: MethodSlot::of(request.uri().path()),
            metrics,
            ended: request.extensions().get::<Arc<EndedByTransport>>().cloned(),
        }
    }

    /// The call's path, `/package.Service/Method`.
    pub(crate) fn method(&self) -> &str {
        self.uri.path()
    }

    /// Logs and counts the call with `code`, the first time only.
    pub(crate) fn finish(&mut self, code: Code) {
        if std::mem::replace(&mut self.finished, true) {
            return;
        }
        let latency_us = u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.metrics.record_rpc(self.method, code, latency_us);
        let (method, name) = (self.uri.path(), code_name(code));
        // Each level's macros check first whether a line would be written:
        // the span and the event cost nothing when it would not.
        match code {
            // The server's own failures deserve attention.
            Code::Internal | Code::Unknown | Code::DataLoss => {
                let span = tracing::warn_span!("rpc", method, code = name, latency_us);
                span.in_scope(|| tracing::warn!("rpc finished"));
            }
            Code::Ok => {
                let span = tracing::debug_span!("rpc", method, code = name, latency_us);
                span.in_scope(|| tracing::debug!("rpc finished"));
            }
            _ => {
                let span = tracing::info_span!("rpc", method, code = name, latency_us);
                span.in_scope(|| tracing::info!("rpc finished"));
            }
        }
    }
}

impl Drop for CallLog {
    fn drop(&mut self) {
        let code = self
            .ended
            .as_ref()
            .and_then(|ended| ended.get())
            .unwrap_or(Code::Cancelled);
        self.finish(code);
    }
}

/// The `grpc-status` of a header or trailer block, if present.
pub(crate) fn grpc_status(headers: &HeaderMap) -> Option<Code> {
    headers
        .get("grpc-status")
        .map(|value| Code::from_bytes(value.as_bytes()))
}
