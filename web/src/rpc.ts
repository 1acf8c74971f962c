// The page's clients: BankService and ClassroomService over gRPC-Web, on
// the page's own origin.
//
// Every call carries the page's language as `accept-language` (the server
// answers errors in it) and, when the reader gave one, the token as
// `authorization: Bearer …` (a server started with --auth-tokens refuses
// calls without it). Both are read at each call, so a switch or a new token
// applies to the next call without rebuilding anything. Errors are shown
// with the server's sentence in that language (`describe`). The page's own
// BankService calls are also recorded for the four models' diagrams
// (recorder.ts), after these headers are set, so the record shows them.
import { ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { BankService } from "./gen/bank/v1/bank_pb.js";
import { ClassroomService } from "./gen/bank/v1/classroom_pb.js";
import { LocalizedMessageSchema } from "./gen/google/rpc/error_details_pb.js";
import { language, t } from "./i18n.js";
import { codeName } from "./diagram.js";
import { recorder } from "./recorder.js";

/** The bearer token the reader typed, if any. */
let token = "";

export function setToken(value: string): void {
  token = value.trim();
}

const transport = createGrpcWebTransport({
  baseUrl: location.origin,
  interceptors: [
    (next) => (request) => {
      request.header.set("accept-language", language());
      if (token !== "") request.header.set("authorization", `Bearer ${token}`);
      return next(request);
    },
    recorder,
  ],
});

export const bank = createClient(BankService, transport);
export const classroom = createClient(ClassroomService, transport);

/**
 * The server's sentence for the reader and the code. The status message is
 * English, for developers; the sentence in the caller's language is the
 * google.rpc.LocalizedMessage detail, when the server sent one.
 */
export function describe(error: ConnectError): string {
  const localized = error.findDetails(LocalizedMessageSchema).find((detail) => detail.message !== "");
  return `${localized?.message ?? error.rawMessage} (${t("error-code", { code: codeName(error.code) })})`;
}
