//! The `bank` command-line client, run as a real process against real
//! servers: one module per command or concern, sharing `harness`.

mod batch;
mod code_map;
mod convert;
mod errors;
mod failures;
mod faults;
mod history;
mod json;
mod json_errors;
mod layers;
mod rates;
mod reference;
mod replicas;
mod session;
mod terminal;
mod tour;
