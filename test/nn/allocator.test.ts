// nn under a pooling allocator that hands out dirty memory and poisons (NaN) and reuses what backward
// releases: training must give exactly the same numbers as with fresh zeroed memory, so nn neither relies
// on emptyTensor being zeroed nor keeps gradient storage the engine considers dead.
import { afterEach, describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";
import { nn, optim } from "../../src/engine/index.js";

class Net extends nn.Module {
  conv = new nn.Conv2d(1, 3, 3, { padding: 1, dtype: torch.float64 });
  bn = new nn.BatchNorm2d(3, { dtype: torch.float64 });
  pool = new nn.MaxPool2d(2);
  avg = new nn.AdaptiveAvgPool2d(1);
  attn = new nn.MultiheadAttention(3, 1, { batch_first: true, dtype: torch.float64 });
  norm = new nn.LayerNorm(3, { dtype: torch.float64 });
  head = new nn.Linear(3, 4, { dtype: torch.float64 });
  forward(x: torch.Tensor): torch.Tensor {
    let h = this.pool.call(this.bn.call(this.conv.call(x)).relu()); // [N, 3, 3, 3]
    const seq = h.flatten(2).transpose(1, 2); // [N, 9, 3]
    const [a] = this.attn.call(seq, seq, seq);
    h = this.avg.call(this.norm.call(a).transpose(1, 2).unsqueeze(-1)).flatten(1); // [N, 3]
    return this.head.call(h);
  }
}

function workload(): unknown[] {
  torch.manual_seed(7);
  const net = new Net();
  const emb = new nn.Embedding(6, 4, { sparse: true, dtype: torch.float64 });
  const opt = new optim.Adam(net.parameters(), { lr: 0.01, amsgrad: true });
  const sparseOpt = new optim.SparseAdam([emb.weight], { lr: 0.05 });
  const x = torch.randn([2, 1, 6, 6], { dtype: torch.float64 });
  const y = torch.tensor([1, 3]);
  const idx = torch.tensor([[0, 2, 2], [5, 1, 0]]);
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    opt.zero_grad();
    sparseOpt.zero_grad();
    const logits = net.call(x).add(emb.call(idx).sum(1)).mul(emb.call(y.add(2)));
    const loss = nn.functional.cross_entropy(logits, y, { label_smoothing: 0.1 });
    loss.backward();
    opt.step();
    sparseOpt.step();
    losses.push(loss.item());
  }
  return [losses, Object.entries(net.state_dict()).map(([k, v]) => [k, v.tolist()]), emb.weight.tolist()];
}

describe("nn with a dirty, poisoning pool allocator", () => {
  const saved = { ...torch.cpuAllocator };
  afterEach(() => torch.setAllocator(saved));

  it("trains to exactly the same numbers", () => {
    const clean = workload();
    const pool: torch.TypedArray[] = [];
    torch.setAllocator({
      allocate: (d, n) => {
        const i = pool.findIndex((a) => a.length === n && a.constructor === d.array);
        return i >= 0 ? pool.splice(i, 1)[0] : new d.array(n).fill(5);
      },
      zeroed: false,
      release: (data) => {
        data.fill(NaN);
        pool.push(data);
      },
    });
    expect(workload()).toEqual(clean);
  });
});
