import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";
import { nn } from "../../src/engine/index.js";
const F = nn.functional;
const f64 = { dtype: torch.float64 };
const long = (v: number[]) => torch.tensor(v, { dtype: torch.int64 });

function leaf(v: number[] | number[][]): torch.Tensor {
  return torch.tensor(v, { dtype: torch.float64, requires_grad: true });
}

/** Cross-entropy by definition, on plain numbers. */
function refCE(logits: number[][], target: number[], weight?: number[], ignore = -100, smoothing = 0): number {
  let num = 0, den = 0;
  const C = logits[0].length;
  logits.forEach((row, i) => {
    if (target[i] === ignore) return;
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    const logp = row.map((v) => v - lse);
    const w = weight ? weight[target[i]] : 1;
    const nll = -logp[target[i]] * w;
    const smooth = -logp.reduce((s, v, c) => s + v * (weight ? weight[c] : 1), 0) / C;
    num += (1 - smoothing) * nll + smoothing * smooth;
    den += w;
  });
  return num / den;
}

describe("losses", () => {
  const logits = [[1.0, 2.0, 0.5], [0.1, -1.0, 3.0], [2.0, 2.0, 2.0], [-3, 0, 1]];
  const target = [1, 2, 0, 2];

  it("CrossEntropyLoss: class indices, weight, ignore_index, label_smoothing, reductions", () => {
    const x = torch.tensor(logits, f64);
    expect(F.cross_entropy(x, long(target)).item()).toBeCloseTo(refCE(logits, target), 12);
    const w = [0.2, 1.0, 3.0];
    expect(F.cross_entropy(x, long(target), torch.tensor(w, f64)).item()).toBeCloseTo(refCE(logits, target, w), 12);
    expect(F.cross_entropy(x, long([1, -100, 0, 2])).item()).toBeCloseTo(refCE(logits, [1, -100, 0, 2]), 12);
    expect(new nn.CrossEntropyLoss({ label_smoothing: 0.1 }).call(x, long(target)).item()).toBeCloseTo(refCE(logits, target, undefined, -100, 0.1), 12);
    const none = F.cross_entropy(x, long(target), { reduction: "none" });
    expect(none.shape).toEqual([4]);
    expect(F.cross_entropy(x, long(target), { reduction: "sum" }).item()).toBeCloseTo(none.sum().item(), 12);
    expect(() => F.cross_entropy(x, long([0, 1, 2, 3]))).toThrow("Target 3 is out of bounds.");
  });

  it("CrossEntropyLoss with class probabilities and on [N, C, d] inputs", () => {
    const x = torch.tensor(logits, f64);
    const probs = torch.tensor([[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 1]], f64);
    expect(F.cross_entropy(x, probs).item()).toBeCloseTo(refCE(logits, target), 12);
    const x3 = torch.tensor([logits.slice(0, 2), logits.slice(2)], f64).transpose(1, 2); // [2, 3, 2]
    const t3 = long([1, 2, 0, 2]).view(2, 2);
    expect(F.cross_entropy(x3, t3).item()).toBeCloseTo(refCE(logits, target), 12);
  });

  it("cross-entropy is stable for huge logits (log-sum-exp) and gradchecks", () => {
    const big = torch.tensor([[1000, 0, -1000]], f64);
    expect(F.cross_entropy(big, long([0])).item()).toBeCloseTo(0, 12);
    expect(F.cross_entropy(big, long([2])).item()).toBeCloseTo(2000, 9);
    const x = leaf(logits);
    expect(torch.autograd.gradcheck((x) => F.cross_entropy(x, long(target), { weight: torch.tensor([0.2, 1, 3], f64), label_smoothing: 0.2 }), [x])).toBe(true);
  });

  it("NLLLoss matches picking -log p", () => {
    const lp = torch.tensor(logits, f64).log_softmax(1);
    const expected = -(lp.tolist() as number[][]).reduce((s, row, i) => s + row[target[i]], 0) / 4;
    expect(new nn.NLLLoss().call(lp, long(target)).item()).toBeCloseTo(expected, 12);
    expect(() => F.nll_loss(lp, torch.tensor([1, 2, 0, 2], f64))).toThrow("expected scalar type Long but found Double");
    expect(() => F.nll_loss(lp, long([1, 2]))).toThrow("Expected input batch_size (4) to match target batch_size (2).");
  });

  it("regression losses: MSE, L1, SmoothL1, Huber", () => {
    const a = torch.tensor([0, 1, 3, -2], f64), b = torch.tensor([0.5, 1, 0, 0], f64);
    expect(new nn.MSELoss().call(a, b).item()).toBeCloseTo((0.25 + 0 + 9 + 4) / 4, 12);
    expect(new nn.L1Loss({ reduction: "sum" }).call(a, b).item()).toBeCloseTo(0.5 + 0 + 3 + 2, 12);
    // SmoothL1 (beta 1): 0.5 d^2 below 1, |d| - 0.5 above
    expect(new nn.SmoothL1Loss().call(a, b).item()).toBeCloseTo((0.125 + 0 + 2.5 + 1.5) / 4, 12);
    expect(new nn.HuberLoss({ delta: 2 }).call(a, b).item()).toBeCloseTo((0.125 + 0 + 2 * (3 - 1) + 2) / 4, 12);
    const x = leaf([0.3, -1.2, 2.5]), y = torch.tensor([0.1, 0.4, -0.5], f64);
    for (const fn of [F.mse_loss, F.l1_loss, F.smooth_l1_loss, F.huber_loss]) {
      expect(torch.autograd.gradcheck((x) => fn(x, y), [x])).toBe(true);
    }
  });

  it("BCELoss, BCEWithLogitsLoss (pos_weight, stable for large logits), KLDivLoss", () => {
    const p = torch.tensor([0.9, 0.2, 0.6], f64), t = torch.tensor([1, 0, 1], f64);
    const ref = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.6)) / 3;
    expect(new nn.BCELoss().call(p, t).item()).toBeCloseTo(ref, 12);
    const z = torch.tensor([0.9, 0.2, 0.6], f64).div(torch.tensor([0.1, 0.8, 0.4], f64)).log(); // logit(p)
    expect(new nn.BCEWithLogitsLoss().call(z, t).item()).toBeCloseTo(ref, 12);
    const pw = torch.tensor([2, 2, 2], f64);
    const refPw = -(2 * Math.log(0.9) + Math.log(0.8) + 2 * Math.log(0.6)) / 3;
    expect(new nn.BCEWithLogitsLoss({ pos_weight: pw }).call(z, t).item()).toBeCloseTo(refPw, 12);
    expect(F.binary_cross_entropy_with_logits(torch.tensor([800], f64), torch.tensor([0], f64)).item()).toBeCloseTo(800, 9);
    expect(F.binary_cross_entropy(torch.tensor([0], f64), torch.tensor([1], f64)).item()).toBe(100);
    expect(() => F.binary_cross_entropy(torch.tensor([1.5], f64), torch.tensor([1], f64))).toThrow("all elements of input should be between 0 and 1");
    const logq = torch.tensor([[0.2, 0.3, 0.5]], f64).log(), ptarget = torch.tensor([[0.1, 0.0, 0.9]], f64);
    const kl = 0.1 * Math.log(0.1 / 0.2) + 0.9 * Math.log(0.9 / 0.5);
    expect(new nn.KLDivLoss({ reduction: "batchmean" }).call(logq, ptarget).item()).toBeCloseTo(kl, 12);
    expect(F.kl_div(logq, ptarget.clamp(1e-30, null).log(), { reduction: "sum", log_target: true }).item()).toBeCloseTo(kl, 9);
    const zl = leaf([0.5, -2, 3]);
    expect(torch.autograd.gradcheck((zl) => F.binary_cross_entropy_with_logits(zl, t, { pos_weight: pw }), [zl])).toBe(true);
    const pl = leaf([0.3, 0.6, 0.8]);
    expect(torch.autograd.gradcheck((pl) => F.binary_cross_entropy(pl, t), [pl])).toBe(true);
  });

  it("rejects an unknown reduction and prints loss modules as PyTorch", () => {
    expect(() => F.mse_loss(torch.ones([1]), torch.ones([1]), { reduction: "avg" })).toThrow("avg is not a valid value for reduction");
    expect(String(new nn.CrossEntropyLoss())).toBe("CrossEntropyLoss()");
  });
});
