//! `bank-server`: the Bank Service's gRPC server, as a library the binary
//! (`main.rs`), the tour and the tests run.
//!
//! The contract comes from `bank-proto`, the arithmetic from `bank-domain`
//! and the words from `bank-i18n`; this crate serves them. Its modules, from
//! the top (each imports only modules below it):
//!
//! | layer      | modules                                                   |
//! |------------|-----------------------------------------------------------|
//! | assembly   | `server`: binds, builds the router, runs, drains;         |
//! |            | `per_core`: listeners sharing a port, a runtime each;     |
//! |            | `runtime`: the runtime's shape, chosen by the binary      |
//! | transport  | `transport`: HTTP/2 connections and streams, TLS (`tls`)  |
//! |            | `web`: the page and gRPC-Web on HTTP/1.1 (`--web-addr`)   |
//! | per call   | `calls`: routing and one pass per call over `auth`,       |
//! |            | `deadline`, `panic_guard` and `telemetry` (logs, metrics) |
//! |            | `classroom`: every call shown to watchers (`--classroom`) |
//! | service    | `service`: one file per gRPC model                        |
//! | below      | `status` (errors to statuses), `rate_board`, `metrics`,   |
//! |            | `shutdown`, `woken`, `settings`, `limits`                 |
//!
//! The public API is what an embedder needs: [`BankServer`] and its
//! [`Config`], the settings flattened into it, the types a configuration
//! is built from (TLS, tokens), and the [`limits`] a client can run into.

mod auth;
mod calls;
mod classroom;
mod deadline;
pub mod limits;
mod metrics;
mod panic_guard;
mod per_core;
mod rate_board;
mod runtime;
mod server;
mod service;
mod settings;
mod shutdown;
mod status;
mod telemetry;
mod tls;
mod transport;
mod web;
mod woken;

pub use auth::{ApiTokens, MAX_TOKEN_FILE_BYTES, TokenFileError, reload_on_sighup};
pub use metrics::{Metrics, OpenGauges, Refusal};
pub use runtime::{ConflictingWorkers, RuntimeChoice, RuntimeShape, usable_cpus};
pub use server::{BankServer, Config, SERVICE_NAME, ServerError};
pub use service::{OpenStreams, ServiceLimits};
pub use status::{ERROR_DOMAIN, REASONS};
pub use telemetry::{LogFormat, init_logging};
pub use tls::{ServerTls, TlsError};
pub use transport::{TransportSettings, raise_open_file_limit};
pub use web::WebError;
