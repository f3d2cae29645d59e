// Who may do what. Every /v1 request acts for one tenant: with ADMIN_API_KEY set, the tenant of the
// API key it carries (401 without a valid one); without it (single-user mode), the built-in tenant
// "default", no key needed. /v1/admin takes the admin key only, and the admin key is not accepted on
// /v1 data routes. Everything outside /v1 (health, docs, the dashboard) stays open.
// Requests to /v1 are rate limited per tenant (per client IP while unauthenticated, so that guessing
// keys is limited too), with the counts in Redis so that every API process shares them.
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance, FastifyRequest } from "fastify";
import rateLimit from "@fastify/rate-limit";
import { Redis } from "ioredis";
import { DEFAULT_TENANT_ID, tenantOfKey } from "../../store/tenants.js";
import type { ApiContext } from "../context.js";
import { ApiError } from "../errors.js";
import { bearerToken, isAdminKey, unauthorized } from "./bearer.js";
import { requireAdmin } from "./require-admin.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The tenant a /v1 request acts for ("" elsewhere). Every store query of a route is scoped by it. */
    tenantId: string;
  }
}

export const SINGLE_USER_WARNING =
  "ADMIN_API_KEY is not set: single-user mode, /v1 needs no API key and everything belongs to the tenant \"default\" (set ADMIN_API_KEY to require keys)";

const isUnder = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/** The matched route's pattern when there is one (not fooled by odd spellings of a URL), else the path. */
const routeOf = (request: FastifyRequest) => request.routeOptions.url ?? request.url.split("?")[0];

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

export async function installAuth(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const { config, db } = ctx;
  app.decorateRequest("tenantId", "");

  // Its own connection: failing fast while Redis is away (a request that cannot be counted is let
  // through) rather than waiting for it the way the queue's connection does.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2_000, enableOfflineQueue: false });
  redis.on("error", () => undefined); // reported by /readyz; a failed count is skipped
  app.addHook("onClose", async () => redis.disconnect());
  // Counting starts with the first request: give the connection a moment (not more) to be up.
  await Promise.race([once(redis, "ready").catch(() => undefined), sleep(1_000, undefined, { ref: false })]);
  await app.register(rateLimit, {
    global: false,
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    redis,
    nameSpace: `${config.queuePrefix}:rate-limit:`,
    skipOnError: true,
    keyGenerator: (request) => (request.tenantId ? `tenant:${request.tenantId}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, "rate_limited", `too many requests: at most ${context.max} per ${seconds(config.rateLimitWindowMs)} (RATE_LIMIT_MAX); retry in ${context.after}`),
  });
  const countRequest = app.rateLimit();
  const admin = requireAdmin(config.adminApiKey);
  if (config.adminApiKey === null) app.log.warn(SINGLE_USER_WARNING);

  app.addHook("onRequest", async (request, reply) => {
    const route = routeOf(request);
    if (!isUnder(route, "/v1")) return;
    if (isUnder(route, "/v1/admin")) {
      await countRequest.call(app, request, reply);
      return admin(request, reply);
    }
    if (config.adminApiKey === null) {
      request.tenantId = DEFAULT_TENANT_ID;
      return countRequest.call(app, request, reply);
    }
    const token = bearerToken(request);
    let failure: { message: string; invalidToken: boolean } | null = null;
    if (token === undefined) failure = { message: "this route needs an API key: send Authorization: Bearer <key>", invalidToken: false };
    else if (token === "") failure = { message: "the Authorization header must be Bearer <key>", invalidToken: false };
    else if (isAdminKey(token, config.adminApiKey)) failure = { message: "the admin key manages tenants and keys (/v1/admin) only: use one of a tenant's API keys here", invalidToken: true };
    else {
      const tenantId = token ? await tenantOfKey(db, token) : null;
      if (tenantId) request.tenantId = tenantId;
      else failure = { message: "the API key is unknown or revoked", invalidToken: true };
    }
    await countRequest.call(app, request, reply);
    if (failure) throw unauthorized(reply, failure.message, failure.invalidToken);
  });
}
