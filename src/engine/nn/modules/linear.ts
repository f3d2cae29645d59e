// nn.Identity, nn.Linear (and NonDynamicallyQuantizableLinear, the name MultiheadAttention's out_proj prints).
import type { Tensor } from "../../tensor.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { linear } from "../functional/linear.js";
import { newParameter, type FactoryOptions } from "./_factory.js";
import { pyBool } from "./_format.js";

export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }
  forward(input: Tensor): Tensor {
    return input;
  }
}

export interface LinearOptions extends FactoryOptions {
  bias?: boolean;
}

export class Linear extends Module {
  in_features: number;
  out_features: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  /** `new Linear(in, out)`, `new Linear(in, out, false)` or `new Linear(in, out, { bias, dtype })`. */
  constructor(in_features: number, out_features: number, opts: boolean | LinearOptions = {}) {
    super();
    const o: LinearOptions = typeof opts === "boolean" ? { bias: opts } : opts;
    this.in_features = in_features;
    this.out_features = out_features;
    this.weight = newParameter([out_features, in_features], o);
    if (o.bias ?? true) this.bias = newParameter([out_features], o);
    else this.register_parameter("bias", null);
    this.reset_parameters();
  }

  /** PyTorch's init: kaiming_uniform(a=sqrt(5)) for the weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias. */
  reset_parameters(): void {
    init.kaiming_uniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init._calculate_fan_in_and_fan_out(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extra_repr(): string {
    return `in_features=${this.in_features}, out_features=${this.out_features}, bias=${pyBool(this.bias !== null)}`;
  }
}

export class NonDynamicallyQuantizableLinear extends Linear {}
