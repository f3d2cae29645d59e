// The Fastify application: shared schemas, error shape, OpenAPI document and docs, and one plugin
// per concern. The caller owns the database and queue connections (see src/main.ts, tests).
import Fastify, { type FastifyInstance } from "fastify";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { ApiContext } from "./context.js";
import { errorSchema, frameworkErrorHandler, installErrorHandling } from "./errors.js";
import { sharedSchemas } from "./schemas.js";
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
    ajv: { customOptions: { removeAdditional: false, allErrors: false, allowUnionTypes: true } },
    frameworkErrors: frameworkErrorHandler,
  });
  installErrorHandling(app);
  app.addSchema(errorSchema);
  for (const schema of sharedSchemas) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: { title: "Trainyard", version: "0.1.0", description: "Training as a service: submit a model and a job over REST, workers train it, download the weights." },
      tags: [{ name: "models" }, { name: "datasets" }, { name: "jobs" }, { name: "health" }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  for (const plugin of [healthRoutes, modelsRoutes, datasetsRoutes, jobsRoutes, metricsRoutes, eventsRoutes, checkpointsRoutes]) {
    await app.register(plugin, { ctx });
  }
  return app;
}
