//! TLS and mutual TLS: a real server with certificates made by a test CA
//! at run time, real tonic clients and the real `bank` binary.

use bank_proto::v1::ConvertRequest;
use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_server::{ServerTls, TlsError};
use harness::cli::{self, assert_exit};
use harness::pki::{Leaf, PemDir, TestCa, tls_channel, tls_server};
use harness::{PATIENCE, TestServer};

fn one_usd_in_eur() -> ConvertRequest {
    ConvertRequest {
        amount: "1".into(),
        from_currency: "USD".into(),
        to_currency: "EUR".into(),
        request_id: "tls".into(),
        at: None,
    }
}

/// One conversion over TLS trusting `ca_pem` and presenting `identity`:
/// `Ok` with the amount converted, `Err` with whatever refused it, in the
/// handshake or, when TLS 1.3 lets the client finish first, in the call.
async fn convert_over_tls(
    server: &TestServer,
    ca_pem: &str,
    identity: Option<&Leaf>,
) -> Result<String, String> {
    let channel = tls_channel(server.addr, ca_pem, identity)
        .await
        .map_err(|error| format!("connect: {error:?}"))?;
    let mut client = BankServiceClient::new(channel);
    match tokio::time::timeout(PATIENCE, client.convert(one_usd_in_eur())).await {
        Ok(Ok(response)) => Ok(response.into_inner().amount),
        Ok(Err(status)) => Err(format!("call: {status:?}")),
        Err(_) => panic!("the call neither succeeded nor failed in time"),
    }
}

#[tokio::test]
async fn a_client_that_trusts_the_servers_ca_converts_over_tls() {
    let ca = TestCa::new("bank test CA");
    let server = tls_server(&ca, None).await;
    let amount = convert_over_tls(&server, &ca.cert_pem(), None).await;
    assert_eq!(amount.as_deref(), Ok("1.00"));
}

#[tokio::test]
async fn a_client_that_trusts_another_ca_is_refused_in_the_handshake() {
    let ca = TestCa::new("bank test CA");
    let stranger = TestCa::new("some other CA");
    let server = tls_server(&ca, None).await;
    let outcome = convert_over_tls(&server, &stranger.cert_pem(), None).await;
    assert!(outcome.is_err(), "{outcome:?}");
}

#[tokio::test]
async fn a_plaintext_client_cannot_call_a_tls_server() {
    let ca = TestCa::new("bank test CA");
    let server = tls_server(&ca, None).await;
    let outcome = match server.client().await.convert(one_usd_in_eur()).await {
        Ok(response) => Ok(response.into_inner()),
        Err(status) => Err(status.code()),
    };
    assert!(outcome.is_err(), "{outcome:?}");
}

#[tokio::test]
async fn mutual_tls_accepts_a_client_certificate_signed_by_the_client_ca() {
    let ca = TestCa::new("bank test CA");
    let clients = TestCa::new("bank clients CA");
    let server = tls_server(&ca, Some(&clients)).await;
    let amount = convert_over_tls(&server, &ca.cert_pem(), Some(&clients.client_leaf())).await;
    assert_eq!(amount.as_deref(), Ok("1.00"));
}

#[tokio::test]
async fn mutual_tls_refuses_a_client_without_a_certificate() {
    let ca = TestCa::new("bank test CA");
    let clients = TestCa::new("bank clients CA");
    let server = tls_server(&ca, Some(&clients)).await;
    let outcome = convert_over_tls(&server, &ca.cert_pem(), None).await;
    assert!(outcome.is_err(), "{outcome:?}");
}

#[tokio::test]
async fn mutual_tls_refuses_a_client_certificate_from_another_ca() {
    let ca = TestCa::new("bank test CA");
    let clients = TestCa::new("bank clients CA");
    let stranger = TestCa::new("some other CA");
    let server = tls_server(&ca, Some(&clients)).await;
    let outcome = convert_over_tls(&server, &ca.cert_pem(), Some(&stranger.client_leaf())).await;
    assert!(outcome.is_err(), "{outcome:?}");
    // The server keeps serving the clients it should.
    let amount = convert_over_tls(&server, &ca.cert_pem(), Some(&clients.client_leaf())).await;
    assert_eq!(amount.as_deref(), Ok("1.00"));
}

#[test]
fn unusable_tls_files_are_refused_before_the_server_starts() {
    let ca = TestCa::new("bank test CA");
    let leaf = ca.server_leaf();
    let other = ca.server_leaf();
    let files = PemDir::new();
    let cert = files.write("cert.pem", &leaf.cert_pem);
    let key = files.write("key.pem", &leaf.key_pem);
    let missing = files.path().join("missing.pem");

    assert!(ServerTls::from_files(&cert, &key, None).is_ok());
    assert!(matches!(
        ServerTls::from_files(&missing, &key, None),
        Err(TlsError::Read { .. })
    ));
    // Certificate and key swapped: neither file holds what it should.
    assert!(matches!(
        ServerTls::from_files(&key, &cert, None),
        Err(TlsError::NotPem { .. })
    ));
    assert!(matches!(
        ServerTls::from_files(&cert, &key, Some(&key)),
        Err(TlsError::NotPem { .. })
    ));
    // A key that belongs to another certificate.
    assert!(matches!(
        ServerTls::from_pem(leaf.cert_pem.as_bytes(), other.key_pem.as_bytes(), None),
        Err(TlsError::Unusable(_))
    ));
}

#[tokio::test]
async fn bank_server_with_a_missing_certificate_exits_with_an_error() {
    let files = PemDir::new();
    let missing = files.path().join("missing.pem");
    let mut command = assert_cmd::Command::new(harness::server_exe());
    command
        .args(["--addr", "127.0.0.1:0", "--tls-cert"])
        .arg(&missing)
        .arg("--tls-key")
        .arg(&missing)
        .env_remove("RUST_LOG")
        .timeout(cli::COMMAND_TIMEOUT);
    let output = cli::run(command).await;
    assert_exit(&output, 1);
}

/// The `bank` command line against a TLS server, with files for it.
struct CliSetup {
    server: TestServer,
    files: PemDir,
    ca: TestCa,
}

impl CliSetup {
    async fn start(mutual: Option<&TestCa>) -> Self {
        let ca = TestCa::new("bank test CA");
        let server = tls_server(&ca, mutual).await;
        let files = PemDir::new();
        files.write("ca.pem", &ca.cert_pem());
        Self { server, files, ca }
    }

    fn https_url(&self) -> String {
        format!("https://{}", self.server.addr)
    }

    fn bank(&self) -> assert_cmd::Command {
        let mut command = cli::bank(&self.https_url());
        command
            .env_remove("BANK_CA")
            .env_remove("BANK_CERT")
            .env_remove("BANK_KEY")
            .env_remove("BANK_TOKEN");
        command
    }
}

#[tokio::test]
async fn bank_converts_over_tls_with_the_ca_given() {
    let setup = CliSetup::start(None).await;
    let mut command = setup.bank();
    command
        .arg("--ca")
        .arg(setup.files.path().join("ca.pem"))
        .args(["--json", "convert", "1", "USD", "EUR"]);
    let output = cli::run(command).await;
    assert_exit(&output, 0);
    let answer = &cli::json_lines(&output)[0];
    assert_eq!(answer["amount"], "1.00");
    assert_eq!(answer["to_currency"], "EUR");
}

#[tokio::test]
async fn bank_takes_the_ca_from_bank_ca_too() {
    let setup = CliSetup::start(None).await;
    let mut command = setup.bank();
    command
        .env("BANK_CA", setup.files.path().join("ca.pem"))
        .args(["convert", "1", "USD", "EUR"]);
    assert_exit(&cli::run(command).await, 0);
}

#[tokio::test]
async fn bank_reports_a_server_certificate_it_does_not_trust_as_unreachable_in_both_languages() {
    let setup = CliSetup::start(None).await;
    let stranger = TestCa::new("some other CA");
    let stranger_ca = setup.files.write("stranger.pem", &stranger.cert_pem());
    let mut sentences = Vec::new();
    for lang in ["en", "fr"] {
        let mut command = setup.bank();
        command
            .arg("--ca")
            .arg(&stranger_ca)
            .args(["--lang", lang, "convert", "1", "USD", "EUR"]);
        let output = cli::run(command).await;
        assert_exit(&output, 3);
        let stderr = cli::stderr(&output);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        sentences.push(stderr);
    }
    assert_ne!(
        sentences[0], sentences[1],
        "the French sentence is not the English one"
    );
}

#[tokio::test]
async fn bank_with_an_unreadable_or_wrong_ca_file_is_a_usage_error() {
    let setup = CliSetup::start(None).await;
    let missing = setup.files.path().join("missing.pem");
    let not_a_certificate = setup.files.write("key.pem", &setup.ca.server_leaf().key_pem);
    for ca in [missing, not_a_certificate] {
        let mut command = setup.bank();
        command.arg("--ca").arg(&ca).args(["convert", "1", "USD", "EUR"]);
        assert_exit(&cli::run(command).await, 2);
    }
}

#[tokio::test]
async fn bank_presents_its_client_certificate_for_mutual_tls() {
    let clients = TestCa::new("bank clients CA");
    let setup = CliSetup::start(Some(&clients)).await;
    let leaf = clients.client_leaf();
    let cert = setup.files.write("client.pem", &leaf.cert_pem);
    let key = setup.files.write("client-key.pem", &leaf.key_pem);
    let ca = setup.files.path().join("ca.pem");

    let mut with_certificate = setup.bank();
    with_certificate
        .arg("--ca")
        .arg(&ca)
        .arg("--cert")
        .arg(&cert)
        .arg("--key")
        .arg(&key)
        .args(["convert", "1", "USD", "EUR"]);
    assert_exit(&cli::run(with_certificate).await, 0);

    let mut without = setup.bank();
    without.arg("--ca").arg(&ca).args(["convert", "1", "USD", "EUR"]);
    assert_exit(&cli::run(without).await, 3);
}
