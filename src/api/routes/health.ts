// Liveness (the process answers) and readiness (the database and Redis answer).
import type { FastifyPluginAsync } from "fastify";
import type { RouteOptions } from "../context.js";
import { errorResponses, unavailable } from "../errors.js";

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref())]);

export const healthRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get("/healthz", {
    schema: { tags: ["health"], summary: "The process is up", security: [], response: { 200: { type: "object", required: ["status"], properties: { status: { type: "string", enum: ["ok"] } } } } },
  }, async () => ({ status: "ok" as const }));

  app.get("/readyz", {
    schema: {
      tags: ["health"],
      summary: "The database and Redis answer",
      security: [],
      response: {
        200: { type: "object", required: ["status", "checks"], properties: { status: { type: "string", enum: ["ok"] }, checks: { type: "object", properties: { database: { type: "string" }, redis: { type: "string" } } } } },
        ...errorResponses(503),
      },
    },
  }, async () => {
    const failures: string[] = [];
    await withTimeout(ctx.db.$queryRawUnsafe("SELECT 1"), 3_000, "database").catch((err: Error) => failures.push(`database: ${err.message.split("\n")[0]}`));
    await withTimeout(ctx.queue.ping(), 3_000, "redis").catch((err: Error) => failures.push(`redis: ${err.message}`));
    if (failures.length) throw unavailable(`not ready: ${failures.join("; ")}`);
    return { status: "ok" as const, checks: { database: "ok", redis: "ok" } };
  });
};
