//! Optional API tokens for `bank.v1.BankService`.
//!
//! Lifecycle. `bank-server --auth-tokens FILE` loads the file once at
//! start-up with [`ApiTokens::load`] (one token per line; blank lines and
//! `#` comments ignored); a missing, unreadable, oversized, empty or
//! incomplete file stops the server before it listens. Only the SHA-256
//! digest of each token is kept, so no token sits in memory or can reach a
//! log line. On SIGHUP ([`reload_on_sighup`]) the file is read again
//! ([`ApiTokens::reload`]) and the new set is swapped in atomically through
//! an [`ArcSwap`]: calls in flight keep the set they started with, the next
//! call sees the new one, and a reload that fails (file gone, bad line,
//! empty, incomplete) keeps the previous set and logs a warning. On every call,
//! [`RequireToken`], a tonic interceptor in front of the BankService only,
//! reads `authorization: Bearer <token>` and lets the call through when the
//! token is in the set; health and reflection are not behind it.
//!
//! Every refusal is the same UNAUTHENTICATED status with the same message,
//! whether the header was missing, the scheme wrong or the token unknown, so
//! a caller learns nothing about which part failed; it is counted and
//! logged as [`Refusal::Unauthenticated`], without the header. The token's
//! digest is compared with every digest in the set in constant time
//! (`subtle`), without stopping at the first match or the first differing
//! byte: the time taken says neither how close a guess was nor which token
//! matched. Comparing digests rather than the tokens themselves also hides
//! the tokens' lengths.
//!
//! Reading the file atomically. A reload sees the old file or the new one,
//! never half of one:
//!
//! - the file is read whole, through one open handle, before any of it is
//!   parsed or swapped in; a file replaced by a rename while it is read is
//!   still the old one to that handle;
//! - the file must end with a newline. A writer caught mid-write (an editor
//!   or `echo` rewriting the file in place) leaves a last line without one,
//!   possibly a token's prefix: such a file is refused as
//!   [`TokenFileError::Incomplete`], like any bad file, so the prefix never
//!   becomes a token and a reload keeps the previous set.
//!
//! A file rewritten in place can still be caught cut right after a complete
//! line, holding only the first tokens of the new set; so operators should
//! replace the file atomically: write a temporary file in the same folder
//! and rename it over the old one (Kubernetes Secret volumes already swap
//! their files this way).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};
use tonic::Status;

use crate::metrics::{Metrics, Refusal};

/// Largest token file read. A token file holds a few dozen lines; a file a
/// megabyte long is a wrong path (a log, a binary), and reading it whole on
/// every SIGHUP would be wasteful.
pub const MAX_TOKEN_FILE_BYTES: u64 = 1024 * 1024;

/// The metadata key the token travels in (HTTP's `Authorization`).
pub const AUTHORIZATION: &str = "authorization";

/// The one message of every refusal: it must not say which part failed.
pub const UNAUTHENTICATED_MESSAGE: &str = "a valid API token is required";

/// The authentication scheme, compared case-insensitively (RFC 7235).
const BEARER: &[u8] = b"bearer ";

/// Why a token file cannot be used. Never holds a token: a bad line is
/// named by its number only.
#[derive(Debug, thiserror::Error)]
pub enum TokenFileError {
    #[error("cannot read the token file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the token file {path} is larger than {MAX_TOKEN_FILE_BYTES} bytes")]
    TooLarge { path: PathBuf },
    #[error(
        "line {line} of the token file {path} is not a usable token: tokens are printable ASCII without spaces"
    )]
    InvalidLine { path: PathBuf, line: usize },
    #[error("the token file {path} holds no token")]
    Empty { path: PathBuf },
    #[error(
        "the token file {path} does not end with a newline: its last line may be half-written; replace the file whole (write a temporary file, then rename it over the old one)"
    )]
    Incomplete { path: PathBuf },
}

/// SHA-256 digests of the accepted tokens.
struct TokenSet {
    digests: Vec<[u8; 32]>,
}

impl TokenSet {
    /// Parses the text of a token file; `Err` holds the 1-based number of
    /// the first bad line.
    fn parse(text: &str) -> Result<Self, usize> {
        let mut digests = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let token = line.trim();
            if token.is_empty() || token.starts_with('#') {
                continue;
            }
            // A token the client could not put in a header value after
            // "Bearer " would never match: refuse the file instead.
            if !token.bytes().all(|byte| byte.is_ascii_graphic()) {
                return Err(index + 1);
            }
            digests.push(digest(token.as_bytes()));
        }
        Ok(Self { digests })
    }

    /// Whether `token` is in the set, in time that depends only on the
    /// number of tokens.
    fn contains(&self, token: &[u8]) -> bool {
        let presented = digest(token);
        let mut found = Choice::from(0);
        for accepted in &self.digests {
            found |= accepted.ct_eq(&presented);
        }
        found.into()
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The accepted tokens, reloadable from their file.
pub struct ApiTokens {
    path: PathBuf,
    tokens: ArcSwap<TokenSet>,
}

impl std::fmt::Debug for ApiTokens {
    // By hand, so that no future field could print a token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiTokens")
            .field("path", &self.path)
            .field("count", &self.len())
            .finish()
    }
}

impl ApiTokens {
    /// Reads the token file at `path`.
    pub fn load(path: impl Into<PathBuf>) -> Result<Self, TokenFileError> {
        let path = path.into();
        let tokens = read_token_file(&path)?;
        Ok(Self {
            path,
            tokens: ArcSwap::from_pointee(tokens),
        })
    }

    /// Reads the file again and swaps the new set in; on error the current
    /// set stays. Returns the number of tokens now accepted.
    pub fn reload(&self) -> Result<usize, TokenFileError> {
        let tokens = read_token_file(&self.path)?;
        let count = tokens.digests.len();
        self.tokens.store(Arc::new(tokens));
        Ok(count)
    }

    /// The file the tokens come from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many tokens are accepted.
    pub fn len(&self) -> usize {
        self.tokens.load().digests.len()
    }

    /// Always false: an empty file is refused. Here for clippy's sake.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the value of an `authorization` header carries an accepted
    /// bearer token.
    pub fn accepts(&self, authorization: Option<&[u8]>) -> bool {
        let Some(value) = authorization else {
            return false;
        };
        let Some(scheme) = value.get(..BEARER.len()) else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case(BEARER) {
            return false;
        }
        let token = value[BEARER.len()..].trim_ascii();
        !token.is_empty() && self.tokens.load().contains(token)
    }
}

/// Reads the whole file through one handle, then checks and parses it: a
/// set is built only from a complete file (see the module documentation).
fn read_token_file(path: &Path) -> Result<TokenSet, TokenFileError> {
    use std::io::Read;

    let read_error = |source| TokenFileError::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    // Read one byte past the limit to tell "exactly at the limit" from
    // "over it" without trusting the file's metadata.
    let mut text = String::new();
    file.take(MAX_TOKEN_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(read_error)?;
    if text.len() as u64 > MAX_TOKEN_FILE_BYTES {
        return Err(TokenFileError::TooLarge {
            path: path.to_owned(),
        });
    }
    // A last line without its newline may be a token cut short by a writer
    // still at work: refused before it could be parsed as a token. (An empty
    // file is left to the "no token" error below.)
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(TokenFileError::Incomplete {
            path: path.to_owned(),
        });
    }
    let tokens = TokenSet::parse(&text).map_err(|line| TokenFileError::InvalidLine {
        path: path.to_owned(),
        line,
    })?;
    if tokens.digests.is_empty() {
        // Most often a file caught half-written: refusing it keeps the
        // previous tokens rather than locking every client out.
        return Err(TokenFileError::Empty {
            path: path.to_owned(),
        });
    }
    Ok(tokens)
}

/// Reloads `tokens` on every SIGHUP until the process ends. The signal
/// handler is installed before this returns, so a SIGHUP sent right after
/// is not lost (nor does it kill the process, SIGHUP's default).
#[cfg(unix)]
pub fn reload_on_sighup(tokens: Arc<ApiTokens>) -> std::io::Result<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{SignalKind, signal};

    let mut hangups = signal(SignalKind::hangup())?;
    Ok(tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match tokens.reload() {
                Ok(count) => tracing::info!(path = %tokens.path().display(), count, "API tokens reloaded"),
                Err(error) => {
                    tracing::warn!(%error, count = tokens.len(), "API tokens not reloaded; keeping the previous ones");
                }
            }
        }
    }))
}

/// The check in front of the BankService (made by the router,
/// `crate::calls`): with tokens, every call
/// needs an accepted one; without, every call goes through. Refusals are
/// counted in `metrics`.
#[derive(Clone, Debug, Default)]
pub struct RequireToken {
    tokens: Option<Arc<ApiTokens>>,
    metrics: Arc<Metrics>,
}

impl RequireToken {
    pub fn new(tokens: Option<Arc<ApiTokens>>, metrics: Arc<Metrics>) -> Self {
        Self { tokens, metrics }
    }
}

impl RequireToken {
    /// Whether the call with `headers` may go on: without tokens, always;
    /// with, when it shows an accepted one. The token is then taken out of
    /// the headers: the handlers have no use for the secret.
    pub fn check(&self, headers: &mut http::HeaderMap) -> Result<(), Status> {
        let Some(tokens) = &self.tokens else {
            return Ok(());
        };
        let header = headers.get(AUTHORIZATION).map(http::HeaderValue::as_bytes);
        if !tokens.accepts(header) {
            self.metrics.record_refusal(Refusal::Unauthenticated);
            return Err(crate::status::token_rejected(UNAUTHENTICATED_MESSAGE));
        }
        headers.remove(AUTHORIZATION);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> ApiTokens {
        ApiTokens {
            path: PathBuf::from("(test)"),
            tokens: ArcSwap::from_pointee(TokenSet::parse(text).expect("valid token text")),
        }
    }

    #[test]
    fn blank_lines_comments_and_surrounding_spaces_are_ignored() {
        let tokens = tokens("# staff\n\n  alpha-1  \r\nbeta_2\n   # old: gamma\n");
        assert_eq!(tokens.len(), 2);
        assert!(tokens.accepts(Some(b"Bearer alpha-1")));
        assert!(tokens.accepts(Some(b"Bearer beta_2")));
        assert!(!tokens.accepts(Some(b"Bearer gamma")));
        assert!(!tokens.accepts(Some(b"Bearer # staff")));
    }

    #[test]
    fn the_scheme_is_case_insensitive_and_nothing_else_is_accepted() {
        let tokens = tokens("secret\n");
        assert!(tokens.accepts(Some(b"bearer secret")));
        assert!(tokens.accepts(Some(b"BEARER  secret ")));
        for refused in [
            &b""[..],
            b"secret",
            b"Basic secret",
            b"Bearer",
            b"Bearer ",
            b"Bearer secre",
            b"Bearer secrets",
            b"Bearersecret",
        ] {
            assert!(
                !tokens.accepts(Some(refused)),
                "{:?}",
                String::from_utf8_lossy(refused)
            );
        }
        assert!(!tokens.accepts(None));
    }

    #[test]
    fn a_line_that_cannot_be_a_header_token_names_its_line_number() {
        assert_eq!(TokenSet::parse("ok\n# fine\nwith space\n").err(), Some(3));
        assert_eq!(TokenSet::parse("caf\u{e9}\n").err(), Some(1));
    }

    /// A token file in a temporary folder, written in place (not renamed),
    /// as a writer caught mid-write leaves it.
    fn file_with(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("tokens");
        std::fs::write(&path, text).expect("token file written");
        (dir, path)
    }

    #[test]
    fn a_file_whose_last_line_lacks_its_newline_is_refused_as_incomplete() {
        for text in ["secret-token", "alpha\nsecret-to", "alpha\r\nsecret-token\r"] {
            let (_dir, path) = file_with(text);
            assert!(
                matches!(read_token_file(&path), Err(TokenFileError::Incomplete { .. })),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_file_ending_with_a_newline_loads_whatever_the_line_ending() {
        for text in ["alpha\nbeta\n", "alpha\r\nbeta\r\n", "alpha\n# last\n"] {
            let (_dir, path) = file_with(text);
            let tokens = read_token_file(&path).expect("a complete file loads");
            assert!(tokens.contains(b"alpha"), "{text:?}");
        }
    }

    #[test]
    fn an_empty_file_is_refused_as_holding_no_token() {
        let (_dir, path) = file_with("");
        assert!(matches!(
            read_token_file(&path),
            Err(TokenFileError::Empty { .. })
        ));
    }

    #[test]
    fn the_incomplete_file_error_names_the_file_but_no_token() {
        let (_dir, path) = file_with("very-secret-token\nsecond-secret-pre");
        let error = read_token_file(&path).err().expect("refused");
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(shown.contains("tokens"), "{shown}");
            for secret in ["very-secret", "second-secret"] {
                assert!(!shown.contains(secret), "{shown}");
            }
        }
    }

    #[test]
    fn a_reload_of_a_half_written_file_keeps_the_previous_tokens() {
        let (_dir, path) = file_with("old-token\nsecret-token\n");
        let tokens = ApiTokens::load(&path).expect("the first file loads");
        std::fs::write(&path, "secret-").expect("file rewritten in place, cut short");
        assert!(matches!(tokens.reload(), Err(TokenFileError::Incomplete { .. })));
        assert_eq!(tokens.len(), 2);
        assert!(tokens.accepts(Some(b"Bearer secret-token")));
        assert!(tokens.accepts(Some(b"Bearer old-token")));
        assert!(!tokens.accepts(Some(b"Bearer secret-")));
    }

    #[test]
    fn the_debug_form_shows_no_token() {
        let shown = format!("{:?}", tokens("very-secret-token\n"));
        assert!(!shown.contains("very-secret-token"), "{shown}");
    }
}
