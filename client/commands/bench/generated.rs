//! The load generator's requests, written straight into tonic's buffer.
//!
//! `bank bench batch` and `bank bench session` send a million
//! `ConvertRequest`s. Built as messages first (`generated_item`), each
//! costs three strings, allocated, formatted and freed, before prost
//! encodes it: the generator then spent more time making requests than the
//! server spent answering them, and measured itself. Item `n` is a pure
//! function of `n`, so its encoding can be written from `n` directly: the
//! amount's digits and two static currency codes, no allocation.
//! [`ItemCodec`] sends item numbers that way and decodes the replies as
//! the generated client would; a test checks its bytes against prost's
//! encoding of `generated_item(n)`.
//!
//! (Not `bank_proto::encoded::Encoded`: that holds a message encoded once
//! and sent many times, and a million distinct items would be a million
//! allocations again.)

use std::marker::PhantomData;

use bytes::BufMut;
use prost::Message;
use prost::encoding::{WireType, encode_key, encode_varint};
use tonic::Status;
use tonic::codec::{BufferSettings, Codec, EncodeBuf, Encoder};
use tonic_prost::{ProstCodec, ProstDecoder};

use super::generated_fields;

/// Bytes encoded before tonic hands them to the transport: tonic's default.
const YIELD_THRESHOLD_BYTES: usize = 32 * 1024;

/// Encodes item numbers as their `ConvertRequest`s; decodes `Reply`.
pub struct ItemCodec<Reply> {
    _reply: PhantomData<fn() -> Reply>,
}

impl<Reply> Default for ItemCodec<Reply> {
    fn default() -> Self {
        Self { _reply: PhantomData }
    }
}

impl<Reply: Message + Default + Send + 'static> Codec for ItemCodec<Reply> {
    type Encode = u64;
    type Decode = Reply;
    type Encoder = ItemEncoder;
    type Decoder = ProstDecoder<Reply>;

    fn encoder(&mut self) -> ItemEncoder {
        ItemEncoder
    }

    fn decoder(&mut self) -> ProstDecoder<Reply> {
        ProstCodec::<Reply, Reply>::raw_decoder(BufferSettings::default())
    }
}

/// Writes item `n`'s `ConvertRequest` (see the module documentation).
pub struct ItemEncoder;

impl Encoder for ItemEncoder {
    type Item = u64;
    type Error = Status;

    fn encode(&mut self, n: u64, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        write_item(n, dst);
        Ok(())
    }

    fn buffer_settings(&self) -> BufferSettings {
        BufferSettings::new(bank_proto::codec::INITIAL_BUFFER_BYTES, YIELD_THRESHOLD_BYTES)
    }
}

/// `ConvertRequest { amount: 1, from_currency: 2, to_currency: 3 }`, as
/// prost writes it: fields in number order, each a key, a length and the
/// text (an empty `request_id` and no `at` are not written at all).
fn write_item(n: u64, dst: &mut impl BufMut) {
    let (amount, from, to) = generated_fields(n);
    let mut digits = itoa::Buffer::new();
    for (tag, text) in [(1, digits.format(amount)), (2, from), (3, to)] {
        encode_key(tag, WireType::LengthDelimited, dst);
        encode_varint(text.len() as u64, dst);
        dst.put_slice(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::bench::generated_item;

    #[test]
    fn items_are_written_as_prost_encodes_them() {
        for n in (0..2_000).chain([99_999, 100_000, u64::MAX / 7_919]) {
            let mut written = Vec::new();
            write_item(n, &mut written);
            assert_eq!(written, generated_item(n).encode_to_vec(), "item {n}");
        }
    }
}
