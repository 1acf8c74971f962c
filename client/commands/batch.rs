//! `bank batch [FILE|-]`: a CSV file converted in one batch (client
//! streaming `ConvertBatch`).
//!
//! The file is opened before anything is sent (a missing file is a usage
//! error, exit 2, whatever the server), then read row by row on a blocking
//! thread and streamed to the server through a bounded channel: a
//! million-row file never sits in memory, and a slow server slows the
//! reader instead of filling memory.
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
//!
//! A batch has no deadline unless `--deadline` gives it one (see
//! `deadline.rs`): a big file takes as long as it takes. A server that
//! stops answering altogether is caught by the connection's pings
//! ([`Connection::open`](crate::connect::Connection::open)). A batch still
//! running at its deadline gets DEADLINE_EXCEEDED and no summary, reported
//! like any batch cut short.
//!
//! Rows typed at a terminal are a batch too: the command then says on
//! standard error that it is reading them, and which keys end them (end of
//! input is Ctrl-D at the start of a line on Unix, Ctrl-Z then Enter on
//! Windows), instead of seeming to hang.

use std::fs::File;
use std::io::{BufReader, ErrorKind, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use bank_proto::v1::{BatchSummary, ConvertRequest, CurrencyTotal, ItemError, Quote};
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use prost_types::Timestamp;
use serde::Serialize;
use serde_json::json;
use tokio::sync::mpsc;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

use crate::context::Context;
use crate::csv_rows::{CsvRows, RowError};
use crate::deadline::{Deadline, DeadlineArg};
use crate::error::{CliError, exit, io_detail, status_sentence};
use bank_i18n::Messages;
use bank_i18n::tr;

use crate::{format, output, phrasing, report, scheme, terminal};

/// Rows read ahead of the network: enough to keep the stream busy, small
/// enough that client memory stays flat whatever the file size.
const READ_AHEAD_ROWS: usize = 1_024;

/// Malformed rows listed in the report (all are counted), matching the
/// server's limit on listed rejections.
const MAX_LISTED_MALFORMED: usize = 100;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// CSV file to read, or - for standard input.
    #[arg(default_value = "-")]
    file: PathBuf,
    /// Convert every row into this currency (rows then omit `to`).
    #[arg(long)]
    to: Option<String>,
    /// Field delimiter of the CSV file (one character, e.g. ';').
    #[arg(long, default_value = ",")]
    delimiter: char,
    /// Price every row at the tick of this past instant: RFC 3339, or a
    /// duration ago such as 90m or 7d.
    #[arg(long, value_parser = format::instant_input)]
    at: Option<SystemTime>,
    #[command(flatten)]
    deadline: DeadlineArg,
}

/// A batch ready to send: its input open and its options checked. Built
/// before connecting, so that a usage error is reported as one (exit 2)
/// even when the server is down.
struct Batch {
    /// The file as the user named it, for messages.
    path: String,
    source: Box<dyn Read + Send>,
    /// The rows come from a person at a terminal, not from a file or pipe.
    typed: bool,
    to: Option<String>,
    delimiter: char,
    at: Option<Timestamp>,
}

impl Batch {
    fn open(args: Args, messages: &Messages) -> Result<Self, CliError> {
        let path = args.file.display().to_string();
        let delimiter = Some(args.delimiter)
            .filter(char::is_ascii)
            .ok_or_else(|| CliError::Input {
                path: path.clone(),
                detail: tr!(messages, "batch-bad-delimiter"),
            })?;
        let source = open(&args.file).map_err(|error| CliError::Input {
            path: path.clone(),
            detail: io_detail(messages, &error),
        })?;
        Ok(Self {
            path,
            source,
            typed: args.file == Path::new("-") && std::io::stdin().is_terminal(),
            to: args.to.as_deref().map(format::code_input),
            delimiter,
            at: args.at.map(Timestamp::from),
        })
    }
}

pub async fn run(args: Args, context: &Context) -> Result<u8, CliError> {
    let (messages, as_json) = (context.messages, context.json);
    let deadline_arg = args.deadline;
    let batch = Batch::open(args, messages)?;
    let connection = &context.connect().await?;
    if batch.typed {
        let platform = if cfg!(windows) { "windows" } else { "other" };
        // The rows' shape as this command reads them: with --to, no target
        // column; the delimiter of --delimiter.
        let target = if batch.to.is_some() { "given" } else { "each" };
        let note = tr!(
            messages,
            "batch-reading-terminal",
            target = target,
            sep = batch.delimiter.to_string(),
            platform = platform
        );
        eprintln!("{note}");
    }
    let progress = progress_bar(messages, as_json);
    let reader = RowReader {
        messages,
        to: batch.to,
        delimiter: batch.delimiter,
        at: batch.at,
        report: Arc::default(),
        progress: progress.clone(),
    };
    let report = Arc::clone(&reader.report);

    let (rows, stream) = mpsc::channel(READ_AHEAD_ROWS);
    let source = batch.source;
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
    // No deadline but --deadline: the connection's pings (see
    // `Connection::open`) are what tell a server that stopped answering
    // from one that is just busy.
    let deadline = Deadline::start(deadline_arg);
    let mut request = connection.streaming(requests);
    if let Some(deadline) = &deadline {
        deadline.apply(&mut request);
    }
    let mut client = connection.client();
    let call = client.convert_batch(request);
    let result = match &deadline {
        Some(deadline) => tokio::select! {
            result = call => result,
            status = deadline.expired() => Err(status),
        },
        None => call.await,
    };
    progress.finish_and_clear();

    let summary = match result {
        Ok(response) => response.into_inner(),
        Err(status) => {
            // No waiting for the reader here: it may be blocked on a
            // standard input that never ends.
            let sent = sent.load(Ordering::Relaxed);
            let incomplete = CliError::BatchIncomplete {
                url: connection.url.clone(),
                sent,
                status,
            };
            // A plaintext batch to a TLS server breaks like an outage: ask
            // the server before saying so (see scheme.rs).
            let error = scheme::diagnose(incomplete, context.target.timeout).await;
            let error = match &deadline {
                Some(deadline) => deadline.explain(&connection.url, error),
                None => error,
            };
            if as_json && let CliError::BatchIncomplete { status, .. } = &error {
                let sentence = status_sentence(messages, &connection.url, status);
                // The code, reason and field as every `--json` failure
                // gives them (see report.rs), beside the batch's own keys.
                let report = report::from_status(status, sentence.clone(), error.exit_code());
                output::json(&json!({
                    "complete": false,
                    "sent": sent,
                    "summary": null,
                    "code": report.code,
                    "error": sentence,
                    "reason": report.reason,
                    "domain": report.domain,
                    "field": report.field,
                    "exit_code": report.exit_code,
                }))?;
            }
            return Err(error);
        }
    };
    let read_error = reading.await.ok().and_then(Result::err);
    if let Some(error) = read_error {
        // The server summed what it got, but the file was not read to its
        // end: presenting that total as the file's would be a lie.
        let sent = sent.load(Ordering::Relaxed);
        let partial = tr!(
            messages,
            "batch-partial",
            sent = sent,
            sent_text = format::count(messages.lang(), sent)
        );
        return Err(CliError::Input {
            path: batch.path,
            detail: format!("{} ({partial})", io_detail(messages, &error)),
        });
    }
    let report = std::mem::take(&mut *report.lock().unwrap_or_else(PoisonError::into_inner));
    print_summary(messages, as_json, &summary, &report)?;
    let clean = summary.rejected == 0 && report.malformed == 0;
    Ok(if clean { exit::SUCCESS } else { exit::REJECTED })
}

/// Standard input for `-`, else the file, which must not be a directory
/// (opening one succeeds on Unix; only reading it fails).
fn open(path: &Path) -> std::io::Result<Box<dyn Read + Send>> {
    if path == Path::new("-") {
        return Ok(Box::new(std::io::stdin()));
    }
    let file = File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(ErrorKind::IsADirectory.into());
    }
    Ok(Box::new(file))
}

/// A progress bar on a terminal; hidden when piped, on a dumb terminal
/// (it is redrawn in place) or with `--json`. Its numbers are written the
/// user's way (`48 736`, not `48,735.8811`): rows sent, and the average
/// rate since the start in whole rows per second.
fn progress_bar(messages: &Messages, as_json: bool) -> ProgressBar {
    if as_json || !terminal::can_redraw(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    let lang = messages.lang();
    let template = format!(
        "{{spinner}} {{rows}} {} ({{rate}}/s)",
        tr!(messages, "batch-progress")
    );
    if let Ok(style) = ProgressStyle::with_template(&template) {
        let rows = move |state: &ProgressState, out: &mut dyn std::fmt::Write| {
            let _ = out.write_str(&format::count(lang, state.pos()));
        };
        let rate = move |state: &ProgressState, out: &mut dyn std::fmt::Write| {
            let _ = out.write_str(&format::count(lang, per_second(state.pos(), state.elapsed())));
        };
        bar.set_style(style.with_key("rows", rows).with_key("rate", rate));
    }
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// `count` per second over `elapsed`, in whole units, without floats.
fn per_second(count: u64, elapsed: Duration) -> u64 {
    let millis = elapsed.as_millis().max(1);
    u64::try_from(u128::from(count) * 1_000 / millis).unwrap_or(u64::MAX)
}

/// Offset changes a [`LineMap`] keeps at most: 16 bytes each, 1 MiB in
/// all. A clean file needs one; only a file with tens of thousands of
/// malformed rows between good ones gets near it, and past it the lines of
/// later items are reported as unknown instead of memory growing with the
/// file.
const MAX_LINE_BREAKS: usize = 65_536;

/// Maps stream positions back to CSV lines. Rows are sent in file order,
/// so `line = index + offset`, where the offset only changes at a header,
/// a malformed row or a quoted field spanning lines; only those changes
/// are stored, at most [`MAX_LINE_BREAKS`] of them.
#[derive(Debug, Default)]
pub struct LineMap {
    /// `(first index, offset)`, by increasing index.
    breaks: Vec<(u64, u64)>,
    /// The first index whose line is not known, once the map is full.
    unknown_from: Option<u64>,
}

impl LineMap {
    fn record(&mut self, index: u64, line: u64) {
        let offset = line.saturating_sub(index);
        if self.unknown_from.is_some() || self.breaks.last().is_some_and(|&(_, last)| last == offset) {
            return;
        }
        if self.breaks.len() == MAX_LINE_BREAKS {
            self.unknown_from = Some(index);
        } else {
            self.breaks.push((index, offset));
        }
    }

    pub fn line_of(&self, index: u64) -> Option<u64> {
        if self.unknown_from.is_some_and(|from| index >= from) {
            return None;
        }
        let position = self.breaks.partition_point(|&(start, _)| start <= index);
        position.checked_sub(1).map(|p| index + self.breaks[p].1)
    }
}

/// Why a row was not sent. `--json` gives each a stable `code`, for
/// scripts; people read the reason in their language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Malformed {
    /// Not as many fields as a row has (`expected`: "3-4" or "2-3").
    FieldCount {
        expected: &'static str,
        found: usize,
    },
    Encoding,
    UnclosedQuote,
    TextAfterQuote,
    TooLong,
}

impl Malformed {
    fn code(self) -> &'static str {
        match self {
            Malformed::FieldCount { .. } => "WRONG_FIELD_COUNT",
            Malformed::Encoding => "NOT_UTF8",
            Malformed::UnclosedQuote => "UNCLOSED_QUOTE",
            Malformed::TextAfterQuote => "TEXT_AFTER_QUOTE",
            Malformed::TooLong => "ROW_TOO_LONG",
        }
    }

    fn reason(self, messages: &Messages) -> String {
        match self {
            Malformed::FieldCount { expected, found } => {
                tr!(messages, "batch-row-fields", expected = expected, found = found)
            }
            Malformed::Encoding => tr!(messages, "batch-row-encoding"),
            Malformed::TooLong => tr!(messages, "batch-row-too-long"),
            Malformed::UnclosedQuote | Malformed::TextAfterQuote => tr!(messages, "batch-row-unreadable"),
        }
    }
}

impl From<RowError> for Malformed {
    fn from(error: RowError) -> Self {
        match error {
            RowError::Encoding => Malformed::Encoding,
            RowError::UnclosedQuote => Malformed::UnclosedQuote,
            RowError::TextAfterQuote => Malformed::TextAfterQuote,
            RowError::TooLong => Malformed::TooLong,
        }
    }
}

/// What the reader learned besides the rows it sent.
#[derive(Debug, Default)]
struct ReadReport {
    lines: LineMap,
    malformed: u64,
    /// `(line, why)` of the first malformed rows.
    malformed_rows: Vec<(u64, Malformed)>,
}

impl ReadReport {
    fn malformed(&mut self, line: u64, why: Malformed) {
        self.malformed += 1;
        if self.malformed_rows.len() < MAX_LISTED_MALFORMED {
            self.malformed_rows.push((line, why));
        }
    }
}

/// Reads CSV rows and sends them as requests; runs on a blocking thread.
struct RowReader {
    messages: &'static Messages,
    /// `--to`: rows omit the target currency.
    to: Option<String>,
    delimiter: char,
    /// `--at`: every row priced at that instant's tick.
    at: Option<Timestamp>,
    report: Arc<Mutex<ReadReport>>,
    progress: ProgressBar,
}

impl RowReader {
    /// Reads to the end or until the stream is gone; `Err` if the input
    /// itself failed (an I/O error, not a bad row).
    fn read(self, source: Box<dyn Read + Send>, rows: &mpsc::Sender<ConvertRequest>) -> std::io::Result<()> {
        let mut records = CsvRows::new(BufReader::new(source), self.delimiter);
        let mut first = true;
        // Position of the next request in the stream, for the line map.
        let mut index: u64 = 0;
        while let Some(record) = records.next_record()? {
            let line = record.line;
            let is_first = std::mem::replace(&mut first, false);
            let fields = match record.fields {
                Ok(fields) => fields,
                Err(error) => {
                    self.lock().malformed(line, error.into());
                    continue;
                }
            };
            if is_first && self.is_header(&fields) {
                continue;
            }
            let request = match self.request(&fields) {
                Ok(request) => request,
                Err(why) => {
                    self.lock().malformed(line, why);
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

    /// The field counts a row may have.
    fn expected_fields(&self) -> (&'static str, std::ops::RangeInclusive<usize>) {
        match self.to {
            None => ("3-4", 3..=4),
            Some(_) => ("2-3", 2..=3),
        }
    }

    /// Whether the first record is a header rather than a row: it has as
    /// many fields as a row, its amount has no digit, and no currency
    /// column holds a code (three letters). So `amount,from,to` is a
    /// header, but `ten,USD,EUR` is a row with a bad amount and `x,USD` a
    /// malformed row, both reported on line 1.
    fn is_header(&self, fields: &[String]) -> bool {
        let currencies = if self.to.is_some() { 1 } else { 2 };
        let looks_like_code =
            |field: &String| field.len() == 3 && field.bytes().all(|b| b.is_ascii_alphabetic());
        self.expected_fields().1.contains(&fields.len())
            && !fields[0].bytes().any(|b| b.is_ascii_digit())
            && !fields[1..=currencies].iter().any(looks_like_code)
    }

    fn request(&self, fields: &[String]) -> Result<ConvertRequest, Malformed> {
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let (amount, from, to, id) = match (&self.to, fields.as_slice()) {
            (None, [amount, from, to]) => (*amount, *from, code(to), ""),
            (None, [amount, from, to, id]) => (*amount, *from, code(to), *id),
            (Some(to), [amount, from]) => (*amount, *from, to.clone(), ""),
            (Some(to), [amount, from, id]) => (*amount, *from, to.clone(), *id),
            _ => {
                return Err(Malformed::FieldCount {
                    expected: self.expected_fields().0,
                    found: fields.len(),
                });
            }
        };
        Ok(ConvertRequest {
            amount: format::amount_input(self.messages.lang(), amount),
            from_currency: code(from),
            to_currency: to,
            request_id: id.to_owned(),
            at: self.at,
        })
    }
}

fn code(text: &str) -> String {
    format::code_input(text)
}

/// A finished batch as `--json` writes it: the `BatchSummary`, with what
/// only the client knows beside it (rows it could not send, and the line
/// of the file each rejected item came from). The order of the fields is
/// the one scripts have always read.
#[derive(Serialize)]
struct SummaryLine<'a> {
    complete: bool,
    accepted: u64,
    rejected: u64,
    malformed: u64,
    totals: &'a [CurrencyTotal],
    rates: &'a [Quote],
    rate_sequence: u64,
    #[serde(serialize_with = "bank_proto::json::timestamp")]
    rate_time: &'a Option<Timestamp>,
    errors: Vec<RejectedLine<'a>>,
    malformed_rows: Vec<MalformedLine>,
}

/// A rejected item and the line of the file it came from.
#[derive(Serialize)]
struct RejectedLine<'a> {
    #[serde(flatten)]
    error: &'a ItemError,
    /// `null` for an item past what the client could still number.
    line: Option<u64>,
}

/// A row that could not be sent, and why.
#[derive(Serialize)]
struct MalformedLine {
    line: u64,
    code: &'static str,
    reason: String,
}

fn print_summary(
    messages: &Messages,
    as_json: bool,
    summary: &BatchSummary,
    report: &ReadReport,
) -> Result<(), CliError> {
    let line_of = |index: u64| report.lines.line_of(index);
    if as_json {
        return output::json(&SummaryLine {
            complete: true,
            accepted: summary.accepted,
            rejected: summary.rejected,
            malformed: report.malformed,
            totals: &summary.totals,
            rates: &summary.rates,
            rate_sequence: summary.rate_sequence,
            rate_time: &summary.rate_time,
            errors: summary
                .errors
                .iter()
                .map(|error| RejectedLine {
                    error,
                    line: line_of(error.index),
                })
                .collect(),
            malformed_rows: report
                .malformed_rows
                .iter()
                .map(|&(line, why)| MalformedLine {
                    line,
                    code: why.code(),
                    reason: why.reason(messages),
                })
                .collect(),
        });
    }

    let lang = messages.lang();
    output::line(tr!(
        messages,
        "batch-counts",
        accepted = format::count(lang, summary.accepted),
        rejected = format::count(lang, summary.rejected),
        malformed = format::count(lang, report.malformed),
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
                    tr!(
                        messages,
                        "batch-items",
                        count = total.count,
                        count_text = format::count(lang, total.count)
                    ),
                ]
            })
            .collect();
        for line in output::table(&rows) {
            output::line(line)?;
        }
    }

    // Problems in file order; items whose line is unknown (see
    // `LineMap`) come last.
    let mut problems: Vec<(Option<u64>, String)> = summary
        .errors
        .iter()
        .map(|error| {
            let line = line_of(error.index);
            let text = match line {
                Some(line) => tr!(
                    messages,
                    "batch-rejected-item",
                    line = line,
                    reason = phrasing::item(messages, error)
                ),
                None => tr!(
                    messages,
                    "batch-rejected-item-unmapped",
                    number = format::count(lang, error.index + 1),
                    reason = phrasing::item(messages, error)
                ),
            };
            (line, text)
        })
        .chain(report.malformed_rows.iter().map(|(line, why)| {
            let reason = why.reason(messages);
            (
                Some(*line),
                tr!(messages, "batch-malformed-row", line = line, reason = reason),
            )
        }))
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    problems.sort_by_key(|(line, _)| line.unwrap_or(u64::MAX));
    output::line(tr!(messages, "batch-problems"))?;
    for (_, text) in &problems {
        output::line(format!("  {text}"))?;
    }
    let unlisted = (summary.rejected + report.malformed).saturating_sub(problems.len() as u64);
    if unlisted > 0 {
        let text = tr!(
            messages,
            "batch-unlisted",
            count = unlisted,
            count_text = format::count(lang, unlisted)
        );
        output::line(format!("  {text}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bank_i18n::Lang;

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

    #[test]
    fn a_full_line_map_stops_growing_and_says_which_lines_it_lost() {
        let mut map = LineMap::default();
        // A malformed row after every good one: a new offset every row.
        let rows = MAX_LINE_BREAKS as u64 + 1_000;
        for index in 0..rows {
            map.record(index, 2 * index + 1);
        }
        assert_eq!(map.breaks.len(), MAX_LINE_BREAKS);
        assert_eq!(map.line_of(0), Some(1));
        let last_known = MAX_LINE_BREAKS as u64 - 1;
        assert_eq!(map.line_of(last_known), Some(2 * last_known + 1));
        assert_eq!(map.line_of(last_known + 1), None);
        assert_eq!(map.line_of(rows - 1), None);
    }

    #[test]
    fn rates_are_whole_rows_per_second() {
        assert_eq!(per_second(48_735, Duration::from_millis(999)), 48_783);
        assert_eq!(per_second(10, Duration::ZERO), 10_000);
        assert_eq!(per_second(0, Duration::from_secs(3)), 0);
    }

    fn reader(to: Option<&str>) -> RowReader {
        RowReader {
            messages: Messages::of(Lang::En),
            to: to.map(str::to_owned),
            delimiter: ',',
            at: None,
            report: Arc::default(),
            progress: ProgressBar::hidden(),
        }
    }

    fn fields(row: &str) -> Vec<String> {
        row.split(',').map(str::to_owned).collect()
    }

    #[test]
    fn only_a_first_row_that_looks_like_one_is_a_header() {
        let plain = reader(None);
        for header in [
            "amount,from,to",
            "amount,from,to,id",
            "montant,de,vers",
            "Amount,Source,Target",
        ] {
            assert!(plain.is_header(&fields(header)), "{header}");
        }
        for row in [
            "ten,USD,EUR",
            "x,USD",
            "amount,usd,to",
            "1,2,3",
            "a,b,c,d,e",
            "amount,from,EUR",
        ] {
            assert!(!plain.is_header(&fields(row)), "{row}");
        }
        let with_to = reader(Some("EUR"));
        assert!(with_to.is_header(&fields("amount,from")));
        assert!(with_to.is_header(&fields("amount,from,id")));
        assert!(!with_to.is_header(&fields("ten,USD")));
        assert!(!with_to.is_header(&fields("amount,from,to,id")));
    }

    #[test]
    fn malformed_rows_have_stable_codes() {
        let plain = reader(None);
        let why = plain.request(&fields("1,USD")).expect_err("two fields");
        assert_eq!(
            why,
            Malformed::FieldCount {
                expected: "3-4",
                found: 2
            }
        );
        assert_eq!(why.code(), "WRONG_FIELD_COUNT");
        assert_eq!(Malformed::from(RowError::Encoding).code(), "NOT_UTF8");
        assert_eq!(Malformed::from(RowError::TooLong).code(), "ROW_TOO_LONG");
    }
}
