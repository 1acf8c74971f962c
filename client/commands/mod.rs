//! One module per command; each returns the process exit code.

pub mod batch;
pub mod bench;
pub mod convert;
pub mod currencies;
pub mod history;
pub mod rates;
pub mod reference;
pub mod session;
pub mod tour;
pub mod watch;
