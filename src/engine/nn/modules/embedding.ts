// nn.Embedding: a lookup table; `sparse: true` gives the weight a row-sparse gradient (for SparseAdam).
import type { Tensor } from "../../tensor.js";
import { no_grad } from "../../grad_mode.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { embedding } from "../functional/embedding.js";
import { newParameter, type FactoryOptions } from "./_factory.js";
import { pyFloat } from "./_format.js";

export interface EmbeddingOptions extends FactoryOptions {
  padding_idx?: number | null;
  max_norm?: number | null;
  norm_type?: number;
  scale_grad_by_freq?: boolean;
  sparse?: boolean;
  _weight?: Tensor | null;
}

export class Embedding extends Module {
  num_embeddings: number;
  embedding_dim: number;
  padding_idx: number | null;
  max_norm: number | null;
  norm_type: number;
  scale_grad_by_freq: boolean;
  sparse: boolean;
  declare weight: Parameter;

  constructor(num_embeddings: number, embedding_dim: number, opts: EmbeddingOptions = {}) {
    super();
    this.num_embeddings = num_embeddings;
    this.embedding_dim = embedding_dim;
    let pad = opts.padding_idx ?? null;
    if (pad !== null) {
      if (pad > 0 && pad >= num_embeddings) throw new Error("Padding_idx must be within num_embeddings");
      if (pad < 0 && pad < -num_embeddings) throw new Error("Padding_idx must be within num_embeddings");
      if (pad < 0) pad += num_embeddings;
    }
    this.padding_idx = pad;
    this.max_norm = opts.max_norm ?? null;
    this.norm_type = opts.norm_type ?? 2.0;
    this.scale_grad_by_freq = opts.scale_grad_by_freq ?? false;
    this.sparse = opts.sparse ?? false;
    if (opts._weight) {
      const w = opts._weight;
      if (w.ndim !== 2 || w.shape[0] !== num_embeddings || w.shape[1] !== embedding_dim) {
        throw new Error("Shape of weight does not match num_embeddings and embedding_dim");
      }
      this.weight = new Parameter(w);
    } else {
      this.weight = newParameter([num_embeddings, embedding_dim], opts);
      this.reset_parameters();
    }
  }

  reset_parameters(): void {
    init.normal_(this.weight);
    this.fillPaddingIdxWithZero();
  }

  private fillPaddingIdxWithZero(): void {
    if (this.padding_idx !== null) no_grad(() => this.weight.select(0, this.padding_idx!).fill_(0));
  }

  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, this.padding_idx, this.max_norm, this.norm_type, this.scale_grad_by_freq, this.sparse);
  }

  override extra_repr(): string {
    let s = `${this.num_embeddings}, ${this.embedding_dim}`;
    if (this.padding_idx !== null) s += `, padding_idx=${this.padding_idx}`;
    if (this.max_norm !== null) s += `, max_norm=${pyFloat(this.max_norm)}`;
    if (this.norm_type !== 2) s += `, norm_type=${pyFloat(this.norm_type)}`;
    if (this.scale_grad_by_freq) s += ", scale_grad_by_freq=True";
    if (this.sparse) s += ", sparse=True";
    return s;
  }

  static from_pretrained(embeddings: Tensor, opts: EmbeddingOptions & { freeze?: boolean } = {}): Embedding {
    if (embeddings.ndim !== 2) throw new Error("Embeddings parameter is expected to be 2-dimensional");
    const [rows, cols] = embeddings.shape;
    const e = new Embedding(rows, cols, { ...opts, _weight: embeddings });
    e.weight.requires_grad_(!(opts.freeze ?? true));
    return e;
  }
}
