//! TLS and mutual TLS for the server, with rustls (the `ring` provider).
//!
//! `bank-server --tls-cert FILE --tls-key FILE` serves every service (bank,
//! health, reflection) over TLS; `--tls-client-ca FILE` also requires every
//! client to present a certificate signed by that CA (mutual TLS). The check
//! happens in the handshake, before any call is read; the handshake must
//! complete within the transport's handshake timeout.
//!
//! The PEM files are read and checked once, at start-up, by
//! [`ServerTls::from_files`]: a wrong path, a file of the wrong kind or a key
//! that does not match its certificate stops the server with one clear error
//! before it listens, instead of failing every handshake later. Tests build
//! the same thing from PEM text with [`ServerTls::from_pem`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bank_proto::error_chain;
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// The one protocol offered in ALPN: gRPC is HTTP/2 only.
const ALPN_H2: &[u8] = b"h2";

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
    /// With the whole chain of causes.
    #[error("the TLS certificate and key cannot be used: {0}")]
    Unusable(String),
}

/// A checked server TLS configuration: identity, and the client CA when
/// mutual TLS is on.
#[derive(Clone, Debug)]
pub struct ServerTls {
    config: Arc<rustls::ServerConfig>,
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

    /// What accepts TLS connections with this configuration.
    pub(crate) fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(Arc::clone(&self.config))
    }

    fn checked(cert: Pem, key: Pem, client_ca: Option<Pem>) -> Result<Self, TlsError> {
        let chain = certificates("certificate", &cert)?;
        let private_key = PrivateKeyDer::from_pem_slice(&key.text)
            .map_err(|error| not_pem("private key", &key, "private key", error))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(|error| TlsError::Unusable(error_chain(&error)))?;
        let mutual = client_ca.is_some();
        let builder = match client_ca {
            Some(client_ca) => {
                let mut roots = RootCertStore::empty();
                for certificate in certificates("client CA", &client_ca)? {
                    roots
                        .add(certificate)
                        .map_err(|error| not_pem("client CA", &client_ca, "certificate", error))?;
                }
                // Required, not optional: a client without a certificate is
                // refused in the handshake.
                let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .map_err(|error| TlsError::Unusable(error_chain(&error)))?;
                builder.with_client_cert_verifier(verifier)
            }
            None => builder.with_no_client_auth(),
        };
        // rustls checks here that the key matches the certificate: a bad
        // pair is a start-up error, not a failure of every handshake.
        let mut config = builder
            .with_single_cert(chain, private_key)
            .map_err(|error| TlsError::Unusable(error_chain(&error)))?;
        config.alpn_protocols = vec![ALPN_H2.to_vec()];
        Ok(Self {
            config: Arc::new(config),
            mutual,
        })
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
fn certificates(what: &'static str, pem: &Pem) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let mut found = Vec::new();
    for certificate in CertificateDer::pem_slice_iter(&pem.text) {
        found.push(certificate.map_err(|error| not_pem(what, pem, "certificate", error))?);
    }
    if found.is_empty() {
        Err(not_pem(what, pem, "certificate", "no CERTIFICATE block found"))
    } else {
        Ok(found)
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
