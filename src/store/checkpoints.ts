// Checkpoints: model weights (safetensors) and resume state, each stored in chunks. A checkpoint is
// written in one transaction, so a reader never sees one half written (a worker killed mid-write
// leaves nothing behind).
import { createHash } from "node:crypto";
import { CHUNK_BYTES, collect, ownBytes, readChunks } from "./chunks.js";
import type { Db } from "./db.js";

export type CheckpointKind = "step" | "epoch" | "final";
export type CheckpointRow = NonNullable<Awaited<ReturnType<Db["checkpoint"]["findUnique"]>>>;

export interface NewCheckpoint {
  jobId: string;
  step: number;
  epoch: number;
  kind: CheckpointKind;
  weights: Uint8Array;
  state: Uint8Array;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function* slices(bytes: Uint8Array): Generator<Buffer> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 0; offset < buffer.length; offset += CHUNK_BYTES) yield buffer.subarray(offset, offset + CHUNK_BYTES);
}

export async function saveCheckpoint(db: Db, c: NewCheckpoint): Promise<CheckpointRow> {
  return db.$transaction(
    async (tx) => {
      // Written again after a resume: the newer one replaces it.
      await tx.checkpoint.deleteMany({ where: { jobId: c.jobId, step: c.step, kind: c.kind } });
      const row = await tx.checkpoint.create({
        data: {
          jobId: c.jobId,
          step: c.step,
          epoch: c.epoch,
          kind: c.kind,
          weightsSize: c.weights.byteLength,
          weightsSha256: sha256Hex(c.weights),
          stateSize: c.state.byteLength,
        },
      });
      for (const [part, bytes] of [["weights", c.weights], ["state", c.state]] as const) {
        let index = 0;
        for (const data of slices(bytes)) await tx.checkpointChunk.create({ data: { checkpointId: row.id, part, index: index++, data: ownBytes(data) } });
      }
      return row;
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/** The checkpoint a retried job resumes from: the one with the highest step (not the final weights). */
export function latestResumable(db: Db, jobId: string): Promise<CheckpointRow | null> {
  return db.checkpoint.findFirst({ where: { jobId, kind: { in: ["step", "epoch"] } }, orderBy: [{ step: "desc" }, { createdAt: "desc" }] });
}

export function listCheckpoints(db: Db, jobId: string): Promise<CheckpointRow[]> {
  return db.checkpoint.findMany({ where: { jobId }, orderBy: [{ step: "asc" }, { kind: "asc" }] });
}

export function streamPart(db: Db, checkpoint: CheckpointRow, part: "weights" | "state"): AsyncGenerator<Buffer> {
  const size = part === "weights" ? checkpoint.weightsSize : checkpoint.stateSize;
  return readChunks(size, async (index) => {
    const chunk = await db.checkpointChunk.findUnique({ where: { checkpointId_part_index: { checkpointId: checkpoint.id, part, index } } });
    return chunk?.data ?? null;
  });
}

export function readPart(db: Db, checkpoint: CheckpointRow, part: "weights" | "state"): Promise<Buffer> {
  return collect(streamPart(db, checkpoint, part), part === "weights" ? checkpoint.weightsSize : checkpoint.stateSize);
}
