//! Compression, as every official gRPC stack offers it: requests compressed
//! with gzip or zstd are accepted on every service, a client that accepts
//! an encoding gets its answers compressed with it, one that does not gets
//! them plain, and a small compressed message that would expand past the
//! message limit is refused without taking the server down.

use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_proto::v1::{ConvertRequest, StreamRatesRequest};
use bank_server::limits::MAX_REQUEST_MESSAGE_BYTES;
use harness::{TestServer, conversion};
use tokio_stream::StreamExt;
use tonic::Code;
use tonic::codec::CompressionEncoding;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

const ENCODINGS: [(CompressionEncoding, &str); 2] = [
    (CompressionEncoding::Gzip, "gzip"),
    (CompressionEncoding::Zstd, "zstd"),
];

fn compressing(channel: Channel, encoding: CompressionEncoding) -> BankServiceClient<Channel> {
    BankServiceClient::new(channel)
        .send_compressed(encoding)
        .accept_compressed(encoding)
}

fn encoding_of<T>(response: &tonic::Response<T>) -> Option<String> {
    response
        .metadata()
        .get("grpc-encoding")
        .map(|value| value.to_str().expect("ASCII").to_owned())
}

#[tokio::test]
async fn every_model_answers_a_compressing_client_compressed_with_its_encoding() {
    let (server, _clock) = TestServer::start_pinned().await;
    let plain = server.direct_convert("1234.5", "EUR", "JPY").await;
    for (encoding, name) in ENCODINGS {
        let mut client = compressing(server.channel().await, encoding);

        let converted = client
            .convert(conversion("1234.5", "EUR", "JPY", ""))
            .await
            .expect("converts");
        assert_eq!(encoding_of(&converted).as_deref(), Some(name));
        assert_eq!(converted.into_inner(), plain, "the same answer, compressed");

        let feed = client
            .stream_rates(StreamRatesRequest {
                pairs: vec!["EUR/USD".into()],
                max_updates: 1,
                from_sequence: 0,
            })
            .await
            .expect("the feed opens");
        assert_eq!(encoding_of(&feed).as_deref(), Some(name));
        let updates: Vec<_> = feed.into_inner().collect().await;
        assert_eq!(updates.len(), 1);

        let items = (0..100)
            .map(|n| conversion(&format!("{}", n + 1), "USD", "EUR", ""))
            .collect::<Vec<_>>();
        let summary = client
            .convert_batch(tokio_stream::iter(items))
            .await
            .expect("a summary");
        assert_eq!(encoding_of(&summary).as_deref(), Some(name));
        assert_eq!(summary.into_inner().accepted, 100);

        let session = client
            .convert_session(tokio_stream::iter(vec![conversion("1", "GBP", "CHF", "")]))
            .await
            .expect("a session");
        assert_eq!(encoding_of(&session).as_deref(), Some(name));
        let replies: Vec<_> = session.into_inner().collect().await;
        assert!(replies.iter().all(Result::is_ok) && replies.len() == 1);

        let health = HealthClient::new(server.channel().await)
            .send_compressed(encoding)
            .accept_compressed(encoding)
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .expect("health answers");
        assert_eq!(encoding_of(&health).as_deref(), Some(name));
    }
}

#[tokio::test]
async fn a_client_that_does_not_compress_gets_plain_answers() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let converted = client
        .convert(conversion("1", "EUR", "USD", ""))
        .await
        .expect("converts");
    assert_eq!(encoding_of(&converted), None);
}

#[tokio::test]
async fn a_small_compressed_message_that_expands_past_the_limit_is_refused() {
    let (server, _clock) = TestServer::start_pinned().await;
    // A megabyte of one letter compresses to about a kilobyte: small on the
    // wire, sixteen times the limit once expanded.
    let bomb = ConvertRequest {
        request_id: "a".repeat(16 * MAX_REQUEST_MESSAGE_BYTES),
        ..conversion("1", "EUR", "USD", "")
    };
    for (encoding, _) in ENCODINGS {
        let mut client = compressing(server.channel().await, encoding).max_encoding_message_size(usize::MAX);
        let status = client.convert(bomb.clone()).await.expect_err("refused");
        assert!(
            matches!(status.code(), Code::ResourceExhausted | Code::OutOfRange),
            "{status:?}"
        );
    }
    // The server is still there.
    server.direct_convert("1", "EUR", "USD").await;
}
