// POST/GET /v1/models: model definitions, validated by building them with the engine.
import type { FastifyPluginAsync } from "fastify";
import { errorResponses } from "../errors.js";
import { storeAnswerWith } from "../idempotency.js";
import { idParams, idString, storedText } from "../schemas.js";
import { badRequest, notFound } from "../errors.js";
import type { RouteOptions } from "../context.js";
import { getTenantJob } from "../../store/jobs.js";
import { describeModel } from "../../training/validate.js";
import type { LayerSpec } from "../../training/spec.js";
import { asApiErrors } from "../spec-errors.js";
import { strictJsonBodies, jsonDepthLimit } from "../strict-json.js";

const modelSchema = {
  $id: "Model",
  type: "object",
  required: ["id", "name", "layers", "param_count", "printout", "created_at"],
  properties: {
    id: { type: "string" },
    name: { type: ["string", "null"] },
    layers: { type: "array", items: { $ref: "Layer#" } },
    param_count: { type: "integer" },
    printout: { type: "string", description: "the model as PyTorch prints it" },
    created_at: { type: "string", format: "date-time" },
  },
} as const;

type ModelRow = { id: string; name: string | null; layers: unknown; paramCount: number; printout: string; createdAt: Date };
const toJson = (m: ModelRow) => ({ id: m.id, name: m.name, layers: m.layers, param_count: m.paramCount, printout: m.printout, created_at: m.createdAt.toISOString() });

export const modelsRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.addSchema(modelSchema);
  strictJsonBodies(app, jsonDepthLimit(ctx.config.modelLimits.maxDepth));

  app.post<{ Body: { name?: string; layers: LayerSpec[] } }>("/v1/models", {
    config: { idempotent: true },
    bodyLimit: ctx.config.maxJsonBodyBytes,
    schema: {
      tags: ["models"],
      summary: "Define a model (an nn.Sequential of engine modules); validated by building it",
      body: {
        type: "object",
        required: ["layers"],
        additionalProperties: false,
        properties: { name: storedText(200), layers: { type: "array", minItems: 1, maxItems: 1000, items: { $ref: "LayerInput#" } } },
      },
      response: { 201: { $ref: "Model#" }, ...errorResponses(400, 401, 409, 413, 422, 429, 503) },
    },
  }, async (request, reply) => {
    const { param_count, printout } = await asApiErrors(() => describeModel(request.body.layers, ctx.config.modelLimits));
    const row = await ctx.db.$transaction(async (tx) => {
      const created = await tx.model.create({ data: { tenantId: request.tenantId, name: request.body.name ?? null, layers: request.body.layers as never, paramCount: param_count, printout } });
      await storeAnswerWith(tx, request, 201, toJson(created));
      return created;
    });
    return reply.code(201).send(toJson(row));
  });

  app.get<{ Params: { id: string } }>("/v1/models/:id", {
    schema: { tags: ["models"], summary: "A model", params: idParams, response: { 200: { $ref: "Model#" }, ...errorResponses(401, 404) } },
  }, async (request) => {
    const row = await ctx.db.model.findFirst({ where: { id: request.params.id, tenantId: request.tenantId } });
    if (!row) throw notFound("model", request.params.id);
    return toJson(row);
  });

  // A job's own model (inline or stored, as the job was submitted), described the same way: the
  // dashboard shows it for every job, including those whose model was never stored.
  app.get<{ Params: { id: string } }>("/v1/jobs/:id/model", {
    schema: {
      tags: ["jobs"],
      summary: "The job's model: its layers, parameter count and PyTorch's printout",
      params: idParams,
      response: {
        200: {
          type: "object",
          required: ["model_id", "layers", "param_count", "printout"],
          properties: {
            model_id: { type: ["string", "null"], description: "the stored model the job named, null for a model given inline" },
            layers: { type: "array", items: { $ref: "Layer#" } },
            param_count: { type: "integer" },
            printout: { type: "string" },
          },
        },
        ...errorResponses(401, 404),
      },
    },
  }, async (request) => {
    const job = await getTenantJob(ctx.db, request.tenantId, request.params.id);
    if (!job) throw notFound("job", request.params.id);
    const layers = (job.spec as { layers: LayerSpec[] }).layers;
    // The job's layers were built when it was submitted, so they build again.
    const { param_count, printout } = await describeModel(layers, ctx.config.modelLimits);
    return { model_id: job.modelId, layers, param_count, printout };
  });

  app.get<{ Querystring: { cursor?: string; limit: number } }>("/v1/models", {
    schema: {
      tags: ["models"],
      summary: "Models, newest first",
      querystring: { type: "object", additionalProperties: false, properties: { cursor: idString, limit: { type: "integer", minimum: 1, maximum: 200, default: 50 } } },
      response: {
        200: { type: "object", required: ["models", "next_cursor"], properties: { models: { type: "array", items: { $ref: "Model#" } }, next_cursor: { type: ["string", "null"] } } },
        ...errorResponses(400, 401),
      },
    },
  }, async (request) => {
    const { cursor, limit } = request.query;
    const where = { tenantId: request.tenantId };
    if (cursor && !(await ctx.db.model.findFirst({ where: { ...where, id: cursor }, select: { id: true } }))) throw badRequest(`cursor ${cursor} is not a model id`, "cursor");
    const rows = await ctx.db.model.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit + 1, ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}) });
    const page = rows.slice(0, limit);
    return { models: page.map(toJson), next_cursor: rows.length > limit ? page[page.length - 1].id : null };
  });
};
