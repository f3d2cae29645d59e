// nn.MultiheadAttention (PyTorch 1.13's non-fast path): input projections, scaled dot-product attention
// per head, output projection. Inputs are (L, N, E), or (N, L, E) with batch_first, or unbatched (L, E).
import type { Tensor } from "../../tensor.js";
import { cat } from "../../ops/indexing.js";
import { where } from "../../ops/elementwise.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { linear } from "../functional/linear.js";
import { dropout } from "../functional/activation.js";
import { NonDynamicallyQuantizableLinear } from "./linear.js";
import { newParameter, type FactoryOptions } from "./_factory.js";

export interface MultiheadAttentionOptions extends FactoryOptions {
  dropout?: number;
  bias?: boolean;
  add_bias_kv?: boolean;
  add_zero_attn?: boolean;
  kdim?: number | null;
  vdim?: number | null;
  batch_first?: boolean;
}

export interface MultiheadAttentionForwardOptions {
  key_padding_mask?: Tensor | null;
  need_weights?: boolean;
  attn_mask?: Tensor | null;
  average_attn_weights?: boolean;
}

/** A boolean mask (true = not allowed) becomes -inf; a float mask is added as is. */
function additiveMask(mask: Tensor, like: Tensor): Tensor {
  return mask.dtype.name === "bool" ? where(mask, -Infinity, 0).to(like.dtype) : mask;
}

export class MultiheadAttention extends Module {
  embed_dim: number;
  kdim: number;
  vdim: number;
  _qkv_same_embed_dim: boolean;
  num_heads: number;
  dropout: number;
  batch_first: boolean;
  head_dim: number;
  add_zero_attn: boolean;
  declare in_proj_weight: Parameter | null;
  declare q_proj_weight: Parameter | null;
  declare k_proj_weight: Parameter | null;
  declare v_proj_weight: Parameter | null;
  declare in_proj_bias: Parameter | null;
  declare out_proj: NonDynamicallyQuantizableLinear;
  declare bias_k: Parameter | null;
  declare bias_v: Parameter | null;

  constructor(embed_dim: number, num_heads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    this.embed_dim = embed_dim;
    this.kdim = opts.kdim ?? embed_dim;
    this.vdim = opts.vdim ?? embed_dim;
    this._qkv_same_embed_dim = this.kdim === embed_dim && this.vdim === embed_dim;
    this.num_heads = num_heads;
    this.dropout = opts.dropout ?? 0;
    this.batch_first = opts.batch_first ?? false;
    this.head_dim = Math.floor(embed_dim / num_heads);
    if (this.head_dim * num_heads !== embed_dim) throw new Error("embed_dim must be divisible by num_heads");
    if (!this._qkv_same_embed_dim) {
      this.q_proj_weight = newParameter([embed_dim, embed_dim], opts);
      this.k_proj_weight = newParameter([embed_dim, this.kdim], opts);
      this.v_proj_weight = newParameter([embed_dim, this.vdim], opts);
      this.register_parameter("in_proj_weight", null);
    } else {
      this.in_proj_weight = newParameter([3 * embed_dim, embed_dim], opts);
      this.register_parameter("q_proj_weight", null);
      this.register_parameter("k_proj_weight", null);
      this.register_parameter("v_proj_weight", null);
    }
    const bias = opts.bias ?? true;
    if (bias) this.in_proj_bias = newParameter([3 * embed_dim], opts);
    else this.register_parameter("in_proj_bias", null);
    this.out_proj = new NonDynamicallyQuantizableLinear(embed_dim, embed_dim, { bias, dtype: opts.dtype, device: opts.device });
    if (opts.add_bias_kv) {
      this.bias_k = newParameter([1, 1, embed_dim], opts);
      this.bias_v = newParameter([1, 1, embed_dim], opts);
    } else {
      this.bias_k = null as unknown as Parameter;
      this.bias_v = null as unknown as Parameter;
    }
    this.add_zero_attn = opts.add_zero_attn ?? false;
    this._reset_parameters();
  }

  _reset_parameters(): void {
    if (this._qkv_same_embed_dim) init.xavier_uniform_(this.in_proj_weight!);
    else {
      init.xavier_uniform_(this.q_proj_weight!);
      init.xavier_uniform_(this.k_proj_weight!);
      init.xavier_uniform_(this.v_proj_weight!);
    }
    if (this.in_proj_bias) {
      init.constant_(this.in_proj_bias, 0);
      init.constant_(this.out_proj.bias!, 0);
    }
    if (this.bias_k) init.xavier_normal_(this.bias_k);
    if (this.bias_v) init.xavier_normal_(this.bias_v);
  }

  forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const need_weights = opts.need_weights ?? true;
    const average = opts.average_attn_weights ?? true;
    const batched = query.ndim === 3;
    let q = query, k = key, v = value;
    if (!batched) {
      q = q.unsqueeze(1); k = k.unsqueeze(1); v = v.unsqueeze(1);
    } else if (this.batch_first) {
      q = q.transpose(0, 1); k = k.transpose(0, 1); v = v.transpose(0, 1);
    }
    let keyPadding = opts.key_padding_mask ?? null;
    if (keyPadding && !batched) keyPadding = keyPadding.unsqueeze(0);
    const [tgtLen, bsz, E] = q.shape;
    const H = this.num_heads, hd = this.head_dim;
    if (E !== this.embed_dim) throw new Error(`was expecting embedding dimension of ${this.embed_dim}, but got ${E}`);

    // Input projections.
    const E2 = this.embed_dim;
    const b = this.in_proj_bias;
    const bq = b ? b.narrow(0, 0, E2) : null, bk = b ? b.narrow(0, E2, E2) : null, bv = b ? b.narrow(0, 2 * E2, E2) : null;
    let wq: Tensor, wk: Tensor, wv: Tensor;
    if (this._qkv_same_embed_dim) {
      const w = this.in_proj_weight!;
      wq = w.narrow(0, 0, E2); wk = w.narrow(0, E2, E2); wv = w.narrow(0, 2 * E2, E2);
    } else {
      wq = this.q_proj_weight!; wk = this.k_proj_weight!; wv = this.v_proj_weight!;
    }
    q = linear(q, wq, bq);
    k = linear(k, wk, bk);
    v = linear(v, wv, bv);

    let attnMask: Tensor | null = opts.attn_mask ? additiveMask(opts.attn_mask, q) : null;
    if (attnMask && attnMask.ndim === 2) attnMask = attnMask.unsqueeze(0);
    let kpm: Tensor | null = keyPadding ? additiveMask(keyPadding, q) : null;

    if (this.bias_k && this.bias_v) {
      k = cat([k, this.bias_k.expand(1, bsz, E2)], 0);
      v = cat([v, this.bias_v.expand(1, bsz, E2)], 0);
      if (attnMask) attnMask = cat([attnMask, attnMask.narrow(-1, 0, 1).mul(0)], -1);
      if (kpm) kpm = cat([kpm, kpm.narrow(-1, 0, 1).mul(0)], -1);
    }

    // Heads: (L, N, E) -> (N*H, L, hd).
    q = q.contiguous().view(tgtLen, bsz * H, hd).transpose(0, 1);
    k = k.contiguous().view(k.shape[0], bsz * H, hd).transpose(0, 1);
    v = v.contiguous().view(v.shape[0], bsz * H, hd).transpose(0, 1);

    if (this.add_zero_attn) {
      k = cat([k, k.narrow(1, 0, 1).mul(0)], 1);
      v = cat([v, v.narrow(1, 0, 1).mul(0)], 1);
      if (attnMask) attnMask = cat([attnMask, attnMask.narrow(-1, 0, 1).mul(0)], -1);
      if (kpm) kpm = cat([kpm, kpm.narrow(-1, 0, 1).mul(0)], -1);
    }
    const srcLen = k.shape[1];
    if (kpm) {
      const merged = kpm.view(bsz, 1, 1, srcLen).expand(bsz, H, 1, srcLen).reshape(bsz * H, 1, srcLen);
      attnMask = attnMask ? attnMask.add(merged) : merged;
    }

    // Scaled dot-product attention.
    let scores = q.div(Math.sqrt(hd)).matmul(k.transpose(-2, -1));
    if (attnMask) scores = scores.add(attnMask);
    let weights = scores.softmax(-1);
    if (this.training && this.dropout > 0) weights = dropout(weights, this.dropout, true);
    let out = weights.matmul(v); // (N*H, L, hd)
    out = out.transpose(0, 1).contiguous().view(tgtLen * bsz, E2);
    out = linear(out, this.out_proj.weight, this.out_proj.bias).view(tgtLen, bsz, E2);

    let attnWeights: Tensor | null = null;
    if (need_weights) {
      attnWeights = weights.view(bsz, H, tgtLen, srcLen);
      if (average) attnWeights = attnWeights.mean(1);
      if (!batched) attnWeights = attnWeights.squeeze(0);
    }
    if (!batched) out = out.squeeze(1);
    else if (this.batch_first) out = out.transpose(0, 1);
    return [out, attnWeights];
  }
}
