// The converter: Convert over gRPC-Web (unary), one call per submission.
//
// It shows the exact result, the rate and its tick as the server sent them
// (strings: the page never does arithmetic on money), or the server's
// error, localized by the server from the page's accept-language, with the
// field named by google.rpc.BadRequest highlighted and focused.
//
// The optional instant (`at`, the reader's local time to the second) asks
// for the rate of a past tick, exactly as it was published then; empty
// means the current tick. A future instant, or one beyond the server's
// history, is the server's OUT_OF_RANGE naming `at`.
//
// Lifecycle: the last answer is kept. A language switch redraws a result
// in the new language, and asks again for an error (the server wrote its
// message in the old one; an error depends on the request only, so the
// same request gives the same error).
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ConnectError } from "@connectrpc/connect";
import type { ConvertRequestSchema, ConvertResponse } from "./gen/bank/v1/bank_pb.js";
import { BadRequestSchema } from "./gen/google/rpc/error_details_pb.js";
import { $ } from "./dom.js";
import { formatDateTime } from "./formats.js";
import { onLanguageChange, t } from "./i18n.js";
import { bank, describe } from "./rpc.js";

/** The fields a BadRequest may name, as the form's inputs are named. */
const FIELDS = ["amount", "from_currency", "to_currency", "at"];

type Request = MessageInitShape<typeof ConvertRequestSchema>;

/** The last request and what came of it, redrawn on a language switch. */
let last: { request: Request; outcome: { reply: ConvertResponse } | { error: true } } | undefined;

/** The form's request; `at` from the local date and time typed, if any. */
function typedRequest(): Request {
  const value = (id: string) => $<HTMLInputElement>(id).value.trim();
  const at = $<HTMLInputElement>("at").value;
  return {
    amount: value("amount"),
    fromCurrency: value("from_currency").toUpperCase(),
    toCurrency: value("to_currency").toUpperCase(),
    // datetime-local gives the reader's local time; Date reads it so.
    at: at === "" ? undefined : timestampFromDate(new Date(at)),
  };
}

function showReply(reply: ConvertResponse): void {
  const output = $("convert-output");
  const time = reply.rateTime ? formatDateTime(timestampDate(reply.rateTime)) : "";
  output.className = "";
  output.dataset.converted = reply.convertedAmount;
  output.dataset.sequence = reply.rateSequence.toString();
  output.replaceChildren(
    t("convert-result", { amount: reply.amount, from: reply.fromCurrency, converted: reply.convertedAmount, to: reply.toCurrency }),
    document.createElement("br"),
    t("convert-rate", { rate: reply.rate, sequence: reply.rateSequence.toString(), time }),
  );
}

async function convert(request: Request, focus: boolean): Promise<void> {
  const output = $("convert-output");
  for (const field of FIELDS) $(field).removeAttribute("aria-invalid");
  output.className = "";
  output.textContent = t("convert-busy");
  try {
    const reply = await bank.convert(request);
    last = { request, outcome: { reply } };
    showReply(reply);
  } catch (error) {
    const failure = ConnectError.from(error);
    last = { request, outcome: { error: true } };
    delete output.dataset.converted;
    delete output.dataset.sequence;
    output.className = "error";
    output.textContent = describe(failure);
    for (const details of failure.findDetails(BadRequestSchema)) {
      for (const violation of details.fieldViolations) {
        if (FIELDS.includes(violation.field)) {
          $(violation.field).setAttribute("aria-invalid", "true");
          if (focus) $(violation.field).focus();
        }
      }
    }
  }
}

export function setUpConverter(): void {
  $("convert-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void convert(typedRequest(), true);
  });
  onLanguageChange(() => {
    if (!last) return;
    if ("reply" in last.outcome) showReply(last.outcome.reply);
    else void convert(last.request, false);
  });
}
