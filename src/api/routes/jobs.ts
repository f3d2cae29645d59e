// Training jobs: submit (202, queued), list (cursor pagination, status filter), get, cancel.
import type { FastifyPluginAsync } from "fastify";
import type { TensorShapes } from "../../datasets/arrays.js";
import { builtinShapes, isBuiltin } from "../../datasets/builtin.js";
import { getDataset } from "../../store/datasets.js";
import { createJob, DEFAULT_PRIORITY, getTenantJob, JOB_STATUSES, listJobs, MAX_PRIORITY, MIN_PRIORITY, requestCancel, type JobRow, type JobStatus } from "../../store/jobs.js";
import { checkJobQuotas, lockTenant } from "../../store/quotas.js";
import { DEFAULT_CHECKPOINT_EVERY_STEPS, stepsPerEpoch, trainRows, type ClassSpec, type DatasetRef, type JobSpec, type LayerSpec } from "../../training/spec.js";
import { checkJob } from "../../training/validate.js";
import type { ApiContext, RouteOptions } from "../context.js";
import { ApiError, badRequest, conflict, errorResponses, notFound, unavailable } from "../errors.js";
import { storeAnswerWith } from "../idempotency.js";
import { bindJobToRequest } from "../observability/job-logging.js";
import { idParams, idString, storedText } from "../schemas.js";
import { asApiErrors } from "../spec-errors.js";
import { tenantLimits, withQuotas } from "../quotas.js";
import { strictJsonBodies, jsonDepthLimit } from "../strict-json.js";

interface JobRequest {
  model?: { name?: string; layers: LayerSpec[] };
  model_id?: string;
  dataset: DatasetRef;
  loss: ClassSpec;
  optimizer: ClassSpec;
  lr_scheduler?: ClassSpec;
  epochs: number;
  batch_size: number;
  seed: number;
  validation_split: number;
  checkpoint_every_steps: number;
  max_runtime_seconds?: number;
  priority: number;
}

/** Cancelling takes no body; a client's empty "{}" is fine, anything large is not. */
const CANCEL_BODY_LIMIT = 1024;

const jobRequestSchema = {
  type: "object",
  additionalProperties: false,
  required: ["dataset", "loss", "optimizer", "epochs", "batch_size"],
  properties: {
    model: {
      type: "object",
      additionalProperties: false,
      required: ["layers"],
      properties: { name: storedText(200), layers: { type: "array", minItems: 1, maxItems: 1000, items: { $ref: "LayerInput#" } } },
    },
    model_id: idString,
    dataset: {
      type: "object",
      additionalProperties: false,
      properties: { name: { type: "string", minLength: 1, maxLength: 64 }, id: idString },
      description: '{"name": "mnist" | "iris"} for a built-in data set or {"id": ...} for an upload',
    },
    loss: { $ref: "LossInput#" },
    optimizer: { $ref: "OptimizerInput#" },
    lr_scheduler: { $ref: "LrSchedulerInput#" },
    epochs: { type: "integer", minimum: 1, maximum: 10_000 },
    batch_size: { type: "integer", minimum: 1, maximum: 1_000_000 },
    seed: { type: "integer", minimum: 0, maximum: 2 ** 31 - 1, default: 0 },
    validation_split: { type: "number", minimum: 0, maximum: 0.9, default: 0 },
    checkpoint_every_steps: { type: "integer", minimum: 1, maximum: 2 ** 31 - 1, default: DEFAULT_CHECKPOINT_EVERY_STEPS },
    max_runtime_seconds: { type: "integer", minimum: 1, maximum: 2 ** 31 - 1 },
    priority: { type: "integer", minimum: MIN_PRIORITY, maximum: MAX_PRIORITY, default: DEFAULT_PRIORITY, description: "1 is trained first, 100 last; equal priorities in submission order" },
  },
} as const;

const jobSchema = {
  $id: "Job",
  type: "object",
  required: ["id", "status", "priority", "spec", "progress", "attempts", "created_at", "updated_at"],
  properties: {
    id: { type: "string" },
    status: { type: "string", enum: [...JOB_STATUSES] },
    priority: { type: "integer", description: "1 is trained first, 100 last" },
    model_id: { type: ["string", "null"] },
    dataset_id: { type: ["string", "null"] },
    spec: {
      type: "object",
      description: "the job as submitted, the model's layers inlined",
      properties: {
        layers: { type: "array", items: { $ref: "Layer#" } },
        dataset: { type: "object", properties: { name: { type: "string" }, id: { type: "string" } } },
        loss: { $ref: "ClassSpec#" },
        optimizer: { $ref: "ClassSpec#" },
        lr_scheduler: { anyOf: [{ $ref: "ClassSpec#" }, { type: "null" }] },
        epochs: { type: "integer" },
        batch_size: { type: "integer" },
        seed: { type: "integer" },
        validation_split: { type: "number" },
        checkpoint_every_steps: { type: "integer" },
        max_runtime_seconds: { type: ["integer", "null"] },
      },
    },
    progress: { type: "object", required: ["epoch", "step", "total_steps"], properties: { epoch: { type: "integer" }, step: { type: "integer" }, total_steps: { type: "integer" } } },
    latest_metrics: { type: ["object", "null"], additionalProperties: { type: ["number", "null"] } },
    error: { type: ["string", "null"] },
    attempts: { type: "integer" },
    created_at: { type: "string", format: "date-time" },
    updated_at: { type: "string", format: "date-time" },
    started_at: { type: ["string", "null"], format: "date-time" },
    finished_at: { type: ["string", "null"], format: "date-time" },
  },
} as const;

export function jobToJson(job: JobRow) {
  return {
    id: job.id,
    status: job.status,
    priority: job.priority,
    model_id: job.modelId,
    dataset_id: job.datasetId,
    spec: job.spec,
    progress: { epoch: job.epoch, step: job.step, total_steps: job.totalSteps },
    latest_metrics: (job.latestMetrics as Record<string, number> | null) ?? null,
    error: job.error,
    attempts: job.attempts,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    finished_at: job.finishedAt?.toISOString() ?? null,
  };
}

async function resolveDataset(ctx: ApiContext, tenantId: string, ref: DatasetRef): Promise<{ shapes: TensorShapes; datasetId: string | null; datasetName: string | null }> {
  if ("id" in ref && ref.id !== undefined) {
    if ("name" in ref && (ref as { name?: string }).name !== undefined) throw badRequest("give the dataset either by name or by id, not both", "dataset");
    const row = await getDataset(ctx.db, ref.id, tenantId);
    if (!row) throw new ApiError(404, "not_found", `dataset ${ref.id} does not exist`, "dataset.id");
    return { shapes: row.tensors as TensorShapes, datasetId: row.id, datasetName: null };
  }
  if ("name" in ref && ref.name !== undefined) {
    if (!isBuiltin(ref.name)) throw badRequest(`"${ref.name}" is not a built-in data set (mnist, iris); uploads are referred to by id`, "dataset.name");
    return { shapes: await builtinShapes(ref.name), datasetId: null, datasetName: ref.name };
  }
  throw badRequest("dataset needs a name (built-in) or an id (upload)", "dataset");
}

export const jobsRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.addSchema(jobSchema);
  strictJsonBodies(app, jsonDepthLimit(ctx.config.modelLimits.maxDepth));

  app.post<{ Body: JobRequest }>("/v1/jobs", {
    bodyLimit: ctx.config.maxJsonBodyBytes,
    schema: {
      tags: ["jobs"],
      summary: "Submit a training job; it is queued at once (202) and trained by a worker",
      body: jobRequestSchema,
      response: { 202: { $ref: "Job#" }, ...errorResponses(400, 401, 404, 409, 413, 422, 429, 503) },
    },
    config: { idempotent: true },
  }, async (request, reply) => {
    const body = request.body;
    if ((body.model === undefined) === (body.model_id === undefined)) throw badRequest("give exactly one of model (a definition) and model_id", body.model ? "model_id" : "model");
    let layers: LayerSpec[];
    if (body.model_id !== undefined) {
      const model = await ctx.db.model.findFirst({ where: { id: body.model_id, tenantId: request.tenantId } });
      if (!model) throw new ApiError(404, "not_found", `model ${body.model_id} does not exist`, "model_id");
      layers = model.layers as unknown as LayerSpec[];
    } else {
      layers = body.model!.layers;
    }
    const { shapes, datasetId, datasetName } = await resolveDataset(ctx, request.tenantId, body.dataset);
    const rows = shapes.x!.shape[0];
    if (trainRows(rows, body.validation_split) < 1) throw badRequest("validation_split leaves no training rows", "validation_split");
    const spec: JobSpec = {
      layers,
      dataset: datasetId ? { id: datasetId } : { name: datasetName! },
      loss: body.loss,
      optimizer: body.optimizer,
      lr_scheduler: body.lr_scheduler ?? null,
      epochs: body.epochs,
      batch_size: body.batch_size,
      seed: body.seed,
      validation_split: body.validation_split,
      checkpoint_every_steps: body.checkpoint_every_steps,
      max_runtime_seconds: body.max_runtime_seconds ?? null,
    };
    // The layers came from the body's model, or from the stored model named by model_id.
    await asApiErrors(() => checkJob(spec, shapes, ctx.config.modelLimits), (field) => (field.startsWith("layers") ? (body.model ? `model.${field}` : "model_id") : field));
    const tenantId = request.tenantId;
    const limits = await tenantLimits(ctx, tenantId);
    // The quota check and the new row in one transaction under the tenant's lock: concurrent submits cannot pass a limit together.
    const job = await withQuotas(() =>
      ctx.db.$transaction(async (tx) => {
        await lockTenant(tx, tenantId);
        await checkJobQuotas(tx, tenantId, limits);
        const created = await createJob(tx, { tenantId, priority: body.priority, spec, modelId: body.model_id ?? null, datasetId, datasetName, totalSteps: body.epochs * stepsPerEpoch(rows, spec) });
        await storeAnswerWith(tx, request, 202, jobToJson(created));
        return created;
      }),
    );
    bindJobToRequest(request, reply, job.id);
    try {
      await ctx.queue.enqueue(job.id, job.priority);
    } catch (err) {
      await ctx.db.job.delete({ where: { id: job.id } }).catch(() => undefined);
      request.log.error({ err: (err as Error).message }, "job not queued: Redis unreachable; job removed");
      throw unavailable(`the job queue (Redis) is unreachable: ${(err as Error).message}`);
    }
    request.log.info({ total_steps: job.totalSteps }, "job queued");
    return reply.code(202).send(jobToJson(job));
  });

  app.get<{ Querystring: { status?: JobStatus; cursor?: string; limit: number } }>("/v1/jobs", {
    schema: {
      tags: ["jobs"],
      summary: "Jobs, newest first; next_cursor fetches the next page",
      querystring: {
        type: "object",
        additionalProperties: false,
        properties: { status: { type: "string", enum: [...JOB_STATUSES] }, cursor: idString, limit: { type: "integer", minimum: 1, maximum: 200, default: 50 } },
      },
      response: {
        200: { type: "object", required: ["jobs", "next_cursor"], properties: { jobs: { type: "array", items: { $ref: "Job#" } }, next_cursor: { type: ["string", "null"] } } },
        ...errorResponses(400, 401),
      },
    },
  }, async (request) => {
    const { status, cursor, limit } = request.query;
    if (cursor && !(await getTenantJob(ctx.db, request.tenantId, cursor))) throw badRequest(`cursor ${cursor} is not a job id`, "cursor");
    const { jobs, nextCursor } = await listJobs(ctx.db, { tenantId: request.tenantId, status, cursor, limit });
    return { jobs: jobs.map(jobToJson), next_cursor: nextCursor };
  });

  app.get<{ Params: { id: string } }>("/v1/jobs/:id", {
    schema: { tags: ["jobs"], summary: "A job: status, progress, latest metrics, error, timestamps, attempts", params: idParams, response: { 200: { $ref: "Job#" }, ...errorResponses(401, 404) } },
  }, async (request) => {
    const job = await getTenantJob(ctx.db, request.tenantId, request.params.id);
    if (!job) throw notFound("job", request.params.id);
    return jobToJson(job);
  });

  app.post<{ Params: { id: string } }>("/v1/jobs/:id/cancel", {
    bodyLimit: CANCEL_BODY_LIMIT,
    schema: {
      tags: ["jobs"],
      summary: "Cancel a job: a queued job is cancelled at once, a running one goes to cancelling until its worker stops (keeping its last checkpoint)",
      params: idParams,
      response: { 202: { $ref: "Job#" }, ...errorResponses(401, 404, 409) },
    },
  }, async (request, reply) => {
    if (!(await getTenantJob(ctx.db, request.tenantId, request.params.id))) throw notFound("job", request.params.id);
    const outcome = await requestCancel(ctx.db, request.params.id);
    if (outcome === "not_found") throw notFound("job", request.params.id);
    if (typeof outcome === "object") throw conflict(`job ${request.params.id} is already ${outcome.conflict}`);
    request.log.info({ outcome }, "cancel requested");
    if (outcome === "cancelled") await ctx.queue.removeWaiting(request.params.id).catch(() => undefined);
    return reply.code(202).send(jobToJson((await getTenantJob(ctx.db, request.tenantId, request.params.id))!));
  });
};
