// nn's kernels on the native backend: convolution and pooling run the addon's im2col/col2im when the
// native backend is active (and give the TypeScript backend's results), and never touch it under "ts".
import { afterEach, describe, expect, it, vi } from "vitest";
import * as torch from "../../src/engine/index.js";
import { nn } from "../../src/engine/index.js";
import { loadNativeAddon } from "../../src/engine/backends/native/addon.js";
import { skipNative } from "../native/support.js";

const F = nn.functional;

/** conv2d + max_pool2d forward and backward; returns the output and the input/weight gradients. */
function convPool(x0: torch.Tensor, w0: torch.Tensor): { y: number[]; gx: number[]; gw: number[] } {
  const x = x0.detach().requires_grad_(true);
  const w = w0.detach().requires_grad_(true);
  const y = F.max_pool2d(F.conv2d(x, w, null, 1, 1), 2);
  y.sum().backward();
  const flat = (t: torch.Tensor) => Array.from(t.contiguous()._data as Float32Array);
  return { y: flat(y), gx: flat(x.grad!), gw: flat(w.grad!) };
}

describe.skipIf(skipNative)("nn kernels on the native backend", () => {
  afterEach(() => vi.restoreAllMocks());

  const x = torch.randn([2, 3, 7, 6]);
  const w = torch.randn([4, 3, 3, 3]);

  it("conv2d and pooling run the addon's im2col/col2im under native and match the ts backend", () => {
    const loaded = loadNativeAddon();
    if (loaded.addon === null) throw new Error(loaded.reason);
    const im2col = vi.spyOn(loaded.addon, "im2col");
    const col2im = vi.spyOn(loaded.addon, "col2im");

    const viaTs = torch.withBackend("ts", () => convPool(x, w));
    expect(im2col).not.toHaveBeenCalled();
    expect(col2im).not.toHaveBeenCalled();

    const viaNative = torch.withBackend("native", () => convPool(x, w));
    expect(im2col).toHaveBeenCalled();
    expect(col2im).toHaveBeenCalled();
    // true: the addon ran the kernel itself rather than declining to the TypeScript one.
    expect(im2col.mock.results.every((r) => r.value === true)).toBe(true);
    expect(col2im.mock.results.every((r) => r.value === true)).toBe(true);

    for (const key of ["y", "gx", "gw"] as const) {
      expect(viaNative[key].length).toBe(viaTs[key].length);
      viaNative[key].forEach((v, i) => expect(v).toBeCloseTo(viaTs[key][i], 4));
    }
  });
});
