//! `bank history PAIR`: the candles of a pair over a past period (unary
//! `GetRateHistory`).
//!
//! The server computes the candles from the ticks themselves, so they are
//! exact: `open` and `close` are the mids of a candle's first and last
//! tick, `high` and `low` the highest and lowest mid of every tick in it,
//! the very strings the feed published. The period defaults to the last
//! hour, and the interval to what fits the terminal's width, rounded up to
//! whole ticks (the first call asks the server how long a tick is).
//!
//! On a terminal the candles are drawn as a chart (ratatui's, rendered into
//! a buffer and written out like any other lines), with the period's open,
//! high, low, close and change beneath; on a pipe they are
//! CSV, one candle a row; with `--json`, one JSON object a line.

use std::io::IsTerminal;
use std::time::{Duration, SystemTime};

use bank_i18n::{Messages, tr};
use bank_proto::v1::{Candle, GetRateHistoryRequest, GetRateHistoryResponse};
use prost_types::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Widget};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::connect::Connection;
use crate::context::Context;
use crate::error::{CliError, exit};
use crate::{format, output};

/// Rows of the chart on a terminal: room for the candles' shape, and the
/// summary and the prompt still fit on a 24-row screen.
const CHART_ROWS: u16 = 16;

/// Columns the chart's vertical axis and its labels take.
const AXIS_COLUMNS: usize = 14;

/// Candles when the width is unknown (a pipe): one per minute of an hour.
const DEFAULT_CANDLES: u64 = 60;

/// The vertical resolution of the chart, in steps: prices are placed on
/// this integer scale in exact decimals, and only the screen position is
/// handed to the chart.
const CHART_STEPS: u32 = 10_000;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pair, e.g. EUR/USD.
    pair: String,
    /// Start of the period: RFC 3339, or a duration ago such as 90m or 7d
    /// (default: an hour ago).
    #[arg(long, value_parser = format::instant_input)]
    from: Option<SystemTime>,
    /// End of the period, excluded (default: now).
    #[arg(long, value_parser = format::instant_input)]
    to: Option<SystemTime>,
    /// Length of a candle, e.g. 1m or 1h (default: what fits the width).
    #[arg(long, value_parser = format::duration_input)]
    interval: Option<Duration>,
}

pub async fn run(args: Args, context: &Context) -> Result<u8, CliError> {
    let (messages, as_json) = (context.messages, context.json);
    let connection = context.connect().await?;
    let pair = format::pair_input(&args.pair);
    let from = args
        .from
        .unwrap_or_else(|| SystemTime::now() - Duration::from_secs(3_600));
    let terminal = !as_json && std::io::stdout().is_terminal();
    let interval = match args.interval {
        Some(interval) => interval,
        None => {
            let candles = if terminal {
                (terminal_width().saturating_sub(AXIS_COLUMNS) as u64).clamp(10, 400)
            } else {
                DEFAULT_CANDLES
            };
            fitting_interval(&connection, &pair, from, args.to, candles).await?
        }
    };
    let request = GetRateHistoryRequest {
        pair: pair.clone(),
        start_time: Some(from.into()),
        end_time: args.to.map(Timestamp::from),
        interval: prost_types::Duration::try_from(interval).ok(),
    };
    let history = connection
        .answered(connection.client().get_rate_history(connection.unary(request)))
        .await?;

    if as_json {
        for candle in &history.candles {
            output::json(candle)?;
        }
    } else if terminal {
        draw(messages, &history)?;
    } else {
        write_csv(&history)?;
    }
    Ok(exit::SUCCESS)
}

/// The interval that gives about `candles` candles over the period, in
/// whole ticks of the server (asked with a one-tick history request).
async fn fitting_interval(
    connection: &Connection,
    pair: &str,
    from: SystemTime,
    to: Option<SystemTime>,
    candles: u64,
) -> Result<Duration, CliError> {
    let tick = connection
        .answered(
            connection
                .client()
                .get_rate_history(connection.unary(one_tick(pair, from))),
        )
        .await?
        .tick
        .and_then(|tick| Duration::try_from(tick).ok())
        .filter(|tick| !tick.is_zero())
        .unwrap_or(Duration::from_secs(1));
    let period = to
        .unwrap_or_else(SystemTime::now)
        .duration_since(from)
        .unwrap_or(Duration::ZERO);
    Ok(whole_ticks(period, candles, tick))
}

/// A history request for the one tick that contains `at`: how a client
/// learns the server's tick length (`tick`) and the sequence of an instant
/// (its candle's `first_sequence`), in the server's own terms.
pub(crate) fn one_tick(pair: &str, at: SystemTime) -> GetRateHistoryRequest {
    GetRateHistoryRequest {
        pair: pair.to_owned(),
        start_time: Some(at.into()),
        // One millisecond: one tick.
        end_time: Some((at + Duration::from_millis(1)).into()),
        interval: None,
    }
}

/// `period / candles`, rounded up to a whole number of ticks (at least one).
fn whole_ticks(period: Duration, candles: u64, tick: Duration) -> Duration {
    let ticks = period.as_nanos().div_ceil(tick.as_nanos().max(1));
    let per_candle = ticks.div_ceil(u128::from(candles.max(1))).max(1);
    tick.saturating_mul(u32::try_from(per_candle).unwrap_or(u32::MAX))
}

/// One candle a row, with a header: machine-readable, the same in every
/// language (decimal points, RFC 3339 times).
fn write_csv(history: &GetRateHistoryResponse) -> Result<(), CliError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "time",
        "first_sequence",
        "last_sequence",
        "open",
        "high",
        "low",
        "close",
    ];
    let mut rows = vec![header.map(str::to_owned).to_vec()];
    rows.extend(history.candles.iter().map(|candle| {
        vec![
            format::time(candle.time.as_ref()),
            candle.first_sequence.to_string(),
            candle.last_sequence.to_string(),
            candle.open.clone(),
            candle.high.clone(),
            candle.low.clone(),
            candle.close.clone(),
        ]
    }));
    for row in rows {
        out.write_record(&row)
            .map_err(|error| CliError::Output(error.into()))?;
    }
    let bytes = out
        .into_inner()
        .map_err(|error| CliError::Output(error.into_error()))?;
    output::raw(&String::from_utf8_lossy(&bytes))
}

/// The period as a person reads it: open, high, low, close and change.
struct Summary {
    open: Decimal,
    high: Decimal,
    low: Decimal,
    close: Decimal,
}

impl Summary {
    fn of(candles: &[Candle]) -> Option<Self> {
        let decimal = |text: &str| Decimal::from_str_exact(text).ok();
        let open = decimal(&candles.first()?.open)?;
        let close = decimal(&candles.last()?.close)?;
        let highs = candles.iter().filter_map(|candle| decimal(&candle.high));
        let lows = candles.iter().filter_map(|candle| decimal(&candle.low));
        Some(Self {
            open,
            high: highs.max()?,
            low: lows.min()?,
            close,
        })
    }

    /// The change over the period, and in percent of the open, rounded
    /// once, half to even, to two decimals.
    fn change(&self) -> (Decimal, Decimal) {
        let change = self.close - self.open;
        let percent = (change * Decimal::ONE_HUNDRED)
            .checked_div(self.open)
            .unwrap_or_default()
            .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
        (change, percent)
    }

    fn line(&self, messages: &Messages, pair: &str, count: usize) -> String {
        let lang = messages.lang();
        let (change, percent) = self.change();
        let signed = |value: Decimal| {
            let text = format::decimal(lang, &value.to_string());
            if value.is_sign_positive() && !value.is_zero() {
                format!("+{text}")
            } else {
                text
            }
        };
        tr!(
            messages,
            "history-summary",
            pair = pair,
            candles = count,
            open = format::decimal(lang, &self.open.to_string()),
            high = format::decimal(lang, &self.high.to_string()),
            low = format::decimal(lang, &self.low.to_string()),
            close = format::decimal(lang, &self.close.to_string()),
            change = signed(change),
            percent = signed(percent)
        )
    }
}

/// The chart of the candles, drawn in place below the cursor, then the
/// summary beneath.
fn draw(messages: &Messages, history: &GetRateHistoryResponse) -> Result<(), CliError> {
    let Some(summary) = Summary::of(&history.candles) else {
        return output::line(tr!(messages, "history-empty"));
    };
    let lang = messages.lang();
    let scale = Scale {
        low: summary.low,
        high: summary.high,
    };
    // Per candle: its wick (low to high) and its body (open to close), in
    // screen steps, and whether it rose.
    let shapes: Vec<Shape> = history
        .candles
        .iter()
        .enumerate()
        .filter_map(|(index, candle)| {
            let x = f64::from(u32::try_from(index).ok()?);
            let [open, high, low, close] =
                [&candle.open, &candle.high, &candle.low, &candle.close].map(|text| scale.step(text));
            let (open, close) = (open?, close?);
            Some(Shape {
                wick: [(x, low?), (x, high?)],
                body: [(x, open), (x, close)],
                // Steps grow with the price: compared as numbers, not text.
                rose: close >= open,
            })
        })
        .collect();
    let colour = |rose: bool| Style::default().fg(if rose { Color::Green } else { Color::Red });
    let datasets: Vec<Dataset> = shapes
        .iter()
        .flat_map(|shape| {
            [
                Dataset::default()
                    .marker(Marker::Braille)
                    .graph_type(GraphType::Line)
                    .style(colour(shape.rose))
                    .data(&shape.wick),
                Dataset::default()
                    .marker(Marker::HalfBlock)
                    .graph_type(GraphType::Line)
                    .style(colour(shape.rose))
                    .data(&shape.body),
            ]
        })
        .collect();
    let first = history.candles.first().and_then(|candle| candle.time.as_ref());
    let last = history.candles.last().and_then(|candle| candle.time.as_ref());
    let chart = Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds([0.0, f64::from(u32::try_from(shapes.len()).unwrap_or(u32::MAX))])
                .labels([format::time(first), format::time(last)]),
        )
        .y_axis(Axis::default().bounds([0.0, f64::from(CHART_STEPS)]).labels([
            format::decimal(lang, &summary.low.to_string()),
            format::decimal(lang, &summary.high.to_string()),
        ]));
    // Drawn into a buffer the width of the terminal, then written out
    // line by line below the cursor: no full-screen mode, no cursor query,
    // so the chart stays in the scrollback like any other output.
    let area = Rect::new(
        0,
        0,
        u16::try_from(terminal_width()).unwrap_or(u16::MAX),
        CHART_ROWS,
    );
    let mut buffer = Buffer::empty(area);
    chart.render(area, &mut buffer);
    for y in area.top()..area.bottom() {
        let line: String = (area.left()..area.right())
            .map(|x| {
                let cell = &buffer[(x, y)];
                match cell.fg {
                    Color::Green => console::style(cell.symbol()).green().to_string(),
                    Color::Red => console::style(cell.symbol()).red().to_string(),
                    _ => cell.symbol().to_owned(),
                }
            })
            .collect();
        output::line(line.trim_end())?;
    }
    output::line("")?;
    output::line(summary.line(messages, &history.pair, history.candles.len()))
}

/// One candle on the chart, in screen coordinates: its wick from low to
/// high, its body from open to close, and whether it rose (green) or fell
/// (red).
struct Shape {
    wick: [(f64, f64); 2],
    body: [(f64, f64); 2],
    rose: bool,
}

/// Prices placed on the chart's integer scale, in exact decimals.
struct Scale {
    low: Decimal,
    high: Decimal,
}

impl Scale {
    /// The screen position of a price: `0` at the period's low,
    /// [`CHART_STEPS`] at its high. Only this integer reaches the chart.
    fn step(&self, text: &str) -> Option<f64> {
        let price = Decimal::from_str_exact(text).ok()?;
        let span = self.high - self.low;
        let step = if span.is_zero() {
            CHART_STEPS / 2
        } else {
            ((price - self.low) * Decimal::from(CHART_STEPS) / span)
                .round()
                .to_u32()?
        };
        Some(f64::from(step.min(CHART_STEPS)))
    }
}

fn terminal_width() -> usize {
    console::Term::stdout()
        .size_checked()
        .map_or(80, |(_, columns)| usize::from(columns))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bank_i18n::Lang;

    #[test]
    fn the_interval_is_rounded_up_to_whole_ticks() {
        let hour = Duration::from_secs(3_600);
        assert_eq!(
            whole_ticks(hour, 60, Duration::from_secs(1)),
            Duration::from_secs(60)
        );
        assert_eq!(
            whole_ticks(hour, 70, Duration::from_secs(1)),
            Duration::from_secs(52)
        );
        assert_eq!(
            whole_ticks(hour, 60, Duration::from_secs(45)),
            Duration::from_secs(90)
        );
        assert_eq!(
            whole_ticks(Duration::ZERO, 60, Duration::from_millis(250)),
            Duration::from_millis(250)
        );
    }

    fn candle(open: &str, high: &str, low: &str, close: &str) -> Candle {
        Candle {
            time: None,
            first_sequence: 0,
            last_sequence: 0,
            open: open.into(),
            high: high.into(),
            low: low.into(),
            close: close.into(),
        }
    }

    #[test]
    fn the_summary_spans_every_candle_and_rounds_the_change_once() {
        let candles = [
            candle("1.0800", "1.0850", "1.0790", "1.0820"),
            candle("1.0820", "1.0900", "1.0700", "1.0881"),
        ];
        let summary = Summary::of(&candles).expect("a summary");
        assert_eq!(summary.high.to_string(), "1.0900");
        assert_eq!(summary.low.to_string(), "1.0700");
        let (change, percent) = summary.change();
        assert_eq!(
            (change.to_string(), percent.to_string()),
            ("0.0081".into(), "0.75".into())
        );
        let french = summary.line(Messages::of(Lang::Fr), "EUR/USD", 2);
        assert!(french.contains("+0,75"), "{french}");
    }

    #[test]
    fn prices_are_placed_on_the_integer_scale_from_low_to_high() {
        let scale = Scale {
            low: Decimal::from_str_exact("1.0700").expect("decimal"),
            high: Decimal::from_str_exact("1.0900").expect("decimal"),
        };
        assert_eq!(scale.step("1.0700"), Some(0.0));
        assert_eq!(scale.step("1.0900"), Some(f64::from(CHART_STEPS)));
        assert_eq!(scale.step("1.0800"), Some(f64::from(CHART_STEPS / 2)));
    }
}
