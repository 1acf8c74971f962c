//! `GET /metrics`: the HTTP/1.1 endpoint Prometheus scrapes, on its own
//! listener (`bank-server --metrics-addr`).
//!
//! Lifecycle: the server builds one [`Exporter`] when it starts, which
//! builds the registry once (`exposition::registry`), and spawns
//! [`serve`]. Each connection is served by hyper; each `GET /metrics` asks
//! the registry to encode itself, which reads the counters at that moment.
//! Any other path is 404, any other method on `/metrics` 405. When the
//! server drains, [`serve`] stops accepting, and each open connection
//! closes once its current scrape is answered.
//!
//! The body is the Prometheus text format, version 0.0.4, with the media
//! type prometheus-client gives for it
//! ([`prometheus_text::CONTENT_TYPE`]): every Prometheus server scrapes it
//! (it is the fallback of every `scrape_protocols` list), and it is the
//! format `promtool check metrics` lints.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::{Method, Request, Response, StatusCode, header};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use prometheus_client::encoding::prometheus_text;
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;
use tokio::runtime::Handle;

use super::exposition;
use super::{Metrics, OpenGauges};
use crate::shutdown::Drain;
use bank_domain::clock::Clock;

/// How long a metrics client may take to send its request headers before
/// the connection is closed: a scrape sends them at once, and a client
/// that trickles them must not hold a connection forever.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Pause after a failed `accept` (typically too many open files) before
/// trying again, so the loop does not spin while the condition lasts.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_millis(100);

/// The media type of the endpoint's answers other than metrics (404, 405).
const PLAIN_TEXT: &str = "text/plain; charset=utf-8";

/// What the endpoint serves: the registry of every metric, built once.
/// Cheap to clone (one reference count), one clone per connection.
#[derive(Clone, Debug)]
pub struct Exporter {
    registry: Arc<Registry>,
}

impl Exporter {
    /// The exporter of `metrics`, the streams `open` reports, `clock`'s
    /// steps and offset and the tasks of the server's `runtimes` (one, or
    /// one per core), with the process's metrics and the build's.
    pub fn new(
        metrics: Arc<Metrics>,
        open: Arc<dyn OpenGauges>,
        clock: Arc<dyn Clock>,
        runtimes: Vec<Handle>,
    ) -> Self {
        Self {
            registry: Arc::new(exposition::registry(metrics, open, clock, runtimes)),
        }
    }

    fn respond<B>(&self, request: &Request<B>) -> Response<String> {
        match (request.method(), request.uri().path()) {
            (&Method::GET, "/metrics") => match exposition::encode(&self.registry) {
                Ok(text) => reply(StatusCode::OK, prometheus_text::CONTENT_TYPE, text),
                // Only a collector's own error can get here (writing to a
                // String cannot fail): say so rather than serve half a scrape.
                Err(error) => {
                    tracing::error!(%error, "metrics: encoding failed");
                    reply(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        PLAIN_TEXT,
                        "encoding failed\n".to_owned(),
                    )
                }
            },
            (_, "/metrics") => reply(
                StatusCode::METHOD_NOT_ALLOWED,
                PLAIN_TEXT,
                "only GET\n".to_owned(),
            ),
            _ => reply(
                StatusCode::NOT_FOUND,
                PLAIN_TEXT,
                "not found; metrics are at /metrics\n".to_owned(),
            ),
        }
    }
}

fn reply(status: StatusCode, content_type: &'static str, body: String) -> Response<String> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(content_type),
    );
    response
}

/// Serves `GET /metrics` on `listener` until the drain starts.
pub async fn serve(listener: TcpListener, exporter: Exporter, drain: Drain) {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "metrics listening");
    }
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = drain.started() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "metrics: accept failed");
                    tokio::time::sleep(ACCEPT_RETRY_DELAY).await;
                    continue;
                }
            },
        };
        tokio::spawn(serve_connection(stream, peer, exporter.clone(), drain.clone()));
    }
}

async fn serve_connection(stream: tokio::net::TcpStream, peer: SocketAddr, exporter: Exporter, drain: Drain) {
    let service = service_fn(move |request| {
        let response = exporter.respond(&request);
        async move { Ok::<_, Infallible>(response) }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = drain.started() => {
            // Finish the scrape in progress, then close.
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(%peer, %error, "metrics connection ended with an error");
    }
}
