//! An open `ConvertSession` for tests: send a request, then read the reply
//! as a conversion or an item error, each wait bounded by [`PATIENCE`].

use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_proto::v1::session_reply::Outcome;
use bank_proto::v1::{ConvertRequest, ConvertResponse, ItemError, SessionReply};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Request;
use tonic::Streaming;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;

use super::PATIENCE;

/// An open session: the sending half and the replies.
pub struct Session {
    pub requests: mpsc::Sender<ConvertRequest>,
    pub replies: Streaming<SessionReply>,
}

impl Session {
    pub async fn open(client: &mut BankServiceClient<Channel>) -> Self {
        let (requests, outgoing) = mpsc::channel(1);
        Self::start(client, Request::new(ReceiverStream::new(outgoing)), requests).await
    }

    /// A session whose caller reads `language` (sent as `accept-language`).
    pub async fn open_in(client: &mut BankServiceClient<Channel>, language: &'static str) -> Self {
        let (requests, outgoing) = mpsc::channel(1);
        let mut request = Request::new(ReceiverStream::new(outgoing));
        request
            .metadata_mut()
            .insert("accept-language", MetadataValue::from_static(language));
        Self::start(client, request, requests).await
    }

    async fn start(
        client: &mut BankServiceClient<Channel>,
        request: Request<ReceiverStream<ConvertRequest>>,
        requests: mpsc::Sender<ConvertRequest>,
    ) -> Self {
        let replies = client
            .convert_session(request)
            .await
            .expect("the session opens")
            .into_inner();
        Self { requests, replies }
    }

    pub async fn send(&self, request: ConvertRequest) {
        self.requests
            .send(request)
            .await
            .expect("the session takes requests");
    }

    pub async fn reply(&mut self) -> Outcome {
        tokio::time::timeout(PATIENCE, self.replies.message())
            .await
            .expect("a reply arrives in time")
            .expect("the session is healthy")
            .expect("the session goes on")
            .outcome
            .expect("a reply has an outcome")
    }

    pub async fn conversion(&mut self) -> ConvertResponse {
        match self.reply().await {
            Outcome::Conversion(conversion) => conversion,
            Outcome::Error(error) => panic!("expected a conversion, got {error:?}"),
        }
    }

    pub async fn error(&mut self) -> ItemError {
        match self.reply().await {
            Outcome::Error(error) => error,
            Outcome::Conversion(conversion) => panic!("expected an error, got {conversion:?}"),
        }
    }
}
