//! The page's files, embedded in the binary when it is built.
//!
//! `web/` holds the page's sources (TypeScript, Fluent catalogs) and
//! `npm run build` there writes `web/dist/`, which is committed: so
//! `cargo build` needs no Node, and these `include_bytes!` take the files
//! as they are in the repository (Cargo rebuilds when one changes).
//!
//! Cache policy: every answer carries an `ETag` (a hash of the file,
//! computed once) and `Cache-Control: no-cache`, so a browser keeps the
//! files but asks each time whether they changed, and gets `304 Not
//! Modified` (no body) until a new server serves new files. The names stay
//! the same from build to build, which is what makes a longer policy
//! unsafe: an upgraded server would otherwise keep serving yesterday's
//! script from the browser's cache.

use std::sync::{Arc, LazyLock};

use bank_domain::clock::Clock;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use sha2::{Digest, Sha256};

/// One embedded file.
struct Asset {
    /// The path it is served at.
    path: &'static str,
    bytes: &'static [u8],
    content_type: &'static str,
}

/// The page: its HTML, its script and its style sheet.
const ASSETS: [Asset; 3] = [
    Asset {
        path: "/",
        bytes: include_bytes!("../../web/dist/index.html"),
        content_type: "text/html; charset=utf-8",
    },
    Asset {
        path: "/app.js",
        bytes: include_bytes!("../../web/dist/app.js"),
        content_type: "text/javascript; charset=utf-8",
    },
    Asset {
        path: "/app.css",
        bytes: include_bytes!("../../web/dist/app.css"),
        content_type: "text/css; charset=utf-8",
    },
];

/// The revalidation policy described in the module documentation.
const CACHE_CONTROL: &str = "no-cache";

/// What the page may load and connect to: only this origin (the script
/// and the style sheet are files, never inline), nothing framed.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The media type of the answers that are not files (404, 405).
const PLAIN_TEXT: &str = "text/plain; charset=utf-8";

/// The `ETag` of each asset, in the order of [`ASSETS`].
static ETAGS: LazyLock<Vec<HeaderValue>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| {
            let digest = Sha256::digest(asset.bytes);
            let hex: String = digest[..12].iter().map(|byte| format!("{byte:02x}")).collect();
            HeaderValue::from_str(&format!("\"{hex}\"")).unwrap_or(HeaderValue::from_static("\"\""))
        })
        .collect()
});

/// What the page learns of the server it came from, at `GET /server.json`:
/// enough to show a command that reaches the same server over gRPC. Built
/// once when the listener starts; never cached by the browser.
#[derive(Clone, serde::Serialize)]
pub(crate) struct About {
    /// The gRPC port (the page pairs it with the host it was loaded from:
    /// the server may listen on every address, and only the reader knows
    /// which name reaches it).
    pub grpc_port: u16,
    /// The gRPC port speaks TLS (`https://` in the command).
    pub tls: bool,
    /// `--classroom` is on: `ClassroomService` answers.
    pub classroom: bool,
    /// `--auth-tokens` is on: every call needs a token.
    pub tokens: bool,
    /// The length of a tick, in milliseconds.
    pub tick_ms: u64,
    /// The rate board's clock, read at each answer as `now_unix_ms`: the
    /// page asks for history up to the server's now, not its own (a
    /// browser's clock may be ahead, and a tick not yet started is never
    /// served). Now is no secret: it is not a tick's rate.
    #[serde(skip)]
    pub clock: Arc<dyn Clock>,
}

/// [`About`] as sent: with the server's now.
#[derive(serde::Serialize)]
struct AboutNow<'a> {
    #[serde(flatten)]
    about: &'a About,
    now_unix_ms: u64,
}

/// The path of [`About`].
pub(super) const ABOUT_PATH: &str = "/server.json";

impl About {
    /// The answer to `GET /server.json`.
    pub(super) fn respond<T>(&self, request: &Request<T>) -> Response<tonic::body::Body> {
        if request.method() != Method::GET && request.method() != Method::HEAD {
            return not_allowed();
        }
        let now = AboutNow {
            about: self,
            now_unix_ms: self.clock.now_unix_ms(),
        };
        let json = serde_json::to_vec(&now).unwrap_or_default();
        let body = if request.method() == Method::HEAD {
            tonic::body::Body::empty()
        } else {
            tonic::body::Body::new(Full::new(Bytes::from(json)))
        };
        let mut response = Response::new(body);
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        response
    }
}

fn not_allowed() -> Response<tonic::body::Body> {
    let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

/// The answer to a request for a file of the page.
pub(super) fn respond<T>(request: &Request<T>) -> Response<tonic::body::Body> {
    let path = match request.uri().path() {
        "/index.html" => "/",
        path => path,
    };
    let Some(index) = ASSETS.iter().position(|asset| asset.path == path) else {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    };
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return not_allowed();
    }
    let asset = &ASSETS[index];
    let etag = &ETAGS[index];
    let fresh = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .is_some_and(|given| given == etag);
    let (status, body) = if fresh {
        (StatusCode::NOT_MODIFIED, tonic::body::Body::empty())
    } else if request.method() == Method::HEAD {
        (StatusCode::OK, tonic::body::Body::empty())
    } else {
        (
            StatusCode::OK,
            tonic::body::Body::new(Full::new(Bytes::from_static(asset.bytes))),
        )
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    headers.insert(header::ETAG, etag.clone());
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if asset.content_type.starts_with("text/html") {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    response
}

fn plain(status: StatusCode, text: &'static str) -> Response<tonic::body::Body> {
    let mut response = Response::new(tonic::body::Body::new(Full::new(Bytes::from_static(
        text.as_bytes(),
    ))));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PLAIN_TEXT));
    response
}
