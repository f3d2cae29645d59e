// Tenants and their API keys. A key is 256 random bits, shown once when it is made; only its sha256
// (enough for a key that cannot be guessed) and a short prefix (to tell keys apart) are stored.
import { createHash, randomBytes } from "node:crypto";
import type { Db, Tx } from "./db.js";

/** The single-user mode's tenant; the migration that added tenants gave it every existing row. */
export const DEFAULT_TENANT_ID = "default";

const KEY_PREFIX = "ty_";
const VISIBLE_CHARS = 8;

export type TenantRow = NonNullable<Awaited<ReturnType<Db["tenant"]["findUnique"]>>>;
export type ApiKeyRow = NonNullable<Awaited<ReturnType<Db["apiKey"]["findUnique"]>>>;

export interface TenantQuotas {
  maxRunningJobs?: number | null;
  maxQueuedJobs?: number | null;
  maxStoredBytes?: number | null;
}

export const hashApiKey = (key: string) => createHash("sha256").update(key, "utf8").digest("hex");

export function createTenant(db: Db, tenant: { name: string } & TenantQuotas): Promise<TenantRow> {
  return db.tenant.create({
    data: {
      name: tenant.name,
      maxRunningJobs: tenant.maxRunningJobs ?? null,
      maxQueuedJobs: tenant.maxQueuedJobs ?? null,
      maxStoredBytes: tenant.maxStoredBytes == null ? null : BigInt(tenant.maxStoredBytes),
    },
  });
}

export function getTenant(db: Db | Tx, id: string): Promise<TenantRow | null> {
  return db.tenant.findUnique({ where: { id } });
}

export function listTenants(db: Db): Promise<TenantRow[]> {
  return db.tenant.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

/** A new key for a tenant: the row, and the key itself (which is not stored and cannot be shown again). */
export async function createApiKey(db: Db, tenantId: string, name: string | null): Promise<{ row: ApiKeyRow; key: string }> {
  const key = KEY_PREFIX + randomBytes(32).toString("base64url");
  const row = await db.apiKey.create({ data: { tenantId, name, prefix: key.slice(0, KEY_PREFIX.length + VISIBLE_CHARS), hash: hashApiKey(key) } });
  return { row, key };
}

export function listApiKeys(db: Db, tenantId: string): Promise<ApiKeyRow[]> {
  return db.apiKey.findMany({ where: { tenantId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

/** Revokes a key of the tenant (a second revoke keeps the first time); null if the tenant has no such key. */
export async function revokeApiKey(db: Db, tenantId: string, keyId: string): Promise<ApiKeyRow | null> {
  await db.apiKey.updateMany({ where: { id: keyId, tenantId, revokedAt: null }, data: { revokedAt: new Date() } });
  return db.apiKey.findFirst({ where: { id: keyId, tenantId } });
}

/** The tenant a presented key belongs to, or null for an unknown or revoked key. */
export async function tenantOfKey(db: Db, key: string): Promise<string | null> {
  const row = await db.apiKey.findUnique({ where: { hash: hashApiKey(key) }, select: { tenantId: true, revokedAt: true } });
  return row && !row.revokedAt ? row.tenantId : null;
}
