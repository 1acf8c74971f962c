//! The Python example (`examples/python/`) against a live server: its
//! stubs generated from `proto/` by grpcio-tools, every model of the
//! service called from Python over a gzip channel, and every figure it
//! prints the very one a tonic client gets from the same pinned server.
//!
//! The server's clock stands still, so the example's conversions, its
//! replayed feed, its batch and its session are all priced at one tick,
//! and the test asks the same server the same questions through tonic to
//! know the exact lines to expect (`client_output`, shared with the lab's
//! Go client); its cancelled feed shows in the server's metrics. The
//! channel says `grpc-encoding: gzip` on every call: a server that did not
//! accept gzip would refuse them all (UNIMPLEMENTED) and the example would
//! fail. The example is also the lab's Python solution
//! (`docs/lab/python/skeleton.py` runs it with its calls left to write;
//! see `lab_clients`).
//!
//! The interpreter is the one `BANK_PYTHON` names: the `python` of a
//! virtual environment with `examples/python/requirements.txt` installed,
//! which `.ci/run` creates. Without it the test is skipped, saying why,
//! except under CI (`CI=true`), where it fails.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::client_output::{PinnedServer, check_everything, repository, run_to_end};

/// Upper bound for one run of the interpreter: starting Python, protoc and
/// a dozen calls take a few seconds; only a hang reaches this.
const PYTHON_PATIENCE: Duration = Duration::from_secs(120);

/// The variable naming the virtual environment's interpreter.
const PYTHON_VARIABLE: &str = "BANK_PYTHON";

fn example_dir() -> PathBuf {
    repository().join("examples/python")
}

/// The interpreter to run the example with, or `None` (after saying why)
/// when the test is to be skipped.
pub fn python() -> Option<PathBuf> {
    match std::env::var_os(PYTHON_VARIABLE) {
        Some(path) => {
            let path = PathBuf::from(path);
            assert!(
                path.is_file(),
                "{PYTHON_VARIABLE}={} is not a file",
                path.display()
            );
            Some(path)
        }
        None => {
            let why = format!(
                "{PYTHON_VARIABLE} is not set (the python of a venv with \
                 examples/python/requirements.txt installed; .ci/run makes one)"
            );
            harness::skip_outside_ci(&why);
            None
        }
    }
}

/// Runs `python script args...` in the example's folder and returns its
/// output once it exited with `expected_code`.
pub async fn run_python(python: &Path, script: &Path, args: &[&str], expected_code: i32) -> String {
    let mut command = tokio::process::Command::new(python);
    command
        .current_dir(example_dir())
        .arg(script)
        .args(args)
        // No byte-code caches in the source tree, and UTF-8 whatever the
        // locale (the French message).
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8");
    run_to_end(command, PYTHON_PATIENCE, expected_code).await
}

/// Generates the stubs into `out` with the example's generate.py.
pub async fn generate_stubs(python: &Path, out: &Path) {
    let out = out.to_str().expect("a UTF-8 path");
    run_python(python, Path::new("generate.py"), &["--out", out], 0).await;
    assert!(
        Path::new(out).join("bank/v1/bank_pb2_grpc.py").is_file(),
        "the stub is generated"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_example_calls_every_model_over_gzip_and_prints_the_figures_tonic_gets() {
    let Some(python) = python() else {
        return;
    };
    let pinned = PinnedServer::start().await;
    let stubs = tempfile::tempdir().expect("a temporary folder");
    generate_stubs(&python, stubs.path()).await;
    let address = pinned.server.addr.to_string();
    let stubs_dir = stubs.path().to_str().expect("a UTF-8 path");
    let output = run_python(
        &python,
        Path::new("bank_client.py"),
        &[&address, "--stubs", stubs_dir],
        0,
    )
    .await;
    check_everything(&pinned, &output, "py-1").await;
}
