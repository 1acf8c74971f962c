//! A clap command line in the user's language, and its manual pages.
//!
//! Both programs, `bank` and `bank-server`, build their command line with
//! clap's derive, whose doc comments are the developers' documentation;
//! what users read (`--help`, usage, completions, manual pages) is put in
//! their language here, from the Fluent catalogs, once per process before
//! parsing.

use clap::builder::Resettable;
use clap::{Arg, ArgAction};

use crate::{Messages, tr};

/// Where a program's help gives an argument's default, environment
/// variable and possible values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Annotations {
    /// In the catalog's sentence, in the user's language (`bank`): clap's
    /// own `[default: …]` and `[env: …]` notes are hidden.
    InText,
    /// As clap writes them (`bank-server`, whose defaults and variables
    /// are machine facts an operator copies, and which tests read back).
    Clap,
}

/// `command` with every help text taken from the catalog of `messages`'
/// language, under ids built from the command path below `root`:
/// `help-<root>` for the program, `help-<command>` for a subcommand
/// (`help-bench-feed` for `bench feed`), `help-<path>--<arg>` for an
/// argument, and `help-arg-<arg>` for an argument shared by several
/// commands. The headings (`Usage:`, `Options:`...) come from the catalog
/// too, in every language, so that each language punctuates them its own
/// way. Doc comments on the clap types are the developers' documentation.
pub fn localized(
    command: clap::Command,
    root: &str,
    messages: &Messages,
    annotations: Annotations,
) -> clap::Command {
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
    let context = Localizing {
        root,
        messages,
        headings: &headings,
        annotations,
    };
    localize_node(command, root, &context)
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

/// What every command of the tree is localized with.
struct Localizing<'a> {
    root: &'a str,
    messages: &'a Messages,
    headings: &'a Headings,
    annotations: Annotations,
}

fn localize_node(command: clap::Command, path: &str, context: &Localizing<'_>) -> clap::Command {
    let Localizing {
        root,
        messages,
        headings,
        annotations,
    } = *context;
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
            let arg = if annotations == Annotations::InText && arg.get_action().takes_values() {
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
        let child_path = if path == root {
            name.clone()
        } else {
            format!("{path}-{name}")
        };
        command = command.mut_subcommand(&name, |sub| localize_node(sub, &child_path, context));
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

/// The manual page (roff, section 1) of `command`, named `name`
/// (`bank-convert`), with the title line written whole and clap_mangen's
/// English section headings (NAME, OPTIONS...) in the user's language.
pub fn man_page(command: clap::Command, name: &str, source: &str, messages: &Messages) -> String {
    let manual = tr!(messages, "man-manual");
    let man = clap_mangen::Man::new(command.name(name.to_owned()));
    let mut roff = Vec::new();
    // Rendering into memory cannot fail; if it ever did, the page would
    // be empty rather than the program crash.
    let _ = man.render(&mut roff);
    let roff = String::from_utf8_lossy(&roff);
    let headings = [
        ("NAME", tr!(messages, "man-heading-name")),
        ("SYNOPSIS", tr!(messages, "man-heading-synopsis")),
        ("DESCRIPTION", tr!(messages, "man-heading-description")),
        ("OPTIONS", tr!(messages, "man-heading-options")),
        ("SUBCOMMANDS", tr!(messages, "man-heading-subcommands")),
        ("VERSION", tr!(messages, "man-heading-version")),
        ("AUTHORS", tr!(messages, "man-heading-authors")),
    ];
    // The title line, written whole: clap_mangen leaves an absent date out
    // rather than quoting it empty, which shifts the source into its place.
    // No date: a page made now must not claim to be of today.
    let title = format!(
        ".TH \"{}\" \"1\" \"\" \"{source}\" \"{manual}\"\n",
        name.to_uppercase()
    );
    roff.lines()
        .map(|line| {
            if line.starts_with(".TH ") {
                return title.clone();
            }
            // The help's own headings come as the catalog writes them
            // ("Options :" in French, taken as "OPTIONS "): trimmed here.
            let Some(heading) = line
                .strip_prefix(".SH ")
                .map(|heading| heading.trim_matches('"').trim())
            else {
                return format!("{line}\n");
            };
            match headings.iter().find(|(english, _)| *english == heading) {
                Some((_, localized)) => format!(".SH \"{localized}\"\n"),
                None => format!(".SH \"{heading}\"\n"),
            }
        })
        .collect()
}
