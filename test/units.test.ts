// Small pieces the trainer and the store rely on.
import { describe, expect, it } from "vitest";
import { collect, readChunks, rechunk } from "../src/store/chunks.js";
import { mixSeed, permutation } from "../src/training/random.js";
import { gatherRows } from "../src/training/batches.js";
import { stepsPerEpoch, trainRows } from "../src/training/spec.js";

describe("chunks", () => {
  it("re-cuts pieces of any size into fixed chunks and reads them back", async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const pieces = [bytes.subarray(0, 1), bytes.subarray(1, 400), bytes.subarray(400, 401), bytes.subarray(401)];
    const chunks: Buffer[] = [];
    for await (const c of rechunk(pieces, 128)) chunks.push(Buffer.from(c));
    expect(chunks.map((c) => c.length)).toEqual([128, 128, 128, 128, 128, 128, 128, 104]);
    const back = await collect(readChunks(1000, async (i) => chunks[i] ?? null), 1000);
    expect(back.equals(bytes)).toBe(true);
    await expect(collect(readChunks(1000, async (i) => (i < 3 ? chunks[i] : null)), 1000)).rejects.toThrow(/chunk 3 is missing after 384 of 1000 bytes/);
  });
});

describe("trainer randomness and batches", () => {
  it("permutations are a pure function of the seed, and differ between seeds", () => {
    const a = permutation(1000, mixSeed(7, 1));
    expect(Array.from(permutation(1000, mixSeed(7, 1)))).toEqual(Array.from(a));
    expect(Array.from(permutation(1000, mixSeed(7, 2)))).not.toEqual(Array.from(a));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it("gathers rows in the order given", () => {
    const t = { dtype: "float32" as const, shape: [3, 2], data: Float32Array.from([0, 1, 10, 11, 20, 21]) };
    expect(gatherRows(t, [2, 0])).toEqual({ dtype: "float32", shape: [2, 2], data: Float32Array.from([20, 21, 0, 1]) });
    const labels = { dtype: "int64" as const, shape: [3], data: BigInt64Array.from([5n, 6n, 7n]) };
    expect(gatherRows(labels, [1, 1])).toEqual({ dtype: "int64", shape: [2], data: BigInt64Array.from([6n, 6n]) });
  });

  it("counts steps after the validation split", () => {
    expect(trainRows(150, 0.1)).toBe(135);
    expect(stepsPerEpoch(150, { batch_size: 10, validation_split: 0.1 })).toBe(14);
    expect(stepsPerEpoch(60000, { batch_size: 64, validation_split: 0 })).toBe(938);
  });
});
