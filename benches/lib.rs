//! Nothing but the benchmarks in `money.rs`: `cargo bench -p bank-benches`.
