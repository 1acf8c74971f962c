//! `--deadline`: a gRPC deadline on a whole streaming call (`bank rates`,
//! `bank batch`, `bank session`).
//!
//! A gRPC deadline is an instant after which the client no longer wants an
//! answer. It travels with the call as the `grpc-timeout` header (the time
//! left, set here with tonic's `Request::set_timeout`), and both sides
//! enforce it:
//!
//! - the server ends the call with DEADLINE_EXCEEDED when it passes (see
//!   `server/deadline.rs`): a feed or a session stops where it is, a batch
//!   still running gets no summary;
//! - the client ends it too. tonic bounds only the wait for the response's
//!   headers by `grpc-timeout`, which a feed or a session gets at once; so
//!   the command also races its whole call against the deadline
//!   ([`Deadline::expired`]), a little later ([`DEADLINE_GRACE`]) so that
//!   the server's own status, when it keeps the deadline, is the one
//!   reported. A server that ignores `grpc-timeout` is cut off all the same.
//!
//! Lifecycle: the deadline starts counting when the command opens its call
//! ([`Deadline::start`]) and covers everything after it, reconnections of
//! `bank rates` included (each new call carries only the time left). When it
//! passes, the command fails with DEADLINE_EXCEEDED (exit code 3, like every
//! "try again later" failure); what it printed before stays printed.

use std::time::Duration;

use tokio::time::Instant;
use tonic::{Code, Request, Status};

use crate::error::{CliError, is_client_timeout};
use crate::format::{self, ArgProblem};

/// How long after its deadline the client waits for the server's
/// DEADLINE_EXCEEDED before ending the call itself: the server's timer and
/// this one start a network trip apart, and the status the server sends is
/// the better report (it says the server stopped too). One second is far
/// above a trip on any network the CLI is used over.
pub const DEADLINE_GRACE: Duration = Duration::from_secs(1);

/// The longest `--deadline` taken: thirty days, far beyond any call anyone
/// means to bound; a longer one is a typo (`30000h`), refused as such.
pub const MAX_DEADLINE: Duration = Duration::from_secs(30 * 24 * 3_600);

/// `--deadline`, shared by every streaming command.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct DeadlineArg {
    /// A deadline on the whole call, e.g. 30s or 5m: the server ends it
    /// with DEADLINE_EXCEEDED when it passes (exit code 3).
    #[arg(long, value_parser = deadline_input)]
    pub deadline: Option<Duration>,
}

/// `--deadline`'s value: a duration, more than zero and at most
/// [`MAX_DEADLINE`].
fn deadline_input(text: &str) -> Result<Duration, ArgProblem> {
    format::duration_at_most(text, MAX_DEADLINE)
}

/// A running deadline: the instant it passes.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    until: Instant,
}

impl Deadline {
    /// Starts counting `--deadline` from now; `None` without it.
    pub fn start(arg: DeadlineArg) -> Option<Self> {
        let until = Instant::now().checked_add(arg.deadline?)?;
        Some(Self { until })
    }

    /// Puts the time left in `request`'s `grpc-timeout`.
    pub fn apply<T>(&self, request: &mut Request<T>) {
        request.set_timeout(self.until.saturating_duration_since(Instant::now()));
    }

    /// Whether the deadline has passed.
    pub fn passed(&self) -> bool {
        Instant::now() >= self.until
    }

    /// Waits until [`DEADLINE_GRACE`] after the deadline, and gives the
    /// status the command then ends with.
    pub async fn expired(&self) -> Status {
        tokio::time::sleep_until(self.until + DEADLINE_GRACE).await;
        exceeded()
    }

    /// The failure of a call that ran out of its deadline, reported as one:
    /// tonic says CANCELLED ("Timeout expired") when `grpc-timeout` passes
    /// before the response's headers arrive, which is what a batch sees.
    pub fn explain(&self, url: &str, error: CliError) -> CliError {
        if !self.passed() {
            return error;
        }
        match error {
            CliError::Timeout => CliError::Status {
                url: url.to_owned(),
                status: exceeded(),
            },
            CliError::Status { url, status } if is_client_timeout(&status) => CliError::Status {
                url,
                status: exceeded(),
            },
            CliError::BatchIncomplete { url, sent, status } if is_client_timeout(&status) => {
                CliError::BatchIncomplete {
                    url,
                    sent,
                    status: exceeded(),
                }
            }
            other => other,
        }
    }
}

/// The status a call that outlived its deadline ends with, as the server
/// would send it.
fn exceeded() -> Status {
    Status::new(Code::DeadlineExceeded, "the call's deadline passed")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deadline(limit: Duration) -> Deadline {
        Deadline::start(DeadlineArg {
            deadline: Some(limit),
        })
        .expect("a deadline")
    }

    #[test]
    fn a_timeout_after_the_deadline_is_reported_as_deadline_exceeded() {
        let passed = deadline(Duration::from_nanos(1));
        std::thread::sleep(Duration::from_millis(1));
        let timed_out = Status::cancelled(tonic::TimeoutExpired(()).to_string());
        for error in [
            CliError::Timeout,
            CliError::Status {
                url: "u".into(),
                status: timed_out.clone(),
            },
        ] {
            match passed.explain("u", error) {
                CliError::Status { status, .. } => assert_eq!(status.code(), Code::DeadlineExceeded),
                other => panic!("{other:?}"),
            }
        }
        match passed.explain(
            "u",
            CliError::BatchIncomplete {
                url: "u".into(),
                sent: 3,
                status: timed_out,
            },
        ) {
            CliError::BatchIncomplete { status, sent: 3, .. } => {
                assert_eq!(status.code(), Code::DeadlineExceeded)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn failures_before_the_deadline_are_left_as_they_are() {
        let running = deadline(Duration::from_secs(3_600));
        assert!(matches!(
            running.explain("u", CliError::Timeout),
            CliError::Timeout
        ));
        let passed = deadline(Duration::from_nanos(1));
        std::thread::sleep(Duration::from_millis(1));
        let refused = CliError::Status {
            url: "u".into(),
            status: Status::invalid_argument("no"),
        };
        match passed.explain("u", refused) {
            CliError::Status { status, .. } => assert_eq!(status.code(), Code::InvalidArgument),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_deadline_is_a_positive_duration_of_at_most_thirty_days() {
        assert_eq!(deadline_input("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(deadline_input("0s"), Err(ArgProblem::DurationNotPositive));
        assert_eq!(
            deadline_input("31days"),
            Err(ArgProblem::DurationTooLong { max: MAX_DEADLINE })
        );
    }
}
