// Every log line of a request about one job carries job_id: routes under /v1/jobs/:id get a request
// logger bound to the id (Fastify's own "incoming request"/"request completed" lines included), and a
// handler that creates a job binds it with bindJobToRequest.
import type { IncomingMessage } from "node:http";
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

const JOB_ROUTE = /^\/v1\/jobs\/:id(\/|$)/;
/** Where :id sits in the path of such a route: /v1/jobs/:id -> ["", "v1", "jobs", ID]. */
const ID_SEGMENT = 3;

function jobIdOf(req: IncomingMessage): string | undefined {
  const segment = (req.url ?? "").split("?")[0].split("/")[ID_SEGMENT];
  if (!segment) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function installJobLogging(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    if (!JOB_ROUTE.test(route.url) || route.childLoggerFactory) return;
    // The route matched, so the id is the path's fourth segment (params are not parsed yet here).
    route.childLoggerFactory = function (logger: FastifyBaseLogger, bindings, options, req) {
      const jobId = jobIdOf(req as IncomingMessage);
      return logger.child(jobId === undefined ? bindings : { ...bindings, job_id: jobId }, options);
    };
  });
}

/** From here on, the request's log lines (and its "request completed" line) carry job_id. */
export function bindJobToRequest(request: FastifyRequest, reply: FastifyReply, jobId: string): void {
  const log = request.log.child({ job_id: jobId });
  request.log = log;
  reply.log = log;
}
