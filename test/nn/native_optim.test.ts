// torch.optim.SGD on the native backend runs the addon's fused step (one kernel per parameter) and
// follows the same trajectory as the tensor-op path on the TypeScript backend, momentum buffer included.
import { afterEach, describe, expect, it, vi } from "vitest";
import * as torch from "../../src/engine/index.js";
import { optim } from "../../src/engine/index.js";
import { loadNativeAddon } from "../../src/engine/backends/native/addon.js";
import { skipNative } from "../native/support.js";

type SgdCase = { momentum?: number; dampening?: number; weight_decay?: number; nesterov?: boolean; maximize?: boolean };

/** Three SGD steps on a quadratic; returns the parameters and momentum buffers after each step. */
function trajectory(dtype: torch.DType, opts: SgdCase): number[][] {
  torch.manual_seed(3);
  const w = torch.randn([5, 7], { dtype }).requires_grad_(true);
  const b = torch.randn([7], { dtype }).requires_grad_(true);
  const target = torch.randn([5, 7], { dtype });
  const opt = new optim.SGD([w, b], { lr: 0.1, ...opts });
  const seen: number[][] = [];
  for (let step = 0; step < 3; step++) {
    opt.zero_grad();
    w.add(b).sub(target).pow(2).sum().backward();
    opt.step();
    for (const p of [w, b]) {
      seen.push(Array.from(p.detach().contiguous()._data));
      const buf = opt.state.get(p)?.momentum_buffer as torch.Tensor | null | undefined;
      if (buf) seen.push(Array.from(buf.contiguous()._data));
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

describe.skipIf(skipNative)("SGD's fused native step", () => {
  afterEach(() => vi.restoreAllMocks());

  for (const opts of CASES)
    for (const dtype of [torch.float64, torch.float32])
      it(`${JSON.stringify(opts)} ${dtype.name}: runs natively and matches the ts backend`, () => {
        const loaded = loadNativeAddon();
        if (loaded.addon === null) throw new Error(loaded.reason);
        const sgd = vi.spyOn(loaded.addon, "sgdStep");
        const viaTs = torch.withBackend("ts", () => trajectory(dtype, opts));
        expect(sgd).not.toHaveBeenCalled();
        const viaNative = torch.withBackend("native", () => trajectory(dtype, opts));
        expect(sgd).toHaveBeenCalledTimes(6);
        expect(sgd.mock.results.every((r) => r.value === true)).toBe(true);
        expect(viaNative.map((a) => a.length)).toEqual(viaTs.map((a) => a.length));
        const digits = dtype === torch.float64 ? 12 : 5;
        viaNative.forEach((arr, i) => arr.forEach((v, j) => expect(v).toBeCloseTo(viaTs[i][j], digits)));
      });

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
