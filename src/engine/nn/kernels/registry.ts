// Kernels that nn adds (im2col, col2im), kept in nn's own table so that nn never edits engine files.
// It follows the engine dispatcher: one table per backend, the active backend's kernel when it has one,
// else the TypeScript reference. A native backend registers its versions with registerNnKernel.
import { REFERENCE_BACKEND, getBackend } from "../../backend/dispatcher.js";
import type { Col2imKernel, Im2colKernel } from "./im2col.js";

export interface NnKernels {
  im2col: Im2colKernel;
  col2im: Col2imKernel;
}

const tables = new Map<string, Partial<NnKernels>>();

export function registerNnKernel<K extends keyof NnKernels>(name: K, backend: string, fn: NnKernels[K]): void {
  let table = tables.get(backend);
  if (!table) tables.set(backend, (table = {}));
  table[name] = fn;
}

export function nnKernel<K extends keyof NnKernels>(name: K): NnKernels[K] {
  const fn = tables.get(getBackend())?.[name] ?? tables.get(REFERENCE_BACKEND)?.[name];
  if (!fn) throw new Error(`no kernel "${name}" registered`);
  return fn as NnKernels[K];
}

/** The TypeScript reference version of a kernel (what another backend's kernel falls back to). */
export function referenceNnKernel<K extends keyof NnKernels>(name: K): NnKernels[K] {
  const fn = tables.get(REFERENCE_BACKEND)?.[name];
  if (!fn) throw new Error(`no reference kernel "${name}" registered`);
  return fn as NnKernels[K];
}
