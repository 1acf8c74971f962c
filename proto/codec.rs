//! The protobuf codec of `bank.v1`, with buffers sized for this service.
//!
//! tonic gives every call an 8 KiB encode buffer and an 8 KiB decode buffer
//! up front. Our messages are tens to hundreds of bytes, and a feed server
//! holds thousands of calls open: at 10,000 subscribers those buffers alone
//! would be 160 MiB. Starting at 1 KiB keeps an idle stream cheap; a buffer
//! still grows on demand (a large batch summary, a burst of batch items).
//! `build.rs` points the generated client and server at this codec.

use std::marker::PhantomData;

use prost::Message;
use tonic::codec::{BufferSettings, Codec};
use tonic_prost::{ProstCodec, ProstDecoder, ProstEncoder};

/// Initial size of a call's encode and decode buffers: several messages of
/// this service fit, and it is one eighth of tonic's default.
pub const INITIAL_BUFFER_BYTES: usize = 1024;

/// Bytes encoded before the stream yields them to the transport: tonic's
/// default, which batches small messages into fewer HTTP/2 frames.
pub const YIELD_THRESHOLD_BYTES: usize = 32 * 1024;

/// `ProstCodec` with [`INITIAL_BUFFER_BYTES`] buffers.
#[derive(Debug, Clone)]
pub struct BankCodec<T, U> {
    _messages: PhantomData<(T, U)>,
}

impl<T, U> Default for BankCodec<T, U> {
    fn default() -> Self {
        Self {
            _messages: PhantomData,
        }
    }
}

fn buffers() -> BufferSettings {
    BufferSettings::new(INITIAL_BUFFER_BYTES, YIELD_THRESHOLD_BYTES)
}

impl<T, U> Codec for BankCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = ProstDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        ProstCodec::<T, U>::raw_encoder(buffers())
    }

    fn decoder(&mut self) -> Self::Decoder {
        ProstCodec::<T, U>::raw_decoder(buffers())
    }
}
