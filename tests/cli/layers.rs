//! The layers the workspace promises, checked from Cargo's own account of
//! it (`cargo metadata`) and from the sources: the domain names no gRPC or
//! async crate, the contract only tonic and prost, the client reaches the
//! server only for the tour's embedded server, and the integration tests
//! are a few binaries.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// `cargo metadata` of the workspace's own packages.
fn packages() -> Vec<Value> {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    metadata["packages"].as_array().expect("packages").clone()
}

fn package<'a>(packages: &'a [Value], name: &str) -> &'a Value {
    packages
        .iter()
        .find(|package| package["name"] == name)
        .unwrap_or_else(|| panic!("package {name}"))
}

/// The names of a package's dependencies of one kind (`null`: normal).
fn dependencies(package: &Value, kind: Option<&str>) -> Vec<String> {
    package["dependencies"]
        .as_array()
        .expect("dependencies")
        .iter()
        .filter(|dependency| dependency["kind"].as_str() == kind)
        .map(|dependency| dependency["name"].as_str().expect("a name").to_owned())
        .collect()
}

#[test]
fn the_domain_depends_on_no_grpc_async_or_contract_crate() {
    let packages = packages();
    let domain = dependencies(package(&packages, "bank-domain"), None);
    for forbidden in ["tonic", "prost", "tokio", "hyper", "bank-proto", "h2"] {
        assert!(
            !domain.iter().any(|name| name.starts_with(forbidden)),
            "{forbidden} in {domain:?}"
        );
    }
}

#[test]
fn the_contract_depends_on_tonic_and_prost_only() {
    let packages = packages();
    let contract = dependencies(package(&packages, "bank-proto"), None);
    for name in &contract {
        assert!(
            name.starts_with("tonic") || name.starts_with("prost") || name == "serde",
            "{name} in the contract's dependencies"
        );
    }
}

#[test]
fn the_client_reaches_the_server_only_for_the_tours_embedded_server() {
    let mut folders = vec![root().join("client")];
    let mut users = Vec::new();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("readable") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs")
                && std::fs::read_to_string(&path)
                    .expect("readable")
                    .contains("bank_server")
            {
                users.push(path.strip_prefix(root()).expect("inside").display().to_string());
            }
        }
    }
    assert_eq!(users, ["client/commands/tour/embedded.rs"]);
}

#[test]
fn the_integration_tests_are_at_most_four_binaries() {
    let packages = packages();
    let tests = package(&packages, "bank-tests")["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .filter(|target| {
            target["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|kind| kind == "test"))
        })
        .count();
    assert!((1..=4).contains(&tests), "{tests} test binaries");
    // No other package has integration tests of its own.
    for package in &packages {
        if package["name"] != "bank-tests" {
            let own = package["targets"]
                .as_array()
                .expect("targets")
                .iter()
                .any(|target| {
                    target["kind"]
                        .as_array()
                        .is_some_and(|kinds| kinds.iter().any(|kind| kind == "test"))
                });
            assert!(!own, "{} has integration tests", package["name"]);
        }
    }
}
