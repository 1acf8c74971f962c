// The page's own calls, as the browser sees them: a Connect interceptor
// that turns each BankService call this page makes into the diagram's
// inputs (diagram.ts), for the diagrams drawn without a classroom.
//
// Lifecycle of a recorded call: the interceptor numbers it and reports its
// start (with grpc-timeout, if the call has a deadline), its request and
// the half-close (gRPC-Web sends the whole request body at once, so both
// come at the start), then each response message as the code reading the
// call receives it, and its end: OK, the error status with its ErrorInfo
// reason and BadRequest fields, or a cancellation when the page aborted it.
// Sizes are measured on the messages themselves: the protobuf encoding
// (toBinary, what went on the wire) beside the same message as JSON
// (toJsonString, with the proto's field names and every field, as the
// classroom counts).
// ClassroomService's own call is not recorded: it is not a lesson.
import { type DescMessage, type MessageShape, toBinary, toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { type DiagramInput, grpcTimeoutMs, type ModelKey } from "./diagram.js";
import { ErrorInfoSchema, BadRequestSchema } from "./gen/google/rpc/error_details_pb.js";

/** Longest JSON text kept per message, like the classroom's
 * MAX_MESSAGE_JSON_BYTES: the size is given whole, the text is for reading. */
const MAX_JSON_CHARS = 1024;

const listeners: Array<(input: DiagramInput) => void> = [];
let calls = 0;

/** Registers `listener`, given every input about the page's own calls. */
export function onPageCall(listener: (input: DiagramInput) => void): void {
  listeners.push(listener);
}

function report(input: DiagramInput): void {
  for (const listener of listeners) listener(input);
}

const MODEL_OF: Record<string, ModelKey> = {
  unary: "unary",
  server_streaming: "server-streaming",
  client_streaming: "client-streaming",
  bidi_streaming: "bidi",
};

/** The interceptor rpc.ts puts on the page's transport. */
export const recorder: Interceptor = (next) => async (request) => {
  if (request.service.typeName !== "bank.v1.BankService") return next(request);
  const callId = ++calls;
  const started = performance.now();
  const atUs = () => Math.round((performance.now() - started) * 1000);
  const timeout = request.header.get("grpc-timeout");
  report({
    kind: "started",
    source: "page",
    callId,
    path: `/${request.service.typeName}/${request.method.name}`,
    model: MODEL_OF[request.method.methodKind],
    connection: "page",
    stream: 0,
    metadata: ["grpc-timeout", "accept-language", "authorization"].flatMap((name) => {
      const value = request.header.get(name);
      if (value === null) return [];
      return [{ name, value: name === "authorization" ? "***" : value, masked: name === "authorization" }];
    }),
    deadlineMs: timeout ? grpcTimeoutMs(timeout) : undefined,
    atUs: 0,
  });
  const message = (direction: "client" | "server", schema: DescMessage, value: MessageShape<DescMessage>) => {
    const json = toJsonString(schema, value, { useProtoFieldName: true, alwaysEmitImplicit: true });
    const sequence = schema.typeName === "bank.v1.RateUpdate" ? (value as { sequence?: bigint }).sequence : undefined;
    report({
      kind: "message",
      source: "page",
      callId,
      atUs: atUs(),
      direction,
      type: schema.typeName,
      encodedBytes: toBinary(schema, value).length,
      jsonBytes: new TextEncoder().encode(json).length,
      json: json.length > MAX_JSON_CHARS ? json.slice(0, MAX_JSON_CHARS) : json,
      truncated: json.length > MAX_JSON_CHARS,
      compressed: false,
      sequence,
    });
  };
  let over = false;
  const ended = (error?: unknown) => {
    if (over) return;
    over = true;
    if (error === undefined) {
      report({ kind: "ended", source: "page", callId, atUs: atUs(), code: 0, message: "", reason: "", badFields: [] });
      return;
    }
    const failure = ConnectError.from(error);
    const cause =
      failure.code === Code.Canceled ? "cancelled" : failure.code === Code.DeadlineExceeded && timeout ? "deadline" : undefined;
    report({
      kind: "ended",
      source: "page",
      callId,
      atUs: atUs(),
      code: failure.code,
      message: failure.rawMessage,
      reason: failure.findDetails(ErrorInfoSchema)[0]?.reason ?? "",
      badFields: failure.findDetails(BadRequestSchema).flatMap((details) => details.fieldViolations.map((violation) => violation.field)),
      cause,
    });
  };
  const input = request.method.input;
  const output = request.method.output;
  try {
    if (!request.stream) {
      message("client", input, request.message);
      report({ kind: "half-close", source: "page", callId, atUs: atUs() });
      const response = await next(request);
      if (!response.stream) message("server", output, response.message);
      ended();
      return response;
    }
    const requests = request.message;
    const response = await next({
      ...request,
      message: (async function* () {
        for await (const sent of requests) {
          message("client", input, sent);
          // gRPC-Web sends its one request whole: the body's end, the
          // half-close, goes with it (the transport reads no further).
          report({ kind: "half-close", source: "page", callId, atUs: atUs() });
          yield sent;
        }
      })(),
    });
    if (!response.stream) return response;
    const responses = response.message;
    return {
      ...response,
      message: (async function* () {
        try {
          for await (const received of responses) {
            message("server", output, received);
            yield received;
          }
          ended();
        } catch (error) {
          ended(error);
          throw error;
        } finally {
          // The reader stopped reading (a `break`): the call is abandoned.
          if (!over) ended(new ConnectError("abandoned", Code.Canceled));
        }
      })(),
    };
  } catch (error) {
    ended(error);
    throw error;
  }
};
