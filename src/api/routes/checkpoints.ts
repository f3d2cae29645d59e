// Checkpoints and weights: list a job's checkpoints; download weights (safetensors with PyTorch's
// state_dict keys) of a checkpoint or the final ones, streamed from their chunks.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { Readable } from "node:stream";
import { listCheckpoints, streamPart, type CheckpointRow } from "../../store/checkpoints.js";
import { getTenantJob } from "../../store/jobs.js";
import type { RouteOptions } from "../context.js";
import { conflict, errorResponses, notFound } from "../errors.js";
import { idParams } from "../schemas.js";

const checkpointSchema = {
  $id: "Checkpoint",
  type: "object",
  required: ["step", "epoch", "kind", "weights_size", "weights_sha256", "created_at"],
  properties: {
    step: { type: "integer" },
    epoch: { type: "integer" },
    kind: { type: "string", enum: ["step", "epoch", "final"] },
    weights_size: { type: "integer" },
    weights_sha256: { type: "string" },
    created_at: { type: "string", format: "date-time" },
  },
} as const;

const toJson = (c: CheckpointRow) => ({ step: c.step, epoch: c.epoch, kind: c.kind, weights_size: c.weightsSize, weights_sha256: c.weightsSha256, created_at: c.createdAt.toISOString() });

const weightsResponse = {
  200: { type: "string", format: "binary", description: "safetensors; headers Content-Length, ETag and X-Checksum-SHA256" },
  ...errorResponses(401, 404, 409),
};

function sendWeights(ctxDb: Parameters<typeof streamPart>[0], checkpoint: CheckpointRow, filename: string, request: FastifyRequest, reply: FastifyReply) {
  const etag = `"${checkpoint.weightsSha256}"`;
  reply
    .header("etag", etag)
    .header("x-checksum-sha256", checkpoint.weightsSha256)
    .header("cache-control", "private, max-age=0, must-revalidate");
  if (request.headers["if-none-match"] === etag) return reply.code(304).send();
  return reply
    .header("content-type", "application/octet-stream")
    .header("content-length", checkpoint.weightsSize)
    .header("content-disposition", `attachment; filename="${filename}"`)
    .send(Readable.from(streamPart(ctxDb, checkpoint, "weights")));
}

export const checkpointsRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.addSchema(checkpointSchema);

  app.get<{ Params: { id: string } }>("/v1/jobs/:id/checkpoints", {
    schema: {
      tags: ["jobs"],
      summary: "A job's checkpoints (every checkpoint_every_steps, each epoch end, and the final weights)",
      params: idParams,
      response: { 200: { type: "object", required: ["checkpoints"], properties: { checkpoints: { type: "array", items: { $ref: "Checkpoint#" } } } }, ...errorResponses(401, 404) },
    },
  }, async (request) => {
    const job = await getTenantJob(ctx.db, request.tenantId, request.params.id);
    if (!job) throw notFound("job", request.params.id);
    return { checkpoints: (await listCheckpoints(ctx.db, job.id)).map(toJson) };
  });

  app.get<{ Params: { id: string; step: number } }>("/v1/jobs/:id/checkpoints/:step/weights", {
    schema: {
      tags: ["jobs"],
      summary: "The model weights of the checkpoint at a step, as safetensors",
      params: { type: "object", required: ["id", "step"], properties: { id: idParams.properties.id, step: { type: "integer", minimum: 0 } } },
      response: weightsResponse,
    },
  }, async (request, reply) => {
    const job = await getTenantJob(ctx.db, request.tenantId, request.params.id);
    if (!job) throw notFound("job", request.params.id);
    const checkpoint = (await listCheckpoints(ctx.db, job.id)).filter((c) => c.step === request.params.step).pop();
    if (!checkpoint) throw notFound(`checkpoint at step ${request.params.step} of job`, job.id);
    return sendWeights(ctx.db, checkpoint, `${job.id}-step${checkpoint.step}.safetensors`, request, reply);
  });

  app.get<{ Params: { id: string } }>("/v1/jobs/:id/weights", {
    schema: {
      tags: ["jobs"],
      summary: "The trained weights as safetensors (keys as PyTorch's nn.Sequential state_dict); 409 until the job has succeeded",
      params: idParams,
      response: weightsResponse,
    },
  }, async (request, reply) => {
    const job = await getTenantJob(ctx.db, request.tenantId, request.params.id);
    if (!job) throw notFound("job", request.params.id);
    const final = await ctx.db.checkpoint.findFirst({ where: { jobId: job.id, kind: "final" } });
    if (!final) throw conflict(`job ${job.id} has no final weights (status ${job.status})`);
    return sendWeights(ctx.db, final, `${job.id}.safetensors`, request, reply);
  });
};
