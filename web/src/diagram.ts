// The sequence diagrams' model: calls and their events, whoever saw them.
//
// Two sources feed it the same inputs (`DiagramInput`): the classroom
// (classroom.ts: WatchCalls, every BankService call as the server sees it)
// and the page itself (recorder.ts: its own calls as the browser sees them,
// when there is no classroom). The model knows nothing of either: it files
// each call under its gRPC model, keeps its events in order, and tells the
// view (models.ts) what changed, so the view never recomputes a diagram.
//
// Lifecycle of a call: `started` adds it (dropping the oldest call of its
// model past MAX_CALLS_PER_MODEL); `message`, `half-close` and `ended` add
// arrows (folding the middle of a long stream past MAX_HEAD_ARROWS +
// MAX_TAIL_ARROWS); after `ended` the call stays, drawn, until newer calls
// push it out. Events of a call the model does not hold (it started before
// the page watched, or was pushed out) are ignored.

import { Code } from "@connectrpc/connect";

/** The four models, as the page's articles name them (`data-model`). */
export type ModelKey = "unary" | "server-streaming" | "client-streaming" | "bidi";
export const MODELS: ModelKey[] = ["unary", "server-streaming", "client-streaming", "bidi"];

/** Who saw the call: the classroom (the server's side) or this page. */
export type Source = "classroom" | "page";

/** Calls kept per model. A diagram is a lesson, not a log: the last few
 * calls fit on a screen, and a class running `bank batch` in a loop must
 * not grow the page without end. */
export const MAX_CALLS_PER_MODEL = 4;

/** Arrows kept from the start of a call: the opening of a stream (its
 * request, its first updates) is what the lesson is about. */
export const MAX_HEAD_ARROWS = 12;

/** Arrows kept from the end of a call: its latest messages and how it
 * ended. Together with MAX_HEAD_ARROWS, a batch of a couple of dozen rows
 * is drawn whole, and a StreamRates feed that runs for an hour stays at
 * this many arrows, the ones in between counted as folded. */
export const MAX_TAIL_ARROWS = 12;

export interface MetadataShown {
  name: string;
  value: string;
  masked: boolean;
}

/** What a source tells the model, for one call or (missed) for all. */
export type DiagramInput =
  | {
      kind: "started";
      source: Source;
      callId: number;
      /** The method's full path, "/bank.v1.BankService/Convert". */
      path: string;
      model: ModelKey;
      /** "client 7" (classroom) or "page". */
      connection: string;
      /** The HTTP/2 stream, 0 when unknown (HTTP/1.1, or the page's view). */
      stream: number;
      metadata: MetadataShown[];
      /** The call's deadline, from its grpc-timeout, if it had one. */
      deadlineMs?: number;
      atUs: number;
    }
  | {
      kind: "message";
      source: Source;
      callId: number;
      atUs: number;
      direction: "client" | "server";
      /** The message's full type name, "bank.v1.ConvertRequest". */
      type: string;
      encodedBytes: number;
      jsonBytes: number;
      json: string;
      truncated: boolean;
      compressed: boolean;
      /** A RateUpdate's sequence, to see the ticks a feed skipped. */
      sequence?: bigint;
    }
  | { kind: "half-close"; source: Source; callId: number; atUs: number }
  | {
      kind: "ended";
      source: Source;
      callId: number;
      atUs: number;
      code: number;
      message: string;
      reason: string;
      badFields: string[];
      cause?: "cancelled" | "deadline";
    }
  /** The classroom lost `count` events (its watcher was too slow). */
  | { kind: "missed"; source: Source; count: number };

/** One arrow of a diagram (`data-kind` in the page). */
export type Arrow =
  | ({ kind: "message" } & Omit<Extract<DiagramInput, { kind: "message" }>, "kind" | "source" | "callId">)
  | { kind: "half-close"; atUs: number }
  | { kind: "trailers"; atUs: number; code: number; message: string; reason: string; badFields: string[] }
  | { kind: "cancel"; atUs: number }
  /** Ticks missing from a feed's sequence, or events the classroom lost. */
  | { kind: "skipped"; atUs: number; count: number; what: "ticks" | "events" };

export interface Call {
  key: string;
  source: Source;
  id: number;
  path: string;
  /** The method's name alone, "ConvertBatch". */
  method: string;
  model: ModelKey;
  connection: string;
  stream: number;
  metadata: MetadataShown[];
  deadlineMs?: number;
  /** When it started, on this page's clock (performance.now(), ms). */
  startedAt: number;
  /** The arrows kept, in event order. */
  arrows: Arrow[];
  /** Arrows folded out of the middle. */
  folded: number;
  ended?: { code: number; cause?: "cancelled" | "deadline"; atUs: number };
  /** The last RateUpdate's sequence. */
  lastSequence?: bigint;
  /** Shown large (projector mode): never pushed out while so. */
  pinned: boolean;
}

/** What changed, for the view. */
export type Change =
  | { kind: "call-added"; call: Call }
  | { kind: "call-dropped"; call: Call }
  | { kind: "arrow-added"; call: Call; arrow: Arrow }
  | { kind: "arrow-folded"; call: Call; arrow: Arrow }
  | { kind: "call-ended"; call: Call };

/** The arrows that tell how a call ended: never folded. */
const FINAL_KINDS: ReadonlySet<Arrow["kind"]> = new Set(["half-close", "trailers", "cancel"]);

export class Diagram {
  /** The calls of each model, oldest first. */
  readonly calls: Record<ModelKey, Call[]> = { unary: [], "server-streaming": [], "client-streaming": [], bidi: [] };
  private readonly byKey = new Map<string, Call>();

  constructor(private readonly changed: (change: Change) => void) {}

  apply(input: DiagramInput): void {
    if (input.kind === "missed") {
      // Which calls lost them is unknown: every open call says so.
      for (const call of this.byKey.values()) {
        if (!call.ended) this.push(call, { kind: "skipped", atUs: sinceStart(call), count: input.count, what: "events" });
      }
      return;
    }
    if (input.kind === "started") {
      this.start(input);
      return;
    }
    const call = this.byKey.get(`${input.source}:${input.callId}`);
    if (!call || call.ended) return;
    switch (input.kind) {
      case "message": {
        const { kind: _kind, source: _source, callId: _callId, ...message } = input;
        if (message.sequence !== undefined) {
          const last = call.lastSequence;
          if (last !== undefined && message.sequence > last + 1n) {
            this.push(call, { kind: "skipped", atUs: message.atUs, count: Number(message.sequence - last - 1n), what: "ticks" });
          }
          call.lastSequence = message.sequence;
        }
        this.push(call, { kind: "message", ...message });
        break;
      }
      case "half-close":
        this.push(call, { kind: "half-close", atUs: input.atUs });
        break;
      case "ended":
        // A cancelled call gets no trailers: the client reset the stream.
        if (input.cause === "cancelled") this.push(call, { kind: "cancel", atUs: input.atUs });
        else {
          const { code, message, reason, badFields, atUs } = input;
          this.push(call, { kind: "trailers", atUs, code, message, reason, badFields });
        }
        call.ended = { code: input.code, cause: input.cause, atUs: input.atUs };
        this.changed({ kind: "call-ended", call });
    }
  }

  /** Every call held, oldest first within each model. */
  all(): Call[] {
    return MODELS.flatMap((model) => this.calls[model]);
  }

  private start(input: Extract<DiagramInput, { kind: "started" }>): void {
    const key = `${input.source}:${input.callId}`;
    if (this.byKey.has(key)) return;
    const call: Call = {
      key,
      source: input.source,
      id: input.callId,
      path: input.path,
      method: input.path.slice(input.path.lastIndexOf("/") + 1),
      model: input.model,
      connection: input.connection,
      stream: input.stream,
      metadata: input.metadata,
      deadlineMs: input.deadlineMs,
      startedAt: performance.now() - input.atUs / 1000,
      arrows: [],
      folded: 0,
      pinned: false,
    };
    const calls = this.calls[input.model];
    calls.push(call);
    this.byKey.set(key, call);
    this.changed({ kind: "call-added", call });
    while (calls.length > MAX_CALLS_PER_MODEL) {
      // The oldest ended call goes first; an open one only if all are open.
      const unpinned = calls.filter((held) => !held.pinned && held !== call);
      const victim = unpinned.find((held) => held.ended) ?? unpinned[0];
      if (!victim) break;
      calls.splice(calls.indexOf(victim), 1);
      this.byKey.delete(victim.key);
      this.changed({ kind: "call-dropped", call: victim });
    }
  }

  private push(call: Call, arrow: Arrow): void {
    call.arrows.push(arrow);
    this.changed({ kind: "arrow-added", call, arrow });
    if (call.arrows.length <= MAX_HEAD_ARROWS + MAX_TAIL_ARROWS) return;
    // Fold the first arrow after the head that does not end the call.
    const index = call.arrows.findIndex((held, at) => at >= MAX_HEAD_ARROWS && !FINAL_KINDS.has(held.kind));
    if (index < 0) return;
    const [folded] = call.arrows.splice(index, 1);
    call.folded += 1;
    this.changed({ kind: "arrow-folded", call, arrow: folded });
  }
}

/** Microseconds since `call` started, on this page's clock. */
function sinceStart(call: Call): number {
  return Math.max(0, Math.round((performance.now() - call.startedAt) * 1000));
}

/** A grpc-timeout value ("900m", "2S") in milliseconds; undefined if malformed. */
export function grpcTimeoutMs(value: string): number | undefined {
  const match = /^(\d{1,8})([HMSmun])$/.exec(value.trim());
  if (!match) return undefined;
  const unitMs: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };
  return Number(match[1]) * unitMs[match[2]];
}

/** A gRPC status code as gRPC names it: 0 → "OK", 4 → "DEADLINE_EXCEEDED". */
export function codeName(code: number): string {
  if (code === 0) return "OK";
  // Connect spells it the American way; gRPC's name has two Ls.
  if (code === Code.Canceled) return "CANCELLED";
  const name = Code[code] as string | undefined;
  return name ? name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase() : String(code);
}
