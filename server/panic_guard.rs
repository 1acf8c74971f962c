//! Panic containment: a panic while serving one call ends that call with
//! INTERNAL, and nothing else.
//!
//! Without this layer a panic unwinds out of the task hyper runs for the
//! HTTP/2 stream: Tokio catches it and drops the task, the stream is reset,
//! and the client sees a transport error with no gRPC status, or worse, for
//! a server stream whose producer panicked between two messages, a body
//! that simply stops, which a client may take for a clean, complete end.
//! [`PanicGuardLayer`] wraps the whole router and catches panics in the two
//! places a call's code runs: the response future (the handler, until it
//! returns its response or its stream) and the response body's
//! `poll_frame` (a stream's producer, for as long as the stream lives). A
//! panic in the future becomes a trailers-only response with
//! `grpc-status: 13`; a panic in the body becomes a trailers frame with
//! `grpc-status: 13` after whatever messages were already sent, and the
//! body ends there (the panicked producer is dropped, never polled again).
//! Either way the panic is logged at error level with the method, the
//! connection and its other calls go on, and the process keeps serving.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderMap, Request, Response};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::status::internal_failure;

/// Catches panics in every call (see the module documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct PanicGuardLayer;

impl<S> Layer<S> for PanicGuardLayer {
    type Service = PanicGuard<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PanicGuard { inner }
    }
}

#[derive(Debug, Clone)]
pub struct PanicGuard<S> {
    inner: S,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for PanicGuard<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<GuardedBody<ResBody>>;
    type Error = S::Error;
    type Future = GuardedFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // Shared with the body, which outlives the future; one allocation
        // per call, only to name the method if something goes wrong.
        let method: Arc<str> = Arc::from(request.uri().path());
        match catch_unwind(AssertUnwindSafe(|| self.inner.call(request))) {
            Ok(inner) => GuardedFuture {
                inner: Some(inner),
                method,
            },
            Err(payload) => {
                log_panic(&method, payload.as_ref());
                GuardedFuture { inner: None, method }
            }
        }
    }
}

pin_project! {
    /// The handler's future; `None` when the call itself already panicked.
    pub struct GuardedFuture<F> {
        #[pin]
        inner: Option<F>,
        method: Arc<str>,
    }
}

impl<F, ResBody, E> Future for GuardedFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = Result<Response<GuardedBody<ResBody>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let Some(inner) = this.inner.as_mut().as_pin_mut() else {
            return Poll::Ready(Ok(failed_response()));
        };
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(result)) => {
                let method = Arc::clone(this.method);
                Poll::Ready(result.map(|response| {
                    response.map(|body| GuardedBody {
                        inner: Some(body),
                        failed: None,
                        method,
                    })
                }))
            }
            Err(payload) => {
                log_panic(this.method, payload.as_ref());
                // Drop the panicked future now: whatever it holds (stream
                // slots, subscriptions) is released at once.
                this.inner.set(None);
                Poll::Ready(Ok(failed_response()))
            }
        }
    }
}

/// A trailers-only response saying INTERNAL.
fn failed_response<B>() -> Response<GuardedBody<B>> {
    internal_failure().into_http::<()>().map(|()| GuardedBody {
        inner: None,
        failed: None,
        method: Arc::from(""),
    })
}

pin_project! {
    /// The response body: the inner one until it panics, then one trailers
    /// frame saying INTERNAL, then the end.
    pub struct GuardedBody<B> {
        #[pin]
        inner: Option<B>,
        // The trailers still to send after a panic.
        failed: Option<HeaderMap>,
        method: Arc<str>,
    }
}

impl<B: Body> Body for GuardedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let mut this = self.project();
        if let Some(trailers) = this.failed.take() {
            return Poll::Ready(Some(Ok(Frame::trailers(trailers))));
        }
        let Some(inner) = this.inner.as_mut().as_pin_mut() else {
            return Poll::Ready(None);
        };
        match catch_unwind(AssertUnwindSafe(|| inner.poll_frame(cx))) {
            Ok(frame) => frame,
            Err(payload) => {
                log_panic(this.method, payload.as_ref());
                this.inner.set(None);
                let mut trailers = HeaderMap::new();
                // The status is a fixed code and ASCII text: writing it into
                // headers cannot fail, and if it did the stream would still
                // end with a reset rather than a clean end.
                let _ = internal_failure().add_header(&mut trailers);
                Poll::Ready(Some(Ok(Frame::trailers(trailers))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.failed.is_none() && self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.inner, &self.failed) {
            (Some(inner), None) => inner.size_hint(),
            // Unknown after a panic: a trailers frame carries no data.
            _ => SizeHint::default(),
        }
    }
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
