// Times and durations written the page's language's way, by the browser's
// own Intl formatters (French writes "14:05:30" and "5 s" with a no-break
// space, English "2:05:30 PM" and "5 sec"), so that no format string needs
// translating. Read at each call: a language switch applies at once.
import { language } from "./i18n.js";

/** A date and time to the second, with milliseconds when it has some. */
export function formatDateTime(date: Date): string {
  return new Intl.DateTimeFormat(language(), {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    second: "2-digit",
    fractionalSecondDigits: date.getMilliseconds() === 0 ? undefined : 3,
  }).format(date);
}

/** A time of day; `withSeconds` for the short spans of a chart's axis. */
export function formatTime(date: Date, withSeconds: boolean): string {
  return new Intl.DateTimeFormat(language(), {
    hour: "numeric",
    minute: "2-digit",
    second: withSeconds ? "2-digit" : undefined,
  }).format(date);
}

/** An instant of today as a time to the second (with milliseconds when it has some); of another day with its date. */
export function formatInstant(date: Date): string {
  if (date.toDateString() !== new Date().toDateString()) return formatDateTime(date);
  return new Intl.DateTimeFormat(language(), {
    hour: "numeric",
    minute: "2-digit",
    second: "2-digit",
    fractionalSecondDigits: date.getMilliseconds() === 0 ? undefined : 3,
  }).format(date);
}

/** A day of the month, for an axis that spans days. */
export function formatDay(date: Date): string {
  return new Intl.DateTimeFormat(language(), { day: "numeric", month: "short" }).format(date);
}

/** A duration in the largest unit that writes it whole (5 s, 1 min, 2 h, 1 day), else in seconds (2.5 s) or milliseconds (500 ms). */
export function formatDuration(ms: number): string {
  const units: Array<[string, number]> = [
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
    ["second", 1_000],
  ];
  const whole = units.find(([, size]) => ms % size === 0);
  const [unit, size] = whole ?? (ms >= 1_000 ? ["second", 1_000] : ["millisecond", 1]);
  return new Intl.NumberFormat(language(), { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: 3 }).format(ms / size);
}

/** Most decimals an axis label needs: beyond, a float's noise. */
const MAX_AXIS_DECIMALS = 12;

/** A number for an axis, with as many decimals as the step between labels needs (0.0025 needs 4). */
export function formatAxisNumber(value: number, step: number): string {
  let decimals = 0;
  while (decimals < MAX_AXIS_DECIMALS && Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-6) decimals += 1;
  return new Intl.NumberFormat(language(), { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
}
