import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";
import { nn } from "../../src/engine/index.js";
const F = nn.functional;
const f64 = { dtype: torch.float64 };

function randn(shape: number[], requires_grad = true): torch.Tensor {
  return torch.randn(shape, { dtype: torch.float64, requires_grad });
}

function gradcheck(fn: (...xs: torch.Tensor[]) => torch.Tensor, inputs: torch.Tensor[]): void {
  expect(torch.autograd.gradcheck(fn, inputs)).toBe(true);
}

/** Direct convolution by definition, for checking conv2d. */
function naiveConv2d(x: number[][][][], w: number[][][][], b: number[], stride: number, pad: number, dil: number, groups: number): number[][][][] {
  const N = x.length, C = x[0].length, H = x[0][0].length, W = x[0][0][0].length;
  const O = w.length, Cg = w[0].length, kh = w[0][0].length, kw = w[0][0][0].length;
  const Ho = Math.floor((H + 2 * pad - dil * (kh - 1) - 1) / stride) + 1;
  const Wo = Math.floor((W + 2 * pad - dil * (kw - 1) - 1) / stride) + 1;
  const Og = O / groups;
  const out: number[][][][] = [];
  for (let n = 0; n < N; n++) {
    out.push([]);
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / Og);
      out[n].push([]);
      for (let i = 0; i < Ho; i++) {
        out[n][o].push([]);
        for (let j = 0; j < Wo; j++) {
          let s = b[o];
          for (let c = 0; c < Cg; c++)
            for (let p = 0; p < kh; p++)
              for (let q = 0; q < kw; q++) {
                const y = i * stride - pad + p * dil, xx = j * stride - pad + q * dil;
                if (y >= 0 && y < H && xx >= 0 && xx < W) s += x[n][g * Cg + c][y][xx] * w[o][c][p][q];
              }
          out[n][o][i].push(s);
        }
      }
    }
  }
  return out;
}

function expectClose(actual: unknown, expected: unknown, digits = 9): void {
  const a = (actual as number[]).flat(4) as number[];
  const e = (expected as number[]).flat(4) as number[];
  expect(a.length).toBe(e.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(e[i], digits));
}

describe("nn layers", () => {
  it("Linear: PyTorch's init bounds, forward, gradcheck", () => {
    torch.manual_seed(1);
    const lin = new nn.Linear(20, 7);
    const bound = 1 / Math.sqrt(20); // kaiming_uniform(a=sqrt(5)) gives the same bound as the bias
    expect(lin.weight.abs().max().item()).toBeLessThanOrEqual(bound);
    expect(lin.bias!.abs().max().item()).toBeLessThanOrEqual(bound);
    expect(lin.weight.abs().max().item()).toBeGreaterThan(bound * 0.8);
    const w = randn([3, 4]), b = randn([3]), x = randn([2, 5, 4]);
    gradcheck((x, w, b) => F.linear(x, w, b), [x, w, b]);
  });

  it("Conv2d matches the definition (stride, padding, dilation, groups) and passes gradcheck", () => {
    torch.manual_seed(2);
    for (const [stride, pad, dil, groups] of [[1, 0, 1, 1], [2, 1, 1, 1], [1, 2, 2, 2]]) {
      const x = randn([2, 4, 7, 6], false), w = randn([6, 4 / groups, 3, 2], false), b = randn([6], false);
      const out = F.conv2d(x, w, b, stride, pad, dil, groups);
      const ref = naiveConv2d(x.tolist() as any, w.tolist() as any, b.tolist() as number[], stride, pad, dil, groups);
      expect(out.shape).toEqual([ref.length, ref[0].length, ref[0][0].length, ref[0][0][0].length]);
      expectClose(out.tolist(), ref);
    }
    const x = randn([1, 2, 5, 4]), w = randn([3, 2, 3, 3]), b = randn([3]);
    gradcheck((x, w, b) => F.conv2d(x, w, b, 2, 1), [x, w, b]);
    const conv = new nn.Conv2d(3, 8, 3, { stride: 2, padding: 1, bias: false });
    expect(String(conv)).toBe("Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)");
    expect(conv.call(torch.rand([2, 3, 9, 9])).shape).toEqual([2, 8, 5, 5]);
    expect(new nn.Conv2d(2, 4, 3, { padding: "same" }).call(torch.rand([1, 2, 6, 5])).shape).toEqual([1, 4, 6, 5]);
  });

  it("Conv1d: shape, printout, gradcheck", () => {
    const c = new nn.Conv1d(2, 3, 3, { padding: 1 });
    expect(String(c)).toBe("Conv1d(2, 3, kernel_size=(3,), stride=(1,), padding=(1,))");
    expect(c.call(torch.rand([4, 2, 10])).shape).toEqual([4, 3, 10]);
    const x = randn([2, 2, 6]), w = randn([3, 2, 3]), b = randn([3]);
    gradcheck((x, w, b) => F.conv1d(x, w, b, 2), [x, w, b]);
  });

  it("pooling: values, printouts, gradcheck", () => {
    const x = torch.arange(16, f64).view(1, 1, 4, 4);
    expect(F.max_pool2d(x, 2).tolist()).toEqual([[[[5, 7], [13, 15]]]]);
    expect(F.avg_pool2d(x, 2).tolist()).toEqual([[[[2.5, 4.5], [10.5, 12.5]]]]);
    expect(F.adaptive_avg_pool2d(x, 1).tolist()).toEqual([[[[7.5]]]]);
    expect(F.adaptive_avg_pool2d(x, [3, 3]).shape).toEqual([1, 1, 3, 3]);
    expect((F.adaptive_avg_pool2d(x, [3, 3]).tolist() as number[][][][])[0][0][0][0]).toBe(2.5);
    // padding counts the zeros in the average by default; count_include_pad=false does not
    expect((F.avg_pool2d(x, 2, 2, 1).tolist() as number[][][][])[0][0][0][0]).toBe(0 / 4);
    expect((F.avg_pool2d(x, 2, 2, 1, false, false).tolist() as number[][][][])[0][0][0][1]).toBe((1 + 2) / 2);
    expect(String(new nn.MaxPool2d(2))).toBe("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
    expect(String(new nn.AvgPool2d(3, { stride: 1 }))).toBe("AvgPool2d(kernel_size=3, stride=1, padding=0)");
    expect(String(new nn.AdaptiveAvgPool2d([1, 1]))).toBe("AdaptiveAvgPool2d(output_size=(1, 1))");
    const y = randn([2, 2, 5, 5]);
    gradcheck((y) => F.max_pool2d(y, 3, 2, 1), [y]);
    gradcheck((y) => F.avg_pool2d(y, 2, 1), [y]);
    gradcheck((y) => F.adaptive_avg_pool2d(y, [2, 3]), [y]);
  });

  it("BatchNorm: batch statistics, running stats buffers, num_batches_tracked, eval mode", () => {
    const bn = new nn.BatchNorm1d(3, { dtype: torch.float64 });
    expect(Object.keys(bn.state_dict())).toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    expect(String(bn)).toBe("BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
    const x = torch.tensor([[1, 2, 3], [3, 6, 9]], f64);
    const y = bn.call(x);
    // Each column normalised with the biased variance: (+-1) / sqrt(1 + eps) scaled
    expectClose(y.tolist(), [[-1, -1, -1], [1, 1, 1]].map((r) => r.map((v, j) => (v * [1, 2, 3][j]) / Math.sqrt([1, 2, 3][j] ** 2 + 1e-5))), 9);
    expectClose(bn.running_mean!.tolist(), [0.2, 0.4, 0.6], 12);
    // unbiased variance: 2, 8, 18
    expectClose(bn.running_var!.tolist(), [0.9 + 0.2, 0.9 + 0.8, 0.9 + 1.8], 12);
    expect(bn.num_batches_tracked!.item()).toBe(1);
    bn.eval();
    const z = bn.call(x);
    expect((z.tolist() as number[][])[0][0]).toBeCloseTo((1 - 0.2) / Math.sqrt(1.1 + 1e-5), 9);
    const bn2 = new nn.BatchNorm2d(2, { dtype: torch.float64 });
    const xin = randn([3, 2, 2, 2]);
    gradcheck((xin, w, b) => F.batch_norm(xin, null, null, w, b, true), [xin, randn([2]), randn([2])]);
    expect(bn2.call(xin).shape).toEqual([3, 2, 2, 2]);
  });

  it("LayerNorm: values, printout, gradcheck", () => {
    const ln = new nn.LayerNorm(4, { dtype: torch.float64 });
    expect(String(ln)).toBe("LayerNorm((4,), eps=1e-05, elementwise_affine=True)");
    const y = ln.call(torch.tensor([[1, 2, 3, 4]], f64));
    const sd = Math.sqrt(1.25 + 1e-5);
    expectClose(y.tolist(), [[-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd]]);
    const x = randn([2, 3, 4]);
    gradcheck((x, w, b) => F.layer_norm(x, [3, 4], w, b), [x, randn([3, 4]), randn([3, 4])]);
  });

  it("Embedding: lookup, padding_idx gets no gradient, gradcheck", () => {
    const emb = new nn.Embedding(5, 2, { padding_idx: 0, dtype: torch.float64 });
    expect(String(emb)).toBe("Embedding(5, 2, padding_idx=0)");
    expect(emb.weight.select(0, 0).tolist()).toEqual([0, 0]);
    const idx = torch.tensor([[0, 2], [2, 4]], { dtype: torch.int64 });
    const out = emb.call(idx);
    expect(out.shape).toEqual([2, 2, 2]);
    out.sum().backward();
    expect(emb.weight.grad!.tolist()).toEqual([[0, 0], [0, 0], [2, 2], [0, 0], [1, 1]]);
    const w = randn([5, 3]);
    gradcheck((w) => F.embedding(idx, w), [w]);
    expect(() => emb.call(torch.tensor([5], { dtype: torch.int64 }))).toThrow("index out of range in self");
  });

  it("activations and dropout modules", () => {
    const x = torch.tensor([-2, -0.5, 0, 1.5], f64);
    expect(new nn.ReLU().call(x).tolist()).toEqual([0, 0, 0, 1.5]);
    expect(new nn.LeakyReLU(0.1).call(x).tolist()).toEqual([-0.2, -0.05, 0, 1.5]);
    expect(String(new nn.LeakyReLU())).toBe("LeakyReLU(negative_slope=0.01)");
    expect(String(new nn.Softmax(1))).toBe("Softmax(dim=1)");
    expect(String(new nn.Dropout())).toBe("Dropout(p=0.5, inplace=False)");
    expect(String(new nn.Unflatten(1, [2, 5]))).toBe("Unflatten(dim=1, unflattened_size=(2, 5))");
    const s = new nn.Softmax(-1).call(torch.tensor([[1, 2, 3]], f64));
    expect(s.sum().item()).toBeCloseTo(1, 12);
    const drop = new nn.Dropout(0.5);
    const ones = torch.ones([1000]);
    const d = drop.call(ones);
    const kept = d.gt(0).sum().item();
    expect(kept).toBeGreaterThan(350);
    expect(kept).toBeLessThan(650);
    expect(d.max().item()).toBe(2);
    drop.eval();
    expect(drop.call(ones).tolist()).toEqual(ones.tolist());
    for (const m of [new nn.GELU(), new nn.SiLU(), new nn.Sigmoid(), new nn.Tanh(), new nn.LogSoftmax(1)]) {
      const y = randn([2, 3]);
      gradcheck((y) => m.call(y) as torch.Tensor, [y]);
    }
  });

  it("MultiheadAttention: shapes, state_dict names, printout, weights sum to one, gradcheck", () => {
    torch.manual_seed(3);
    const mha = new nn.MultiheadAttention(8, 2, { dtype: torch.float64 });
    expect(Object.keys(mha.state_dict())).toEqual(["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]);
    expect(String(mha)).toBe(
      "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n)",
    );
    const q = randn([4, 3, 8]), k = randn([5, 3, 8]), v = randn([5, 3, 8]);
    const [out, weights] = mha.call(q, k, v);
    expect(out.shape).toEqual([4, 3, 8]);
    expect(weights!.shape).toEqual([3, 4, 5]);
    expectClose(weights!.sum(-1).tolist(), new Array(3).fill(new Array(4).fill(1)), 12);
    const mask = torch.tensor([[false, false, false, false, true]]).expand(3, 5);
    const [, w2] = mha.call(q, k, v, { key_padding_mask: mask });
    expect((w2!.tolist() as number[][][])[0][0][4]).toBe(0);
    const bf = new nn.MultiheadAttention(4, 1, { batch_first: true, dtype: torch.float64 });
    const x = randn([2, 3, 4]);
    gradcheck((x) => bf.call(x, x, x)[0], [x]);
  });
});
