// The charts under the board: one per pair, its past from GetRateHistory
// (unary), its present from the board's StreamRates feed, in candles of
// the interval the reader chose.
//
// Lifecycle, at each Watch: the board asks `loadHistory` before it opens
// its feed. The charts of the previous feed go; one figure per pair comes,
// and the history of every pair is fetched up to the same tick L: the
// first answer gives L (the tick in progress) and the server's tick
// length, the other pairs ask for the period ending just after L. The
// board then opens StreamRates with `from_sequence` = L + 1: the server
// replays any tick that started meanwhile and goes on live, so not one
// tick is lost or counted twice between history and feed. Every update is
// folded into the charts; a gap in the sequence (a tick the feed skipped
// for a slow reader) is drawn as a band and counted in the caption.
//
// The DOM contract (the browser tests read it): one
// `<figure class="chart" data-pair="EUR/USD">` per pair, whose attributes
// `data-history` (candles from GetRateHistory), `data-history-last-sequence`,
// `data-live` (updates folded in), `data-first-live-sequence` and
// `data-skipped` (ticks missed) follow every change.
import { durationMs, timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { ConnectError } from "@connectrpc/connect";
import type { RateUpdate } from "./gen/bank/v1/bank_pb.js";
import { type Candle, CandleSeries, fromWire } from "./candles.js";
import { CandleChart } from "./chart.js";
import { $, element } from "./dom.js";
import { formatDuration, formatInstant } from "./formats.js";
import { onLanguageChange, t } from "./i18n.js";
import { bank, describe } from "./rpc.js";
import { about, serverNowMs } from "./server.js";
import { beforeWatch, onUpdate, typedPairs, watch, watching } from "./board.js";

/** Candles asked for and kept per chart: enough to see a trend, few enough to tell candles apart on a phone. */
const SHOWN_CANDLES = 60;
/** The tick length assumed until the server gives its own: the server's default. */
const ASSUMED_TICK_MS = 1_000;

/** The server's tick length, once an answer has told it. */
let tickMs: number | undefined;

/** One pair's figure and what it holds. */
interface PairChart {
  pair: string;
  figure: HTMLElement;
  caption: HTMLElement;
  series?: CandleSeries;
  chart?: CandleChart;
  /** What the caption says when there is no chart: loading, or why the
   * history failed, with the failed call to make again after a language
   * switch (the server words its errors in the language of the call). */
  problem?: { kind: "loading" } | { kind: "failed"; reason: string; again: () => HistoryCall; interval: bigint };
  live: number;
}

let charts: PairChart[] = [];

/** The candle length the reader chose, in ticks. */
function intervalTicks(): bigint {
  return BigInt($<HTMLSelectElement>("interval").value);
}

/**
 * The start of the history: SHOWN_CANDLES whole candles ending with the one
 * holding tick `current`.
 */
function historyStartMs(current: bigint, interval: bigint, tick: number): number {
  const firstCandle = current / interval - BigInt(SHOWN_CANDLES - 1);
  return firstCandle > 0n ? Number(firstCandle * interval) * tick : 0;
}

type HistoryCall = ReturnType<typeof bank.getRateHistory>;

function history(pair: string, startMs: number, endMs: number | undefined, interval: bigint, signal: AbortSignal): HistoryCall {
  return bank.getRateHistory(
    {
      pair,
      startTime: timestampFromMs(startMs),
      endTime: endMs === undefined ? undefined : timestampFromMs(endMs),
      interval: durationOf(interval),
    },
    { signal },
  );
}

/** An interval of `ticks` ticks as a Duration; unset, which the server reads as one tick, while the tick is unknown. */
function durationOf(ticks: bigint) {
  if (ticks === 1n || tickMs === undefined) return undefined;
  const ms = BigInt(tickMs) * ticks;
  return { seconds: ms / 1000n, nanos: Number(ms % 1000n) * 1_000_000 };
}

/**
 * Replaces the charts with one per pair of `pairs`, loads their history
 * and returns the tick the feed must start at (undefined: the current one,
 * when no history could be loaded).
 */
async function loadHistory(pairs: string[], signal: AbortSignal): Promise<bigint | undefined> {
  for (const old of charts) old.chart?.destroy();
  const holder = $("charts");
  charts = [...new Set(pairs)].map((pair) => {
    const figure = element("figure", "chart");
    figure.dataset.pair = pair;
    const caption = element("figcaption");
    figure.append(caption);
    return { pair, figure, caption, problem: { kind: "loading" }, live: 0 };
  });
  holder.replaceChildren(...charts.map((chart) => chart.figure));
  charts.forEach(describeChart);

  const interval = intervalTicks();
  let last: bigint | undefined;
  /** The anchor's last history call, to make again after a failure. */
  let again: () => HistoryCall = () => Promise.reject(new Error("no history asked yet"));
  let rest = charts;
  // The first pair that answers fixes the last tick of every history.
  while (last === undefined && rest.length > 0) {
    const [anchor, ...others] = rest;
    rest = others;
    try {
      // Before the first answer, the tick is a guess: ask for one-tick
      // candles (always valid), learn the tick, then ask again exactly.
      const server = await about;
      const known = tickMs ?? server?.tick_ms;
      const guess = known ?? ASSUMED_TICK_MS;
      const now = BigInt(Math.floor(serverNowMs() / guess));
      const asked = known === undefined ? 1n : interval;
      const firstStart = historyStartMs(now, asked, guess);
      again = () => history(anchor.pair, firstStart, undefined, interval, signal);
      let answer = await again();
      const newest = answer.candles.at(-1)?.lastSequence;
      if (newest === undefined) throw new Error("the history is empty");
      tickMs = answer.tick ? durationMs(answer.tick) : guess;
      relabelIntervals();
      last = newest;
      // A guessed tick, or a clock unlike the server's, asked for another period.
      const startMs = historyStartMs(newest, interval, tickMs);
      const first = answer.candles[0].time;
      if (known === undefined || first === undefined || timestampMs(first) !== startMs) {
        const endMs = Number(newest + 1n) * tickMs;
        again = () => history(anchor.pair, startMs, endMs, interval, signal);
        answer = await again();
      }
      fill(anchor, answer.candles.map(fromWire), interval);
    } catch (error) {
      if (signal.aborted) return undefined;
      fail(anchor, error, again, interval);
    }
  }
  if (last === undefined || tickMs === undefined) return undefined;
  const [startMs, endMs] = [historyStartMs(last, interval, tickMs), Number(last + 1n) * tickMs];
  await Promise.all(
    rest.map(async (chart) => {
      const again = () => history(chart.pair, startMs, endMs, interval, signal);
      try {
        fill(chart, (await again()).candles.map(fromWire), interval);
      } catch (error) {
        if (!signal.aborted) fail(chart, error, again, interval);
      }
    }),
  );
  return signal.aborted ? undefined : last + 1n;
}

function fill(chart: PairChart, candles: Candle[], interval: bigint): void {
  if (!charts.includes(chart)) return; // a newer Watch replaced it
  const series = new CandleSeries(interval, tickMs ?? ASSUMED_TICK_MS, SHOWN_CANDLES);
  series.load(candles);
  chart.series = series;
  chart.problem = undefined;
  const plot = element("div", "plot");
  plot.setAttribute("role", "img");
  chart.figure.append(plot);
  chart.chart = new CandleChart(series, plot, () => describeChart(chart));
  chart.figure.dataset.history = String(candles.length);
  chart.figure.dataset.historyLastSequence = String(series.lastSequence ?? "");
  chart.figure.dataset.live = "0";
  chart.figure.dataset.skipped = "0";
  describeChart(chart);
}

function fail(chart: PairChart, error: unknown, again: () => HistoryCall, interval: bigint): void {
  if (!charts.includes(chart)) return; // a newer Watch replaced it
  chart.problem = { kind: "failed", reason: describe(ConnectError.from(error)), again, interval };
  describeChart(chart);
}

/** Makes a failed history call again: its chart, or its error in the
 * language the page has now. */
function retry(chart: PairChart, again: () => HistoryCall, interval: bigint): void {
  again().then(
    (answer) => fill(chart, answer.candles.map(fromWire), interval),
    (error) => fail(chart, error, again, interval),
  );
}

/** Folds one board update into every chart that has a history. */
function follow(update: RateUpdate): void {
  for (const chart of charts) {
    const quote = update.quotes.find((quote) => quote.pair === chart.pair);
    if (!chart.series || !chart.chart || !quote) continue;
    if (!chart.series.fold(update.sequence, quote.mid)) continue;
    chart.live += 1;
    chart.figure.dataset.live = String(chart.live);
    chart.figure.dataset.firstLiveSequence ??= update.sequence.toString();
    chart.figure.dataset.skipped = chart.series.skipped.toString();
    redrawSoon(chart);
  }
}

/** Charts with updates not drawn yet: drawn once per frame, however fast the ticks. */
const stale = new Set<PairChart>();

function redrawSoon(chart: PairChart): void {
  if (stale.size === 0) {
    requestAnimationFrame(() => {
      for (const waiting of stale) {
        if (!charts.includes(waiting)) continue; // replaced by a newer Watch
        waiting.chart?.update();
        describeChart(waiting);
      }
      stale.clear();
    });
  }
  stale.add(chart);
}

/** Writes a chart's caption and its plot's label in the page's language. */
function describeChart(chart: PairChart): void {
  const pair = element("strong", "", chart.pair);
  const parts: Array<string | Node> = [pair, " "];
  if (chart.problem?.kind === "loading") parts.push(t("chart-loading"));
  if (chart.problem?.kind === "failed") parts.push(element("span", "error", t("chart-failed", { reason: chart.problem.reason })));
  const candle = chart.chart?.described();
  if (chart.series && candle) {
    parts.push(
      element("span", "candle", t("chart-candle", {
        time: formatInstant(new Date(candle.timeMs)),
        open: candle.open,
        high: candle.high,
        low: candle.low,
        close: candle.close,
        first: candle.firstSequence.toString(),
        last: candle.lastSequence.toString(),
      })),
    );
    if (chart.series.skipped > 0n) {
      parts.push(" ", element("span", "skipped", t("board-skipped", { count: Number(chart.series.skipped) })));
    }
    chart.figure.querySelector(".plot")?.setAttribute(
      "aria-label",
      t("chart-label", { pair: chart.pair, interval: intervalText(chart.series.intervalTicks) }),
    );
  }
  chart.caption.replaceChildren(...parts);
}

/** "5 ticks (5 s)": an interval in the server's unit, and in time once the tick is known. */
function intervalText(ticks: bigint): string {
  const count = Number(ticks);
  return tickMs === undefined
    ? t("chart-interval-ticks", { ticks: count })
    : t("chart-interval-duration", { ticks: count, duration: formatDuration(count * tickMs) });
}

function relabelIntervals(): void {
  for (const option of $<HTMLSelectElement>("interval").options) option.textContent = intervalText(BigInt(option.value));
}

export function setUpCharts(): void {
  beforeWatch(loadHistory);
  onUpdate(follow);
  // Another interval needs other candles from the server: watch again.
  $("interval").addEventListener("change", () => {
    if (watching()) void watch(typedPairs());
  });
  onLanguageChange(() => {
    relabelIntervals();
    for (const chart of charts) {
      chart.chart?.relabel();
      describeChart(chart);
      // A failed history is asked again, for its error in the new language.
      if (chart.problem?.kind === "failed") retry(chart, chart.problem.again, chart.problem.interval);
    }
  });
}
