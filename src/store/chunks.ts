// Large blobs (data sets, checkpoints) are stored as rows of CHUNK_BYTES each: Prisma passes a Bytes
// value through base64 and JS arrays, so a single value of tens of MiB is slow and ~128 MiB is the
// ceiling. Writers cut any byte stream into chunks; readers fetch one chunk at a time.

export const CHUNK_BYTES = 4 * 1024 * 1024;

/** Re-cuts a stream of byte pieces of any size into chunks of exactly `size` bytes (the last may be shorter). */
export async function* rechunk(pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, size = CHUNK_BYTES): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of pieces) {
    let view = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (view.length > 0) {
      const take = Math.min(size - pendingBytes, view.length);
      pending.push(view.subarray(0, take));
      pendingBytes += take;
      view = view.subarray(take);
      if (pendingBytes === size) {
        yield Buffer.concat(pending, size);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

/** Reads numbered chunks (0, 1, ...) one query at a time, in order, until `byteLength` bytes have come. */
export async function* readChunks(byteLength: number, fetch: (index: number) => Promise<Uint8Array | null>): AsyncGenerator<Buffer> {
  let read = 0;
  for (let index = 0; read < byteLength; index++) {
    const data = await fetch(index);
    if (!data) throw new Error(`chunk ${index} is missing after ${read} of ${byteLength} bytes`);
    read += data.byteLength;
    yield Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
}

/** Collects a stream of chunks into one Buffer of a known length. */
export async function collect(chunks: AsyncIterable<Uint8Array>, byteLength: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(byteLength);
  let offset = 0;
  for await (const chunk of chunks) {
    if (offset + chunk.byteLength > byteLength) throw new Error(`blob is longer than its recorded ${byteLength} bytes`);
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  if (offset !== byteLength) throw new Error(`blob is ${offset} bytes, ${byteLength} were recorded`);
  return out;
}

/** A copy with its own ArrayBuffer: Prisma encodes a Bytes value from its whole backing buffer. */
export function ownBytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(view);
}
