//! TLS and mutual TLS for the server, with rustls (tonic's `tls-ring`).
//!
//! `bank-server --tls-cert FILE --tls-key FILE` serves every service (bank,
//! health, reflection) over TLS; `--tls-client-ca FILE` also requires every
//! client to present a certificate signed by that CA (mutual TLS). The check
//! happens in the handshake, before any call is read.
//!
//! The PEM files are read and checked once, at start-up, by
//! [`ServerTls::from_files`]: a wrong path, a file of the wrong kind or a key
//! that does not match its certificate stops the server with one clear error
//! before it listens, instead of failing every handshake later. Tests build
//! the same thing from PEM text with [`ServerTls::from_pem`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};

/// How long a client may take to complete the TLS handshake. Handshakes run
/// beside each other, but each holds a socket and a task: without a bound, a
/// client that opens TCP connections and never speaks TLS would keep them
/// forever. Ten seconds is far above a real handshake, even across oceans.
pub const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the TLS configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the {what} file {path}: {source}")]
    Read {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the {what} ({origin}) holds no usable PEM {expected}: {detail}")]
    NotPem {
        what: &'static str,
        origin: String,
        expected: &'static str,
        detail: String,
    },
    /// With the whole chain of causes: tonic's own message is only
    /// "transport error".
    #[error("the TLS certificate and key cannot be used: {0}")]
    Unusable(String),
}

/// A checked server TLS configuration: identity, and the client CA when
/// mutual TLS is on.
#[derive(Clone, Debug)]
pub struct ServerTls {
    config: ServerTlsConfig,
    mutual: bool,
}

impl ServerTls {
    /// Reads and checks the PEM files of `--tls-cert`, `--tls-key` and,
    /// for mutual TLS, `--tls-client-ca`.
    pub fn from_files(cert: &Path, key: &Path, client_ca: Option<&Path>) -> Result<Self, TlsError> {
        let cert_pem = read("certificate", cert)?;
        let key_pem = read("private key", key)?;
        let client_ca_pem = client_ca.map(|path| read("client CA", path)).transpose()?;
        Self::checked(
            Pem::new(cert_pem, cert),
            Pem::new(key_pem, key),
            client_ca_pem
                .zip(client_ca)
                .map(|(pem, path)| Pem::new(pem, path)),
        )
    }

    /// The same from PEM text, for tests and embedding.
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8], client_ca_pem: Option<&[u8]>) -> Result<Self, TlsError> {
        let in_memory = |pem: &[u8]| Pem {
            text: pem.to_vec(),
            origin: "given in memory".to_owned(),
        };
        Self::checked(
            in_memory(cert_pem),
            in_memory(key_pem),
            client_ca_pem.map(in_memory),
        )
    }

    /// Whether clients must present a certificate.
    pub fn is_mutual(&self) -> bool {
        self.mutual
    }

    /// The tonic configuration, for `Server::tls_config`.
    pub fn config(&self) -> ServerTlsConfig {
        self.config.clone()
    }

    fn checked(cert: Pem, key: Pem, client_ca: Option<Pem>) -> Result<Self, TlsError> {
        check_certificates("certificate", &cert)?;
        if let Err(error) = PrivateKeyDer::from_pem_slice(&key.text) {
            return Err(not_pem("private key", &key, "private key", error));
        }
        let mut config = ServerTlsConfig::new()
            .identity(Identity::from_pem(&cert.text, &key.text))
            .timeout(TLS_HANDSHAKE_TIMEOUT);
        let mutual = client_ca.is_some();
        if let Some(client_ca) = client_ca {
            check_certificates("client CA", &client_ca)?;
            // Required, not optional: a client without a certificate is
            // refused in the handshake.
            config = config
                .client_ca_root(Certificate::from_pem(&client_ca.text))
                .client_auth_optional(false);
        }
        // Building the acceptor is what parses the key and matches it to the
        // certificate: doing it now turns a bad pair into a start-up error.
        Server::builder()
            .tls_config(config.clone())
            .map_err(|error| TlsError::Unusable(error_chain(&error)))?;
        Ok(Self { config, mutual })
    }
}

/// PEM text and where it came from, for error messages.
struct Pem {
    text: Vec<u8>,
    origin: String,
}

impl Pem {
    fn new(text: Vec<u8>, path: &Path) -> Self {
        Self {
            text,
            origin: path.display().to_string(),
        }
    }
}

fn read(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        what,
        path: path.to_owned(),
        source,
    })
}

/// At least one certificate, and nothing malformed.
fn check_certificates(what: &'static str, pem: &Pem) -> Result<(), TlsError> {
    let mut found = false;
    for certificate in CertificateDer::pem_slice_iter(&pem.text) {
        if let Err(error) = certificate {
            return Err(not_pem(what, pem, "certificate", error));
        }
        found = true;
    }
    if found {
        Ok(())
    } else {
        Err(not_pem(what, pem, "certificate", "no CERTIFICATE block found"))
    }
}

fn not_pem(
    what: &'static str,
    pem: &Pem,
    expected: &'static str,
    detail: impl std::fmt::Display,
) -> TlsError {
    TlsError::NotPem {
        what,
        origin: pem.origin.clone(),
        expected,
        detail: detail.to_string(),
    }
}

/// An error and its causes on one line. tonic's transport errors say only
/// "transport error"; what went wrong (a key that does not match, no trust
/// store) is in their sources.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        text.push_str(": ");
        text.push_str(&error.to_string());
        cause = error.source();
    }
    text
}
