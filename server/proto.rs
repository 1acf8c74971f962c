//! The `bank.v1` contract, generated from `proto/bank/v1/bank.proto` by
//! `build.rs` (protox + tonic-prost-build, no `protoc` needed).
//!
//! Generated code is kept out of the source tree; this module only includes
//! it, together with the encoded descriptor set that server reflection hands
//! to tools such as grpcurl.

#![allow(missing_docs, clippy::all, clippy::pedantic)]

/// Package `bank.v1`.
pub mod v1 {
    tonic::include_proto!("bank.v1");
}

/// The encoded `FileDescriptorSet` of `proto/`, served by gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/bank_descriptor.bin"));
