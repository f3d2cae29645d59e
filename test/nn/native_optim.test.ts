// torch.optim.SGD / Adam / AdamW on the native backend run the addon's fused step (one kernel per
// parameter) and follow the same trajectory as the tensor-op path on the TypeScript backend, state included.
import { afterEach, describe, expect, it, vi } from "vitest";
import * as torch from "../../src/engine/index.js";
import { optim } from "../../src/engine/index.js";
import { loadNativeAddon } from "../../src/engine/backends/native/addon.js";
import { skipNative } from "../native/support.js";

type SgdCase = { momentum?: number; dampening?: number; weight_decay?: number; nesterov?: boolean; maximize?: boolean };

type MakeOptimizer = (params: torch.Tensor[]) => optim.Optimizer;
const STATE_KEYS = ["momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"];

/** Three optimizer steps on a quadratic; returns the parameters and their state tensors after each step. */
function trajectory(dtype: torch.DType, make: MakeOptimizer): number[][] {
  torch.manual_seed(3);
  const w = torch.randn([5, 7], { dtype }).requires_grad_(true);
  const b = torch.randn([7], { dtype }).requires_grad_(true);
  const target = torch.randn([5, 7], { dtype });
  const opt = make([w, b]);
  const seen: number[][] = [];
  for (let step = 0; step < 3; step++) {
    opt.zero_grad();
    w.add(b).sub(target).pow(2).sum().backward();
    opt.step();
    for (const p of [w, b]) {
      seen.push(Array.from(p.detach().contiguous()._data));
      for (const key of STATE_KEYS) {
        const t = opt.state.get(p)?.[key] as torch.Tensor | null | undefined;
        if (t) seen.push(Array.from(t.contiguous()._data));
      }
    }
  }
  return seen;
}

const CASES: SgdCase[] = [
  {},
  { momentum: 0.9 },
  { momentum: 0.9, dampening: 0.1, weight_decay: 0.01 },
  { momentum: 0.5, nesterov: true, maximize: true },
];

/** Runs `make` on both backends; the native run must call the addon's `kernel` for every step of both parameters. */
function compareBackends(kernel: "sgdStep" | "adamStep", dtype: torch.DType, make: MakeOptimizer): void {
  const loaded = loadNativeAddon();
  if (loaded.addon === null) throw new Error(loaded.reason);
  const spy = vi.spyOn(loaded.addon, kernel);
  const viaTs = torch.withBackend("ts", () => trajectory(dtype, make));
  expect(spy).not.toHaveBeenCalled();
  const viaNative = torch.withBackend("native", () => trajectory(dtype, make));
  expect(spy).toHaveBeenCalledTimes(6);
  expect(spy.mock.results.every((r) => r.value === true)).toBe(true);
  expect(viaNative.map((a) => a.length)).toEqual(viaTs.map((a) => a.length));
  const digits = dtype === torch.float64 ? 12 : 5;
  viaNative.forEach((arr, i) => arr.forEach((v, j) => expect(v).toBeCloseTo(viaTs[i][j], digits)));
}

type AdamCase = { weight_decay?: number; amsgrad?: boolean; maximize?: boolean };
const ADAM_CASES: AdamCase[] = [{}, { weight_decay: 0.1, amsgrad: true }, { maximize: true, weight_decay: 0.05 }];

describe.skipIf(skipNative)("fused native optimizer steps", () => {
  afterEach(() => vi.restoreAllMocks());

  for (const dtype of [torch.float64, torch.float32]) {
    for (const opts of CASES)
      it(`SGD ${JSON.stringify(opts)} ${dtype.name}: runs natively and matches the ts backend`, () =>
        compareBackends("sgdStep", dtype, (ps) => new optim.SGD(ps, { lr: 0.1, ...opts })));
    for (const opts of ADAM_CASES) {
      it(`Adam ${JSON.stringify(opts)} ${dtype.name}: runs natively and matches the ts backend`, () =>
        compareBackends("adamStep", dtype, (ps) => new optim.Adam(ps, { lr: 0.05, ...opts })));
      it(`AdamW ${JSON.stringify(opts)} ${dtype.name}: runs natively and matches the ts backend`, () =>
        compareBackends("adamStep", dtype, (ps) => new optim.AdamW(ps, { lr: 0.05, ...opts })));
    }
  }

  it("falls back to the tensor-op path for a non-contiguous parameter view", () => {
    const loaded = loadNativeAddon();
    if (loaded.addon === null) throw new Error(loaded.reason);
    const sgd = vi.spyOn(loaded.addon, "sgdStep");
    const base = torch.ones([4, 4]);
    const p = base.t().requires_grad_(true);
    torch.withBackend("native", () => {
      const opt = new optim.SGD([p], { lr: 0.5, momentum: 0.9 });
      p.mul(torch.arange(16).view([4, 4])).sum().backward();
      opt.step();
    });
    expect(sgd).not.toHaveBeenCalled();
    const expected = torch.arange(16).view([4, 4]).mul(-0.5).add(1);
    expect(Array.from(p.detach().contiguous()._data)).toEqual(Array.from(expected.contiguous()._data));
  });
});
