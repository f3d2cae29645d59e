// Reading `Authorization: Bearer <key>` and comparing a presented secret (admin key, metrics token) in constant time.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "../errors.js";

/** The bearer token of a request; undefined without one, "" for an Authorization header of another scheme. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1] : "";
}

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** Constant-time: both sides are hashed to 32 bytes first, so neither content nor length leaks through timing. */
export function sameSecret(presented: string | undefined, secret: string | null): boolean {
  if (!presented || !secret) return false;
  return timingSafeEqual(digest(presented), digest(secret));
}

export const isAdminKey = sameSecret;

/** A 401 with `WWW-Authenticate: Bearer` (RFC 6750), in the service's error shape. */
export function unauthorized(reply: FastifyReply, message: string, invalidToken: boolean): ApiError {
  reply.header("www-authenticate", invalidToken ? 'Bearer realm="trainyard", error="invalid_token"' : 'Bearer realm="trainyard"');
  return new ApiError(401, "unauthorized", message);
}
