//! How the contract's messages are written as JSON (feature `json`).
//!
//! `build.rs` derives `serde::Serialize` on every message, so a client
//! writes a `ConvertResponse` or a `RateUpdate` with `serde_json` and no
//! renderer of its own. Field names are the `.proto` names, in declaration
//! order; strings stay strings (amounts and rates are exact decimal text),
//! numbers stay numbers; a oneof appears as its case (`{"conversion":
//! {...}}`); a `Timestamp` is RFC 3339 text, as in the proto3 JSON mapping.
//! The output is the CLI's `--json` and what the tour shows on the wire.

use std::fmt::Display;

use prost_types::{Duration, Timestamp};
use serde::Serializer;

/// A timestamp as RFC 3339 text (`2026-09-21T14:13:20Z`, with milliseconds
/// when it has them); `null` when absent.
pub fn timestamp<S: Serializer>(time: &Option<Timestamp>, serializer: S) -> Result<S::Ok, S::Error> {
    text(time.as_ref(), serializer)
}

/// A duration as the proto3 JSON mapping writes it (`60s`, `0.250s`);
/// `null` when absent.
pub fn duration<S: Serializer>(duration: &Option<Duration>, serializer: S) -> Result<S::Ok, S::Error> {
    text(duration.as_ref(), serializer)
}

fn text<S: Serializer>(value: Option<&impl Display>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(value),
        None => serializer.serialize_none(),
    }
}

/// An enum field as its name in the `.proto` (`"CALL_MODEL_UNARY"`), as the
/// proto3 JSON mapping writes it; a number the contract does not know yet
/// (a newer server) stays a number.
pub fn enum_name<E, S>(value: &i32, serializer: S) -> Result<S::Ok, S::Error>
where
    E: ProtoEnum,
    S: Serializer,
{
    match E::name_of(*value) {
        Some(name) => serializer.serialize_str(name),
        None => serializer.serialize_i32(*value),
    }
}

/// A generated enum, seen through the name prost gives each value.
pub trait ProtoEnum {
    fn name_of(value: i32) -> Option<&'static str>;
}

macro_rules! proto_enums {
    ($($name:ident),*) => {$(
        impl ProtoEnum for crate::v1::$name {
            fn name_of(value: i32) -> Option<&'static str> {
                Self::try_from(value).ok().map(|known| known.as_str_name())
            }
        }
    )*};
}

proto_enums!(CallModel, Direction, EndCause);
