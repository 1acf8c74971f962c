//! The grpcurl page (`examples/grpcurl.md`, and `grpcurl.fr.md`) against
//! the contract: every RPC of `bank.v1.BankService` is called there, every
//! method called exists, a client-streaming method reads its requests from
//! standard input (`-d @`), and every field of every JSON payload exists in
//! the method's request message, by its `.proto` name or its JSON name.
//!
//! The contract is the descriptor set the server hands to reflection
//! (`bank_proto::FILE_DESCRIPTOR_SET`), the very one grpcurl reads, decoded
//! with prost-types. The page's outputs were produced by a real grpcurl;
//! grpcurl itself is not run here (Debian has no package of it).
//!
//! A documented call is a line of a code block starting `$ grpcurl`, with
//! its continuation lines (ending `\`) and, after `<<'EOF'`, the lines of
//! its standard input up to `EOF`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use prost::Message as _;
use prost_types::field_descriptor_proto::Type;
use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorSet};
use regex::Regex;
use serde_json::Value;

/// The pages, English and French, relative to the repository.
const PAGES: [&str; 2] = ["examples/grpcurl.md", "examples/grpcurl.fr.md"];

/// The service the page documents.
const SERVICE: &str = "BankService";
const PACKAGE: &str = "bank.v1";

/// What a command line says to start a heredoc, and what ends it.
const HEREDOC_START: &str = "<<'EOF'";
const HEREDOC_END: &str = "EOF";

/// One grpcurl call of the page.
#[derive(Debug, PartialEq)]
struct Call {
    /// The command, continuation lines joined.
    command: String,
    /// The RPC's name, e.g. `Convert`.
    method: String,
    /// Whether the requests come from standard input (`-d @`).
    from_stdin: bool,
    /// The request messages, as JSON.
    payloads: Vec<Value>,
}

/// One method of the service, as the descriptor set says.
struct Method {
    input_type: String,
    client_streaming: bool,
}

/// The service's methods and the package's messages, by full name
/// (`.bank.v1.ConvertRequest`), from the descriptor set.
struct Contract {
    methods: BTreeMap<String, Method>,
    messages: HashMap<String, DescriptorProto>,
}

fn contract() -> Contract {
    let set = FileDescriptorSet::decode(bank_proto::FILE_DESCRIPTOR_SET).expect("the descriptor set decodes");
    let file = set
        .file
        .into_iter()
        .find(|file| file.package() == PACKAGE)
        .expect("the bank.v1 file");
    let service = file
        .service
        .iter()
        .find(|service| service.name() == SERVICE)
        .expect("the service");
    let methods = service
        .method
        .iter()
        .map(|method| {
            (
                method.name().to_owned(),
                Method {
                    input_type: method.input_type().to_owned(),
                    client_streaming: method.client_streaming(),
                },
            )
        })
        .collect();
    let messages = file
        .message_type
        .into_iter()
        .map(|message| (format!(".{PACKAGE}.{}", message.name()), message))
        .collect();
    Contract { methods, messages }
}

fn read_page(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name))
        .unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// Every call of the service the page makes (not `list` or `describe`).
fn calls(page: &str) -> Vec<Call> {
    let method = Regex::new(&format!(r"\b{}\.{SERVICE}/(\w+)\b", regex::escape(PACKAGE))).expect("regex");
    let inline = Regex::new(r"-d '([^']*)'").expect("regex");
    let mut lines = page.lines();
    let mut calls = Vec::new();
    while let Some(line) = lines.next() {
        let Some(start) = line.strip_prefix("$ grpcurl") else {
            continue;
        };
        let mut command = format!("grpcurl{start}");
        while command.ends_with('\\') {
            command.pop();
            command.push_str(lines.next().expect("a continuation line").trim_start());
        }
        let stdin: String = if command.contains(HEREDOC_START) {
            lines
                .by_ref()
                .take_while(|line| *line != HEREDOC_END)
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            String::new()
        };
        let Some(name) = method.captures(&command).map(|captures| captures[1].to_owned()) else {
            continue;
        };
        let from_stdin = command.contains("-d @");
        let text = match inline.captures(&command) {
            Some(captures) => captures[1].to_owned(),
            None if from_stdin => {
                assert!(!stdin.is_empty(), "`{command}` reads stdin but gives none");
                stdin
            }
            None => String::new(),
        };
        let payloads = serde_json::Deserializer::from_str(&text)
            .into_iter::<Value>()
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_else(|error| panic!("`{command}`: its JSON does not parse: {error}"));
        calls.push(Call {
            command,
            method: name,
            from_stdin,
            payloads,
        });
    }
    calls
}

/// The name proto3 JSON gives a field: `json_name`, as the compiler
/// recorded it, or the field's name in lowerCamelCase.
fn json_name(field: &FieldDescriptorProto) -> String {
    if let Some(name) = &field.json_name {
        return name.clone();
    }
    let mut name = String::new();
    let mut upper = false;
    for character in field.name().chars() {
        if character == '_' {
            upper = true;
        } else if upper {
            name.extend(character.to_uppercase());
            upper = false;
        } else {
            name.push(character);
        }
    }
    name
}

/// The paths of the fields of `value` that `message` does not have,
/// looking inside nested messages of the package (well-known types such as
/// `Timestamp` are JSON strings).
fn unknown_fields(contract: &Contract, message: &str, value: &Value, path: &str) -> Vec<String> {
    let descriptor = &contract.messages[message];
    let Value::Object(object) = value else {
        return vec![format!("{path} is not a JSON object")];
    };
    let mut unknown = Vec::new();
    for (key, inner) in object {
        let field = descriptor
            .field
            .iter()
            .find(|field| field.name() == key || json_name(field) == *key);
        let Some(field) = field else {
            unknown.push(format!("{path}.{key}"));
            continue;
        };
        if field.r#type() == Type::Message && contract.messages.contains_key(field.type_name()) {
            let elements = match inner {
                Value::Array(elements) => elements.iter().collect(),
                other => vec![other],
            };
            for element in elements {
                unknown.extend(unknown_fields(
                    contract,
                    field.type_name(),
                    element,
                    &format!("{path}.{key}"),
                ));
            }
        }
    }
    unknown
}

#[test]
fn every_rpc_of_the_service_is_called_on_both_grpcurl_pages_and_only_those() {
    let contract = contract();
    let service: BTreeSet<&str> = contract.methods.keys().map(String::as_str).collect();
    assert!(service.len() >= 6, "the descriptor set lists the service's RPCs");
    for page in PAGES {
        let calls = calls(&read_page(page));
        let documented: BTreeSet<&str> = calls.iter().map(|call| call.method.as_str()).collect();
        assert_eq!(
            documented, service,
            "{page}: the RPCs called against the service's"
        );
    }
}

#[test]
fn every_field_of_every_grpcurl_payload_exists_in_its_request_message() {
    let contract = contract();
    for page in PAGES {
        for call in calls(&read_page(page)) {
            let method = &contract.methods[&call.method];
            assert_eq!(
                call.from_stdin, method.client_streaming,
                "{page}: `{}`: a client-streaming method, and only one, reads its requests from stdin (-d @)",
                call.command
            );
            for payload in &call.payloads {
                let unknown = unknown_fields(&contract, &method.input_type, payload, &call.method);
                assert!(
                    unknown.is_empty(),
                    "{page}: `{}` names fields {} does not have: {unknown:?}",
                    call.command,
                    method.input_type
                );
            }
        }
    }
}

#[test]
fn both_grpcurl_pages_run_the_same_commands() {
    let [english, french] = PAGES.map(|page| calls(&read_page(page)));
    assert_eq!(english, french);
}

#[test]
fn a_field_the_request_does_not_have_is_caught() {
    let contract = contract();
    let page = "$ grpcurl -plaintext -d '{\"amount\":\"1\",\"fromCurrency\":\"EUR\",\"currency\":\"USD\"}' \\\n    \
                127.0.0.1:50051 bank.v1.BankService/Convert\n";
    let calls = calls(page);
    assert_eq!(calls.len(), 1);
    let method = &contract.methods[&calls[0].method];
    assert_eq!(
        unknown_fields(&contract, &method.input_type, &calls[0].payloads[0], "Convert"),
        ["Convert.currency"]
    );
}
