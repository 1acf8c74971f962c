//! Which protocol a server speaks, asked directly, for the one mistake the
//! transport never names: `http://` to a TLS server, or `https://` to a
//! plaintext one.
//!
//! A plaintext client's HTTP/2 preface means nothing to a TLS server, which
//! drops the connection: tonic reports a cancelled call or an unavailable
//! server, at random. A TLS client's hello means nothing to a plaintext
//! HTTP/2 server, which answers with a frame that rustls calls a corrupt
//! message. Neither says "use the other scheme". So when a command fails in
//! one of those ways, [`diagnose`] opens one more connection and asks the
//! question a person would: it sends the opening bytes of the other
//! protocol and looks at the first bytes of the answer.
//!
//! - A TLS server answers a TLS ClientHello with a handshake record (a
//!   ServerHello) or an alert: a record header, content type 22 or 21, then
//!   version major 3.
//! - A plaintext HTTP/2 server answers the connection preface with its
//!   SETTINGS frame (RFC 9113 §3.4): a 9-byte frame header of type 4.
//!
//! Each probe is one short connection, bounded by `--timeout`, and only
//! ever made after a failure: a working command never pays for it.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::error::{CliError, is_transport_error};

/// The HTTP/2 connection preface, followed by an empty SETTINGS frame.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// TLS record content types a TLS server starts its answer with.
const TLS_HANDSHAKE: u8 = 22;
const TLS_ALERT: u8 = 21;

/// The HTTP/2 frame type of SETTINGS.
const H2_SETTINGS: u8 = 4;

/// The longest a probe waits, whatever `--timeout` says: a server that
/// speaks either protocol answers its opening bytes at once.
const MAX_PROBE_WAIT: Duration = Duration::from_secs(3);

/// `error`, or a [`CliError::WrongScheme`] when the server it failed on
/// (one URL: a list of replicas is left alone) turns out to speak the other
/// protocol.
pub async fn diagnose(error: CliError, timeout: Duration) -> CliError {
    let (server, suspicious) = match &error {
        CliError::Unreachable { url }
        | CliError::Status { url, .. }
        | CliError::BatchIncomplete { url, .. }
            if url.starts_with("http://") =>
        {
            (url.clone(), plaintext_failure(&error))
        }
        CliError::TlsHandshake { url, .. } => (url.clone(), url.starts_with("https://")),
        _ => return error,
    };
    if !suspicious || server.contains(',') {
        return error;
    }
    let Some(authority) = authority(&server) else {
        return error;
    };
    let wait = timeout.min(MAX_PROBE_WAIT);
    if let Some(rest) = server.strip_prefix("https://") {
        if speaks_plaintext_http2(&authority, wait).await {
            return CliError::WrongScheme {
                suggested: format!("http://{rest}"),
                url: server,
                server_speaks_tls: false,
            };
        }
    } else if let Some(rest) = server.strip_prefix("http://")
        && speaks_tls(&authority, wait).await
    {
        return CliError::WrongScheme {
            suggested: format!("https://{rest}"),
            url: server,
            server_speaks_tls: true,
        };
    }
    error
}

/// Whether a plaintext call failed the way it does against TLS: the
/// connection broke under it (a transport error, which tonic reports as
/// UNAVAILABLE or CANCELLED), rather than the server answering.
fn plaintext_failure(error: &CliError) -> bool {
    match error {
        CliError::Unreachable { .. } => true,
        CliError::Status { status, .. } | CliError::BatchIncomplete { status, .. } => {
            is_transport_error(status) || status.code() == tonic::Code::Cancelled
        }
        _ => false,
    }
}

/// `host:port` of a URL (the port defaulting to the scheme's).
fn authority(url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    let host = uri.host()?;
    let port = uri.port_u16().unwrap_or(if uri.scheme_str() == Some("https") {
        443
    } else {
        80
    });
    Some(format!("{host}:{port}"))
}

/// Sends a TLS ClientHello and reads whether a TLS record comes back.
pub async fn speaks_tls(authority: &str, wait: Duration) -> bool {
    let Some(hello) = client_hello(authority) else {
        return false;
    };
    first_bytes(authority, &hello, 3, wait)
        .await
        .is_some_and(|answer| matches!(answer[0], TLS_HANDSHAKE | TLS_ALERT) && answer[1] == 3)
}

/// Sends the HTTP/2 preface and reads whether a SETTINGS frame comes back.
pub async fn speaks_plaintext_http2(authority: &str, wait: Duration) -> bool {
    first_bytes(authority, H2_PREFACE, 9, wait)
        .await
        .is_some_and(|answer| answer[3] == H2_SETTINGS)
}

/// Connects, writes `opening`, and reads the first `count` bytes of the
/// answer; `None` if any of it fails or takes longer than `wait`.
async fn first_bytes(authority: &str, opening: &[u8], count: usize, wait: Duration) -> Option<Vec<u8>> {
    let exchange = async {
        let mut stream = TcpStream::connect(authority).await.ok()?;
        stream.write_all(opening).await.ok()?;
        let mut answer = vec![0; count];
        stream.read_exact(&mut answer).await.ok()?;
        Some(answer)
    };
    tokio::time::timeout(wait, exchange).await.ok().flatten()
}

/// The bytes of a TLS ClientHello for `authority`'s host, made by rustls
/// (the handshake goes no further, so no certificate is ever checked).
fn client_hello(authority: &str) -> Option<Vec<u8>> {
    use rustls::pki_types::ServerName;
    let host = authority.rsplit_once(':').map_or(authority, |(host, _)| host);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let name = ServerName::try_from(host.to_owned()).ok()?;
    let config =
        rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .ok()?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
    let mut connection = rustls::ClientConnection::new(Arc::new(config), name).ok()?;
    let mut hello = Vec::new();
    connection.write_tls(&mut hello).ok()?;
    Some(hello)
}
