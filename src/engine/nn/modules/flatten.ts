// nn.Flatten and nn.Unflatten.
import type { Tensor } from "../../tensor.js";
import { Module } from "../module.js";
import { pyTuple } from "./_format.js";

export class Flatten extends Module {
  start_dim: number;
  end_dim: number;
  constructor(start_dim = 1, end_dim = -1) {
    super();
    this.start_dim = start_dim;
    this.end_dim = end_dim;
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
  constructor(dim: number, unflattened_size: number[]) {
    super();
    this.dim = dim;
    this.unflattened_size = [...unflattened_size];
  }
  forward(input: Tensor): Tensor {
    return input.unflatten(this.dim, this.unflattened_size);
  }
  override extra_repr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattened_size)}`;
  }
}
