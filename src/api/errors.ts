// One error shape for every route: {"error": {"code", "message", "field"?}}. Handlers throw ApiError;
// Fastify's own errors (schema validation, body too large, unknown route) are mapped onto the same shape.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isDatabaseUnavailable } from "../store/unavailable.js";

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, field?: string) => new ApiError(400, "invalid_request", message, field);
export const notFound = (what: string, id: string) => new ApiError(404, "not_found", `${what} ${id} does not exist`);
export const conflict = (message: string) => new ApiError(409, "conflict", message);
export const tooLarge = (message: string) => new ApiError(413, "payload_too_large", message);
export const unprocessable = (message: string, field?: string) => new ApiError(422, "unprocessable", message, field);
export const unavailable = (message: string) => new ApiError(503, "unavailable", message);

export const errorSchema = {
  $id: "Error",
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        field: { type: "string", description: "the request field at fault, dotted (e.g. optimizer.lr)" },
      },
    },
  },
} as const;

/** The error responses every route may give, for route schemas. */
export function errorResponses(...codes: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(codes.map((c) => [c, { $ref: "Error#" }]));
}

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  params?: { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  message?: string;
}

/** "/optimizer/lr" + missing "momentum" -> "optimizer.lr" / "optimizer.momentum". */
function fieldOf(issue: AjvIssue): string | undefined {
  const parts = (issue.instancePath ?? "").split("/").filter(Boolean);
  if (issue.params?.missingProperty) parts.push(issue.params.missingProperty);
  if (issue.params?.additionalProperty) parts.push(issue.params.additionalProperty);
  return parts.length ? parts.join(".") : undefined;
}

/** Prisma's messages start with the call site; its last line says what happened. */
function databaseReason(err: Error): string {
  const lines = err.message.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? "connection failed";
}

/** Fastify's own errors before routing (a URL that is not valid percent-encoding), in the same shape: the `frameworkErrors` option. */
export function frameworkErrorHandler(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  reply.code(status).send({ error: { code: "invalid_request", message: err.message } });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { validation?: AjvIssue[]; validationContext?: string }, request, reply) => {
    if (err instanceof ApiError) {
      return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } });
    }
    if (err.validation) {
      const issue = err.validation[0] ?? {};
      const field = fieldOf(issue);
      const where = err.validationContext === "body" ? "" : `${err.validationContext} `;
      const allowed = issue.keyword === "enum" && issue.params?.allowedValues ? `: ${issue.params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}` : "";
      const message = issue.keyword === "additionalProperties" ? `${where}field ${field} is not allowed` : `${where}${field ?? "request"} ${issue.message ?? "is invalid"}${allowed}`;
      return reply.code(400).send({ error: { code: "invalid_request", message, ...(field ? { field } : {}) } });
    }
    if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      const limit = request.routeOptions.bodyLimit;
      return reply.code(413).send({ error: { code: "payload_too_large", message: limit ? `the request body is over the ${limit}-byte limit of ${request.method} ${request.routeOptions.url ?? request.url}` : err.message } });
    }
    if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return reply.code(415).send({ error: { code: "unsupported_media_type", message: err.message } });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: { code: "invalid_request", message: err.message } });
    }
    if (isDatabaseUnavailable(err)) {
      request.log.warn({ err }, "database unreachable");
      return reply.code(503).header("retry-after", "5").send({ error: { code: "unavailable", message: `the database is unreachable, try again shortly: ${databaseReason(err)}` } });
    }
    request.log.error({ err }, "unhandled error");
    return reply.code(500).send({ error: { code: "internal", message: "internal error" } });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: { code: "not_found", message: `no route ${request.method} ${request.url.split("?")[0]}` } });
  });
}
