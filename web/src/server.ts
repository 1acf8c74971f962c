// What the page learns of the server it came from, at GET /server.json
// (server/web/assets.rs): the gRPC port, TLS, whether the classroom and
// tokens are on, the tick's length and the server's clock.
//
// Lifecycle: asked once when the page loads; every part awaits the same
// answer. The server's clock is kept as an offset from the browser's, so
// `serverNowMs()` follows the server's time however far the browser's
// clock is from it (a tick that has not started on the server is never
// served, so a page ahead of it would ask for the future).

/** The server's own description of itself. */
export interface About {
  grpc_port: number;
  tls: boolean;
  classroom: boolean;
  tokens: boolean;
  tick_ms: number;
  now_unix_ms: number;
}

/** Server time minus browser time, in milliseconds, once known. */
let offsetMs = 0;

async function ask(): Promise<About | undefined> {
  try {
    const sent = Date.now();
    const answer = await fetch("/server.json", { cache: "no-store" });
    if (!answer.ok) return undefined;
    const about = (await answer.json()) as About;
    if (typeof about.now_unix_ms === "number") {
      // The server read its clock about halfway through the exchange.
      offsetMs = about.now_unix_ms - Math.round((sent + Date.now()) / 2);
    }
    return about;
  } catch {
    return undefined; // an older server without /server.json: defaults apply
  }
}

/** The answer, asked once. Undefined for a server that does not say. */
export const about: Promise<About | undefined> = ask();

/** Now on the server's clock, in milliseconds since the Unix epoch (the
 * browser's own until /server.json has answered). */
export function serverNowMs(): number {
  return Date.now() + offsetMs;
}
