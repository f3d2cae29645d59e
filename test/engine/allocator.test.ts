// A pooling allocator hands out dirty memory, and the autograd engine hands back gradient storage it
// knows is dead: results must not change. The pool below poisons released memory (NaN) and reuses it
// first, so any use of storage after its release shows up as NaN or wrong values.
import { afterEach, describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";
import type { Tensor, TypedArray } from "../../src/engine/index.js";

function workload(): unknown[] {
  torch.manual_seed(3);
  const x = torch.randn(3, 4, { requires_grad: true });
  const w = torch.randn(4, 5, { requires_grad: true });
  const b = torch.randn(5, { requires_grad: true });
  const h = torch.relu(x.matmul(w).add(b));
  const y = h
    .getitem(":", "1:3").max(1).values.sum()
    .add(torch.log_softmax(h, 1).gather(1, torch.tensor([[1], [2], [3]])).sum())
    .add(x.index_select(1, torch.tensor([0, 0])).sum())
    .add(torch.functional.pad(x, [1, 1]).mul(2).sum())
    .add(x.select(0, 1).sum())
    .add(h.amax(0).mul(h.mean()).sum());
  const ys = [y, y.mul(2)];
  ys[0].backward(null, { retain_graph: true });
  ys[1].backward();
  const grads = [x, w, b].map((t: Tensor) => t.grad!.tolist());
  return [y.item(), grads, torch.zeros(2, 2).tolist(), torch.eye(3).tolist(), torch.zeros(2, 0).matmul(torch.zeros(0, 2)).tolist()];
}

describe("allocator hook", () => {
  const saved = { ...torch.cpuAllocator };
  afterEach(() => torch.setAllocator(saved));

  it("dirty memory gives the same results as fresh zeroed memory", () => {
    const clean = workload();
    torch.setAllocator({ allocate: (d, n) => new d.array(n).fill(7), zeroed: false });
    expect(workload()).toEqual(clean);
  });

  it("storage released by backward is really dead: poisoning and reusing it changes nothing", () => {
    const clean = workload();
    const pool: TypedArray[] = [];
    let released = 0;
    torch.setAllocator({
      allocate: (d, n) => {
        const i = pool.findIndex((a) => a.length === n && a.constructor === d.array);
        return i >= 0 ? pool.splice(i, 1)[0] : new d.array(n).fill(7);
      },
      zeroed: false,
      release: (data) => {
        released++;
        data.fill(NaN);
        pool.push(data);
      },
    });
    expect(workload()).toEqual(clean);
    expect(released).toBeGreaterThan(0);
  });

  it("a gradient a leaf hook keeps, or a custom Function returns, is never released", () => {
    const released: TypedArray[] = [];
    torch.setAllocator({
      allocate: (d, n) => new d.array(n),
      zeroed: true,
      release: (data) => {
        released.push(data);
        data.fill(NaN);
      },
    });
    const x = torch.ones(4, 8, { requires_grad: true });
    const kept: Tensor[] = [];
    x.register_hook((g) => {
      kept.push(g);
    });
    for (let i = 0; i < 2; i++) x.mul(3).sum().backward();
    expect(kept.map((g) => g.sum().item())).toEqual([96, 96]);
    expect(x.grad!.sum().item()).toBe(192);

    const stash: Tensor[] = [];
    class Twice extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, a: Tensor): Tensor {
        return a.mul(2);
      }
      static override backward(_ctx: torch.autograd.FunctionCtx, g: Tensor): Tensor {
        const out = g.mul(2);
        stash.push(out);
        return out;
      }
    }
    const w = torch.ones(4, 8, { requires_grad: true });
    for (let i = 0; i < 2; i++) Twice.apply(w.mul(1)).sum().backward();
    expect(stash.map((g) => g.sum().item())).toEqual([64, 64]);
    expect(w.grad!.sum().item()).toBe(128);
    // Something was released (the intermediate gradients of mul), just not those.
    expect(released.length).toBeGreaterThan(0);
  });
});
