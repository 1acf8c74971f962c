//! Compiles `proto/` into Rust with no `protoc` on the machine.
//!
//! `protox` parses the `.proto` files in pure Rust into a descriptor set;
//! `tonic-prost-build` generates the messages and the client and server
//! stubs from it. The same descriptor set is written to `OUT_DIR` so the
//! server can hand it to gRPC reflection (grpcurl, grpcui, Postman).

use std::path::PathBuf;

use prost::Message as _;

const PROTO_ROOT: &str = "proto";
const PROTO_FILES: &[&str] = &["proto/bank/v1/bank.proto"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for file in PROTO_FILES {
        println!("cargo:rerun-if-changed={file}");
    }

    let descriptors = protox::compile(PROTO_FILES, [PROTO_ROOT])?;
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    std::fs::write(out_dir.join("bank_descriptor.bin"), descriptors.encode_to_vec())?;

    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        // Smaller per-call buffers than tonic's default: see proto/codec.rs.
        .codec_path("crate::codec::BankCodec")
        .compile_fds(descriptors)?;
    Ok(())
}
