// Request rate limits on /v1: per tenant (per client IP before a key is recognised), counted in Redis
// under the deployment's prefix so that every API process shares them; 429 with Retry-After. A low
// limit from the configuration (RATE_LIMIT_MAX=3 per minute). Real HTTP, real Redis and database.
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/api/app.js";
import { createApiKey, createTenant } from "../src/store/tenants.js";
import { startTestService, TEST_DB, type TestService } from "./helpers/service.js";

let service: TestService;
let base: string;
let second: FastifyInstance;
let secondBase: string;
beforeAll(async () => {
  service = await startTestService({ ADMIN_API_KEY: `admin-${randomBytes(16).toString("hex")}`, RATE_LIMIT_MAX: "3", RATE_LIMIT_WINDOW_MS: "60000" });
  base = await service.app.listen({ port: 0, host: "127.0.0.1" });
  // A second API process's app: same configuration, database and Redis, its own connections.
  second = await buildApp({ config: service.config, db: service.db, queue: service.queue }, { logger: false });
  secondBase = await second.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await second?.close();
  await service?.cleanup();
});

const get = (url: string, key?: string) => fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
const keyOf = async (name: string) => (await createApiKey(service.db, (await createTenant(service.db, { name })).id, null)).key;

describe(`rate limits (${TEST_DB})`, () => {
  it("answers 429 with Retry-After past the limit, per tenant, shared by every API process", async () => {
    const a = await keyOf("a");
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await get(`${base}/v1/jobs`, a);
      expect(res.status).toBe(200);
      remaining.push(res.headers.get("x-ratelimit-remaining") ?? "");
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const limited = await get(`${base}/v1/jobs`, a);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(((await limited.json()) as { error: unknown }).error).toEqual({ code: "rate_limited", message: expect.stringMatching(/at most 3 per 60 s \(RATE_LIMIT_MAX\); retry in/) });
    // The other process counts in the same Redis keys.
    expect((await get(`${secondBase}/v1/jobs`, a)).status).toBe(429);
    const redis = new Redis(service.config.redisUrl);
    try {
      expect(await redis.keys(`${service.config.queuePrefix}:rate-limit:*`)).not.toEqual([]);
    } finally {
      redis.disconnect();
    }
    // Another tenant has its own budget.
    expect((await get(`${secondBase}/v1/jobs`, await keyOf("b"))).status).toBe(200);
  });

  it("limits requests without a valid key by client IP, so keys cannot be guessed quickly", async () => {
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await get(`${base}/v1/models`, `ty_guess${i}`)).status);
    expect(answers).toEqual([401, 401, 401, 429, 429]);
  });

  it("lets requests through when Redis cannot count them", async () => {
    const unreachable = await buildApp({ config: { ...service.config, redisUrl: "redis://127.0.0.1:1" }, db: service.db, queue: service.queue }, { logger: false });
    try {
      const key = await keyOf("c");
      for (let i = 0; i < 5; i++) {
        const res = await unreachable.inject({ url: "/v1/models", headers: { authorization: `Bearer ${key}` } });
        expect(res.statusCode).toBe(200); // 5 requests, a limit of 3: nothing was counted
      }
    } finally {
      await unreachable.close();
    }
  });

  it("does not limit health checks and other paths outside /v1", async () => {
    for (let i = 0; i < 6; i++) expect((await get(`${base}/healthz`)).status).toBe(200);
  });
});
