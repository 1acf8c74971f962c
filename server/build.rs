//! Build script of `bank-server`: records which compiler built it and for
//! which target, for the `bank_build_info` metric (server/metrics/process.rs).
//!
//! Cargo runs it before compiling the crate and gives it `RUSTC` (the
//! compiler it uses) and `TARGET` (the target triple). It asks that
//! compiler its version and hands both to the crate as the environment
//! variables `BANK_RUSTC_VERSION` and `BANK_TARGET`, read with `env!`. A
//! new toolchain rebuilds everything anyway, so the script reruns only when
//! it changes itself or Cargo's `RUSTC` does.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC");

    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    // `rustc --version` prints `rustc 1.91.1 (ed61e7d7e 2025-11-07)`: the
    // second word is the version. A compiler that cannot say is "unknown"
    // rather than a failed build.
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.split_whitespace().nth(1).map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=BANK_RUSTC_VERSION={version}");

    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=BANK_TARGET={target}");
}
