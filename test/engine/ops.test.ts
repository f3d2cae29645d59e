// Forward values, dtypes and view semantics of ops (expected values as PyTorch 1.13 gives them).
import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";

const f32 = { dtype: torch.float32 };
const close = (t: torch.Tensor, expected: number[] | number, tol = 1e-4) => {
  const got = (t.flatten().tolist() as number[]);
  const exp = typeof expected === "number" ? [expected] : expected;
  expect(got.length).toBe(exp.length);
  got.forEach((v, i) => (Number.isNaN(exp[i]) ? expect(v).toBeNaN() : expect(Math.abs(v - exp[i])).toBeLessThanOrEqual(tol)));
};

describe("type promotion", () => {
  it("follows PyTorch's result_type, 0-d tensors and JS numbers included", () => {
    expect(torch.tensor([1, 2]).add(torch.tensor(1.5, { dtype: torch.float64 })).dtype).toBe(torch.float64);
    expect(torch.tensor([1, 2], { dtype: torch.int32 }).add(torch.tensor([1])).dtype).toBe(torch.int64);
    expect(torch.tensor([1], f32).add(torch.tensor(1, { dtype: torch.float64 })).dtype).toBe(torch.float32);
    expect(torch.tensor([true]).add(1).dtype).toBe(torch.int64);
    expect(torch.tensor([1], { dtype: torch.int32 }).mul(2.5).dtype).toBe(torch.float32);
    expect(torch.tensor([1], { dtype: torch.uint8 }).add(torch.tensor([1], { dtype: torch.int32 })).dtype).toBe(torch.int32);
    expect(torch.promote_types(torch.int64, torch.float32)).toBe(torch.float32);
  });
  it("true division of integers gives floats; floor_divide/remainder/fmod/round as Python/PyTorch", () => {
    close(torch.tensor([1, 2, 3]).div(2), [0.5, 1, 1.5]);
    expect(torch.tensor([-7, 7]).floor_divide(2).tolist()).toEqual([-4, 3]);
    expect(torch.tensor([-7, 7], f32).remainder(3).tolist()).toEqual([2, 1]);
    expect(torch.tensor([-7, 7], f32).fmod(3).tolist()).toEqual([-1, 1]);
    expect(torch.tensor([0.5, 1.5, 2.5, -0.5]).round().tolist()).toEqual([0, 2, 2, -0]);
  });
  it("casts truncate toward zero", () => {
    expect(torch.tensor([1.5, -2.7]).long().tolist()).toEqual([1, -2]);
    expect(torch.tensor([1.5, -2.7]).int().tolist()).toEqual([1, -2]);
    expect(torch.tensor([1.5, 0]).bool().tolist()).toEqual([true, false]);
  });
});

describe("creation", () => {
  it("tensor infers int64 / float32 / bool, and takes typed arrays", () => {
    expect(torch.tensor([[1, 2]]).dtype).toBe(torch.int64);
    expect(torch.tensor([1.5]).dtype).toBe(torch.float32);
    expect(torch.tensor([1, 2], { requires_grad: true }).dtype).toBe(torch.float32);
    expect(torch.tensor(true).dtype).toBe(torch.bool);
    expect(torch.tensor(new Float64Array([1, 2])).dtype).toBe(torch.float64);
    expect(torch.tensor(new BigInt64Array([5n])).tolist()).toEqual([5]);
    expect(torch.tensor([[1, 2]], { dtype: torch.float64, requires_grad: true }).requires_grad).toBe(true);
  });
  it("tensor takes rows given as typed arrays; tensors iterate over their first dim", () => {
    const t = torch.tensor([new Float32Array([1, 2]), new Float32Array([3, 4])]);
    expect(t.dtype).toBe(torch.float32);
    expect([...t].map((row) => row.tolist())).toEqual([[1, 2], [3, 4]]);
  });
  it("from() wraps a typed array without copying", () => {
    const data = new Float32Array([1, 2, 3, 4]);
    const t = torch.from(data, [2, 2]);
    data[0] = 9;
    expect(t.tolist()).toEqual([[9, 2], [3, 4]]);
  });
  it("zeros/ones/full/eye/arange/linspace and *_like, sizes as varargs or a list", () => {
    expect(torch.zeros(2, 3).shape).toEqual([2, 3]);
    expect(torch.ones([2, 3], { dtype: torch.int32 }).dtype).toBe(torch.int32);
    expect(torch.full([2], 7).tolist()).toEqual([7, 7]);
    expect(torch.full([2], 7).dtype).toBe(torch.int64);
    expect(torch.eye(2, 3).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
    close(torch.arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75]);
    expect(torch.arange(5, 0, -2).tolist()).toEqual([5, 3, 1]);
    close(torch.linspace(-1, 1, 4), [-1, -1 / 3, 1 / 3, 1]);
    expect(torch.zeros_like(torch.ones(2, { dtype: torch.float64 })).dtype).toBe(torch.float64);
    expect(torch.empty(0, 2).numel()).toBe(0);
  });
});

describe("random numbers", () => {
  it("manual_seed reproduces PyTorch's torch.rand/randn streams", () => {
    torch.manual_seed(0);
    close(torch.rand(5), [0.4963, 0.7682, 0.0885, 0.132, 0.3074]);
    torch.manual_seed(0);
    close(torch.randn(3), [1.541, -0.2934, -2.1788]);
    torch.manual_seed(0);
    close(torch.randn(20).getitem("0:4"), [-1.1258, -1.1524, -0.2506, -0.4339]);
    torch.manual_seed(0);
    close(torch.rand(3, { dtype: torch.float64 }), [0.9701, 0.7078, 0.4594]);
    torch.manual_seed(0);
    expect(torch.randperm(10).tolist()).toEqual([4, 1, 7, 5, 3, 9, 0, 8, 6, 2]);
    expect(torch.randint(0, 10, [5]).tolist()).toEqual([3, 1, 6, 6, 9]);
  });
  it("is bit-identical for the same seed, and get/set_rng_state resumes the stream", () => {
    torch.manual_seed(42);
    const a = torch.randn(100).tolist();
    torch.manual_seed(42);
    expect(torch.randn(100).tolist()).toEqual(a);
    torch.randn(3, { dtype: torch.float64 }); // leaves a cached Box-Muller spare in the state
    const state = torch.get_rng_state();
    const next = [torch.rand(7).tolist(), torch.randn(5, { dtype: torch.float64 }).tolist()];
    torch.set_rng_state(state);
    expect([torch.rand(7).tolist(), torch.randn(5, { dtype: torch.float64 }).tolist()]).toEqual(next);
    const g = new torch.Generator(3);
    const h = new torch.Generator(3);
    expect(torch.rand(4, { generator: g }).tolist()).toEqual(torch.rand(4, { generator: h }).tolist());
  });
  it("dropout zeroes with probability p and scales the rest", () => {
    torch.manual_seed(1);
    const y = torch.dropout(torch.ones(10000), 0.3, true);
    const kept = (y.ne(0).sum().item() as number) / 10000;
    expect(Math.abs(kept - 0.7)).toBeLessThan(0.03);
    close(y.max(), 1 / 0.7);
    expect(torch.dropout(torch.ones(3), 0.3, false).tolist()).toEqual([1, 1, 1]);
  });
});

describe("reductions", () => {
  const x = torch.tensor([[1, 5, 3], [4, 2, 6]], f32);
  it("sum/mean/prod with dim and keepdim", () => {
    expect(x.sum().item()).toBe(21);
    expect(x.sum(1).tolist()).toEqual([9, 12]);
    expect(x.sum(0, { keepdim: true }).shape).toEqual([1, 3]);
    expect(x.sum([0, 1]).item()).toBe(21);
    expect(x.mean(1).tolist()).toEqual([3, 4]);
    expect(x.prod(1).tolist()).toEqual([15, 48]);
    expect(torch.tensor([[1, 2], [3, 4]]).sum().dtype).toBe(torch.int64);
    expect(torch.tensor([true, true]).sum().item()).toBe(2);
    expect(torch.zeros(0, 3).sum(0).tolist()).toEqual([0, 0, 0]);
  });
  it("max/min with dim return values and indices; NaN propagates", () => {
    const r = x.max(1);
    expect(r.values.tolist()).toEqual([5, 6]);
    expect(r.indices.tolist()).toEqual([1, 2]);
    expect(r.indices.dtype).toBe(torch.int64);
    expect(x.min(0, { keepdim: true }).indices.tolist()).toEqual([[0, 1, 0]]);
    expect(torch.tensor([3, 1, 3], f32).argmax().item()).toBe(0);
    expect(x.argmax(1).tolist()).toEqual([1, 2]);
    const n = torch.tensor([[1, NaN], [2, 0]]).max(1);
    close(n.values, [NaN, 2]);
    expect(n.indices.tolist()).toEqual([1, 0]);
    expect(x.amax(0).tolist()).toEqual([4, 5, 6]);
  });
  it("keepdim positionally, and (values, indices) destructure as a tuple or by name", () => {
    expect(x.sum(1, true).shape).toEqual([2, 1]);
    expect(x.argmax(1, true).shape).toEqual([2, 1]);
    const [v, i] = x.max(1, true);
    expect([v.shape, i.tolist()]).toEqual([[2, 1], [[1], [2]]]);
    const { values, indices } = torch.sort(torch.tensor([2, 1, 3]));
    expect([values.tolist(), indices.tolist()]).toEqual([[1, 2, 3], [1, 0, 2]]);
  });
  it("var/std/logsumexp, stable for large inputs", () => {
    close(x.var(1), [4, 4]);
    close(x.std(), 1.8708);
    close(x.logsumexp(1), [5.1429, 6.1429]);
    close(torch.tensor([1000, 1000], f32).logsumexp(0), 1000.6932, 1e-3);
    close(torch.tensor([1000, -1000], f32).softmax(0), [1, 0]);
    close(torch.tensor([1000, -1000], f32).log_softmax(0), [0, -2000]);
  });
});

describe("matmul", () => {
  it("follows torch.matmul's rules for 1-D to N-D", () => {
    const a = torch.arange(6, f32).reshape(2, 3);
    const b = torch.arange(6, f32).reshape(3, 2);
    expect(a.matmul(b).tolist()).toEqual([[10, 13], [28, 40]]);
    expect(a.matmul(torch.ones(3)).tolist()).toEqual([3, 12]);
    expect(torch.ones(2).matmul(a).tolist()).toEqual([3, 5, 7]);
    expect(torch.ones(3).matmul(torch.ones(3)).shape).toEqual([]);
    expect(torch.ones(4, 1, 2, 3).matmul(torch.ones(5, 3, 7)).shape).toEqual([4, 5, 2, 7]);
    expect(a.t().matmul(a).tolist()).toEqual([[9, 12, 15], [12, 17, 22], [15, 22, 29]]);
    expect(torch.zeros(2, 0).matmul(torch.zeros(0, 3)).tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });
});

describe("matmul kernel against a naive product", () => {
  const naive = (a: number[][], b: number[][]) =>
    a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
  for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [5, 2, 9], [8, 16, 4], [7, 1, 3], [2, 33, 6]]) {
    it(`${m}x${k} @ ${k}x${n}, plain and transposed operands`, () => {
      torch.manual_seed(m * 100 + k * 10 + n);
      const a = torch.randn(m, k, { dtype: torch.float64 });
      const b = torch.randn(k, n, { dtype: torch.float64 });
      const want = naive(a.tolist() as number[][], b.tolist() as number[][]);
      for (const [x, y] of [[a, b], [a.t().contiguous().t(), b], [a, b.t().contiguous().t()]]) {
        const got = x.matmul(y).tolist() as number[][];
        got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 10)));
      }
    });
  }
});

describe("views and movement", () => {
  it("views share storage with their base", () => {
    const a = torch.arange(6, f32);
    const v = a.view(2, 3).t();
    expect(v.is_contiguous()).toBe(false);
    expect(v.stride()).toEqual([1, 3]);
    torch.no_grad(() => a.mul_(10));
    expect(v.tolist()).toEqual([[0, 30], [10, 40], [20, 50]]);
    expect(v.contiguous().is_contiguous()).toBe(true);
  });
  it("getitem: ints, slices with step, ..., new axes, index tensors, masks", () => {
    const a = torch.arange(24).reshape(2, 3, 4);
    expect(a.getitem(1, "1:", "::2").tolist()).toEqual([[16, 18], [20, 22]]);
    expect(a.getitem("...", -1).shape).toEqual([2, 3]);
    expect(a.getitem(null, 0).shape).toEqual([1, 3, 4]);
    expect(a.getitem(0, torch.tensor([2, 0])).tolist()).toEqual([[8, 9, 10, 11], [0, 1, 2, 3]]);
    expect(torch.arange(5).getitem(torch.arange(5).gt(2)).tolist()).toEqual([3, 4]);
  });
  it("squeeze/unsqueeze/flatten/expand/permute/narrow/unbind", () => {
    const a = torch.zeros(1, 3, 1);
    expect(a.squeeze().shape).toEqual([3]);
    expect(a.squeeze(0).shape).toEqual([3, 1]);
    expect(a.unsqueeze(-1).shape).toEqual([1, 3, 1, 1]);
    expect(torch.zeros(2, 3, 4).flatten(1).shape).toEqual([2, 12]);
    expect(torch.ones(3, 1).expand(-1, 4).stride()).toEqual([1, 0]);
    expect(torch.zeros(2, 3, 4).permute(2, 0, 1).shape).toEqual([4, 2, 3]);
    expect(torch.arange(5).narrow(0, 1, 2).tolist()).toEqual([1, 2]);
    expect(torch.arange(4).reshape(2, 2).unbind(1).map((t) => t.tolist())).toEqual([[0, 2], [1, 3]]);
  });
});

describe("indexing and joining", () => {
  it("cat/stack/split/chunk", () => {
    expect(torch.cat([torch.ones(1, 2), torch.zeros(2, 2)]).shape).toEqual([3, 2]);
    expect(torch.cat([torch.ones(2), torch.tensor([1, 2])]).dtype).toBe(torch.float32);
    expect(torch.stack([torch.ones(2), torch.zeros(2)], 1).tolist()).toEqual([[1, 0], [1, 0]]);
    expect(torch.arange(5).split(2).map((t) => t.tolist())).toEqual([[0, 1], [2, 3], [4]]);
    expect(torch.arange(5).chunk(2).map((t) => t.tolist())).toEqual([[0, 1, 2], [3, 4]]);
    expect(torch.arange(6).split([1, 5]).map((t) => t.numel())).toEqual([1, 5]);
  });
  it("gather/scatter/scatter_add/index_select/index_add", () => {
    const x = torch.tensor([[1, 2, 3], [4, 5, 6]], f32);
    const idx = torch.tensor([[2, 0], [1, 1]]);
    expect(x.gather(1, idx).tolist()).toEqual([[3, 1], [5, 5]]);
    expect(torch.zeros(2, 3).scatter_add(1, idx, torch.ones(2, 2)).tolist()).toEqual([[1, 0, 1], [0, 2, 0]]);
    expect(torch.zeros(2, 3).scatter(1, idx, torch.tensor([[7, 8], [9, 10]], f32)).tolist()).toEqual([[8, 0, 7], [0, 10, 0]]);
    expect(x.index_select(1, torch.tensor([2, 2])).tolist()).toEqual([[3, 3], [6, 6]]);
    expect(torch.zeros(3).index_add(0, torch.tensor([0, 0, 2]), torch.ones(3)).tolist()).toEqual([2, 0, 1]);
  });
  it("pad, where, clamp, masked_fill, sort, topk, flip, repeat, tril", () => {
    expect(torch.functional.pad(torch.ones(1, 2), [1, 0]).tolist()).toEqual([[0, 1, 1]]);
    expect(torch.where(torch.tensor([true, false]), torch.ones(2), 5).tolist()).toEqual([1, 5]);
    expect(torch.tensor([-2, 0.5, 3]).clamp(-1, 1).tolist()).toEqual([-1, 0.5, 1]);
    expect(torch.ones(3).masked_fill(torch.tensor([false, true, false]), -1).tolist()).toEqual([1, -1, 1]);
    const s = torch.tensor([3, 1, 2], f32).sort();
    expect([s.values.tolist(), s.indices.tolist()]).toEqual([[1, 2, 3], [1, 2, 0]]);
    expect(torch.tensor([3, 1, 2], f32).topk(2).indices.tolist()).toEqual([0, 2]);
    expect(torch.arange(4).reshape(2, 2).flip(0).tolist()).toEqual([[2, 3], [0, 1]]);
    expect(torch.tensor([1, 2]).repeat(2, 2).tolist()).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
    expect(torch.ones(2, 2).tril().tolist()).toEqual([[1, 0], [1, 1]]);
  });
});

describe("in-place ops write through views and take the direct path when no graph is recorded", () => {
  it("add_/sub_/mul_/div_ with broadcasting, alpha and scalars", () => {
    const p = torch.ones(2, 3);
    const g = torch.tensor([1, 2, 3], f32);
    p.add_(g, { alpha: -0.5 }).mul_(2).sub_(1).div_(4);
    close(p, [0, -0.25, -0.5, 0, -0.25, -0.5]);
    expect(p._version).toBe(4);
    const q = torch.arange(6, f32).reshape(2, 3).t();
    q.add_(100);
    expect(q.tolist()).toEqual([[100, 103], [101, 104], [102, 105]]);
    const x = torch.ones(3);
    x.add_(x);
    expect(x.tolist()).toEqual([2, 2, 2]);
    const i = torch.tensor([1, 2]);
    i.mul_(3);
    expect(i.tolist()).toEqual([3, 6]);
  });
});

describe("new_* factories, type_as, set_printoptions", () => {
  it("new tensors take the source's dtype", () => {
    const x = torch.ones(2, { dtype: torch.float64 });
    expect(x.new_zeros([2, 2]).dtype).toBe(torch.float64);
    expect(x.new_full([2], 3).tolist()).toEqual([3, 3]);
    expect(x.new_tensor([[1, 2]]).shape).toEqual([1, 2]);
    expect(torch.ones(1).type_as(x).dtype).toBe(torch.float64);
  });
  it("set_printoptions changes precision and restores with the default profile", () => {
    torch.set_printoptions({ precision: 2 });
    expect(String(torch.tensor([0.12345]))).toBe("tensor([0.12])");
    torch.set_printoptions({ sci_mode: true });
    expect(String(torch.tensor([1.5]))).toBe("tensor([1.50e+00])");
    torch.set_printoptions({ profile: "default", sci_mode: null });
    expect(String(torch.tensor([0.12345]))).toBe("tensor([0.1235])");
  });
});

describe("dispatcher", () => {
  it("a backend registers kernels; the rest fall back to the TypeScript reference", () => {
    let calls = 0;
    const reference = torch.getKernel("unary", "ts")!;
    torch.registerKernel("unary", "counting", (...args) => {
      calls++;
      reference(...args);
    });
    expect(torch.getBackend()).toBe("ts");
    torch.withBackend("counting", () => {
      expect(torch.tensor([1, 4], f32).sqrt().tolist()).toEqual([1, 2]);
      expect(torch.ones(2).add(torch.ones(2)).tolist()).toEqual([2, 2]); // binary: ts fallback
    });
    expect(calls).toBe(1);
    expect(torch.getBackend()).toBe("ts");
    expect(torch.listKernels("counting")).toEqual(["unary"]);
  });
});
