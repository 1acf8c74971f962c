//! The page's listener (`--web-addr`): the page at `/`, and the service
//! over gRPC-Web, as a browser calls it.
//!
//! The calls are made from Rust the way a browser makes them: HTTP/1.1
//! (hyper's client), translated to gRPC-Web by tonic-web's client layer,
//! which also reads the status back out of the body. Each answer must be
//! the native gRPC call's for the same pinned tick; the same token check
//! and the same drain apply; CORS lets in only the origins given. The
//! listener's own bounds (a withheld request body, its connection cap) are
//! checked with raw HTTP/1.1 over TCP, as a misbehaving client sends it.

use std::net::SocketAddr;
use std::sync::Arc;

use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_proto::v1::call_event::Event;
use bank_proto::v1::classroom_service_client::ClassroomServiceClient;
use bank_proto::v1::{ConvertRequest, StreamRatesRequest, WatchCallsRequest};
use bank_server::{ApiTokens, Config};
use bytes::Bytes;
use harness::server_process::ServerProcess;
use harness::{PATIENCE, PINNED_UNIX_MS, SEED, TestServer, pinned_config};
use http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tonic::Code;
use tonic_types::StatusExt;
use tonic_web::{GrpcWebCall, GrpcWebClientLayer, GrpcWebClientService};

/// An origin the tests allow, as `--web-origin` would.
const ALLOWED_ORIGIN: &str = "http://localhost:5173";

/// A tick length (the default), to move the pinned clock by.
const TICK_MS: u64 = 1_000;

/// The request body timeout of the server that must refuse a withheld body:
/// short, since the test waits for it.
const SHORT_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(200);

/// How long the connection-cap test checks that a waiting connection gets
/// no answer. Any length would do: nothing answers it before the first
/// connection closes.
const WHILE_FULL: std::time::Duration = std::time::Duration::from_millis(300);

/// The updates the feed tests read: the pinned tick and two more.
const FEED_UPDATES: u32 = 3;

type WebChannel = GrpcWebClientService<Client<HttpConnector, GrpcWebCall<tonic::body::Body>>>;

/// A client of the service over gRPC-Web on the page's address `web`.
fn web_client(web: SocketAddr) -> BankServiceClient<WebChannel> {
    let http = Client::builder(TokioExecutor::new()).build_http();
    let channel = tower::ServiceBuilder::new()
        .layer(GrpcWebClientLayer::new())
        .service(http);
    let origin = format!("http://{web}").parse().expect("a valid origin");
    BankServiceClient::with_origin(channel, origin)
}

/// A plain HTTP/1.1 request to the page's listener: its status, its
/// headers and its body.
async fn fetch(request: Request<Empty<Bytes>>) -> (StatusCode, http::HeaderMap, Bytes) {
    let http = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let exchange = async {
        let response = http.request(request).await.expect("the listener answers");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("the body arrives").to_bytes();
        (parts.status, parts.headers, body)
    };
    tokio::time::timeout(PATIENCE, exchange)
        .await
        .expect("the listener answers in time")
}

fn get(web: SocketAddr, path: &str) -> Request<Empty<Bytes>> {
    Request::get(format!("http://{web}{path}"))
        .body(Empty::new())
        .expect("a valid request")
}

/// The preflight a browser sends before a gRPC-Web call from `origin`.
fn preflight(web: SocketAddr, origin: &str) -> Request<Empty<Bytes>> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri(format!("http://{web}/bank.v1.BankService/Convert"))
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type,x-grpc-web")
        .body(Empty::new())
        .expect("a valid request")
}

fn conversion() -> ConvertRequest {
    ConvertRequest {
        amount: "1234.56".into(),
        from_currency: "EUR".into(),
        to_currency: "JPY".into(),
        request_id: String::new(),
        at: None,
    }
}

fn feed() -> StreamRatesRequest {
    StreamRatesRequest {
        pairs: vec!["EUR/USD".into(), "GBP/JPY".into()],
        max_updates: FEED_UPDATES,
        from_sequence: 0,
    }
}

#[tokio::test]
async fn a_grpc_web_conversion_gives_the_native_answer_for_the_same_tick() {
    let clock = Arc::new(bank_domain::clock::ManualClock::new(PINNED_UNIX_MS));
    let (server, web) = TestServer::start_with_web(pinned_config(&clock), &[]).await;
    let native = server
        .client()
        .await
        .convert(conversion())
        .await
        .expect("the native call succeeds")
        .into_inner();
    let over_web = tokio::time::timeout(PATIENCE, web_client(web).convert(conversion()))
        .await
        .expect("the gRPC-Web call answers in time")
        .expect("the gRPC-Web call succeeds")
        .into_inner();
    assert_eq!(over_web, native);
    assert!(!over_web.converted_amount.is_empty());
}

#[tokio::test]
async fn a_grpc_web_feed_gives_the_native_updates_tick_by_tick() {
    let clock = Arc::new(bank_domain::clock::ManualClock::new(PINNED_UNIX_MS));
    let (server, web) = TestServer::start_with_web(pinned_config(&clock), &[]).await;
    let mut native = server
        .client()
        .await
        .stream_rates(feed())
        .await
        .expect("the native feed opens")
        .into_inner();
    let mut over_web = tokio::time::timeout(PATIENCE, web_client(web).stream_rates(feed()))
        .await
        .expect("the gRPC-Web feed opens in time")
        .expect("the gRPC-Web feed opens")
        .into_inner();
    let mut sequences = Vec::new();
    for tick in 0..u64::from(FEED_UPDATES) {
        if tick > 0 {
            clock.set(PINNED_UNIX_MS + tick * TICK_MS);
        }
        let expected = tokio::time::timeout(PATIENCE, native.message())
            .await
            .expect("a native update in time")
            .expect("the native feed is healthy")
            .expect("the native feed goes on");
        let got = tokio::time::timeout(PATIENCE, over_web.message())
            .await
            .expect("a gRPC-Web update in time")
            .expect("the gRPC-Web feed is healthy")
            .expect("the gRPC-Web feed goes on");
        assert_eq!(got, expected, "tick {tick}");
        sequences.push(got.sequence);
    }
    assert!(
        sequences.windows(2).all(|pair| pair[0] < pair[1]),
        "sequences increase: {sequences:?}"
    );
    let end = tokio::time::timeout(PATIENCE, over_web.message())
        .await
        .expect("the gRPC-Web feed ends in time")
        .expect("the gRPC-Web feed ends cleanly");
    assert!(end.is_none(), "max_updates ends the feed");
}

#[tokio::test]
async fn a_grpc_web_feed_ends_with_unavailable_when_the_server_drains() {
    let (mut server, web) = TestServer::start_with_web(Config::with_seed(SEED), &[]).await;
    let mut request = feed();
    request.max_updates = 0;
    let mut over_web = tokio::time::timeout(PATIENCE, web_client(web).stream_rates(request))
        .await
        .expect("the gRPC-Web feed opens in time")
        .expect("the gRPC-Web feed opens")
        .into_inner();
    tokio::time::timeout(PATIENCE, over_web.message())
        .await
        .expect("a first update in time")
        .expect("the feed is healthy");
    server.begin_shutdown();
    let ended = tokio::time::timeout(PATIENCE, async {
        loop {
            match over_web.message().await {
                Ok(Some(_)) => {}
                Ok(None) => return None,
                Err(status) => return Some(status.code()),
            }
        }
    })
    .await
    .expect("the feed ends in time");
    assert_eq!(ended, Some(Code::Unavailable));
    server.stop().await.expect("the server stops cleanly");
}

#[tokio::test]
async fn with_tokens_a_grpc_web_call_without_a_token_is_unauthenticated() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("tokens");
    std::fs::write(&path, "a-token-for-the-page\n").expect("token file written");
    let mut config = Config::with_seed(SEED);
    config.auth_tokens = Some(Arc::new(ApiTokens::load(&path).expect("the token file loads")));
    let (_server, web) = TestServer::start_with_web(config, &[]).await;
    let mut client = web_client(web);

    let refused = tokio::time::timeout(PATIENCE, client.convert(conversion()))
        .await
        .expect("an answer in time")
        .expect_err("refused without a token");
    assert_eq!(refused.code(), Code::Unauthenticated);

    let mut request = tonic::Request::new(conversion());
    request.metadata_mut().insert(
        "authorization",
        "Bearer a-token-for-the-page".parse().expect("valid metadata"),
    );
    tokio::time::timeout(PATIENCE, client.convert(request))
        .await
        .expect("an answer in time")
        .expect("accepted with the token");
}

#[tokio::test]
async fn the_page_is_served_at_the_root_as_html_and_revalidated_by_its_etag() {
    let (_server, web) = TestServer::start_with_web(Config::with_seed(SEED), &[]).await;
    let (status, headers, body) = fetch(get(web, "/")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    let html = String::from_utf8(body.to_vec()).expect("UTF-8 HTML");
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(html.contains("app.js"), "the page loads its script");

    let etag = headers[header::ETAG].clone();
    let mut again = get(web, "/");
    again.headers_mut().insert(header::IF_NONE_MATCH, etag);
    let (status, _, body) = fetch(again).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());

    for (path, content_type) in [
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/app.css", "text/css; charset=utf-8"),
    ] {
        let (status, headers, body) = fetch(get(web, path)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers[header::CONTENT_TYPE], content_type, "{path}");
        assert!(!body.is_empty(), "{path}");
    }
    let (status, _, _) = fetch(get(web, "/no-such-file")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_preflight_is_accepted_from_an_allowed_origin_only() {
    let (_server, web) = TestServer::start_with_web(Config::with_seed(SEED), &[ALLOWED_ORIGIN]).await;

    let (_, headers, _) = fetch(preflight(web, ALLOWED_ORIGIN)).await;
    assert_eq!(
        headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .map(|value| value.as_bytes()),
        Some(ALLOWED_ORIGIN.as_bytes())
    );
    let allowed_headers = headers
        .get(header::ACCESS_CONTROL_ALLOW_HEADERS)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    assert!(allowed_headers.contains("x-grpc-web"), "{allowed_headers}");

    let (_, headers, _) = fetch(preflight(web, "http://elsewhere.example:8080")).await;
    assert_eq!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN), None);
}

#[test]
fn the_page_is_off_unless_its_address_is_given() {
    let without = ServerProcess::start();
    assert_eq!(without.listening_line()["web"], "off");

    let with = ServerProcess::start_with(&["--web-addr", "127.0.0.1:0"]);
    let web = with.listening_line()["web"].clone();
    let addr: SocketAddr = web
        .as_str()
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("the page's address: {web}"));
    assert_ne!(addr.port(), 0);
}

/// Reads from `tcp` until `done` holds for what arrived, the peer closes,
/// or [`PATIENCE`] passes; returns what arrived.
async fn read_until(tcp: &mut TcpStream, done: impl Fn(&str) -> bool) -> String {
    let mut received = Vec::new();
    let reading = async {
        let mut chunk = [0_u8; 4096];
        // Bounded: each pass reads at least one byte or ends.
        loop {
            let read = tcp.read(&mut chunk).await.expect("the connection reads");
            received.extend_from_slice(&chunk[..read]);
            if read == 0 || done(&String::from_utf8_lossy(&received)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(PATIENCE, reading).await;
    String::from_utf8_lossy(&received).into_owned()
}

/// The status of a trailers-only gRPC-Web answer (the status in the HTTP
/// headers), with its details, if it came.
fn grpc_status(answer: &str) -> Option<tonic::Status> {
    let (head, _body) = answer.split_once("\r\n\r\n")?;
    let mut headers = http::HeaderMap::new();
    for line in head.lines().skip(1) {
        let (name, value) = line.split_once(':')?;
        let name = http::HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
        headers.append(name, value.trim().parse().ok()?);
    }
    tonic::Status::from_header_map(&headers)
}

#[tokio::test]
async fn a_grpc_web_call_whose_body_never_comes_is_refused_after_the_request_body_timeout() {
    let mut config = Config::with_seed(SEED);
    config.transport.request_body_timeout = SHORT_BODY_TIMEOUT;
    let (_server, web) = TestServer::start_with_web(config, &[]).await;

    let mut tcp = TcpStream::connect(web).await.expect("the listener accepts");
    // The headers of a Convert that announce a body, and then nothing.
    let headers = "POST /bank.v1.BankService/Convert HTTP/1.1\r\nhost: bank\r\n\
                   content-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\n\
                   content-length: 64\r\n\r\n";
    tcp.write_all(headers.as_bytes())
        .await
        .expect("the headers leave");

    let answer = read_until(&mut tcp, |answer| grpc_status(answer).is_some()).await;
    let status = grpc_status(&answer).unwrap_or_else(|| panic!("a status: {answer}"));
    assert_eq!(status.code(), Code::Cancelled);
    let details = status.get_error_details();
    let reason = details.error_info().map(|info| info.reason.as_str());
    assert_eq!(reason, Some("REQUEST_TOO_SLOW"));
}

#[tokio::test]
async fn a_grpc_web_request_larger_than_the_message_limit_is_refused_as_resource_exhausted() {
    let (_server, web) = TestServer::start_with_web(Config::with_seed(SEED), &[]).await;

    let mut tcp = TcpStream::connect(web).await.expect("the listener accepts");
    let body = vec![0_u8; bank_server::limits::MAX_REQUEST_MESSAGE_BYTES + 64];
    let headers = format!(
        "POST /bank.v1.BankService/Convert HTTP/1.1\r\nhost: bank\r\n\
         content-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    );
    tcp.write_all(headers.as_bytes())
        .await
        .expect("the headers leave");
    // The server may answer before it has read it all; what it left
    // unread does not matter.
    let _ = tcp.write_all(&body).await;

    let answer = read_until(&mut tcp, |answer| grpc_status(answer).is_some()).await;
    let status = grpc_status(&answer).unwrap_or_else(|| panic!("a status: {answer}"));
    assert_eq!(status.code(), Code::ResourceExhausted);
}

#[tokio::test]
async fn at_its_connection_cap_the_listener_accepts_the_next_connection_only_when_one_closes() {
    let mut config = Config::with_seed(SEED);
    config.transport.max_web_connections = 1;
    let (_server, web) = TestServer::start_with_web(config, &[]).await;
    let page = "GET / HTTP/1.1\r\nhost: bank\r\n\r\n";
    let answered = |answer: &str| answer.starts_with("HTTP/1.1 200");

    let mut first = TcpStream::connect(web).await.expect("the listener accepts");
    first
        .write_all(page.as_bytes())
        .await
        .expect("the request leaves");
    assert!(answered(&read_until(&mut first, answered).await));

    // The kernel takes the second connection into the listener's backlog;
    // the server does not accept it while the first is open, so its
    // request waits, unanswered, however long the test waits.
    let mut second = TcpStream::connect(web).await.expect("the kernel queues it");
    second
        .write_all(page.as_bytes())
        .await
        .expect("the request leaves");
    let mut byte = [0_u8; 1];
    let early = tokio::time::timeout(WHILE_FULL, second.read(&mut byte)).await;
    assert!(early.is_err(), "no answer while the cap is reached");

    drop(first);
    assert!(answered(&read_until(&mut second, answered).await));
}

#[tokio::test]
async fn server_json_tells_the_page_the_grpc_port_the_server_clock_and_which_options_are_on() {
    let clock = Arc::new(bank_domain::clock::ManualClock::new(PINNED_UNIX_MS));
    let mut config = pinned_config(&clock);
    config.classroom = true;
    let (server, web) = TestServer::start_with_web(config, &[]).await;

    let (status, headers, body) = fetch(get(web, "/server.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let about: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    let port: u16 = server
        .url()
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .expect("the gRPC port in the server's URL");
    assert_eq!(about["grpc_port"], port);
    assert_eq!(about["classroom"], true);
    assert_eq!(about["tokens"], false);
    assert_eq!(about["tls"], false);
    // The server's clock, not the machine's: the page asks for history up
    // to the server's now.
    assert_eq!(about["now_unix_ms"], PINNED_UNIX_MS);
    assert_eq!(about["tick_ms"], TICK_MS);
}

#[test]
fn the_page_shows_each_models_rpc_exactly_as_the_proto_writes_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let page = std::fs::read_to_string(root.join("web/src/index.html")).expect("the page's HTML");
    let proto = std::fs::read_to_string(root.join("proto/bank/v1/bank.proto")).expect("the contract");
    let written: Vec<&str> = proto.lines().map(str::trim).collect();
    let shown: Vec<&str> = page
        .split(r#"<pre class="rpc"><code>"#)
        .skip(1)
        .filter_map(|rest| rest.split("</code>").next())
        .collect();
    let methods: Vec<&str> = shown
        .iter()
        .map(|rpc| {
            assert!(written.contains(rpc), "{rpc:?} is not in bank.proto");
            rpc.trim_start_matches("rpc ")
                .split('(')
                .next()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        methods,
        ["Convert", "StreamRates", "ConvertBatch", "ConvertSession"]
    );
}

#[tokio::test]
async fn a_grpc_web_call_appears_in_the_classroom_as_a_numbered_client_on_stream_zero() {
    let mut config = Config::with_seed(SEED);
    config.classroom = true;
    let (server, web) = TestServer::start_with_web(config, &[]).await;
    let mut events = ClassroomServiceClient::new(server.channel().await)
        .watch_calls(WatchCallsRequest {})
        .await
        .expect("the watch opens")
        .into_inner();

    tokio::time::timeout(PATIENCE, web_client(web).convert(conversion()))
        .await
        .expect("an answer in time")
        .expect("converted");

    let first = tokio::time::timeout(PATIENCE, events.message())
        .await
        .expect("an event in time")
        .expect("a healthy watch")
        .expect("the watch goes on");
    let Some(Event::Started(started)) = first.event else {
        panic!("the call's first event is its start: {first:?}")
    };
    assert_eq!(started.method, "/bank.v1.BankService/Convert");
    // Numbered from the gRPC port's counter, like any client; HTTP/1.1
    // has no streams, so the stream is 0.
    let number = started.connection.strip_prefix("client ");
    assert!(
        number.is_some_and(|number| number.parse::<u64>().is_ok_and(|n| n > 0)),
        "{}",
        started.connection
    );
    assert_eq!(started.http2_stream, 0);
}
