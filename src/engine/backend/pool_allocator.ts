// A size-class pooling allocator for cpu storage (installed through the dispatcher's setAllocator hook).
// The autograd engine hands back storage it knows is dead (intermediate gradients once consumed, a
// parameter gradient once added into .grad); the next request for an array of the same type and length
// reuses it instead of asking V8 for fresh zeroed memory. In a training loop the same shapes come back
// every step, so most large gradient buffers are reused at once: no calloc, no page faults, less
// external-memory pressure on the garbage collector. Storage nobody releases (forward activations the
// caller may still hold) is left to the garbage collector as before.
//
// Limits: only arrays of at least `minBytes` are pooled (small ones live on V8's heap and are cheap),
// and the pool holds at most `maxBytes`: a release beyond that evicts the arrays released longest ago
// (sizes that stopped coming back, such as an epoch's last short batch), which the GC then frees.
import type { DType, TypedArray } from "../dtype.js";
import type { CpuAllocator } from "./dispatcher.js";

export interface PoolOptions {
  /** Most bytes the pool keeps for reuse (released arrays beyond it are left to the GC). */
  maxBytes: number;
  /** Arrays smaller than this are neither pooled nor counted. */
  minBytes: number;
  /**
   * Also count live (allocated, not yet garbage-collected) arrays of at least minBytes, through a
   * FinalizationRegistry (costs about a microsecond per allocation): for tests and benchmarks.
   */
  trackLive?: boolean;
}

export interface PoolStats {
  /** Bytes and arrays waiting in the pool. */
  pooledBytes: number;
  pooledArrays: number;
  /** Allocations served from the pool, and poolable ones that had to be fresh. */
  hits: number;
  misses: number;
  /** Arrays handed back by release(), and those evicted (or refused, if bigger than the pool) for room. */
  released: number;
  dropped: number;
  /** With trackLive: poolable arrays created and not yet collected by the GC (those in the pool included). */
  liveArrays?: number;
  liveBytes?: number;
}

export interface PoolAllocator extends CpuAllocator {
  release: (data: TypedArray) => void;
  stats(): PoolStats;
  /** Empties the pool (the arrays go to the GC). */
  clear(): void;
}

type Ctor = DType["array"];

export function createPoolAllocator(opts: PoolOptions): PoolAllocator {
  // One free list per (array type, length): dtypes sharing an array type (float64/int64, uint8/bool) share lists.
  const free = new Map<Ctor, Map<number, TypedArray[]>>();
  // Arrays currently in the pool, oldest release first (a Set keeps insertion order): a double release
  // cannot hand one array out twice, and eviction starts from the front.
  const inPool = new Set<TypedArray>();
  const s: PoolStats = { pooledBytes: 0, pooledArrays: 0, hits: 0, misses: 0, released: 0, dropped: 0 };
  let live: FinalizationRegistry<number> | undefined;
  if (opts.trackLive) {
    s.liveArrays = 0;
    s.liveBytes = 0;
    live = new FinalizationRegistry((bytes: number) => {
      s.liveArrays!--;
      s.liveBytes! -= bytes;
    });
  }
  const minBytes = Math.max(1, opts.minBytes);

  function listFor(ctor: Ctor, n: number, create: boolean): TypedArray[] | undefined {
    let byLength = free.get(ctor);
    if (!byLength) {
      if (!create) return undefined;
      free.set(ctor, (byLength = new Map()));
    }
    let list = byLength.get(n);
    if (!list && create) byLength.set(n, (list = []));
    return list;
  }

  const pool: PoolAllocator = {
    zeroed: false,
    allocate(dtype: DType, n: number): TypedArray {
      const bytes = n * dtype.array.BYTES_PER_ELEMENT;
      if (bytes < minBytes) return new dtype.array(n);
      const list = listFor(dtype.array, n, false);
      if (list && list.length > 0) {
        const data = list.pop()!;
        inPool.delete(data);
        s.pooledBytes -= bytes;
        s.pooledArrays--;
        s.hits++;
        return data;
      }
      s.misses++;
      const data = new dtype.array(n);
      if (live) {
        s.liveArrays!++;
        s.liveBytes! += bytes;
        live.register(data, bytes);
      }
      return data;
    },
    release(data: TypedArray): void {
      const bytes = data.byteLength;
      if (bytes < minBytes || inPool.has(data)) return;
      // Only whole arrays of our own making come back (a view into a bigger buffer is not storage we own).
      if (data.byteOffset !== 0 || data.buffer.byteLength !== bytes) return;
      if (bytes > opts.maxBytes) {
        s.dropped++;
        return;
      }
      for (const old of inPool) {
        if (s.pooledBytes + bytes <= opts.maxBytes) break;
        const list = listFor(old.constructor as Ctor, old.length, false)!;
        list.splice(list.indexOf(old), 1);
        inPool.delete(old);
        s.pooledBytes -= old.byteLength;
        s.pooledArrays--;
        s.dropped++;
      }
      listFor(data.constructor as Ctor, data.length, true)!.push(data);
      inPool.add(data);
      s.pooledBytes += bytes;
      s.pooledArrays++;
      s.released++;
    },
    stats(): PoolStats {
      return { ...s };
    },
    clear(): void {
      free.clear();
      inPool.clear();
      s.pooledBytes = 0;
      s.pooledArrays = 0;
    },
  };
  return pool;
}

/** TRAINYARD_POOL_MB (default 256; 0 turns the pool off) in bytes, or an Error naming the bad value. */
export function poolBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number | Error {
  const raw = env.TRAINYARD_POOL_MB?.trim();
  if (raw === undefined || raw === "") return 256 * 1024 * 1024;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb < 0) return new Error(`TRAINYARD_POOL_MB must be a number of MiB >= 0, got "${raw}"`);
  return Math.floor(mb * 1024 * 1024);
}
