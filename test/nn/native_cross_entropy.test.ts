// F.cross_entropy on the native backend runs the addon's fused kernel for 2-D logits with int64
// targets, and gives the TypeScript backend's loss, gradient and (through create_graph) second derivative.
import { afterEach, describe, expect, it, vi } from "vitest";
import * as torch from "../../src/engine/index.js";
import { nn } from "../../src/engine/index.js";
import { loadNativeAddon } from "../../src/engine/backends/native/addon.js";
import { skipNative } from "../native/support.js";

const F = nn.functional;

/** Loss, d loss/d logits, and d(sum of that gradient squared)/d logits (a second-order term). */
function lossAndGrads(dtype: torch.DType, reduction: string, ignore: boolean): number[][] {
  torch.manual_seed(11);
  const x = torch.randn([6, 5], { dtype }).requires_grad_(true);
  const t = torch.tensor([0, 4, 2, 2, 1, 3], { dtype: torch.int64 });
  if (ignore) t._data[2] = -100;
  const loss = F.cross_entropy(x, t, { reduction });
  const [g] = torch.autograd.grad([loss], [x], null, { create_graph: true });
  const [gg] = torch.autograd.grad([g!.pow(2).sum()], [x]);
  return [[loss.item()], Array.from(g!.detach().contiguous()._data), Array.from(gg!.contiguous()._data)];
}

describe.skipIf(skipNative)("cross_entropy's fused native kernel", () => {
  afterEach(() => vi.restoreAllMocks());

  for (const reduction of ["mean", "sum"])
    for (const ignore of [false, true])
      for (const dtype of [torch.float64, torch.float32])
        it(`${reduction}${ignore ? " with an ignored target" : ""} ${dtype.name}: fused under native, same as ts`, () => {
          const loaded = loadNativeAddon();
          if (loaded.addon === null) throw new Error(loaded.reason);
          const ce = vi.spyOn(loaded.addon, "crossEntropy");
          const viaTs = torch.withBackend("ts", () => lossAndGrads(dtype, reduction, ignore));
          expect(ce).not.toHaveBeenCalled();
          const viaNative = torch.withBackend("native", () => lossAndGrads(dtype, reduction, ignore));
          expect(ce).toHaveBeenCalledTimes(1);
          expect(ce.mock.results[0].value).toBe(ignore ? 5 : 6);
          const digits = dtype === torch.float64 ? 10 : 5;
          viaNative.forEach((arr, i) => arr.forEach((v, j) => expect(v).toBeCloseTo(viaTs[i][j], digits)));
        });

  it("plain backward fills .grad as the composition does, and no_grad skips the gradient", () => {
    const loaded = loadNativeAddon();
    if (loaded.addon === null) throw new Error(loaded.reason);
    const ce = vi.spyOn(loaded.addon, "crossEntropy");
    const run = () => {
      torch.manual_seed(5);
      const x = torch.randn([4, 3]).requires_grad_(true);
      const t = torch.tensor([2, 0, 1, 1], { dtype: torch.int64 });
      F.cross_entropy(x, t).backward();
      return Array.from(x.grad!._data);
    };
    const a = torch.withBackend("ts", run);
    const b = torch.withBackend("native", run);
    b.forEach((v, i) => expect(v).toBeCloseTo(a[i], 6));
    torch.withBackend("native", () => torch.no_grad(() => F.cross_entropy(torch.randn([4, 3]), torch.tensor([0, 1, 2, 0], { dtype: torch.int64 }))));
    expect(ce.mock.calls[1][7]).toBeNull(); // grad argument: none requested under no_grad
  });

  it("an out-of-range target still raises PyTorch's error", () => {
    const x = torch.randn([2, 3]);
    const t = torch.tensor([0, 3], { dtype: torch.int64 });
    expect(() => torch.withBackend("native", () => F.cross_entropy(x, t))).toThrow("Target 3 is out of bounds.");
  });
});
