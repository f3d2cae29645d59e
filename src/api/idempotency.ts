// Idempotency-Key on the creating POSTs (routes that set config.idempotent): a retry with the same key
// and the same request gets the first response again (same status and body, plus the header
// Idempotent-Replayed: true) and creates nothing; the same key with another request is 422.
// The request's fingerprint is a sha256 of the route, its query and its body: the parsed JSON body
// with sorted keys, or, for a streamed upload, its bytes as they stream through to the handler.
// Only a 2xx response is stored: after an error the reservation is released, so a retry runs anew.
// A JSON route stores its answer in the same transaction that creates the resource
// (storeAnswerWith), so an API that dies after the commit still replays it to the retry, and one
// that dies before leaves no resource behind: a retry never makes a second one.
import { createHash, type Hash } from "node:crypto";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Tx } from "../store/db.js";
import * as records from "../store/idempotency.js";
import type { ApiContext } from "./context.js";
import { ApiError, badRequest } from "./errors.js";

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const REPLAYED_HEADER = "idempotent-replayed";
/** How long a duplicate waits for the first request to finish before it is answered 409. */
const WAIT_FOR_FIRST_MS = 10_000;
/** A reservation this old belongs to a request that died with its process: it may be taken over.
 * A JSON request is handled in seconds; an upload may stream for many minutes. */
const ABANDONED_JSON_AFTER_MS = 60_000;
const ABANDONED_UPLOAD_AFTER_MS = 15 * 60_000;

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route honours Idempotency-Key. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotency?: IdempotencyState;
  }
}

interface IdempotencyState {
  recordId: string;
  requestHash: string | null;
  /** For a streamed body: the running hash, finished when the stream ends. */
  streamed?: { hash: Hash; ended: boolean };
  settled: boolean;
}

/** JSON with object keys sorted, so that the same body in another key order is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

const isStream = (body: unknown): body is Readable => body instanceof Readable;

function fingerprintStart(route: string, request: FastifyRequest): Hash {
  return createHash("sha256").update(`${route}\n${canonical(request.query)}\n${request.headers["content-type"] ?? ""}\n`);
}

/** Hashes an upload as the handler reads it (the handler gets the same bytes, unbuffered). */
function hashWhileStreaming(body: Readable, streamed: { hash: Hash; ended: boolean }): Readable {
  return Readable.from(
    (async function* () {
      for await (const piece of body) {
        streamed.hash.update(piece as Buffer);
        yield piece as Buffer;
      }
      streamed.ended = true;
    })(),
    { objectMode: false },
  );
}

/** Reads a duplicate upload to the end (bounded) only to compare its fingerprint. */
async function drainHash(body: Readable, hash: Hash, maxBytes: number): Promise<string> {
  let seen = 0;
  for await (const piece of body) {
    seen += (piece as Buffer).length;
    if (seen > maxBytes) throw new ApiError(413, "payload_too_large", `the upload is over the ${maxBytes}-byte limit (MAX_UPLOAD_BYTES)`);
    hash.update(piece as Buffer);
  }
  return hash.digest("hex");
}

const keyReused = (key: string, why: string) =>
  new ApiError(422, "idempotency_key_reused", `Idempotency-Key "${key}" was first used with ${why}; use a new key for a new request`, "Idempotency-Key");

/**
 * Stores a JSON route's answer inside the transaction that creates its resource, before the
 * response is sent (onSend stores the bytes as sent again; a non-2xx end releases the key as usual).
 */
export async function storeAnswerWith(tx: Tx, request: FastifyRequest, status: number, body: unknown): Promise<void> {
  const state = request.idempotency;
  if (!state?.requestHash) return;
  await records.complete(tx, state.recordId, { status, response: JSON.stringify(body), requestHash: state.requestHash });
}

export function installIdempotency(app: FastifyInstance, ctx: ApiContext): void {
  const { db, config } = ctx;

  app.addHook("preHandler", async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.routeOptions.config.idempotent) return;
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return;
    if (typeof key !== "string" || !/^[\x21-\x7e]{1,255}$/.test(key)) throw badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters", "Idempotency-Key");
    const route = `${request.method} ${request.routeOptions.url}`;
    const streamedBody = isStream(request.body) ? request.body : null;
    const requestHash = streamedBody ? null : fingerprintStart(route, request).update(canonical(request.body)).digest("hex");
    const ttlMs = config.idempotencyTtlSeconds * 1000;
    await records.deleteOlderThan(db, new Date(Date.now() - ttlMs));

    const waitUntil = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const outcome = await records.reserve(db, { tenantId: request.tenantId, key, route, requestHash });
      if (outcome.reserved) {
        const state: IdempotencyState = { recordId: outcome.id, requestHash, settled: false };
        if (streamedBody) {
          state.streamed = { hash: fingerprintStart(route, request), ended: false };
          request.body = hashWhileStreaming(streamedBody, state.streamed);
        }
        request.idempotency = state;
        return;
      }
      const first = outcome.existing;
      const age = Date.now() - first.createdAt.getTime();
      const abandonedAfter = first.requestHash === null ? ABANDONED_UPLOAD_AFTER_MS : ABANDONED_JSON_AFTER_MS;
      if (age > ttlMs || (first.status === null && age > abandonedAfter)) {
        await records.release(db, first.id);
        continue;
      }
      if (first.route !== route) throw keyReused(key, `another route (${first.route})`);
      if (first.status === null) {
        if (requestHash && first.requestHash && first.requestHash !== requestHash) throw keyReused(key, "a different request body");
        if (Date.now() > waitUntil) throw new ApiError(409, "conflict", `the first request with Idempotency-Key "${key}" is still in progress; retry later`);
        await sleep(100);
        continue;
      }
      const hash = requestHash ?? (await drainHash(streamedBody!, fingerprintStart(route, request), config.maxUploadBytes));
      if (first.requestHash !== hash) throw keyReused(key, "a different request body");
      return reply.code(first.status).header(REPLAYED_HEADER, "true").type("application/json; charset=utf-8").send(first.response);
    }
  });

  app.addHook("onSend", async (request, reply, payload) => {
    const state = request.idempotency;
    if (!state || state.settled) return payload;
    state.settled = true;
    const ok = reply.statusCode >= 200 && reply.statusCode < 300 && typeof payload === "string";
    const requestHash = state.requestHash ?? (state.streamed?.ended ? state.streamed.hash.digest("hex") : null);
    if (ok && requestHash) {
      await records.complete(db, state.recordId, { status: reply.statusCode, response: payload, requestHash });
    } else {
      await records.release(db, state.recordId);
    }
    return payload;
  });

  // A request that ended without a response being sent (the client went away) frees its key too.
  app.addHook("onResponse", async (request) => {
    const state = request.idempotency;
    if (state && !state.settled) {
      state.settled = true;
      await records.release(db, state.recordId).catch((err) => request.log.warn({ err }, "could not release an idempotency reservation"));
    }
  });
}
