// /v1/admin: tenants and their API keys, for the holder of ADMIN_API_KEY (the auth plugin checks it
// before any of these handlers runs). A key is shown once, in the answer that creates it.
import type { FastifyPluginAsync } from "fastify";
import { limitsOf, usageOf } from "../../store/quotas.js";
import { createApiKey, createTenant, getTenant, listApiKeys, listTenants, revokeApiKey, type ApiKeyRow, type TenantRow } from "../../store/tenants.js";
import type { ApiContext, RouteOptions } from "../context.js";
import { errorResponses, notFound } from "../errors.js";
import { idParams } from "../schemas.js";

const quotaProperties = {
  max_running_jobs: { type: "integer", minimum: 1, maximum: 1_000_000 },
  max_queued_jobs: { type: "integer", minimum: 1, maximum: 1_000_000 },
  max_stored_bytes: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
} as const;

const tenantSchema = {
  $id: "Tenant",
  type: "object",
  required: ["id", "name", "quotas", "created_at"],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    quotas: { type: "object", description: "the limits in force: the tenant's own, else the service's defaults", properties: quotaProperties },
    usage: { type: "object", properties: { running_jobs: { type: "integer" }, queued_jobs: { type: "integer" }, stored_bytes: { type: "integer" } } },
    created_at: { type: "string", format: "date-time" },
  },
} as const;

const apiKeySchema = {
  $id: "ApiKey",
  type: "object",
  required: ["id", "tenant_id", "name", "prefix", "created_at", "revoked_at"],
  properties: {
    id: { type: "string" },
    tenant_id: { type: "string" },
    name: { type: ["string", "null"] },
    prefix: { type: "string", description: "the key's first characters, to tell keys apart" },
    key: { type: "string", description: "the key itself: only in the answer that creates it, never again" },
    created_at: { type: "string", format: "date-time" },
    revoked_at: { type: ["string", "null"], format: "date-time" },
  },
} as const;

const keyParams = { type: "object", required: ["id", "key_id"], properties: { id: idParams.properties.id, key_id: idParams.properties.id } } as const;

function tenantToJson(ctx: ApiContext, t: TenantRow) {
  const limits = limitsOf(t, ctx.config);
  return {
    id: t.id,
    name: t.name,
    quotas: { max_running_jobs: limits.runningJobs, max_queued_jobs: limits.queuedJobs, max_stored_bytes: limits.storedBytes },
    created_at: t.createdAt.toISOString(),
  };
}

const keyToJson = (k: ApiKeyRow) => ({
  id: k.id,
  tenant_id: k.tenantId,
  name: k.name,
  prefix: k.prefix,
  created_at: k.createdAt.toISOString(),
  revoked_at: k.revokedAt?.toISOString() ?? null,
});

export const adminRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.addSchema(tenantSchema);
  app.addSchema(apiKeySchema);
  const security = [{ adminKey: [] }];
  const existingTenant = async (id: string) => {
    const tenant = await getTenant(ctx.db, id);
    if (!tenant) throw notFound("tenant", id);
    return tenant;
  };

  app.post<{ Body: { name: string; max_running_jobs?: number; max_queued_jobs?: number; max_stored_bytes?: number } }>("/v1/admin/tenants", {
    schema: {
      tags: ["admin"],
      summary: "Create a tenant, optionally with its own quotas (else the service's defaults apply)",
      security,
      body: { type: "object", additionalProperties: false, required: ["name"], properties: { name: { type: "string", minLength: 1, maxLength: 200 }, ...quotaProperties } },
      response: { 201: { $ref: "Tenant#" }, ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    const b = request.body;
    const tenant = await createTenant(ctx.db, { name: b.name, maxRunningJobs: b.max_running_jobs, maxQueuedJobs: b.max_queued_jobs, maxStoredBytes: b.max_stored_bytes });
    return reply.code(201).send(tenantToJson(ctx, tenant));
  });

  app.get("/v1/admin/tenants", {
    schema: {
      tags: ["admin"],
      summary: "Every tenant (the built-in \"default\" first)",
      security,
      response: { 200: { type: "object", required: ["tenants"], properties: { tenants: { type: "array", items: { $ref: "Tenant#" } } } }, ...errorResponses(401, 403) },
    },
  }, async () => ({ tenants: (await listTenants(ctx.db)).map((t) => tenantToJson(ctx, t)) }));

  app.get<{ Params: { id: string } }>("/v1/admin/tenants/:id", {
    schema: { tags: ["admin"], summary: "A tenant, its quotas and what it uses of them", security, params: idParams, response: { 200: { $ref: "Tenant#" }, ...errorResponses(401, 403, 404) } },
  }, async (request) => {
    const tenant = await existingTenant(request.params.id);
    const usage = await usageOf(ctx.db, tenant.id);
    return { ...tenantToJson(ctx, tenant), usage: { running_jobs: usage.runningJobs, queued_jobs: usage.queuedJobs, stored_bytes: usage.storedBytes } };
  });

  app.post<{ Params: { id: string }; Body: { name?: string } | undefined }>("/v1/admin/tenants/:id/keys", {
    schema: {
      tags: ["admin"],
      summary: "Create an API key for a tenant; the key is in this answer only (it is stored as a hash)",
      security,
      params: idParams,
      body: { type: "object", additionalProperties: false, properties: { name: { type: "string", minLength: 1, maxLength: 200 } } },
      response: { 201: { $ref: "ApiKey#" }, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const tenant = await existingTenant(request.params.id);
    const { row, key } = await createApiKey(ctx.db, tenant.id, request.body?.name ?? null);
    return reply.code(201).header("cache-control", "no-store").send({ ...keyToJson(row), key });
  });

  app.get<{ Params: { id: string } }>("/v1/admin/tenants/:id/keys", {
    schema: {
      tags: ["admin"],
      summary: "A tenant's API keys (prefixes only, never the keys)",
      security,
      params: idParams,
      response: { 200: { type: "object", required: ["keys"], properties: { keys: { type: "array", items: { $ref: "ApiKey#" } } } }, ...errorResponses(401, 403, 404) },
    },
  }, async (request) => {
    const tenant = await existingTenant(request.params.id);
    return { keys: (await listApiKeys(ctx.db, tenant.id)).map(keyToJson) };
  });

  app.delete<{ Params: { id: string; key_id: string } }>("/v1/admin/tenants/:id/keys/:key_id", {
    schema: {
      tags: ["admin"],
      summary: "Revoke an API key: from now on it answers 401 (revoking again changes nothing)",
      security,
      params: keyParams,
      response: { 200: { $ref: "ApiKey#" }, ...errorResponses(401, 403, 404) },
    },
  }, async (request) => {
    const tenant = await existingTenant(request.params.id);
    const key = await revokeApiKey(ctx.db, tenant.id, request.params.key_id);
    if (!key) throw notFound("API key", request.params.key_id);
    return keyToJson(key);
  });
};
