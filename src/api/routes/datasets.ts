// Data sets: built-ins (mnist, iris) and uploads (CSV or safetensors, streamed into chunks).
import type { FastifyPluginAsync } from "fastify";
import type { Readable } from "node:stream";
import { builtinClasses, builtinShapes, BUILTIN_NAMES } from "../../datasets/builtin.js";
import { DatasetShapeError } from "../../datasets/arrays.js";
import { CsvError } from "../../datasets/csv.js";
import { SafetensorsError } from "../../datasets/safetensors.js";
import { getDataset, listDatasets, saveCsvDataset, saveSafetensorsDataset, type DatasetOwner, type DatasetRow } from "../../store/datasets.js";
import { checkRoomLeft, checkStoredBytes, lockTenant } from "../../store/quotas.js";
import { tenantLimits, withQuotas } from "../quotas.js";
import type { RouteOptions } from "../context.js";
import { ApiError, badRequest, errorResponses, notFound, tooLarge } from "../errors.js";
import { idParams, storedText, tensorShapesSchema } from "../schemas.js";

const datasetSchema = {
  $id: "Dataset",
  type: "object",
  required: ["id", "name", "builtin", "format", "tensors"],
  properties: {
    id: { type: ["string", "null"], description: "null for a built-in data set (refer to it by name)" },
    name: { type: "string" },
    builtin: { type: "boolean" },
    format: { type: "string", enum: ["builtin", "csv", "safetensors"] },
    byte_size: { type: ["integer", "null"] },
    sha256: { type: ["string", "null"] },
    tensors: tensorShapesSchema,
    classes: { type: ["array", "null"], items: { type: "string" } },
    created_at: { type: ["string", "null"], format: "date-time" },
  },
} as const;

const toJson = (d: DatasetRow) => ({
  id: d.id,
  name: d.name,
  builtin: false,
  format: d.format,
  byte_size: d.byteSize,
  sha256: d.sha256,
  tensors: d.tensors,
  classes: (d.classes as string[] | null) ?? null,
  created_at: d.createdAt.toISOString(),
});

/** Passes the body through while counting it; past the limit the upload stops with 413. */
async function* limited(body: Readable, maxBytes: number): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const piece of body) {
    seen += (piece as Buffer).length;
    if (seen > maxBytes) throw tooLarge(`the upload is over the ${maxBytes}-byte limit (MAX_UPLOAD_BYTES)`);
    yield piece as Buffer;
  }
}

export const datasetsRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.addSchema(datasetSchema);
  // Uploads are not buffered: the handler reads the request stream itself.
  app.addContentTypeParser(["text/csv", "application/octet-stream"], (_request, payload, done) => done(null, payload));

  app.post<{ Querystring: { name?: string; format?: "csv" | "safetensors"; label_column?: string }; Body: Readable }>("/v1/datasets", {
    schema: {
      tags: ["datasets"],
      summary: "Upload a data set: CSV (text/csv; numeric features and a label column) or safetensors (application/octet-stream; tensors x, y, optional x_test, y_test)",
      querystring: {
        type: "object",
        additionalProperties: false,
        properties: {
          name: { ...storedText(200), minLength: 1 },
          format: { type: "string", enum: ["csv", "safetensors"], description: "defaults from Content-Type" },
          label_column: { type: "string", maxLength: 200, description: "CSV only: header name or 0-based index of the label column (default: last)" },
        },
      },
      response: { 201: { $ref: "Dataset#" }, ...errorResponses(400, 401, 409, 413, 415, 422, 429) },
    },
    config: { idempotent: true },
  }, async (request, reply) => {
    const contentType = (request.headers["content-type"] ?? "").split(";")[0].trim();
    const format = request.query.format ?? (contentType === "text/csv" ? "csv" : contentType === "application/octet-stream" ? "safetensors" : undefined);
    if (!format) throw new ApiError(415, "unsupported_media_type", "send the file as text/csv or application/octet-stream (safetensors)");
    const length = Number(request.headers["content-length"]);
    if (Number.isFinite(length) && length > ctx.config.maxUploadBytes) throw tooLarge(`the upload is ${length} bytes, over the ${ctx.config.maxUploadBytes}-byte limit (MAX_UPLOAD_BYTES)`);
    const body = limited(request.body, ctx.config.maxUploadBytes);
    const name = request.query.name ?? "dataset";
    const tenantId = request.tenantId;
    const limits = await tenantLimits(ctx, tenantId);
    // Refused at once when the tenant is already at its stored-bytes quota; otherwise checked again, with
    // the stored size, in the transaction that makes the upload ready (under the tenant's lock).
    await withQuotas(() => checkRoomLeft(ctx.db, tenantId, limits));
    const owner: DatasetOwner = {
      tenantId,
      admit: async (tx, byteSize) => {
        await lockTenant(tx, tenantId);
        await checkStoredBytes(tx, tenantId, byteSize, limits);
      },
    };
    try {
      const row = await withQuotas(() => format === "csv"
        ? saveCsvDataset(ctx.db, owner, name, body, { labelColumn: request.query.label_column })
        : saveSafetensorsDataset(ctx.db, owner, name, body));
      return reply.code(201).send(toJson(row));
    } catch (err) {
      if (err instanceof CsvError || err instanceof SafetensorsError || err instanceof DatasetShapeError) throw badRequest(err.message, "body");
      throw err;
    }
  });

  app.get("/v1/datasets", {
    schema: {
      tags: ["datasets"],
      summary: "Built-in and uploaded data sets with their tensor shapes",
      querystring: { type: "object", additionalProperties: false, properties: {} },
      response: { 200: { type: "object", required: ["datasets"], properties: { datasets: { type: "array", items: { $ref: "Dataset#" } } } } },
    },
  }, async (request) => {
    const builtins = await Promise.all(
      BUILTIN_NAMES.map(async (name) => ({ id: null, name, builtin: true, format: "builtin", byte_size: null, sha256: null, tensors: await builtinShapes(name), classes: await builtinClasses(name), created_at: null })),
    );
    const uploaded = (await listDatasets(ctx.db, request.tenantId)).map(toJson);
    return { datasets: [...builtins, ...uploaded] };
  });

  app.get<{ Params: { id: string } }>("/v1/datasets/:id", {
    schema: { tags: ["datasets"], summary: "An uploaded data set", params: idParams, response: { 200: { $ref: "Dataset#" }, ...errorResponses(401, 404) } },
  }, async (request) => {
    const row = await getDataset(ctx.db, request.params.id, request.tenantId);
    if (!row) throw notFound("dataset", request.params.id);
    return toJson(row);
  });
};
