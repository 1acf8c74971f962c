//! `bank batch [FILE|-]`: a CSV file converted in one batch (client
//! streaming `ConvertBatch`).
//!
//! The file is read row by row on a blocking thread and streamed to the
//! server through a bounded channel: a million-row file never sits in
//! memory, and a slow server slows the reader instead of filling memory.
//!
//! The server reports rejected items by their position in the stream; the
//! [`LineMap`] turns positions back into CSV line numbers without keeping a
//! line number per row. Rows that are not CSV the command understands are
//! reported with their line number and never sent.
//!
//! A batch is all or nothing for the reader: if the call breaks before the
//! summary arrives (the server died, the connection dropped), the command
//! says how many rows it had sent and that no summary came, and exits 3;
//! no total is ever shown for part of a file. The batch is not replayed:
//! the server may have counted some rows, and sending them again could
//! count them twice.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bank_service::proto::v1::{BatchSummary, ConvertRequest};
use bank_service::service::status::code_name;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use tokio::sync::mpsc;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

use crate::commands::{item_error_json, quote_json};
use crate::connect::Connection;
use crate::csv_rows::{CsvRows, RowError};
use crate::error::{CliError, exit, is_unavailable, status_sentence};
use bank_service::i18n::Messages;
use bank_service::tr;

use crate::{format, output};

/// Rows read ahead of the network: enough to keep the stream busy, small
/// enough that client memory stays flat whatever the file size.
const READ_AHEAD_ROWS: usize = 1_024;

/// Malformed rows listed in the report (all are counted), matching the
/// server's limit on listed rejections.
const MAX_LISTED_MALFORMED: usize = 100;

pub struct Args {
    pub file: std::path::PathBuf,
    pub to: Option<String>,
    pub delimiter: char,
}

pub async fn run(
    connection: &Connection,
    messages: &'static Messages,
    as_json: bool,
    args: Args,
) -> Result<u8, CliError> {
    let source = open(&args.file)?;
    let delimiter = Some(args.delimiter)
        .filter(char::is_ascii)
        .ok_or_else(|| CliError::Input {
            path: args.file.display().to_string(),
            detail: tr!(messages, "batch-bad-delimiter"),
        })?;
    let progress = progress_bar(messages, as_json);
    let reader = RowReader {
        messages,
        to: args.to.as_deref().map(format::code_input),
        delimiter,
        report: Arc::default(),
        progress: progress.clone(),
    };
    let report = Arc::clone(&reader.report);

    let (rows, stream) = mpsc::channel(READ_AHEAD_ROWS);
    let reading = tokio::task::spawn_blocking(move || reader.read(source, &rows));
    // Rows are counted as sent when the call takes them from the read-ahead
    // channel, not when the reader queues them: after a failure, rows still
    // queued never left this process.
    let sent = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&sent);
    let requests = ReceiverStream::new(stream).map(move |request| {
        counted.fetch_add(1, Ordering::Relaxed);
        request
    });
    let result = connection
        .client()
        .convert_batch(connection.streaming(requests))
        .await;
    progress.finish_and_clear();
    let sent = sent.load(Ordering::Relaxed);

    let summary = match result {
        Ok(response) => response.into_inner(),
        Err(status) => {
            // No waiting for the reader here: it may be blocked on a
            // standard input that never ends.
            if as_json {
                output::json(&json!({
                    "complete": false,
                    "sent": sent,
                    "summary": null,
                    // Classified as the exit code is: a connection that
                    // broke under the call counts as UNAVAILABLE.
                    "code": if is_unavailable(&status) { "UNAVAILABLE" } else { code_name(status.code()) },
                    "error": status_sentence(messages, &connection.url, &status),
                }))?;
            }
            return Err(CliError::BatchIncomplete {
                url: connection.url.clone(),
                sent,
                status,
            });
        }
    };
    let read_error = reading.await.ok().and_then(Result::err);
    if let Some(detail) = read_error {
        // The server summed what it got, but the file was not read to its
        // end: presenting that total as the file's would be a lie.
        return Err(CliError::Input {
            path: args.file.display().to_string(),
            detail: format!("{detail} ({})", tr!(messages, "batch-partial", sent = sent)),
        });
    }
    let report = std::mem::take(&mut *report.lock().unwrap_or_else(PoisonError::into_inner));
    print_summary(messages, as_json, &summary, &report)?;
    let clean = summary.rejected == 0 && report.malformed == 0;
    Ok(if clean { exit::SUCCESS } else { exit::REJECTED })
}

fn open(path: &Path) -> Result<Box<dyn Read + Send>, CliError> {
    if path == Path::new("-") {
        return Ok(Box::new(std::io::stdin()));
    }
    File::open(path)
        .map(|file| Box::new(file) as Box<dyn Read + Send>)
        .map_err(|error| CliError::Input {
            path: path.display().to_string(),
            detail: error.to_string(),
        })
}

/// A progress bar on a terminal; hidden when piped or with `--json`.
fn progress_bar(messages: &Messages, as_json: bool) -> ProgressBar {
    if as_json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    let template = format!(
        "{{spinner}} {{human_pos}} {} ({{per_sec}})",
        tr!(messages, "batch-progress")
    );
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// Maps stream positions back to CSV lines. Rows are sent in file order,
/// so `line = index + offset`, where the offset only changes at a header,
/// a malformed row or a quoted field spanning lines; only those changes
/// are stored.
#[derive(Debug, Default)]
pub struct LineMap {
    /// `(first index, offset)`, by increasing index.
    breaks: Vec<(u64, u64)>,
}

impl LineMap {
    fn record(&mut self, index: u64, line: u64) {
        let offset = line.saturating_sub(index);
        if self.breaks.last().is_none_or(|&(_, last)| last != offset) {
            self.breaks.push((index, offset));
        }
    }

    pub fn line_of(&self, index: u64) -> Option<u64> {
        let position = self.breaks.partition_point(|&(start, _)| start <= index);
        position.checked_sub(1).map(|p| index + self.breaks[p].1)
    }
}

/// What the reader learned besides the rows it sent.
#[derive(Debug, Default)]
struct ReadReport {
    lines: LineMap,
    malformed: u64,
    /// `(line, reason)` of the first malformed rows.
    malformed_rows: Vec<(u64, String)>,
}

impl ReadReport {
    fn malformed(&mut self, line: u64, reason: String) {
        self.malformed += 1;
        if self.malformed_rows.len() < MAX_LISTED_MALFORMED {
            self.malformed_rows.push((line, reason));
        }
    }
}

/// Reads CSV rows and sends them as requests; runs on a blocking thread.
struct RowReader {
    messages: &'static Messages,
    /// `--to`: rows omit the target currency.
    to: Option<String>,
    delimiter: char,
    report: Arc<Mutex<ReadReport>>,
    progress: ProgressBar,
}

impl RowReader {
    /// Reads to the end or until the stream is gone; `Err` if the input
    /// itself failed (an I/O error, not a bad row).
    fn read(self, source: Box<dyn Read + Send>, rows: &mpsc::Sender<ConvertRequest>) -> Result<(), String> {
        let mut records = CsvRows::new(BufReader::new(source), self.delimiter);
        let mut first = true;
        // Position of the next request in the stream.
        let mut index: u64 = 0;
        while let Some(record) = records.next_record().map_err(|error| error.to_string())? {
            let line = record.line;
            let fields = match record.fields {
                Ok(fields) => fields,
                Err(error) => {
                    let reason = match error {
                        RowError::Encoding => tr!(self.messages, "batch-row-encoding"),
                        RowError::TooLong => tr!(self.messages, "batch-row-too-long"),
                        RowError::UnclosedQuote | RowError::TextAfterQuote => {
                            tr!(self.messages, "batch-row-unreadable")
                        }
                    };
                    self.lock().malformed(line, reason);
                    first = false;
                    continue;
                }
            };
            // A first row whose first field has no digit is a header.
            let is_header = first
                && fields
                    .first()
                    .is_some_and(|field| !field.bytes().any(|b| b.is_ascii_digit()));
            first = false;
            if is_header {
                continue;
            }
            let request = match self.request(&fields) {
                Ok(request) => request,
                Err(reason) => {
                    self.lock().malformed(line, reason);
                    continue;
                }
            };
            self.lock().lines.record(index, line);
            if rows.blocking_send(request).is_err() {
                // The call ended (the server refused or went away); the
                // caller reports it.
                return Ok(());
            }
            index += 1;
            self.progress.inc(1);
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ReadReport> {
        self.report.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn request(&self, fields: &[String]) -> Result<ConvertRequest, String> {
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let (amount, from, to, id) = match (&self.to, fields.as_slice()) {
            (None, [amount, from, to]) => (*amount, *from, code(to), ""),
            (None, [amount, from, to, id]) => (*amount, *from, code(to), *id),
            (Some(to), [amount, from]) => (*amount, *from, to.clone(), ""),
            (Some(to), [amount, from, id]) => (*amount, *from, to.clone(), *id),
            (None, _) => {
                return Err(tr!(
                    self.messages,
                    "batch-row-fields",
                    expected = "3-4",
                    found = fields.len()
                ));
            }
            (Some(_), _) => {
                return Err(tr!(
                    self.messages,
                    "batch-row-fields",
                    expected = "2-3",
                    found = fields.len()
                ));
            }
        };
        Ok(ConvertRequest {
            amount: format::amount_input(self.messages.lang(), amount),
            from_currency: code(from),
            to_currency: to,
            request_id: id.to_owned(),
        })
    }
}

fn code(text: &str) -> String {
    format::code_input(text)
}

fn print_summary(
    messages: &Messages,
    as_json: bool,
    summary: &BatchSummary,
    report: &ReadReport,
) -> Result<(), CliError> {
    let line_of = |index: u64| report.lines.line_of(index);
    if as_json {
        let errors: Vec<_> = summary
            .errors
            .iter()
            .map(|error| {
                let mut value = item_error_json(error);
                value["line"] = json!(line_of(error.index));
                value
            })
            .collect();
        return output::json(&json!({
            "complete": true,
            "accepted": summary.accepted,
            "rejected": summary.rejected,
            "malformed": report.malformed,
            "totals": summary.totals.iter().map(|t| json!({
                "currency": t.currency, "total": t.total, "count": t.count,
            })).collect::<Vec<_>>(),
            "rates": summary.rates.iter().map(quote_json).collect::<Vec<_>>(),
            "rate_sequence": summary.rate_sequence,
            "rate_time": format::time(summary.rate_time.as_ref()),
            "errors": errors,
            "malformed_rows": report.malformed_rows.iter().map(|(line, reason)| json!({
                "line": line, "reason": reason,
            })).collect::<Vec<_>>(),
        }));
    }

    let lang = messages.lang();
    output::line(tr!(
        messages,
        "batch-counts",
        accepted = summary.accepted,
        rejected = summary.rejected,
        malformed = report.malformed,
    ))?;
    if summary.accepted > 0 {
        output::line(tr!(
            messages,
            "batch-rates",
            sequence = summary.rate_sequence,
            time = format::time(summary.rate_time.as_ref()),
        ))?;
        output::line(tr!(messages, "batch-totals"))?;
        let rows: Vec<Vec<String>> = summary
            .totals
            .iter()
            .map(|total| {
                vec![
                    format!("  {}", total.currency),
                    format::decimal(lang, &total.total),
                    tr!(messages, "batch-items", count = total.count),
                ]
            })
            .collect();
        for line in output::table(&rows) {
            output::line(line)?;
        }
    }

    let mut problems: Vec<(u64, String)> = summary
        .errors
        .iter()
        .map(|error| {
            let line = line_of(error.index).unwrap_or(0);
            let text = tr!(
                messages,
                "batch-rejected-item",
                line = line,
                reason = error.message
            );
            (line, text)
        })
        .chain(report.malformed_rows.iter().map(|(line, reason)| {
            (
                *line,
                tr!(messages, "batch-malformed-row", line = line, reason = reason),
            )
        }))
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    problems.sort_by_key(|(line, _)| *line);
    output::line(tr!(messages, "batch-problems"))?;
    for (_, text) in &problems {
        output::line(format!("  {text}"))?;
    }
    let unlisted = (summary.rejected + report.malformed).saturating_sub(problems.len() as u64);
    if unlisted > 0 {
        output::line(format!("  {}", tr!(messages, "batch-unlisted", count = unlisted)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_map_stores_only_changes_of_offset() {
        let mut map = LineMap::default();
        // Header on line 1, rows from line 2, a malformed row on line 5.
        for (index, line) in [(0, 2), (1, 3), (2, 4), (3, 6), (4, 7)] {
            map.record(index, line);
        }
        assert_eq!(map.breaks.len(), 2);
        assert_eq!(map.line_of(0), Some(2));
        assert_eq!(map.line_of(2), Some(4));
        assert_eq!(map.line_of(3), Some(6));
        assert_eq!(map.line_of(4), Some(7));
    }
}
