//! Every error status carries a `google.rpc.ErrorInfo` (AIP-193) with a
//! stable reason and the domain `bank.v1`, and the reasons the code sends
//! are exactly the ones the proto and both READMEs list.

use std::collections::BTreeSet;
use std::path::Path;

use bank_proto::v1::StreamRatesRequest;
use bank_server::{Config, ERROR_DOMAIN, REASONS};
use harness::{SEED, TestServer, conversion};
use regex::Regex;
use tonic::{Code, Status};
use tonic_types::StatusExt;

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name)).expect("readable")
}

fn listed(text: &str, pattern: &str) -> BTreeSet<String> {
    Regex::new(pattern)
        .expect("regex")
        .captures_iter(text)
        .map(|capture| capture[1].to_owned())
        .collect()
}

#[test]
fn the_proto_and_both_readmes_list_exactly_the_reasons_the_server_sends() {
    let code: BTreeSet<String> = REASONS.iter().map(|reason| (*reason).to_owned()).collect();
    assert_eq!(code.len(), REASONS.len(), "no reason twice");
    assert_eq!(
        listed(&read("proto/bank/v1/bank.proto"), r"(?m)^//   ([A-Z][A-Z_]+)  "),
        code
    );
    for (readme, heading) in [
        ("README.md", "### Error reasons"),
        ("README.fr.md", "### Motifs d’erreur"),
    ] {
        // The server's table only: the CLI lists reasons of its own elsewhere.
        let text = read(readme);
        let start = text.find(heading).expect("the reasons' section");
        let section = &text[start..];
        let end = section[heading.len()..]
            .find("\n#")
            .map_or(section.len(), |end| end + heading.len());
        assert_eq!(
            listed(&section[..end], r"(?m)^\| `([A-Z][A-Z_]+)` \|"),
            code,
            "{readme}"
        );
    }
}

fn reason_of(status: &Status) -> (String, String, std::collections::HashMap<String, String>) {
    let info = status.get_details_error_info().expect("an ErrorInfo");
    (info.reason, info.domain, info.metadata)
}

#[tokio::test]
async fn a_refused_conversion_says_why_in_a_reason_programs_can_branch_on() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let cases = [
        (
            conversion("1e5", "EUR", "USD", ""),
            "AMOUNT_NOT_DECIMAL",
            "amount",
        ),
        (conversion("0", "EUR", "USD", ""), "AMOUNT_NOT_POSITIVE", "amount"),
        (
            conversion("1.5", "JPY", "USD", ""),
            "AMOUNT_TOO_PRECISE",
            "amount",
        ),
        (
            conversion("1", "EUR", "ABC", ""),
            "CURRENCY_NOT_SUPPORTED",
            "to_currency",
        ),
    ];
    for (request, reason, field) in cases {
        let status = client.convert(request).await.expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument);
        let (got, domain, metadata) = reason_of(&status);
        assert_eq!((got.as_str(), domain.as_str()), (reason, ERROR_DOMAIN));
        assert_eq!(metadata.get("field").map(String::as_str), Some(field));
        assert!(REASONS.contains(&reason));
        if reason == "AMOUNT_TOO_PRECISE" {
            assert_eq!(metadata.get("currency").map(String::as_str), Some("JPY"));
            assert_eq!(metadata.get("minor_units").map(String::as_str), Some("0"));
        }
    }
}

#[tokio::test]
async fn a_cap_reached_names_the_cap_and_its_limit() {
    let mut config = Config::with_seed(SEED);
    config.limits.max_feeds = 1;
    let server = TestServer::start_with(config).await;
    let mut client = server.client().await;
    let feed = || StreamRatesRequest {
        pairs: vec!["EUR/USD".into()],
        max_updates: 0,
        from_sequence: 0,
    };
    let _open = client.stream_rates(feed()).await.expect("the first feed opens");
    let status = client.stream_rates(feed()).await.expect_err("the cap is reached");
    assert_eq!(status.code(), Code::ResourceExhausted);
    let (reason, domain, metadata) = reason_of(&status);
    assert_eq!(
        (reason.as_str(), domain.as_str()),
        ("TOO_MANY_FEEDS", ERROR_DOMAIN)
    );
    assert_eq!(metadata.get("max").map(String::as_str), Some("1"));
}
