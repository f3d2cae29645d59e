// The job's event log (status changes, notices), read back in id order by the SSE stream.
import type { Db, Tx } from "./db.js";

export async function addEvent(db: Db | Tx, jobId: string, type: string, data: object): Promise<void> {
  await db.event.create({ data: { jobId, type, data: data as never } });
}

export function eventsAfter(db: Db, jobId: string, afterId: number, limit = 100) {
  return db.event.findMany({ where: { jobId, id: { gt: afterId } }, orderBy: { id: "asc" }, take: limit });
}
