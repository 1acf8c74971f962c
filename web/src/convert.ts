// The converter: Convert over gRPC-Web (unary), one call per submission.
//
// It shows the exact result, the rate and its tick as the server sent them
// (strings: the page never does arithmetic on money), or the server's
// error, localized by the server from the page's accept-language, with the
// field named by google.rpc.BadRequest highlighted and focused.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "./gen/google/rpc/error_details_pb.js";
import { $ } from "./dom.js";
import { t } from "./i18n.js";
import { bank, describe } from "./rpc.js";

/** The fields a BadRequest may name, as the form's inputs are named. */
const FIELDS = ["amount", "from_currency", "to_currency"];

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
    const time = reply.rateTime ? timestampDate(reply.rateTime).toISOString() : "";
    output.dataset.converted = reply.convertedAmount;
    output.dataset.sequence = reply.rateSequence.toString();
    output.replaceChildren(
      t("convert-result", { amount: reply.amount, from: reply.fromCurrency, converted: reply.convertedAmount, to: reply.toCurrency }),
      document.createElement("br"),
      t("convert-rate", { rate: reply.rate, sequence: reply.rateSequence.toString(), time }),
    );
  } catch (error) {
    const failure = ConnectError.from(error);
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
}
