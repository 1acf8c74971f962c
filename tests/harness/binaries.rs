//! The workspace's two binaries, built for the tests that run them.
//!
//! Cargo hands `CARGO_BIN_EXE_<name>` only to the integration tests of the
//! package that owns the binary. These tests are a package of their own, so
//! the first test of a test binary that needs `bank` or `bank-server` asks
//! Cargo to build it, with the profile the tests were built with; when the
//! binary is fresh that is a no-op of a fraction of a second. The path is
//! then kept for the rest of the run.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The `bank` command-line client.
pub fn bank_exe() -> &'static Path {
    static BANK: OnceLock<PathBuf> = OnceLock::new();
    built(&BANK, "bank", "bank")
}

/// The `bank-server` binary.
pub fn server_exe() -> &'static Path {
    static SERVER: OnceLock<PathBuf> = OnceLock::new();
    built(&SERVER, "bank-server", "bank-server")
}

fn built(cell: &'static OnceLock<PathBuf>, package: &str, bin: &str) -> &'static Path {
    cell.get_or_init(|| {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        // No `--target`: the binary lands in the same target directory as
        // everything else, reusing the libraries already built.
        escargot::CargoBuild::new()
            .manifest_path(manifest)
            .package(package)
            .bin(bin)
            .current_release()
            .run()
            .unwrap_or_else(|error| panic!("cargo could not build {bin}: {error}"))
            .path()
            .to_owned()
    })
}
