//! The shape of the runtime the server runs on, chosen for the CPUs the
//! process may use.
//!
//! tokio offers two schedulers. The multi-thread one runs a worker per CPU
//! and steals tasks between them; the current-thread one runs every task
//! on the thread that drives it. With one CPU, the multi-thread runtime
//! still pays for work stealing, cross-thread wake-ups and atomics on every
//! task, for nothing: measured with h2load against a server held to one
//! core (`taskset -c 0`), the current-thread runtime answers about 1.4
//! times as many calls (BENCHMARKS.md, "Runtime shape").
//!
//! With several CPUs there is a third shape, built from the second: one
//! current-thread runtime per core, each on its own thread with its own
//! listening socket, all bound to the same port with `SO_REUSEPORT`, so
//! that the kernel spreads the connections between them. A connection
//! then lives on one thread from accept to close, and nothing is stolen
//! or handed over; what the server shares (the rate board, the caps, the
//! drain, the counters) is still one object behind an `Arc`
//! (see `server/per_core.rs`).
//!
//! `--runtime` picks the shape, `--workers` the number of threads:
//!
//! - `auto` (the default): 1 worker is a current-thread runtime, more are
//!   one current-thread runtime each (`per-core`, on Linux; multi-thread
//!   elsewhere). Measured on two CPUs with h2load, per-core answered 1.40
//!   to 1.45 times as many calls as multi-thread with 4 or 16 client
//!   connections, and as many with one (BENCHMARKS.md, "Runtime shape");
//!   [`RuntimeShape::for_workers`] is where that default is decided;
//! - `current-thread`: one thread, whatever the CPUs (more workers is a
//!   contradiction, refused);
//! - `multi-thread`: work-stealing workers, even just one;
//! - `per-core`: that many current-thread runtimes sharing the port.
//!
//! Without `--workers`, the CPUs this process may use give the number.
//! "May use" is what the operating system allows, not what the machine
//! has: the standard library's `available_parallelism` reads the affinity
//! mask (`taskset`, a container's `cpuset`) and the cgroup CPU quota (a
//! container's `--cpus`, a Kubernetes CPU limit), rounding a fraction of a
//! CPU down, never below one.

use std::num::NonZeroUsize;

use tokio::runtime::{Builder, Runtime};

/// `--runtime`: which shape the operator asks for.
///
/// The values are `auto`, `current-thread`, `multi-thread` and `per-core`
/// (see the module's documentation); their help is the flag's, in the
/// catalogs. (Plain comments on the variants below: clap would show doc
/// comments there as each value's help, in English whatever the language.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RuntimeChoice {
    // The fastest shape for the number of workers, as measured so far.
    #[default]
    Auto,
    // One thread runs every task.
    CurrentThread,
    // Work-stealing workers.
    MultiThread,
    // One current-thread runtime per worker, sharing the listening port.
    PerCore,
}

/// Which scheduler, and how many threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeShape {
    /// Every task on the one thread that runs the server.
    CurrentThread,
    /// Work-stealing workers, one per CPU the process may use.
    MultiThread { workers: usize },
    /// `runtimes` current-thread runtimes, each on a thread of its own
    /// with a listener of its own on the shared port (`SO_REUSEPORT`).
    PerCore { runtimes: usize },
}

/// `--runtime current-thread` with `--workers` above one: a contradiction
/// the operator should hear about rather than have settled silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("--runtime current-thread runs one thread, but --workers asks for {workers}")]
pub struct ConflictingWorkers {
    pub workers: usize,
}

impl RuntimeShape {
    /// The shape for `--runtime` and `--workers` (when given; otherwise
    /// the CPUs this process may use give the number of threads).
    pub fn choose(choice: RuntimeChoice, workers: Option<u16>) -> Result<Self, ConflictingWorkers> {
        let threads = workers.map_or_else(usable_cpus, usize::from);
        Ok(match choice {
            // The fastest shape measured (BENCHMARKS.md, "Runtime shape").
            RuntimeChoice::Auto => Self::for_workers(threads),
            RuntimeChoice::CurrentThread if workers.is_some_and(|workers| workers > 1) => {
                return Err(ConflictingWorkers { workers: threads });
            }
            RuntimeChoice::CurrentThread => RuntimeShape::CurrentThread,
            RuntimeChoice::MultiThread => RuntimeShape::MultiThread { workers: threads },
            RuntimeChoice::PerCore => RuntimeShape::PerCore { runtimes: threads },
        })
    }

    /// The fastest shape for `workers` threads: one is a current-thread
    /// runtime; more, one current-thread runtime per thread sharing the
    /// port where the system spreads connections between sockets (Linux),
    /// a multi-thread runtime elsewhere.
    pub fn for_workers(workers: usize) -> Self {
        if workers <= 1 {
            RuntimeShape::CurrentThread
        } else if cfg!(target_os = "linux") {
            RuntimeShape::PerCore { runtimes: workers }
        } else {
            RuntimeShape::MultiThread { workers }
        }
    }

    /// Builds the runtime of the calling thread, with I/O and timers. For
    /// [`PerCore`](RuntimeShape::PerCore) that is the first of the
    /// runtimes: the server starts the others, one per extra listener
    /// ([`BankServer::bind_sharing_port`](crate::BankServer::bind_sharing_port)).
    pub fn build(self) -> std::io::Result<Runtime> {
        match self {
            RuntimeShape::CurrentThread | RuntimeShape::PerCore { .. } => {
                Builder::new_current_thread().enable_all().build()
            }
            RuntimeShape::MultiThread { workers } => Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_all()
                .build(),
        }
    }

    /// The scheduler's name and thread count, for the start-up log line.
    pub fn describe(self) -> (&'static str, usize) {
        match self {
            RuntimeShape::CurrentThread => ("current_thread", 1),
            RuntimeShape::MultiThread { workers } => ("multi_thread", workers),
            RuntimeShape::PerCore { runtimes } => ("per_core", runtimes),
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
    fn one_worker_is_a_current_thread_runtime_and_more_are_one_runtime_per_core() {
        assert_eq!(RuntimeShape::for_workers(1), RuntimeShape::CurrentThread);
        let several = if cfg!(target_os = "linux") {
            RuntimeShape::PerCore { runtimes: 4 }
        } else {
            RuntimeShape::MultiThread { workers: 4 }
        };
        assert_eq!(RuntimeShape::for_workers(4), several);
        let auto = |workers| RuntimeShape::choose(RuntimeChoice::Auto, Some(workers));
        assert_eq!(auto(1), Ok(RuntimeShape::CurrentThread));
        if cfg!(target_os = "linux") {
            assert_eq!(auto(2).map(RuntimeShape::describe), Ok(("per_core", 2)));
        }
    }

    #[test]
    fn a_named_shape_gets_the_workers_asked_for() {
        assert_eq!(
            RuntimeShape::choose(RuntimeChoice::PerCore, Some(3)),
            Ok(RuntimeShape::PerCore { runtimes: 3 })
        );
        assert_eq!(
            RuntimeShape::choose(RuntimeChoice::MultiThread, Some(1)),
            Ok(RuntimeShape::MultiThread { workers: 1 })
        );
        assert_eq!(
            RuntimeShape::choose(RuntimeChoice::CurrentThread, Some(1)),
            Ok(RuntimeShape::CurrentThread)
        );
        // Without --workers, one thread per usable CPU.
        assert_eq!(
            RuntimeShape::choose(RuntimeChoice::PerCore, None),
            Ok(RuntimeShape::PerCore {
                runtimes: usable_cpus()
            })
        );
        assert_eq!(
            RuntimeShape::choose(RuntimeChoice::PerCore, Some(2)).map(RuntimeShape::describe),
            Ok(("per_core", 2))
        );
    }

    #[test]
    fn a_current_thread_runtime_with_more_workers_is_refused() {
        assert_eq!(
            RuntimeShape::choose(RuntimeChoice::CurrentThread, Some(2)),
            Err(ConflictingWorkers { workers: 2 })
        );
        // Without --workers it is one thread, whatever the CPUs.
        assert_eq!(
            RuntimeShape::choose(RuntimeChoice::CurrentThread, None),
            Ok(RuntimeShape::CurrentThread)
        );
    }
}
