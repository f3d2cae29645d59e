import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";
import { nn } from "../../src/engine/index.js";
const init = nn.init;

describe("nn.init", () => {
  it("gains and fans follow PyTorch", () => {
    expect(init.calculate_gain("relu")).toBeCloseTo(Math.SQRT2, 15);
    expect(init.calculate_gain("leaky_relu", 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
    expect(init.calculate_gain("tanh")).toBeCloseTo(5 / 3, 15);
    expect(() => init.calculate_gain("swish")).toThrow("Unsupported nonlinearity swish");
    expect(init._calculate_fan_in_and_fan_out(torch.empty([8, 3, 5, 5]))).toEqual([75, 200]);
    expect(() => init._calculate_fan_in_and_fan_out(torch.empty([3]))).toThrow("fewer than 2 dimensions");
  });

  it("uniform initialisers stay within their bounds and use them", () => {
    torch.manual_seed(0);
    const w = torch.empty([200, 100]);
    init.kaiming_uniform_(w, { nonlinearity: "relu" });
    const bound = Math.sqrt(3) * Math.SQRT2 / Math.sqrt(100);
    expect(w.abs().max().item()).toBeLessThanOrEqual(bound);
    expect(w.abs().max().item()).toBeGreaterThan(bound * 0.99);
    init.xavier_uniform_(w);
    const xb = Math.sqrt(6 / 300);
    expect(w.abs().max().item()).toBeLessThanOrEqual(xb);
    init.kaiming_normal_(w, { mode: "fan_out" });
    expect(w.std().item()).toBeCloseTo(Math.SQRT2 / Math.sqrt(200), 2);
    init.trunc_normal_(w, 0, 1, -0.5, 0.5);
    expect(w.abs().max().item()).toBeLessThanOrEqual(0.5);
  });

  it("constant, eye, dirac and orthogonal", () => {
    const e = init.eye_(torch.empty([2, 3]));
    expect(e.tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(init.constant_(torch.empty([2]), 0.5).tolist()).toEqual([0.5, 0.5]);
    const d = init.dirac_(torch.empty([2, 2, 3]));
    expect(d.tolist()).toEqual([[[0, 1, 0], [0, 0, 0]], [[0, 0, 0], [0, 1, 0]]]);
    for (const shape of [[5, 3], [3, 5]]) {
      const q = init.orthogonal_(torch.empty(shape, { dtype: torch.float64 }));
      const gram = shape[0] >= shape[1] ? q.t().matmul(q) : q.matmul(q.t());
      const eye = torch.eye(Math.min(...shape), { dtype: torch.float64 });
      expect(gram.sub(eye).abs().max().item()).toBeLessThan(1e-12);
    }
  });
});
