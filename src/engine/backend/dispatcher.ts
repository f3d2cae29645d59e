// The dispatcher: (kernel name, backend) -> kernel function, in the style of TensorFlow.js's kernel
// registry. Op code reads kernels from the one `kernels` table (a plain object, so a dispatch costs one
// property load); the table holds the active backend's kernels with the TypeScript reference backend
// filling every kernel the active backend lacks. Registering a kernel or switching backend rebuilds it.
//
// Devices: every storage today lives on the `cpu` device, whose kernels are this table. A device with
// its own memory (cuda) would get its own table, chosen by the op layer from the tensors' device.
import type { DType, TypedArray } from "../dtype.js";
import type { KernelName, KernelSet } from "./kernels.js";

/**
 * Where cpu storage comes from. The default allocates fresh (zeroed) typed arrays; a backend may install
 * a pooling allocator (setAllocator) whose arrays come back dirty, in which case it sets `zeroed: false`
 * and the engine zero-fills where it needs zeros. Every op result is allocated through this hook.
 */
export interface CpuAllocator {
  allocate(dtype: DType, n: number): TypedArray;
  /** True when allocate() always returns zero-filled memory. */
  zeroed: boolean;
  /**
   * Called by the autograd engine with storage it knows is dead (intermediate gradients once consumed),
   * so that a pool can reuse it at once instead of waiting for the garbage collector. Optional.
   */
  release?: (data: TypedArray) => void;
}

export const cpuAllocator: CpuAllocator = {
  allocate: (dtype, n) => new dtype.array(n),
  zeroed: true,
};

export function setAllocator(a: CpuAllocator): void {
  cpuAllocator.allocate = a.allocate;
  cpuAllocator.zeroed = a.zeroed;
  cpuAllocator.release = a.release;
}

/** The backend whose kernels every other backend falls back to. */
export const REFERENCE_BACKEND = "ts";

const registry = new Map<string, Partial<KernelSet>>();
let active = REFERENCE_BACKEND;

/** The active kernel table for the cpu device. Ops call `kernels.binary(...)` etc. */
export const kernels = {} as KernelSet;

function rebuild(): void {
  for (const k of Object.keys(kernels)) delete (kernels as unknown as Record<string, unknown>)[k];
  Object.assign(kernels, registry.get(REFERENCE_BACKEND) ?? {});
  if (active !== REFERENCE_BACKEND) Object.assign(kernels, registry.get(active) ?? {});
}

/** Registers one kernel for a backend (creating the backend if new). Replaces an earlier registration. */
export function registerKernel<K extends KernelName>(name: K, backend: string, fn: KernelSet[K]): void {
  let table = registry.get(backend);
  if (!table) registry.set(backend, (table = {}));
  table[name] = fn;
  if (backend === active || backend === REFERENCE_BACKEND) rebuild();
}

/** Registers many kernels at once for a backend. */
export function registerBackend(backend: string, table: Partial<KernelSet>): void {
  registry.set(backend, { ...(registry.get(backend) ?? {}), ...table });
  if (backend === active || backend === REFERENCE_BACKEND) rebuild();
}

/** The kernel `name` as `backend` provides it (undefined if it does not), without falling back. */
export function getKernel<K extends KernelName>(name: K, backend: string): KernelSet[K] | undefined {
  return registry.get(backend)?.[name];
}

/** Names of the kernels `backend` itself registered. */
export function listKernels(backend: string): KernelName[] {
  return Object.keys(registry.get(backend) ?? {}) as KernelName[];
}

export function registeredBackends(): string[] {
  return [...registry.keys()];
}

/** Makes `backend` the active one for the cpu device. */
export function setBackend(backend: string): void {
  if (!registry.has(backend)) throw new Error(`backend "${backend}" is not registered (registered: ${registeredBackends().join(", ")})`);
  active = backend;
  rebuild();
}

export function getBackend(): string {
  return active;
}

/** Runs fn with `backend` active, then restores the previous one (tests compare backends this way). */
export function withBackend<T>(backend: string, fn: () => T): T {
  const prev = active;
  setBackend(backend);
  try {
    return fn();
  } finally {
    setBackend(prev);
  }
}
