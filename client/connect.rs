//! The connection to the server, and the metadata every call carries.
//!
//! `--timeout` bounds every wait on the server: connecting; each unary
//! call (a gRPC deadline); the answer to a stream's opening
//! ([`Connection::answered`]); and, for as long as a call is open, the
//! server's answer to a ping every `--timeout`, so a stream on a server that
//! stopped answering ends too, while one on a busy server runs for hours.

use std::time::Duration;

use bank_service::proto::v1::bank_service_client::BankServiceClient;
use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Response, Status};

use crate::error::{CliError, is_client_timeout};
use bank_service::i18n::Lang;

/// Pings are never sent more often than this, whatever `--timeout` says.
const MIN_PING_INTERVAL: Duration = Duration::from_millis(100);

/// A connected client, with what its calls need to know.
pub struct Connection {
    client: BankServiceClient<Channel>,
    /// As given by the user, for error messages.
    pub url: String,
    lang: Lang,
    timeout: Duration,
}

impl Connection {
    /// Connects to `server`. A URL without a scheme (`host:port`) is taken
    /// as `http://host:port`.
    pub async fn open(server: &str, timeout: Duration, lang: Lang) -> Result<Self, CliError> {
        let url = if server.contains("://") {
            server.to_owned()
        } else {
            format!("http://{server}")
        };
        let endpoint = Endpoint::from_shared(url.clone())
            .map_err(|_| CliError::InvalidServerUrl {
                url: server.to_owned(),
            })?
            .connect_timeout(timeout)
            // While a call is open, ask the server every `--timeout` to prove
            // it is alive (an HTTP/2 PING), and drop the connection if it
            // does not answer within `--timeout`. A busy server answers pings
            // at once; one that accepted the connection and never speaks, or
            // froze, fails the call instead of holding a stream forever.
            .http2_keep_alive_interval(timeout.max(MIN_PING_INTERVAL))
            .keep_alive_timeout(timeout)
            .tcp_nodelay(true);
        let channel = endpoint
            .connect()
            .await
            .map_err(|_| CliError::Unreachable { url: url.clone() })?;
        Ok(Self {
            client: BankServiceClient::new(channel),
            url,
            lang,
            timeout,
        })
    }

    pub fn client(&self) -> BankServiceClient<Channel> {
        self.client.clone()
    }

    /// A unary request: bounded by `--timeout`, in the user's language.
    pub fn unary<T>(&self, message: T) -> Request<T> {
        let mut request = self.streaming(message);
        request.set_timeout(self.timeout);
        request
    }

    /// A streaming request: no deadline (a feed may run for hours; see
    /// [`Connection::answered`] for what bounds the wait), in the user's
    /// language.
    pub fn streaming<T>(&self, message: T) -> Request<T> {
        let mut request = Request::new(message);
        request
            .metadata_mut()
            .insert("accept-language", MetadataValue::from_static(self.lang.tag()));
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
        match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(response)) => Ok(response.into_inner()),
            Ok(Err(status)) => Err(self.failed(status)),
            Err(_) => Err(CliError::Timeout),
        }
    }
}
