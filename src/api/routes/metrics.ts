// GET /v1/jobs/:id/metrics?after=STEP&limit=N: incremental polling of the per-step metrics.
import type { FastifyPluginAsync } from "fastify";
import { getTenantJob } from "../../store/jobs.js";
import { metricsAfter } from "../../store/metrics.js";
import type { RouteOptions } from "../context.js";
import { errorResponses, notFound } from "../errors.js";
import { idParams } from "../schemas.js";

export const metricRowSchema = {
  $id: "MetricRow",
  type: "object",
  required: ["step", "epoch", "train_loss", "lr"],
  properties: {
    step: { type: "integer" },
    epoch: { type: "integer" },
    train_loss: { type: "number" },
    lr: { type: "number" },
    val_loss: { type: "number", description: "on the last step of an epoch, when the job has a validation split" },
    val_accuracy: { type: "number" },
    test_loss: { type: "number", description: "on the job's last step, when the data set has a test split" },
    test_accuracy: { type: "number" },
  },
} as const;

export const metricsRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.addSchema(metricRowSchema);
  app.get<{ Params: { id: string }; Querystring: { after: number; limit: number } }>("/v1/jobs/:id/metrics", {
    schema: {
      tags: ["jobs"],
      summary: "Metrics logged after step `after`, in step order; poll again with the last step seen",
      params: idParams,
      querystring: {
        type: "object",
        additionalProperties: false,
        properties: { after: { type: "integer", minimum: -1, maximum: 2 ** 31 - 1, default: 0 }, limit: { type: "integer", minimum: 1, maximum: 10_000, default: 1000 } },
      },
      response: {
        200: { type: "object", required: ["metrics", "next_after"], properties: { metrics: { type: "array", items: { $ref: "MetricRow#" } }, next_after: { type: "integer" } } },
        ...errorResponses(400, 401, 404),
      },
    },
  }, async (request) => {
    const job = await getTenantJob(ctx.db, request.tenantId, request.params.id);
    if (!job) throw notFound("job", request.params.id);
    const rows = await metricsAfter(ctx.db, job.id, request.query.after, request.query.limit);
    return { metrics: rows, next_after: rows.length ? rows[rows.length - 1].step : request.query.after };
  });
};
