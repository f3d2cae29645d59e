// The native backend provider: loads the C++ addon and hands the dispatcher its kernels. When the
// addon is missing (not built, no compiler at install) or fails to load, load() returns the reason
// and the engine falls back to the TypeScript backend with one warning (see ../index.ts).
import { getBackend, getKernel } from "../../backend/dispatcher.js";
import type { KernelSet } from "../../backend/kernels.js";
import { createPoolAllocator, type PoolAllocator, poolBytesFromEnv } from "../../backend/pool_allocator.js";
import { loadNativeAddon } from "./addon.js";
import { createNativeKernels, type NativeKernelTable } from "./kernels.js";

const NAMES = [
  "unary", "binary", "where", "reduce", "arg_reduce", "matmul", "copy", "fill", "softmax", "softmax_backward",
] as const;

function referenceKernels(): NativeKernelTable {
  const table: Partial<Record<(typeof NAMES)[number], unknown>> = {};
  for (const name of NAMES) {
    const k = getKernel(name, "ts");
    if (!k) throw new Error(`native backend: the TypeScript reference kernel "${name}" is not registered`);
    table[name] = k;
  }
  return table as NativeKernelTable;
}

/** Arrays under 4 KiB are not pooled: V8 allocates small ones cheaply, and they are not what costs. */
const POOL_MIN_BYTES = 4096;

let pool: PoolAllocator | null = null;

/**
 * The pooling allocator the native backend installs (TRAINYARD_POOL_MB, default 256; 0 keeps fresh
 * zeroed arrays), or null when none was installed. Its stats() say how much storage was reused.
 */
export function nativePool(): PoolAllocator | null {
  return pool;
}

export const nativeProvider = {
  name: "native",
  allocator(): PoolAllocator | null {
    const maxBytes = poolBytesFromEnv();
    if (maxBytes instanceof Error) throw maxBytes;
    if (maxBytes === 0) return null;
    pool ??= createPoolAllocator({ maxBytes, minBytes: POOL_MIN_BYTES });
    return pool;
  },
  load(): Partial<KernelSet> | Error {
    const loaded = loadNativeAddon();
    if (loaded.addon === null) return new Error(loaded.reason);
    const native: Partial<KernelSet> = createNativeKernels(loaded.addon, loaded.meta, referenceKernels());
    return native;
  },
};

/** Threads the native kernels use (TRAINYARD_NUM_THREADS at start-up), or 1 without the addon. */
export function get_num_threads(): number {
  const loaded = loadNativeAddon();
  return loaded.addon ? loaded.addon.numThreads() : 1;
}

/** Sets the native kernels' thread count; results do not depend on it (see native/src/gemm.cc). */
export function set_num_threads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`set_num_threads expects a positive integer, got ${n}`);
  const loaded = loadNativeAddon();
  if (loaded.addon) loaded.addon.setNumThreads(n);
}

/** True while the native backend is the active one (callers of the fused kernels in fused.ts check this). */
export function isNativeActive(): boolean {
  return getBackend() === nativeProvider.name;
}
