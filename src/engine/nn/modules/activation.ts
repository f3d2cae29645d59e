// Activation modules.
import type { Tensor } from "../../tensor.js";
import { Module } from "../module.js";
import * as F from "../functional/activation.js";
import { pyBool, pyFloat } from "./_format.js";
import { bind } from "../_args.js";

type Inplace = boolean | { inplace?: boolean };

export class ReLU extends Module {
  inplace: boolean;
  constructor(inplace?: Inplace) {
    super();
    this.inplace = bind("ReLU", ["inplace"], [inplace]).inplace ?? false;
  }
  forward(input: Tensor): Tensor {
    return F.relu(input, this.inplace);
  }
  override extra_repr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

export class LeakyReLU extends Module {
  negative_slope: number;
  inplace: boolean;
  constructor(negative_slope?: number | { negative_slope?: number; inplace?: boolean }, inplace?: Inplace) {
    super();
    const a = bind("LeakyReLU", ["negative_slope", "inplace"], [negative_slope, inplace]);
    this.negative_slope = a.negative_slope ?? 1e-2;
    this.inplace = a.inplace ?? false;
  }
  forward(input: Tensor): Tensor {
    return F.leaky_relu(input, this.negative_slope, this.inplace);
  }
  override extra_repr(): string {
    return `negative_slope=${pyFloat(this.negative_slope)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

export class GELU extends Module {
  approximate: "none" | "tanh";
  constructor(opts: { approximate?: "none" | "tanh" } = {}) {
    super();
    this.approximate = opts.approximate ?? "none";
  }
  forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }
  override extra_repr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export class SiLU extends Module {
  inplace: boolean;
  constructor(inplace?: Inplace) {
    super();
    this.inplace = bind("SiLU", ["inplace"], [inplace]).inplace ?? false;
  }
  forward(input: Tensor): Tensor {
    return F.silu(input, this.inplace);
  }
  override extra_repr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return input.sigmoid();
  }
}

export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return input.tanh();
  }
}

export class Softmax extends Module {
  dim: number | null;
  constructor(dim?: number | null | { dim?: number | null }) {
    super();
    this.dim = bind("Softmax", ["dim"], [dim]).dim ?? null;
  }
  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }
  override extra_repr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}

export class LogSoftmax extends Module {
  dim: number | null;
  constructor(dim?: number | null | { dim?: number | null }) {
    super();
    this.dim = bind("LogSoftmax", ["dim"], [dim]).dim ?? null;
  }
  forward(input: Tensor): Tensor {
    return F.log_softmax(input, this.dim);
  }
  override extra_repr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}

export class Dropout extends Module {
  p: number;
  inplace: boolean;
  constructor(p_?: number | { p?: number; inplace?: boolean }, inplace_?: Inplace) {
    super();
    const a = bind("Dropout", ["p", "inplace"], [p_, inplace_]);
    const p: number = a.p ?? 0.5;
    const inplace: boolean = a.inplace ?? false;
    if (p < 0 || p > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = inplace;
  }
  forward(input: Tensor): Tensor {
    return F.dropout(input, this.p, this.training, this.inplace);
  }
  override extra_repr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
