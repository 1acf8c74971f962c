//! Panic containment: a panic while serving one call ends that call with
//! INTERNAL, and nothing else.
//!
//! Without this layer a panic unwinds out of the task hyper runs for the
//! HTTP/2 stream: Tokio catches it and drops the task, the stream is reset,
//! and the client sees a transport error with no gRPC status, or worse, for
//! a server stream whose producer panicked between two messages, a body
//! that simply stops, which a client may take for a clean, complete end.
//! The router (`crate::calls`) runs the two places a call's code runs
//! under [`catch`]: the response future (the handler, until it returns its
//! response or its stream) and the response body's `poll_frame` (a
//! stream's producer, for as long as the stream lives). A
//! panic in the future becomes a trailers-only response with
//! `grpc-status: 13`; a panic in the body becomes a trailers frame with
//! `grpc-status: 13` after whatever messages were already sent, and the
//! body ends there (the panicked producer is dropped, never polled again).
//! Either way the panic is logged at error level with the method, the
//! connection and its other calls go on, and the process keeps serving.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use http::HeaderMap;
use tonic::Status;

use crate::status::internal_failure;

/// Runs `f`, one step of the call to `method`; `None` if it panicked (the
/// panic is logged).
pub(crate) fn catch<T>(method: &str, f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => Some(value),
        Err(payload) => {
            log_panic(method, payload.as_ref());
            None
        }
    }
}

/// The status of a call that panicked.
pub(crate) fn failure() -> Status {
    internal_failure()
}

/// The trailers that end a stream whose producer panicked.
pub(crate) fn failure_trailers() -> HeaderMap {
    let mut trailers = HeaderMap::new();
    // The status is a fixed code and ASCII text: writing it into headers
    // cannot fail, and if it did the stream would still end with a reset
    // rather than a clean end.
    let _ = failure().add_header(&mut trailers);
    trailers
}

/// Logs a caught panic with the method it happened in.
fn log_panic(method: &str, payload: &(dyn Any + Send)) {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    tracing::error!(method, panic = message, "a call panicked; it ends with INTERNAL");
}
