// One candlestick chart, drawn by uPlot on a canvas from a CandleSeries.
//
// uPlot draws the axes, the grid and the cursor; the candles and the gaps
// are drawn by a `draw` hook, since uPlot has no candle series of its own.
// An up candle (close at or above open) is hollow, a down candle filled, so
// the two differ by shape as well as by colour. Ticks that never came are a
// red band with dashed edges over their time, never bridged.
//
// Lifecycle: `update` after the series changed, `relabel` after a language
// switch (the axes' labels), `destroy` when the board watches other pairs.
// The chart follows its holder's width (ResizeObserver), from a phone to a
// projector. The candle shown in the caption is the one under the mouse or
// chosen with the arrow keys; otherwise the newest.
import uPlot from "uplot";
import { compareDecimals, type CandleSeries, type Candle } from "./candles.js";
import { formatAxisNumber, formatDay, formatTime } from "./formats.js";

/** Height over width: candles stay readable without the chart taking the whole phone screen. */
const ASPECT = 0.45;
/** Bounds of the height in CSS pixels: room for a few price labels, and no taller than a laptop screen. */
const MIN_HEIGHT = 180;
const MAX_HEIGHT = 440;
/** A candle's body takes this share of its interval's width, leaving a gap between neighbours. */
const BODY_SHARE = 0.7;

/** Mid prices as binary numbers, for plotting coordinates only: what the page shows and compares stays the decimal strings. */
const coordinate = (price: string) => Number(price);

/** The colours of the page's style sheet (app.css), read at each draw so a dark theme applies at once. */
function colours(holder: HTMLElement) {
  const style = getComputedStyle(holder);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return { up: read("--up"), down: read("--down"), gap: read("--bad"), accent: read("--accent"), text: style.color };
}

export class CandleChart {
  private readonly plot: uPlot;
  private readonly resizer: ResizeObserver;
  /** The candle the reader picked (index into the series), or null for the newest. */
  private picked: number | null = null;

  constructor(
    private readonly series: CandleSeries,
    private readonly holder: HTMLElement,
    /** Called when the candle to describe changes. */
    private readonly onPick: () => void,
  ) {
    const intervalSeconds = () => (Number(series.intervalTicks) * series.tickMs) / 1000;
    const hidden = { paths: () => null, points: { show: false } };
    const text = () => colours(holder).text;
    const grid = { stroke: "#8884", width: 1 };
    const font = `${Math.round(parseFloat(getComputedStyle(holder).fontSize) * 0.8)}px system-ui, sans-serif`;
    this.plot = new uPlot(
      {
        width: this.width(),
        height: this.height(),
        legend: { show: false },
        cursor: { y: false, points: { show: false }, drag: { x: false, y: false } },
        scales: {
          // The newest candle's interval is drawn whole, even while it fills.
          x: { time: true, range: (_, min, max) => [min, max + intervalSeconds()] },
        },
        series: [{}, hidden, hidden, hidden, hidden],
        axes: [
          {
            stroke: text,
            grid,
            font,
            // Room for the widest label, so that times never overlap.
            space: (self, _, __, max) => {
              self.ctx.font = font;
              return self.ctx.measureText(formatTime(new Date(max * 1000), true)).width + 24;
            },
            values: (_, splits, __, ___, step) =>
              splits.map((seconds) => {
                const date = new Date(seconds * 1000);
                return step >= 86_400 ? formatDay(date) : formatTime(date, step < 60);
              }),
          },
          {
            stroke: text,
            grid,
            font,
            size: (self, values) => {
              self.ctx.font = font;
              const widest = Math.max(0, ...(values ?? []).map((value) => self.ctx.measureText(value).width));
              return Math.ceil(widest) + 20;
            },
            values: (_, splits, __, ___, step) => splits.map((value) => formatAxisNumber(value, step)),
          },
        ],
        hooks: {
          draw: [(self) => this.drawCandles(self)],
          setCursor: [
            (self) => {
              const picked = self.cursor.idx ?? null;
              if (picked !== this.picked) {
                this.picked = picked;
                this.onPick();
              }
            },
          ],
        },
      },
      this.data(),
      holder,
    );
    holder.tabIndex = 0;
    holder.addEventListener("keydown", (event) => this.key(event));
    this.resizer = new ResizeObserver(() => this.plot.setSize({ width: this.width(), height: this.height() }));
    this.resizer.observe(holder);
  }

  /** The candle the caption describes: the picked one, or the newest. */
  described(): Candle | undefined {
    return this.series.candles[this.picked ?? this.series.candles.length - 1];
  }

  update(): void {
    this.plot.setData(this.data());
  }

  relabel(): void {
    this.plot.redraw(false, true);
  }

  destroy(): void {
    this.resizer.disconnect();
    this.plot.destroy();
  }

  private width(): number {
    return Math.max(1, this.holder.clientWidth);
  }

  private height(): number {
    return Math.round(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, this.width() * ASPECT)));
  }

  private data(): uPlot.AlignedData {
    const candles = this.series.candles;
    return [
      candles.map((candle) => candle.timeMs / 1000),
      candles.map((candle) => coordinate(candle.open)),
      candles.map((candle) => coordinate(candle.high)),
      candles.map((candle) => coordinate(candle.low)),
      candles.map((candle) => coordinate(candle.close)),
    ];
  }

  /** Left and Right pick the candle before or after, Home and End the oldest and the newest, Escape the newest again. */
  private key(event: KeyboardEvent): void {
    const count = this.series.candles.length;
    if (count === 0) return;
    const at = this.picked ?? count - 1;
    const moves: Record<string, number | null> = {
      ArrowLeft: Math.max(0, at - 1),
      ArrowRight: Math.min(count - 1, at + 1),
      Home: 0,
      End: null,
      Escape: null,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const picked = moves[event.key];
    this.picked = picked === count - 1 ? null : picked;
    this.plot.redraw(false, false);
    this.onPick();
  }

  private drawCandles(self: uPlot): void {
    const { ctx, bbox } = self;
    const palette = colours(this.holder);
    const x = (ms: number) => self.valToPos(ms / 1000, "x", true);
    const y = (price: string) => self.valToPos(coordinate(price), "y", true);
    const intervalMs = Number(this.series.intervalTicks) * this.series.tickMs;
    const line = Math.max(1, Math.round(devicePixelRatio));
    ctx.save();
    ctx.beginPath();
    ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
    ctx.clip();

    for (const gap of this.series.gaps) {
      const from = x(this.series.tickTimeMs(gap.from));
      const to = Math.max(from + 3 * line, x(this.series.tickTimeMs(gap.to + 1n)));
      ctx.fillStyle = palette.gap;
      ctx.globalAlpha = 0.18;
      ctx.fillRect(from, bbox.top, to - from, bbox.height);
      ctx.globalAlpha = 1;
      ctx.strokeStyle = palette.gap;
      ctx.lineWidth = line;
      ctx.setLineDash([4 * line, 3 * line]);
      ctx.strokeRect(from, bbox.top, to - from, bbox.height);
      ctx.setLineDash([]);
    }

    const candles = this.series.candles;
    const slot = candles.length > 0 ? x(candles[0].timeMs + intervalMs) - x(candles[0].timeMs) : 0;
    const body = Math.max(line, slot * BODY_SHARE);
    candles.forEach((candle, index) => {
      const centre = x(candle.timeMs) + slot / 2;
      const up = compareDecimals(candle.close, candle.open) >= 0;
      const colour = up ? palette.up : palette.down;
      const [open, close] = [y(candle.open), y(candle.close)];
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.lineWidth = line;
      const top = Math.min(open, close);
      const height = Math.max(line, Math.abs(open - close));
      // The wick above and below the body, so that a hollow body stays empty.
      ctx.beginPath();
      ctx.moveTo(Math.round(centre), y(candle.high));
      ctx.lineTo(Math.round(centre), top);
      ctx.moveTo(Math.round(centre), top + height);
      ctx.lineTo(Math.round(centre), y(candle.low));
      ctx.stroke();
      if (up) ctx.strokeRect(centre - body / 2, top, body, height);
      else ctx.fillRect(centre - body / 2, top, body, height);
      if (index === this.picked) {
        ctx.strokeStyle = palette.accent;
        ctx.lineWidth = 2 * line;
        ctx.strokeRect(centre - slot / 2, bbox.top + line, slot, bbox.height - 2 * line);
      }
    });
    ctx.restore();
  }
}
