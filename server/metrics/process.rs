//! The process's metrics and the build's, beside the bank's.
//!
//! `process_*` are the standard metrics every Prometheus client library
//! exports for its process (CPU time, resident and virtual memory, open and
//! maximum file descriptors, threads, start time), under the names and
//! help texts of the Go client, so that dashboards made for any service
//! work here. [`ProcessCollector`] reads them at each scrape, on Linux from
//! `/proc/self` (`stat`, `limits`, `fd/`): a few small file reads, on the
//! metrics listener's task, never on a call's path. A value the platform
//! cannot give is left out rather than written as 0.
//!
//! Why `metrics-process`: `prometheus-client` has no process collector
//! (its issue #29 is still open). `kubert-prometheus-process` is made for
//! it, but for its 0.23 only: a second, older copy of the library in the
//! build, whose registry is not ours. `metrics-process` is a maintained port
//! of the Go client's collector to Linux, macOS, Windows and the BSDs; with
//! its `metrics` facade turned off it is just the function that reads the
//! values ([`metrics_process::collector::collect`]), and this file hands
//! them to `prometheus-client` like the bank's own.
//!
//! `bank_build_info` follows the `*_build_info` convention (Prometheus's own
//! `prometheus_build_info`): a gauge always 1, whose labels say what runs:
//! `version` (the crate's), `rustc` (the compiler's version) and `target`
//! (the target triple), the last two recorded by `server/build.rs`. A query
//! joins on it, or counts the versions running during a rollout:
//! `count by (version) (bank_build_info)`.

use std::fmt;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::DescriptorEncoder;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use super::exposition::{counter, gauge};

/// The labels of `bank_build_info`.
const BUILD_LABELS: [(&str, &str); 3] = [
    ("version", env!("CARGO_PKG_VERSION")),
    ("rustc", env!("BANK_RUSTC_VERSION")),
    ("target", env!("BANK_TARGET")),
];

/// Adds the process's metrics and the build info to `registry`.
pub fn register(registry: &mut Registry) {
    // The library names an info metric `<name>_info` and adds a full stop
    // to the help of what is registered.
    registry.register(
        "bank_build",
        "The build of this server, in its labels (version, compiler, target); always 1",
        Info::new(BUILD_LABELS),
    );
    registry.register_collector(Box::new(ProcessCollector));
}

/// Reads the process's metrics at each scrape.
#[derive(Debug)]
struct ProcessCollector;

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
        let process = metrics_process::collector::collect();
        if let Some(seconds) = process.cpu_seconds_total {
            // Exposed as `process_cpu_seconds_total`: the library appends
            // `_total` to counters.
            counter(
                &mut encoder,
                "process_cpu_seconds",
                "Total user and system CPU time spent in seconds.",
                seconds,
            )?;
        }
        for (name, help, value) in [
            (
                "process_resident_memory_bytes",
                "Resident memory size in bytes.",
                process.resident_memory_bytes,
            ),
            (
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes.",
                process.virtual_memory_bytes,
            ),
            (
                "process_open_fds",
                "Number of open file descriptors.",
                process.open_fds,
            ),
            // The crate says 0 for "unlimited", which is no maximum at all.
            (
                "process_max_fds",
                "Maximum number of open file descriptors.",
                process.max_fds.filter(|&max| max > 0),
            ),
            (
                "process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.",
                process.start_time_seconds,
            ),
            (
                "process_threads",
                "Number of OS threads in the process.",
                process.threads,
            ),
        ] {
            if let Some(value) = value {
                gauge(&mut encoder, name, help, value)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::encoding::prometheus_text;

    fn render() -> String {
        let mut registry = Registry::default();
        register(&mut registry);
        let mut text = String::new();
        prometheus_text::encode(&mut text, &registry).expect("encoding into a String succeeds");
        text
    }

    #[test]
    fn the_build_info_is_1_with_the_crate_version_the_compiler_and_the_target() {
        let text = render();
        assert!(
            text.lines().any(|line| line.starts_with(&format!(
                "bank_build_info{{version=\"{}\",rustc=\"",
                env!("CARGO_PKG_VERSION")
            )) && line
                .ends_with(&format!("\",target=\"{}\"}} 1", env!("BANK_TARGET")))),
            "{text}"
        );
        assert!(text.contains("# TYPE bank_build_info gauge\n"), "{text}");
        let rustc = env!("BANK_RUSTC_VERSION");
        assert!(
            rustc.split('.').count() >= 3 && rustc.starts_with("1."),
            "{rustc}"
        );
    }
}
