// A pooling allocator hands out dirty memory: results must not depend on it (the engine zero-fills
// where it needs zeros).
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";

function workload(): unknown[] {
  torch.manual_seed(3);
  const x = torch.randn(3, 4, { requires_grad: true });
  const y = x
    .getitem(":", "1:3").max(1).values.sum()
    .add(x.index_select(1, torch.tensor([0, 0])).sum())
    .add(x.gather(1, torch.tensor([[1], [2], [3]])).sum())
    .add(torch.functional.pad(x, [1, 1]).mul(2).sum())
    .add(x.select(0, 1).sum())
    .add(x.amax(0).sum());
  y.backward();
  return [y.item(), x.grad!.tolist(), torch.zeros(2, 2).tolist(), torch.eye(3).tolist(), torch.zeros(2, 0).matmul(torch.zeros(0, 2)).tolist()];
}

describe("dirty allocator", () => {
  const saved = { ...torch.cpuAllocator };
  afterAll(() => torch.setAllocator(saved));
  it("gives the same results as fresh zeroed memory", () => {
    const clean = workload();
    torch.setAllocator({ allocate: (d, n) => new d.array(n).fill(7), zeroed: false });
    expect(workload()).toEqual(clean);
  });
});
