//! The page's listener (`bank-server --web-addr`): the page itself, and
//! `bank.v1.BankService` over gRPC-Web for it.
//!
//! Browsers cannot speak gRPC: they cannot read HTTP/2 trailers, where gRPC
//! puts a call's status. gRPC-Web moves the status into the body, so a
//! browser's `fetch` can make unary and server-streaming calls (not client
//! streaming or bidirectional ones: `fetch` cannot stream a request while
//! it reads the response). This listener speaks HTTP/1.1, which is what a
//! browser uses on a plaintext address, and for every request:
//!
//! - a CORS preflight (`OPTIONS` with `Origin`) is answered by tower-http's
//!   [`CorsLayer`]: allowed only for the origins given by `--web-origin`
//!   (the page served here needs none, it is same-origin);
//! - a gRPC-Web call (`content-type: application/grpc-web…`) is translated
//!   by tonic-web's [`GrpcWebLayer`] into a gRPC call and given to the
//!   server's own router (`crate::calls`), the one the gRPC port uses: the
//!   same token check, deadline, panic guard, log, metrics, message limits
//!   and per-connection caps on feeds;
//! - anything else is a file of the page ([`assets`]), embedded in the
//!   binary.
//!
//! Lifecycle: [`serve`] accepts until the drain starts, and serves each
//! connection with hyper in a task of its own. At the drain, idle
//! connections close; a connection with a call finishes it, and the
//! service ends its feeds with UNAVAILABLE as on the gRPC port. When the
//! grace period is over the connections left are dropped, which ends
//! their calls.

mod assets;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http::{Method, Request, Response};
use http_body::Body;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tonic::Status;
use tonic_web::GrpcWebLayer;
use tower::{Layer, Service, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::metrics::Metrics;
use crate::service::ConnectionStreams;
use crate::shutdown::Drain;
use crate::transport::{CallOrigin, RequestBody};

/// How long a browser may keep a preflight's answer: ten minutes, the
/// longest Chromium honours, so a page makes one preflight per method
/// rather than one per call.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// Pause after a failed `accept` (typically too many open files) before
/// trying again, so the loop does not spin while the condition lasts.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_millis(100);

/// The request headers a gRPC-Web client of another origin may send: the
/// protocol's own, the deadline, the API token and the language of the
/// errors.
const ALLOWED_HEADERS: [&str; 6] = [
    "content-type",
    "x-grpc-web",
    "x-user-agent",
    "grpc-timeout",
    "authorization",
    "accept-language",
];

/// The response headers such a client may read: the status of a call that
/// is only a status (a refusal comes in the headers), and its details.
const EXPOSED_HEADERS: [&str; 3] = ["grpc-status", "grpc-message", "grpc-status-details-bin"];

/// The page's listener, bound, with the origins besides its own that may
/// call the service from a browser.
pub(crate) struct WebListener {
    listener: TcpListener,
    origins: Vec<HeaderValue>,
}

impl WebListener {
    /// Binds `addr` (port 0 picks a free port).
    pub(crate) async fn bind(addr: SocketAddr, origins: &[String]) -> Result<Self, WebError> {
        let origins = origins
            .iter()
            .map(|origin| {
                HeaderValue::from_str(origin.trim_end_matches('/'))
                    .map_err(|_| WebError::Origin(origin.clone()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            listener: TcpListener::bind(addr).await?,
            origins,
        })
    }

    pub(crate) fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

/// Why the page's listener could not start.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("could not listen: {0}")]
    Io(#[from] std::io::Error),
    #[error("--web-origin {0:?} is not a valid origin")]
    Origin(String),
}

/// The server's router, as the listener needs it: cloned for every
/// connection, its calls run in the connection's task.
pub(crate) trait Router<B>:
    Service<Request<RequestBody>, Response = Response<B>, Error = Infallible, Future: Send + 'static>
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<T, B> Router<B> for T where
    T: Service<Request<RequestBody>, Response = Response<B>, Error = Infallible, Future: Send + 'static>
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// What one connection of the listener needs, shared by all.
struct Shared<S> {
    router: S,
    cors: CorsLayer,
    drain: Drain,
    header_read_timeout: Duration,
    /// Numbers each connection, from the counter the gRPC port uses, so
    /// the classroom view names a browser "client 9" like any client.
    metrics: Arc<Metrics>,
}

/// Serves the page and gRPC-Web on `web` until the drain starts, then
/// waits for its connections to end, at most `grace` (see the module
/// documentation). `router` is the server's router.
pub(crate) async fn serve<S, B>(
    web: WebListener,
    router: S,
    drain: Drain,
    grace: Duration,
    header_read_timeout: Duration,
    metrics: Arc<Metrics>,
) where
    S: Router<B>,
    B: Body<Data = Bytes, Error = Status> + Send + 'static,
{
    if let Ok(addr) = web.listener.local_addr() {
        tracing::info!(%addr, origins = web.origins.len(), "page and gRPC-Web listening");
    }
    let shared = Arc::new(Shared {
        router,
        cors: cors(web.origins),
        drain: drain.clone(),
        header_read_timeout,
        metrics,
    });
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = drain.started() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = web.listener.accept() => match accepted {
                Ok((tcp, _peer)) => {
                    let _ = tcp.set_nodelay(true);
                    connections.spawn(serve_connection(tcp, Arc::clone(&shared)));
                }
                Err(error) => {
                    tracing::warn!(%error, "web: accept failed");
                    tokio::time::sleep(ACCEPT_RETRY_DELAY).await;
                }
            },
        }
    }
    drop(web.listener);
    let all_closed = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(grace, all_closed).await.is_err() {
        // Dropping a connection drops its call: the log says how it ended.
        connections.abort_all();
        while connections.join_next().await.is_some() {}
    }
}

/// The CORS policy: only `origins` may call from a browser page of theirs.
fn cors(origins: Vec<HeaderValue>) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::POST])
        .allow_headers(ALLOWED_HEADERS.map(HeaderName::from_static))
        .expose_headers(EXPOSED_HEADERS.map(HeaderName::from_static))
        .max_age(PREFLIGHT_MAX_AGE)
}

/// Serves one connection with hyper until it closes, or until the drain
/// has let its current call finish.
async fn serve_connection<S, B>(tcp: TcpStream, shared: Arc<Shared<S>>)
where
    S: Router<B>,
    B: Body<Data = Bytes, Error = Status> + Send + 'static,
{
    // The feeds of this connection count against the per-connection cap,
    // as those of an HTTP/2 connection do.
    let grpc_web = GrpcWebLayer::new().layer(ToRouter {
        router: shared.router.clone(),
        connection: Arc::new(ConnectionStreams::default()),
        number: shared.metrics.number_connection(),
    });
    let page = tower::service_fn(move |request: Request<hyper::body::Incoming>| {
        let grpc_web = grpc_web.clone();
        async move {
            if is_grpc_web(&request) {
                grpc_web.oneshot(request).await
            } else {
                Ok(assets::respond(&request))
            }
        }
    });
    let service = TowerToHyperService::new(shared.cors.layer(page));
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(shared.header_read_timeout)
        .serve_connection(TokioIo::new(tcp), service);
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = shared.drain.started() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(%error, "web: connection ended with an error");
    }
}

/// Whether `request` is a gRPC-Web call (any of its content types: binary
/// or base64 text, with or without `+proto`).
fn is_grpc_web<T>(request: &Request<T>) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/grpc-web"))
}

/// The server's router, given the gRPC calls tonic-web translated: their
/// bodies as the router reads them, the connection's caps and its number.
#[derive(Clone)]
struct ToRouter<S> {
    router: S,
    connection: Arc<ConnectionStreams>,
    /// The connection's number on this server (see [`CallOrigin`]).
    number: u64,
}

impl<S> Service<Request<tonic::body::Body>> for ToRouter<S>
where
    S: Service<Request<RequestBody>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.router.poll_ready(cx)
    }

    fn call(&mut self, request: Request<tonic::body::Body>) -> Self::Future {
        let mut request = request.map(RequestBody::other);
        request.extensions_mut().insert(Arc::clone(&self.connection));
        // HTTP/1.1 has no streams: one call at a time, stream 0.
        request.extensions_mut().insert(CallOrigin {
            connection: self.number,
            stream: 0,
        });
        self.router.call(request)
    }
}
