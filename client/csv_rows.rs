//! A streaming CSV row reader that knows which line each row is on.
//!
//! `bank batch` must map every problem back to its line in the file, for
//! files written by any spreadsheet: CRLF or LF line ends, blank lines,
//! quoted fields that contain delimiters, doubled quotes or line breaks.
//! The `csv` crate reports where it *started* reading a record, before the
//! line breaks it skips, which puts rows after a blank line or a CRLF on the
//! wrong line; so this reader counts lines itself.
//!
//! It reads one physical line at a time into a reused buffer (memory stays
//! flat whatever the file size), and never more than [`MAX_RECORD_BYTES`]
//! per record: a file with a gigabyte-long line costs a bounded buffer and
//! one error, not a gigabyte of memory.

use std::io::{self, BufRead, Read};

/// The longest record accepted. A conversion row is a few dozen bytes;
/// 64 KiB leaves room for any real file.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;

/// What is wrong with a record that could not be split into fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowError {
    /// The bytes are not UTF-8 text.
    Encoding,
    /// A quoted field is not closed before the end of the file.
    UnclosedQuote,
    /// Text follows a closing quote inside the same field.
    TextAfterQuote,
    /// Longer than [`MAX_RECORD_BYTES`].
    TooLong,
}

/// One record: the line it starts on, and its fields or why it has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: u64,
    pub fields: Result<Vec<String>, RowError>,
}

/// Reads records from `input`.
pub struct CsvRows<R> {
    input: R,
    delimiter: char,
    /// Lines read so far.
    line: u64,
    /// The current physical line, reused between calls.
    bytes: Vec<u8>,
}

impl<R: BufRead> CsvRows<R> {
    pub fn new(input: R, delimiter: char) -> Self {
        Self {
            input,
            delimiter,
            line: 0,
            bytes: Vec::new(),
        }
    }

    /// The next non-blank record, `None` at the end of the input, or the
    /// input's own I/O error.
    pub fn next_record(&mut self) -> io::Result<Option<Record>> {
        loop {
            let Some(first) = self.read_line()? else {
                return Ok(None);
            };
            let line = self.line;
            let text = match first {
                Ok(text) => text,
                Err(error) => {
                    return Ok(Some(Record {
                        line,
                        fields: Err(error),
                    }));
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            let fields = self.split(text);
            return Ok(Some(Record { line, fields }));
        }
    }

    /// The next physical line without its line end, `None` at the end.
    fn read_line(&mut self) -> io::Result<Option<Result<String, RowError>>> {
        self.bytes.clear();
        let limit = (MAX_RECORD_BYTES + 2) as u64;
        let read = Read::take(&mut self.input, limit).read_until(b'\n', &mut self.bytes)?;
        if read == 0 {
            return Ok(None);
        }
        self.line += 1;
        if !self.bytes.ends_with(b"\n") && read as u64 == limit {
            self.skip_rest_of_line()?;
            return Ok(Some(Err(RowError::TooLong)));
        }
        while matches!(self.bytes.last(), Some(b'\n' | b'\r')) {
            self.bytes.pop();
        }
        // The read above stops two bytes past the limit to make room for a
        // CRLF, so a line can still be one byte too long here (at the end of
        // the file or before a bare LF); its line end, if any, has been
        // read, so there is nothing left to skip.
        if self.bytes.len() > MAX_RECORD_BYTES {
            return Ok(Some(Err(RowError::TooLong)));
        }
        Ok(Some(
            String::from_utf8(std::mem::take(&mut self.bytes)).map_err(|_| RowError::Encoding),
        ))
    }

    fn skip_rest_of_line(&mut self) -> io::Result<()> {
        loop {
            let available = self.input.fill_buf()?;
            if available.is_empty() {
                return Ok(());
            }
            match available.iter().position(|b| *b == b'\n') {
                Some(end) => {
                    self.input.consume(end + 1);
                    return Ok(());
                }
                None => {
                    let all = available.len();
                    self.input.consume(all);
                }
            }
        }
    }

    /// Splits a record into trimmed fields, reading more lines while a
    /// quoted field is open.
    fn split(&mut self, mut text: String) -> Result<Vec<String>, RowError> {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars: Vec<char> = text.chars().collect();
        let mut at = 0;
        let mut quoted_field = false;
        loop {
            // Start of a field: skip spaces, then see whether it is quoted.
            while at < chars.len() && chars[at] == ' ' {
                at += 1;
            }
            if at < chars.len() && chars[at] == '"' {
                quoted_field = true;
                at += 1;
                loop {
                    if at == chars.len() {
                        // The quoted field goes on on the next line.
                        let next = match self.read_line() {
                            Ok(Some(Ok(next))) => next,
                            Ok(Some(Err(error))) => return Err(error),
                            Ok(None) | Err(_) => return Err(RowError::UnclosedQuote),
                        };
                        text.push('\n');
                        text.push_str(&next);
                        if text.len() > MAX_RECORD_BYTES {
                            return Err(RowError::TooLong);
                        }
                        field.push('\n');
                        chars.extend(next.chars());
                        continue;
                    }
                    match chars[at] {
                        '"' if chars.get(at + 1) == Some(&'"') => {
                            field.push('"');
                            at += 2;
                        }
                        '"' => {
                            at += 1;
                            break;
                        }
                        c => {
                            field.push(c);
                            at += 1;
                        }
                    }
                }
                while at < chars.len() && chars[at] == ' ' {
                    at += 1;
                }
                if at < chars.len() && chars[at] != self.delimiter {
                    return Err(RowError::TextAfterQuote);
                }
            } else {
                while at < chars.len() && chars[at] != self.delimiter {
                    field.push(chars[at]);
                    at += 1;
                }
            }
            let value = std::mem::take(&mut field);
            fields.push(if quoted_field {
                value
            } else {
                value.trim().to_owned()
            });
            quoted_field = false;
            if at >= chars.len() {
                return Ok(fields);
            }
            at += 1; // the delimiter
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &str) -> Vec<(u64, Result<Vec<String>, RowError>)> {
        let mut rows = CsvRows::new(input.as_bytes(), ',');
        let mut out = Vec::new();
        while let Some(record) = rows.next_record().expect("in-memory input") {
            out.push((record.line, record.fields));
        }
        out
    }

    fn ok(fields: &[&str]) -> Result<Vec<String>, RowError> {
        Ok(fields.iter().map(|f| (*f).to_owned()).collect())
    }

    #[test]
    fn lines_are_counted_across_crlf_and_blank_lines() {
        let got = records("a,1\r\nb,2\r\n\r\n\nc,3\n");
        assert_eq!(
            got,
            vec![(1, ok(&["a", "1"])), (2, ok(&["b", "2"])), (5, ok(&["c", "3"]))]
        );
    }

    #[test]
    fn quoted_fields_keep_delimiters_quotes_and_line_breaks() {
        let got = records("\"1,5\",\"say \"\"hi\"\"\"\n\"two\nlines\",x\nlast,1");
        assert_eq!(
            got,
            vec![
                (1, ok(&["1,5", "say \"hi\""])),
                (2, ok(&["two\nlines", "x"])),
                (4, ok(&["last", "1"])),
            ]
        );
    }

    #[test]
    fn fields_are_trimmed_and_empty_fields_kept() {
        assert_eq!(records(" 12 , usd ,,\n"), vec![(1, ok(&["12", "usd", "", ""]))]);
    }

    #[test]
    fn broken_records_are_reported_on_their_line_and_reading_goes_on() {
        let got = records("a,\"open\nstill open");
        assert_eq!(got, vec![(1, Err(RowError::UnclosedQuote))]);
        let got = records("\"x\"y,1\nok,2\n");
        assert_eq!(
            got,
            vec![(1, Err(RowError::TextAfterQuote)), (2, ok(&["ok", "2"]))]
        );
        let mut bytes = b"ok,1\n".to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe, b'\n']);
        bytes.extend_from_slice(b"ok,3\n");
        let mut rows = CsvRows::new(bytes.as_slice(), ',');
        let mut lines = Vec::new();
        while let Some(record) = rows.next_record().expect("in-memory input") {
            lines.push((record.line, record.fields.is_ok()));
        }
        assert_eq!(lines, vec![(1, true), (2, false), (3, true)]);
    }

    #[test]
    fn an_overlong_line_is_one_error_and_the_next_line_still_reads() {
        let input = format!("{}\nok,2\n", "9".repeat(MAX_RECORD_BYTES * 3));
        assert_eq!(
            records(&input),
            vec![(1, Err(RowError::TooLong)), (2, ok(&["ok", "2"]))]
        );
    }

    #[test]
    fn a_line_just_over_the_limit_is_too_long() {
        // Found by `cargo fuzz run csv_rows`: one byte over the limit, at the
        // end of the file or before a bare LF, used to be accepted.
        let over = "9".repeat(MAX_RECORD_BYTES + 1);
        assert_eq!(records(&over), vec![(1, Err(RowError::TooLong))]);
        assert_eq!(
            records(&format!("{over}\nok,2\n")),
            vec![(1, Err(RowError::TooLong)), (2, ok(&["ok", "2"]))]
        );
        let at_limit = "9".repeat(MAX_RECORD_BYTES);
        assert_eq!(records(&at_limit), vec![(1, ok(&[at_limit.as_str()]))]);
        assert_eq!(
            records(&format!("{at_limit}\r\nok,2")),
            vec![(1, ok(&[at_limit.as_str()])), (2, ok(&["ok", "2"]))]
        );
    }

    #[test]
    fn semicolons_can_delimit_fields() {
        let mut rows = CsvRows::new("12,50;EUR;USD\n".as_bytes(), ';');
        let record = rows.next_record().expect("read").expect("a record");
        assert_eq!(record.fields, ok(&["12,50", "EUR", "USD"]));
    }
}
