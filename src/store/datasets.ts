// Uploaded data sets. Every upload is stored as one safetensors file (CSV is converted on arrival),
// in chunks; the row becomes `ready` only when the last chunk is in, and a failed upload is deleted.
import { createHash } from "node:crypto";
import { checkDatasetShapes, shapesOf, type DatasetArrays, type TensorShapes } from "../datasets/arrays.js";
import { parseCsv, type CsvOptions } from "../datasets/csv.js";
import { decode, encode, headerLength, headerText, parseHeader, SafetensorsError } from "../datasets/safetensors.js";
import { TensorScan } from "../datasets/tensor-scan.js";
import { collect, ownBytes, readChunks, rechunk } from "./chunks.js";
import type { Db, Tx } from "./db.js";

/** Who uploads, and the check that runs (in the transaction that makes the data set ready) once its size is known. */
export interface DatasetOwner {
  tenantId: string;
  admit?: (tx: Tx, byteSize: number) => Promise<void>;
}

export type DatasetRow = NonNullable<Awaited<ReturnType<Db["dataset"]["findUnique"]>>>;

/** Writes a byte stream as the chunks of a new, not yet ready, data set row; returns size and sha256. */
async function writeChunks(db: Db, datasetId: string, bytes: AsyncIterable<Uint8Array>): Promise<{ byteSize: number; sha256: string }> {
  const hash = createHash("sha256");
  let index = 0;
  let byteSize = 0;
  for await (const data of rechunk(bytes)) {
    hash.update(data);
    byteSize += data.length;
    await db.datasetChunk.create({ data: { datasetId, index: index++, data: ownBytes(data) } });
  }
  return { byteSize, sha256: hash.digest("hex") };
}

/** `finalTensors`, when given, replaces the tensors' description once every byte has gone by (label ranges of a streamed upload). */
async function storeStream(db: Db, owner: DatasetOwner, meta: { name: string; format: string; tensors: TensorShapes; classes: string[] | null }, bytes: AsyncIterable<Uint8Array>, finalTensors?: () => TensorShapes): Promise<DatasetRow> {
  const row = await db.dataset.create({
    data: { tenantId: owner.tenantId, name: meta.name, format: meta.format, byteSize: 0, sha256: "", tensors: meta.tensors as never, classes: (meta.classes ?? undefined) as never },
  });
  try {
    const { byteSize, sha256 } = await writeChunks(db, row.id, bytes);
    return await db.$transaction(async (tx) => {
      await owner.admit?.(tx, byteSize);
      return tx.dataset.update({ where: { id: row.id }, data: { byteSize, sha256, ready: true, ...(finalTensors ? { tensors: finalTensors() as never } : {}) } });
    });
  } catch (err) {
    await db.dataset.delete({ where: { id: row.id } }).catch(() => undefined);
    throw err;
  }
}

export async function saveCsvDataset(db: Db, owner: DatasetOwner, name: string, body: AsyncIterable<Uint8Array>, options: CsvOptions): Promise<DatasetRow> {
  const { arrays, classes } = await parseCsv(body, options);
  const tensors = checkDatasetShapes(shapesOf({ x: arrays.x, y: arrays.y }));
  const file = encode([["x", arrays.x], ["y", arrays.y]]);
  return storeStream(db, owner, { name, format: "csv", tensors, classes }, rechunk([file]));
}

/** Pulls exactly n bytes from an async iterator, returning them and whatever came after. */
async function take(iterator: AsyncIterator<Uint8Array>, n: number, already: Buffer): Promise<{ head: Buffer; rest: Buffer }> {
  let buffer = already;
  while (buffer.length < n) {
    const next = await iterator.next();
    if (next.done) throw new SafetensorsError(`file ends after ${buffer.length} bytes, inside its ${n}-byte header`);
    buffer = Buffer.concat([buffer, next.value]);
  }
  return { head: buffer.subarray(0, n), rest: buffer.subarray(n) };
}

/** Streams a safetensors upload into chunks after checking its header; the data length is checked at the end. */
export async function saveSafetensorsDataset(db: Db, owner: DatasetOwner, name: string, body: AsyncIterable<Uint8Array>): Promise<DatasetRow> {
  const iterator = body[Symbol.asyncIterator]();
  const prefix = await take(iterator, 8, Buffer.alloc(0));
  const n = headerLength(prefix.head);
  const header = await take(iterator, n, prefix.rest);
  const { entries, dataBytes } = parseHeader(headerText(header.head));
  const tensors = checkDatasetShapes(Object.fromEntries([...entries].map(([k, e]) => [k, { dtype: e.dtype, shape: e.shape }])));
  const expected = 8 + n + dataBytes;
  const scan = new TensorScan(entries, 8 + n);
  async function* whole(): AsyncGenerator<Uint8Array> {
    let seen = 8 + n + header.rest.length;
    if (seen > expected) throw new SafetensorsError(`file is longer than the ${expected} bytes its header describes`);
    yield prefix.head;
    yield header.head;
    scan.feed(header.rest, 8 + n);
    yield header.rest;
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      scan.feed(next.value, seen);
      seen += next.value.byteLength;
      if (seen > expected) throw new SafetensorsError(`file is longer than the ${expected} bytes its header describes`);
      yield next.value;
    }
    if (seen < expected) throw new SafetensorsError(`file is truncated: ${seen} of the ${expected} bytes its header describes`);
  }
  return storeStream(db, owner, { name, format: "safetensors", tensors, classes: null }, whole(), () => scan.describe(tensors));
}

/** A ready data set of the tenant; another tenant's is null, as one that does not exist. Without a tenant (workers): any. */
export function getDataset(db: Db, id: string, tenantId?: string): Promise<DatasetRow | null> {
  return db.dataset.findFirst({ where: { id, ready: true, ...(tenantId === undefined ? {} : { tenantId }) } });
}

export function listDatasets(db: Db, tenantId: string): Promise<DatasetRow[]> {
  return db.dataset.findMany({ where: { ready: true, tenantId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
}

export async function loadDatasetArrays(db: Db, row: DatasetRow): Promise<DatasetArrays> {
  const file = await collect(
    readChunks(row.byteSize, async (index) => (await db.datasetChunk.findUnique({ where: { datasetId_index: { datasetId: row.id, index } } }))?.data ?? null),
    row.byteSize,
  );
  const tensors = decode(file);
  const get = (name: string) => tensors.get(name);
  return { x: get("x")!, y: get("y")!, x_test: get("x_test"), y_test: get("y_test") };
}
