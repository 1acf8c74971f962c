//! A bare HTTP/2 client for the tests that must do what a well-behaved
//! gRPC client never would: reset streams by the thousand, declare
//! messages larger than the limit, or order streams exactly on one
//! connection.

use std::net::SocketAddr;

use bytes::Bytes;
use h2::client::{ResponseFuture, SendRequest};
use h2::{RecvStream, SendStream};
use prost::Message;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tonic::Code;

use super::PATIENCE;

/// One HTTP/2 connection to the server, with its driver running in the
/// background until the connection ends.
pub struct RawConnection {
    addr: SocketAddr,
    sender: SendRequest<Bytes>,
}

impl RawConnection {
    pub async fn open(addr: SocketAddr) -> Self {
        Self::open_with(addr, &h2::client::Builder::new()).await.0
    }

    /// A connection with the given HTTP/2 settings, and a switch that stops
    /// driving it: from then on the client neither reads its socket nor
    /// answers PINGs, like a peer that froze, while the socket stays open.
    pub async fn open_with(addr: SocketAddr, builder: &h2::client::Builder) -> (Self, oneshot::Sender<()>) {
        let tcp = TcpStream::connect(addr).await.expect("the server accepts TCP");
        let (sender, connection) = builder.handshake(tcp).await.expect("HTTP/2 handshake");
        let (freeze, frozen) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let mut connection = connection;
            tokio::select! {
                // Ends with an error when the server closes the connection,
                // which some tests provoke on purpose.
                _ = &mut connection => {}
                Ok(()) = frozen => {
                    // Held, never polled again, until the test ends.
                    std::future::pending::<()>().await;
                    drop(connection);
                }
            }
        });
        (Self { addr, sender }, freeze)
    }

    /// Starts a call to any `/package.Service/Method` path.
    pub async fn start_path(&mut self, path: &str) -> Result<(ResponseFuture, SendStream<Bytes>), h2::Error> {
        let request = http::Request::post(format!("http://{}{path}", self.addr))
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .body(())
            .expect("a valid request");
        let mut sender = self.sender.clone().ready().await?;
        sender.send_request(request, false)
    }

    /// Starts a gRPC call to `method` (e.g. `"Convert"`) with its headers
    /// only; the caller sends the body, or resets the stream.
    pub async fn start(&mut self, method: &str) -> Result<(ResponseFuture, SendStream<Bytes>), h2::Error> {
        self.start_with_metadata(method, &[]).await
    }

    /// The same, with extra metadata (e.g. a `grpc-timeout` that, unlike a
    /// tonic client, this client does not enforce itself).
    pub async fn start_with_metadata(
        &mut self,
        method: &str,
        metadata: &[(&str, &str)],
    ) -> Result<(ResponseFuture, SendStream<Bytes>), h2::Error> {
        let mut request = http::Request::post(format!("http://{}/bank.v1.BankService/{method}", self.addr))
            .header("content-type", "application/grpc")
            .header("te", "trailers");
        for (name, value) in metadata {
            request = request.header(*name, *value);
        }
        let request = request.body(()).expect("a valid request");
        let mut sender = self.sender.clone().ready().await?;
        sender.send_request(request, false)
    }

    /// A whole unary or single-request call: `message` in one frame, then
    /// the call's gRPC status.
    pub async fn call(&mut self, method: &str, message: &impl Message) -> Code {
        let (response, mut body) = self.start(method).await.expect("the stream opens");
        body.send_data(grpc_frame(message), true)
            .expect("the request is sent");
        status_of(response).await
    }
}

/// `message` as one length-prefixed gRPC frame.
pub fn grpc_frame(message: &impl Message) -> Bytes {
    let encoded = message.encode_to_vec();
    let length = u32::try_from(encoded.len()).expect("a small message");
    let mut frame = Vec::with_capacity(5 + encoded.len());
    frame.push(0);
    frame.extend_from_slice(&length.to_be_bytes());
    frame.extend_from_slice(&encoded);
    Bytes::from(frame)
}

/// The gRPC status of a response: in its headers for a trailers-only
/// answer, else in its trailers after the messages (which are skipped).
pub async fn status_of(response: ResponseFuture) -> Code {
    let response = tokio::time::timeout(PATIENCE, response)
        .await
        .expect("the server answers in time")
        .expect("the server answers");
    if let Some(code) = response.headers().get("grpc-status") {
        return Code::from_bytes(code.as_bytes());
    }
    let mut body: RecvStream = response.into_body();
    tokio::time::timeout(PATIENCE, async {
        while let Some(data) = body.data().await {
            let data = data.expect("the body arrives");
            let _ = body.flow_control().release_capacity(data.len());
        }
        let trailers = body
            .trailers()
            .await
            .expect("the trailers arrive")
            .expect("a gRPC answer ends with trailers");
        let code = trailers.get("grpc-status").expect("trailers carry grpc-status");
        Code::from_bytes(code.as_bytes())
    })
    .await
    .expect("the call ends in time")
}
