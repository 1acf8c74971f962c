//! `bank`: the command-line client of the Bank Service.
//!
//! One subcommand per gRPC model (`convert`, `rates`, `batch`, `session`)
//! plus `currencies`. Every sentence comes from the Fluent catalogs in
//! `locales/`, in English or French. Exit codes are documented in
//! `bank --help` and in [`error::exit`].
//!
//! Lifecycle: parse the command line (usage errors exit 2 before anything
//! else), pick the language, connect, run the command; Ctrl-C at any point
//! ends the command cleanly.

mod cli;
mod commands;
mod connect;
mod context;
pub mod csv_rows;
mod deadline;
pub use report::{CLI_DOMAIN, CLI_REASONS};
mod error;
mod format;
mod output;
mod phrasing;
mod report;
mod retry;
mod scheme;
mod terminal;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command};
use crate::context::Context;
use crate::error::{CliError, exit};
use crate::report::ErrorReport;
use bank_i18n::{Lang, Messages};

/// Runs the CLI on this process's arguments; the binary is only this.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The language is needed before parsing: help and usage errors are
    // written in it too.
    let lang = cli::lang_from_args(&args).unwrap_or_else(Lang::from_env);
    let messages = Messages::of(lang);
    let json = cli::json_from_args(&args);
    let command = cli::localized(Cli::command(), messages);
    let parsed = command
        .try_get_matches_from(&args)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            // --help and --version: what was asked for, on stdout.
            let _ = error.print();
            return ExitCode::from(exit::SUCCESS);
        }
        Err(error) => {
            return failed(
                &CliError::Usage(cli::usage_error(&error, messages)),
                messages,
                json,
            );
        }
    };

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            let detail = error.to_string();
            return failed(&CliError::Runtime { detail }, messages, json);
        }
    };
    let outcome = runtime.block_on(async {
        let interrupted =
            matches!(cli.command, Command::Rates(_) | Command::Watch(_)).then_some(exit::SUCCESS);
        tokio::select! {
            outcome = run(cli, messages) => outcome,
            _ = tokio::signal::ctrl_c() => {
                // The terminal echoed "^C" where the cursor was (a prompt,
                // under a table): what follows starts on a line of its own.
                if std::io::stderr().is_terminal() {
                    eprintln!();
                }
                match interrupted {
                    // Ctrl-C is how one stops watching rates: a normal end.
                    Some(code) => Ok(code),
                    None => Err(CliError::Interrupted),
                }
            }
        }
    });
    // Do not wait for the blocking stdin reader: it may be stuck in read().
    runtime.shutdown_background();

    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(error) => failed(&error, messages, json),
    }
}

/// Says what went wrong: one sentence on standard error and, with `--json`,
/// the same failure as one object on standard output for the script
/// reading it (see `report.rs`).
fn failed(error: &CliError, messages: &Messages, json: bool) -> ExitCode {
    if let Some(sentence) = error.render(messages) {
        eprintln!("{sentence}");
    }
    if json && let Some(failure) = ErrorReport::of(error, messages) {
        let _ = output::json(&failure);
    }
    ExitCode::from(error.exit_code())
}

/// Every command has one entry point, `run(args, &context)`.
async fn run(cli: Cli, messages: &'static Messages) -> Result<u8, CliError> {
    let context = Context::new(cli.global, messages);
    let outcome = match cli.command {
        Command::Currencies(args) => commands::currencies::run(args, &context).await,
        Command::Convert(args) => commands::convert::run(args, &context).await,
        Command::Rates(args) => commands::rates::run(args, &context).await,
        Command::Batch(args) => commands::batch::run(args, &context).await,
        Command::History(args) => commands::history::run(args, &context).await,
        Command::Session(args) => commands::session::run(args, &context).await,
        Command::Watch(args) => commands::watch::run(args, &context).await,
        Command::Tour(args) => commands::tour::run(args, &context).await,
        Command::Help(args) => commands::reference::help(args, &context).await,
        Command::Completions(args) => commands::reference::completions(args, &context).await,
        Command::Man(args) => commands::reference::man(args, &context).await,
        Command::Bench(args) => commands::bench::run(args, &context).await,
    };
    // A failure that may hide a wrong scheme is looked at once more.
    match outcome {
        Err(error) => Err(scheme::diagnose(error, context.target.timeout).await),
        done => done,
    }
}
