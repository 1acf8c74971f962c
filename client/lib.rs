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
pub mod csv_rows;
mod error;
mod format;
mod output;
mod retry;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command};
use crate::connect::{Connection, Target};
use crate::error::{CliError, exit};
use bank_i18n::tr;
use bank_i18n::{Lang, Messages};

/// Runs the CLI on this process's arguments; the binary is only this.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The language is needed before parsing: help and usage errors are
    // written in it too.
    let lang = cli::lang_from_args(&args).unwrap_or_else(Lang::from_env);
    let messages = Messages::of(lang);
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
            eprintln!("{}", cli::usage_error(&error, messages));
            return ExitCode::from(exit::USAGE);
        }
    };

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("{}", tr!(messages, "error-runtime", detail = error.to_string()));
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        let interrupted = matches!(cli.command, Command::Rates { .. }).then_some(exit::SUCCESS);
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
        Err(error) => {
            if let Some(sentence) = error.render(messages) {
                eprintln!("{sentence}");
            }
            ExitCode::from(error.exit_code())
        }
    }
}

async fn run(cli: Cli, messages: &'static Messages) -> Result<u8, CliError> {
    let Cli { global, command } = cli;
    let as_json = global.json;
    let server = global.server.as_deref().unwrap_or(cli::DEFAULT_SERVER);
    let target = Target {
        server: server.to_owned(),
        timeout: global.timeout,
        lang: messages.lang(),
        ca: global.ca,
        // clap's `requires` makes --cert and --key come together.
        identity: global.cert.zip(global.key),
        token: global.token,
    };
    let connect = || Connection::open(&target);
    match command {
        Command::Currencies => commands::currencies::run(&connect().await?, messages, as_json).await,
        Command::Convert { amount, from, to, id } => {
            let args = commands::convert::Args { amount, from, to, id };
            commands::convert::run(&connect().await?, messages, as_json, args).await
        }
        Command::Rates { pairs, count } => {
            commands::rates::run(&connect().await?, messages, as_json, pairs, count).await
        }
        Command::Batch { file, to, delimiter } => {
            let args = commands::batch::Args { file, to, delimiter };
            let batch = commands::batch::Batch::open(args, messages)?;
            commands::batch::run(&connect().await?, messages, as_json, batch).await
        }
        Command::Session => commands::session::run(&connect().await?, messages, as_json).await,
        Command::Tour { model, no_pause } => {
            let options = commands::tour::Options {
                server: global.server.clone(),
                target: target.clone(),
                model,
                no_pause,
            };
            commands::tour::run(messages, options).await
        }
        Command::Bench { target } => {
            let bench = commands::bench::Bench::new(server, messages, as_json);
            commands::bench::run(bench, target).await
        }
    }
}
