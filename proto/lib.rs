//! The `bank.v1` contract, generated from `proto/bank/v1/bank.proto` by
//! `build.rs` (protox + tonic-prost-build, no `protoc` needed).
//!
//! This crate is what every client and the server share, and nothing more:
//! the messages and client stubs ([`v1`]), the server's stubs
//! ([`server_v1`], which send feed updates encoded once, see [`encoded`]),
//! the encoded descriptor set that server reflection hands to tools such as
//! grpcurl ([`FILE_DESCRIPTOR_SET`]), the
//! codec the stubs use ([`codec`]), the canonical names of gRPC codes
//! ([`code_name`]) and the one-line description of a transport error that
//! client and server both print ([`error_chain`]). With the `json` feature
//! every message is also `serde::Serialize` (see `proto/json.rs`).
//! Generated code is kept out of the source tree; this module only
//! includes it.

mod code_names;
pub mod codec;
pub mod encoded;
#[cfg(feature = "json")]
pub mod json;

pub use code_names::code_name;

/// Package `bank.v1`: its messages and its client.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod v1 {
    tonic::include_proto!("bank.v1");
}

/// The server's stubs of `bank.v1`: the messages of [`v1`], except that a
/// feed sends each `RateUpdate` already encoded ([`encoded`]), so that one
/// encoding serves every stream that sends it.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod server_v1 {
    include!(concat!(env!("OUT_DIR"), "/server/bank.v1.rs"));
}

/// Response metadata of a `StreamRates` feed opened with `from_sequence`:
/// how many ticks it replays, up to and including the tick that was in
/// progress when it opened. A resuming client reads it to say what it
/// recovered.
pub const REPLAY_TICKS_HEADER: &str = "bank-replay-ticks";

/// The encoded `FileDescriptorSet` of `proto/`, served by gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/bank_descriptor.bin"));

/// An error and its causes on one line. Transport errors often say only
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
