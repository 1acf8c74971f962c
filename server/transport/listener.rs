//! The listening socket's two dangers: running out of file descriptors, and
//! spinning when it does.
//!
//! Every connection costs a file descriptor, and Linux starts a process
//! with a soft limit of 1,024 even when it may have far more (the hard
//! limit, often 524,288): [`raise_open_file_limit`] lifts the soft limit to
//! the hard one at start. When descriptors run out anyway, `accept` fails
//! with EMFILE at once, every time, until one is freed; retrying at once
//! would spin a core at 100% and starve the calls that could free one.
//! [`Backoff`] pauses the accept loop instead, longer while the errors go
//! on, and logs the episode once at its start and once at its end.

use std::io;
use std::time::Duration;

use crate::limits::{ACCEPT_BACKOFF_MAX, ACCEPT_BACKOFF_MIN};

/// Raises this process's soft limit on open files to its hard limit, and
/// returns the new limit. A process that embeds the server decides its own
/// limits: `bank-server` calls this at start, the library never does.
pub fn raise_open_file_limit() -> io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}

/// The pause of the accept loop after errors.
#[derive(Debug, Default)]
pub(crate) struct Backoff {
    /// The next pause; `None` while accepting works.
    pause: Option<Duration>,
    /// Errors since the episode began.
    errors: u64,
}

impl Backoff {
    /// After an accepted connection: ends an episode of errors.
    pub(crate) fn succeeded(&mut self) {
        if self.pause.take().is_some() {
            tracing::info!(errors = self.errors, "accepting connections again");
            self.errors = 0;
        }
    }

    /// After a failed `accept`: how long to pause, or `None` for an error
    /// that concerns one connection only (it was reset before we took it),
    /// after which accepting again at once is right.
    pub(crate) fn failed(&mut self, error: &io::Error) -> Option<Duration> {
        if matches!(
            error.kind(),
            io::ErrorKind::ConnectionAborted
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionRefused
        ) {
            return None;
        }
        self.errors += 1;
        let pause = match self.pause {
            None => {
                tracing::warn!(%error, "cannot accept connections (out of file descriptors?); pausing the accept loop");
                ACCEPT_BACKOFF_MIN
            }
            Some(previous) => (previous * 2).min(ACCEPT_BACKOFF_MAX),
        };
        self.pause = Some(pause);
        Some(pause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out_of_descriptors() -> io::Error {
        io::Error::from_raw_os_error(24) // EMFILE
    }

    #[test]
    fn repeated_errors_double_the_pause_up_to_the_maximum() {
        let mut backoff = Backoff::default();
        let mut pauses = Vec::new();
        for _ in 0..12 {
            pauses.push(backoff.failed(&out_of_descriptors()).expect("a pause"));
        }
        assert_eq!(pauses[0], ACCEPT_BACKOFF_MIN);
        assert_eq!(pauses[1], ACCEPT_BACKOFF_MIN * 2);
        assert!(pauses.windows(2).all(|pair| pair[0] <= pair[1]));
        assert_eq!(*pauses.last().expect("twelve"), ACCEPT_BACKOFF_MAX);
    }

    #[test]
    fn a_success_starts_the_next_episode_from_the_shortest_pause() {
        let mut backoff = Backoff::default();
        backoff.failed(&out_of_descriptors());
        backoff.failed(&out_of_descriptors());
        backoff.succeeded();
        assert_eq!(backoff.failed(&out_of_descriptors()), Some(ACCEPT_BACKOFF_MIN));
    }

    #[test]
    fn a_connection_reset_before_accept_is_no_reason_to_pause() {
        let mut backoff = Backoff::default();
        let reset = io::Error::from(io::ErrorKind::ConnectionAborted);
        assert_eq!(backoff.failed(&reset), None);
    }
}
