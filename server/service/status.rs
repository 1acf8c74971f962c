//! The one mapping from domain errors to gRPC statuses.
//!
//! Every handler returns `DomainError`s with `?`; this `From` impl decides
//! the code and the details, so a mistake gets the same answer from every
//! RPC. Codes follow the gRPC guidance:
//!
//! - INVALID_ARGUMENT: the request can never succeed as sent; the status
//!   carries a `google.rpc.BadRequest` naming the field, so clients can
//!   point at it without parsing the message;
//! - OUT_OF_RANGE: valid input whose result leaves the representable range;
//! - INTERNAL: the server failed (a rate could not be computed), never the
//!   caller's input.
//!
//! Inside batches and sessions a bad item must not end the stream, so the
//! same mapping produces an `ItemError` instead of a status.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::domain::DomainError;
use crate::proto::v1::ItemError;

/// The gRPC code for a domain error.
pub fn code_for(error: &DomainError) -> Code {
    match error {
        DomainError::InvalidInput { .. } => Code::InvalidArgument,
        DomainError::Overflow => Code::OutOfRange,
        DomainError::RateUnavailable { .. } => Code::Internal,
    }
}

impl From<DomainError> for Status {
    fn from(error: DomainError) -> Status {
        let code = code_for(&error);
        match &error {
            DomainError::InvalidInput { field, problem } => {
                let details = ErrorDetails::with_bad_request_violation(field.as_str(), problem.to_string());
                Status::with_error_details(code, error.to_string(), details)
            }
            DomainError::Overflow | DomainError::RateUnavailable { .. } => {
                Status::new(code, error.to_string())
            }
        }
    }
}

/// The per-item form of the same mapping, for batches and sessions.
pub fn item_error(index: u64, request_id: &str, error: &DomainError) -> ItemError {
    ItemError {
        index,
        request_id: request_id.to_owned(),
        code: code_name(code_for(error)).to_owned(),
        message: error.to_string(),
        field: error
            .field()
            .map(|field| field.as_str().to_owned())
            .unwrap_or_default(),
    }
}

/// The canonical name of a gRPC code, as written in the gRPC specification
/// and in `ItemError.code`.
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}
