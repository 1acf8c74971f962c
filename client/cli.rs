//! The command line: global options and one subcommand per gRPC model.

use clap::{Parser, Subcommand};

use crate::commands;
use crate::context::Global;
use crate::format::ArgProblem;

use bank_i18n::command_line::{self, Annotations};
use bank_i18n::tr;
use bank_i18n::{Lang, Messages};

/// bank: convert currencies, watch the rate feed, send batches and hold
/// conversion sessions with a Bank Service.
///
/// Exit codes: 0 success; 1 the server rejected a request or some batch
/// items; 2 usage error; 3 server unreachable or unavailable; 130
/// interrupted by Ctrl-C (except `rates` and `watch`, for which Ctrl-C is the
/// normal way to stop, and which exit 0).
#[derive(Debug, Parser)]
#[command(name = "bank", version, about, long_about)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// One subcommand per gRPC model, and the tour and benchmarks. Each
/// command's arguments are its module's `Args`; its entry point is its
/// module's `run(args, &Context)`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the supported currencies (unary).
    Currencies(commands::currencies::Args),

    /// Convert an amount (unary), e.g. `bank convert 100 USD EUR`.
    Convert(commands::convert::Args),

    /// Watch exchange rates live (server streaming), e.g. `bank rates EUR/USD GBP/USD`.
    Rates(commands::rates::Args),

    /// Convert a CSV file in one batch (client streaming).
    ///
    /// Rows are `amount,from,to[,id]`, or `amount,from[,id]` with --to; a
    /// header row is optional. The file is streamed row by row.
    Batch(commands::batch::Args),

    /// The candles of a pair over a past period (unary), e.g.
    /// `bank history EUR/USD --from 1d --interval 1h`.
    History(commands::history::Args),

    /// Hold a conversion session (bidirectional streaming): type lines such
    /// as `100 USD EUR` and get each reply as soon as it is computed.
    Session(commands::session::Args),

    /// Watch every call the server sees, from any client (the classroom
    /// view of `bank-server --classroom`): one arrow per message.
    Watch(commands::watch::Args),

    /// A guided tour of the four gRPC models, live, in English or French.
    ///
    /// Without --server it starts an embedded Bank Service on a free port,
    /// so nothing else needs to be running.
    Tour(commands::tour::Args),

    /// The help of a command, e.g. `bank help convert`.
    Help(commands::reference::HelpArgs),

    /// A completion script for a shell, e.g. `bank completions bash`.
    Completions(commands::reference::CompletionsArgs),

    /// A manual page (roff), e.g. `bank man | man -l -`, or every page
    /// with `bank man --dir DIR`.
    Man(commands::reference::ManArgs),

    /// Load-test a running server: one benchmark per gRPC model, plus a
    /// framework baseline (see BENCHMARKS.md).
    Bench(commands::bench::Args),
}

/// The command line, with every help text taken from the catalog of
/// `messages`' language (see `bank_i18n::command_line`): ids
/// `help-<command>` and `help-<command>--<arg>` under the root `bank`
/// (`help-convert--at`), `help-arg-<arg>` for an argument shared by several
/// commands. Defaults, variables and values are written in the help
/// sentences themselves, in the user's language.
pub fn localized(command: clap::Command, messages: &Messages) -> clap::Command {
    command_line::localized(command, "bank", messages, Annotations::InText)
}

/// A command-line mistake: the sentence for the person (in the user's
/// language, with a pointer to the help) and what a program reads with
/// `--json` (a reason, the argument at fault, the valid values).
#[derive(Debug)]
pub struct UsageError {
    pub sentence: String,
    /// UPPER_SNAKE_CASE, like the server's `google.rpc.ErrorInfo` reasons.
    pub reason: &'static str,
    /// The argument at fault as clap names it (`--timeout <TIMEOUT>`,
    /// `<AMOUNT>`), when there is one.
    pub field: Option<String>,
    /// The values the argument accepts, when they are a fixed list.
    pub valid_values: Vec<String>,
}

/// Reads clap's error: its kind, the argument, the value and, for a value
/// a parser of ours refused, the [`ArgProblem`] behind it.
pub fn usage_error(error: &clap::Error, messages: &Messages) -> UsageError {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let context = |kind: ContextKind| match error.get(kind) {
        Some(ContextValue::String(value)) => value.clone(),
        Some(ContextValue::Strings(values)) => values.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let valid_values = match error.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(values)) => values.clone(),
        _ => Vec::new(),
    };
    // clap names an option with its value (`--timeout <TIMEOUT>`); the
    // option alone is what a person types and a program matches.
    let arg = context(ContextKind::InvalidArg);
    let arg = match arg.split_once(' ') {
        Some((option, _)) if option.starts_with("--") => option.to_owned(),
        _ => arg,
    };
    let value = context(ContextKind::InvalidValue);
    let problem = std::error::Error::source(error).and_then(|source| source.downcast_ref::<ArgProblem>());
    let (reason, sentence) = match (error.kind(), problem) {
        (ErrorKind::ValueValidation, Some(problem)) => {
            (problem.reason(), arg_problem(*problem, &arg, &value, messages))
        }
        (ErrorKind::InvalidValue | ErrorKind::ValueValidation, _) => {
            let sentence = tr!(messages, "error-usage-invalid-value", value = value, arg = arg);
            let sentence = if valid_values.is_empty() {
                sentence
            } else {
                let values = tr!(
                    messages,
                    "error-usage-valid-values",
                    values = valid_values.join(", ")
                );
                format!("{sentence} {values}")
            };
            ("INVALID_VALUE", sentence)
        }
        (ErrorKind::UnknownArgument, _) => (
            "UNKNOWN_ARGUMENT",
            tr!(messages, "error-usage-unknown-argument", arg = arg),
        ),
        (ErrorKind::InvalidSubcommand, _) => (
            "UNKNOWN_COMMAND",
            tr!(
                messages,
                "error-usage-unknown-command",
                command = context(ContextKind::InvalidSubcommand)
            ),
        ),
        (ErrorKind::MissingRequiredArgument, _) => (
            "MISSING_ARGUMENT",
            tr!(messages, "error-usage-missing", args = arg),
        ),
        (ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand, _) => {
            ("MISSING_COMMAND", tr!(messages, "error-usage-missing-command"))
        }
        _ => ("USAGE", tr!(messages, "error-usage-other")),
    };
    UsageError {
        sentence: format!("{sentence}\n{}", tr!(messages, "error-usage-hint")),
        reason,
        field: (!arg.is_empty()).then_some(arg),
        valid_values,
    }
}

/// The sentence for a value one of our parsers refused. Every sentence
/// takes the argument and the value as typed (each uses what it needs).
fn arg_problem(problem: ArgProblem, arg: &str, value: &str, messages: &Messages) -> String {
    let id = match problem {
        ArgProblem::DurationTooLong { max } => {
            let max = humantime::format_duration(max).to_string();
            return tr!(messages, "error-usage-duration-too-long", arg = arg, max = max);
        }
        ArgProblem::DurationWithoutUnit => "error-usage-duration-without-unit",
        ArgProblem::DurationNotPositive => "error-usage-duration-not-positive",
        ArgProblem::DurationMalformed => "error-usage-duration-malformed",
        ArgProblem::InstantMalformed => "error-usage-instant-malformed",
        ArgProblem::InstantBeforeEpoch => "error-usage-instant-before-1970",
        ArgProblem::AmountNegative => "error-usage-amount-negative",
    };
    messages.format(id, &[("arg", arg.into()), ("value", value.trim().into())])
}

/// Whether `--json` is on the command line, read before parsing so that
/// even a usage error is reported as JSON.
pub fn json_from_args(args: &[std::ffi::OsString]) -> bool {
    args.iter()
        .skip(1)
        .take_while(|arg| *arg != "--")
        .any(|arg| arg == "--json")
}

/// The language asked for on the command line (`--lang fr`, `--lang=fr`),
/// read before parsing so that parse errors and help are in it too.
pub fn lang_from_args(args: &[std::ffi::OsString]) -> Option<Lang> {
    let mut words = args.iter().filter_map(|arg| arg.to_str());
    while let Some(word) = words.next() {
        let value = match word.strip_prefix("--lang") {
            Some("") => words.next(),
            Some(rest) => rest.strip_prefix('='),
            None => continue,
        };
        match value {
            Some("fr") => return Some(Lang::Fr),
            Some("en") => return Some(Lang::En),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn check(command: &clap::Command, path: &str, messages: &Messages) {
        let id = format!("help-{path}");
        assert!(messages.has(&id), "{id} missing for {:?}", messages.lang());
        for arg in command.get_arguments() {
            let arg = arg.get_id().as_str();
            let specific = format!("help-{path}--{arg}");
            let shared = format!("help-arg-{arg}");
            assert!(
                messages.has(&specific) || messages.has(&shared),
                "{specific} or {shared} missing for {:?}",
                messages.lang()
            );
        }
        for sub in command.get_subcommands() {
            let child = if path == "bank" {
                sub.get_name().to_owned()
            } else {
                format!("{path}-{}", sub.get_name())
            };
            check(sub, &child, messages);
        }
    }

    #[test]
    fn every_command_and_argument_has_its_help_in_every_catalog() {
        for lang in Lang::ALL {
            check(&Cli::command(), "bank", Messages::of(lang));
        }
    }

    #[test]
    fn the_language_is_read_from_the_command_line_before_parsing() {
        let args = |words: &[&str]| words.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        assert_eq!(
            lang_from_args(&args(&["bank", "--lang", "fr", "convert"])),
            Some(Lang::Fr)
        );
        assert_eq!(
            lang_from_args(&args(&["bank", "convert", "--lang=en"])),
            Some(Lang::En)
        );
        assert_eq!(lang_from_args(&args(&["bank", "--lang", "de"])), None);
        assert_eq!(lang_from_args(&args(&["bank", "convert"])), None);
    }

    #[test]
    fn the_localized_command_line_is_well_formed() {
        for lang in Lang::ALL {
            localized(Cli::command(), Messages::of(lang)).debug_assert();
        }
    }
}
