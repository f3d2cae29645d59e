// The size-class pooling allocator (src/engine/backend/pool_allocator.ts): what it reuses and what it
// refuses, its bound, and, over a real training loop, that memory stays bounded from step to step:
// gradient buffers come back through release() and are reused, and the count of live (not yet
// collected) arrays does not grow with the number of steps. Counts only, no timings.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";
import { nn, optim } from "../../src/engine/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** A full collection, then a turn of the event loop so that FinalizationRegistry callbacks run. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 0));
  }
}

describe("createPoolAllocator", () => {
  it("reuses a released array for the next request of the same type and length only", () => {
    const pool = torch.createPoolAllocator({ maxBytes: 1 << 20, minBytes: 64 });
    const a = pool.allocate(torch.float32, 100);
    expect(a).toBeInstanceOf(Float32Array);
    pool.release(a);
    expect(pool.allocate(torch.float32, 99)).not.toBe(a);
    expect(pool.allocate(torch.float64, 100)).not.toBe(a);
    expect(pool.allocate(torch.float32, 100)).toBe(a);
    // float64 and int64 share Float64Array storage, so they share free lists.
    const d = pool.allocate(torch.float64, 50);
    pool.release(d);
    expect(pool.allocate(torch.int64, 50)).toBe(d);
    const s = pool.stats();
    expect(s).toMatchObject({ hits: 2, pooledBytes: 0, pooledArrays: 0, released: 2, dropped: 0 });
  });

  it("leaves small arrays, views and double releases alone", () => {
    const pool = torch.createPoolAllocator({ maxBytes: 1 << 20, minBytes: 400 });
    const small = pool.allocate(torch.float32, 10);
    pool.release(small);
    const big = new Float32Array(1000);
    pool.release(big.subarray(0, 500)); // a view into a bigger buffer is not whole storage
    pool.release(big);
    pool.release(big); // twice: still handed out once
    expect(pool.stats()).toMatchObject({ pooledArrays: 1, pooledBytes: 4000, released: 1 });
    expect(pool.allocate(torch.float32, 1000)).toBe(big);
    expect(pool.allocate(torch.float32, 1000)).not.toBe(big);
    expect(pool.allocate(torch.float32, 10)).not.toBe(small);
  });

  it("keeps at most maxBytes, evicting what was released longest ago", () => {
    const pool = torch.createPoolAllocator({ maxBytes: 10_000, minBytes: 1 });
    const arrays = Array.from({ length: 5 }, (_, i) => new Float32Array(1000 + i)); // about 4000 bytes each
    for (const a of arrays) pool.release(a);
    expect(pool.stats()).toMatchObject({ pooledArrays: 2, released: 5, dropped: 3 });
    expect(pool.stats().pooledBytes).toBeLessThanOrEqual(10_000);
    // The two released last are the ones kept.
    expect(pool.allocate(torch.float32, 1000)).not.toBe(arrays[0]);
    expect(pool.allocate(torch.float32, 1004)).toBe(arrays[4]);
    expect(pool.allocate(torch.float32, 1003)).toBe(arrays[3]);
    pool.release(new Float32Array(5000)); // bigger than the whole pool: refused
    expect(pool.stats()).toMatchObject({ pooledArrays: 0, dropped: 4 });
    pool.release(arrays[0]);
    pool.clear();
    expect(pool.stats()).toMatchObject({ pooledArrays: 0, pooledBytes: 0 });
    pool.release(arrays[0]); // cleared arrays may come back
    expect(pool.stats().pooledArrays).toBe(1);
  });
});

describe("training with the pool", () => {
  const saved = { ...torch.cpuAllocator };
  afterEach(() => torch.setAllocator(saved));

  it("reuses gradient storage and keeps live storage bounded from step to step", async () => {
    const pool = torch.createPoolAllocator({ maxBytes: 64 << 20, minBytes: 4096, trackLive: true });
    torch.setAllocator(pool);
    torch.manual_seed(0);
    const model = new nn.Sequential(new nn.Linear(100, 64), new nn.ReLU(), new nn.Linear(64, 64), new nn.ReLU(), new nn.Linear(64, 10));
    const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const lossFn = new nn.CrossEntropyLoss();
    const x = torch.randn(32, 100);
    const y = torch.randint(0, 10, [32]);
    const step = () => {
      const loss = lossFn.call(model.call(x), y);
      opt.zero_grad();
      loss.backward();
      opt.step();
      return loss.item();
    };
    const live: number[] = [];
    const first = step();
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 15; i++) step();
      await collect();
      live.push(pool.stats().liveArrays!);
    }
    const last = step();
    expect(last).toBeLessThan(first); // it did train
    const s = pool.stats();
    // Weight gradients are added into .grad and handed back every step, then reused by the next one.
    expect(s.released).toBeGreaterThan(60 * 2);
    expect(s.hits).toBeGreaterThan(60 * 2);
    // Live arrays after 16, 31, 46 and 61 steps: the same handful (parameters, .grad, momentum buffers,
    // the last step's tensors), not a count that grows with the steps.
    expect(Math.max(...live)).toBeLessThanOrEqual(live[0] + 2);
    expect(live[0]).toBeLessThan(40);
    // Forward activations (which the caller could still hold) are never released: the GC frees those.
    expect(s.misses).toBeGreaterThan(0);
  });
});
