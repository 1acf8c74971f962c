// Candles of one pair: the history GetRateHistory computed, extended tick
// by tick with the mids StreamRates publishes. No DOM here, no drawing.
//
// Lifecycle: a series starts from the history's candles, then `fold`
// adds each live tick: into the newest candle while the tick falls in its
// interval, into a new candle when it does not. A tick that never came
// (a gap in the sequence) is recorded as such, never filled in.
//
// Prices stay the decimal strings the server sent. Choosing the highest
// and lowest mid compares those strings exactly (`compareDecimals`); the
// only conversion to a binary number is for drawing (chart.ts).
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { Candle as WireCandle } from "./gen/bank/v1/bank_pb.js";

/** One candle: the mids over the ticks of one interval, as sent. */
export interface Candle {
  /** Start of the candle's interval, in Unix milliseconds. */
  timeMs: number;
  firstSequence: bigint;
  lastSequence: bigint;
  open: string;
  high: string;
  low: string;
  close: string;
}

/** Ticks that never reached the page, `from` to `to` included. */
export interface Gap {
  from: bigint;
  to: bigint;
}

/** A candle from GetRateHistory's answer. */
export function fromWire(candle: WireCandle): Candle {
  const { firstSequence, lastSequence, open, high, low, close } = candle;
  return { timeMs: candle.time ? timestampMs(candle.time) : 0, firstSequence, lastSequence, open, high, low, close };
}

/**
 * Compares two plain non-negative decimals written as the server writes
 * them ("1.0832", "151.2"): negative, zero or positive as `a` is below,
 * equal to or above `b`. Exact, whatever their lengths.
 */
export function compareDecimals(a: string, b: string): number {
  const [aWhole, aFraction = ""] = a.split(".");
  const [bWhole, bFraction = ""] = b.split(".");
  const whole = aWhole.replace(/^0+/, "");
  const otherWhole = bWhole.replace(/^0+/, "");
  if (whole.length !== otherWhole.length) return whole.length - otherWhole.length;
  if (whole !== otherWhole) return whole < otherWhole ? -1 : 1;
  const width = Math.max(aFraction.length, bFraction.length);
  const fraction = aFraction.padEnd(width, "0");
  const otherFraction = bFraction.padEnd(width, "0");
  return fraction === otherFraction ? 0 : fraction < otherFraction ? -1 : 1;
}

/** A pair's candles at one interval, and the ticks it missed. */
export class CandleSeries {
  readonly candles: Candle[] = [];
  readonly gaps: Gap[] = [];
  /** Ticks skipped in all, including gaps no longer shown. */
  skipped = 0n;

  /**
   * @param intervalTicks the candle's length, in ticks
   * @param tickMs the server's tick, in milliseconds
   * @param keep how many candles to hold; older ones are dropped
   */
  constructor(
    readonly intervalTicks: bigint,
    readonly tickMs: number,
    private readonly keep: number,
  ) {}

  /** The sequence of the newest tick held, if any. */
  get lastSequence(): bigint | undefined {
    return this.candles.at(-1)?.lastSequence;
  }

  /** Replaces everything with the history's candles (oldest first). */
  load(candles: Candle[]): void {
    this.candles.splice(0, this.candles.length, ...candles);
    this.gaps.length = 0;
    this.skipped = 0n;
    this.trim();
  }

  /** Adds the mid of tick `sequence`; a tick at or before the newest is ignored and `false` returned. */
  fold(sequence: bigint, mid: string): boolean {
    const last = this.lastSequence;
    if (last !== undefined && sequence <= last) return false;
    if (last !== undefined && sequence > last + 1n) {
      this.gaps.push({ from: last + 1n, to: sequence - 1n });
      this.skipped += sequence - last - 1n;
    }
    const index = sequence / this.intervalTicks;
    const newest = this.candles.at(-1);
    if (newest && newest.lastSequence / this.intervalTicks === index) {
      newest.lastSequence = sequence;
      newest.close = mid;
      if (compareDecimals(mid, newest.high) > 0) newest.high = mid;
      if (compareDecimals(mid, newest.low) < 0) newest.low = mid;
    } else {
      const timeMs = Number(index * this.intervalTicks) * this.tickMs;
      this.candles.push({ timeMs, firstSequence: sequence, lastSequence: sequence, open: mid, high: mid, low: mid, close: mid });
      this.trim();
    }
    return true;
  }

  /** The start of tick `sequence`, in Unix milliseconds. */
  tickTimeMs(sequence: bigint): number {
    return Number(sequence) * this.tickMs;
  }

  private trim(): void {
    const extra = this.candles.length - this.keep;
    if (extra > 0) this.candles.splice(0, extra);
    const oldest = this.candles[0]?.firstSequence;
    if (oldest === undefined) return;
    const shown = this.gaps.filter((gap) => gap.to >= oldest);
    this.gaps.splice(0, this.gaps.length, ...shown);
  }
}
