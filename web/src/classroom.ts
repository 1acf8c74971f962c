// The classroom source: WatchCalls (bank-server --classroom) over gRPC-Web,
// every BankService call as the server sees it, whoever makes it, turned
// into the diagram's inputs (diagram.ts).
//
// Lifecycle: `watchClassroom` opens WatchCalls once and keeps
// `#classroom-status` saying where the watch is (`data-state`):
// - `connecting` until the first answer;
// - `watching` while the stream is open: from the server's headers (a
//   refusal comes as a status alone), its first event, or WATCHING_AFTER_MS
//   without a refusal, whichever comes first;
// - `off` when the server answers UNIMPLEMENTED: it runs without
//   --classroom; the page says how to turn it on and stops trying;
// - `refused` (with `data-code`) on UNAUTHENTICATED or PERMISSION_DENIED: a
//   server with --auth-tokens wants a token; the page tries again each time
//   the token field (#token) changes;
// - `ended` when the stream ends for any other reason (the server drained,
//   the network went away); a button starts the watch again.
import { Code, ConnectError } from "@connectrpc/connect";
import type { DiagramInput, ModelKey } from "./diagram.js";
import { codeName, grpcTimeoutMs } from "./diagram.js";
import { $, element } from "./dom.js";
import { CallModel, Direction, EndCause, type CallEvent } from "./gen/bank/v1/classroom_pb.js";
import { onLanguageChange, t } from "./i18n.js";
import { classroom, describe } from "./rpc.js";

export type WatchState = "connecting" | "watching" | "off" | "refused" | "ended";

/** How long an open WatchCalls with no event yet counts as watching: a
 * refusal (UNIMPLEMENTED, UNAUTHENTICATED) comes back at once, and nobody
 * may be calling the service, so no event may come for a long time. */
const WATCHING_AFTER_MS = 1500;

/** Wait after the last keystroke in the token field before trying again,
 * so typing a token makes one attempt, not one per character. */
const TOKEN_SETTLE_MS = 400;

const MODEL_OF: Partial<Record<CallModel, ModelKey>> = {
  [CallModel.UNARY]: "unary",
  [CallModel.SERVER_STREAMING]: "server-streaming",
  [CallModel.CLIENT_STREAMING]: "client-streaming",
  [CallModel.BIDI_STREAMING]: "bidi",
};

let state: WatchState = "connecting";
/** The code of a refusal, or the reason the watch ended, for the status. */
let detail: { code?: number; reason?: string } = {};
/** Events this page missed since the watch opened (Skipped). */
let missed = 0n;
let watch: AbortController | undefined;
const stateListeners: Array<(state: WatchState) => void> = [];

/** The state of the watch now. */
export function watchState(): WatchState {
  return state;
}

/** Registers `listener`, called when the watch changes state. */
export function onWatchState(listener: (state: WatchState) => void): void {
  stateListeners.push(listener);
}

function enter(next: WatchState, with_: { code?: number; reason?: string } = {}): void {
  state = next;
  detail = with_;
  redraw();
  for (const listener of stateListeners) listener(next);
}

function redraw(): void {
  const status = $("classroom-status");
  status.dataset.state = state;
  if (detail.code !== undefined) status.dataset.code = String(detail.code);
  else delete status.dataset.code;
  status.replaceChildren();
  switch (state) {
    case "connecting":
      status.append(t("classroom-connecting"));
      break;
    case "watching":
      status.append(t("classroom-watching"));
      if (missed > 0n) status.append(" ", element("span", "skipped", t("classroom-missed", { count: Number(missed) })));
      break;
    case "off":
      status.append(t("classroom-off"), " ", element("code", "", "bank-server --web-addr 127.0.0.1:8080 --classroom"), " ", t("classroom-off-why"));
      break;
    case "refused":
      status.append(t("classroom-refused", { code: `${codeName(detail.code ?? 0)} (${detail.code})` }));
      break;
    case "ended": {
      status.append(t("classroom-ended", { reason: detail.reason ?? "" }), " ");
      const again = element("button", "", t("classroom-again"));
      again.type = "button";
      again.id = "classroom-again";
      again.addEventListener("click", () => void watchClassroom(lastFeed));
      status.append(again);
    }
  }
}

let lastFeed: (input: DiagramInput) => void = () => {};

/** Opens WatchCalls and feeds `feed` with every call it sees, until it ends. */
export async function watchClassroom(feed: (input: DiagramInput) => void): Promise<void> {
  lastFeed = feed;
  watch?.abort();
  const controller = new AbortController();
  watch = controller;
  missed = 0n;
  enter("connecting");
  const opened = setTimeout(() => {
    if (watch === controller && state === "connecting") enter("watching");
  }, WATCHING_AFTER_MS);
  try {
    const answered = (headers: Headers) => {
      // Headers without a status open the stream; a refusal is a status alone.
      if (!headers.has("grpc-status") && watch === controller && state === "connecting") enter("watching");
    };
    for await (const event of classroom.watchCalls({}, { signal: controller.signal, onHeader: answered })) {
      if (state !== "watching") enter("watching");
      if (event.event.case === "skipped") {
        missed += event.event.value.count;
        redraw();
      }
      const input = toInput(event);
      if (input) feed(input);
    }
    enter("ended", { reason: t("classroom-stream-closed") });
  } catch (error) {
    if (watch !== controller) return;
    const failure = ConnectError.from(error);
    if (failure.code === Code.Unimplemented) enter("off");
    else if (failure.code === Code.Unauthenticated || failure.code === Code.PermissionDenied) enter("refused", { code: failure.code });
    else enter("ended", { code: failure.code, reason: describe(failure) });
  } finally {
    clearTimeout(opened);
  }
}

/** One CallEvent as the diagram's input; undefined for what it does not draw. */
function toInput(event: CallEvent): DiagramInput | undefined {
  const callId = Number(event.callId);
  const atUs = Number(event.sinceStartUs);
  const source = "classroom";
  switch (event.event.case) {
    case "started": {
      const started = event.event.value;
      const model = MODEL_OF[started.model];
      if (!model) return undefined;
      const timeout = started.metadata.find((entry) => entry.name === "grpc-timeout" && !entry.masked)?.value;
      return {
        kind: "started",
        source,
        callId,
        path: started.method,
        model,
        connection: started.connection,
        stream: started.http2Stream,
        metadata: started.metadata.map(({ name, value, masked }) => ({ name, value, masked })),
        deadlineMs: timeout ? grpcTimeoutMs(timeout) : undefined,
        atUs,
      };
    }
    case "message": {
      const message = event.event.value;
      // The sequence is the RateUpdate's first field, so it survives a cut.
      const sequence = message.type === "bank.v1.RateUpdate" ? /"sequence":"?(\d+)/.exec(message.json)?.[1] : undefined;
      return {
        kind: "message",
        source,
        callId,
        atUs,
        direction: message.direction === Direction.CLIENT_TO_SERVER ? "client" : "server",
        type: message.type,
        encodedBytes: message.encodedBytes,
        jsonBytes: message.jsonBytes,
        json: message.json,
        truncated: message.truncated,
        compressed: message.compressed,
        sequence: sequence === undefined ? undefined : BigInt(sequence),
      };
    }
    case "halfClose":
      return { kind: "half-close", source, callId, atUs };
    case "ended": {
      const end = event.event.value;
      const cause = end.cause === EndCause.CANCELLED ? "cancelled" : end.cause === EndCause.DEADLINE_EXPIRED ? "deadline" : undefined;
      return { kind: "ended", source, callId, atUs, code: end.code, message: end.message, reason: end.reason, badFields: end.badFields, cause };
    }
    case "skipped":
      return { kind: "missed", source, count: Number(event.event.value.count) };
  }
  return undefined;
}

/** Starts watching, and watches again when a refused watch gets a new token. */
export function setUpClassroom(feed: (input: DiagramInput) => void): void {
  let settle: ReturnType<typeof setTimeout> | undefined;
  // On the document, so it runs after the field's own listener set the token.
  document.addEventListener("input", (event) => {
    if ((event.target as HTMLElement | null)?.id !== "token" || state !== "refused") return;
    clearTimeout(settle);
    settle = setTimeout(() => void watchClassroom(feed), TOKEN_SETTLE_MS);
  });
  onLanguageChange(redraw);
  void watchClassroom(feed);
}
