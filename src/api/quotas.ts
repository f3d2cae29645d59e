// Quota refusals as API errors: 429 with a message naming the quota and its limit.
import { getTenant } from "../store/tenants.js";
import { limitsOf, QuotaExceededError, type Limits } from "../store/quotas.js";
import type { ApiContext } from "./context.js";
import { ApiError } from "./errors.js";

export async function tenantLimits(ctx: ApiContext, tenantId: string): Promise<Limits> {
  return limitsOf(await getTenant(ctx.db, tenantId), ctx.config);
}

export async function withQuotas<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof QuotaExceededError) throw new ApiError(429, "quota_exceeded", err.message);
    throw err;
  }
}
