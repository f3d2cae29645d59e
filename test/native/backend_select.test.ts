// Backend selection, observed from fresh processes: native by default when the addon loads, the
// TypeScript backend when forced or when the addon is missing (with exactly one warning), and an
// error when native is forced but unavailable.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { skipNative } from "./support.js";

const root = join(import.meta.dirname, "..", "..");
const SCRIPT = `
import * as torch from ${JSON.stringify(join(root, "src/engine/index.ts"))};
const x = torch.ones([64, 64]);
console.log(JSON.stringify({ backend: torch.backend, sum: x.matmul(x).sum().item() }));
`;

function run(env: Record<string, string | undefined>) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", SCRIPT], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, TRAINYARD_BACKEND: undefined, TRAINYARD_NATIVE_PATH: undefined, ...env },
  });
  const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
  return { status: r.status, out: line ? (JSON.parse(line) as { backend: string; sum: number }) : null, stderr: r.stderr };
}

describe("backend selection", () => {
  it.skipIf(skipNative)("uses the native backend by default when the addon is built", () => {
    const r = run({});
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toEqual({ backend: "native", sum: 64 * 64 * 64 });
    expect(r.stderr).not.toMatch(/backend unavailable/);
  });

  it("TRAINYARD_BACKEND=ts forces the TypeScript backend", () => {
    const r = run({ TRAINYARD_BACKEND: "ts" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toEqual({ backend: "ts", sum: 64 * 64 * 64 });
  });

  it("falls back to the TypeScript backend with one warning when the addon is missing", () => {
    const r = run({ TRAINYARD_NATIVE_PATH: "/nonexistent/trainyard_native.node" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.out?.backend).toBe("ts");
    expect(r.stderr.match(/native backend unavailable/g)?.length).toBe(1);
  });

  it("TRAINYARD_BACKEND=native fails loudly when the addon is missing", () => {
    const r = run({ TRAINYARD_BACKEND: "native", TRAINYARD_NATIVE_PATH: "/nonexistent/trainyard_native.node" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/TRAINYARD_BACKEND=native: native addon not built/);
  });
});

// Which allocator a fresh process ends up with, and whether backward's released storage is reused.
const POOL_SCRIPT = `
import * as torch from ${JSON.stringify(join(root, "src/engine/index.ts"))};
const pool = torch.nativePool();
const w = torch.randn([64, 64], { requires_grad: true });
for (let i = 0; i < 3; i++) w.matmul(w).sum().backward();
console.log(JSON.stringify({ pool: pool !== null && torch.cpuAllocator.allocate === pool.allocate, stats: pool?.stats() ?? null }));
`;

function runPool(env: Record<string, string | undefined>) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", POOL_SCRIPT], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, TRAINYARD_BACKEND: undefined, TRAINYARD_NATIVE_PATH: undefined, TRAINYARD_POOL_MB: undefined, ...env },
  });
  const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
  return { status: r.status, out: line ? (JSON.parse(line) as { pool: boolean; stats: { hits: number; released: number } | null }) : null, stderr: r.stderr };
}

describe.skipIf(skipNative)("the native backend's pooling allocator", () => {
  it("is installed by default and reuses what backward releases", () => {
    const r = runPool({});
    expect(r.status, r.stderr).toBe(0);
    expect(r.out?.pool).toBe(true);
    expect(r.out?.stats?.released).toBeGreaterThan(0);
    expect(r.out?.stats?.hits).toBeGreaterThan(0);
  });

  it("TRAINYARD_POOL_MB=0 keeps fresh arrays; a bad value is an error", () => {
    const off = runPool({ TRAINYARD_POOL_MB: "0" });
    expect(off.status, off.stderr).toBe(0);
    expect(off.out).toEqual({ pool: false, stats: null });
    const bad = runPool({ TRAINYARD_POOL_MB: "lots" });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/TRAINYARD_POOL_MB must be a number of MiB >= 0, got "lots"/);
  });

  it("is not installed on the TypeScript backend", () => {
    const r = runPool({ TRAINYARD_BACKEND: "ts" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toEqual({ pool: false, stats: null });
  });
});

describe.skipIf(skipNative)("torch.get_num_threads / set_num_threads", () => {
  it("reports and changes the native thread count", async () => {
    const torch = await import("../../src/engine/index.js");
    const before = torch.get_num_threads();
    expect(before).toBeGreaterThanOrEqual(1);
    torch.set_num_threads(1);
    expect(torch.get_num_threads()).toBe(1);
    torch.set_num_threads(before);
    expect(torch.get_num_threads()).toBe(before);
    expect(() => torch.set_num_threads(0)).toThrow(/positive integer/);
  });
});
