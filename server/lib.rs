//! The Bank Service: a currency-conversion service over gRPC that shows the
//! four gRPC models on one small, exact domain.
//!
//! The crate has three layers, each in its own folder:
//!
//! - [`proto`]: the `bank.v1` contract, generated from `proto/` at build time.
//! - [`domain`]: money, currencies, rates and conversions. It knows nothing
//!   of gRPC; it can be read, tested and reused on its own.
//! - [`service`]: one file per gRPC model, each translating between the
//!   contract and the domain, plus the one mapping from domain errors to
//!   gRPC statuses.
//!
//! Around them, [`server`] assembles the process: the live rate board, health,
//! reflection, limits, logging, metrics and graceful shutdown, with
//! [`tls`] and API tokens ([`auth`]) when configured.

pub mod auth;
pub mod codec;
pub mod deadline;
pub mod domain;
pub mod i18n;
pub mod limits;
pub mod metrics;
pub mod panic_guard;
pub mod proto;
pub mod rate_board;
pub mod server;
pub mod service;
pub mod shutdown;
pub mod telemetry;
pub mod tls;
pub mod transport;
