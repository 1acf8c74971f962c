//! Writing to standard output without panicking.
//!
//! `println!` panics when the reader has gone away (`bank rates | head -1`);
//! these helpers turn that into a quiet, successful stop instead. Results go
//! to standard output; prompts, meant only for a person, to standard error.

use std::fmt::Display;
use std::io::{ErrorKind, Write};

use crate::error::CliError;

/// Writes one line to standard output.
pub fn line(text: impl Display) -> Result<(), CliError> {
    write(std::io::stdout().lock(), &format!("{text}\n"))
}

/// Writes text without a newline (in-place redraws).
pub fn raw(text: &str) -> Result<(), CliError> {
    write(std::io::stdout().lock(), text)
}

/// Writes text meant for the person at the terminal (prompts) to
/// standard error, so that it never mixes with output that is redirected.
pub fn prompt(text: &str) -> Result<(), CliError> {
    write(std::io::stderr().lock(), text)
}

fn write(mut out: impl Write, text: &str) -> Result<(), CliError> {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(classify)
}

/// Writes one value as JSON on one line: a contract message (they are
/// `serde::Serialize`, see `proto/json.rs`) or a record built around some.
pub fn json(value: &impl serde::Serialize) -> Result<(), CliError> {
    // Serializing plain data to a string cannot fail; if it ever did, the
    // line would say so rather than vanish.
    let text = serde_json::to_string(value).unwrap_or_else(|error| format!("{{\"error\":\"{error}\"}}"));
    line(text)
}

fn classify(error: std::io::Error) -> CliError {
    if error.kind() == ErrorKind::BrokenPipe {
        CliError::OutputClosed
    } else {
        CliError::Output(error)
    }
}

/// Left-aligned columns: each cell padded to its column's widest cell,
/// counting characters (not bytes) so accented labels line up.
pub fn table(rows: &[Vec<String>]) -> Vec<String> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|column| {
            rows.iter()
                .filter_map(|row| row.get(column))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            cells.join("  ").trim_end().to_owned()
        })
        .collect()
}
