// The Fastify application: shared schemas, error shape, OpenAPI document and docs, and one plugin
// per concern. The caller owns the database and queue connections (see src/main.ts, tests).
import Fastify, { type FastifyInstance } from "fastify";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { ApiContext } from "./context.js";
import { dashboardRoutes } from "./dashboard.js";
import { errorSchema, frameworkErrorHandler, installErrorHandling } from "./errors.js";
import { sharedSchemas } from "./schemas.js";
import { queueBoard } from "./admin/queue-board.js";
import { installJobLogging } from "./observability/job-logging.js";
import { installMetrics } from "./observability/metrics.js";
import { installRequestIds, requestIdFor } from "./observability/request-id.js";
import { installAuth } from "./auth/plugin.js";
import { installIdempotency } from "./idempotency.js";
import { adminRoutes } from "./routes/admin.js";
import { checkpointsRoutes } from "./routes/checkpoints.js";
import { datasetsRoutes } from "./routes/datasets.js";
import { eventsRoutes } from "./routes/events.js";
import { healthRoutes } from "./routes/health.js";
import { jobsRoutes } from "./routes/jobs.js";
import { metricsRoutes } from "./routes/metrics.js";
import { modelsRoutes } from "./routes/models.js";

export async function buildApp(ctx: ApiContext, options: { logger?: boolean | object } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? { level: ctx.config.logLevel },
    bodyLimit: 1024 * 1024, // JSON bodies; uploads stream with their own limit
    genReqId: requestIdFor,
    ajv: { customOptions: { removeAdditional: false, allErrors: false, allowUnionTypes: true } },
    frameworkErrors: frameworkErrorHandler,
  });
  installErrorHandling(app);
  installRequestIds(app);
  installJobLogging(app);
  installMetrics(app, ctx);
  app.addSchema(errorSchema);
  for (const schema of sharedSchemas) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: { title: "Trainyard", version: "0.1.0", description: "Training as a service: submit a model and a job over REST, workers train it, download the weights." },
      tags: [{ name: "models" }, { name: "datasets" }, { name: "jobs" }, { name: "health" }, { name: "admin" }, { name: "operators" }],
      components: {
        securitySchemes: {
          apiKey: { type: "http", scheme: "bearer", description: "a tenant's API key (not needed in single-user mode, without ADMIN_API_KEY)" },
          adminKey: { type: "http", scheme: "bearer", description: "ADMIN_API_KEY, for /v1/admin only" },
        },
      },
      security: [{ apiKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  // Before the routes, so that its hooks cover all of them.
  await installAuth(app, ctx);
  installIdempotency(app, ctx);
  for (const plugin of [healthRoutes, adminRoutes, modelsRoutes, datasetsRoutes, jobsRoutes, metricsRoutes, eventsRoutes, checkpointsRoutes, queueBoard]) {
    await app.register(plugin, { ctx });
  }
  await app.register(dashboardRoutes);
  return app;
}
