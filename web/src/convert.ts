// The converter: Convert over gRPC-Web (unary), one call per submission.
//
// It shows the exact result, the rate and its tick as the server sent them
// (strings: the page never does arithmetic on money), or the server's
// error, localized by the server from the page's accept-language, with the
// field named by google.rpc.BadRequest highlighted and focused.
//
// Lifecycle: the last answer is kept. On a language switch a result is
// redrawn in the new words; an error, which the server wrote in the old
// language, is asked for again (Convert changes nothing on the server).
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { ConnectError } from "@connectrpc/connect";
import type { ConvertResponse } from "./gen/bank/v1/bank_pb.js";
import { BadRequestSchema } from "./gen/google/rpc/error_details_pb.js";
import { $ } from "./dom.js";
import { onLanguageChange, t } from "./i18n.js";
import { bank, describe } from "./rpc.js";

/** The fields a BadRequest may name, as the form's inputs are named. */
const FIELDS = ["amount", "from_currency", "to_currency"];

/** The answer on show, for a language switch to redraw. */
let shown: { kind: "none" } | { kind: "result"; reply: ConvertResponse } | { kind: "error" } = { kind: "none" };

function drawResult(reply: ConvertResponse): void {
  const output = $("convert-output");
  const time = reply.rateTime ? timestampDate(reply.rateTime).toISOString() : "";
  output.className = "";
  output.dataset.converted = reply.convertedAmount;
  output.dataset.sequence = reply.rateSequence.toString();
  output.replaceChildren(
    t("convert-result", { amount: reply.amount, from: reply.fromCurrency, converted: reply.convertedAmount, to: reply.toCurrency }),
    document.createElement("br"),
    t("convert-rate", { rate: reply.rate, sequence: reply.rateSequence.toString(), time }),
  );
}

async function submit(): Promise<void> {
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
    shown = { kind: "result", reply };
    drawResult(reply);
  } catch (error) {
    const failure = ConnectError.from(error);
    shown = { kind: "error" };
    delete output.dataset.converted;
    delete output.dataset.sequence;
    output.className = "error";
    output.textContent = describe(failure);
    for (const details of failure.findDetails(BadRequestSchema)) {
      for (const violation of details.fieldViolations) {
        if (FIELDS.includes(violation.field)) {
          $(violation.field).setAttribute("aria-invalid", "true");
          $(violation.field).focus();
        }
      }
    }
  }
}

export function setUpConverter(): void {
  $("convert-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void submit();
  });
  onLanguageChange(() => {
    if (shown.kind === "result") drawResult(shown.reply);
    else if (shown.kind === "error") void submit();
  });
}
