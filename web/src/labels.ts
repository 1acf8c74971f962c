// The words of a diagram, in the page's language: one place for what an
// arrow or a call says, shared by the page's diagrams (models.ts) and
// their Mermaid text (mermaid.ts), so the two never tell different stories.
import { type Arrow, type Call, codeName } from "./diagram.js";
import { language, t } from "./i18n.js";

/** Milliseconds with one decimal, the reader's way ("1,234.5", "1 234,5"). */
export function milliseconds(micros: number): string {
  return new Intl.NumberFormat(language(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(micros / 1000);
}

/** A whole number, the reader's way. */
export function whole(value: number): string {
  return new Intl.NumberFormat(language(), { maximumFractionDigits: 0 }).format(value);
}

/** "+12.3 ms": when an arrow happened, since its call started. */
export function at(arrow: Arrow): string {
  return t("models-at", { ms: milliseconds(arrow.atUs) });
}

/** The status as gRPC writes it in the trailers, with its name. */
export function status(code: number): string {
  return `grpc-status ${code} (${codeName(code)})`;
}

/** What an arrow says, without its time. */
export function arrowText(arrow: Arrow): string {
  switch (arrow.kind) {
    case "message": {
      const type = arrow.type.slice(arrow.type.lastIndexOf(".") + 1);
      const encoded = whole(arrow.encodedBytes);
      return arrow.compressed
        ? t("models-message-compressed", { type, encoded })
        : t("models-message", { type, encoded, json: whole(arrow.jsonBytes) });
    }
    case "half-close":
      return t("models-half-close");
    case "cancel":
      return t("models-cancel");
    case "skipped":
      return t(arrow.what === "ticks" ? "models-skipped-ticks" : "models-skipped-events", { count: arrow.count });
    case "trailers": {
      const parts = [t("models-trailers", { status: status(arrow.code) })];
      if (arrow.reason !== "") parts.push(t("models-trailers-reason", { reason: arrow.reason }));
      if (arrow.badFields.length > 0) parts.push(t("models-trailers-fields", { fields: arrow.badFields.join(", ") }));
      return parts.join(" · ");
    }
  }
}

/** The client's lane: "client 3 · HTTP/2 stream 5", or "this page". */
export function clientLane(call: Call): string {
  if (call.source === "page") return t("models-lane-page");
  return call.stream > 0 ? t("models-lane-client", { connection: call.connection, stream: call.stream }) : call.connection;
}

/** "Call 12 · ConvertBatch" and who saw it. */
export function callTitle(call: Call): string {
  return t(call.source === "page" ? "models-call-page" : "models-call-classroom", { id: call.id, method: call.method });
}

/** How many arrows were folded out of the middle of a long stream. */
export function foldedText(count: number): string {
  return t("models-folded", { count });
}
