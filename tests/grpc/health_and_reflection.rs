//! The standard services beside `bank.v1.BankService`: gRPC health checking
//! (`grpc.health.v1.Health`) and server reflection in both versions
//! (`grpc.reflection.v1` and `v1alpha`), which grpcurl, grpcui, Postman and
//! Python's grpcio rely on.

use bank_server::SERVICE_NAME;
use harness::{PATIENCE, TestServer};
use prost::Message;
use prost_types::FileDescriptorProto;
use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_reflection::pb::{v1, v1alpha};

const HEALTH_SERVICE: &str = "grpc.health.v1.Health";

#[tokio::test]
async fn health_reports_serving_for_the_server_and_the_bank_service() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut health = HealthClient::new(server.channel().await);
    for service in ["", SERVICE_NAME] {
        let response = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .expect("health answers")
            .into_inner();
        assert_eq!(response.status, ServingStatus::Serving as i32, "{service:?}");
    }
    let unknown = health
        .check(HealthCheckRequest {
            service: "bank.v1.NoSuchService".into(),
        })
        .await
        .expect_err("an unknown service has no health");
    assert_eq!(unknown.code(), Code::NotFound);
}

#[tokio::test]
async fn health_turns_not_serving_for_watchers_when_the_shutdown_begins() {
    let (mut server, _clock) = TestServer::start_pinned().await;
    let mut health = HealthClient::new(server.channel().await);
    let mut watches = Vec::new();
    for service in ["", SERVICE_NAME] {
        let mut watch = health
            .watch(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .expect("health watch opens")
            .into_inner();
        let first = tokio::time::timeout(PATIENCE, watch.message())
            .await
            .expect("the first status arrives in time")
            .expect("the watch is healthy")
            .expect("a first status");
        assert_eq!(first.status, ServingStatus::Serving as i32, "{service:?}");
        watches.push((service, watch));
    }

    server.begin_shutdown();
    for (service, watch) in &mut watches {
        let next = tokio::time::timeout(PATIENCE, watch.message())
            .await
            .expect("the drain is announced in time")
            .expect("the watch is healthy")
            .expect("a new status");
        assert_eq!(next.status, ServingStatus::NotServing as i32, "{service:?}");
    }
}

/// Sends one request on a v1 reflection stream and returns the answer.
async fn ask_v1(
    server: &TestServer,
    request: v1::server_reflection_request::MessageRequest,
) -> v1::server_reflection_response::MessageResponse {
    let mut client = v1::server_reflection_client::ServerReflectionClient::new(server.channel().await);
    let request = v1::ServerReflectionRequest {
        message_request: Some(request),
        ..Default::default()
    };
    let mut responses = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection v1 answers")
        .into_inner();
    tokio::time::timeout(PATIENCE, responses.message())
        .await
        .expect("the answer arrives in time")
        .expect("the stream is healthy")
        .expect("one answer")
        .message_response
        .expect("the answer has a response")
}

/// Sends one request on a v1alpha reflection stream and returns the answer.
async fn ask_v1alpha(
    server: &TestServer,
    request: v1alpha::server_reflection_request::MessageRequest,
) -> v1alpha::server_reflection_response::MessageResponse {
    let mut client = v1alpha::server_reflection_client::ServerReflectionClient::new(server.channel().await);
    let request = v1alpha::ServerReflectionRequest {
        message_request: Some(request),
        ..Default::default()
    };
    let mut responses = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection v1alpha answers")
        .into_inner();
    tokio::time::timeout(PATIENCE, responses.message())
        .await
        .expect("the answer arrives in time")
        .expect("the stream is healthy")
        .expect("one answer")
        .message_response
        .expect("the answer has a response")
}

/// Each reflection version lists the bank, health and itself.
fn assert_lists_our_services(names: &[&str], reflection: &str) {
    for expected in [SERVICE_NAME, HEALTH_SERVICE, reflection] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
}

#[tokio::test]
async fn reflection_v1_lists_the_bank_and_health_services() {
    let (server, _clock) = TestServer::start_pinned().await;
    let answer = ask_v1(
        &server,
        v1::server_reflection_request::MessageRequest::ListServices(String::new()),
    )
    .await;
    let v1::server_reflection_response::MessageResponse::ListServicesResponse(list) = answer else {
        panic!("expected a list of services, got {answer:?}");
    };
    let names: Vec<&str> = list.service.iter().map(|service| service.name.as_str()).collect();
    assert_lists_our_services(&names, "grpc.reflection.v1.ServerReflection");
}

#[tokio::test]
async fn reflection_v1alpha_lists_the_bank_and_health_services() {
    let (server, _clock) = TestServer::start_pinned().await;
    let answer = ask_v1alpha(
        &server,
        v1alpha::server_reflection_request::MessageRequest::ListServices(String::new()),
    )
    .await;
    let v1alpha::server_reflection_response::MessageResponse::ListServicesResponse(list) = answer else {
        panic!("expected a list of services, got {answer:?}");
    };
    let names: Vec<&str> = list.service.iter().map(|service| service.name.as_str()).collect();
    assert_lists_our_services(&names, "grpc.reflection.v1alpha.ServerReflection");
}

/// The decoded files of a descriptor answer.
fn files(encoded: &[Vec<u8>]) -> Vec<FileDescriptorProto> {
    encoded
        .iter()
        .map(|bytes| FileDescriptorProto::decode(bytes.as_slice()).expect("a FileDescriptorProto"))
        .collect()
}

/// The methods of `service` in the file of `package` among `files`.
fn methods(files: &[FileDescriptorProto], package: &str, service: &str) -> Vec<String> {
    files
        .iter()
        .filter(|file| file.package() == package)
        .flat_map(|file| &file.service)
        .filter(|described| described.name() == service)
        .flat_map(|described| &described.method)
        .map(|method| method.name().to_owned())
        .collect()
}

#[tokio::test]
async fn reflection_v1alpha_describes_the_health_service() {
    let (server, _clock) = TestServer::start_pinned().await;
    let answer = ask_v1alpha(
        &server,
        v1alpha::server_reflection_request::MessageRequest::FileContainingSymbol(HEALTH_SERVICE.into()),
    )
    .await;
    let v1alpha::server_reflection_response::MessageResponse::FileDescriptorResponse(descriptor) = answer
    else {
        panic!("expected a file descriptor, got {answer:?}");
    };
    let files = files(&descriptor.file_descriptor_proto);
    assert_eq!(methods(&files, "grpc.health.v1", "Health"), ["Check", "Watch"]);
}

#[tokio::test]
async fn reflection_describes_the_bank_service_with_its_six_rpcs() {
    let (server, _clock) = TestServer::start_pinned().await;
    let expected = [
        "ListCurrencies",
        "Convert",
        "StreamRates",
        "ConvertBatch",
        "ConvertSession",
        "GetRateHistory",
    ];

    let answer = ask_v1(
        &server,
        v1::server_reflection_request::MessageRequest::FileContainingSymbol(SERVICE_NAME.into()),
    )
    .await;
    let v1::server_reflection_response::MessageResponse::FileDescriptorResponse(descriptor) = answer else {
        panic!("expected a file descriptor, got {answer:?}");
    };
    assert_eq!(
        methods(
            &files(&descriptor.file_descriptor_proto),
            "bank.v1",
            "BankService"
        ),
        expected
    );

    let answer = ask_v1alpha(
        &server,
        v1alpha::server_reflection_request::MessageRequest::FileContainingSymbol(SERVICE_NAME.into()),
    )
    .await;
    let v1alpha::server_reflection_response::MessageResponse::FileDescriptorResponse(descriptor) = answer
    else {
        panic!("expected a file descriptor, got {answer:?}");
    };
    assert_eq!(
        methods(
            &files(&descriptor.file_descriptor_proto),
            "bank.v1",
            "BankService"
        ),
        expected
    );
}

#[tokio::test]
async fn reflection_answers_an_unknown_symbol_with_not_found() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = v1::server_reflection_client::ServerReflectionClient::new(server.channel().await);
    let request = v1::ServerReflectionRequest {
        message_request: Some(
            v1::server_reflection_request::MessageRequest::FileContainingSymbol("bank.v1.Nothing".into()),
        ),
        ..Default::default()
    };
    let mut responses = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection v1 answers")
        .into_inner();
    // tonic's reflection ends the stream with the status rather than
    // sending an `ErrorResponse`.
    let status = tokio::time::timeout(PATIENCE, responses.message())
        .await
        .expect("the answer arrives in time")
        .expect_err("the symbol is unknown");
    assert_eq!(status.code(), Code::NotFound);
}

/// The messages of `files` in `package`, by name.
fn messages(files: &[FileDescriptorProto], package: &str) -> Vec<String> {
    files
        .iter()
        .filter(|file| file.package() == package)
        .flat_map(|file| file.message_type.iter().map(|message| message.name().to_owned()))
        .collect()
}

#[tokio::test]
async fn reflection_serves_the_error_details_every_error_status_carries_in_both_versions() {
    let (server, _clock) = TestServer::start_pinned().await;
    for symbol in [
        "google.rpc.BadRequest",
        "google.rpc.LocalizedMessage",
        "google.rpc.Status",
    ] {
        let answer = ask_v1(
            &server,
            v1::server_reflection_request::MessageRequest::FileContainingSymbol(symbol.into()),
        )
        .await;
        let v1::server_reflection_response::MessageResponse::FileDescriptorResponse(descriptor) = answer
        else {
            panic!("{symbol}: expected a file descriptor, got {answer:?}");
        };
        let name = symbol.trim_start_matches("google.rpc.");
        assert!(
            messages(&files(&descriptor.file_descriptor_proto), "google.rpc")
                .iter()
                .any(|m| m == name),
            "{symbol}"
        );

        let answer = ask_v1alpha(
            &server,
            v1alpha::server_reflection_request::MessageRequest::FileContainingSymbol(symbol.into()),
        )
        .await;
        assert!(
            matches!(
                answer,
                v1alpha::server_reflection_response::MessageResponse::FileDescriptorResponse(_)
            ),
            "{symbol}: {answer:?}"
        );
    }
}
