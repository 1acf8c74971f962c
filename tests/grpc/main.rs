//! The server through its gRPC contract and as a process: one module per
//! concern, all sharing the `harness` crate (`tests/harness`).

mod auth;
mod classroom;
mod client_output;
mod clock_steps;
mod compression;
mod connection_hygiene;
mod connections;
mod convert_batch;
mod convert_session;
mod deadlines;
mod error_info;
mod health_and_reflection;
mod history;
mod input_bounds;
mod lab_clients;
mod limits;
mod localization;
mod log_format;
mod metrics;
mod panics;
mod python_example;
mod replicas;
mod runtime_shapes;
mod settings;
mod shutdown;
mod slow_readers;
mod stream_rates;
mod tls;
mod unary;
mod web;
mod wire_abuse;
