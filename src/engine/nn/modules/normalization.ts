// nn.BatchNorm1d, nn.BatchNorm2d (running statistics as buffers, num_batches_tracked) and nn.LayerNorm.
import type { Tensor } from "../../tensor.js";
import { int64, get_default_dtype } from "../../dtype.js";
import { no_grad } from "../../grad_mode.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { batch_norm, layer_norm } from "../functional/normalization.js";
import { newBuffer, newParameter, type FactoryOptions } from "./_factory.js";
import { pyBool, pyFloat, pyTuple } from "./_format.js";

export interface BatchNormOptions extends FactoryOptions {
  eps?: number;
  momentum?: number | null;
  affine?: boolean;
  track_running_stats?: boolean;
}

abstract class BatchNormBase extends Module {
  num_features: number;
  eps: number;
  momentum: number | null;
  affine: boolean;
  track_running_stats: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(num_features: number, opts: BatchNormOptions = {}) {
    super();
    this.num_features = num_features;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.track_running_stats = opts.track_running_stats ?? true;
    if (this.affine) {
      this.weight = newParameter([num_features], opts);
      this.bias = newParameter([num_features], opts);
    } else {
      this.register_parameter("weight", null);
      this.register_parameter("bias", null);
    }
    if (this.track_running_stats) {
      const dtype = opts.dtype ?? get_default_dtype();
      this.register_buffer("running_mean", newBuffer([num_features], dtype));
      this.register_buffer("running_var", newBuffer([num_features], dtype));
      this.register_buffer("num_batches_tracked", newBuffer([], int64));
    } else {
      this.register_buffer("running_mean", null);
      this.register_buffer("running_var", null);
      this.register_buffer("num_batches_tracked", null);
    }
    this.reset_parameters();
  }

  reset_running_stats(): void {
    if (!this.track_running_stats) return;
    no_grad(() => {
      this.running_mean!.zero_();
      this.running_var!.fill_(1);
      this.num_batches_tracked!.zero_();
    });
  }

  reset_parameters(): void {
    this.reset_running_stats();
    if (this.affine) {
      init.ones_(this.weight!);
      init.zeros_(this.bias!);
    }
  }

  protected abstract checkInputDim(input: Tensor): void;

  forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.track_running_stats && this.num_batches_tracked !== null) {
      no_grad(() => this.num_batches_tracked!.add_(1));
      // momentum=None: a cumulative moving average over the batches seen.
      factor = this.momentum === null ? 1 / this.num_batches_tracked.item() : this.momentum;
    }
    const useBatchStats = this.training || (this.running_mean === null && this.running_var === null);
    return batch_norm(
      input,
      !this.training || this.track_running_stats ? this.running_mean : null,
      !this.training || this.track_running_stats ? this.running_var : null,
      this.weight,
      this.bias,
      useBatchStats,
      factor,
      this.eps,
    );
  }

  override extra_repr(): string {
    const momentum = this.momentum === null ? "None" : pyFloat(this.momentum);
    return (
      `${this.num_features}, eps=${pyFloat(this.eps)}, momentum=${momentum}, affine=${pyBool(this.affine)}, ` +
      `track_running_stats=${pyBool(this.track_running_stats)}`
    );
  }
}

export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) throw new Error(`expected 2D or 3D input (got ${input.ndim}D input)`);
  }
}

export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 4) throw new Error(`expected 4D input (got ${input.ndim}D input)`);
  }
}

export interface LayerNormOptions extends FactoryOptions {
  eps?: number;
  elementwise_affine?: boolean;
}

export class LayerNorm extends Module {
  normalized_shape: number[];
  eps: number;
  elementwise_affine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(normalized_shape: number | number[], opts: LayerNormOptions = {}) {
    super();
    this.normalized_shape = typeof normalized_shape === "number" ? [normalized_shape] : [...normalized_shape];
    this.eps = opts.eps ?? 1e-5;
    this.elementwise_affine = opts.elementwise_affine ?? true;
    if (this.elementwise_affine) {
      this.weight = newParameter(this.normalized_shape, opts);
      this.bias = newParameter(this.normalized_shape, opts);
    } else {
      this.register_parameter("weight", null);
      this.register_parameter("bias", null);
    }
    this.reset_parameters();
  }

  reset_parameters(): void {
    if (this.elementwise_affine) {
      init.ones_(this.weight!);
      init.zeros_(this.bias!);
    }
  }

  forward(input: Tensor): Tensor {
    return layer_norm(input, this.normalized_shape, this.weight, this.bias, this.eps);
  }

  override extra_repr(): string {
    return `${pyTuple(this.normalized_shape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwise_affine)}`;
  }
}
