// A call's diagram as Mermaid `sequenceDiagram` text, to paste into a
// Markdown file, a slide or an issue (GitHub and GitLab draw it).
//
// The text says what the page's diagram says (labels.ts), arrow for arrow:
// `->>` a message, `-->>` the half-close and the trailers, `-x` a
// cancellation, a note for folded or skipped arrows. Mermaid reads `;`
// and `#` in a message as syntax, so they are written as entities.
import type { Arrow, Call } from "./diagram.js";
import { MAX_HEAD_ARROWS } from "./diagram.js";
import { arrowText, at, callTitle, clientLane, foldedText } from "./labels.js";
import { t } from "./i18n.js";

/** Text Mermaid shows as written. */
function plain(text: string): string {
  return text.replace(/#/g, "#35;").replace(/;/g, "#59;").replace(/\n/g, " ");
}

function line(arrow: Arrow): string {
  const text = plain(`${at(arrow)} ${arrowText(arrow)}`);
  switch (arrow.kind) {
    case "message":
      return arrow.direction === "client" ? `    C->>S: ${text}` : `    S->>C: ${text}`;
    case "half-close":
      return `    C-->>S: ${text}`;
    case "trailers":
      return `    S-->>C: ${text}`;
    case "cancel":
      return `    C-xS: ${text}`;
    case "skipped":
      return `    Note over C,S: ${text}`;
  }
}

/** The Mermaid text of `call`, as drawn now. */
export function toMermaid(call: Call): string {
  const lines = [
    "sequenceDiagram",
    `    participant C as ${plain(clientLane(call))}`,
    `    participant S as ${plain(t("models-lane-server"))}`,
    `    Note over C,S: ${plain(callTitle(call))}`,
  ];
  call.arrows.forEach((arrow, index) => {
    if (index === MAX_HEAD_ARROWS && call.folded > 0) lines.push(`    Note over C,S: ${plain(foldedText(call.folded))}`);
    lines.push(line(arrow));
  });
  return lines.join("\n") + "\n";
}
