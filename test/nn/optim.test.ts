import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";
import { nn, optim } from "../../src/engine/index.js";

/** f(w) = 0.5 * sum(a * w^2) + sum(b * w): gradient a * w + b, in float64. */
function quadratic(w: torch.Tensor, a: number[], b: number[]): torch.Tensor {
  const A = torch.tensor(a, { dtype: torch.float64 });
  const B = torch.tensor(b, { dtype: torch.float64 });
  return w.square().mul(A).mul(0.5).add(w.mul(B)).sum();
}

function run(opt: torch.optim.Optimizer, w: torch.Tensor, steps: number, a = [1, 2, 3], b = [0.5, -1, 0]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    opt.zero_grad();
    quadratic(w, a, b).backward();
    opt.step();
    out.push(w.tolist() as number[]);
  }
  return out;
}

function param(values: number[]): torch.Tensor {
  return torch.tensor(values, { dtype: torch.float64, requires_grad: true });
}

describe("torch.optim", () => {
  it("SGD with momentum, dampening, weight decay and nesterov follows PyTorch's rule", () => {
    const w0 = [1, -2, 0.5], a = [1, 2, 3], b = [0.5, -1, 0];
    for (const opts of [
      { lr: 0.1 },
      { lr: 0.1, momentum: 0.9 },
      { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01 },
      { lr: 0.1, momentum: 0.5, dampening: 0.3 },
      { lr: 0.1, momentum: 0.9, maximize: true, weight_decay: 0.1 },
    ]) {
      const w = param(w0);
      const traj = run(new optim.SGD([w], opts), w, 6, a, b);
      // Reference: the update written out on plain numbers.
      const ref = [...w0];
      let buf: number[] | null = null;
      const { lr, momentum = 0, dampening = 0, weight_decay = 0, nesterov = false, maximize = false } = opts as any;
      for (let s = 0; s < 6; s++) {
        let d = ref.map((x, i) => (maximize ? -1 : 1) * (a[i] * x + b[i]) + weight_decay * x);
        if (momentum !== 0) {
          buf = buf === null ? [...d] : buf.map((v, i) => momentum * v + (1 - dampening) * d[i]);
          d = nesterov ? d.map((v, i) => v + momentum * buf![i]) : buf;
        }
        for (let i = 0; i < 3; i++) ref[i] -= lr * d[i];
        traj[s].forEach((v, i) => expect(v).toBeCloseTo(ref[i], 12));
      }
    }
  });

  it("Adam's first step is lr * sign(grad) and later steps use bias correction", () => {
    const w = param([1, -2, 0.5]);
    const opt = new optim.Adam([w], { lr: 0.01 });
    const traj = run(opt, w, 3);
    expect(traj[0][0]).toBeCloseTo(1 - 0.01, 9);
    expect(traj[0][1]).toBeCloseTo(-2 + 0.01, 9);
    // Reference for element 0 over three steps.
    let x = 1, m = 0, v = 0;
    for (let t = 1; t <= 3; t++) {
      const g = x + 0.5;
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      x -= ((0.01 / (1 - 0.9 ** t)) * m) / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** t) + 1e-8);
      expect(traj[t - 1][0]).toBeCloseTo(x, 12);
    }
    expect(opt.state.get(w)!.step).toBe(3);
  });

  it("AdamW decays weights directly; Adam adds weight_decay to the gradient", () => {
    const w1 = param([1, 1, 1]);
    const w2 = param([1, 1, 1]);
    run(new optim.AdamW([w1], { lr: 0.1, weight_decay: 0.5 }), w1, 1, [0, 0, 0], [1, 1, 1]);
    run(new optim.Adam([w2], { lr: 0.1, weight_decay: 0.5 }), w2, 1, [0, 0, 0], [1, 1, 1]);
    expect((w1.tolist() as number[])[0]).toBeCloseTo(1 * (1 - 0.1 * 0.5) - 0.1, 6);
    expect((w2.tolist() as number[])[0]).toBeCloseTo(1 - 0.1, 6);
  });

  it("every optimizer decreases a convex quadratic", () => {
    const makers: [string, (w: torch.Tensor) => torch.optim.Optimizer][] = [
      ["Adagrad", (w) => new optim.Adagrad([w], { lr: 0.3 })],
      ["RMSprop", (w) => new optim.RMSprop([w], { lr: 0.01 })],
      ["RMSprop centered momentum", (w) => new optim.RMSprop([w], { lr: 0.01, centered: true, momentum: 0.5 })],
      ["Adadelta", (w) => new optim.Adadelta([w], { lr: 1.0 })],
      ["Adam amsgrad", (w) => new optim.Adam([w], { lr: 0.05, amsgrad: true })],
      ["Adamax", (w) => new optim.Adamax([w], { lr: 0.05 })],
      ["ASGD", (w) => new optim.ASGD([w], { lr: 0.05 })],
      ["Rprop", (w) => new optim.Rprop([w], { lr: 0.01 })],
    ];
    for (const [name, make] of makers) {
      const w = param([1, -2, 0.5]);
      const before = quadratic(w, [1, 2, 3], [0.5, -1, 0]).item();
      run(make(w), w, 30);
      const after = quadratic(w, [1, 2, 3], [0.5, -1, 0]).item();
      expect(after, name).toBeLessThan(before);
    }
  });

  it("LBFGS minimises the Rosenbrock function, with and without strong Wolfe", () => {
    for (const line_search_fn of [null, "strong_wolfe"] as const) {
      const xy = param([-1.5, 2]);
      const opt = new optim.LBFGS([xy], { lr: line_search_fn ? 1 : 0.5, max_iter: 200, line_search_fn, history_size: 10 });
      const closure = () => {
        opt.zero_grad();
        const [x, y] = [xy.select(0, 0), xy.select(0, 1)];
        const loss = x.neg().add(1).square().add(y.sub(x.square()).square().mul(100));
        loss.backward();
        return loss;
      };
      for (let i = 0; i < 5; i++) opt.step(closure);
      const [x, y] = xy.tolist() as number[];
      expect(x, String(line_search_fn)).toBeCloseTo(1, 3);
      expect(y, String(line_search_fn)).toBeCloseTo(1, 3);
    }
  });

  it("parameter groups keep per-group options; add_param_group fills defaults", () => {
    const a = param([1]);
    const b = param([1]);
    const c = param([1]);
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    opt.add_param_group({ params: c, momentum: 0 });
    expect(opt.param_groups.map((g) => [g.lr, g.momentum])).toEqual([[0.1, 0.9], [0.5, 0.9], [0.1, 0]]);
    expect(() => opt.add_param_group({ params: [a] })).toThrow("some parameters appear in more than one parameter group");
    expect(() => new optim.SGD([a], {})).toThrow(/required optimization parameter lr/);
    expect(() => new optim.Adam([a], { lr: -1 })).toThrow("Invalid learning rate: -1");
    a.sum().add(b.sum()).add(c.sum()).backward();
    opt.step();
    expect([a.item(), b.item(), c.item()].map((v) => +v.toFixed(12))).toEqual([0.9, 0.5, 0.9]);
  });

  it("zero_grad keeps zeroed tensors by default (1.13) and drops them with set_to_none", () => {
    const w = param([1, 2]);
    const opt = new optim.SGD([w], { lr: 0.1 });
    w.sum().backward();
    opt.zero_grad();
    expect(w.grad!.tolist()).toEqual([0, 0]);
    opt.zero_grad(true);
    expect(w.grad).toBeNull();
  });

  it("state_dict / load_state_dict resume an optimizer exactly", () => {
    const make = (w: torch.Tensor) => new optim.Adam([w], { lr: 0.05, amsgrad: true });
    const w1 = param([1, -2, 0.5]);
    const o1 = make(w1);
    run(o1, w1, 3);
    const sd = o1.state_dict();
    expect(Object.keys(sd.state)).toEqual(["0"]);
    expect(sd.param_groups[0].params).toEqual([0]);
    const w2 = param(w1.tolist() as number[]);
    const o2 = make(w2);
    o2.load_state_dict(sd);
    const t1 = run(o1, w1, 4);
    const t2 = run(o2, w2, 4);
    expect(t2).toEqual(t1);
    expect(() => o2.load_state_dict({ ...sd, param_groups: [...sd.param_groups, sd.param_groups[0]] })).toThrow(
      "loaded state dict has a different number of parameter groups",
    );
  });

  it("SparseAdam updates only the rows of a sparse Embedding's gradient; dense gradients are refused", () => {
    torch.manual_seed(0);
    const emb = new nn.Embedding(5, 3, { sparse: true, dtype: torch.float64 });
    const before = emb.weight.tolist() as number[][];
    const opt = new optim.SparseAdam([...emb.parameters()], { lr: 0.1 });
    const idx = torch.tensor([1, 3, 1], { dtype: torch.int64 });
    emb.call(idx).sum().backward();
    expect(emb.weight.grad!.is_sparse).toBe(true);
    opt.step();
    const after = emb.weight.tolist() as number[][];
    for (const row of [0, 2, 4]) expect(after[row]).toEqual(before[row]);
    for (const row of [1, 3]) after[row].forEach((v, j) => expect(v).toBeCloseTo(before[row][j] - 0.1, 6));
    expect(() => new optim.Adam([emb.weight]).step()).toThrow("Adam does not support sparse gradients, please consider SparseAdam instead");
    const dense = param([1]);
    dense.sum().backward();
    expect(() => new optim.SparseAdam([dense]).step()).toThrow("SparseAdam does not support dense gradients, please consider Adam instead");
  });

  it("schedulers drive a real optimizer's lr", () => {
    const w = param([1]);
    const opt = new optim.SGD([w], { lr: 1, momentum: 0.9 });
    const sched = new optim.lr_scheduler.StepLR(opt, 2, { gamma: 0.5 });
    const lrs: number[] = [];
    for (let i = 0; i < 5; i++) {
      opt.step();
      sched.step();
      lrs.push(opt.param_groups[0].lr);
    }
    expect(lrs).toEqual([1, 0.5, 0.5, 0.25, 0.25]);
    const one = new optim.lr_scheduler.OneCycleLR(new optim.SGD([param([1])], { lr: 1, momentum: 0.9 }), 1, { total_steps: 4 });
    expect(one.optimizer.param_groups[0].momentum).toBeCloseTo(0.95);
  });
});

describe("row-sparse gradients", () => {
  it("accumulate rows across backward passes and clear them on zero_grad", () => {
    const emb = new nn.Embedding(6, 2, { sparse: true, dtype: torch.float64 });
    emb.call(torch.tensor([1, 1], { dtype: torch.int64 })).sum().backward();
    emb.call(torch.tensor([4], { dtype: torch.int64 })).sum().backward();
    const g = emb.weight.grad as nn.RowSparseTensor;
    expect(g.is_sparse).toBe(true);
    expect(g.coalesce()._indices().tolist()).toEqual([[1, 4]]);
    expect(g.coalesce()._values().tolist()).toEqual([[2, 2], [1, 1]]);
    expect(g.tolist()).toEqual([[0, 0], [2, 2], [0, 0], [0, 0], [1, 1], [0, 0]]);
    // A weight used twice in one pass: autograd sums both gradients, and the result stays row-sparse.
    const twice = new nn.Embedding(6, 2, { sparse: true, dtype: torch.float64 });
    twice.call(torch.tensor([2])).sum().add(twice.call(torch.tensor([5, 2])).sum()).backward();
    const tg = twice.weight.grad as nn.RowSparseTensor;
    expect(tg.is_sparse).toBe(true);
    expect(tg.coalesce()._indices().tolist()).toEqual([[2, 5]]);
    expect(tg.coalesce()._values().tolist()).toEqual([[2, 2], [1, 1]]);
    const opt = new optim.SparseAdam([emb.weight], { lr: 0.1 });
    opt.zero_grad();
    expect(g._indices().shape).toEqual([1, 0]);
    emb.call(torch.tensor([3], { dtype: torch.int64 })).sum().backward();
    expect(g.coalesce()._indices().tolist()).toEqual([[3]]);
  });
});
