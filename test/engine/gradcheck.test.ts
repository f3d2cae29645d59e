// Every differentiable op, checked against central finite differences in float64 (eps 1e-6, atol 1e-5,
// rtol 1e-3) on shapes with broadcasting, size-1 and size-0 dims, and non-contiguous inputs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";
import type { Tensor } from "../../src/engine/index.js";

const f64 = { dtype: torch.float64 };

/** A float64 leaf requiring grad, filled from a fixed seed. */
function r(...shape: number[]): Tensor {
  return torch.randn(shape, f64).requires_grad_();
}
/** Positive values (for log, sqrt, fractional powers). */
function pos(...shape: number[]): Tensor {
  return torch.rand(shape, f64).add(0.5).requires_grad_();
}
/** A non-contiguous leaf: the transpose of a contiguous tensor, detached so that it is a leaf. */
function nc(...shape: number[]): Tensor {
  const rev = shape.slice().reverse();
  const base = torch.randn(rev, f64);
  return base.permute(...shape.map((_, i) => shape.length - 1 - i)).detach().requires_grad_();
}
/** Values spread apart, so that max/min/sort have no ties and clamp no boundary hits. */
function spread(...shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const perm = torch.randperm(n).to(torch.float64);
  return perm.mul(0.37).sub(n * 0.15).reshape(shape).detach().requires_grad_();
}

type Case = [string, (...x: Tensor[]) => Tensor | Tensor[], () => Tensor[]];

const idx = (values: number[], shape?: number[]) => torch.tensor(values, { dtype: torch.int64 }).reshape(shape ?? [values.length]);

const cases: Case[] = [
  // ---- elementwise binary with broadcasting
  ["add broadcast", (a, b) => a.add(b), () => [r(2, 3), r(3)]],
  ["add alpha", (a, b) => torch.add(a, b, { alpha: 2.5 }), () => [r(2, 1), r(1, 3)]],
  ["add scalar", (a) => a.add(3), () => [r(2, 3)]],
  ["sub broadcast", (a, b) => a.sub(b), () => [r(4, 1, 3), r(2, 1)]],
  ["sub alpha", (a, b) => a.sub(b, { alpha: 0.5 }), () => [r(3), r(2, 3)]],
  ["rsub scalar", (a) => torch.rsub(a, 2), () => [r(3)]],
  ["mul broadcast", (a, b) => a.mul(b), () => [r(2, 3), r(2, 1)]],
  ["mul non-contiguous", (a, b) => a.mul(b), () => [nc(3, 4), r(3, 4)]],
  ["mul scalar", (a) => a.mul(-1.5), () => [r(2, 2)]],
  ["div", (a, b) => a.div(b), () => [r(2, 3), pos(3)]],
  ["div scalar", (a) => a.div(4), () => [r(5)]],
  ["scalar div", (a) => torch.div(2, a), () => [pos(3)]],
  ["pow scalar", (a) => a.pow(3), () => [r(2, 3)]],
  ["pow fractional", (a) => a.pow(1.7), () => [pos(4)]],
  ["pow 0", (a) => a.pow(0), () => [r(3)]],
  ["pow tensor", (a, b) => a.pow(b), () => [pos(2, 3), r(3)]],
  ["scalar pow", (a) => torch.pow(2, a), () => [r(3)]],
  ["maximum", (a, b) => torch.maximum(a, b), () => [spread(2, 3), spread(3).mul(1.1).detach().requires_grad_()]],
  ["minimum", (a, b) => torch.minimum(a, b), () => [spread(2, 3), spread(2, 1).mul(0.9).detach().requires_grad_()]],
  ["atan2", (a, b) => torch.atan2(a, b), () => [r(3), pos(2, 3)]],
  ["remainder", (a) => torch.remainder(a, 0.7), () => [spread(5).mul(0.1).add(0.013).detach().requires_grad_()]],
  ["where", (a, b) => torch.where(a.detach().gt(0), a, b), () => [r(2, 3), r(3)]],
  ["where scalar", (a) => torch.where(a.detach().gt(0), a, 0), () => [r(4)]],
  ["masked_fill", (a) => a.masked_fill(a.detach().lt(0), 2), () => [r(3, 2)]],
  ["lerp", (a, b) => torch.lerp(a, b, 0.3), () => [r(3), r(2, 3)]],
  ["addcmul", (a, b, c) => torch.addcmul(a, b, c, { value: 0.5 }), () => [r(3), r(3), r(3)]],
  ["addcdiv", (a, b, c) => torch.addcdiv(a, b, c, { value: 2 }), () => [r(3), r(3), pos(3)]],
  // ---- unary math
  ["neg", (a) => a.neg(), () => [nc(2, 3)]],
  ["exp", (a) => a.exp(), () => [r(2, 3)]],
  ["log", (a) => a.log(), () => [pos(2, 3)]],
  ["log2", (a) => a.log2(), () => [pos(3)]],
  ["log10", (a) => a.log10(), () => [pos(3)]],
  ["sqrt", (a) => a.sqrt(), () => [pos(3, 2)]],
  ["rsqrt", (a) => a.rsqrt(), () => [pos(3)]],
  ["abs", (a) => a.abs(), () => [spread(4)]],
  ["square", (a) => a.square(), () => [r(3)]],
  ["reciprocal", (a) => a.reciprocal(), () => [pos(3)]],
  ["sin", (a) => a.sin(), () => [r(3)]],
  ["cos", (a) => a.cos(), () => [r(3)]],
  ["log1p", (a) => a.log1p(), () => [pos(3)]],
  ["expm1", (a) => a.expm1(), () => [r(3)]],
  ["erf", (a) => a.erf(), () => [r(4)]],
  ["clamp", (a) => a.clamp(-1.01, 1.03), () => [spread(6)]],
  ["clamp min only", (a) => a.clamp(0.011), () => [spread(6)]],
  ["clamp tensor bounds", (a, lo) => a.clamp(lo, null), () => [spread(2, 3), spread(3).mul(0.5).add(0.01).detach().requires_grad_()]],
  // ---- activations
  ["relu", (a) => torch.relu(a), () => [spread(2, 3)]],
  ["sigmoid", (a) => torch.sigmoid(a), () => [r(2, 3)]],
  ["tanh", (a) => torch.tanh(a), () => [nc(2, 3)]],
  ["gelu", (a) => torch.gelu(a), () => [r(5)]],
  ["gelu tanh", (a) => torch.gelu(a, { approximate: "tanh" }), () => [r(5)]],
  ["silu", (a) => torch.silu(a), () => [r(5)]],
  ["softplus", (a) => torch.softplus(a, 2, 5), () => [r(5)]],
  ["leaky_relu", (a) => torch.functional.leaky_relu(a, 0.2), () => [spread(5)]],
  ["elu", (a) => torch.functional.elu(a, 1.3), () => [spread(5)]],
  ["softmax", (a) => torch.softmax(a, 1), () => [r(2, 4)]],
  ["softmax dim 0 non-contiguous", (a) => torch.softmax(a, 0), () => [nc(3, 2)]],
  ["log_softmax", (a) => torch.log_softmax(a, -1), () => [r(3, 4)]],
  ["log_softmax middle dim", (a) => torch.log_softmax(a, 1), () => [r(2, 3, 2)]],
  [
    "dropout",
    (a) => {
      torch.manual_seed(7);
      return torch.dropout(a, 0.4, true);
    },
    () => [r(4, 3)],
  ],
  // ---- reductions
  ["sum all", (a) => a.sum(), () => [r(2, 3)]],
  ["sum dim keepdim", (a) => a.sum(1, { keepdim: true }), () => [nc(2, 3)]],
  ["sum dims", (a) => a.sum([0, 2]), () => [r(2, 3, 2)]],
  ["sum size-0", (a) => a.sum(0), () => [r(0, 3)]],
  ["add size-0 broadcast", (a, b) => a.add(b).sum(), () => [r(0, 3), r(3)]],
  ["mul size-0", (a, b) => a.mul(b), () => [r(2, 0), r(1, 0)]],
  ["softmax size-0", (a) => torch.softmax(a, 1), () => [r(0, 3)]],
  ["sum_to_size", (a) => a.sum_to_size(1, 3), () => [r(2, 3)]],
  ["mean", (a) => a.mean(), () => [r(2, 3)]],
  ["mean dim", (a) => a.mean(-1), () => [r(2, 3)]],
  ["prod", (a) => a.prod(1), () => [pos(2, 3)]],
  ["prod all", (a) => a.prod(), () => [pos(4)]],
  ["prod with zeros", (a) => a.prod(1), () => [torch.tensor([[0, 2, 3], [0, 0, 4], [1, 2, 3]], f64).requires_grad_()]],
  ["prod dims non-contiguous", (a) => a.prod(0), () => [nc(3, 2)]],
  ["max all", (a) => a.max(), () => [spread(2, 3)]],
  ["max dim", (a) => a.max(1).values, () => [spread(2, 3)]],
  ["min dim keepdim", (a) => a.min(0, { keepdim: true }).values, () => [spread(3, 2)]],
  ["amax dims", (a) => a.amax([0, 1]), () => [spread(2, 3, 2)]],
  ["amin", (a) => a.amin(1), () => [spread(2, 3)]],
  ["var", (a) => a.var(1), () => [r(2, 4)]],
  ["var unbiased=false keepdim", (a) => a.var(0, { unbiased: false, keepdim: true }), () => [r(3, 2)]],
  ["std", (a) => a.std(), () => [r(5)]],
  ["logsumexp", (a) => a.logsumexp(1), () => [r(2, 3)]],
  ["logsumexp keepdim", (a) => a.logsumexp([0], { keepdim: true }), () => [r(3, 2)]],
  ["norm", (a) => a.norm(), () => [r(2, 3)]],
  ["norm p=1 dim", (a) => a.norm(1, 1), () => [spread(2, 3)]],
  // ---- matmul family
  ["matmul 1d.1d", (a, b) => torch.matmul(a, b), () => [r(3), r(3)]],
  ["matmul 2d.1d", (a, b) => torch.matmul(a, b), () => [r(2, 3), r(3)]],
  ["matmul 1d.2d", (a, b) => torch.matmul(a, b), () => [r(3), r(3, 2)]],
  ["matmul 2d.2d non-contiguous", (a, b) => torch.matmul(a, b), () => [nc(2, 3), nc(3, 4)]],
  ["matmul batched broadcast", (a, b) => torch.matmul(a, b), () => [r(2, 1, 2, 3), r(3, 3, 2)]],
  ["matmul 3d.2d", (a, b) => torch.matmul(a, b), () => [r(2, 2, 3), r(3, 2)]],
  ["matmul 1d.3d", (a, b) => torch.matmul(a, b), () => [r(3), r(2, 3, 2)]],
  ["matmul K=0", (a, b) => torch.matmul(a, b), () => [r(2, 0), r(0, 3)]],
  ["mm", (a, b) => torch.mm(a, b), () => [r(3, 2), r(2, 4)]],
  ["bmm", (a, b) => torch.bmm(a, b), () => [r(2, 2, 3), r(2, 3, 1)]],
  ["mv", (a, b) => torch.mv(a, b), () => [r(2, 3), r(3)]],
  ["dot", (a, b) => torch.dot(a, b), () => [r(4), r(4)]],
  ["outer", (a, b) => torch.outer(a, b), () => [r(3), r(2)]],
  ["addmm", (c, a, b) => torch.addmm(c, a, b, { beta: 0.5, alpha: 2 }), () => [r(3), r(2, 4), r(4, 3)]],
  // ---- views and movement
  ["reshape", (a) => a.reshape(3, -1), () => [r(2, 3)]],
  ["reshape non-contiguous (copies)", (a) => a.reshape(-1), () => [nc(2, 3)]],
  ["view", (a) => a.view([6]), () => [r(2, 3)]],
  ["transpose", (a) => a.transpose(0, 2), () => [r(2, 3, 1)]],
  ["t", (a) => a.t(), () => [r(2, 3)]],
  ["permute", (a) => a.permute(2, 0, 1), () => [r(2, 3, 2)]],
  ["squeeze", (a) => a.squeeze(), () => [r(1, 3, 1)]],
  ["squeeze dim", (a) => a.squeeze(0), () => [r(1, 3)]],
  ["unsqueeze", (a) => a.unsqueeze(1), () => [r(3)]],
  ["flatten", (a) => a.flatten(1), () => [r(2, 2, 3)]],
  ["unflatten", (a) => a.unflatten(1, [2, 3]), () => [r(2, 6)]],
  ["expand", (a) => a.expand(2, 3, 4).mul(torch.arange(24, f64).reshape(2, 3, 4)), () => [r(3, 1)]],
  ["expand_as", (a, b) => a.expand_as(b).mul(b), () => [r(1, 3), r(2, 3)]],
  ["narrow", (a) => a.narrow(1, 1, 2), () => [r(2, 4)]],
  ["select", (a) => a.select(0, -1), () => [r(3, 2)]],
  ["slice with step", (a) => a.slice(1, 0, null, 2), () => [r(2, 5)]],
  ["getitem", (a) => a.getitem("...", "1:", null, 0), () => [r(2, 3, 2)]],
  ["getitem index tensor", (a) => a.getitem(":", idx([2, 0, 2])), () => [r(2, 3)]],
  ["unbind", (a) => a.unbind(1), () => [r(2, 3)]],
  ["movedim", (a) => a.movedim(0, 2), () => [r(2, 3, 4)]],
  ["contiguous", (a) => a.contiguous(), () => [nc(3, 2)]],
  ["clone", (a) => a.clone(), () => [r(3)]],
  // ---- indexing and joining
  ["index_select", (a) => a.index_select(0, idx([1, 1, 0])), () => [r(2, 3)]],
  ["index_select dim 1", (a) => torch.index_select(a, 1, idx([2, 0])), () => [nc(2, 3)]],
  ["gather", (a) => a.gather(1, idx([0, 2, 1, 1], [2, 2])), () => [r(2, 3)]],
  ["scatter_add", (a, s) => a.scatter_add(0, idx([1, 0, 1, 1, 0, 0], [2, 3]), s), () => [r(2, 3), r(2, 3)]],
  ["scatter", (a, s) => a.scatter(1, idx([2, 0], [2, 1]), s), () => [r(2, 3), r(2, 1)]],
  ["index_add", (a, s) => a.index_add(0, idx([1, 1]), s, { alpha: 2 }), () => [r(3, 2), r(2, 2)]],
  ["cat", (a, b) => torch.cat([a, b], 1), () => [r(2, 3), nc(2, 2)]],
  ["cat with empty", (a, b) => torch.cat([a, b], 0), () => [r(0, 3), r(2, 3)]],
  ["stack", (a, b) => torch.stack([a, b], 1), () => [r(2, 3), r(2, 3)]],
  ["split", (a) => a.split(2, 1), () => [r(2, 5)]],
  ["split sections", (a) => a.split([1, 3], 0), () => [r(4, 2)]],
  ["chunk", (a) => a.chunk(3, 0), () => [r(5, 2)]],
  ["pad", (a) => torch.functional.pad(a, [1, 2, 0, 1], "constant", 0.5), () => [r(2, 3)]],
  ["pad negative (crop)", (a) => torch.functional.pad(a, [-1, 1]), () => [r(2, 3)]],
  ["masked_select", (a) => a.masked_select(a.detach().gt(0)), () => [r(3, 3)]],
  ["repeat", (a) => a.repeat(2, 1, 3), () => [r(2, 2)]],
  ["flip", (a) => a.flip([0, 1]), () => [r(2, 3)]],
  ["tril", (a) => a.tril(), () => [r(3, 3)]],
  ["triu diagonal", (a) => a.triu(1), () => [r(3, 4)]],
  ["sort values", (a) => a.sort(1, { descending: true }).values, () => [spread(2, 4)]],
  ["topk values", (a) => a.topk(2).values, () => [spread(3, 4)]],
];

describe("gradcheck (float64 central differences)", () => {
  for (const [name, fn, make] of cases) {
    it(name, () => {
      torch.manual_seed(1234);
      expect(torch.autograd.gradcheck(fn, make())).toBe(true);
    });
  }

  // The same ops with one input not requiring grad: formulas must not touch what they did not save.
  for (const [name, fn, make] of cases) {
    const n = make().length;
    if (n < 2) continue;
    for (let frozen = 0; frozen < n; frozen++) {
      it(`${name} (input ${frozen} without grad)`, () => {
        torch.manual_seed(1234);
        const inputs = make();
        inputs[frozen] = inputs[frozen].detach();
        expect(torch.autograd.gradcheck(fn, inputs)).toBe(true);
      });
    }
  }

  // Again with a pooling allocator that poisons (NaN) and reuses whatever backward releases, so that a
  // gradient buffer released while still in use would show up as a mismatch.
  describe("with a poisoning pool allocator", () => {
    const saved = { ...torch.cpuAllocator };
    beforeAll(() => {
      const pool: torch.TypedArray[] = [];
      torch.setAllocator({
        allocate: (d, n) => {
          const i = pool.findIndex((a) => a.length === n && a.constructor === d.array);
          return i >= 0 ? pool.splice(i, 1)[0] : new d.array(n).fill(3);
        },
        zeroed: false,
        release: (data) => {
          data.fill(NaN);
          pool.push(data);
        },
      });
    });
    afterAll(() => torch.setAllocator(saved));
    for (const [name, fn, make] of cases) {
      it(name, () => {
        torch.manual_seed(1234);
        expect(torch.autograd.gradcheck(fn, make())).toBe(true);
      });
    }
  });

  it("double backward (create_graph) of composed ops", () => {
    torch.manual_seed(5);
    const gradOf = (x: Tensor) => torch.autograd.grad(x.pow(3).mul(x.sin()).sum(), x, null, { create_graph: true })[0]!;
    expect(torch.autograd.gradcheck(gradOf, [r(4)])).toBe(true);
    const gradSoftmax = (x: Tensor) => torch.autograd.grad(torch.log_softmax(x, 1).mul(torch.arange(6, f64).reshape(2, 3)).sum(), x, null, { create_graph: true })[0]!;
    expect(torch.autograd.gradcheck(gradSoftmax, [r(2, 3)])).toBe(true);
    const gradRelu = (x: Tensor) => torch.autograd.grad(torch.relu(x).square().sum(), x, null, { create_graph: true })[0]!;
    expect(torch.autograd.gradcheck(gradRelu, [spread(5)])).toBe(true);
  });

  it("gradcheck itself detects a wrong gradient", () => {
    class WrongSquare extends torch.autograd.Function {
      static override forward(ctx: torch.autograd.FunctionCtx, x: Tensor) {
        ctx.save_for_backward(x);
        return x.mul(x);
      }
      static override backward(ctx: torch.autograd.FunctionCtx, g: Tensor) {
        const [x] = ctx.saved_tensors;
        return g.mul(x).mul(3); // should be 2
      }
    }
    expect(torch.autograd.gradcheck((x) => WrongSquare.apply(x), [r(3)], { raise_exception: false })).toBe(false);
    expect(() => torch.autograd.gradcheck((x) => WrongSquare.apply(x), [r(3)])).toThrow(/Jacobian mismatch/);
  });
});
