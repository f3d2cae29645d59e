// Loss modules: thin wrappers over nn.functional with PyTorch's constructor options. Class weights
// (`weight`, `pos_weight`) are buffers, as in PyTorch, so they follow `to(dtype)`.
import type { Tensor } from "../../tensor.js";
import { Module } from "../module.js";
import { impl as F } from "../functional/loss.js";

export type LossReduction = "none" | "mean" | "sum";

abstract class Loss extends Module {
  reduction: string;
  constructor(reduction: string = "mean") {
    super();
    this.reduction = reduction;
  }
}

abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;
  constructor(weight: Tensor | null | undefined, reduction: string) {
    super(reduction);
    this.register_buffer("weight", weight ?? null);
  }
}

export class MSELoss extends Loss {
  constructor(opts: { reduction?: LossReduction } = {}) {
    super(opts.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mse_loss(input, target, this.reduction);
  }
}

export class L1Loss extends Loss {
  constructor(opts: { reduction?: LossReduction } = {}) {
    super(opts.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1_loss(input, target, this.reduction);
  }
}

export class SmoothL1Loss extends Loss {
  beta: number;
  constructor(opts: { reduction?: LossReduction; beta?: number } = {}) {
    super(opts.reduction);
    this.beta = opts.beta ?? 1.0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.smooth_l1_loss(input, target, this.reduction, this.beta);
  }
}

export class HuberLoss extends Loss {
  delta: number;
  constructor(opts: { reduction?: LossReduction; delta?: number } = {}) {
    super(opts.reduction);
    this.delta = opts.delta ?? 1.0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.huber_loss(input, target, this.reduction, this.delta);
  }
}

export class BCELoss extends WeightedLoss {
  constructor(opts: { weight?: Tensor | null; reduction?: LossReduction } = {}) {
    super(opts.weight, opts.reduction ?? "mean");
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binary_cross_entropy(input, target, this.weight, this.reduction);
  }
}

export class BCEWithLogitsLoss extends WeightedLoss {
  declare pos_weight: Tensor | null;
  constructor(opts: { weight?: Tensor | null; reduction?: LossReduction; pos_weight?: Tensor | null } = {}) {
    super(opts.weight, opts.reduction ?? "mean");
    this.register_buffer("pos_weight", opts.pos_weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binary_cross_entropy_with_logits(input, target, this.weight, this.reduction, this.pos_weight);
  }
}

export class KLDivLoss extends Loss {
  log_target: boolean;
  constructor(opts: { reduction?: LossReduction | "batchmean"; log_target?: boolean } = {}) {
    super(opts.reduction);
    this.log_target = opts.log_target ?? false;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.kl_div(input, target, this.reduction, this.log_target);
  }
}

export class NLLLoss extends WeightedLoss {
  ignore_index: number;
  constructor(opts: { weight?: Tensor | null; ignore_index?: number; reduction?: LossReduction } = {}) {
    super(opts.weight, opts.reduction ?? "mean");
    this.ignore_index = opts.ignore_index ?? -100;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nll_loss(input, target, this.weight, this.ignore_index, this.reduction);
  }
}

export class CrossEntropyLoss extends WeightedLoss {
  ignore_index: number;
  label_smoothing: number;
  constructor(opts: { weight?: Tensor | null; ignore_index?: number; reduction?: LossReduction; label_smoothing?: number } = {}) {
    super(opts.weight, opts.reduction ?? "mean");
    this.ignore_index = opts.ignore_index ?? -100;
    this.label_smoothing = opts.label_smoothing ?? 0.0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.cross_entropy(input, target, this.weight, this.ignore_index, this.reduction, this.label_smoothing);
  }
}
