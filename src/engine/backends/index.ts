// Backend selection for the cpu device. The TypeScript backend always registers; other backends add a
// provider to BACKEND_PROVIDERS (one line here), which registers its kernels or returns an Error that
// explains why it is unavailable. TRAINYARD_BACKEND=ts|native forces a choice; by default the first
// provider that loads wins, else the TypeScript backend (with one warning).
import { type CpuAllocator, getBackend, registerBackend, setAllocator, setBackend } from "../backend/dispatcher.js";
import type { KernelSet } from "../backend/kernels.js";
import { nativeProvider } from "./native/index.js";
import "./ts/index.js";

export interface BackendProvider {
  name: string;
  /** Returns the backend's kernels, or an Error saying why it cannot load. Called at most once. */
  load(): Partial<KernelSet> | Error;
  /** The storage allocator to install with this backend (the default fresh-array one when absent or null). */
  allocator?(): CpuAllocator | null;
}

export const BACKEND_PROVIDERS: BackendProvider[] = [nativeProvider];

let warned = false;

/** Chooses the active backend from TRAINYARD_BACKEND and the providers; returns its name. */
export function initBackend(env: NodeJS.ProcessEnv = process.env): string {
  const wanted = env.TRAINYARD_BACKEND?.trim();
  if (wanted === "ts") {
    setBackend("ts");
    return "ts";
  }
  const candidates = wanted ? BACKEND_PROVIDERS.filter((p) => p.name === wanted) : BACKEND_PROVIDERS;
  if (wanted && candidates.length === 0) throw new Error(`TRAINYARD_BACKEND=${wanted}: no such backend (available: ts${BACKEND_PROVIDERS.map((p) => ", " + p.name).join("")})`);
  for (const p of candidates) {
    const k = p.load();
    if (k instanceof Error) {
      if (wanted) throw new Error(`TRAINYARD_BACKEND=${wanted}: ${k.message}`);
      if (!warned) {
        warned = true;
        process.emitWarning(`trainyard: ${p.name} backend unavailable (${k.message}); using the TypeScript backend`);
      }
      continue;
    }
    registerBackend(p.name, k);
    setBackend(p.name);
    const allocator = p.allocator?.();
    if (allocator) setAllocator(allocator);
    return p.name;
  }
  return getBackend();
}
