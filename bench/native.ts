// SGEMM benchmark of the native backend against OpenBLAS and PyTorch, measured side by side in one
// run and printed as GFLOP/s and ratios. Run with `npx tsx bench/native.ts` (or from `npm run bench`).
//
// OpenBLAS: bench/openblas_sgemm.c is compiled on the fly against Debian's libopenblas-dev
// (`apt-get install libopenblas-dev`); OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are removed from its
// environment so it picks its best kernel for this CPU. PyTorch: bench/torch_mm.py under
// TRAINYARD_PYTHON (default /usr/bin/python3, Debian's python3-torch). Either is reported "n/a" when
// it is not installed. Timing rule everywhere: repeat for >= 0.25 s, best of 3 runs; the sweep runs
// TRAINYARD_BENCH_ROUNDS times (default 2), keeping each library's best.
import { referenceEnv } from "./reference-env.js";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadNativeAddon } from "../src/engine/backends/native/addon.js";

const here = dirname(fileURLToPath(import.meta.url));
const SIZES = [64, 256, 1024, 2048];

/** Trainyard's SGEMM at one size and thread count, through the addon's gemm entry point. */
function nativeSgemm(n: number, threads: number): number {
  const loaded = loadNativeAddon();
  if (loaded.addon === null) throw new Error(loaded.reason);
  const { addon, meta } = loaded;
  const before = addon.numThreads();
  addon.setNumThreads(threads);
  const a = new Float32Array(n * n).map(() => Math.random() - 0.5);
  const b = new Float32Array(n * n).map(() => Math.random() - 0.5);
  const c = new Float32Array(n * n);
  const args = [1, n, n, n, 0, 0, n, 1, 0, 0, n, 1, 0, 0, n, 1];
  const call = () => {
    meta.set(args);
    addon.gemm(c, a, b, 1, 0);
  };
  call();
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    let reps = 0;
    const t0 = performance.now();
    let dt: number;
    do {
      call();
      reps++;
      dt = (performance.now() - t0) / 1000;
    } while (dt < 0.25);
    best = Math.min(best, dt / reps);
  }
  addon.setNumThreads(before);
  return (2 * n ** 3) / best / 1e9;
}

function parseGflops(stdout: string): number | undefined {
  const line = stdout.split("\n").find((l) => l.trim().startsWith("{"));
  return line ? (JSON.parse(line) as { gflops: number }).gflops : undefined;
}

/** Compiles the OpenBLAS timer once; returns a function timing one size, or why it is unavailable. */
function openblasTimer(): ((n: number, threads: number) => number | undefined) | string {
  const header = ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas", "/usr/include"].find((d) =>
    existsSync(join(d, "cblas.h")),
  );
  if (!header) return "no cblas.h (apt-get install libopenblas-dev)";
  const exe = join(mkdtempSync(join(tmpdir(), "ty-bench-")), "openblas_sgemm");
  const cc = spawnSync("cc", ["-O2", join(here, "openblas_sgemm.c"), "-I", header, "-o", exe, "-lopenblas"], { encoding: "utf8" });
  if (cc.status !== 0) return `could not build the OpenBLAS timer: ${(cc.stderr || cc.error?.message || "").trim().split("\n")[0]}`;
  return (n, threads) => parseGflops(spawnSync(exe, [String(threads), String(n)], { encoding: "utf8", env: referenceEnv(threads) }).stdout);
}

/** Checks that PyTorch imports; returns a function timing one size, or why it is unavailable. */
function torchTimer(): ((n: number, threads: number) => number | undefined) | string {
  const python = process.env.TRAINYARD_PYTHON || "/usr/bin/python3";
  const probe = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) return `PyTorch not available (${python}: ${(probe.stderr || probe.error?.message || "").trim().split("\n").pop()})`;
  return (n, threads) =>
    parseGflops(spawnSync(python, [join(here, "torch_mm.py"), String(threads), String(n)], { encoding: "utf8", env: referenceEnv(threads) }).stdout);
}

function fmt(x: number | undefined, digits = 1): string {
  return x === undefined ? "n/a" : x.toFixed(digits);
}

export function runNativeBench(): void {
  const loaded = loadNativeAddon();
  if (loaded.addon === null) {
    console.log(`native SGEMM bench skipped: ${loaded.reason}`);
    return;
  }
  const all = loaded.addon.numThreads();
  const threadCounts = all > 1 ? [1, all] : [1];
  const info = loaded.addon.info();
  console.log(`\nSGEMM, C = A B with square float32 matrices (GFLOP/s; ratio = Trainyard / other). ISA ${info.gemmIsa}, ${all} threads max.`);
  const ob = openblasTimer();
  const pt = torchTimer();
  if (typeof ob === "string") console.log(`OpenBLAS: ${ob}`);
  if (typeof pt === "string") console.log(`PyTorch: ${pt}`);
  const rows = [["n", "threads", "Trainyard", "OpenBLAS", "torch.mm", "vs OpenBLAS", "vs torch"]];
  // The three are measured one after another for each size, so that machine noise hits them alike,
  // and the whole sweep runs ROUNDS times, keeping each one's best (the machine may be shared).
  const rounds = Number(process.env.TRAINYARD_BENCH_ROUNDS ?? 2);
  const best = new Map<string, [number?, number?, number?]>();
  const better = (x: number | undefined, y: number | undefined) => (x === undefined ? y : y === undefined ? x : Math.max(x, y));
  for (let round = 0; round < rounds; round++)
    for (const t of threadCounts)
      for (const n of SIZES) {
        const a = nativeSgemm(n, t);
        const b = typeof ob === "string" ? undefined : ob(n, t);
        const c = typeof pt === "string" ? undefined : pt(n, t);
        const prev = best.get(`${n}/${t}`) ?? [];
        best.set(`${n}/${t}`, [better(prev[0], a), better(prev[1], b), better(prev[2], c)]);
      }
  for (const t of threadCounts)
    for (const n of SIZES) {
      const [a, b, c] = best.get(`${n}/${t}`)!;
      rows.push([String(n), String(t), fmt(a), fmt(b), fmt(c), a && b ? fmt(a / b, 2) : "n/a", a && c ? fmt(a / c, 2) : "n/a"]);
    }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padStart(widths[i])).join("  "));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) runNativeBench();
