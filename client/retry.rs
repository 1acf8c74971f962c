//! When the CLI tries a call again, and how long it waits in between.
//!
//! Only what is safe to repeat is repeated:
//! - unary calls (`Convert`, `ListCurrencies`) are reads with no effect on
//!   the server, so they are retried, but only on UNAVAILABLE: that code
//!   means the call was not served (the server is starting, draining or
//!   unreachable), where any other code is the server's answer;
//! - the rate feed resumes after a lost server (see `commands::rates`): a
//!   feed has no memory to lose, it just starts again at the current tick;
//! - batches and sessions are never replayed: the rows or requests already
//!   sent cannot be known to have been counted once and only once.
//!
//! Waits grow exponentially up to a cap, with full jitter (a random wait
//! between zero and the current ceiling), so that many clients cut off by
//! the same restart do not all come back in the same instant.

use std::future::Future;
use std::time::Duration;

use tonic::{Code, Status};

/// Ceiling of the first wait: a server that restarts is usually listening
/// again within a fraction of a second.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);

/// Largest ceiling: a server that stays away is still tried every few
/// seconds, so the feed resumes promptly once it is back, without hammering
/// it meanwhile.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Attempts of a unary call, the first included: enough to ride out a
/// rolling restart (about 100 + 200 + 400 ms of waiting), few enough that
/// a server that is really down is reported within a second.
pub const UNARY_ATTEMPTS: u32 = 4;

/// Capped exponential backoff with full jitter.
#[derive(Debug, Clone)]
pub struct Backoff {
    ceiling: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Backoff {
    pub fn new() -> Self {
        Self {
            ceiling: FIRST_BACKOFF,
        }
    }

    /// The next wait: random between zero and the ceiling, which then
    /// doubles up to [`MAX_BACKOFF`].
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self.ceiling;
        self.ceiling = (ceiling * 2).min(MAX_BACKOFF);
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::random_range(0..=ceiling_ms))
    }

    /// Back to the first ceiling, after a success.
    pub fn reset(&mut self) {
        self.ceiling = FIRST_BACKOFF;
    }
}

/// Runs `call` until it succeeds, fails with a code other than UNAVAILABLE,
/// or has been tried [`UNARY_ATTEMPTS`] times.
pub async fn unary<T, F, Fut>(mut call: F) -> Result<T, Status>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Status>>,
{
    let mut backoff = Backoff::new();
    let mut attempt = 1;
    loop {
        match call().await {
            Err(status) if status.code() == Code::Unavailable && attempt < UNARY_ATTEMPTS => {
                attempt += 1;
                tokio::time::sleep(backoff.next_delay()).await;
            }
            outcome => return outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn waits_stay_under_a_ceiling_that_doubles_up_to_the_cap() {
        let mut backoff = Backoff::new();
        let mut ceiling = FIRST_BACKOFF;
        for _ in 0..12 {
            assert!(backoff.next_delay() <= ceiling);
            ceiling = (ceiling * 2).min(MAX_BACKOFF);
        }
        assert_eq!(backoff.ceiling, MAX_BACKOFF);
        backoff.reset();
        assert_eq!(backoff.ceiling, FIRST_BACKOFF);
    }

    #[tokio::test]
    async fn unavailable_is_retried_until_the_call_succeeds() {
        let attempts = Cell::new(0);
        let outcome = unary(|| {
            attempts.set(attempts.get() + 1);
            let attempt = attempts.get();
            async move {
                if attempt < 3 {
                    Err(Status::unavailable("restarting"))
                } else {
                    Ok(attempt)
                }
            }
        })
        .await;
        assert_eq!(outcome.ok(), Some(3));
        assert_eq!(attempts.get(), 3);
    }

    #[tokio::test]
    async fn unavailable_is_given_up_after_the_last_attempt() {
        let attempts = Cell::new(0);
        let outcome: Result<(), Status> = unary(|| {
            attempts.set(attempts.get() + 1);
            async { Err(Status::unavailable("down")) }
        })
        .await;
        assert_eq!(outcome.map_err(|status| status.code()), Err(Code::Unavailable));
        assert_eq!(attempts.get(), UNARY_ATTEMPTS);
    }

    #[tokio::test]
    async fn any_other_code_is_returned_at_once() {
        for code in [
            Code::InvalidArgument,
            Code::Internal,
            Code::DeadlineExceeded,
            Code::Unknown,
        ] {
            let attempts = Cell::new(0);
            let outcome: Result<(), Status> = unary(|| {
                attempts.set(attempts.get() + 1);
                async move { Err(Status::new(code, "no")) }
            })
            .await;
            assert_eq!(outcome.map_err(|status| status.code()), Err(code));
            assert_eq!(attempts.get(), 1, "{code:?} must not be retried");
        }
    }
}
