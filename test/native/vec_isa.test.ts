// The vectorised elementwise, reduction and optimizer kernels (native/src/vec_kernels*.cc) give bit-identical
// results on every instruction set: each ISA runs in a child process (TRAINYARD_ISA lowers the choice,
// the addon picks once at load) over the same inputs, including misaligned, broadcast, in-place and
// NaN/-0/inf cases, and the children's outputs must agree byte for byte. (The kernels' agreement with the
// TypeScript reference is checked by kernels.test.ts and fused.test.ts on the best ISA.)
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { loadNativeAddon } from "../../src/engine/backends/native/addon.js";
import { skipNative } from "./support.js";

const CHILD = String.raw`
const { createHash } = require("node:crypto");
const addon = require(process.argv[1]);
const meta = new Float64Array(1024);
addon.init(meta);
const info = addon.info();
const bin = (name) => info.binaryOps.indexOf(name);
const un = (name) => info.unaryOps.indexOf(name);
let seed = 7;
const rand = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647 - 0.5; };
const SPECIAL = [NaN, -0, 0, Infinity, -Infinity, 1e-40, -1e-40];
function fill(Ctor, n) {
  const a = new Ctor(n);
  for (let i = 0; i < n; i++) a[i] = i % 29 === 3 ? SPECIAL[i % SPECIAL.length] : rand() * 4;
  return a;
}
const results = {};
function record(key, arr) {
  results[key] = createHash("sha256").update(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength)).digest("hex");
}
for (const Ctor of [Float32Array, Float64Array]) {
  const tag = Ctor.name;
  for (const op of ["add", "sub", "mul", "add_alpha", "sub_alpha", "relu_backward"]) {
    // [shape, aOff, aStrides, bOff, bStrides]: contiguous misaligned, b or a a broadcast scalar, a bias row.
    const layouts = [[[1001], 1, [1], 3, [1]], [[37], 0, [1], 5, [0]], [[37], 2, [0], 0, [1]], [[5, 33], 0, [33, 1], 1, [0, 1]]];
    layouts.forEach(([shape, aOff, aSt, bOff, bSt], li) => {
      const n = shape.reduce((x, y) => x * y, 1);
      const a = fill(Ctor, n + 8), b = fill(Ctor, n + 8), out = new Ctor(n);
      meta.set([shape.length, ...shape, aOff, ...aSt, bOff, ...bSt]);
      if (!addon.binary(bin(op), out, a, b, 0.75)) throw new Error("declined " + op);
      record(tag + " " + op + " layout " + li, out);
    });
    // In place: out is a itself.
    const a = fill(Ctor, 515), b = fill(Ctor, 515);
    meta.set([1, 515, 0, 1, 0, 1]);
    if (!addon.binary(bin(op), a, a, b, -1.5)) throw new Error("declined " + op);
    record(tag + " " + op + " in place", a);
  }
  for (const op of ["relu", "add_scalar", "mul_scalar"]) {
    const x = fill(Ctor, 1003), out = new Ctor(1000);
    meta.set([1, 1000, 3, 1]);
    if (!addon.unary(un(op), out, x, 0.3, 0)) throw new Error("declined " + op);
    record(tag + " " + op, out);
    meta.set([1, 1003, 0, 1]);
    if (!addon.unary(un(op), x, x, -2.5, 0)) throw new Error("declined " + op);
    record(tag + " " + op + " in place", x);
  }
  const sgdCases = [[0.1, 0.9, 0, 0, false, false], [0.05, 0.9, 0.1, 0.01, true, false], [0.1, 0, 0, 0.02, false, true], [0.01, 0.5, 0, 0, false, true]];
  sgdCases.forEach(([lr, mom, damp, wd, nesterov, maximize], ci) => {
    const p = fill(Ctor, 1001), buf = new Ctor(1001);
    for (let step = 0; step < 3; step++) {
      const g = fill(Ctor, 1001);
      if (!addon.sgdStep(p, g, mom ? buf : null, lr, mom, damp, wd, nesterov, maximize, step === 0)) throw new Error("sgd declined");
    }
    record(tag + " sgd " + ci, p);
    record(tag + " sgd buf " + ci, buf);
  });
  // Sums over an outer dim (rows added into double accumulators): a bias gradient, a 3-D middle dim.
  for (const [shape, dims] of [[[64, 517], [0]], [[3, 40, 33], [1]]]) {
    const n = shape.reduce((x, y) => x * y, 1);
    const x = fill(Ctor, n + 1), out = new Ctor(n / shape[dims[0]]);
    const strides = shape.map((_, d) => shape.slice(d + 1).reduce((p, q) => p * q, 1));
    meta.set([shape.length, ...shape, 1, ...strides, 1, ...dims]);
    if (!addon.reduce(0, out, x)) throw new Error("sum declined");
    record(tag + " sum over dim " + dims[0] + " of " + shape.join("x"), out);
  }
  const adamCases = [[1e-3, 0, false, false, false], [1e-2, 0.1, true, false, false], [1e-2, 0.05, false, true, true], [1e-3, 0.01, true, true, false]];
  adamCases.forEach(([lr, wd, amsgrad, maximize, decoupled], ci) => {
    const p = fill(Ctor, 999), m = new Ctor(999), v = new Ctor(999), vmax = new Ctor(999);
    for (let step = 1; step <= 3; step++) {
      const g = fill(Ctor, 999);
      if (!addon.adamStep(p, g, m, v, amsgrad ? vmax : null, lr, 0.9, 0.999, 1e-8, wd, step, amsgrad, maximize, decoupled)) throw new Error("adam declined");
    }
    record(tag + " adam " + ci, p);
    record(tag + " adam v " + ci, v);
  });
}
console.log(JSON.stringify({ isa: info.isa, results }));
`;

describe.skipIf(skipNative)("vectorised kernels on each instruction set", () => {
  it("give byte-identical results on every ISA the CPU has", () => {
    const loaded = loadNativeAddon();
    if (loaded.addon === null) throw new Error(loaded.reason);
    const all = ["generic", "avx2", "avx512"];
    const isas = all.slice(0, all.indexOf(loaded.addon.info().isa) + 1);
    const outputs = isas.map((isa) => {
      const r = spawnSync(process.execPath, ["-e", CHILD, loaded.path], { encoding: "utf8", env: { ...process.env, TRAINYARD_ISA: isa } });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { isa: string; results: Record<string, string> };
      expect(out.isa).toBe(isa);
      return out.results;
    });
    expect(Object.keys(outputs[0]).length).toBe(2 * (6 * 5 + 3 * 2 + 2 + 4 * 2 + 4 * 2));
    for (const other of outputs.slice(1)) expect(other).toEqual(outputs[0]);
  });
});
