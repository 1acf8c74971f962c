//! Every call's way in, in one pass: which service answers it, whether it
//! may call (the API token), how long it may run (the client's deadline),
//! and what becomes of it (a panic contained, its log line, its metrics).
//!
//! The usual tower shape is a layer per concern, each wrapping the
//! handler's future and the response body once more, behind tonic's router,
//! which boxes the body twice more (it is built on axum). A feed's every
//! update then went through seven `poll_frame`s before reaching HTTP/2, and
//! a unary call paid for each layer's future and allocations
//! (BENCHMARKS.md, "Performance, second round"). Here one future,
//! [`CallFuture`], and one body, [`CallBody`], do it all: the body that
//! tonic's generated service returns (its encoder, boxed once) is wrapped
//! once.
//!
//! Lifecycle of a call:
//! 1. [`Router::call`] picks the service from the path's service name (an
//!    unknown one is UNIMPLEMENTED), checks the token for `BankService`
//!    (a refusal is UNAUTHENTICATED and the handler never runs), reads the
//!    client's deadline (put in the request for the feed and session
//!    streams, see `service::call`), and starts the handler.
//! 2. [`CallFuture`] polls the handler until it answers, or until the
//!    deadline passes (DEADLINE_EXCEEDED, the handler dropped with all its
//!    work).
//! 3. [`CallBody`] carries the response, message by message, to the
//!    transport.
//!
//! With `--classroom`, the router also serves `ClassroomService` (behind
//! the same token) and shows every `BankService` call to its watchers: a
//! [`CallWatch`] rides with the call's future and body, seeing each
//! response message and the status (see `classroom`).
//!
//! Throughout, a panic in the handler or in a stream's producer ends that
//! call with INTERNAL and nothing else (`panic_guard`), and the call is
//! logged and counted once, when its status is known: in the headers of an
//! answer that is only a status, in the trailers otherwise, or when the
//! transport drops the body first (`telemetry::CallLog`).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderMap, Request, Response};
use http_body::{Body, Frame, SizeHint};
use tokio::time::Sleep;
use tonic::Status;
use tonic::codegen::BoxFuture;
use tonic::server::NamedService;
use tower::Service;

use crate::auth::RequireToken;
use crate::classroom::{self, CallWatch, ClassroomRoute};
use crate::deadline::{RequestDeadline, deadline_of};
use crate::metrics::Metrics;
use crate::panic_guard;
use crate::status::deadline_exceeded;
use crate::telemetry::{CallLog, grpc_status};
use crate::transport::RequestBody;

/// What every generated service is, as the router needs it.
pub trait GrpcService:
    Service<
        Request<RequestBody>,
        Response = Response<tonic::body::Body>,
        Error = Infallible,
        Future = BoxFuture<Response<tonic::body::Body>, Infallible>,
    > + NamedService
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<T> GrpcService for T where
    T: Service<
            Request<RequestBody>,
            Response = Response<tonic::body::Body>,
            Error = Infallible,
            Future = BoxFuture<Response<tonic::body::Body>, Infallible>,
        > + NamedService
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// The server's services, by name.
struct Services<Bank, Health, ReflectionV1, ReflectionV1Alpha> {
    bank: Bank,
    health: Health,
    reflection_v1: ReflectionV1,
    reflection_v1alpha: ReflectionV1Alpha,
    /// Checked for `BankService` only: health and reflection stay open.
    tokens: RequireToken,
    /// Where every call is counted.
    metrics: Arc<Metrics>,
    /// With `--classroom`: the watchers, and the service they call.
    classroom: Option<ClassroomRoute>,
}

/// Routes calls to the server's services (see the module documentation).
/// The transport clones it for every call: one reference count.
pub struct Router<Bank, Health, ReflectionV1, ReflectionV1Alpha> {
    services: Arc<Services<Bank, Health, ReflectionV1, ReflectionV1Alpha>>,
}

impl<Bank, Health, ReflectionV1, ReflectionV1Alpha> Clone
    for Router<Bank, Health, ReflectionV1, ReflectionV1Alpha>
{
    fn clone(&self) -> Self {
        Self {
            services: Arc::clone(&self.services),
        }
    }
}

impl<Bank, Health, ReflectionV1, ReflectionV1Alpha> Router<Bank, Health, ReflectionV1, ReflectionV1Alpha>
where
    Bank: GrpcService,
    Health: GrpcService,
    ReflectionV1: GrpcService,
    ReflectionV1Alpha: GrpcService,
{
    pub fn new(
        bank: Bank,
        health: Health,
        reflection: (ReflectionV1, ReflectionV1Alpha),
        tokens: RequireToken,
        metrics: Arc<Metrics>,
        classroom: Option<ClassroomRoute>,
    ) -> Self {
        Self {
            services: Arc::new(Services {
                bank,
                health,
                reflection_v1: reflection.0,
                reflection_v1alpha: reflection.1,
                tokens,
                metrics,
                classroom,
            }),
        }
    }

    /// Starts the handler of `request`, or answers it at once.
    fn start(&self, request: &mut Request<RequestBody>) -> Result<Route, Status> {
        let services = &*self.services;
        // "/package.Service/Method": the service's name, between the slashes.
        let name = request
            .uri()
            .path()
            .strip_prefix('/')
            .and_then(|path| path.split_once('/'))
            .map_or("", |(service, _)| service);
        if name == Bank::NAME {
            services.tokens.check(request.headers_mut())?;
            Ok(Route::Bank)
        } else if name == Health::NAME {
            Ok(Route::Health)
        } else if name == ReflectionV1::NAME {
            Ok(Route::ReflectionV1)
        } else if name == ReflectionV1Alpha::NAME {
            Ok(Route::ReflectionV1Alpha)
        } else if name == classroom::SERVICE_NAME && services.classroom.is_some() {
            services.tokens.check(request.headers_mut())?;
            Ok(Route::Classroom)
        } else {
            // As tonic's router answers a service it does not know.
            Err(Status::unimplemented(""))
        }
    }
}

/// The service a call goes to.
enum Route {
    Bank,
    Health,
    ReflectionV1,
    ReflectionV1Alpha,
    Classroom,
}

impl<Bank, Health, ReflectionV1, ReflectionV1Alpha> Service<Request<RequestBody>>
    for Router<Bank, Health, ReflectionV1, ReflectionV1Alpha>
where
    Bank: GrpcService,
    Health: GrpcService,
    ReflectionV1: GrpcService,
    ReflectionV1Alpha: GrpcService,
{
    type Response = Response<CallBody>;
    type Error = Infallible;
    type Future = CallFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Every generated service is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request<RequestBody>) -> CallFuture {
        let log = CallLog::start(&request, Arc::clone(&self.services.metrics));
        let deadline = deadline_of(request.headers());
        if let Some(deadline) = deadline {
            request.extensions_mut().insert(RequestDeadline(deadline));
        }
        let services = &*self.services;
        // Read before the token check, which takes the token out.
        let opening = services
            .classroom
            .as_ref()
            .and_then(|classroom| classroom.classroom.opening(request.headers()));
        let route = self.start(&mut request);
        let watch = match (&route, &services.classroom, opening) {
            (Ok(Route::Bank), Some(classroom), Some(opening)) => {
                Some(classroom.classroom.watch(&mut request, opening))
            }
            _ => None,
        };
        let handler = route.map(|route| {
            panic_guard::catch(log.method(), || match route {
                Route::Bank => services.bank.clone().call(request),
                Route::Health => services.health.clone().call(request),
                Route::ReflectionV1 => services.reflection_v1.clone().call(request),
                Route::ReflectionV1Alpha => services.reflection_v1alpha.clone().call(request),
                Route::Classroom => match &services.classroom {
                    Some(classroom) => classroom.service.clone().call(request),
                    None => Box::pin(std::future::ready(Ok(Status::unimplemented("").into_http()))),
                },
            })
        });
        let state = match handler {
            Ok(Some(handler)) => Handler::Running(handler),
            Ok(None) => Handler::Answered(panic_guard::failure()),
            Err(status) => Handler::Answered(status),
        };
        CallFuture {
            handler: state,
            // Boxed only for a call that has a deadline.
            expired: deadline.map(|deadline| Box::pin(tokio::time::sleep_until(deadline))),
            log: Some(log),
            watch,
        }
    }
}

/// Where a call's handler is.
enum Handler {
    Running(BoxFuture<Response<tonic::body::Body>, Infallible>),
    /// Answered without it (or no longer needed): a status and no message.
    Answered(Status),
}

/// A call until its handler answers: see the module documentation.
pub struct CallFuture {
    handler: Handler,
    /// When the client's deadline passes, if it set one.
    expired: Option<Pin<Box<Sleep>>>,
    /// `None` once the future has answered.
    log: Option<CallLog>,
    /// Shows the call to the classroom's watchers, if any watch.
    watch: Option<CallWatch>,
}

impl Future for CallFuture {
    type Output = Result<Response<CallBody>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let Some(mut log) = this.log.take() else {
            // Polled again after answering: nothing left to answer with.
            return Poll::Ready(Ok(answer(panic_guard::failure())));
        };
        let response = match &mut this.handler {
            Handler::Answered(status) => answer(std::mem::replace(status, Status::ok(""))),
            Handler::Running(handler) => match panic_guard::catch(log.method(), || handler.as_mut().poll(cx))
            {
                Some(Poll::Ready(Ok(response))) => response.map(|body| CallBody {
                    inner: Some(body),
                    failed: None,
                    log: None,
                    watch: None,
                }),
                Some(Poll::Pending) => {
                    if this
                        .expired
                        .as_mut()
                        .is_some_and(|expired| expired.as_mut().poll(cx).is_ready())
                    {
                        // Dropping the handler (with this future) stops its work.
                        answer(deadline_exceeded())
                    } else {
                        this.log = Some(log);
                        return Poll::Pending;
                    }
                }
                // The panicked handler is dropped with this future, at once:
                // whatever it holds (places, subscriptions) is released.
                None => answer(panic_guard::failure()),
            },
        };
        let (parts, mut body) = response.into_parts();
        match grpc_status(&parts.headers) {
            // Only a status: the call is over.
            Some(code) => {
                log.finish(code);
                if let Some(mut watch) = this.watch.take() {
                    watch.end(&parts.headers);
                }
            }
            None => {
                body.log = Some(log);
                body.watch = this.watch.take();
            }
        }
        Poll::Ready(Ok(Response::from_parts(parts, body)))
    }
}

/// A response that is only `status`.
fn answer(status: Status) -> Response<CallBody> {
    status.into_http::<()>().map(|()| CallBody {
        inner: None,
        failed: None,
        log: None,
        watch: None,
    })
}

/// A call's response body: tonic's, until it ends (see the module
/// documentation); after a panic, one trailers frame saying INTERNAL. The
/// default is an empty body, for an answer that is only a status (the
/// page's listener refuses a call that way before any handler runs).
#[derive(Default)]
pub struct CallBody {
    /// `None` for an answer that is only a status, and after a panic.
    inner: Option<tonic::body::Body>,
    /// The trailers still to send after a panic.
    failed: Option<HeaderMap>,
    /// Logs the call when its status goes by, or as the transport ended it
    /// when dropped first.
    log: Option<CallLog>,
    /// Shows each message and the status to the classroom's watchers.
    watch: Option<CallWatch>,
}

impl Body for CallBody {
    type Data = bytes::Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Status>>> {
        let this = &mut *self;
        let frame = if let Some(trailers) = this.failed.take() {
            Some(Ok(Frame::trailers(trailers)))
        } else if let Some(inner) = this.inner.as_mut() {
            let method = this.log.as_ref().map_or("", CallLog::method);
            match panic_guard::catch(method, || Pin::new(inner).poll_frame(cx)) {
                Some(Poll::Ready(frame)) => frame,
                Some(Poll::Pending) => return Poll::Pending,
                None => {
                    // The panicked producer is dropped, never polled again.
                    this.inner = None;
                    Some(Ok(Frame::trailers(panic_guard::failure_trailers())))
                }
            }
        } else {
            None
        };
        if let Some(Ok(frame)) = &frame
            && let Some(code) = frame.trailers_ref().and_then(grpc_status)
            && let Some(mut log) = this.log.take()
        {
            log.finish(code);
        }
        if let (Some(Ok(frame)), Some(watch)) = (&frame, &mut this.watch) {
            if let Some(data) = frame.data_ref() {
                watch.response(data);
            } else if let Some(trailers) = frame.trailers_ref() {
                watch.end(trailers);
            }
        }
        Poll::Ready(frame)
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
