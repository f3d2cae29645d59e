// The admin gate: a request must carry `Authorization: Bearer <ADMIN_API_KEY>`. Exported as a hook
// so that any admin surface (the /v1/admin routes, a queue dashboard) can use the same check.
import type { FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "../errors.js";
import { bearerToken, isAdminKey, unauthorized } from "./bearer.js";

export interface RequireAdminOptions {
  /** Without an admin key (single-user mode): "deny" answers 403 (the default), "allow" lets requests through. */
  whenUnset?: "deny" | "allow";
}

/** An onRequest/preHandler hook that lets only admin-key requests through. */
export function requireAdmin(adminKey: string | null, options: RequireAdminOptions = {}) {
  return async function requireAdminHook(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (adminKey === null) {
      if (options.whenUnset === "allow") return;
      throw new ApiError(403, "forbidden", "the admin API is off: start the service with ADMIN_API_KEY set to manage tenants and keys");
    }
    const token = bearerToken(request);
    if (token === undefined) throw unauthorized(reply, "this route needs the admin key: send Authorization: Bearer <ADMIN_API_KEY>", false);
    if (!isAdminKey(token, adminKey)) throw unauthorized(reply, "the key is not the admin key", true);
  };
}
