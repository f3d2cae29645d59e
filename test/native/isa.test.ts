// Every instruction-set path of the GEMM gives correct results: each runs in a child process with
// TRAINYARD_ISA lowering the choice (the addon picks its kernels once, at load).
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { loadNativeAddon } from "../../src/engine/backends/native/addon.js";
import { skipNative } from "./support.js";

// Runs in the child: products of odd shapes (edge tiles), transposed B, both dtypes, vs a double loop.
const CHILD = `
const addon = require(process.argv[1]);
const meta = new Float64Array(1024);
addon.init(meta);
let worst = 0;
let seed = 1;
const rand = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647 - 0.5; };
for (const Ctor of [Float32Array, Float64Array]) {
  for (const [M, N, K, transB] of [[1, 1, 1, 0], [7, 9, 5, 0], [13, 35, 70, 1], [40, 33, 600, 0], [25, 17, 3, 1]]) {
    const a = Ctor.from({ length: M * K }, rand), b = Ctor.from({ length: K * N }, rand), c = new Ctor(M * N);
    meta.set([1, M, N, K, 0, 0, K, 1, 0, 0, transB ? 1 : N, transB ? K : 1, 0, 0, N, 1]);
    if (!addon.gemm(c, a, b, 1, 0)) throw new Error("declined");
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * K + k] * (transB ? b[j * K + k] : b[k * N + j]);
      worst = Math.max(worst, Math.abs(s - c[i * N + j]) / (1 + Math.abs(s)) / (Ctor === Float32Array ? 1e-5 : 1e-13));
    }
  }
}
console.log(JSON.stringify({ isa: addon.info().gemmIsa, worst }));
`;

describe.skipIf(skipNative)("native GEMM on each instruction set", () => {
  const loaded = loadNativeAddon();
  const best = loaded.addon?.info().isa ?? "generic";
  const isas = ["generic", "avx2", "avx512"].slice(0, ["generic", "avx2", "avx512"].indexOf(best) + 1);
  for (const isa of isas) {
    it(`${isa}`, () => {
      if (loaded.addon === null) throw new Error(loaded.reason);
      const r = spawnSync(process.execPath, ["-e", CHILD, loaded.path], {
        encoding: "utf8",
        env: { ...process.env, TRAINYARD_ISA: isa },
      });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { isa: string; worst: number };
      expect(out.isa).toBe(isa);
      expect(out.worst).toBeLessThan(1);
    });
  }
});
