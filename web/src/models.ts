// "The four models": for each gRPC model, the tour's explanation and its
// RPC (static, in index.html), and a live sequence diagram of real calls.
//
// One model of the diagrams (diagram.ts) is fed by two sources: the
// classroom (classroom.ts, every BankService call as the server sees it,
// when the server runs with --classroom) and, while the classroom is not
// watching, the page's own calls (recorder.ts, as the browser sees them).
// While it watches, the page's own calls reach the diagrams through the
// classroom, as any other client's, so no call is drawn twice.
//
// This module draws what the model says changed, in place: a call's
// element (`.call`) is built when it starts and kept while the model keeps
// it, its arrows (`.arrow`) are added and folded one by one, so an open
// <details> or the focus stays put while a stream goes on. A language
// switch redraws every call. Each call has two buttons: its Mermaid text
// (mermaid.ts) and the projector mode, which shows that call alone, large,
// until Escape or the button again.
import { type Arrow, type Call, type Change, Diagram, MAX_HEAD_ARROWS, type ModelKey } from "./diagram.js";
import { setUpClassroom, watchState } from "./classroom.js";
import { $, element } from "./dom.js";
import { onLanguageChange, t } from "./i18n.js";
import { arrowText, at, callTitle, clientLane, foldedText, milliseconds, status } from "./labels.js";
import { toMermaid } from "./mermaid.js";
import { onPageCall } from "./recorder.js";
import { type About, about } from "./server.js";

/** How often an open call's deadline countdown is redrawn: a tenth of a
 * second is as fine as the countdown is written. */
const COUNTDOWN_EVERY_MS = 100;

/** bank-server's gRPC port when --addr is not given: the guess while
 * /server.json has not answered (an older server, or none yet). */
const DEFAULT_GRPC_PORT = 50051;


/** A drawn call: its element and the elements of its kept arrows. */
interface CallView {
  root: HTMLDivElement;
  list: HTMLOListElement;
  arrows: Map<Arrow, HTMLLIElement>;
  fold?: HTMLLIElement;
  head: HTMLElement;
  deadline: HTMLElement;
  mermaid: HTMLElement;
  projector: HTMLButtonElement;
}

const views = new Map<Call, CallView>();
const diagram = new Diagram(draw);
let projected: Call | undefined;

function article(model: ModelKey): HTMLElement {
  return document.querySelector<HTMLElement>(`#models article.model[data-model="${model}"] .calls`)!;
}

function draw(change: Change): void {
  switch (change.kind) {
    case "call-added": {
      const view = build(change.call);
      article(change.call.model).prepend(view.root);
      break;
    }
    case "call-dropped":
      views.get(change.call)?.root.remove();
      views.delete(change.call);
      break;
    case "arrow-added": {
      const view = views.get(change.call);
      if (!view) return;
      const item = arrowElement(change.arrow);
      view.arrows.set(change.arrow, item);
      view.list.append(item);
      break;
    }
    case "arrow-folded": {
      const view = views.get(change.call);
      if (!view) return;
      view.arrows.get(change.arrow)?.remove();
      view.arrows.delete(change.arrow);
      drawFold(change.call, view);
      break;
    }
    case "call-ended": {
      const view = views.get(change.call);
      if (view) drawHead(change.call, view);
    }
  }
}

function build(call: Call): CallView {
  const root = element("div", "call");
  root.dataset.callId = String(call.id);
  root.dataset.method = call.method;
  root.dataset.connection = call.connection;
  root.dataset.source = call.source;
  root.setAttribute("aria-label", callTitle(call));
  const head = element("div", "call-head");
  const deadline = element("p", "deadline");
  const mermaidButton = element("button", "mermaid-export", t("models-mermaid"));
  mermaidButton.type = "button";
  const projector = element("button", "projector", t("models-projector"));
  projector.type = "button";
  projector.setAttribute("aria-pressed", "false");
  const buttons = element("div", "call-buttons");
  buttons.append(mermaidButton, projector);
  const lanes = element("div", "lanes");
  const lifelines = element("div", "lifelines");
  lifelines.setAttribute("aria-hidden", "true");
  lifelines.append(element("span", "lane-client", clientLane(call)), element("span", "lane-server", t("models-lane-server")));
  const list = element("ol", "arrows");
  lanes.append(lifelines, list);
  const mermaid = element("div", "mermaid");
  mermaid.hidden = true;
  root.append(head, deadline, buttons, lanes, mermaid);
  const view: CallView = { root, list, arrows: new Map(), head, deadline, mermaid, projector };
  views.set(call, view);
  drawHead(call, view);
  call.arrows.forEach((arrow) => {
    const item = arrowElement(arrow);
    view.arrows.set(arrow, item);
    list.append(item);
  });
  drawFold(call, view);
  mermaidButton.addEventListener("click", () => void exportMermaid(call, view));
  projector.addEventListener("click", () => (projected === call ? leaveProjector() : project(call)));
  return view;
}

/** The call's title, who saw it, its metadata and how it ended. */
function drawHead(call: Call, view: CallView): void {
  const title = element("h4", "call-title", callTitle(call));
  const seen = element("p", "call-seen", t(call.source === "page" ? "models-seen-page" : "models-seen-classroom"));
  // What says how the call was made, the token's presence, and a count of the rest.
  const shown = call.metadata.filter((entry) => !entry.masked || entry.name === "authorization");
  const masked = call.metadata.length - shown.length;
  const parts = shown.map((entry) => `${entry.name}=${entry.value}`);
  if (masked > 0) parts.push(t("models-masked", { count: masked }));
  const metadata = element("p", "metadata", parts.join(" · "));
  const state = element("p", "call-state");
  if (call.ended) {
    view.root.dataset.code = String(call.ended.code);
    if (call.ended.cause) view.root.dataset.cause = call.ended.cause;
    state.textContent = t("models-ended", { status: status(call.ended.code), ms: milliseconds(call.ended.atUs) });
    if (call.ended.cause) state.textContent += ` · ${t(call.ended.cause === "cancelled" ? "models-cause-cancelled" : "models-cause-deadline")}`;
  } else state.textContent = t("models-open");
  view.head.replaceChildren(title, seen, metadata, state);
  drawDeadline(call, view);
}

/** "Deadline 900 ms · 412.3 ms left", while the call is open. */
function drawDeadline(call: Call, view: CallView): void {
  const deadline = call.deadlineMs;
  view.deadline.hidden = deadline === undefined;
  if (deadline === undefined) return;
  const total = milliseconds(deadline * 1000);
  if (call.ended) {
    view.deadline.textContent = t("models-deadline", { deadline: total });
    delete view.deadline.dataset.leftMs;
    return;
  }
  const left = Math.max(0, deadline - (performance.now() - call.startedAt));
  view.deadline.dataset.leftMs = String(Math.round(left));
  view.deadline.textContent = t("models-deadline-left", { deadline: total, left: milliseconds(left * 1000) });
  view.deadline.classList.toggle("passed", left === 0);
}

function drawFold(call: Call, view: CallView): void {
  if (call.folded === 0) return;
  if (!view.fold) {
    view.fold = element("li", "fold");
  }
  view.fold.dataset.folded = String(call.folded);
  view.fold.textContent = foldedText(call.folded);
  const first = call.arrows[MAX_HEAD_ARROWS];
  const before = first ? view.arrows.get(first) : undefined;
  if (before) view.list.insertBefore(view.fold, before);
  else view.list.append(view.fold);
}

function arrowElement(arrow: Arrow): HTMLLIElement {
  const item = element("li", `arrow arrow-${arrow.kind}`);
  item.dataset.kind = arrow.kind;
  let direction: "client" | "server" = "client";
  if (arrow.kind === "message") {
    direction = arrow.direction;
    item.dataset.direction = arrow.direction;
    item.dataset.encodedBytes = String(arrow.encodedBytes);
    item.dataset.jsonBytes = String(arrow.jsonBytes);
  }
  if (arrow.kind === "trailers") direction = "server";
  if (arrow.kind === "skipped") item.dataset.count = String(arrow.count);
  item.classList.add(`from-${direction}`);
  const glyph = arrow.kind === "skipped" ? "⋯" : direction === "client" ? "→" : "←";
  const text = element("span", "text");
  text.append(element("span", "at", at(arrow)), ` ${glyph} ${arrowText(arrow)}`);
  const line = element("span", "line");
  line.setAttribute("aria-hidden", "true");
  item.append(text, line);
  if (arrow.kind === "message" && !arrow.compressed && arrow.json !== "") {
    const details = element("details");
    details.append(element("summary", "", t("models-show-message")), element("pre", "json", pretty(arrow.json, arrow.truncated)));
    item.append(details);
  }
  return item;
}

/** The message's JSON, indented when whole; a cut one as it came, said so. */
function pretty(json: string, truncated: boolean): string {
  if (truncated) return `${json}… ${t("models-json-cut")}`;
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

async function exportMermaid(call: Call, view: CallView): Promise<void> {
  const text = toMermaid(call);
  const area = element("textarea");
  area.readOnly = true;
  area.rows = Math.min(20, text.split("\n").length + 1);
  area.value = text;
  area.setAttribute("aria-label", t("models-mermaid-label"));
  const note = element("p", "mermaid-note", t("models-mermaid-select"));
  view.mermaid.replaceChildren(area, note);
  view.mermaid.hidden = false;
  area.focus();
  area.select();
  try {
    await navigator.clipboard.writeText(text);
    note.textContent = t("models-mermaid-copied");
  } catch {
    // No clipboard (not allowed, or not a secure context): the text is selected.
  }
}

function project(call: Call): void {
  leaveProjector();
  const view = views.get(call);
  if (!view) return;
  projected = call;
  call.pinned = true;
  view.root.classList.add("projected");
  document.body.classList.add("projecting");
  view.projector.setAttribute("aria-pressed", "true");
  view.projector.textContent = t("models-projector-leave");
  view.projector.focus();
}

function leaveProjector(): void {
  if (!projected) return;
  const call = projected;
  projected = undefined;
  call.pinned = false;
  document.body.classList.remove("projecting");
  const view = views.get(call);
  if (!view) return;
  view.root.classList.remove("projected");
  view.projector.setAttribute("aria-pressed", "false");
  view.projector.textContent = t("models-projector");
  view.projector.focus();
}

/** The commands of the two models a browser cannot call, for this server. */
function drawCommands(): void {
  const url = $<HTMLInputElement>("grpc-url").value.trim() || "http://HOST:50051";
  for (const command of document.querySelectorAll<HTMLElement>("#models code.command")) {
    command.textContent = (command.dataset.template ?? "").replace("URL", url);
  }
}

/** The gRPC address on the host this page came from: the port and scheme
 * the server gave, or bank-server's defaults. The host stays the page's:
 * a server listening on every address cannot know which name reaches it. */
function grpcUrlOn(about?: About): string {
  const scheme = about?.tls ? "https" : "http";
  return `${scheme}://${location.hostname}:${about?.grpc_port ?? DEFAULT_GRPC_PORT}`;
}

/** Fills the address with the gRPC port the server gave, unless the reader
 * already typed one. Without an answer the guess stays, with its note. */
async function learnGrpcUrl(field: HTMLInputElement): Promise<void> {
  const known = await about;
  if (typeof known?.grpc_port !== "number" || field.dataset.edited === "true") return;
  field.value = grpcUrlOn(known);
  $("grpc-url-note").dataset.l10n = "models-grpc-url-known";
  $("grpc-url-note").textContent = t("models-grpc-url-known");
  drawCommands();
}

/** Everything drawn again, in the new language. */
function redrawAll(): void {
  for (const call of diagram.all()) {
    const old = views.get(call);
    const fresh = build(call);
    if (old) old.root.replaceWith(fresh.root);
    if (projected === call) {
      fresh.root.classList.add("projected");
      fresh.projector.setAttribute("aria-pressed", "true");
      fresh.projector.textContent = t("models-projector-leave");
    }
  }
}

/** How long a copy button says "Copied" before it says "Copy" again. */
const COPIED_FOR_MS = 2000;

/** Copies the command beside `button`, and says so on the button; where
 * the browser refuses the clipboard (a page on plain HTTP away from
 * localhost), selects the command instead, for Ctrl-C. */
async function copyCommand(button: HTMLButtonElement): Promise<void> {
  const code = button.parentElement?.querySelector("code.command");
  if (!code) return;
  try {
    if (!navigator.clipboard) throw new Error("no clipboard here");
    await navigator.clipboard.writeText(code.textContent ?? "");
    button.dataset.l10n = "models-copied";
  } catch {
    getSelection()?.selectAllChildren(code);
    button.dataset.l10n = "models-copy-select";
  }
  button.textContent = t(button.dataset.l10n);
  setTimeout(() => {
    button.dataset.l10n = "models-copy";
    button.textContent = t("models-copy");
  }, COPIED_FOR_MS);
}

export function setUpModels(): void {
  const grpcUrl = $<HTMLInputElement>("grpc-url");
  grpcUrl.value = grpcUrlOn();
  grpcUrl.addEventListener("input", () => {
    grpcUrl.dataset.edited = "true";
    drawCommands();
  });
  drawCommands();
  void learnGrpcUrl(grpcUrl);
  for (const button of document.querySelectorAll<HTMLButtonElement>("#models button.copy-command")) {
    button.addEventListener("click", () => void copyCommand(button));
  }
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && projected) leaveProjector();
  });
  setInterval(() => {
    for (const [call, view] of views) if (call.deadlineMs !== undefined && !call.ended) drawDeadline(call, view);
  }, COUNTDOWN_EVERY_MS);
  onPageCall((input) => {
    // While the classroom watches, it shows the page's calls as the server sees them.
    if (watchState() !== "watching" || input.kind !== "started") diagram.apply(input);
  });
  setUpClassroom((input) => diagram.apply(input));
  onLanguageChange(redrawAll);
}
