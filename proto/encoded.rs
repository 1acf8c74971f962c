//! A message encoded once and sent many times.
//!
//! A feed server sends the same update to every subscriber that asked for
//! the same pairs: thousands of streams, one message. Building and encoding
//! that message once per stream was most of a feed's cost. [`Encoded`]
//! holds a message's protobuf bytes, written once; cloning it clones a
//! reference to those bytes, and encoding it (which tonic's codec does for
//! every stream) copies them as they are.
//!
//! It is a [`prost::Message`] in its own right, so it goes through the
//! generated server and its codec like any message: the server's stubs are
//! generated with `bank.v1.RateUpdate` replaced by [`EncodedRateUpdate`]
//! (`build.rs`, module `server_v1`), and clients see an ordinary
//! `RateUpdate` on the wire. Decoding one is possible but never done on a
//! hot path: it goes through the message type itself, so it accepts
//! exactly what that type accepts.

use std::fmt;
use std::marker::PhantomData;

use prost::bytes::{Buf, BufMut, Bytes};
use prost::encoding::{DecodeContext, WireType};
use prost::{DecodeError, Message};

/// The encoded bytes of an `M`.
pub struct Encoded<M> {
    /// The message's protobuf encoding (without a length prefix), shared
    /// by every clone.
    bytes: Bytes,
    _message: PhantomData<fn() -> M>,
}

/// A `bank.v1.RateUpdate`, encoded once for every feed that sends it.
pub type EncodedRateUpdate = Encoded<crate::v1::RateUpdate>;

impl<M: Message> Encoded<M> {
    /// Encodes `message`: the only time its fields are written.
    pub fn new(message: &M) -> Self {
        Self {
            bytes: Bytes::from(message.encode_to_vec()),
            _message: PhantomData,
        }
    }

    /// The encoded bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

impl<M: Message + Default> Encoded<M> {
    /// The message these bytes encode.
    pub fn to_message(&self) -> Result<M, DecodeError> {
        M::decode(self.bytes.clone())
    }
}

impl<M> Clone for Encoded<M> {
    fn clone(&self) -> Self {
        Self {
            bytes: self.bytes.clone(),
            _message: PhantomData,
        }
    }
}

impl<M> Default for Encoded<M> {
    /// The encoding of a message with every field at its default: no bytes.
    fn default() -> Self {
        Self {
            bytes: Bytes::new(),
            _message: PhantomData,
        }
    }
}

impl<M> PartialEq for Encoded<M> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl<M> fmt::Debug for Encoded<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encoded")
            .field("message", &std::any::type_name::<M>())
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl<M: Message + Default> Message for Encoded<M> {
    fn encode_raw(&self, buf: &mut impl BufMut) {
        buf.put_slice(&self.bytes);
    }

    /// Merges one field by decoding the message, merging the field into it
    /// and encoding it again: quadratic in the number of fields, and
    /// exactly `M`'s own rules. Nothing decodes an `Encoded` where speed
    /// matters (the server only sends them).
    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        let mut message = self.to_message()?;
        message.merge_field(tag, wire_type, buf, ctx)?;
        self.bytes = Bytes::from(message.encode_to_vec());
        Ok(())
    }

    fn encoded_len(&self) -> usize {
        self.bytes.len()
    }

    fn clear(&mut self) {
        self.bytes = Bytes::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v1::{Quote, RateUpdate};

    fn update() -> RateUpdate {
        RateUpdate {
            sequence: 42,
            time: Some(prost_types::Timestamp {
                seconds: 1_795_000_000,
                nanos: 0,
            }),
            quotes: vec![Quote {
                pair: "EUR/USD".into(),
                bid: "1.0791".into(),
                mid: "1.0800".into(),
                ask: "1.0809".into(),
            }],
        }
    }

    #[test]
    fn an_encoded_message_is_sent_as_the_same_bytes_as_the_message() {
        let message = update();
        let encoded = Encoded::new(&message);
        assert_eq!(encoded.encode_to_vec(), message.encode_to_vec());
        assert_eq!(encoded.encoded_len(), message.encoded_len());
        assert_eq!(
            encoded.encode_length_delimited_to_vec(),
            message.encode_length_delimited_to_vec()
        );
    }

    #[test]
    fn an_encoded_message_decodes_as_the_message_would() {
        let message = update();
        let received =
            <EncodedRateUpdate as Message>::decode(&message.encode_to_vec()[..]).expect("valid bytes");
        assert_eq!(received.to_message().expect("valid bytes"), message);
        // A quote (field 3) announcing 5 bytes and carrying one.
        assert!(<EncodedRateUpdate as Message>::decode(&[0x1a, 0x05, 0x01][..]).is_err());
    }

    #[test]
    fn clones_share_their_bytes() {
        let encoded = Encoded::new(&update());
        let clone = encoded.clone();
        assert_eq!(clone.bytes().as_ptr(), encoded.bytes().as_ptr());
    }
}
