// GET /v1/jobs/:id/events: server-sent events. Status changes come from the job's event log and
// metrics from the metric rows, both read from the database (which every API instance shares), so
// the stream works whichever instance the client reaches. The SSE id "EVENT:STEP" lets a client
// reconnect with Last-Event-ID and miss nothing.
import type { FastifyPluginAsync } from "fastify";
import { setTimeout as sleep } from "node:timers/promises";
import { eventsAfter } from "../../store/events.js";
import { getTenantJob, TERMINAL_STATUSES, type JobStatus } from "../../store/jobs.js";
import { metricsAfter } from "../../store/metrics.js";
import type { RouteOptions } from "../context.js";
import { badRequest, errorResponses, notFound } from "../errors.js";
import { idParams } from "../schemas.js";

const POLL_MS = 300;
const HEARTBEAT_MS = 15_000;

const MAX_INT32 = 2 ** 31 - 1;

/** "event:step" as this stream writes ids; a number no column can hold is refused before the stream starts. */
function parseLastEventId(raw: string | undefined): { eventId: number; step: number } {
  const match = /^(\d+):(-?\d+)$/.exec(raw ?? "");
  if (!match) return { eventId: 0, step: 0 };
  const [eventId, step] = [Number(match[1]), Number(match[2])];
  if (eventId > MAX_INT32 || Math.abs(step) > MAX_INT32) throw badRequest(`Last-Event-ID ${raw!.slice(0, 40)} is not an id this stream sent`, "last-event-id");
  return { eventId, step };
}

export const eventsRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get<{ Params: { id: string } }>("/v1/jobs/:id/events", {
    schema: {
      tags: ["jobs"],
      summary: "Server-sent events: `status` ({status, ...}) and `metric` (a metrics row); ends after the job's final status",
      params: idParams,
      response: { 200: { type: "string", description: "text/event-stream" }, ...errorResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    const job = await getTenantJob(ctx.db, request.tenantId, request.params.id);
    if (!job) throw notFound("job", request.params.id);
    let { eventId, step } = parseLastEventId(request.headers["last-event-id"] as string | undefined);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
    let closed = false;
    request.raw.on("close", () => (closed = true));
    const send = (type: string, data: unknown) => res.write(`id: ${eventId}:${step}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    let lastWrite = Date.now();
    // Set once the final status is sent; the stream then ends as soon as no metric is left to send
    // (it stays set across rounds: the final status often comes in the same round as the last metrics).
    let finished = false;
    try {
      while (!closed) {
        const events = await eventsAfter(ctx.db, job.id, eventId);
        const metrics = await metricsAfter(ctx.db, job.id, step, 1000);
        // Metrics first: a final status arrives after the metrics that led to it.
        for (const row of metrics) {
          step = row.step;
          send("metric", row);
        }
        for (const event of events) {
          eventId = event.id;
          send(event.type, event.data);
          if (event.type === "status" && TERMINAL_STATUSES.includes((event.data as { status: JobStatus }).status)) finished = true;
        }
        if (events.length || metrics.length) lastWrite = Date.now();
        if (finished && metrics.length === 0) break;
        if (Date.now() - lastWrite > HEARTBEAT_MS) {
          res.write(": keep-alive\n\n");
          lastWrite = Date.now();
        }
        if (!finished) await sleep(POLL_MS);
      }
    } catch (err) {
      request.log.warn({ err }, "event stream stopped");
    } finally {
      res.end();
    }
  });
};
