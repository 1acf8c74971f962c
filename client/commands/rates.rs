//! `bank rates [PAIR ...]`: the live rate feed (server streaming
//! `StreamRates`).
//!
//! Three renderings of the same stream:
//! - on a terminal, a table redrawn in place: bid, mid, ask, a coloured
//!   arrow for the last move, and a sparkline of recent mids;
//! - when piped, one line per update;
//! - with `--json`, one JSON object per update (JSON lines).
//!
//! The server skips ticks for a reader that falls behind; the gap is always
//! shown (`skipped` in JSON), never hidden.
//!
//! The feed outlives its server: when the stream breaks because the server
//! went away (UNAVAILABLE, or the connection dropped), the command says so
//! on standard error and subscribes again with backoff (see `retry`); the
//! ticks missed meanwhile show as a gap like any other. `--count` counts
//! updates across reconnections. Any other status ends the command.

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::str::FromStr;

use bank_service::proto::v1::{RateUpdate, StreamRatesRequest};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::json;

use crate::commands::quote_json;
use crate::connect::Connection;
use crate::error::{CliError, exit, is_unavailable};
use crate::retry::Backoff;
use bank_service::i18n::Messages;
use bank_service::tr;

use crate::{format, output};

/// Mids kept per pair for the sparkline: one terminal line's worth.
const SPARKLINE_POINTS: usize = 40;

pub async fn run(
    connection: &Connection,
    messages: &Messages,
    as_json: bool,
    pairs: Vec<String>,
    count: Option<u32>,
) -> Result<u8, CliError> {
    let pairs: Vec<String> = pairs.iter().map(|pair| format::pair_input(pair)).collect();
    // `--count 0` is the same as no count: an endless feed.
    let count = count.filter(|&count| count > 0);
    let mut view = View {
        messages,
        as_json,
        live: (!as_json && std::io::stdout().is_terminal()).then(LiveTable::new),
        previous: None,
    };
    let mut received: u32 = 0;
    let mut backoff = Backoff::new();
    // True from losing the server until the next update: the gap before
    // that update is explained by the outage, not by a slow reader.
    let mut lost = false;

    loop {
        let request = StreamRatesRequest {
            pairs: pairs.clone(),
            // 0 asks for an endless feed; after a reconnection, only what
            // is still owed (the server ends the feed with OK after it).
            max_updates: count.map_or(0, |count| count.saturating_sub(received)),
        };
        let failure = match connection
            .client()
            .stream_rates(connection.streaming(request))
            .await
        {
            Err(status) => status,
            Ok(response) => {
                let mut updates = response.into_inner();
                loop {
                    match updates.message().await {
                        Ok(Some(update)) => {
                            backoff.reset();
                            received = received.saturating_add(1);
                            view.show(&update, std::mem::take(&mut lost))?;
                        }
                        Ok(None) => return Ok(exit::SUCCESS),
                        Err(status) => break status,
                    }
                }
            }
        };
        if !is_unavailable(&failure) {
            return Err(connection.failed(failure));
        }
        if !std::mem::replace(&mut lost, true) {
            // Said once per outage, however many attempts it takes.
            eprintln!("{}", tr!(messages, "rates-reconnecting", url = connection.url));
            if let Some(table) = view.live.as_mut() {
                // The notice moved the cursor: draw the next table below it.
                table.drawn = 0;
            }
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

/// Where updates are shown, and the last sequence shown (to see gaps).
struct View<'a> {
    messages: &'a Messages,
    as_json: bool,
    /// The redrawn table, on a terminal.
    live: Option<LiveTable>,
    previous: Option<u64>,
}

impl View<'_> {
    fn show(&mut self, update: &RateUpdate, after_outage: bool) -> Result<(), CliError> {
        let messages = self.messages;
        let skipped = self
            .previous
            .map_or(0, |last| update.sequence.saturating_sub(last + 1));
        self.previous = Some(update.sequence);
        if self.as_json {
            return output::json(&json!({
                "sequence": update.sequence,
                "time": format::time(update.time.as_ref()),
                "skipped": skipped,
                "quotes": update.quotes.iter().map(quote_json).collect::<Vec<_>>(),
            }));
        }
        if let Some(table) = self.live.as_mut() {
            return table.draw(messages, update, skipped);
        }
        if skipped > 0 && after_outage {
            output::line(tr!(messages, "rates-gap-reconnected", skipped = skipped))?;
        } else if skipped > 0 {
            output::line(tr!(messages, "rates-gap", skipped = skipped))?;
        }
        output::line(plain_line(messages, update))
    }
}

/// One update on one line, for pipes and logs.
fn plain_line(messages: &Messages, update: &RateUpdate) -> String {
    let lang = messages.lang();
    let quotes: Vec<String> = update
        .quotes
        .iter()
        .map(|quote| {
            tr!(
                messages,
                "rates-quote",
                pair = quote.pair,
                bid = format::decimal(lang, &quote.bid),
                mid = format::decimal(lang, &quote.mid),
                ask = format::decimal(lang, &quote.ask),
            )
        })
        .collect();
    format!(
        "#{} {}  {}",
        update.sequence,
        format::time(update.time.as_ref()),
        quotes.join("; ")
    )
}

/// The table redrawn in place on a terminal.
struct LiveTable {
    /// Recent mids per pair, in the order of the first update.
    history: Vec<(String, VecDeque<Decimal>)>,
    /// Lines drawn last time, to move the cursor back over them.
    drawn: usize,
    /// Ticks skipped since the start.
    skipped_total: u64,
    colour: bool,
}

impl LiveTable {
    fn new() -> Self {
        Self {
            history: Vec::new(),
            drawn: 0,
            skipped_total: 0,
            // https://no-color.org
            colour: std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()),
        }
    }

    fn draw(&mut self, messages: &Messages, update: &RateUpdate, skipped: u64) -> Result<(), CliError> {
        let lang = messages.lang();
        self.skipped_total += skipped;
        let mut rows = vec![vec![
            tr!(messages, "rates-pair"),
            tr!(messages, "rates-bid"),
            tr!(messages, "rates-mid"),
            tr!(messages, "rates-ask"),
        ]];
        let mut trends = vec![String::new()];
        for quote in &update.quotes {
            let mid = Decimal::from_str(&quote.mid).ok();
            let history = self.history_of(&quote.pair);
            let arrow = match (history.back(), mid) {
                (Some(last), Some(now)) if now > *last => paint(self.colour, "32", "▲"),
                (Some(last), Some(now)) if now < *last => paint(self.colour, "31", "▼"),
                _ => " ".to_owned(),
            };
            let history = self.history_of(&quote.pair);
            if let Some(mid) = mid {
                if history.len() == SPARKLINE_POINTS {
                    history.pop_front();
                }
                history.push_back(mid);
            }
            trends.push(format!("{arrow} {}", sparkline(history)));
            rows.push(vec![
                quote.pair.clone(),
                format::decimal(lang, &quote.bid),
                format::decimal(lang, &quote.mid),
                format::decimal(lang, &quote.ask),
            ]);
        }

        let mut lines = vec![tr!(
            messages,
            "rates-header",
            sequence = update.sequence,
            time = format::time(update.time.as_ref()),
            skipped = self.skipped_total,
        )];
        lines.extend(
            output::table(&rows)
                .into_iter()
                .zip(trends)
                .map(|(row, trend)| format!("{row}  {trend}")),
        );

        let mut screen = String::new();
        if self.drawn > 0 {
            // Back to the first line of the previous drawing.
            screen.push_str(&format!("\x1b[{}A", self.drawn));
        }
        for line in &lines {
            screen.push_str("\r\x1b[2K");
            screen.push_str(line);
            screen.push('\n');
        }
        self.drawn = lines.len();
        output::raw(&screen)
    }

    fn history_of(&mut self, pair: &str) -> &mut VecDeque<Decimal> {
        let position = match self.history.iter().position(|(known, _)| known == pair) {
            Some(position) => position,
            None => {
                self.history
                    .push((pair.to_owned(), VecDeque::with_capacity(SPARKLINE_POINTS)));
                self.history.len() - 1
            }
        };
        &mut self.history[position].1
    }
}

fn paint(colour: bool, code: &str, text: &str) -> String {
    if colour {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Recent values as block characters, lowest to highest of the window.
fn sparkline(values: &VecDeque<Decimal>) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (Some(low), Some(high)) = (values.iter().min(), values.iter().max()) else {
        return String::new();
    };
    let span = *high - *low;
    values
        .iter()
        .map(|value| {
            if span.is_zero() {
                return BLOCKS[3];
            }
            let level = ((*value - *low) * Decimal::from(7) / span)
                .round()
                .to_usize()
                .unwrap_or(0);
            BLOCKS[level.min(7)]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bank_service::i18n::Lang;

    #[test]
    fn sparkline_spans_the_window_from_lowest_to_highest() {
        let values: VecDeque<Decimal> = [1, 2, 3, 8].into_iter().map(Decimal::from).collect();
        assert_eq!(sparkline(&values), "▁▂▃█");
        let flat: VecDeque<Decimal> = [5, 5].into_iter().map(Decimal::from).collect();
        assert_eq!(sparkline(&flat), "▄▄");
    }

    #[test]
    fn plain_lines_are_localized() {
        let update = RateUpdate {
            sequence: 7,
            time: None,
            quotes: vec![bank_service::proto::v1::Quote {
                pair: "EUR/USD".into(),
                bid: "1.1".into(),
                mid: "1.2".into(),
                ask: "1.3".into(),
            }],
        };
        let french = plain_line(&Messages::new(Lang::Fr), &update);
        assert!(french.contains("1,2"), "{french}");
    }
}
