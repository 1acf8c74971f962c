//! `bank`: the command-line client of the Bank Service. Everything is in the
//! library (`client/lib.rs`); the binary only runs it.

fn main() -> std::process::ExitCode {
    bank::main()
}
