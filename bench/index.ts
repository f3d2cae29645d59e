// npm run bench: throughput and overhead of the engine's active backend, beside PyTorch 1.13 measured
// in the same invocation (when /usr/bin/python3 has torch), printed as ratios. Not a test: numbers only.
// Options (npm run bench -- ...): --only engine,sgemm,mlp runs a subset of the three parts;
// --steps N trains only the first N batches of the MLP epoch (bench/mlp.ts), for a quick run.
import { spawnSync } from "node:child_process";
import * as torch from "../src/engine/index.js";
import { runMlpBench, stepsArg } from "./mlp.js";
import { runNativeBench } from "./native.js";

interface Figures {
  [metric: string]: number;
}

/** Median of `reps` timings (seconds) of fn, after one warm-up call. */
function time(fn: () => void, reps: number): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e9);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

function measureEngine(): Figures {
  const out: Figures = {};
  torch.manual_seed(0);
  const n = 1 << 20;
  const a = torch.randn(n);
  const b = torch.randn(n);
  out["add 1M f32 (Melem/s)"] = n / time(() => a.add(b), 20) / 1e6;
  out["mul 1M f32 (Melem/s)"] = n / time(() => a.mul(b), 20) / 1e6;
  out["exp 1M f32 (Melem/s)"] = n / time(() => a.exp(), 20) / 1e6;
  // In place, no output allocation: the kernel's own speed (fresh 4 MB outputs above pay page faults).
  const acc = torch.zeros(n);
  out["add_ 1M f32 in place (Melem/s)"] = n / time(() => acc.add_(b), 20) / 1e6;
  const c = torch.randn(1024, 1024);
  out["sum 1M f32 (Melem/s)"] = n / time(() => c.sum(1), 20) / 1e6;
  for (const size of [64, 256, 1024]) {
    const x = torch.randn(size, size);
    const y = torch.randn(size, size);
    const reps = size >= 1024 ? 3 : size >= 256 ? 10 : 50;
    out[`matmul ${size} f32 (GFLOP/s)`] = (2 * size ** 3) / time(() => x.matmul(y), reps) / 1e9;
  }
  // Per-op overhead: a tiny op recorded by autograd, and the same op's share of a backward pass.
  const s = torch.ones(1, { requires_grad: true });
  const t = torch.ones(1, { requires_grad: true });
  const ops = 20000;
  out["tiny add fwd+graph (us/op)"] = (time(() => {
    for (let i = 0; i < ops; i++) s.add(t);
  }, 15) / ops) * 1e6;
  out["tiny mul no_grad (us/op)"] = (torch.no_grad(() => time(() => {
    for (let i = 0; i < ops; i++) s.mul(t);
  }, 15)) / ops) * 1e6;
  const chain = 1000;
  out["tiny chain fwd+bwd (us/op)"] = (time(() => {
    let y = s;
    for (let i = 0; i < chain; i++) y = y.mul(t);
    y.backward();
  }, 31) / chain) * 1e6;
  return out;
}

const PYTHON = String.raw`
import json, time, torch
torch.set_num_threads(1)
def tm(fn, reps):
    fn(); ts = []
    for _ in range(reps):
        s = time.perf_counter(); fn(); ts.append(time.perf_counter() - s)
    ts.sort(); return ts[len(ts) // 2]
out = {}
torch.manual_seed(0)
n = 1 << 20
a = torch.randn(n); b = torch.randn(n)
out["add 1M f32 (Melem/s)"] = n / tm(lambda: a + b, 20) / 1e6
out["mul 1M f32 (Melem/s)"] = n / tm(lambda: a * b, 20) / 1e6
out["exp 1M f32 (Melem/s)"] = n / tm(lambda: a.exp(), 20) / 1e6
acc = torch.zeros(n)
out["add_ 1M f32 in place (Melem/s)"] = n / tm(lambda: acc.add_(b), 20) / 1e6
c = torch.randn(1024, 1024)
out["sum 1M f32 (Melem/s)"] = n / tm(lambda: c.sum(1), 20) / 1e6
for size in (64, 256, 1024):
    x = torch.randn(size, size); y = torch.randn(size, size)
    reps = 3 if size >= 1024 else 10 if size >= 256 else 50
    out["matmul %d f32 (GFLOP/s)" % size] = 2 * size ** 3 / tm(lambda: x @ y, reps) / 1e9
s = torch.ones(1, requires_grad=True); t = torch.ones(1, requires_grad=True)
ops = 20000
def fwd():
    for _ in range(ops): s + t
out["tiny add fwd+graph (us/op)"] = tm(fwd, 15) / ops * 1e6
def nog():
    with torch.no_grad():
        for _ in range(ops): s * t
out["tiny mul no_grad (us/op)"] = tm(nog, 15) / ops * 1e6
chain = 1000
def fb():
    y = s
    for _ in range(chain): y = y * t
    y.backward()
out["tiny chain fwd+bwd (us/op)"] = tm(fb, 31) / chain * 1e6
print(json.dumps(out))
`;

function measurePyTorch(): Figures | string {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync("/usr/bin/python3", ["-c", PYTHON], { env, encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) return (r.stderr || r.error?.message || "python failed").trim().split("\n").pop() ?? "python failed";
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Figures;
}

function main(): void {
  const engine = measureEngine();
  const pt = measurePyTorch();
  const lowerIsBetter = (k: string) => k.includes("us/op");
  const rows: string[][] = [["metric", `trainyard (${torch.backend})`, "PyTorch 1.13 (1 thread)", "trainyard / PyTorch"]];
  for (const [k, v] of Object.entries(engine)) {
    const p = typeof pt === "string" ? undefined : pt[k];
    const ratio = p === undefined ? "n/a" : (v / p).toFixed(2) + (lowerIsBetter(k) ? " (time)" : "");
    rows.push([k, v.toFixed(k.includes("us/op") ? 2 : 1), p === undefined ? "n/a" : p.toFixed(k.includes("us/op") ? 2 : 1), ratio]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => "| " + r.map((x, c) => x.padEnd(widths[c])).join(" | ") + " |";
  console.log(line(rows[0]));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows.slice(1)) console.log(line(r));
  if (typeof pt === "string") console.log(`\nPyTorch not measured: ${pt}`);
  console.log("\nthroughput rows: higher is better (ratio > 1 means faster than PyTorch); us/op rows: ratio of times (lower is better).");
}

const PARTS = ["engine", "sgemm", "mlp"] as const;

/** The parts --only names (all of them without it). */
function partsArg(argv: readonly string[]): Set<string> {
  const i = argv.indexOf("--only");
  if (i < 0) return new Set(PARTS);
  const names = (argv[i + 1] ?? "").split(",").filter(Boolean);
  const unknown = names.filter((n) => !(PARTS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) throw new Error(`--only expects some of ${PARTS.join(",")}, got ${argv[i + 1]}`);
  return new Set(names);
}

const argv = process.argv.slice(2);
const parts = partsArg(argv);
const steps = stepsArg(argv);
if (parts.has("engine")) main();
if (parts.has("sgemm")) runNativeBench();
if (parts.has("mlp")) runMlpBench(steps);
