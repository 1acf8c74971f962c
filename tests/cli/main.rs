//! The `bank` command-line client, run as a real process against real
//! servers: one module per command or concern, sharing `harness`. Beside
//! it, the other command line the docs teach: the grpcurl page's calls,
//! checked against the contract (`grpcurl_doc`). And the page's catalogs
//! (`web_locales`), held to the same standard as the CLI's.

mod batch;
mod code_map;
mod convert;
mod deadlines;
mod errors;
mod failures;
mod faults;
mod grpcurl_doc;
mod history;
mod json;
mod json_errors;
mod layers;
mod rates;
mod readme_examples;
mod reference;
mod replicas;
mod session;
mod slow_reader;
mod terminal;
mod tour;
mod typography;
mod watch;
mod web_locales;
