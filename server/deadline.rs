//! Client deadlines: a client's `grpc-timeout` bounds the work done for it.
//!
//! tonic honours `grpc-timeout` only around the handler's future, and
//! answers CANCELLED when it passes, where the gRPC specification says
//! DEADLINE_EXCEEDED. That covers unary calls and batches (whose handler
//! runs until the summary), but not feeds and sessions: their handler
//! returns a stream at once and the stream then runs unbounded.
//!
//! The router (`crate::calls`) parses the header once, when the call
//! arrives ([`deadline_of`]), and:
//!
//! - puts the instant it names in the request's extensions as a
//!   [`RequestDeadline`], where the feed and session streams find it and
//!   end with DEADLINE_EXCEEDED when it passes (see `service::CallTimer`);
//! - bounds the handler's future itself, answering DEADLINE_EXCEEDED, the
//!   code the specification asks for.

use std::time::Duration;

use http::HeaderMap;
use tokio::time::Instant;

/// The header a gRPC client puts its deadline in.
const GRPC_TIMEOUT: &str = "grpc-timeout";

/// The most digits a `grpc-timeout` value may have, per the gRPC over HTTP/2
/// specification; it also keeps the arithmetic below far from overflow
/// (99,999,999 hours fits a `Duration` easily).
const MAX_TIMEOUT_DIGITS: usize = 8;

/// The instant a call's client stops waiting, from its `grpc-timeout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestDeadline(pub Instant);

/// Parses a `grpc-timeout` value: 1 to 8 ASCII digits and a unit, `H`
/// (hours), `M` (minutes), `S`, `m` (milliseconds), `u` (microseconds) or
/// `n` (nanoseconds). Anything else is `None`: like tonic, a malformed
/// timeout is ignored rather than refused.
pub fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    let split = value.len().checked_sub(1)?;
    let (digits, unit) = (value.get(..split)?, value.get(split..)?);
    if digits.is_empty() || digits.len() > MAX_TIMEOUT_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount * 3_600),
        "M" => Duration::from_secs(amount * 60),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

/// The deadline a request's headers name, counted from now.
pub(crate) fn deadline_of(headers: &HeaderMap) -> Option<Instant> {
    let timeout = parse_grpc_timeout(headers.get(GRPC_TIMEOUT)?.to_str().ok()?)?;
    Instant::now().checked_add(timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeout_units_follow_the_specification() {
        assert_eq!(parse_grpc_timeout("2H"), Some(Duration::from_secs(7_200)));
        assert_eq!(parse_grpc_timeout("3M"), Some(Duration::from_secs(180)));
        assert_eq!(parse_grpc_timeout("5S"), Some(Duration::from_secs(5)));
        assert_eq!(parse_grpc_timeout("250m"), Some(Duration::from_millis(250)));
        assert_eq!(parse_grpc_timeout("30000000u"), Some(Duration::from_secs(30)));
        assert_eq!(
            parse_grpc_timeout("99999999n"),
            Some(Duration::from_nanos(99_999_999))
        );
        assert_eq!(
            parse_grpc_timeout("99999999H"),
            Some(Duration::from_secs(99_999_999 * 3_600))
        );
    }

    #[test]
    fn malformed_grpc_timeouts_are_ignored() {
        for value in [
            "",
            "S",
            "10",
            "123456789S",
            "1.5S",
            "-1S",
            "+1S",
            "10s",
            "1 S",
            "１S",
            "10SS",
        ] {
            assert_eq!(parse_grpc_timeout(value), None, "{value:?}");
        }
    }
}
