// The rate board: StreamRates over gRPC-Web (server streaming), one row per
// pair, updated at every tick.
//
// Lifecycle: the board holds one StreamRates call at a time. Watch opens it;
// Stop, or watching other pairs, aborts it (the browser resets the HTTP
// request, the server sees a cancellation). A gap in the sequence is ticks
// the feed skipped: a slow reader gets the newest tick, never a queue, and
// the board counts and shows the gap.
//
// Before the feed opens, the part registered with `beforeWatch` (the
// charts) may prepare and name the tick to start from: the feed then asks
// for `from_sequence`, and the server replays every tick from there before
// going on live, so the feed continues the history without a gap.
import { Code, ConnectError } from "@connectrpc/connect";
import type { RateUpdate } from "./gen/bank/v1/bank_pb.js";
import { $ } from "./dom.js";
import { onLanguageChange, t } from "./i18n.js";
import { bank, describe } from "./rpc.js";

/** The open feed, if any: its cancellation. */
let feed: AbortController | undefined;
/** What the status line says, kept so that a language switch redraws it. */
let state: { kind: "idle" } | { kind: "loading" } | { kind: "waiting" } | { kind: "live"; sequence: bigint; skipped: bigint } | { kind: "ended"; reason: string } = { kind: "idle" };
/** Called with each update, for the parts that follow the feed (the charts). */
const listeners: Array<(update: RateUpdate) => void> = [];
/** Prepares a feed of `pairs` and says which tick it starts at (undefined: the current one). */
type Prepare = (pairs: string[], signal: AbortSignal) => Promise<bigint | undefined>;
let prepare: Prepare = async () => undefined;

/** Registers `preparer`, awaited before each feed opens. */
export function beforeWatch(preparer: Prepare): void {
  prepare = preparer;
}

/** Whether a feed is open (or opening). */
export function watching(): boolean {
  return feed !== undefined;
}

/** Registers `listener`, called with every update the board receives. */
export function onUpdate(listener: (update: RateUpdate) => void): void {
  listeners.push(listener);
}

function redraw(): void {
  $<HTMLButtonElement>("board-toggle").textContent = t(feed ? "board-stop" : "board-start");
  const status = $("board-status");
  status.replaceChildren();
  status.className = "";
  switch (state.kind) {
    case "idle":
      status.textContent = t("board-idle");
      break;
    case "loading":
      status.textContent = t("board-loading");
      break;
    case "waiting":
      status.textContent = t("board-waiting");
      break;
    case "ended":
      status.textContent = t("board-ended", { reason: state.reason });
      status.className = "error";
      break;
    case "live": {
      status.dataset.sequence = state.sequence.toString();
      status.textContent = t("board-sequence", { sequence: state.sequence.toString() });
      if (state.skipped > 0n) {
        const skipped = document.createElement("span");
        skipped.className = "skipped";
        skipped.textContent = " · " + t("board-skipped", { count: Number(state.skipped) });
        status.append(skipped);
      }
    }
  }
}

function drawRows(update: RateUpdate): void {
  $("board")
    .querySelector("tbody")!
    .replaceChildren(
      ...update.quotes.map((quote) => {
        const row = document.createElement("tr");
        row.dataset.pair = quote.pair;
        for (const text of [quote.pair, quote.bid, quote.mid, quote.ask]) {
          const cell = document.createElement("td");
          cell.textContent = text;
          row.append(cell);
        }
        return row;
      }),
    );
}

/** Watches `pairs` until stopped, replacing any feed already open. */
export async function watch(pairs: string[]): Promise<void> {
  feed?.abort();
  const controller = new AbortController();
  feed = controller;
  state = { kind: "loading" };
  redraw();
  $("board").querySelector("tbody")!.replaceChildren();
  let last: bigint | undefined;
  let skipped = 0n;
  try {
    const fromSequence = await prepare(pairs, controller.signal);
    controller.signal.throwIfAborted();
    state = { kind: "waiting" };
    redraw();
    // A feed that resumes expects exactly `fromSequence` first.
    if (fromSequence !== undefined) last = fromSequence - 1n;
    const request = { pairs, fromSequence: fromSequence ?? 0n };
    for await (const update of bank.streamRates(request, { signal: controller.signal })) {
      if (last !== undefined && update.sequence > last + 1n) skipped += update.sequence - last - 1n;
      last = update.sequence;
      state = { kind: "live", sequence: update.sequence, skipped };
      redraw();
      drawRows(update);
      for (const listener of listeners) listener(update);
    }
    if (feed === controller) state = { kind: "idle" };
  } catch (error) {
    const failure = ConnectError.from(error);
    // A feed replaced by a newer one leaves the board to it.
    if (feed === controller) state = failure.code === Code.Canceled ? { kind: "idle" } : { kind: "ended", reason: describe(failure) };
  }
  if (feed !== controller) return;
  feed = undefined;
  redraw();
}

/** The pairs typed in the board's field, as the server spells them. */
export function typedPairs(): string[] {
  return $<HTMLInputElement>("pairs")
    .value.split(",")
    .map((pair) => pair.trim().toUpperCase())
    .filter((pair) => pair !== "");
}

export function setUpBoard(): void {
  $("board-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (feed) {
      feed.abort();
      return;
    }
    void watch(typedPairs());
  });
  onLanguageChange(redraw);
}
