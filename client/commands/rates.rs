//! `bank rates [PAIR ...]`: the live rate feed (server streaming
//! `StreamRates`).
//!
//! Three renderings of the same stream:
//! - on a terminal, a table redrawn in place: bid, mid, ask, a coloured
//!   arrow for the last move, and a sparkline of recent mids;
//! - when piped, or on a dumb terminal that cannot move its cursor
//!   (`TERM=dumb`), one line per update;
//! - with `--json`, one JSON object per update (JSON lines).
//!
//! The server skips ticks for a reader that falls behind; the gap is always
//! shown (`skipped` in JSON, a line in piped text, `(+N)` beside the total
//! in the table's header), never hidden. `--slow DURATION` makes this reader
//! slow on purpose, to watch it happen: it reads one update per DURATION,
//! on a connection whose HTTP/2 receive window is smaller than one update
//! ([`SLOW_READER_WINDOW`]), so that the server feels the slowness within a
//! few updates and sends the latest tick each time, instead of queueing
//! megabytes of old ones in the window first.
//!
//! `--deadline DURATION` bounds the whole command with a gRPC deadline (see
//! `deadline.rs`): the feed ends with DEADLINE_EXCEEDED (exit 3), the
//! updates already shown staying on screen.
//!
//! The feed outlives its server: when the stream breaks because the server
//! went away (UNAVAILABLE, or the connection dropped), the command says so
//! and subscribes again with backoff (see `retry`), from the tick after the
//! last shown, so that the server replays what was missed; it says so too
//! when the feed is open again. On a terminal those notices are lines
//! under the table, part of the drawing, so the table stays one table
//! redrawn in place, until the feed is live again (the first update after
//! the replayed ticks); otherwise they go to standard error, except the
//! count of replayed ticks, which piped text prints among the updates,
//! where those ticks start. `--count` counts updates across
//! reconnections. Any other status ends the command.

use std::cmp::Ordering;
use std::collections::VecDeque;
use std::str::FromStr;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bank_proto::REPLAY_TICKS_HEADER;
use bank_proto::v1::{GetRateHistoryRequest, Quote, RateUpdate, StreamRatesRequest};
use prost_types::Timestamp;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use tonic::Code;
use tonic::metadata::MetadataMap;

use crate::connect::{Connection, SLOW_READER_WINDOW};
use crate::context::Context;
use crate::deadline::{Deadline, DeadlineArg};
use crate::error::{CliError, exit, is_unavailable};
use crate::format::ArgProblem;
use crate::retry::Backoff;
use bank_i18n::Messages;
use bank_i18n::tr;

use crate::{format, output, scheme, terminal};

/// Mids kept per pair for the sparkline, the most it shows; fewer are
/// shown when the terminal is narrow.
const SPARKLINE_POINTS: usize = 40;

/// Feeds of at most this many pairs start with their sparklines filled
/// from history: one history call per pair, before the first table.
const HISTORY_FILL_PAIRS: usize = 12;

/// The longest `--slow`: ten seconds between reads shows the gaps as well
/// as any longer wait, and stays well under the server's stall limit
/// (30 seconds by default), past which it would end a feed that makes no
/// room for its updates as a squatter (RESOURCE_EXHAUSTED).
const MAX_SLOW: Duration = Duration::from_secs(10);

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Pairs such as EUR/USD (price of 1 EUR in USD). None: every
    /// currency against USD.
    pairs: Vec<String>,
    /// Stop after this many updates (at least 1, counted across
    /// reconnections; without it the feed runs until Ctrl-C).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    count: Option<u32>,
    /// Replay the ticks of this last period first (e.g. 10m), then go live.
    #[arg(long, value_parser = format::duration_input, conflicts_with = "from_sequence")]
    since: Option<Duration>,
    /// Replay from this tick number first, then go live.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    from_sequence: Option<u64>,
    /// Read one update per this duration (e.g. 500ms), to watch the server
    /// skip ticks for a slow reader; at most 10s.
    #[arg(long, value_parser = slow_input)]
    slow: Option<Duration>,
    #[command(flatten)]
    deadline: DeadlineArg,
}

/// `--slow`'s value: a duration, more than zero and at most [`MAX_SLOW`].
fn slow_input(text: &str) -> Result<Duration, ArgProblem> {
    format::duration_at_most(text, MAX_SLOW)
}

pub async fn run(args: Args, context: &Context) -> Result<u8, CliError> {
    let mut target = context.target.clone();
    if args.slow.is_some() {
        target.stream_window = Some(SLOW_READER_WINDOW);
    }
    let connection = &Connection::open(&target).await?;
    let Some(deadline) = Deadline::start(args.deadline) else {
        return follow(args, context, connection, None).await;
    };
    // The server ends the feed when the deadline passes; this side ends it
    // too, should the server not (see deadline.rs).
    let outcome = tokio::select! {
        outcome = follow(args, context, connection, Some(deadline)) => outcome,
        status = deadline.expired() => Err(CliError::Status { url: connection.url.clone(), status }),
    };
    outcome.map_err(|error| deadline.explain(&connection.url, error))
}

/// Shows the feed until it ends: after `--count` updates, or with a status
/// other than an outage (after which it subscribes again).
async fn follow(
    args: Args,
    context: &Context,
    connection: &Connection,
    deadline: Option<Deadline>,
) -> Result<u8, CliError> {
    let (messages, as_json, count) = (context.messages, context.json, args.count);
    let pairs: Vec<String> = args.pairs.iter().map(|pair| format::pair_input(pair)).collect();
    let mut view = View {
        messages,
        as_json,
        live: (!as_json && terminal::can_redraw(&std::io::stdout())).then(LiveTable::new),
        previous: None,
        notices_until: None,
    };
    let mut received: u32 = 0;
    let mut backoff = Backoff::new();
    // True from losing the server until a feed opens again.
    let mut lost = false;
    // True from losing the server until the next update: the gap before
    // that update is explained by the outage, not by a slow reader.
    let mut after_outage = false;
    // The tick to start from: 0 for the present; after an outage, the one
    // after the last shown, so that the server replays what was missed.
    let mut from_sequence = match (args.from_sequence, args.since) {
        (Some(sequence), _) => sequence,
        (None, Some(since)) => tick_since(connection, &pairs, since).await?,
        (None, None) => 0,
    };
    loop {
        let request = StreamRatesRequest {
            pairs: pairs.clone(),
            // 0 asks for an endless feed (the command line refuses 0); after
            // a reconnection, only what is still owed (the server ends the
            // feed with OK after it).
            max_updates: count.map_or(0, |count| count.saturating_sub(received)),
            from_sequence,
        };
        let mut request = connection.streaming(request);
        if let Some(deadline) = &deadline {
            deadline.apply(&mut request);
        }
        let opened = connection
            .answered_with_metadata(connection.client().stream_rates(request))
            .await;
        let failure = match opened {
            // Away for longer than the server's replay window: start from
            // the present, and the gap shows.
            Err(CliError::Status { status, .. }) if lost && status.code() == Code::OutOfRange => {
                from_sequence = 0;
                continue;
            }
            Err(CliError::Status { status, .. }) => status,
            Err(other) => return Err(other),
            Ok(response) => {
                let url = std::mem::take(&mut lost).then_some(connection.url.as_str());
                view.opened(response.metadata(), from_sequence, url)?;
                let mut updates = response.into_inner();
                loop {
                    match updates.message().await {
                        Ok(Some(update)) => {
                            backoff.reset();
                            if received == 0
                                && let Some(table) = view.live.as_mut()
                            {
                                table.fill_from_history(connection, &update).await;
                            }
                            received = received.saturating_add(1);
                            view.show(&update, std::mem::take(&mut after_outage))?;
                            // The last update owed needs no wait after it.
                            if let Some(slow) = args.slow
                                && count.is_none_or(|count| received < count)
                            {
                                tokio::time::sleep(slow).await;
                            }
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
        // A plaintext feed to a TLS server breaks the way an outage does,
        // sometimes only after it opened: before the first reconnection,
        // ask the server which protocol it speaks (see scheme.rs), rather
        // than retry for ever what can never work.
        if !lost
            && let wrong @ CliError::WrongScheme { .. } =
                scheme::diagnose(connection.failed(failure.clone()), context.target.timeout).await
        {
            return Err(wrong);
        }
        after_outage = true;
        if !std::mem::replace(&mut lost, true) {
            // Said once per outage, however many attempts it takes.
            view.notice(vec![tr!(messages, "rates-reconnecting", url = connection.url)])?;
        }
        from_sequence = view.previous.map_or(0, |last| last + 1);
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

/// The tick that was in progress `since` ago, as the server counts ticks:
/// the first tick of its history from then.
async fn tick_since(connection: &Connection, pairs: &[String], since: Duration) -> Result<u64, CliError> {
    let start = SystemTime::now().checked_sub(since).unwrap_or(UNIX_EPOCH);
    let pair = pairs.first().map_or("EUR/USD", String::as_str);
    let request = super::history::one_tick(pair, start);
    let history = connection
        .answered(connection.client().get_rate_history(connection.unary(request)))
        .await?;
    Ok(history.candles.first().map_or(0, |candle| candle.first_sequence))
}

/// Where updates are shown, and the last sequence shown (to see gaps).
struct View<'a> {
    messages: &'a Messages,
    as_json: bool,
    /// The redrawn table, on a terminal.
    live: Option<LiveTable>,
    previous: Option<u64>,
    /// The first live tick after a (re)opening: the notices under the
    /// table ("connected again", "replaying N ticks") are true until then.
    notices_until: Option<u64>,
}

/// An update as `--json` writes it: the `RateUpdate`'s fields, with the
/// count of ticks this client missed (a slow reader gets the latest tick,
/// not every one) beside its sequence.
#[derive(Serialize)]
struct UpdateLine<'a> {
    sequence: u64,
    #[serde(serialize_with = "bank_proto::json::timestamp")]
    time: &'a Option<Timestamp>,
    skipped: u64,
    quotes: &'a [Quote],
}

impl View<'_> {
    /// Says that a feed opened with `from_sequence`: connected again to
    /// `reconnected` after an outage, if so, and replaying what was missed,
    /// and how much (the server says so in `bank-replay-ticks`).
    fn opened(
        &mut self,
        metadata: &MetadataMap,
        from: u64,
        reconnected: Option<&str>,
    ) -> Result<(), CliError> {
        let messages = self.messages;
        let mut notices: Vec<String> = reconnected
            .map(|url| tr!(messages, "rates-reconnected", url = url))
            .into_iter()
            .collect();
        let count = metadata
            .get(REPLAY_TICKS_HEADER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok())
            .unwrap_or(0);
        self.notices_until = Some(from.saturating_add(count));
        if count > 0 {
            let replayed = tr!(
                messages,
                "rates-replayed",
                count = count,
                count_text = format::count(messages.lang(), count),
                from = from
            );
            // The replay covers the outage: no gap to explain.
            self.previous = from.checked_sub(1).or(self.previous);
            if self.as_json || self.live.is_some() {
                notices.push(replayed);
            } else {
                // Piped text: a line among the updates, where the ticks
                // replayed start.
                self.notice(notices)?;
                return output::line(replayed);
            }
        }
        if notices.is_empty() {
            return Ok(());
        }
        self.notice(notices)
    }

    /// Says something about the connection: under the table on a terminal
    /// (replacing what was said before), else on standard error, beside
    /// output that must stay updates or JSON.
    fn notice(&mut self, lines: Vec<String>) -> Result<(), CliError> {
        if let Some(table) = self.live.as_mut() {
            return table.notify(self.messages, lines);
        }
        for line in lines {
            eprintln!("{line}");
        }
        Ok(())
    }

    /// Takes the notices from under the table once `sequence` is live
    /// again: what they said about the outage is over.
    fn end_notices_at(&mut self, sequence: u64) {
        if let Some(table) = self.live.as_mut()
            && self.notices_until.is_some_and(|live| sequence >= live)
        {
            self.notices_until = None;
            table.notices.clear();
        }
    }

    fn show(&mut self, update: &RateUpdate, after_outage: bool) -> Result<(), CliError> {
        let messages = self.messages;
        let skipped = self
            .previous
            .map_or(0, |last| update.sequence.saturating_sub(last + 1));
        self.previous = Some(update.sequence);
        if self.as_json {
            return output::json(&UpdateLine {
                sequence: update.sequence,
                time: &update.time,
                skipped,
                quotes: &update.quotes,
            });
        }
        self.end_notices_at(update.sequence);
        if let Some(table) = self.live.as_mut() {
            return table.update(messages, update, skipped);
        }
        if skipped > 0 {
            let skipped_text = format::count(messages.lang(), skipped);
            output::line(if after_outage {
                tr!(
                    messages,
                    "rates-gap-reconnected",
                    skipped = skipped,
                    skipped_text = skipped_text
                )
            } else {
                tr!(
                    messages,
                    "rates-gap",
                    skipped = skipped,
                    skipped_text = skipped_text
                )
            })?;
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
        quotes.join(format::semicolon(lang))
    )
}

/// The table redrawn in place on a terminal.
///
/// Each drawing is fitted to the terminal's size, read again before every
/// redraw so that a resize is followed: every line is cut to the width (a
/// wrapped line would take two rows and break the redraw), the sparkline
/// gets the columns left beside the table, and pairs that do not fit in
/// the height are counted on a last line instead of scrolling the table
/// into the scrollback. The cursor then only ever moves up over lines that
/// are still on screen.
///
/// Notices about the connection are part of the drawing, on lines under
/// the table: a notice redraws the table with them, so that losing the
/// server and finding it again leave one table on screen, not a copy
/// under each notice.
struct LiveTable {
    /// Recent mids per pair, in the order of the first update.
    history: Vec<(String, VecDeque<Decimal>)>,
    /// Lines drawn last time, to move the cursor back over them.
    drawn: usize,
    /// The terminal size (rows, columns) of the last drawing.
    size: Option<(u16, u16)>,
    /// Ticks skipped since the start.
    skipped_total: u64,
    /// Ticks skipped just before the update shown.
    last_gap: u64,
    colour: bool,
    /// The update on screen and how each of its mids moved: what a notice
    /// draws again.
    shown: Option<(RateUpdate, Vec<Option<Ordering>>)>,
    /// The lines under the table (lost, connected again, replaying); each
    /// notice replaces them.
    notices: Vec<String>,
}

/// The size assumed when the terminal does not say (rows, columns).
const FALLBACK_SIZE: (u16, u16) = (24, 80);

impl LiveTable {
    fn new() -> Self {
        Self {
            history: Vec::new(),
            drawn: 0,
            size: None,
            skipped_total: 0,
            last_gap: 0,
            // NO_COLOR, CLICOLOR=0: see `terminal`.
            colour: terminal::stdout_colours(),
            shown: None,
            notices: Vec::new(),
        }
    }

    /// Draws a new update.
    fn update(&mut self, messages: &Messages, update: &RateUpdate, skipped: u64) -> Result<(), CliError> {
        self.take(update, skipped);
        self.draw(messages)
    }

    /// Draws the table again with `notices` under it.
    fn notify(&mut self, messages: &Messages, notices: Vec<String>) -> Result<(), CliError> {
        self.notices = notices;
        self.draw(messages)
    }

    /// Records an update: the mids' history, the moves, the ticks skipped.
    fn take(&mut self, update: &RateUpdate, skipped: u64) {
        self.skipped_total += skipped;
        self.last_gap = skipped;
        // Every pair's history moves on, shown or not.
        let changes: Vec<Option<Ordering>> = update
            .quotes
            .iter()
            .map(|quote| self.record(&quote.pair, Decimal::from_str(&quote.mid).ok()))
            .collect();
        self.shown = Some((update.clone(), changes));
    }

    fn draw(&mut self, messages: &Messages) -> Result<(), CliError> {
        let size = console::Term::stdout().size_checked().unwrap_or(FALLBACK_SIZE);
        let lines = self.frame(messages, size);
        let mut screen = String::new();
        if self.size.is_some_and(|last| last != size) {
            // After a resize the terminal may have re-wrapped the old
            // drawing, so its height is unknown: start again at the top.
            screen.push_str("\x1b[H\x1b[2J");
        } else if self.drawn > 0 {
            // Back to the first line of the previous drawing.
            screen.push_str(&format!("\x1b[{}A", self.drawn));
        }
        for line in &lines {
            // Overwrite, then clear what is left of the old line.
            screen.push('\r');
            screen.push_str(line);
            screen.push_str("\x1b[K\n");
        }
        // Clear what is left below, if the old drawing was longer.
        screen.push_str("\x1b[J");
        self.drawn = lines.len();
        self.size = Some(size);
        output::raw(&screen)
    }

    /// The lines of one drawing for a terminal of `rows` x `columns`: the
    /// table of the update shown, then the notices.
    fn frame(&self, messages: &Messages, (rows, columns): (u16, u16)) -> Vec<String> {
        // One column is left free: a line that reaches the last column
        // leaves the cursor in a "pending wrap" state where clearing the
        // rest of the line would erase its last character.
        let width = usize::from(columns).saturating_sub(1).max(1);
        // One row is left for the cursor, below the drawing.
        let height = usize::from(rows).saturating_sub(1);
        let mut lines = match &self.shown {
            // The notices take their rows first; the header always shows.
            Some((update, changes)) => {
                let room = height.saturating_sub(self.notices.len()).max(1);
                self.table(messages, update, changes, room, width)
            }
            None => Vec::new(),
        };
        lines.extend(self.notices.iter().cloned());
        // A terminal of a line or two: the header, and what fits after it.
        lines.truncate(height.max(1));
        lines
            .into_iter()
            .map(|line| console::truncate_str(&line, width, "…").trim_end().to_owned())
            .collect()
    }

    /// The table's lines, at most `height` of them (the header always).
    fn table(
        &self,
        messages: &Messages,
        update: &RateUpdate,
        changes: &[Option<Ordering>],
        height: usize,
        width: usize,
    ) -> Vec<String> {
        let lang = messages.lang();
        // Header, column titles, the pairs; if they do not all fit, one
        // line saying how many are hidden.
        let all = update.quotes.len();
        let shown = if all + 2 <= height {
            all
        } else {
            height.saturating_sub(3)
        };
        let mut table = vec![vec![
            tr!(messages, "rates-pair"),
            tr!(messages, "rates-bid"),
            tr!(messages, "rates-mid"),
            tr!(messages, "rates-ask"),
        ]];
        table.extend(update.quotes.iter().take(shown).map(|quote| {
            vec![
                quote.pair.clone(),
                format::decimal(lang, &quote.bid),
                format::decimal(lang, &quote.mid),
                format::decimal(lang, &quote.ask),
            ]
        }));
        let table = output::table(&table);
        let table_width = table.iter().map(|line| line.chars().count()).max().unwrap_or(0);
        // Beside the table: two spaces, the arrow, a space, the sparkline.
        let points = width.saturating_sub(table_width + 4).min(SPARKLINE_POINTS);

        let header = tr!(
            messages,
            "rates-header",
            sequence = update.sequence,
            time = format::time(update.time.as_ref()),
            skipped = match self.last_gap {
                0 => format::count(lang, self.skipped_total),
                // The gap just before this update, beside the total.
                gap => format!(
                    "{} (+{})",
                    format::count(lang, self.skipped_total),
                    format::count(lang, gap)
                ),
            },
        );
        let with_hint = format!("{header} · {}", tr!(messages, "rates-stop-hint"));
        let mut lines = vec![if fits(&with_hint, width) {
            with_hint
        } else {
            header
        }];
        let mut table = table.into_iter();
        // Column titles, unless no pair is left to title.
        lines.extend(table.next().filter(|_| shown > 0));
        for ((line, quote), change) in table.zip(&update.quotes).zip(changes) {
            let arrow = match change {
                Some(Ordering::Greater) => paint(self.colour, "32", "▲"),
                Some(Ordering::Less) => paint(self.colour, "31", "▼"),
                _ => " ".to_owned(),
            };
            let trend = self
                .history
                .iter()
                .find(|(pair, _)| *pair == quote.pair)
                .map_or_else(String::new, |(_, mids)| sparkline(mids, points));
            lines.push(format!("{line:<table_width$}  {arrow} {trend}"));
        }
        if shown < all {
            lines.push(tr!(messages, "rates-hidden", count = all - shown));
        }
        lines.truncate(height);
        lines
    }

    /// Fills the sparklines of the first update's pairs from the server's
    /// history of the two minutes before it, so that they do not start
    /// empty. The period is counted back from the update's own tick, the
    /// server's time, so a client clock that differs does not matter. Best
    /// effort: a server without history leaves them empty, as before; a
    /// feed of more than [`HISTORY_FILL_PAIRS`] pairs is not filled.
    async fn fill_from_history(&mut self, connection: &Connection, update: &RateUpdate) {
        let Some(end) = update.time.and_then(|time| SystemTime::try_from(time).ok()) else {
            return;
        };
        if update.quotes.len() > HISTORY_FILL_PAIRS {
            return;
        }
        for quote in &update.quotes {
            let pair = &quote.pair;
            let request = GetRateHistoryRequest {
                pair: pair.clone(),
                start_time: Some((end - Duration::from_secs(120)).into()),
                // Excluded: the update itself brings its tick.
                end_time: Some(end.into()),
                interval: None,
            };
            let Ok(history) = connection
                .answered(connection.client().get_rate_history(connection.unary(request)))
                .await
            else {
                return;
            };
            let candles = &history.candles;
            let recent = &candles[candles.len().saturating_sub(SPARKLINE_POINTS - 1)..];
            for candle in recent {
                self.record(pair, Decimal::from_str_exact(&candle.close).ok());
            }
        }
    }

    /// Adds a mid to the history of `pair`; returns how it compares with
    /// the one before, if both are known.
    fn record(&mut self, pair: &str, mid: Option<Decimal>) -> Option<Ordering> {
        let position = match self.history.iter().position(|(known, _)| known == pair) {
            Some(position) => position,
            None => {
                self.history
                    .push((pair.to_owned(), VecDeque::with_capacity(SPARKLINE_POINTS)));
                self.history.len() - 1
            }
        };
        let history = &mut self.history[position].1;
        let mid = mid?;
        let change = history.back().map(|last| mid.cmp(last));
        if history.len() == SPARKLINE_POINTS {
            history.pop_front();
        }
        history.push_back(mid);
        change
    }
}

/// Whether `line` fits in `width` columns.
fn fits(line: &str, width: usize) -> bool {
    console::measure_text_width(line) <= width
}

fn paint(colour: bool, code: &str, text: &str) -> String {
    if colour {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// The last `points` values as block characters, from the lowest to the
/// highest of those shown.
fn sparkline(values: &VecDeque<Decimal>, points: usize) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let shown = values.range(values.len().saturating_sub(points)..);
    let (Some(low), Some(high)) = (shown.clone().min(), shown.clone().max()) else {
        return String::new();
    };
    let span = *high - *low;
    shown
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
    use bank_i18n::Lang;

    #[test]
    fn sparkline_spans_the_shown_window_from_lowest_to_highest() {
        let values: VecDeque<Decimal> = [1, 2, 3, 8].into_iter().map(Decimal::from).collect();
        assert_eq!(sparkline(&values, 40), "▁▂▃█");
        assert_eq!(sparkline(&values, 2), "▁█", "only the latest, rescaled");
        assert_eq!(sparkline(&values, 0), "");
        let flat: VecDeque<Decimal> = [5, 5].into_iter().map(Decimal::from).collect();
        assert_eq!(sparkline(&flat, 40), "▄▄");
    }

    fn quote(pair: &str, mid: &str) -> bank_proto::v1::Quote {
        bank_proto::v1::Quote {
            pair: pair.into(),
            bid: "1234.0000001".into(),
            mid: mid.into(),
            ask: "1234.0000003".into(),
        }
    }

    fn update(sequence: u64, pairs: usize, mid: &str) -> RateUpdate {
        RateUpdate {
            sequence,
            time: None,
            quotes: (0..pairs).map(|n| quote(&format!("P{n:02}/USD"), mid)).collect(),
        }
    }

    #[test]
    fn a_frame_fits_the_terminal_and_says_what_it_hides() {
        for lang in Lang::ALL {
            let messages = Messages::new(lang);
            let mut table = LiveTable::new();
            table.colour = false;
            for (sequence, mid) in (1_790_000_000..).zip(["1.1", "1.2", "1.0", "1.3"]) {
                table.take(&update(sequence, 47, mid), 0);
                for (rows, columns) in [(24, 80), (10, 40), (3, 20), (50, 200), (2, 10)] {
                    let lines = table.frame(&messages, (rows, columns));
                    assert!(
                        lines.len() < usize::from(rows),
                        "{lang:?} {rows}x{columns}: {lines:#?}"
                    );
                    for line in &lines {
                        assert!(console::measure_text_width(line) < usize::from(columns), "{line}");
                    }
                }
            }
            table.take(&update(1, 47, "1.4"), 0);
            let lines = table.frame(&messages, (24, 80));
            let hidden = lines.last().expect("a last line");
            assert!(hidden.contains("27"), "47 pairs, 20 shown: {hidden}");
            table.take(&update(1, 3, "1.5"), 0);
            let wide = table.frame(&messages, (50, 200));
            assert!(wide[0].contains("Ctrl-C"), "the hint fits: {}", wide[0]);
            assert_eq!(wide.len(), 5, "header, titles, three pairs: {wide:#?}");
        }
    }

    #[test]
    fn the_sparkline_takes_the_columns_left_beside_the_table() {
        let messages = Messages::new(Lang::En);
        let mut table = LiveTable::new();
        table.colour = false;
        let mids = ["1.1", "1.2", "1.0", "1.3", "1.25"];
        let mut lines = Vec::new();
        for (sequence, mid) in (1..).zip(mids) {
            table.take(&update(sequence, 1, mid), 0);
            lines = table.frame(&messages, (24, 200));
        }
        let row = &lines[2];
        assert!(row.ends_with("▼ ▃▆▁█▇"), "{row}");
        // The table is 42 columns wide: 49 usable leave 3 for the sparkline.
        table.take(&update(6, 1, "1.3"), 0);
        let narrow = table.frame(&messages, (24, 50));
        let row = &narrow[2];
        assert_eq!(console::measure_text_width(row), 49, "{row}");
        assert!(row.ends_with("▲ █▁█"), "the latest three mids, rescaled: {row}");
    }

    #[test]
    fn the_notices_of_an_outage_last_until_the_feed_is_live_again() {
        let messages = Messages::new(Lang::En);
        let mut view = View {
            messages: &messages,
            as_json: false,
            live: Some(LiveTable::new()),
            previous: None,
            // Reopened from tick 10 with 2 ticks to replay: live from 12.
            notices_until: Some(12),
        };
        let notices = |view: &View<'_>| view.live.as_ref().map_or(0, |table| table.notices.len());
        if let Some(table) = view.live.as_mut() {
            table.notices = vec!["back".to_owned(), "replaying 2 ticks".to_owned()];
        }
        view.end_notices_at(10);
        view.end_notices_at(11);
        assert_eq!(notices(&view), 2, "still replaying");
        view.end_notices_at(12);
        assert_eq!(notices(&view), 0, "live again");
    }

    #[test]
    fn notices_are_lines_under_the_table_and_the_table_makes_room_for_them() {
        let messages = Messages::new(Lang::En);
        let mut table = LiveTable::new();
        table.colour = false;
        table.take(&update(1, 47, "1.1"), 0);
        let plain = table.frame(&messages, (24, 80));
        table.notices = vec!["lost".to_owned()];
        let lost = table.frame(&messages, (24, 80));
        assert_eq!(lost.len(), plain.len(), "the same height: {lost:#?}");
        assert_eq!(lost.last().map(String::as_str), Some("lost"));
        assert!(lost[lost.len() - 2].contains("more pairs"), "{lost:#?}");
        table.notices = vec!["back".to_owned(), "replaying".to_owned()];
        let back = table.frame(&messages, (24, 80));
        assert_eq!(back.len(), plain.len(), "{back:#?}");
        assert_eq!(
            back[back.len() - 2..],
            ["back", "replaying"],
            "replaced, not added"
        );
        assert!(back[0].starts_with("Tick #1 "), "one header, on top: {back:#?}");

        let mut empty = LiveTable::new();
        empty.notices = vec!["lost".to_owned()];
        assert_eq!(empty.frame(&messages, (24, 80)), ["lost"], "no update yet");
    }

    #[test]
    fn plain_lines_are_localized() {
        let update = RateUpdate {
            sequence: 7,
            time: None,
            quotes: vec![bank_proto::v1::Quote {
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
