// Idempotency records: a request with an Idempotency-Key first reserves (tenant, key) under a unique
// constraint, so of two concurrent duplicates exactly one goes on; the winner's response is stored
// and replayed to the others and to later retries until the record expires.
import type { Db, Tx } from "./db.js";

export type IdempotencyRow = NonNullable<Awaited<ReturnType<Db["idempotencyRecord"]["findUnique"]>>>;

export type Reservation = { reserved: true; id: string } | { reserved: false; existing: IdempotencyRow };

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === "P2002";

export async function reserve(db: Db, r: { tenantId: string; key: string; route: string; requestHash: string | null }): Promise<Reservation> {
  for (;;) {
    try {
      const row = await db.idempotencyRecord.create({ data: r });
      return { reserved: true, id: row.id };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    const existing = await db.idempotencyRecord.findUnique({ where: { tenantId_key: { tenantId: r.tenantId, key: r.key } } });
    if (existing) return { reserved: false, existing };
    // Released between our insert and our read: try again.
  }
}

export function find(db: Db, id: string): Promise<IdempotencyRow | null> {
  return db.idempotencyRecord.findUnique({ where: { id } });
}

export async function complete(db: Db | Tx, id: string, result: { status: number; response: string; requestHash: string }): Promise<void> {
  await db.idempotencyRecord.update({ where: { id }, data: result });
}

/** Drops a reservation (the request failed, so a retry should run again) or an expired record. */
export async function release(db: Db, id: string): Promise<void> {
  await db.idempotencyRecord.deleteMany({ where: { id } });
}

export async function deleteOlderThan(db: Db, cutoff: Date): Promise<void> {
  await db.idempotencyRecord.deleteMany({ where: { createdAt: { lt: cutoff } } });
}
