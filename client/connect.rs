//! The connection to the server, and the metadata every call carries.
//!
//! An `https://` URL connects over TLS: the server's certificate is checked
//! against `--ca` when given, else against the system's trust store, and
//! `--cert`/`--key` present a client certificate for mutual TLS. `http://`
//! (or no scheme) stays plaintext and ignores those flags, so a `BANK_CA`
//! exported for one server does not break a local plaintext one. `--token`
//! goes on every call, unary or streaming, as `authorization: Bearer`.
//!
//! `--timeout` bounds every wait on the server: connecting; each unary
//! call (a gRPC deadline); the answer to a stream's opening
//! ([`Connection::answered`]); and, for as long as a call is open, the
//! server's answer to a ping every `--timeout`, so a stream on a server that
//! stopped answering ends too, while one on a busy server runs for hours.

use std::error::Error as _;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bank_proto::error_chain;
use bank_proto::v1::bank_service_client::BankServiceClient;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tonic::codec::CompressionEncoding;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic::{Request, Response, Status};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

use crate::error::{CliError, is_client_timeout};
use crate::retry;
use bank_i18n::Lang;

/// Where `--server` points when it is not given.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";

/// The HTTP/2 receive window of a slow reader's streams (`bank rates
/// --slow`, the tour's slow reader), in bytes: less than one update of one
/// pair, so the server can have little more than one update on its way and
/// must wait for the reader before it sends the next, which is by then the
/// latest tick. With hyper's default (2 MiB) the server could send
/// thousands of updates ahead before a slow reader held it back, and the
/// reader would see none of the gaps it came to watch.
pub const SLOW_READER_WINDOW: u32 = 64;

/// Pings are never sent more often than this, whatever `--timeout` says.
const MIN_PING_INTERVAL: Duration = Duration::from_millis(100);
/// Where the server is and how to talk to it: the global flags.
#[derive(Clone, Debug)]
pub struct Target {
    /// `--server`, as given.
    pub server: String,
    /// `--timeout`: connecting and each unary call.
    pub timeout: Duration,
    pub lang: Lang,
    /// `--ca`: the CA to check the server's certificate with.
    pub ca: Option<PathBuf>,
    /// `--cert` and `--key`: the client certificate for mutual TLS.
    pub identity: Option<(PathBuf, PathBuf)>,
    /// `--token`: the API token sent on every call.
    pub token: Option<String>,
    /// `--compress`: the encoding of every message sent and accepted.
    pub compression: Option<CompressionEncoding>,
    /// The HTTP/2 flow-control window of each stream, in bytes: how much a
    /// server may send before the client reads. `None` keeps hyper's
    /// default (2 MiB); `bank rates --slow` and the tour's slow reader ask
    /// for a small one so that their slowness reaches the server at once.
    pub stream_window: Option<u32>,
}

impl Target {
    /// The same target at another server URL (the tour's embedded server).
    pub fn at(&self, server: String) -> Self {
        Self {
            server,
            ..self.clone()
        }
    }
}

/// A connected client, with what its calls need to know.
pub struct Connection {
    /// One connection per endpoint of `--server` that answered.
    channels: Vec<Channel>,
    /// The endpoint of the next call, modulo `channels.len()`.
    next: AtomicUsize,
    /// As given by the user, for error messages.
    pub url: String,
    lang: Lang,
    timeout: Duration,
    /// `Bearer <token>`, ready to attach.
    authorization: Option<MetadataValue<Ascii>>,
    /// `--compress`.
    compression: Option<CompressionEncoding>,
}

impl Connection {
    /// Connects to `target.server`. A URL without a scheme (`host:port`) is
    /// taken as `http://host:port`.
    ///
    /// Several URLs separated by commas are several replicas of the same
    /// service: every one is connected at once (each with the same settings,
    /// in parallel, each within `--timeout`), those that cannot be reached
    /// are left out, and calls then go round robin over the others, starting
    /// from a random one so that separate commands spread too. A replica
    /// that dies later fails the call that was on it with UNAVAILABLE, and
    /// the retry ([`retry::unary`], a reconnecting feed) goes to the next
    /// one. Only when no endpoint answers is the command refused, naming the
    /// list as given.
    ///
    /// (Not `Channel::balance_list`: tonic connects its endpoints lazily,
    /// and a lazy connection that fails to connect reports the failure to
    /// the call routed to it rather than leaving the balancer, so a dead
    /// endpoint would fail a share of the calls instead of being skipped.)
    pub async fn open(target: &Target) -> Result<Self, CliError> {
        let server = target.server.as_str();
        let authorization = target.token.as_deref().map(bearer).transpose()?;
        let urls = server_urls(server);
        if urls.is_empty() {
            return Err(CliError::InvalidServerUrl {
                url: server.to_owned(),
            });
        }
        let single = urls.len() == 1;
        // As the user wrote it, for error messages: one URL (completed with
        // its scheme, as before), or the list as given.
        let url = if single {
            urls[0].clone()
        } else {
            server.to_owned()
        };
        let mut attempts = Vec::with_capacity(urls.len());
        for endpoint_url in &urls {
            let endpoint = endpoint(target, endpoint_url)?;
            let endpoint_url = endpoint_url.clone();
            let timeout = target.timeout;
            attempts.push(tokio::spawn(async move {
                connect(endpoint, &endpoint_url, timeout).await
            }));
        }
        let mut channels = Vec::with_capacity(attempts.len());
        let mut first_error = None;
        for attempt in attempts {
            match attempt.await {
                Ok(Ok(channel)) => channels.push(channel),
                Ok(Err(error)) => {
                    first_error.get_or_insert(error);
                }
                Err(_) => {
                    first_error.get_or_insert(CliError::Unreachable { url: url.clone() });
                }
            }
        }
        if channels.is_empty() {
            let error = first_error.unwrap_or(CliError::Unreachable { url: url.clone() });
            return Err(match error {
                // None of the list answered: name the list, not its first item.
                CliError::Unreachable { .. } => CliError::Unreachable { url: url.clone() },
                other => other,
            });
        }
        let start = rand::random_range(0..channels.len());
        Ok(Self {
            channels,
            next: AtomicUsize::new(start),
            url,
            lang: target.lang,
            timeout: target.timeout,
            authorization,
            compression: target.compression,
        })
    }

    /// A client on the next endpoint, round robin (the only one when
    /// `--server` names one).
    pub fn client(&self) -> BankServiceClient<Channel> {
        let client = BankServiceClient::new(self.channel());
        match self.compression {
            Some(encoding) => client.send_compressed(encoding).accept_compressed(encoding),
            None => client,
        }
    }

    /// The connection to the next endpoint, round robin, for a client built
    /// around it (the tour's wire tap); see [`Connection::compression`].
    pub fn channel(&self) -> Channel {
        let index = self.next.fetch_add(1, Ordering::Relaxed) % self.channels.len();
        self.channels[index].clone()
    }

    /// `--compress`, for a client built around [`Connection::channel`].
    pub fn compression(&self) -> Option<CompressionEncoding> {
        self.compression
    }

    /// A unary request: bounded by `--timeout`, in the user's language.
    pub fn unary<T>(&self, message: T) -> Request<T> {
        let mut request = self.streaming(message);
        request.set_timeout(self.timeout);
        request
    }

    /// Runs a unary call, retried on UNAVAILABLE (see [`retry`]), each
    /// attempt with its own `--timeout`.
    pub async fn call_unary<Req, Resp, Fut>(
        &self,
        message: Req,
        call: impl Fn(BankServiceClient<Channel>, Request<Req>) -> Fut,
    ) -> Result<Resp, CliError>
    where
        Req: Clone,
        Fut: Future<Output = Result<tonic::Response<Resp>, Status>>,
    {
        retry::unary(|| call(self.client(), self.unary(message.clone())))
            .await
            .map(tonic::Response::into_inner)
            .map_err(|status| self.failed(status))
    }

    /// A streaming request: no deadline (a feed may run for hours; see
    /// [`Connection::answered`] for what bounds the wait), in the user's
    /// language.
    pub fn streaming<T>(&self, message: T) -> Request<T> {
        let mut request = Request::new(message);
        let metadata = request.metadata_mut();
        metadata.insert("accept-language", MetadataValue::from_static(self.lang.tag()));
        if let Some(authorization) = &self.authorization {
            metadata.insert("authorization", authorization.clone());
        }
        request
    }

    /// The CLI error for a failed call.
    pub fn failed(&self, status: Status) -> CliError {
        if is_client_timeout(&status) {
            return CliError::Timeout;
        }
        CliError::Status {
            url: self.url.clone(),
            status,
        }
    }

    /// The response of a streaming call, once the server has answered it
    /// (sent its response headers), waiting at most `--timeout` for that.
    /// The stream itself may then run for hours; but a server that accepts
    /// the connection and never answers must not hold the command forever.
    pub async fn answered<T>(
        &self,
        call: impl Future<Output = Result<Response<T>, Status>>,
    ) -> Result<T, CliError> {
        self.answered_with_metadata(call).await.map(Response::into_inner)
    }

    /// [`answered`](Self::answered), keeping the response's metadata.
    pub async fn answered_with_metadata<T>(
        &self,
        call: impl Future<Output = Result<Response<T>, Status>>,
    ) -> Result<Response<T>, CliError> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(status)) => Err(self.failed(status)),
            Err(_) => Err(CliError::Timeout),
        }
    }
}

/// The URLs of `--server`: one, or several separated by commas, each
/// without a scheme taken as `http://`.
pub fn server_urls(server: &str) -> Vec<String> {
    server
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            if item.contains("://") {
                item.to_owned()
            } else {
                format!("http://{item}")
            }
        })
        .collect()
}

/// The endpoint for one URL of `--server`, with the settings every
/// connection gets.
fn endpoint(target: &Target, url: &str) -> Result<Endpoint, CliError> {
    let endpoint = Endpoint::from_shared(url.to_owned())
        .map_err(|_| CliError::InvalidServerUrl {
            url: target.server.clone(),
        })?
        .connect_timeout(target.timeout)
        // While a call is open, ask the server every `--timeout` to prove
        // it is alive (an HTTP/2 PING), and drop the connection if it
        // does not answer within `--timeout`. A busy server answers pings
        // at once; one that accepted the connection and never speaks, or
        // froze, fails the call instead of holding a stream forever.
        .http2_keep_alive_interval(target.timeout.max(MIN_PING_INTERVAL))
        .keep_alive_timeout(target.timeout)
        .tcp_nodelay(true)
        .initial_stream_window_size(target.stream_window);
    if endpoint.uri().scheme_str() == Some("https") {
        endpoint
            .tls_config(client_tls(target)?)
            .map_err(|error| CliError::TlsSetup {
                detail: error_chain(&error),
            })
    } else {
        Ok(endpoint)
    }
}

/// Connects to one endpoint (and, over TLS, makes sure the server accepted
/// the session).
async fn connect(endpoint: Endpoint, url: &str, timeout: Duration) -> Result<Channel, CliError> {
    let tls = endpoint.uri().scheme_str() == Some("https");
    let channel =
        endpoint
            .connect()
            .await
            .map_err(|error| match tls.then(|| tls_failure(&error)).flatten() {
                Some(detail) => CliError::TlsHandshake {
                    url: url.to_owned(),
                    detail: Some(detail),
                },
                None => CliError::Unreachable { url: url.to_owned() },
            })?;
    if tls {
        confirm_handshake(&channel, url, timeout).await?;
    }
    Ok(channel)
}

/// `Bearer <token>` as a header value. The token must be printable ASCII
/// without spaces, the rule the server's token file follows: anything else
/// could never match, so it is refused here with a clear message.
fn bearer(token: &str) -> Result<MetadataValue<Ascii>, CliError> {
    if token.is_empty() || !token.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(CliError::InvalidToken);
    }
    format!("Bearer {token}")
        .parse()
        .map_err(|_| CliError::InvalidToken)
}

/// Makes sure the server accepted the TLS session. In TLS 1.3 the client
/// finishes its half of the handshake before the server has checked the
/// client's certificate, so a server that refuses it (mutual TLS) is only
/// heard from on the first read, and by then the refusal usually shows as
/// a bare "connection closed". One health check (open to all, no token
/// needed) right after connecting turns that into a clear handshake error
/// instead of a confusing failure of the user's command.
async fn confirm_handshake(channel: &Channel, url: &str, timeout: Duration) -> Result<(), CliError> {
    let mut probe = Request::new(HealthCheckRequest::default());
    probe.set_timeout(timeout);
    match HealthClient::new(channel.clone()).check(probe).await {
        // Any answer from the server, even "no health service here", means
        // the session is up.
        Ok(_) => Ok(()),
        Err(status) if is_connection_failure(&status) => Err(CliError::TlsHandshake {
            url: url.to_owned(),
            detail: tls_failure(&status),
        }),
        Err(_) => Ok(()),
    }
}

/// Whether a call failed for want of a connection rather than by the
/// server's answer: tonic then attaches the transport error as the source.
fn is_connection_failure(status: &Status) -> bool {
    let mut cause = status.source();
    while let Some(error) = cause {
        if error.is::<tonic::transport::Error>() {
            return true;
        }
        cause = error.source();
    }
    false
}

/// The TLS settings of `--ca`, `--cert` and `--key`, with the files read
/// and checked so that a wrong file is a usage error naming it.
fn client_tls(target: &Target) -> Result<ClientTlsConfig, CliError> {
    let config = ClientTlsConfig::new();
    let config = match &target.ca {
        Some(path) => {
            let pem = read_pem(path, PemKind::Certificate)?;
            config.ca_certificate(Certificate::from_pem(pem))
        }
        // The system's trust store: what the user's browser and curl trust,
        // including any CA their administrator added.
        None => config.with_native_roots(),
    };
    Ok(match &target.identity {
        Some((cert, key)) => {
            let cert = read_pem(cert, PemKind::Certificate)?;
            let key = read_pem(key, PemKind::PrivateKey)?;
            config.identity(Identity::from_pem(cert, key))
        }
        None => config,
    })
}

#[derive(Clone, Copy)]
enum PemKind {
    Certificate,
    PrivateKey,
}

/// Reads a PEM file and checks that it holds what it should.
fn read_pem(path: &Path, kind: PemKind) -> Result<Vec<u8>, CliError> {
    let pem = std::fs::read(path).map_err(|error| CliError::Input {
        path: path.display().to_string(),
        detail: error.to_string(),
    })?;
    let usable = match kind {
        PemKind::Certificate => {
            let mut certificates = CertificateDer::pem_slice_iter(&pem);
            certificates.next().is_some_and(|first| first.is_ok()) && certificates.all(|next| next.is_ok())
        }
        PemKind::PrivateKey => PrivateKeyDer::from_pem_slice(&pem).is_ok(),
    };
    if !usable {
        return Err(CliError::NotPem {
            path: path.display().to_string(),
        });
    }
    Ok(pem)
}

/// What TLS said went wrong, found among `error`'s causes: rustls reports
/// through the socket as an `InvalidData` I/O error (an untrusted
/// certificate, an alert from the server), which nothing else on an HTTP/2
/// connection produces.
fn tls_failure(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(io) = error.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::InvalidData
        {
            return Some(io.to_string());
        }
        cause = error.source();
    }
    None
}
