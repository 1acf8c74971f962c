//! The results of one benchmark: a table for people, one JSON object for
//! scripts.

use std::collections::BTreeMap;
use std::time::Duration;

use bank_i18n::{Messages, tr};
use hdrhistogram::Histogram;
use serde_json::{Map, Value, json};

use crate::error::CliError;
use crate::{format, output};

/// Latencies are recorded in microseconds, up to one minute, with three
/// significant digits: 0.1% precision at any scale.
pub fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}

/// Microseconds since `start`, at least 1 (the histogram's lowest value).
pub fn micros(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX).max(1)
}

struct Row {
    key: &'static str,
    label: String,
    shown: String,
    json: Value,
}

/// What a benchmark measured.
pub struct Report {
    target: &'static str,
    rows: Vec<Row>,
    /// Failures by gRPC code name (or `WRONG_RESULT`).
    errors: BTreeMap<String, u64>,
    latency: Option<(String, Histogram<u64>)>,
}

impl Report {
    pub fn new(target: &'static str) -> Self {
        Self {
            target,
            rows: Vec::new(),
            errors: BTreeMap::new(),
            latency: None,
        }
    }

    /// Adds a figure: `key` names it in JSON, `label` in the table.
    pub fn figure(&mut self, key: &'static str, label: String, shown: String, json: Value) {
        self.rows.push(Row {
            key,
            label,
            shown,
            json,
        });
    }

    /// A count, grouped by thousands in the user's language.
    pub fn count(&mut self, messages: &Messages, key: &'static str, label: String, value: u64) {
        let shown = format::decimal(messages.lang(), &value.to_string());
        self.figure(key, label, shown, json!(value));
    }

    /// How long the run took: milliseconds shown, seconds in JSON.
    pub fn duration(&mut self, messages: &Messages, elapsed: Duration) {
        self.figure(
            "seconds",
            tr!(messages, "bench-duration"),
            format!("{} ms", elapsed.as_millis()),
            json!(elapsed.as_secs_f64()),
        );
    }

    /// A rate per second, rounded to a whole number.
    pub fn per_second(
        &mut self,
        messages: &Messages,
        key: &'static str,
        label: String,
        count: u64,
        over: Duration,
    ) {
        let rate = rate_per_second(count, over);
        let shown = format::decimal(messages.lang(), &rate.to_string());
        self.figure(key, label, shown, json!(rate));
    }

    /// A size in mebibytes with one decimal.
    pub fn mebibytes(&mut self, messages: &Messages, key: &'static str, label: String, bytes: Option<u64>) {
        let shown = bytes.map_or_else(
            || "n/a".to_owned(),
            |bytes| {
                let tenths = bytes * 10 / (1024 * 1024);
                format!(
                    "{} MiB",
                    format::decimal(messages.lang(), &format!("{}.{}", tenths / 10, tenths % 10))
                )
            },
        );
        self.figure(key, label, shown, json!(bytes));
    }

    pub fn error(&mut self, code: &str, count: u64) {
        if count > 0 {
            *self.errors.entry(code.to_owned()).or_default() += count;
        }
    }

    pub fn latency(&mut self, label: String, histogram: Histogram<u64>) {
        self.latency = Some((label, histogram));
    }

    /// Whether anything failed: an error status or a wrong number.
    pub fn failed(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn print(&self, messages: &Messages, as_json: bool) -> Result<(), CliError> {
        let lang = messages.lang();
        let percentiles: Vec<(&str, u64)> = self
            .latency
            .as_ref()
            .map(|(_, histogram)| {
                vec![
                    ("p50", histogram.value_at_quantile(0.50)),
                    ("p90", histogram.value_at_quantile(0.90)),
                    ("p99", histogram.value_at_quantile(0.99)),
                    ("p99.9", histogram.value_at_quantile(0.999)),
                    ("max", histogram.max()),
                ]
            })
            .unwrap_or_default();
        if as_json {
            let mut object = Map::new();
            object.insert("target".into(), json!(self.target));
            for row in &self.rows {
                object.insert(row.key.into(), row.json.clone());
            }
            if !percentiles.is_empty() {
                let latency: Map<String, Value> = percentiles
                    .iter()
                    .map(|(name, us)| (format!("{name}_us"), json!(us)))
                    .collect();
                object.insert("latency".into(), Value::Object(latency));
            }
            object.insert("errors".into(), json!(self.errors));
            return output::json(&Value::Object(object));
        }
        let mut rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| vec![row.label.clone(), row.shown.clone()])
            .collect();
        if let Some((label, _)) = &self.latency {
            let shown: Vec<String> = percentiles
                .iter()
                .map(|(name, us)| format!("{name} {}", milliseconds(lang, *us)))
                .collect();
            rows.push(vec![label.clone(), shown.join("  ")]);
        }
        let errors = if self.errors.is_empty() {
            "0".to_owned()
        } else {
            self.errors
                .iter()
                .map(|(code, count)| format!("{code} {count}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        rows.push(vec![bank_i18n::tr!(messages, "bench-errors"), errors]);
        for line in output::table(&rows) {
            output::line(line)?;
        }
        Ok(())
    }
}

/// Whole events per second.
pub fn rate_per_second(count: u64, over: Duration) -> u64 {
    let micros = over.as_micros().max(1);
    u64::try_from(u128::from(count) * 1_000_000 / micros).unwrap_or(u64::MAX)
}

/// Microseconds as milliseconds with three decimals, e.g. `0.412 ms`.
fn milliseconds(lang: bank_i18n::Lang, micros: u64) -> String {
    let text = format!("{}.{:03}", micros / 1_000, micros % 1_000);
    format!("{} ms", format::decimal(lang, &text))
}
