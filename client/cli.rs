//! The command line: global options and one subcommand per gRPC model.

use clap::{Parser, Subcommand};

use crate::commands;
use crate::context::Global;
use crate::format::ArgProblem;

use bank_i18n::tr;
use bank_i18n::{Lang, Messages};
use clap::builder::Resettable;
use clap::{Arg, ArgAction};

/// bank: convert currencies, watch the rate feed, send batches and hold
/// conversion sessions with a Bank Service.
///
/// Exit codes: 0 success; 1 the server rejected a request or some batch
/// items; 2 usage error; 3 server unreachable or unavailable; 130
/// interrupted by Ctrl-C (except `rates`, for which Ctrl-C is the normal way
/// to stop, and which exits 0).
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
/// `messages`' language.
///
/// Doc comments above are the developers' documentation and the fallback;
/// what users read comes from `locales/*.ftl`, under ids built from the
/// command path: `help-<command>` for a command, `help-<command>--<arg>` for
/// an argument, and `help-arg-<arg>` for an argument shared by several
/// commands. A test checks that every command and argument has its ids.
/// The headings (`Usage:`, `Options:`...) come from the catalog too, in
/// every language, so that each language punctuates them its own way.
pub fn localized(command: clap::Command, messages: &Messages) -> clap::Command {
    let command = command
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .global(true)
                .action(ArgAction::Help)
                .help(tr!(messages, "help-flag")),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(tr!(messages, "help-version")),
        );
    let headings = Headings::of(messages, &command);
    localize_node(command, "bank", messages, &headings)
}

/// The help headings in the user's language. clap takes headings only as
/// `&'static str`; the command line is built once per process, so these
/// few short strings are leaked rather than copied into every argument.
struct Headings {
    template: String,
    commands: &'static str,
    options: &'static str,
    arguments: &'static str,
}

impl Headings {
    fn of(messages: &Messages, command: &clap::Command) -> Self {
        // clap writes a heading followed by ':'; the catalog writes the
        // colon as the language does ("Options:", "Options :"), so it is
        // taken off here and clap puts it back, after the space if any.
        let heading = |text: String| -> &'static str {
            let text = text.strip_suffix(':').unwrap_or(&text).to_owned();
            text.leak()
        };
        // The usage label keeps clap's style (bold and underlined on a
        // terminal; clap strips styles when output is not a terminal).
        let style = command.get_styles().get_usage();
        let usage = tr!(messages, "help-usage");
        Self {
            template: format!(
                "{{about-with-newline}}\n{style}{usage}{style:#} {{usage}}\n\n{{all-args}}{{after-help}}"
            ),
            commands: heading(tr!(messages, "help-heading-commands")),
            options: heading(tr!(messages, "help-heading-options")),
            arguments: heading(tr!(messages, "help-heading-arguments")),
        }
    }
}

fn localize_node(
    command: clap::Command,
    path: &str,
    messages: &Messages,
    headings: &Headings,
) -> clap::Command {
    let about = text(messages, &format!("help-{path}"));
    let mut command = command
        .about(about)
        .long_about(Resettable::Reset)
        .help_template(headings.template.clone())
        .subcommand_help_heading(headings.commands);
    let ids: Vec<String> = command
        .get_arguments()
        .map(|arg| arg.get_id().to_string())
        .collect();
    for id in ids {
        // --help and --version have their text already (`localized`).
        let help = (id != "help" && id != "version").then(|| arg_text(messages, path, &id));
        command = command.mut_arg(&id, |arg| {
            // Every argument gets its heading, or clap would list it under
            // its own English one.
            let heading = if arg.is_positional() {
                headings.arguments
            } else {
                headings.options
            };
            let arg = arg.help_heading(heading);
            let Some(help) = help else {
                return arg;
            };
            // Defaults, variables and values are written in the help text
            // itself, in the user's language.
            let arg = if arg.get_action().takes_values() {
                arg.hide_default_value(true)
                    .hide_env(true)
                    .hide_possible_values(true)
            } else {
                arg
            };
            arg.help(help).long_help(Resettable::Reset)
        });
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    for name in names {
        let child_path = if path == "bank" {
            name.clone()
        } else {
            format!("{path}-{name}")
        };
        command = command.mut_subcommand(&name, |sub| localize_node(sub, &child_path, messages, headings));
    }
    command
}

/// The help of argument `id` of the command at `path`.
pub fn arg_text(messages: &Messages, path: &str, id: &str) -> String {
    let specific = format!("help-{path}--{id}");
    if messages.has(&specific) {
        messages.format(&specific, &[])
    } else {
        text(messages, &format!("help-arg-{id}"))
    }
}

fn text(messages: &Messages, id: &str) -> String {
    messages.format(id, &[])
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
