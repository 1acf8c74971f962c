//! The `bank batch` CSV row reader (`client/csv_rows.rs`, public in the
//! `bank` library) on arbitrary bytes.
//!
//! Input: byte 0 picks the delimiter (any ASCII character, as `bank batch
//! --delimiter` allows). Byte 1, when its high bit is set, prefixes the file
//! with `MAX_RECORD_BYTES - 64 + (byte 1 & 0x7f)` copies of byte 2, so the
//! fuzzer reaches the record-size limit from both sides with small inputs.
//! The rest of the input is the file.
//!
//! Invariants:
//! - reading ends, with one record at most per line of the file;
//! - record line numbers strictly increase (each record starts on a new
//!   line) and never exceed the number of line breaks + 1;
//! - no record's fields add up to more than `MAX_RECORD_BYTES`;
//! - an in-memory file never yields an I/O error.

#![no_main]

use bank::csv_rows::{CsvRows, MAX_RECORD_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [delimiter, long, fill, file @ ..] = data else {
        return;
    };
    let delimiter = char::from(delimiter & 0x7f);
    let mut bytes = Vec::new();
    if long & 0x80 != 0 {
        bytes.resize(MAX_RECORD_BYTES - 64 + usize::from(long & 0x7f), *fill);
    }
    bytes.extend_from_slice(file);

    let line_breaks = bytes.iter().filter(|byte| **byte == b'\n').count() as u64;
    let mut rows = CsvRows::new(std::io::Cursor::new(&bytes), delimiter);
    let mut last_line = 0;
    let mut records = 0u64;
    while let Some(record) = rows.next_record().expect("an in-memory file cannot fail") {
        records += 1;
        assert!(
            records <= line_breaks + 1,
            "{records} records from {line_breaks} line breaks"
        );
        assert!(
            record.line > last_line,
            "record on line {} after one on line {last_line}",
            record.line
        );
        assert!(
            record.line <= line_breaks + 1,
            "record on line {} of a file with {line_breaks} line breaks",
            record.line
        );
        last_line = record.line;
        if let Ok(fields) = &record.fields {
            let total: usize = fields.iter().map(String::len).sum();
            assert!(
                total <= MAX_RECORD_BYTES,
                "record on line {} has {total} bytes of fields",
                record.line
            );
        }
    }
});
