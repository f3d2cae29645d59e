// Autograd semantics as PyTorch defines them.
import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";

const f64 = { dtype: torch.float64 };

describe("backward", () => {
  it("accumulates into leaves across calls until zeroed or set to null", () => {
    const x = torch.tensor([1, 2, 3], { dtype: torch.float32, requires_grad: true });
    x.mul(2).sum().backward();
    const g = x.grad!;
    expect(g.tolist()).toEqual([2, 2, 2]);
    x.mul(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([4, 6, 8]);
    expect(x.grad).toBe(g); // accumulated in place, same tensor
    x.grad!.zero_();
    x.sum().backward();
    expect(x.grad!.tolist()).toEqual([1, 1, 1]);
    x.grad = null;
    x.sum().backward();
    expect(x.grad!.tolist()).toEqual([1, 1, 1]);
  });

  it("needs a scalar output for the implicit gradient", () => {
    const x = torch.ones(2, 2, { requires_grad: true });
    expect(() => x.mul(2).backward()).toThrow("grad can be implicitly created only for scalar outputs");
    x.mul(2).backward(torch.tensor([[1, 2], [3, 4]], { dtype: torch.float32 }));
    expect(x.grad!.tolist()).toEqual([[2, 4], [6, 8]]);
  });

  it("undoes broadcasting in gradients", () => {
    const a = torch.ones([2, 3], { requires_grad: true });
    const b = torch.ones([3], { requires_grad: true });
    const c = torch.ones([2, 1], { requires_grad: true });
    a.mul(b).add(c).sum().backward();
    expect(b.grad!.shape).toEqual([3]);
    expect(b.grad!.tolist()).toEqual([2, 2, 2]);
    expect(c.grad!.tolist()).toEqual([[3], [3]]);
  });

  it("leaves non-leaf .grad null unless retain_grad()", () => {
    const x = torch.tensor([1.0, 2.0], { requires_grad: true });
    const y = x.mul(3);
    const z = y.mul(y);
    y.retain_grad();
    const w = z.sum();
    w.backward();
    expect(y.grad!.tolist()).toEqual([6, 12]);
    expect(z.grad).toBeNull();
    expect(z.is_leaf).toBe(false);
    expect(x.is_leaf).toBe(true);
  });

  it("frees saved tensors: a second backward fails unless retain_graph", () => {
    const x = torch.tensor([1.0, 2.0], { requires_grad: true });
    const y = x.exp().sum();
    y.backward(null, { retain_graph: true });
    y.backward();
    expect(x.grad!.tolist()).toEqual([2 * Math.fround(Math.exp(1)), 2 * Math.fround(Math.exp(2))].map(Math.fround));
    expect(() => y.backward()).toThrow(/Trying to backward through the graph a second time/);
  });

  it("no_grad records nothing; detach cuts the graph and shares storage", () => {
    const x = torch.ones(2, { requires_grad: true });
    const y = torch.no_grad(() => x.mul(2));
    expect(y.requires_grad).toBe(false);
    expect(y.grad_fn).toBeNull();
    const d = x.detach();
    expect(d.requires_grad).toBe(false);
    torch.no_grad(() => d.add_(1));
    expect(x.tolist()).toEqual([2, 2]);
    expect(torch.is_grad_enabled()).toBe(true);
  });

  it("names grad_fn nodes as PyTorch and exposes next_functions", () => {
    const x = torch.ones(2, { requires_grad: true });
    const y = x.mul(2).add(1);
    expect(y.grad_fn!.name()).toBe("AddBackward0");
    const [[mulNode]] = y.grad_fn!.next_functions;
    expect(mulNode!.name()).toBe("MulBackward0");
    expect(mulNode!.next_functions[0][0]!.name()).toBe("torch::autograd::AccumulateGrad");
    expect(x.sum().grad_fn!.name()).toBe("SumBackward0");
    expect(x.matmul(x).grad_fn!.name()).toBe("DotBackward0");
    expect(torch.ones(2, 2).matmul(x).grad_fn!.name()).toBe("MvBackward0");
    expect(torch.ones(3, 2, { requires_grad: true }).t().grad_fn!.name()).toBe("TBackward0");
    expect(torch.ones(3, 2, { requires_grad: true }).reshape(6).grad_fn!.name()).toBe("ViewBackward0");
    expect(torch.ones(3, 2, { requires_grad: true }).t().reshape(6).grad_fn!.name()).toBe("UnsafeViewBackward0");
    expect(torch.ones(3, { requires_grad: true }).max().grad_fn!.name()).toBe("MaxBackward1");
    expect(torch.ones(3, 2, { requires_grad: true }).max(1).values.grad_fn!.name()).toBe("MaxBackward0");
    expect(torch.ones(3, { requires_grad: true }).clamp(0, 1).grad_fn!.name()).toBe("ClampBackward1");
    expect(torch.ones(3, { requires_grad: true }).split(1)[0].grad_fn!.name()).toBe("SplitBackward0");
    expect(torch.ones(3, { requires_grad: true }).unbind()[0].grad_fn!.name()).toBe("UnbindBackward0");
    expect(torch.ones(3, 2, { requires_grad: true }).getitem(1).grad_fn!.name()).toBe("SelectBackward0");
    expect(torch.ones(3, 2, { requires_grad: true }).getitem("1:").grad_fn!.name()).toBe("SliceBackward0");
    expect(x.sub(1).grad_fn!.name()).toBe("SubBackward0");
    expect(x.div(2).grad_fn!.name()).toBe("DivBackward0");
    expect(torch.rsub(x, 1).grad_fn!.name()).toBe("RsubBackward1");
    expect(x.pow(2).grad_fn!.name()).toBe("PowBackward0");
    const m = torch.randn(3, 4, { requires_grad: true });
    const names = (ts: torch.Tensor[]) => ts.map((t) => t.grad_fn!.name());
    expect(names([m.var(), m.std(1), m.logsumexp(1), m.norm(), torch.lerp(m, m, 0.3), torch.addcmul(m, m, m)])).toEqual(
      ["VarBackward0", "StdBackward0", "LogsumexpBackward0", "NormBackward1", "LerpBackward0", "AddcmulBackward0"]);
    expect(names([m.masked_fill(m.gt(0), 1), m.repeat(2, 1), m.flip(0), m.tril(), torch.stack([m, m]), m.log2()])).toEqual(
      ["MaskedFillBackward0", "RepeatBackward0", "FlipBackward0", "TrilBackward0", "StackBackward0", "Log2Backward0"]);
    expect(names([m.sort(1).values, m.topk(2).values, m.masked_select(m.gt(0)), m.getitem(":", torch.tensor([0, 1])), m.prod(), m.prod(1)])).toEqual(
      ["SortBackward0", "TopkBackward0", "MaskedSelectBackward0", "IndexBackward0", "ProdBackward0", "ProdBackward1"]);
  });

  it("casts gradients back to the input's dtype", () => {
    const x = torch.ones(2, { requires_grad: true });
    const y = torch.ones(2, { dtype: torch.float64 });
    const z = x.mul(y);
    expect(z.dtype).toBe(torch.float64);
    z.sum().backward();
    expect(x.grad!.dtype).toBe(torch.float32);
  });
});

describe(".grad assignment and backward(inputs)", () => {
  it("checks the shape and dtype of an assigned gradient", () => {
    const w = torch.ones(2, 3, { requires_grad: true });
    expect(() => (w.grad = torch.ones(3))).toThrow("assigned grad has data of a different size");
    expect(() => (w.grad = torch.ones(2, 3, { dtype: torch.float64 }))).toThrow("assigned grad has data of a different type");
    w.grad = torch.zeros(2, 3);
    w.sum().backward();
    expect(w.grad!.sum().item()).toBe(6);
  });
  it("backward(inputs=...) accumulates only into the given tensors", () => {
    const a = torch.ones(2, { requires_grad: true });
    const b = torch.ones(2, { requires_grad: true });
    a.mul(b).mul(3).sum().backward(null, { inputs: [a] });
    expect(a.grad!.tolist()).toEqual([3, 3]);
    expect(b.grad).toBeNull();
  });
});

describe("in-place ops", () => {
  it("refuse a leaf that requires grad outside no_grad", () => {
    const w = torch.ones(3, { requires_grad: true });
    expect(() => w.add_(1)).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    expect(() => w.getitem(0).fill_(2)).toThrow(/leaf Variable that requires grad/);
    torch.no_grad(() => w.sub_(0.5));
    expect(w.tolist()).toEqual([0.5, 0.5, 0.5]);
  });

  it("are allowed on detach() of a leaf that requires grad, and bump the shared version", () => {
    const w = torch.ones(3, { requires_grad: true });
    w.detach().zero_();
    expect(w.tolist()).toEqual([0, 0, 0]);
    expect(w._version).toBe(1);
  });

  it("bump the version counter; modifying a saved tensor is an error at backward time", () => {
    const x = torch.ones(3, { requires_grad: true });
    const y = x.mul(2);
    const z = y.exp(); // saves its output
    const z2 = y.mul(y); // saves y
    expect(y._version).toBe(0);
    y.add_(1);
    expect(y._version).toBe(1);
    expect(() => z2.sum().backward()).toThrow(
      /one of the variables needed for gradient computation has been modified by an inplace operation: \[torch\.FloatTensor \[3\]\], which is output 0 of AddBackward0, is at version 1; expected version 0 instead/,
    );
    void z;
  });

  it("rebase history on non-leaves: gradients flow through the in-place op", () => {
    const x = torch.tensor([1.0, 2.0], { requires_grad: true });
    const y = x.mul(1);
    y.mul_(3);
    expect(y.grad_fn!.name()).toBe("MulBackward0");
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 3]);
  });

  it("views share the version counter and storage", () => {
    const a = torch.zeros(2, 3);
    const row = a.getitem(1);
    row.fill_(5);
    expect(a._version).toBe(1);
    expect(a.tolist()).toEqual([[0, 0, 0], [5, 5, 5]]);
    a.setitem([":", 0], 7);
    expect(a.tolist()).toEqual([[7, 0, 0], [7, 5, 5]]);
    a.t().copy_(torch.ones(3, 2));
    expect(a.tolist()).toEqual([[1, 1, 1], [1, 1, 1]]);
  });
});

describe("torch.autograd.grad", () => {
  it("returns gradients without touching .grad", () => {
    const x = torch.tensor([1.0, 2.0, 3.0], f64).requires_grad_();
    const y = x.pow(2).sum();
    const [g] = torch.autograd.grad(y, x);
    expect(g!.tolist()).toEqual([2, 4, 6]);
    expect(x.grad).toBeNull();
  });

  it("supports create_graph for second derivatives", () => {
    const x = torch.tensor([2.0], f64).requires_grad_();
    const y = x.pow(3);
    const [g] = torch.autograd.grad(y, x, null, { create_graph: true });
    expect(g!.item()).toBe(12);
    const [gg] = torch.autograd.grad(g!, x);
    expect(gg!.item()).toBe(12);
  });

  it("complains about unused inputs unless allow_unused", () => {
    const x = torch.ones(2, { requires_grad: true });
    const u = torch.ones(2, { requires_grad: true });
    const y = x.sum();
    expect(() => torch.autograd.grad(y, [x, u], null, { retain_graph: true })).toThrow(/appears to not have been used in the graph/);
    const [gx, gu] = torch.autograd.grad(y, [x, u], null, { allow_unused: true });
    expect(gx!.tolist()).toEqual([1, 1]);
    expect(gu).toBeNull();
  });

  it("gradients w.r.t. a non-leaf", () => {
    const x = torch.ones(2, { requires_grad: true });
    const h = x.mul(3);
    const y = h.mul(h).sum();
    const [gh] = torch.autograd.grad(y, h);
    expect(gh!.tolist()).toEqual([6, 6]);
  });
});

describe("custom autograd.Function and hooks", () => {
  class Cube extends torch.autograd.Function {
    static override forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
      ctx.save_for_backward(x);
      return x.pow(3);
    }
    static override backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
      const [x] = ctx.saved_tensors;
      return g.mul(x.pow(2)).mul(3);
    }
  }
  it("runs the user's backward", () => {
    const x = torch.tensor([1.0, 2.0], { requires_grad: true });
    const y = Cube.apply(x);
    expect(y.grad_fn!.name()).toBe("CubeBackward");
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 12]);
  });

  it("register_hook sees and may replace the gradient", () => {
    const x = torch.tensor([1.0, 2.0], { requires_grad: true });
    const seen: number[][] = [];
    x.register_hook((g) => {
      seen.push(g.tolist() as number[]);
      return g.mul(10);
    });
    const h = x.mul(2);
    const handle = h.register_hook((g) => g.add(1));
    h.sum().backward();
    expect(seen).toEqual([[4, 4]]);
    expect(x.grad!.tolist()).toEqual([40, 40]);
    handle.remove();
  });
});

describe("in-place writes into views while recording (CopySlices)", () => {
  it("x[0] = w routes the gradient to w and zeroes it for the overwritten part", () => {
    const w = torch.tensor([2.0, 3.0], { requires_grad: true });
    const h = torch.ones(2, 2, { requires_grad: true });
    const x = h.mul(1);
    x.setitem(0, w);
    expect(x.grad_fn!.name()).toBe("CopySlices");
    x.mul(torch.tensor([[1, 2], [3, 4]], { dtype: torch.float32 })).sum().backward();
    expect(w.grad!.tolist()).toEqual([1, 2]);
    expect(h.grad!.tolist()).toEqual([[0, 0], [3, 4]]);
  });
  it("into a buffer that did not require grad, and with in-place ops on a view", () => {
    const w = torch.tensor([1.0, 2.0, 3.0], { requires_grad: true });
    const buf = torch.zeros(2, 3);
    buf.setitem(1, w.mul(2));
    buf.getitem(1).mul_(3);
    expect(buf.requires_grad).toBe(true);
    buf.sum().backward();
    expect(w.grad!.tolist()).toEqual([6, 6, 6]);
  });
  it("fill_ on a view cuts the gradient of the filled part", () => {
    const h = torch.ones(3, { requires_grad: true });
    const x = h.mul(2);
    x.getitem("1:").fill_(0);
    x.sum().backward();
    expect(h.grad!.tolist()).toEqual([2, 0, 0]);
  });
});

describe("NaN and saved-output details as PyTorch", () => {
  it("maximum/minimum/relu pass the gradient through NaN", () => {
    const a = torch.tensor([1, NaN, 3], { dtype: torch.float64, requires_grad: true });
    const b = torch.tensor([2, 2, NaN], { dtype: torch.float64, requires_grad: true });
    torch.maximum(a, b).sum().backward();
    expect([a.grad!.tolist(), b.grad!.tolist()]).toEqual([[0, 1, 1], [1, 1, 1]]);
    const x = torch.tensor([NaN, 1, -1], { requires_grad: true });
    torch.relu(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([1, 1, 0]);
  });
  it("a modified saved output is named after the node that saved it", () => {
    const x = torch.randn(3, { requires_grad: true });
    const y = x.exp();
    y.add_(1);
    expect(() => y.sum().backward()).toThrow(/which is output 0 of ExpBackward0, is at version 1; expected version 0/);
  });
});
