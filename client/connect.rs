//! The connection to the server, and the metadata every call carries.

use std::future::Future;
use std::time::Duration;

use bank_service::proto::v1::bank_service_client::BankServiceClient;
use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Status};

use crate::error::CliError;
use crate::retry;
use bank_service::i18n::Lang;

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

    /// A streaming request: no deadline (a feed may run for hours), in the
    /// user's language.
    pub fn streaming<T>(&self, message: T) -> Request<T> {
        let mut request = Request::new(message);
        request
            .metadata_mut()
            .insert("accept-language", MetadataValue::from_static(self.lang.tag()));
        request
    }

    /// The CLI error for a failed call.
    pub fn failed(&self, status: Status) -> CliError {
        CliError::Status {
            url: self.url.clone(),
            status,
        }
    }
}
