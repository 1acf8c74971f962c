//! Test certificates, made at run time with rcgen: no key is committed.
//!
//! A [`TestCa`] signs server certificates (valid for `localhost` and
//! `127.0.0.1`, so `https://127.0.0.1:PORT` verifies) and client
//! certificates for mutual TLS. [`PemDir`] writes PEM text to files for the
//! binaries, which take paths.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use tempfile::TempDir;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

/// A certificate and its private key, in PEM.
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
}

/// A certificate authority that exists for one test.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl TestCa {
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("CA key");
        Self {
            issuer: CertifiedIssuer::self_signed(params, key).expect("CA certificate"),
        }
    }

    /// The CA's own certificate, what clients and servers trust.
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for `localhost` and `127.0.0.1`.
    pub fn server_leaf(&self) -> Leaf {
        self.leaf(
            vec!["localhost".into(), "127.0.0.1".into()],
            ExtendedKeyUsagePurpose::ServerAuth,
        )
    }

    /// A client certificate, for mutual TLS.
    pub fn client_leaf(&self) -> Leaf {
        self.leaf(vec!["bank-client".into()], ExtendedKeyUsagePurpose::ClientAuth)
    }

    fn leaf(&self, names: Vec<String>, usage: ExtendedKeyUsagePurpose) -> Leaf {
        let mut params = CertificateParams::new(names).expect("leaf parameters");
        params.extended_key_usages = vec![usage];
        let key = KeyPair::generate().expect("leaf key");
        let cert = params.signed_by(&key, &self.issuer).expect("leaf certificate");
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

/// A temporary folder of PEM files, removed when dropped.
pub struct PemDir {
    dir: TempDir,
}

impl Default for PemDir {
    fn default() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }
}

impl PemDir {
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes `text` to `name` in the folder and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("PEM file written");
        path
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// A tonic channel to `https://ADDR` that trusts `ca_pem` and presents
/// `identity` when given. `Err` when the connection or its handshake fails.
pub async fn tls_channel(
    addr: std::net::SocketAddr,
    ca_pem: &str,
    identity: Option<&Leaf>,
) -> Result<Channel, tonic::transport::Error> {
    let mut tls = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(ca_pem));
    if let Some(leaf) = identity {
        tls = tls.identity(Identity::from_pem(&leaf.cert_pem, &leaf.key_pem));
    }
    Endpoint::from_shared(format!("https://{addr}"))
        .expect("valid url")
        .connect_timeout(super::PATIENCE)
        .tls_config(tls)?
        .connect()
        .await
}

/// A TLS server whose certificate `ca` signed; with `client_ca`, clients
/// must present a certificate that one signed.
pub async fn tls_server(ca: &TestCa, client_ca: Option<&TestCa>) -> crate::TestServer {
    let leaf = ca.server_leaf();
    let client_ca_pem = client_ca.map(TestCa::cert_pem);
    let tls = bank_server::ServerTls::from_pem(
        leaf.cert_pem.as_bytes(),
        leaf.key_pem.as_bytes(),
        client_ca_pem.as_deref().map(str::as_bytes),
    )
    .expect("the test certificates are valid");
    let mut config = bank_server::Config::with_seed(crate::SEED);
    config.tls = Some(tls);
    crate::TestServer::start_with(config).await
}
