// The matrix products of the MNIST MLP's training step (784-512-512-10, batch 64), with the operand
// layouts autograd produces (transposed views included), timed three ways (GFLOP/s, best of 5):
//   gemm     the addon's GEMM alone, into a preallocated output;
//   matmul   torch.matmul as the engine runs it, each result in fresh storage (forward results are never
//            handed back to the native backend's pool, so it allocates anew each time);
//   reused   torch.matmul with a size-keyed allocator that hands back the same storage every call
//            (valid here only because each result is dead before the next call).
// The gap between gemm and matmul is the cost of fresh output storage, not of the GEMM.
// Run with `TRAINYARD_NUM_THREADS=1 npx tsx bench/mlp_shapes.ts`. Numbers only, not a test.
import { loadNativeAddon } from "../src/engine/backends/native/addon.js";
import * as torch from "../src/engine/index.js";
import type { DType, TypedArray } from "../src/engine/dtype.js";

interface Shape {
  name: string;
  m: number;
  n: number;
  k: number;
  // Strides (row, column) of A [m,k] and B [k,n] as the engine passes them.
  a: [number, number];
  b: [number, number];
  // The same product through the engine: stored operands [rows, cols] and the expression.
  shapes: [number[], number[]];
  expr: (p: torch.Tensor, q: torch.Tensor) => torch.Tensor;
}

const SHAPES: Shape[] = [
  { name: "x[64,784] @ W[512,784].t()", m: 64, n: 512, k: 784, a: [784, 1], b: [1, 784], shapes: [[64, 784], [512, 784]], expr: (x, w) => torch.matmul(x, w.t()) },
  { name: "g[64,512].t() @ x[64,784]", m: 512, n: 784, k: 64, a: [1, 512], b: [784, 1], shapes: [[64, 512], [64, 784]], expr: (g, x) => torch.matmul(g.t(), x) },
  { name: "x[64,784].t() @ g[64,512]", m: 784, n: 512, k: 64, a: [1, 784], b: [512, 1], shapes: [[64, 784], [64, 512]], expr: (x, g) => torch.matmul(x.t(), g) },
  { name: "g[64,512] @ W[512,784]", m: 64, n: 784, k: 512, a: [512, 1], b: [784, 1], shapes: [[64, 512], [512, 784]], expr: (g, w) => torch.matmul(g, w) },
  { name: "h[64,512] @ W2[512,512].t()", m: 64, n: 512, k: 512, a: [512, 1], b: [1, 512], shapes: [[64, 512], [512, 512]], expr: (h, w) => torch.matmul(h, w.t()) },
  { name: "h[64,512] @ W3[10,512].t()", m: 64, n: 10, k: 512, a: [512, 1], b: [1, 512], shapes: [[64, 512], [10, 512]], expr: (h, w) => torch.matmul(h, w.t()) },
];

/** Seconds per call of f, best of 5 runs of at least 0.1 s each. */
function bestTime(f: () => unknown): number {
  f();
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    let reps = 0;
    const t0 = performance.now();
    let dt: number;
    do {
      f();
      reps++;
      dt = (performance.now() - t0) / 1000;
    } while (dt < 0.1);
    best = Math.min(best, dt / reps);
  }
  return best;
}

const loaded = loadNativeAddon();
if (loaded.addon === null) throw new Error(loaded.reason);
const { addon, meta } = loaded;

function gemmSeconds(s: Shape): number {
  const a = new Float32Array(s.m * s.k).map(() => Math.random() - 0.5);
  const b = new Float32Array(s.k * s.n).map(() => Math.random() - 0.5);
  const c = new Float32Array(s.m * s.n);
  const args = [1, s.m, s.n, s.k, 0, 0, s.a[0], s.a[1], 0, 0, s.b[0], s.b[1], 0, 0, s.n, 1];
  return bestTime(() => {
    meta.set(args);
    addon.gemm(c, a, b, 1, 0);
  });
}

const freshAllocator = { allocate: torch.cpuAllocator.allocate, zeroed: torch.cpuAllocator.zeroed, release: torch.cpuAllocator.release };
const reused = new Map<string, TypedArray>();
const reusingAllocator = {
  allocate: (dtype: DType, n: number): TypedArray => {
    const key = `${dtype.name}:${n}`;
    let data = reused.get(key);
    if (data === undefined) reused.set(key, (data = new dtype.array(n)));
    return data;
  },
  zeroed: false,
};

function matmulSeconds(s: Shape, allocator: typeof freshAllocator | typeof reusingAllocator): number {
  const p = torch.randn(s.shapes[0]);
  const q = torch.randn(s.shapes[1]);
  torch.setAllocator(allocator);
  try {
    return bestTime(() => s.expr(p, q));
  } finally {
    torch.setAllocator(freshAllocator);
  }
}

console.log(`${"product".padEnd(30)} ${"gemm".padStart(7)} ${"matmul".padStart(7)} ${"reused".padStart(7)}  (GFLOP/s, ${torch.get_num_threads()} thread(s))`);
for (const s of SHAPES) {
  const flops = 2 * s.m * s.n * s.k;
  const rate = (sec: number) => (flops / sec / 1e9).toFixed(1).padStart(7);
  console.log(`${s.name.padEnd(30)} ${rate(gemmSeconds(s))} ${rate(matmulSeconds(s, freshAllocator))} ${rate(matmulSeconds(s, reusingAllocator))}`);
}
