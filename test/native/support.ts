// Shared helpers for the native kernel tests: the loaded addon, a seeded RNG, closeness checks.
import { expect } from "vitest";
import { loadNativeAddon, type NativeAddon } from "../../src/engine/backends/native/addon.js";

const loaded = loadNativeAddon();

/**
 * The tests need the built addon (`npm ci` builds it). A machine without a compiler can opt out with
 * TRAINYARD_SKIP_NATIVE=1, which also skips the build; otherwise a missing addon fails the tests.
 */
export const skipNative = process.env.TRAINYARD_SKIP_NATIVE === "1";

export function native(): { addon: NativeAddon; meta: Float64Array } {
  if (loaded.addon === null) throw new Error(loaded.reason);
  return { addon: loaded.addon, meta: loaded.meta };
}

/** mulberry32: small, fast and reproducible. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FloatArray = Float32Array | Float64Array;
export type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

export function randomArray<C extends FloatCtor>(Ctor: C, n: number, rand: () => number, lo = -1, hi = 1): InstanceType<C> {
  const a = new Ctor(n) as InstanceType<C>;
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rand();
  return a;
}

/** Elementwise |a - b| <= atol + rtol |b|, NaNs must match; reports the first offending index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, what = ""): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (!(Number.isNaN(e) && Number.isNaN(a))) expect.fail(`${what}[${i}]: got ${a}, expected ${e}`);
      continue;
    }
    if (a === e) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) expect.fail(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}

/** Tolerances for results computed natively in the array's precision, against a double-precision reference. */
export function tolerances(Ctor: FloatCtor, reduceLength = 1): [number, number] {
  return Ctor === Float32Array ? [1e-5 * Math.sqrt(Math.max(1, reduceLength)), 1e-4] : [1e-12 * Math.max(1, reduceLength), 1e-10];
}
