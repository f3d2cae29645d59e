// Loss functions of torch.nn.functional, with PyTorch 1.13's formulas, defaults and checks. Everything is
// composed from engine ops, so gradients come from autograd; the compositions are the numerically
// stable ones PyTorch uses (log_softmax for cross-entropy, the max-shift form for BCE with logits).
import type { Tensor } from "../../tensor.js";
import { IndexError, RuntimeError, ValueError } from "../../errors.js";
import { where } from "../../ops/elementwise.js";
import type { BackwardFormula, OpNode } from "../../autograd/node.js";
import { anyRequiresGrad, record } from "../../ops/common.js";
import { no_grad } from "../../grad_mode.js";
import { log_softmax } from "./activation.js";
import { reduce } from "./reduction.js";
import { bind } from "../_args.js";
import { fusedCrossEntropy } from "./fused_cross_entropy.js";

function checkSameSize(input: Tensor, target: Tensor): void {
  const same = input.ndim === target.ndim && input.shape.every((d, i) => d === target.shape[i]);
  if (!same) {
    throw new ValueError(
      `Using a target size (torch.Size([${target.shape.join(", ")}])) that is different to the input size (torch.Size([${input.shape.join(", ")}])) is deprecated. Please ensure they have the same size.`,
    );
  }
}

function _mse_loss(input: Tensor, target: Tensor, reduction = "mean"): Tensor {
  return reduce(input.sub(target).square(), reduction);
}

function _l1_loss(input: Tensor, target: Tensor, reduction = "mean"): Tensor {
  return reduce(input.sub(target).abs(), reduction);
}

function _smooth_l1_loss(input: Tensor, target: Tensor, reduction = "mean", beta = 1.0): Tensor {
  if (beta < 0) throw new RuntimeError("smooth_l1_loss does not support negative values for beta.");
  if (beta === 0) return _l1_loss(input, target, reduction);
  const z = input.sub(target).abs();
  return reduce(where(z.lt(beta), z.square().mul(0.5 / beta), z.sub(0.5 * beta)), reduction);
}

function _huber_loss(input: Tensor, target: Tensor, reduction = "mean", delta = 1.0): Tensor {
  if (delta <= 0) throw new RuntimeError("huber_loss does not support non-positive values for delta.");
  const z = input.sub(target).abs();
  return reduce(where(z.lt(delta), z.square().mul(0.5), z.sub(0.5 * delta).mul(delta)), reduction);
}

interface BceArgs {
  hasWeight: boolean;
}

/** PyTorch's BCE gradient: (x - t) / max(x (1 - x), 1e-12), finite even at x = 0 or 1. */
const bceBackward: BackwardFormula<BceArgs> = {
  name: "BinaryCrossEntropyBackward0",
  backward(node: OpNode<BceArgs>, grad: Tensor) {
    const [ex, et] = node._next;
    const x = node.saved(0);
    const t = node.saved(1);
    const w = node.args.hasWeight ? node.saved(2) : null;
    let gx: Tensor | null = null;
    let gt: Tensor | null = null;
    if (ex) {
      gx = x.sub(t).div(x.neg().add(1).mul(x).clamp(1e-12, null)).mul(grad);
      if (w) gx = gx.mul(w);
    }
    if (et) {
      gt = x.neg().add(1).log().clamp(-100, null).sub(x.log().clamp(-100, null)).mul(grad);
      if (w) gt = gt.mul(w);
    }
    return w ? [gx, gt, null] : [gx, gt];
  },
};

function _binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | null = null, reduction = "mean"): Tensor {
  checkSameSize(input, target);
  if (input.numel() > 0) {
    const lo = input.min().item(), hi = input.max().item();
    if (!(lo >= 0) || !(hi <= 1)) throw new RuntimeError("all elements of input should be between 0 and 1");
  }
  // PyTorch clamps the logs at -100 so that a 0 or 1 input gives a finite loss.
  const loss = no_grad(() => {
    const logX = input.log().clamp(-100, null);
    const log1mX = input.neg().add(1).log().clamp(-100, null);
    const l = target.mul(logX).add(target.neg().add(1).mul(log1mX)).neg();
    return weight ? l.mul(weight) : l;
  });
  const inputs = weight ? [input, target, weight] : [input, target];
  if (anyRequiresGrad(inputs)) record(loss, bceBackward, inputs, weight ? [input, target, weight] : [input, target], { hasWeight: !!weight });
  return reduce(loss, reduction);
}

function _binary_cross_entropy_with_logits(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null = null,
  reduction = "mean",
  pos_weight: Tensor | null = null,
): Tensor {
  checkSameSize(input, target);
  // loss = (1 - t) x + lw * (log(exp(-m) + exp(-x - m)) + m), m = max(-x, 0), lw = 1 + (pw - 1) t
  const maxVal = input.neg().clamp(0, null);
  const softplusNeg = maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log().add(maxVal);
  const oneMinusT = target.neg().add(1);
  let loss: Tensor;
  if (pos_weight) {
    const logWeight = pos_weight.sub(1).mul(target).add(1);
    loss = oneMinusT.mul(input).add(logWeight.mul(softplusNeg));
  } else {
    loss = oneMinusT.mul(input).add(softplusNeg);
  }
  if (weight) loss = loss.mul(weight);
  return reduce(loss, reduction);
}

function _kl_div(input: Tensor, target: Tensor, reduction = "mean", log_target = false): Tensor {
  let loss: Tensor;
  if (log_target) {
    loss = target.exp().mul(target.sub(input));
  } else {
    // xlogy(t, t) - t * input, with 0 * log 0 = 0
    const tlogt = where(target.gt(0), target.mul(target.clamp(Number.MIN_VALUE, null).log()), 0);
    loss = tlogt.sub(target.mul(input));
  }
  if (reduction === "batchmean") {
    return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]);
  }
  return reduce(loss, reduction);
}

function checkClassTarget(input: Tensor, target: Tensor): void {
  if (target.dtype.is_floating_point || target.dtype.name === "bool") {
    throw new RuntimeError(`expected scalar type Long but found ${target.dtype.name === "float64" ? "Double" : target.dtype.name === "float32" ? "Float" : "Bool"}`);
  }
  const batched = input.ndim >= 2;
  if (batched && target.ndim >= 1 && input.shape[0] !== target.shape[0]) {
    throw new ValueError(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}).`);
  }
}

function _nll_loss(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null = null,
  ignore_index = -100,
  reduction = "mean",
): Tensor {
  checkClassTarget(input, target);
  if (input.ndim < 1) throw new ValueError(`Expected 1 or more dimensions (got ${input.ndim})`);
  const unbatched = input.ndim === 1;
  const x = unbatched ? input.unsqueeze(0) : input;
  const t = unbatched ? target.unsqueeze(0) : target;
  const C = x.shape[1];
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== C)) {
    throw new RuntimeError(`weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: [${weight.shape.join(", ")}]`);
  }
  const valid = t.ne(ignore_index);
  const safe = where(valid, t, 0);
  if (safe.numel() > 0) {
    const lo = safe.min().item(), hi = safe.max().item();
    if (lo < 0 || hi >= C) throw new IndexError(`Target ${hi >= C ? hi : lo} is out of bounds.`);
  }
  const picked = x.gather(1, safe.unsqueeze(1)).squeeze(1);
  let w = valid.to(x.dtype);
  if (weight) w = w.mul(weight.index_select(0, safe.reshape(-1)).view(safe.shape));
  const loss = picked.mul(w).neg();
  if (reduction === "none") return unbatched ? loss.squeeze(0) : loss;
  if (reduction === "sum") return loss.sum();
  if (reduction === "mean") return loss.sum().div(w.sum());
  throw new ValueError(`${reduction} is not a valid value for reduction`);
}

function _cross_entropy(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null = null,
  ignore_index = -100,
  reduction = "mean",
  label_smoothing = 0.0,
): Tensor {
  if (label_smoothing < 0 || label_smoothing > 1) {
    throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${label_smoothing}`);
  }
  if (weight === null && label_smoothing === 0) {
    const fused = fusedCrossEntropy(input, target, ignore_index, reduction);
    if (fused) return fused;
  }
  const classDim = input.ndim === 1 ? 0 : 1;
  const C = input.shape[classDim];
  const logp = log_softmax(input, classDim);
  const weightShape = input.shape.map((d, i) => (i === classDim ? d : 1));

  if (target.dtype.is_floating_point) {
    // Class probabilities.
    checkSameSize(input, target);
    const t = label_smoothing > 0 ? target.mul(1 - label_smoothing).add(label_smoothing / C) : target;
    let prod = logp.mul(t);
    if (weight) prod = prod.mul(weight.view(weightShape));
    const loss = prod.sum(classDim).neg();
    if (reduction === "mean") return input.numel() === 0 ? loss.sum().div(0) : loss.sum().div(input.numel() / C);
    return reduce(loss, reduction);
  }

  const nll = _nll_loss(logp, target, weight, ignore_index, reduction);
  if (label_smoothing <= 0) return nll;
  // Smoothing term: the (weighted) mean of -log p over the classes, with ignored targets dropped.
  let smooth = weight ? logp.mul(weight.view(weightShape)).sum(classDim).neg() : logp.sum(classDim).neg();
  const ignore = target.eq(ignore_index);
  smooth = where(ignore, 0, smooth);
  let ret: Tensor;
  if (reduction === "mean") {
    if (weight) {
      const kept = where(ignore, 0, target);
      const w = weight.index_select(0, kept.reshape(-1)).view(kept.shape).mul(ignore.logical_not().to(weight.dtype));
      ret = smooth.sum().div(w.sum());
    } else {
      ret = smooth.sum().div(ignore.logical_not().sum());
    }
  } else {
    ret = reduce(smooth, reduction);
  }
  return nll.mul(1 - label_smoothing).add(ret.mul(label_smoothing / C));
}

// ---- the public forms, with PyTorch's signatures ------------------------------------------------
// Positional arguments in PyTorch's order (including the deprecated size_average and reduce), or by
// name in a trailing options object: F.cross_entropy(x, y, { weight, label_smoothing: 0.1 }).

type LossArg = Tensor | number | string | boolean | null | undefined | Record<string, unknown>;

/** PyTorch's _Reduction.legacy_get_string, when the deprecated flags are given. */
function resolveReduction(a: Record<string, any>): string {
  if ((a.size_average ?? null) === null && (a.reduce ?? null) === null) return a.reduction ?? "mean";
  const sizeAverage = a.size_average ?? true;
  const reduceFlag = a.reduce ?? true;
  if (sizeAverage && reduceFlag) return "mean";
  return reduceFlag ? "sum" : "none";
}

export function mse_loss(input: Tensor, target: Tensor, ...args: LossArg[]): Tensor {
  const a = bind("mse_loss", ["size_average", "reduce", "reduction"], args);
  return _mse_loss(input, target, resolveReduction(a));
}

export function l1_loss(input: Tensor, target: Tensor, ...args: LossArg[]): Tensor {
  const a = bind("l1_loss", ["size_average", "reduce", "reduction"], args);
  return _l1_loss(input, target, resolveReduction(a));
}

export function smooth_l1_loss(input: Tensor, target: Tensor, ...args: LossArg[]): Tensor {
  const a = bind("smooth_l1_loss", ["size_average", "reduce", "reduction", "beta"], args);
  return _smooth_l1_loss(input, target, resolveReduction(a), a.beta ?? 1.0);
}

export function huber_loss(input: Tensor, target: Tensor, ...args: LossArg[]): Tensor {
  const a = bind("huber_loss", ["reduction", "delta"], args);
  return _huber_loss(input, target, a.reduction ?? "mean", a.delta ?? 1.0);
}

export function binary_cross_entropy(input: Tensor, target: Tensor, ...args: LossArg[]): Tensor {
  const a = bind("binary_cross_entropy", ["weight", "size_average", "reduce", "reduction"], args);
  return _binary_cross_entropy(input, target, a.weight ?? null, resolveReduction(a));
}

export function binary_cross_entropy_with_logits(input: Tensor, target: Tensor, ...args: LossArg[]): Tensor {
  const a = bind("binary_cross_entropy_with_logits", ["weight", "size_average", "reduce", "reduction", "pos_weight"], args);
  return _binary_cross_entropy_with_logits(input, target, a.weight ?? null, resolveReduction(a), a.pos_weight ?? null);
}

export function kl_div(input: Tensor, target: Tensor, ...args: LossArg[]): Tensor {
  const a = bind("kl_div", ["size_average", "reduce", "reduction", "log_target"], args);
  return _kl_div(input, target, resolveReduction(a), a.log_target ?? false);
}

export function nll_loss(input: Tensor, target: Tensor, ...args: LossArg[]): Tensor {
  const a = bind("nll_loss", ["weight", "size_average", "ignore_index", "reduce", "reduction"], args);
  return _nll_loss(input, target, a.weight ?? null, a.ignore_index ?? -100, resolveReduction(a));
}

export function cross_entropy(input: Tensor, target: Tensor, ...args: LossArg[]): Tensor {
  const a = bind("cross_entropy", ["weight", "size_average", "ignore_index", "reduce", "reduction", "label_smoothing"], args);
  return _cross_entropy(input, target, a.weight ?? null, a.ignore_index ?? -100, resolveReduction(a), a.label_smoothing ?? 0.0);
}

/** The implementations with explicit arguments, for the loss modules. */
export const impl = {
  mse_loss: _mse_loss,
  l1_loss: _l1_loss,
  smooth_l1_loss: _smooth_l1_loss,
  huber_loss: _huber_loss,
  binary_cross_entropy: _binary_cross_entropy,
  binary_cross_entropy_with_logits: _binary_cross_entropy_with_logits,
  kl_div: _kl_div,
  nll_loss: _nll_loss,
  cross_entropy: _cross_entropy,
};
