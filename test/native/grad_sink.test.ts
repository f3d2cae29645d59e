// Linear's weight gradient added straight into .grad by one GEMM with beta = 1 (autograd/grad_sink.ts):
// the same bits as computing g^T x and adding it afterwards, and the engine's ordinary path wherever
// that in-place add would not be what it does (hooks, shared weights, create_graph, autograd.grad).
import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";
import { isNativeActive } from "../../src/engine/backends/native/index.js";
import { skipNative } from "./support.js";

const F = torch.nn.functional;

function bits(t: torch.Tensor): number[] {
  return Array.from(t.contiguous()._data as Float32Array | Float64Array);
}

/** old + (g^T x) computed apart with plain ops: what the engine's own accumulation gives. */
function expectedWeightGrad(old: torch.Tensor, g: torch.Tensor, x: torch.Tensor): torch.Tensor {
  return torch.no_grad(() => old.add(g.t().matmul(x)));
}

describe.skipIf(skipNative)("weight gradient accumulated in place (grad sink)", () => {
  it("runs on the native backend", () => {
    expect(isNativeActive()).toBe(true);
  });

  for (const dtype of [torch.float32, torch.float64]) {
    it(`adds g^T x into an existing .grad with the same bits, keeping its identity (${dtype.name})`, () => {
      torch.manual_seed(1);
      const w = torch.randn([37, 70], { dtype }).requires_grad_(true);
      const b = torch.randn([37], { dtype }).requires_grad_(true);
      const x = torch.randn([50, 70], { dtype });
      const g = torch.randn([50, 37], { dtype });
      F.linear(x, w, b).backward(g);
      const first = w.grad!;
      expect(bits(first)).toEqual(bits(expectedWeightGrad(torch.zeros([37, 70], { dtype }), g, x)));
      const before = bits(first);
      const version = first._version;
      F.linear(x, w, b).backward(g);
      expect(w.grad).toBe(first);
      expect(first._version).toBeGreaterThan(version);
      expect(bits(first)).toEqual(bits(expectedWeightGrad(torch.from(Float64Array.from(before), [37, 70], { dtype }), g, x)));
      expect(bits(b.grad!)).toEqual(bits(torch.no_grad(() => g.sum(0).mul(2))));
    });
  }

  it("takes strided inputs and gradients (3-D input, transposed gradient)", () => {
    torch.manual_seed(2);
    const w = torch.randn([16, 24]).requires_grad_(true);
    w.grad = torch.randn([16, 24]);
    const old = w.grad.clone();
    const x = torch.randn([24, 3, 5]).permute(1, 2, 0); // [3, 5, 24], not contiguous
    const gT = torch.randn([16, 3, 5]).permute(1, 2, 0); // [3, 5, 16], not contiguous
    F.linear(x, w).backward(gT);
    expect(bits(w.grad)).toEqual(bits(expectedWeightGrad(old, gT.reshape(-1, 16), x.reshape(-1, 24))));
  });

  it("leaves a weight used twice, a hooked weight and create_graph to the engine, with the right sums", () => {
    torch.manual_seed(3);
    const x = torch.randn([8, 6]);
    const g = torch.randn([8, 6]);
    // Shared weight: two producers feed its AccumulateGrad.
    const w = torch.randn([6, 6]).requires_grad_(true);
    w.grad = torch.ones([6, 6]);
    F.linear(F.linear(x, w), w).backward(g);
    const w2 = torch.randn([6, 6]).requires_grad_(true);
    w2.data.copy_(w.data);
    w2.grad = torch.ones([6, 6]);
    x.matmul(w2.t()).matmul(w2.t()).backward(g);
    expect(bits(w.grad)).toEqual(bits(w2.grad!));

    // A hook sees (and may replace) the gradient, so it must get one.
    const h = torch.randn([6, 6]).requires_grad_(true);
    h.grad = torch.zeros([6, 6]);
    const seen: torch.Tensor[] = [];
    h.register_hook((gr) => {
      seen.push(gr);
      return gr.mul(2);
    });
    F.linear(x, h).backward(g);
    expect(seen.length).toBe(1);
    expect(bits(h.grad)).toEqual(bits(torch.no_grad(() => g.t().matmul(x).mul(2))));

    // create_graph: .grad becomes a graph result, not an in-place sum.
    const c = torch.randn([6, 6]).requires_grad_(true);
    c.grad = torch.zeros([6, 6]);
    F.linear(x, c).pow(2).sum().backward(undefined, { create_graph: true });
    expect(c.grad!.grad_fn).not.toBeNull();

    // An input that is the weight's own .grad: the product must read it before .grad changes.
    const s = torch.randn([6, 6]).requires_grad_(true);
    s.grad = torch.randn([6, 6]);
    const sOld = s.grad.clone();
    F.linear(s.grad, s).backward(g.narrow(0, 0, 6));
    expect(bits(s.grad)).toEqual(bits(expectedWeightGrad(sOld, g.narrow(0, 0, 6), sOld)));

    // autograd.grad returns the gradient and leaves .grad alone.
    const a = torch.randn([6, 6]).requires_grad_(true);
    a.grad = torch.zeros([6, 6]);
    const [ga] = torch.autograd.grad(F.linear(x, a).mul(g).sum(), [a]);
    expect(bits(ga!)).toEqual(bits(torch.no_grad(() => g.t().matmul(x))));
    expect(bits(a.grad)).toEqual(new Array(36).fill(0));
  });
});
