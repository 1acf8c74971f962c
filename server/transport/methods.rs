//! What the transport must know of a gRPC method before any handler runs,
//! read off its path once, when the call's headers arrive:
//!
//! - how large one request message may be: every service gets a limit that
//!   fits it, and the limit is applied to the length a message *declares*
//!   in its 5-byte gRPC prefix, before any of it is buffered;
//! - whether the client sends exactly one message (unary calls, feeds,
//!   health checks), in which case the whole request must arrive within
//!   [`REQUEST_BODY_TIMEOUT`](crate::limits::REQUEST_BODY_TIMEOUT);
//! - whether the call is an endless watch that nothing else ends at a
//!   drain (health's `Watch`: our own feeds and sessions end themselves).

use crate::limits;

/// The transport's rules for one method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MethodRules {
    /// Largest request message, in bytes.
    pub max_message_bytes: usize,
    /// The client sends one message and half-closes.
    pub single_request: bool,
    /// The call only ends when the client leaves; a drain must end it.
    pub ends_at_drain: bool,
}

const BANK: &str = "/bank.v1.BankService/";
const HEALTH: &str = "/grpc.health.v1.Health/";
const REFLECTION_V1: &str = "/grpc.reflection.v1.ServerReflection/";
const REFLECTION_V1ALPHA: &str = "/grpc.reflection.v1alpha.ServerReflection/";

impl MethodRules {
    /// The rules of the method at `path` (`/package.Service/Method`).
    pub(crate) fn of(path: &str) -> Self {
        if let Some(method) = path.strip_prefix(BANK) {
            return Self {
                max_message_bytes: limits::MAX_REQUEST_MESSAGE_BYTES,
                // ConvertBatch and ConvertSession read a stream of requests.
                single_request: matches!(
                    method,
                    "Convert" | "ListCurrencies" | "StreamRates" | "GetRateHistory"
                ),
                ends_at_drain: false,
            };
        }
        if let Some(method) = path.strip_prefix(HEALTH) {
            return Self {
                max_message_bytes: limits::MAX_HEALTH_REQUEST_BYTES,
                single_request: true,
                ends_at_drain: method == "Watch",
            };
        }
        if path.starts_with(REFLECTION_V1) || path.starts_with(REFLECTION_V1ALPHA) {
            return Self {
                max_message_bytes: limits::MAX_REFLECTION_REQUEST_BYTES,
                single_request: false,
                ends_at_drain: false,
            };
        }
        Self {
            max_message_bytes: limits::MAX_UNKNOWN_REQUEST_BYTES,
            single_request: true,
            ends_at_drain: false,
        }
    }
}

/// Follows the gRPC length-prefixed framing of a request body (one flag
/// byte, a 4-byte big-endian length, the message) across however HTTP/2
/// cut it into DATA frames, to refuse a message by its declared length
/// before any of it is kept.
#[derive(Debug)]
pub(crate) struct MessageSizeCheck {
    max: usize,
    /// The prefix of the next message, as far as it has arrived.
    prefix: [u8; 5],
    prefix_len: usize,
    /// Bytes of the current message still to come.
    remaining: usize,
}

impl MessageSizeCheck {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            max,
            prefix: [0; 5],
            prefix_len: 0,
            remaining: 0,
        }
    }

    /// The limit, in bytes.
    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// Reads the next bytes of the body; `Err` with the declared length of
    /// the first message over the limit.
    pub(crate) fn feed(&mut self, mut data: &[u8]) -> Result<(), u64> {
        while !data.is_empty() {
            if self.remaining > 0 {
                let taken = self.remaining.min(data.len());
                self.remaining -= taken;
                data = &data[taken..];
                continue;
            }
            let taken = (self.prefix.len() - self.prefix_len).min(data.len());
            self.prefix[self.prefix_len..self.prefix_len + taken].copy_from_slice(&data[..taken]);
            self.prefix_len += taken;
            data = &data[taken..];
            if self.prefix_len == self.prefix.len() {
                self.prefix_len = 0;
                let [_, a, b, c, d] = self.prefix;
                let declared = u32::from_be_bytes([a, b, c, d]);
                let length = usize::try_from(declared).unwrap_or(usize::MAX);
                if length > self.max {
                    return Err(u64::from(declared));
                }
                self.remaining = length;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(length: u32) -> Vec<u8> {
        let mut bytes = vec![0];
        bytes.extend_from_slice(&length.to_be_bytes());
        bytes.extend(std::iter::repeat_n(7, usize::try_from(length).expect("small")));
        bytes
    }

    #[test]
    fn messages_up_to_the_limit_pass_whatever_the_frame_cuts() {
        let mut body = message(10);
        body.extend(message(0));
        body.extend(message(10));
        for cut in 1..body.len() {
            let mut check = MessageSizeCheck::new(10);
            for piece in body.chunks(cut) {
                assert_eq!(check.feed(piece), Ok(()), "pieces of {cut} bytes");
            }
        }
    }

    #[test]
    fn a_message_over_the_limit_is_refused_by_its_prefix_alone() {
        let mut check = MessageSizeCheck::new(10);
        assert_eq!(check.feed(&message(10)), Ok(()));
        // Only the prefix of the second message: its length is enough.
        assert_eq!(check.feed(&[0, 0, 0]), Ok(()));
        assert_eq!(check.feed(&[0, 11]), Err(11));
    }

    #[test]
    fn a_declared_length_of_four_gigabytes_is_reported_exactly() {
        let mut check = MessageSizeCheck::new(64 * 1024);
        assert_eq!(check.feed(&[0, 0xff, 0xff, 0xff, 0xff]), Err(u64::from(u32::MAX)));
    }

    #[test]
    fn every_service_has_a_limit_that_fits_it() {
        let convert = MethodRules::of("/bank.v1.BankService/Convert");
        assert_eq!(convert.max_message_bytes, limits::MAX_REQUEST_MESSAGE_BYTES);
        assert!(convert.single_request);
        assert!(!MethodRules::of("/bank.v1.BankService/ConvertSession").single_request);
        assert!(!MethodRules::of("/bank.v1.BankService/ConvertBatch").single_request);
        let watch = MethodRules::of("/grpc.health.v1.Health/Watch");
        assert_eq!(watch.max_message_bytes, limits::MAX_HEALTH_REQUEST_BYTES);
        assert!(watch.ends_at_drain);
        assert!(!MethodRules::of("/grpc.health.v1.Health/Check").ends_at_drain);
        for reflection in [
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        ] {
            assert_eq!(
                MethodRules::of(reflection).max_message_bytes,
                limits::MAX_REFLECTION_REQUEST_BYTES
            );
        }
        assert_eq!(
            MethodRules::of("/nope.Nothing/Else").max_message_bytes,
            limits::MAX_UNKNOWN_REQUEST_BYTES
        );
    }
}
