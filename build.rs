//! Compiles `proto/` into Rust with no `protoc` on the machine.
//!
//! `protox` parses the `.proto` files in pure Rust into a descriptor set;
//! `tonic-prost-build` generates the messages and the client and server
//! stubs from it. The same descriptor set is written to `OUT_DIR` so the
//! server can hand it to gRPC reflection (grpcurl, grpcui, Postman).

use std::path::PathBuf;

use prost::Message as _;

const PROTO_ROOT: &str = "proto";
const PROTO_FILES: &[&str] = &["proto/bank/v1/bank.proto", "proto/bank/v1/classroom.proto"];

/// Messages and oneofs derive `Serialize` when the `json` feature is on.
const JSON_DERIVE: &str = r#"#[cfg_attr(feature = "json", derive(serde::Serialize))]"#;
/// A oneof's case is written as `{"conversion": {...}}` or `{"error": {...}}`.
const JSON_ONEOF: &str = r#"#[cfg_attr(feature = "json", serde(rename_all = "snake_case"))]"#;
/// A `google.protobuf.Timestamp` as RFC 3339 text, as the proto3 JSON
/// mapping writes it.
const JSON_TIMESTAMP: &str =
    r#"#[cfg_attr(feature = "json", serde(serialize_with = "crate::json::timestamp"))]"#;
/// A `google.protobuf.Duration` as the proto3 JSON mapping writes it ("60s").
const JSON_DURATION: &str =
    r#"#[cfg_attr(feature = "json", serde(serialize_with = "crate::json::duration"))]"#;

/// Enums as their names in the `.proto`, as the proto3 JSON mapping
/// writes them: `(field path, enum type in crate::v1)`.
const JSON_ENUMS: &[(&str, &str)] = &[
    (".bank.v1.CallStarted.model", "CallModel"),
    (".bank.v1.CallMessage.direction", "Direction"),
    (".bank.v1.CallEnded.cause", "EndCause"),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for file in PROTO_FILES {
        println!("cargo:rerun-if-changed={file}");
    }

    let descriptors = protox::compile(PROTO_FILES, [PROTO_ROOT])?;
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    std::fs::write(out_dir.join("bank_descriptor.bin"), descriptors.encode_to_vec())?;

    let mut client = tonic_prost_build::configure();
    for (field, name) in JSON_ENUMS {
        let attribute = format!(
            r#"#[cfg_attr(feature = "json", serde(serialize_with = "crate::json::enum_name::<crate::v1::{name}, _>"))]"#
        );
        client = client.field_attribute(field, attribute);
    }
    client
        .build_client(true)
        .build_server(false)
        // With the `json` feature, every message is `serde::Serialize`:
        // the one way clients write messages as JSON (see proto/json.rs).
        .type_attribute(".bank.v1", JSON_DERIVE)
        .type_attribute(".bank.v1.SessionReply.outcome", JSON_ONEOF)
        .type_attribute(".bank.v1.CallEvent.event", JSON_ONEOF)
        .field_attribute(".bank.v1.ConvertResponse.rate_time", JSON_TIMESTAMP)
        .field_attribute(".bank.v1.RateUpdate.time", JSON_TIMESTAMP)
        .field_attribute(".bank.v1.BatchSummary.rate_time", JSON_TIMESTAMP)
        .field_attribute(".bank.v1.ConvertRequest.at", JSON_TIMESTAMP)
        .field_attribute(".bank.v1.GetRateHistoryRequest.start_time", JSON_TIMESTAMP)
        .field_attribute(".bank.v1.GetRateHistoryRequest.end_time", JSON_TIMESTAMP)
        .field_attribute(".bank.v1.Candle.time", JSON_TIMESTAMP)
        .field_attribute(".bank.v1.GetRateHistoryRequest.interval", JSON_DURATION)
        .field_attribute(".bank.v1.GetRateHistoryResponse.tick", JSON_DURATION)
        // Sorted, so that an item's metadata reads the same in every run.
        .btree_map(".bank.v1.ItemError.metadata")
        // Smaller per-call buffers than tonic's default: see proto/codec.rs.
        .codec_path("crate::codec::BankCodec")
        .compile_fds(descriptors.clone())?;

    // The server's stubs, apart (module `server_v1`): every message is the
    // one generated above, except the feed's `RateUpdate`, which the
    // server sends already encoded, one encoding for every stream that
    // sends it (proto/encoded.rs). The exact path wins over the package's.
    let server_out = out_dir.join("server");
    std::fs::create_dir_all(&server_out)?;
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(true)
        .out_dir(&server_out)
        .extern_path(".bank.v1.RateUpdate", "crate::encoded::EncodedRateUpdate")
        .extern_path(".bank.v1", "crate::v1")
        .codec_path("crate::codec::BankCodec")
        .compile_fds(descriptors)?;
    Ok(())
}
