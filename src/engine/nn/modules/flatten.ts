// nn.Flatten and nn.Unflatten.
import type { Tensor } from "../../tensor.js";
import { Module } from "../module.js";
import { pyTuple } from "./_format.js";
import { bind } from "../_args.js";

export class Flatten extends Module {
  start_dim: number;
  end_dim: number;
  constructor(start_dim?: number | { start_dim?: number; end_dim?: number }, end_dim?: number | { end_dim?: number }) {
    super();
    const a = bind("Flatten", ["start_dim", "end_dim"], [start_dim, end_dim]);
    this.start_dim = a.start_dim ?? 1;
    this.end_dim = a.end_dim ?? -1;
  }
  forward(input: Tensor): Tensor {
    return input.flatten(this.start_dim, this.end_dim);
  }
  override extra_repr(): string {
    return `start_dim=${this.start_dim}, end_dim=${this.end_dim}`;
  }
}

export class Unflatten extends Module {
  dim: number;
  unflattened_size: number[];
  constructor(dim: number | { dim: number; unflattened_size: number[] }, unflattened_size?: number[] | { unflattened_size: number[] }) {
    super();
    const a = bind("Unflatten", ["dim", "unflattened_size"], [dim, unflattened_size]);
    this.dim = a.dim;
    this.unflattened_size = [...a.unflattened_size];
  }
  forward(input: Tensor): Tensor {
    return input.unflatten(this.dim, this.unflattened_size);
  }
  override extra_repr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattened_size)}`;
  }
}
