// npm run bench: Trainyard beside PyTorch 1.13 (when /usr/bin/python3 has torch) and OpenBLAS, measured
// in the same invocation and printed as ratios. Not a test: numbers only. Four parts:
//   engine  elementwise/reduction throughput, matmul, and the per-op overhead of tiny ops with and without
//           autograd, on both backends (native and ts, each in its own process) and in PyTorch (1 thread);
//   sgemm   square SGEMM against OpenBLAS and torch.mm (bench/native.ts);
//   mlp     one epoch of the seed's MNIST MLP at batch 64 and 256 on 1 and 2 threads (bench/mlp.ts);
//   rss     RSS after each of several epochs at batch 256, against PyTorch's (bench/mlp.ts).
// Options (npm run bench -- ...): --only engine,sgemm,mlp,rss runs a subset; --steps N trains only the
// first N batches of each MLP epoch (quick run); --reps N alternating Trainyard/PyTorch runs per MLP row
// (default 3); --batches 64,256 and --threads 1,2 choose the MLP rows; --epochs N for the memory part
// (default 3).
import { referenceEnv } from "./reference-env.js";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadNativeAddon } from "../src/engine/backends/native/addon.js";
import * as torch from "../src/engine/index.js";
import { intArg, intListArg, runMlpBench, runRssBench, stepsArg } from "./mlp.js";
import { runNativeBench } from "./native.js";

const here = dirname(fileURLToPath(import.meta.url));

function nativeIsa(): string {
  const l = loadNativeAddon();
  return l.addon ? l.addon.info().isa : "n/a (addon not loaded)";
}

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
  const r = spawnSync("/usr/bin/python3", ["-c", PYTHON], { env: referenceEnv(1), encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) return (r.stderr || r.error?.message || "python failed").trim().split("\n").pop() ?? "python failed";
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Figures;
}

/** measureEngine() in a fresh process on `backend`, one thread (the same footing as PyTorch's column). */
function measureBackend(backend: string): Figures | string {
  const env = { ...process.env, TRAINYARD_BACKEND: backend, TRAINYARD_NUM_THREADS: "1" };
  const r = spawnSync(process.execPath, ["--import", "tsx", join(here, "index.ts"), "--engine-child"], {
    env, cwd: join(here, ".."), encoding: "utf8", timeout: 600_000,
  });
  const line = r.stdout?.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (r.status !== 0 || !line) return (r.stderr || r.error?.message || "failed").trim().split("\n").pop() ?? "failed";
  return JSON.parse(line) as Figures;
}

function runEngineBench(): void {
  const columns: [string, Figures | string][] = [
    ["native", measureBackend("native")],
    ["ts", measureBackend("ts")],
    ["PyTorch 1.13", measurePyTorch()],
  ];
  console.log("\nEngine throughput and per-op overhead, 1 thread (each column in its own process):");
  const lowerIsBetter = (k: string) => k.includes("us/op");
  const keys = Object.keys(columns.find(([, f]) => typeof f !== "string")?.[1] ?? {});
  const pt = columns[2][1];
  const rows: string[][] = [["metric", ...columns.map(([n]) => n), "native / PyTorch", "ts / PyTorch"]];
  for (const k of keys) {
    const digits = lowerIsBetter(k) ? 2 : 1;
    const val = (f: Figures | string) => (typeof f === "string" || f[k] === undefined ? undefined : f[k]);
    const ratio = (f: Figures | string) => {
      const v = val(f), p = val(pt);
      return v === undefined || p === undefined ? "n/a" : (v / p).toFixed(2) + (lowerIsBetter(k) ? " (time)" : "");
    };
    rows.push([k, ...columns.map(([, f]) => val(f)?.toFixed(digits) ?? "n/a"), ratio(columns[0][1]), ratio(columns[1][1])]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => "| " + r.map((x, c) => x.padEnd(widths[c])).join(" | ") + " |";
  console.log(line(rows[0]));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows.slice(1)) console.log(line(r));
  for (const [name, f] of columns) if (typeof f === "string") console.log(`${name} not measured: ${f}`);
  console.log("throughput rows: higher is better (ratio > 1 means faster than PyTorch); us/op rows: ratio of times (lower is better).");
}

const PARTS = ["engine", "sgemm", "mlp", "rss"] as const;

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
if (argv[0] === "--engine-child") {
  console.log(JSON.stringify(measureEngine()));
} else {
  const parts = partsArg(argv);
  const steps = stepsArg(argv);
  const t0 = performance.now();
  console.log(`trainyard bench: parts ${[...parts].join(",")}; native ISA ${nativeIsa()}, ${torch.get_num_threads()} threads max`);
  if (parts.has("engine")) runEngineBench();
  if (parts.has("sgemm")) runNativeBench();
  if (parts.has("mlp")) runMlpBench(steps, intArg(argv, "--reps", 3), intListArg(argv, "--batches", [64, 256]), intListArg(argv, "--threads", [1, 2]));
  if (parts.has("rss")) runRssBench(intArg(argv, "--epochs", 3));
  console.log(`\nbench took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
