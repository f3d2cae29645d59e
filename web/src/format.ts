// How numbers, times, sizes and specs read on the page.
import type { ClassSpec, Job, Layer } from "./types";

export function age(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d`;
}

export function duration(fromIso: string | null, toIso: string | null): string {
  if (!fromIso) return "–";
  return age(fromIso, toIso ? Date.parse(toIso) : Date.now());
}

export const dateTime = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "–");

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export const count = (n: number) => n.toLocaleString("en-US");

export function metric(value: number | null | undefined, kind: "loss" | "accuracy" = "loss"): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return kind === "accuracy" ? `${(value * 100).toFixed(2)}%` : value.toPrecision(4);
}

export function percent(job: Job): number {
  return job.progress.total_steps ? Math.min(100, (100 * job.progress.step) / job.progress.total_steps) : 0;
}

/** A plain number as written in a spec: 0.01, 0.9, 1e+20 (not twenty zeros). */
export function num(value: number): string {
  const abs = Math.abs(value);
  return abs !== 0 && (abs >= 1e6 || abs < 1e-4) ? value.toExponential() : String(value);
}

/** SGD(lr=0.01, momentum=0.9) */
export function classSpec(spec: ClassSpec | null): string {
  if (!spec) return "–";
  const args = Object.entries(spec)
    .filter(([key]) => key !== "type")
    .map(([key, value]) => `${key}=${typeof value === "number" ? num(value) : JSON.stringify(value)}`);
  return `${spec.type}(${args.join(", ")})`;
}

function layerLabel(layer: Layer): string {
  if (layer.layers) return `[${layer.layers.map(layerLabel).join(" → ")}]`;
  if (layer.type === "Linear") return `Linear ${layer.in_features}→${layer.out_features}`;
  if (layer.type === "Conv2d") return `Conv2d ${layer.in_channels}→${layer.out_channels}`;
  return layer.type;
}

/** Flatten → Linear 784→32 → ReLU → Linear 32→10 */
export const layersSummary = (layers: Layer[]) => layers.map(layerLabel).join(" → ");

export const shortId = (id: string) => (id.length > 10 ? id.slice(0, 8) + "…" : id);
