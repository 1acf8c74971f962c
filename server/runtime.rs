//! The shape of the runtime the server runs on, chosen for the CPUs the
//! process may use.
//!
//! tokio offers two schedulers. The multi-thread one runs a worker per CPU
//! and steals tasks between them; the current-thread one runs every task
//! on the thread that drives it. With one CPU, the multi-thread runtime
//! still pays for work stealing, cross-thread wake-ups and atomics on every
//! task, for nothing: measured with h2load against a server held to one
//! core (`taskset -c 0`), the current-thread runtime answers about 1.4
//! times as many calls (BENCHMARKS.md, "Runtime shape"). So:
//!
//! - `--workers N` is obeyed: 1 is a current-thread runtime, more a
//!   multi-thread one with N workers;
//! - without it, the CPUs this process may use decide: one CPU, a
//!   current-thread runtime; several, a multi-thread runtime with one
//!   worker each.
//!
//! "May use" is what the operating system allows, not what the machine
//! has: the standard library's `available_parallelism` reads the affinity
//! mask (`taskset`, a container's `cpuset`) and the cgroup CPU quota (a
//! container's `--cpus`, a Kubernetes CPU limit), rounding a fraction of a
//! CPU down, never below one.

use std::num::NonZeroUsize;

use tokio::runtime::{Builder, Runtime};

/// Which scheduler, and how many workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeShape {
    /// Every task on the one thread that runs the server.
    CurrentThread,
    /// Work-stealing workers, one per CPU the process may use.
    MultiThread { workers: usize },
}

impl RuntimeShape {
    /// The shape for `--workers` (when given) or for the CPUs this process
    /// may use.
    pub fn choose(workers: Option<u16>) -> Self {
        Self::for_workers(workers.map_or_else(usable_cpus, usize::from))
    }

    /// The shape for `workers` threads: one is a current-thread runtime.
    pub fn for_workers(workers: usize) -> Self {
        if workers <= 1 {
            RuntimeShape::CurrentThread
        } else {
            RuntimeShape::MultiThread { workers }
        }
    }

    /// Builds the runtime, with I/O and timers.
    pub fn build(self) -> std::io::Result<Runtime> {
        match self {
            RuntimeShape::CurrentThread => Builder::new_current_thread().enable_all().build(),
            RuntimeShape::MultiThread { workers } => Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_all()
                .build(),
        }
    }

    /// The scheduler's name and worker count, for the start-up log line.
    pub fn describe(self) -> (&'static str, usize) {
        match self {
            RuntimeShape::CurrentThread => ("current_thread", 1),
            RuntimeShape::MultiThread { workers } => ("multi_thread", workers),
        }
    }
}

/// The CPUs this process may run on: its affinity mask and cgroup quota
/// (see the module's documentation); one when they cannot be read.
pub fn usable_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_worker_is_a_current_thread_runtime_and_more_are_multi_thread() {
        assert_eq!(RuntimeShape::for_workers(1), RuntimeShape::CurrentThread);
        assert_eq!(
            RuntimeShape::for_workers(4),
            RuntimeShape::MultiThread { workers: 4 }
        );
        assert_eq!(RuntimeShape::choose(Some(1)), RuntimeShape::CurrentThread);
        assert_eq!(RuntimeShape::choose(Some(2)).describe(), ("multi_thread", 2));
    }
}
