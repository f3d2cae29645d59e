// Request ids: an incoming X-Request-Id is kept when it looks like an id (so a proxy's or a client's id
// follows the request through our logs), otherwise a fresh UUID is made; either way the response
// carries it back in X-Request-Id. Fastify puts it on every log line of the request as reqId.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";

export const REQUEST_ID_HEADER = "x-request-id";
/** Letters, digits and . _ : @ - only, at most 128 of them: nothing that could forge a log field. */
const ACCEPTED_ID = /^[\w.:@-]{1,128}$/;

/** Fastify's genReqId. */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === "string" && ACCEPTED_ID.test(incoming) ? incoming : randomUUID();
}

export function installRequestIds(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    // On the raw response, so that streams that write their own head (SSE) send it too.
    reply.raw.setHeader(REQUEST_ID_HEADER, request.id);
  });
}
