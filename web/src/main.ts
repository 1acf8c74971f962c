// The page: a live rate board (StreamRates) and a converter (Convert),
// both over gRPC-Web from the browser, in English or French.
//
// Lifecycle: the language is chosen from the browser's (navigator.languages)
// until the reader picks one; every text comes from the Fluent catalogs in
// ../locales and is redrawn on a switch. The transport sends the chosen
// language as accept-language, so the server's errors come back in it. The
// board holds one StreamRates call at a time, cancelled by Stop or by
// watching other pairs; the converter makes one Convert per submission.
import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { BankService } from "./gen/bank/v1/bank_pb.js";
import { BadRequestSchema } from "./gen/google/rpc/error_details_pb.js";
import en from "../locales/en.ftl";
import fr from "../locales/fr.ftl";

type Lang = "en" | "fr";
const CATALOGS: Record<Lang, string> = { en, fr };

/** The language of the browser, if it is one of ours; English otherwise. */
function browserLang(): Lang {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const primary = tag.toLowerCase().split("-")[0];
    if (primary === "fr" || primary === "en") return primary;
  }
  return "en";
}

let lang: Lang = browserLang();
let bundle = makeBundle(lang);

function makeBundle(of: Lang): FluentBundle {
  const made = new FluentBundle(of, { useIsolating: false });
  made.addResource(new FluentResource(CATALOGS[of]));
  return made;
}

/** The text of `id`; the id itself only if a catalog lacks it (a test catches that). */
function t(id: string, args?: Record<string, FluentVariable>): string {
  const message = bundle.getMessage(id);
  return message?.value ? bundle.formatPattern(message.value, args) : id;
}

const transport = createGrpcWebTransport({
  baseUrl: location.origin,
  interceptors: [
    (next) => (request) => {
      request.header.set("accept-language", lang);
      return next(request);
    },
  ],
});
const bank = createClient(BankService, transport);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Redraws every static text in the current language. */
function translatePage(): void {
  document.documentElement.lang = lang;
  document.title = t("page-title");
  for (const element of document.querySelectorAll<HTMLElement>("[data-l10n]")) {
    element.textContent = t(element.dataset.l10n ?? "");
  }
  $<HTMLButtonElement>("board-toggle").textContent = t(feed ? "board-stop" : "board-start");
  redrawBoardStatus();
}

// ---- The rate board ----

/** The open feed, if any: its cancellation. */
let feed: AbortController | undefined;
/** What the status line says, kept so that a language switch redraws it. */
let boardState: { kind: "idle" } | { kind: "waiting" } | { kind: "live"; sequence: bigint; skipped: bigint } | { kind: "ended"; reason: string } = { kind: "idle" };

function redrawBoardStatus(): void {
  const status = $("board-status");
  status.replaceChildren();
  switch (boardState.kind) {
    case "idle":
      status.textContent = t("board-idle");
      break;
    case "waiting":
      status.textContent = t("board-waiting");
      break;
    case "ended":
      status.textContent = t("board-ended", { reason: boardState.reason });
      status.className = "error";
      return;
    case "live": {
      status.textContent = t("board-sequence", { sequence: boardState.sequence.toString() });
      if (boardState.skipped > 0n) {
        const skipped = document.createElement("span");
        skipped.className = "skipped";
        skipped.textContent = " · " + t("board-skipped", { count: Number(boardState.skipped) });
        status.append(skipped);
      }
    }
  }
  status.className = "";
}

async function watch(pairs: string[]): Promise<void> {
  feed?.abort();
  const controller = new AbortController();
  feed = controller;
  boardState = { kind: "waiting" };
  translatePage();
  const rows = $("board").querySelector("tbody")!;
  rows.replaceChildren();
  let last: bigint | undefined;
  let skipped = 0n;
  try {
    for await (const update of bank.streamRates({ pairs }, { signal: controller.signal })) {
      // A gap in the sequence is ticks the feed skipped (a slow reader gets
      // the newest tick, never a queue): shown, counted, never hidden.
      if (last !== undefined && update.sequence > last + 1n) skipped += update.sequence - last - 1n;
      last = update.sequence;
      boardState = { kind: "live", sequence: update.sequence, skipped };
      redrawBoardStatus();
      rows.replaceChildren(
        ...update.quotes.map((quote) => {
          const row = document.createElement("tr");
          for (const text of [quote.pair, quote.bid, quote.mid, quote.ask]) {
            const cell = document.createElement("td");
            cell.textContent = text;
            row.append(cell);
          }
          return row;
        }),
      );
    }
    boardState = { kind: "idle" };
  } catch (error) {
    const failure = ConnectError.from(error);
    boardState = failure.code === Code.Canceled ? { kind: "idle" } : { kind: "ended", reason: describe(failure) };
  }
  if (feed === controller) feed = undefined;
  translatePage();
}

$("board-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (feed) {
    feed.abort();
    return;
  }
  const pairs = $<HTMLInputElement>("pairs")
    .value.split(",")
    .map((pair) => pair.trim().toUpperCase())
    .filter((pair) => pair !== "");
  void watch(pairs);
});

// ---- The converter ----

/** The fields a BadRequest may name, as the form's inputs are named. */
const FIELDS = ["amount", "from_currency", "to_currency"];

/** The server's message (localized by it) and its code. */
function describe(error: ConnectError): string {
  return `${error.rawMessage} (${t("error-code", { code: Code[error.code] })})`;
}

$("convert-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const output = $("convert-output");
  const value = (id: string) => $<HTMLInputElement>(id).value.trim();
  for (const field of FIELDS) $(field).removeAttribute("aria-invalid");
  output.className = "";
  output.textContent = t("convert-busy");
  try {
    const reply = await bank.convert({
      amount: value("amount"),
      fromCurrency: value("from_currency").toUpperCase(),
      toCurrency: value("to_currency").toUpperCase(),
    });
    const time = reply.rateTime ? timestampDate(reply.rateTime).toISOString() : "";
    output.replaceChildren(
      t("convert-result", { amount: reply.amount, from: reply.fromCurrency, converted: reply.convertedAmount, to: reply.toCurrency }),
      document.createElement("br"),
      t("convert-rate", { rate: reply.rate, sequence: reply.rateSequence.toString(), time }),
    );
  } catch (error) {
    const failure = ConnectError.from(error);
    output.className = "error";
    output.textContent = describe(failure);
    // The field at fault, from google.rpc.BadRequest in the status details.
    for (const details of failure.findDetails(BadRequestSchema)) {
      for (const violation of details.fieldViolations) {
        if (FIELDS.includes(violation.field)) {
          $(violation.field).setAttribute("aria-invalid", "true");
          $(violation.field).focus();
        }
      }
    }
  }
});

// ---- Language ----

const picker = $<HTMLSelectElement>("language");
picker.value = lang;
picker.addEventListener("change", () => {
  lang = picker.value === "fr" ? "fr" : "en";
  bundle = makeBundle(lang);
  translatePage();
});

translatePage();
