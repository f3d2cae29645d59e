// The Tensor: a view (shape, strides, element offset) of storage owned by a device, plus its autograd
// state. Methods mirror torch.Tensor's; each delegates to the op function of the same name in ops/.
import type { AccumulateGrad, Node, TensorHook } from "./autograd/node.js";
import { cpu, type Device } from "./device.js";
import { type DType, type TypedArray, bool, float32, float64, int32, int64, uint8 } from "./dtype.js";
import { RuntimeError, ValueError } from "./errors.js";
import { gradMode } from "./grad_mode.js";
import * as A from "./ops/activation.js";
import * as C from "./ops/copy.js";
import * as E from "./ops/elementwise.js";
import * as I from "./ops/indexing.js";
import * as IP from "./ops/inplace.js";
import * as MM from "./ops/matmul.js";
import * as R from "./ops/reduce.js";
import * as V from "./ops/view.js";
import { installMethodKwargs } from "./kwargs.js";
import { sumToShape } from "./ops/common.js";
import { formatTensor } from "./print.js";
import { wrapDim } from "./shape.js";

export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | Scalar;
/** Nested arrays as tolist() returns them. */
export type NestedList = number | boolean | NestedList[];

/** Shared by a tensor and its views; bumped by every in-place op. */
export interface VersionCounter {
  v: number;
}

export interface ReduceOptions {
  keepdim?: boolean;
  dtype?: DType;
}
export type DimArg = number | readonly number[] | null | undefined;

export class Tensor {
  /** Storage: the device's typed array (element offsets below count elements, not bytes). */
  _data: TypedArray;
  _shape: number[];
  _strides: number[];
  _offset: number;
  dtype: DType;
  device: Device;
  _vc: VersionCounter;
  /** The tensor this one is a view of (null for a tensor owning its storage). */
  _base: Tensor | null;
  _grad: Tensor | null = null;
  grad_fn: Node | null = null;
  _requires_grad = false;
  _accumulator: AccumulateGrad | null = null;
  /** Hooks on a leaf's gradient (non-leaf hooks live on the grad_fn). */
  _leaf_hooks: TensorHook[] | null = null;
  _retains_grad = false;

  constructor(data: TypedArray, shape: number[], strides: number[], offset: number, dtype: DType, vc?: VersionCounter, base?: Tensor | null) {
    this._data = data;
    this._shape = shape;
    this._strides = strides;
    this._offset = offset;
    this.dtype = dtype;
    this.device = cpu;
    this._vc = vc ?? { v: 0 };
    this._base = base ?? null;
  }

  // ---- attributes ----
  /** The accumulated gradient (leaves, and non-leaves with retain_grad). Assigning checks shape and dtype. */
  get grad(): Tensor | null {
    return this._grad;
  }
  set grad(g: Tensor | null) {
    if (g !== null && g !== undefined) {
      if (!(g instanceof Tensor)) throw new TypeError(`assigned grad expected to be a Tensor or None but got grad of type ${typeof g}`);
      if (g.dtype !== this.dtype) throw new RuntimeError("assigned grad has data of a different type");
      if (g._shape.length !== this._shape.length || g._shape.some((v, i) => v !== this._shape[i]))
        throw new RuntimeError("assigned grad has data of a different size");
    }
    this._grad = g ?? null;
  }
  get shape(): readonly number[] {
    return this._shape;
  }
  get ndim(): number {
    return this._shape.length;
  }
  dim(): number {
    return this._shape.length;
  }
  get requires_grad(): boolean {
    return this._requires_grad;
  }
  set requires_grad(flag: boolean) {
    this.requires_grad_(flag);
  }
  /** A tensor is a leaf when no op recorded it (it has no grad_fn). */
  get is_leaf(): boolean {
    return this.grad_fn === null;
  }
  get _version(): number {
    return this._vc.v;
  }
  get is_cuda(): boolean {
    return false;
  }
  get retains_grad(): boolean {
    return this._retains_grad;
  }
  /** PyTorch's .data: a tensor sharing this storage, detached from the graph, with its own version counter. */
  get data(): Tensor {
    return new Tensor(this._data, this._shape, this._strides, this._offset, this.dtype);
  }
  set data(other: Tensor) {
    this._data = other._data;
    this._shape = other._shape;
    this._strides = other._strides;
    this._offset = other._offset;
    this.dtype = other.dtype;
  }
  numel(): number {
    let n = 1;
    for (let i = 0; i < this._shape.length; i++) n *= this._shape[i];
    return n;
  }
  nelement(): number {
    return this.numel();
  }
  element_size(): number {
    return this.dtype.itemsize;
  }
  size(): readonly number[];
  size(dim: number): number;
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this._shape;
    return this._shape[wrapDim(dim, this._shape.length)];
  }
  stride(): readonly number[];
  stride(dim: number): number;
  stride(dim?: number): number | readonly number[] {
    if (dim === undefined) return this._strides;
    return this._strides[wrapDim(dim, this._shape.length)];
  }
  storage_offset(): number {
    return this._offset;
  }
  is_contiguous(): boolean {
    return V.isContiguousTensor(this);
  }
  is_floating_point(): boolean {
    return this.dtype.is_floating_point;
  }
  get is_sparse(): boolean {
    return false;
  }

  /** Iterates over the first dimension, as `for row in t` in Python. */
  *[Symbol.iterator](): IterableIterator<Tensor> {
    if (this._shape.length === 0) throw new TypeError("iteration over a 0-d tensor");
    for (let i = 0; i < this._shape[0]; i++) yield V.select(this, 0, i);
  }

  // ---- values out ----
  /** The single value of a one-element tensor. */
  item(): number {
    if (this.numel() !== 1)
      throw new ValueError("only one element tensors can be converted to Python scalars");
    const v = this._data[this._offset];
    return v;
  }
  /** Nested arrays of numbers (booleans for a bool tensor), as PyTorch's tolist(). */
  tolist(): NestedList {
    return C.tolist(this);
  }
  /** A contiguous typed array of the values (a copy unless this tensor already is one whole storage). */
  numpy(): TypedArray {
    return C.toTypedArray(this);
  }
  toString(): string {
    return formatTensor(this);
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return formatTensor(this);
  }
  __repr__(): string {
    return formatTensor(this);
  }

  // ---- autograd ----
  requires_grad_(flag = true): this {
    if (!this.is_leaf) {
      if (!flag)
        throw new RuntimeError(
          "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
        );
      return this;
    }
    if (flag && !this.dtype.is_floating_point)
      throw new RuntimeError("Only Tensors of floating point and complex dtype can require gradients");
    this._requires_grad = flag;
    return this;
  }
  retain_grad(): void {
    if (!this._requires_grad) throw new RuntimeError("can't retain_grad on Tensor that has requires_grad=False");
    if (this.is_leaf) return;
    this._retains_grad = true;
    this.grad_fn!._retained = this;
  }
  backward(gradient?: Tensor | null, opts: { retain_graph?: boolean; create_graph?: boolean; inputs?: Tensor[] } = {}): void {
    engineRef.backward([this], gradient ? [gradient] : null, opts);
  }
  detach(): Tensor {
    return C.detach(this);
  }
  detach_(): this {
    this.grad_fn = null;
    this._requires_grad = false;
    return this;
  }
  /** Registers a hook called with this tensor's gradient; it may return a replacement. */
  register_hook(hook: TensorHook): { remove(): void } {
    if (!this._requires_grad) throw new RuntimeError("cannot register a hook on a tensor that doesn't require gradient");
    const list = this.grad_fn ? (this.grad_fn._hooks ??= []) : (this._leaf_hooks ??= []);
    list.push(hook);
    return {
      remove: () => {
        const i = list.indexOf(hook);
        if (i >= 0) list.splice(i, 1);
      },
    };
  }

  // ---- conversion ----
  to(dtypeOrDevice: DType | Device | string, opts?: { dtype?: DType; copy?: boolean }): Tensor {
    return C.to(this, dtypeOrDevice, opts);
  }
  type(dtype: DType): Tensor {
    return C.cast(this, dtype);
  }
  float(): Tensor {
    return C.cast(this, float32);
  }
  double(): Tensor {
    return C.cast(this, float64);
  }
  int(): Tensor {
    return C.cast(this, int32);
  }
  long(): Tensor {
    return C.cast(this, int64);
  }
  byte(): Tensor {
    return C.cast(this, uint8);
  }
  bool(): Tensor {
    return C.cast(this, bool);
  }
  cpu(): Tensor {
    return this;
  }
  type_as(other: Tensor): Tensor {
    return C.cast(this, other.dtype);
  }
  /** New tensors with this tensor's dtype (and device) unless the options say otherwise. */
  new_zeros(size: readonly number[], opts?: { dtype?: DType; requires_grad?: boolean }): Tensor {
    return C.newFilled(this, size, 0, opts);
  }
  new_ones(size: readonly number[], opts?: { dtype?: DType; requires_grad?: boolean }): Tensor {
    return C.newFilled(this, size, 1, opts);
  }
  new_full(size: readonly number[], fill_value: number, opts?: { dtype?: DType; requires_grad?: boolean }): Tensor {
    return C.newFilled(this, size, fill_value, opts);
  }
  new_empty(size: readonly number[], opts?: { dtype?: DType; requires_grad?: boolean }): Tensor {
    return C.newFilled(this, size, 0, opts);
  }
  new_tensor(data: NestedList, opts?: { dtype?: DType; requires_grad?: boolean }): Tensor {
    return C.newTensor(this, data, opts);
  }
  clone(): Tensor {
    return C.clone(this);
  }
  contiguous(): Tensor {
    return V.contiguous(this);
  }

  // ---- elementwise ----
  add(other: TensorOrScalar, opts?: { alpha?: number }): Tensor {
    return E.add(this, other, opts);
  }
  sub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor {
    return E.sub(this, other, opts);
  }
  subtract(other: TensorOrScalar, opts?: { alpha?: number }): Tensor {
    return E.sub(this, other, opts);
  }
  rsub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor {
    return E.rsub(this, other, opts);
  }
  mul(other: TensorOrScalar): Tensor {
    return E.mul(this, other);
  }
  multiply(other: TensorOrScalar): Tensor {
    return E.mul(this, other);
  }
  div(other: TensorOrScalar, opts?: { rounding_mode?: "trunc" | "floor" | null }): Tensor {
    return E.div(this, other, opts);
  }
  divide(other: TensorOrScalar, opts?: { rounding_mode?: "trunc" | "floor" | null }): Tensor {
    return E.div(this, other, opts);
  }
  true_divide(other: TensorOrScalar): Tensor {
    return E.div(this, other);
  }
  pow(exponent: TensorOrScalar): Tensor {
    return E.pow(this, exponent);
  }
  remainder(other: TensorOrScalar): Tensor {
    return E.remainder(this, other);
  }
  fmod(other: TensorOrScalar): Tensor {
    return E.fmod(this, other);
  }
  floor_divide(other: TensorOrScalar): Tensor {
    return E.floor_divide(this, other);
  }
  atan2(other: Tensor): Tensor {
    return E.atan2(this, other);
  }
  maximum(other: Tensor): Tensor {
    return E.maximum(this, other);
  }
  minimum(other: Tensor): Tensor {
    return E.minimum(this, other);
  }
  neg(): Tensor {
    return E.neg(this);
  }
  negative(): Tensor {
    return E.neg(this);
  }
  exp(): Tensor {
    return E.exp(this);
  }
  log(): Tensor {
    return E.log(this);
  }
  log2(): Tensor {
    return E.log2(this);
  }
  log10(): Tensor {
    return E.log10(this);
  }
  sqrt(): Tensor {
    return E.sqrt(this);
  }
  rsqrt(): Tensor {
    return E.rsqrt(this);
  }
  abs(): Tensor {
    return E.abs(this);
  }
  sign(): Tensor {
    return E.sign(this);
  }
  square(): Tensor {
    return E.square(this);
  }
  square_(): this {
    return IP.inplace1(this, E.square);
  }
  sum_to_size(...size: (number | readonly number[])[]): Tensor {
    return sumToShape(this, V.flattenArgs(size));
  }
  reciprocal(): Tensor {
    return E.reciprocal(this);
  }
  sin(): Tensor {
    return E.sin(this);
  }
  cos(): Tensor {
    return E.cos(this);
  }
  log1p(): Tensor {
    return E.log1p(this);
  }
  expm1(): Tensor {
    return E.expm1(this);
  }
  erf(): Tensor {
    return E.erf(this);
  }
  floor(): Tensor {
    return E.floor(this);
  }
  ceil(): Tensor {
    return E.ceil(this);
  }
  round(): Tensor {
    return E.round(this);
  }
  trunc(): Tensor {
    return E.trunc(this);
  }
  clamp(min?: number | Tensor | null | { min?: number | Tensor | null; max?: number | Tensor | null }, max?: number | Tensor | null): Tensor {
    return E.clamp(this, min as number, max);
  }
  clip(min?: number | Tensor | null, max?: number | Tensor | null): Tensor {
    return E.clamp(this, min, max);
  }
  clamp_min(min: number): Tensor {
    return E.clamp(this, min, null);
  }
  clamp_max(max: number): Tensor {
    return E.clamp(this, null, max);
  }
  eq(other: TensorOrScalar): Tensor {
    return E.eq(this, other);
  }
  ne(other: TensorOrScalar): Tensor {
    return E.ne(this, other);
  }
  lt(other: TensorOrScalar): Tensor {
    return E.lt(this, other);
  }
  le(other: TensorOrScalar): Tensor {
    return E.le(this, other);
  }
  gt(other: TensorOrScalar): Tensor {
    return E.gt(this, other);
  }
  ge(other: TensorOrScalar): Tensor {
    return E.ge(this, other);
  }
  greater(other: TensorOrScalar): Tensor {
    return E.gt(this, other);
  }
  less(other: TensorOrScalar): Tensor {
    return E.lt(this, other);
  }
  equal(other: Tensor): boolean {
    return E.equal(this, other);
  }
  allclose(other: Tensor, opts?: { rtol?: number; atol?: number; equal_nan?: boolean }): boolean {
    return E.allclose(this, other, opts);
  }
  isclose(other: Tensor, opts?: { rtol?: number; atol?: number; equal_nan?: boolean }): Tensor {
    return E.isclose(this, other, opts);
  }
  logical_not(): Tensor {
    return E.logical_not(this);
  }
  logical_and(other: Tensor): Tensor {
    return E.logical_and(this, other);
  }
  logical_or(other: Tensor): Tensor {
    return E.logical_or(this, other);
  }
  logical_xor(other: Tensor): Tensor {
    return E.logical_xor(this, other);
  }
  isnan(): Tensor {
    return E.isnan(this);
  }
  isinf(): Tensor {
    return E.isinf(this);
  }
  isfinite(): Tensor {
    return E.isfinite(this);
  }
  where(condition: Tensor, other: TensorOrScalar): Tensor {
    return E.where(condition, this, other);
  }
  masked_fill(mask: Tensor, value: number | Tensor): Tensor {
    return E.masked_fill(this, mask, value);
  }
  lerp(end: Tensor, weight: TensorOrScalar): Tensor {
    return E.lerp(this, end, weight);
  }

  // ---- activations ----
  relu(): Tensor {
    return A.relu(this);
  }
  sigmoid(): Tensor {
    return A.sigmoid(this);
  }
  tanh(): Tensor {
    return A.tanh(this);
  }
  softmax(dim: number | { dim: number; dtype?: DType }, opts?: { dtype?: DType }): Tensor {
    return A.softmax(this, dim as number, opts);
  }
  log_softmax(dim: number | { dim: number; dtype?: DType }, opts?: { dtype?: DType }): Tensor {
    return A.log_softmax(this, dim as number, opts);
  }

  // ---- reductions ----
  sum(dim?: DimArg | (ReduceOptions & { dim?: DimArg }), opts?: ReduceOptions | boolean): Tensor {
    return R.sum(this, dim, opts);
  }
  mean(dim?: DimArg | (ReduceOptions & { dim?: DimArg }), opts?: ReduceOptions | boolean): Tensor {
    return R.mean(this, dim, opts);
  }
  prod(dim?: number | ReduceOptions, opts?: ReduceOptions): Tensor {
    return R.prod(this, dim, opts);
  }
  max(): Tensor;
  max(other: Tensor): Tensor;
  max(dim: number | { dim: number; keepdim?: boolean }, opts?: { keepdim?: boolean } | boolean): R.ValuesIndices;
  max(dim?: number | Tensor | { dim: number; keepdim?: boolean }, opts?: { keepdim?: boolean } | boolean): Tensor | R.ValuesIndices {
    return R.max(this, dim as number, opts);
  }
  min(): Tensor;
  min(other: Tensor): Tensor;
  min(dim: number | { dim: number; keepdim?: boolean }, opts?: { keepdim?: boolean } | boolean): R.ValuesIndices;
  min(dim?: number | Tensor | { dim: number; keepdim?: boolean }, opts?: { keepdim?: boolean } | boolean): Tensor | R.ValuesIndices {
    return R.min(this, dim as number, opts);
  }
  amax(dim?: DimArg | ReduceOptions, opts?: ReduceOptions): Tensor {
    return R.amax(this, dim, opts);
  }
  amin(dim?: DimArg | ReduceOptions, opts?: ReduceOptions): Tensor {
    return R.amin(this, dim, opts);
  }
  argmax(dim?: number | null | { dim?: number | null; keepdim?: boolean }, opts?: { keepdim?: boolean } | boolean): Tensor {
    return R.argmax(this, dim, opts);
  }
  argmin(dim?: number | null | { dim?: number | null; keepdim?: boolean }, opts?: { keepdim?: boolean } | boolean): Tensor {
    return R.argmin(this, dim, opts);
  }
  var(dim?: DimArg | R.VarOptions, opts?: R.VarOptions): Tensor {
    return R.var_(this, dim, opts);
  }
  std(dim?: DimArg | R.VarOptions, opts?: R.VarOptions): Tensor {
    return R.std(this, dim, opts);
  }
  logsumexp(dim: DimArg, opts?: { keepdim?: boolean } | boolean): Tensor {
    return R.logsumexp(this, dim, opts);
  }
  norm(p?: number | "fro", dim?: DimArg, opts?: { keepdim?: boolean }): Tensor {
    return R.norm(this, p, dim, opts);
  }
  all(dim?: number, opts?: { keepdim?: boolean }): Tensor {
    return R.all(this, dim, opts);
  }
  any(dim?: number, opts?: { keepdim?: boolean }): Tensor {
    return R.any(this, dim, opts);
  }

  // ---- linear algebra ----
  matmul(other: Tensor): Tensor {
    return MM.matmul(this, other);
  }
  mm(other: Tensor): Tensor {
    return MM.mm(this, other);
  }
  bmm(other: Tensor): Tensor {
    return MM.bmm(this, other);
  }
  mv(other: Tensor): Tensor {
    return MM.mv(this, other);
  }
  dot(other: Tensor): Tensor {
    return MM.dot(this, other);
  }
  outer(other: Tensor): Tensor {
    return MM.outer(this, other);
  }
  addmm(mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor {
    return MM.addmm(this, mat1, mat2, opts);
  }

  // ---- views and movement ----
  view(...shape: (number | readonly number[])[]): Tensor {
    return V.view(this, ...shape);
  }
  view_as(other: Tensor): Tensor {
    return V.view(this, other._shape);
  }
  reshape(...shape: (number | readonly number[])[]): Tensor {
    return V.reshape(this, ...shape);
  }
  reshape_as(other: Tensor): Tensor {
    return V.reshape(this, other._shape);
  }
  transpose(dim0: number, dim1: number): Tensor {
    return V.transpose(this, dim0, dim1);
  }
  swapaxes(dim0: number, dim1: number): Tensor {
    return V.transpose(this, dim0, dim1);
  }
  t(): Tensor {
    return V.t(this);
  }
  get T(): Tensor {
    return V.permute(this, this._shape.map((_, i) => this._shape.length - 1 - i));
  }
  get mT(): Tensor {
    return V.transpose(this, -2, -1);
  }
  permute(...dims: (number | readonly number[])[]): Tensor {
    return V.permute(this, V.flattenArgs(dims));
  }
  movedim(source: number, destination: number): Tensor {
    return V.movedim(this, source, destination);
  }
  squeeze(dim?: number): Tensor {
    return V.squeeze(this, dim);
  }
  unsqueeze(dim: number | { dim: number }): Tensor {
    return V.unsqueeze(this, dim as number);
  }
  flatten(start_dim: number | { start_dim?: number; end_dim?: number } = 0, end_dim = -1): Tensor {
    return V.flatten(this, start_dim as number, end_dim);
  }
  unflatten(dim: number, sizes: readonly number[]): Tensor {
    return V.unflatten(this, dim, sizes);
  }
  expand(...sizes: (number | readonly number[])[]): Tensor {
    return V.expand(this, V.flattenArgs(sizes));
  }
  expand_as(other: Tensor): Tensor {
    return V.expand(this, other._shape);
  }
  broadcast_to(shape: readonly number[]): Tensor {
    return V.expand(this, shape);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return V.narrow(this, dim, start, length);
  }
  select(dim: number, index: number): Tensor {
    return V.select(this, dim, index);
  }
  /** A strided slice along one dim (Python's x[start:end:step] on that dim). */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return V.slice(this, dim, start, end, step);
  }
  /** Python's x[...]: numbers, "a:b:c" slice strings, ":" , "...", null (new axis), index tensors. */
  getitem(...index: V.IndexItem[]): Tensor {
    return V.getitem(this, index);
  }
  /** Python's x[...] = value (in place). */
  setitem(index: V.IndexItem | V.IndexItem[], value: TensorOrScalar): this {
    IP.setitem(this, Array.isArray(index) ? index : [index], value);
    return this;
  }
  unbind(dim = 0): Tensor[] {
    return V.unbind(this, dim);
  }
  split(split_size_or_sections: number | readonly number[], dim = 0): Tensor[] {
    return I.split(this, split_size_or_sections, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return I.chunk(this, chunks, dim);
  }
  index_select(dim: number, index: Tensor): Tensor {
    return I.index_select(this, dim, index);
  }
  gather(dim: number, index: Tensor | { index: Tensor }): Tensor {
    return I.gather(this, dim, index as Tensor);
  }
  scatter_add(dim: number, index: Tensor, src: Tensor): Tensor {
    return I.scatter_add(this, dim, index, src);
  }
  scatter(dim: number, index: Tensor, src: Tensor | number): Tensor {
    return I.scatter(this, dim, index, src);
  }
  index_add(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor {
    return I.index_add(this, dim, index, source, opts);
  }
  masked_select(mask: Tensor): Tensor {
    return I.masked_select(this, mask);
  }
  repeat(...sizes: (number | readonly number[])[]): Tensor {
    return I.repeat(this, V.flattenArgs(sizes));
  }
  flip(dims: number | readonly number[]): Tensor {
    return I.flip(this, typeof dims === "number" ? [dims] : dims);
  }
  tril(diagonal = 0): Tensor {
    return I.tril(this, diagonal);
  }
  triu(diagonal = 0): Tensor {
    return I.triu(this, diagonal);
  }
  nonzero(): Tensor {
    return I.nonzero(this);
  }
  sort(dim = -1, opts?: { descending?: boolean }): R.ValuesIndices {
    return I.sort(this, dim, opts);
  }
  topk(k: number, dim = -1, opts?: { largest?: boolean; sorted?: boolean }): R.ValuesIndices {
    return I.topk(this, k, dim, opts);
  }

  // ---- in place ----
  add_(other: TensorOrScalar, opts?: { alpha?: number }): this {
    return IP.inplace(this, E.add, other, opts);
  }
  sub_(other: TensorOrScalar, opts?: { alpha?: number }): this {
    return IP.inplace(this, E.sub, other, opts);
  }
  mul_(other: TensorOrScalar): this {
    return IP.inplace(this, E.mul, other);
  }
  div_(other: TensorOrScalar, opts?: { rounding_mode?: "trunc" | "floor" | null }): this {
    return IP.inplace(this, E.div, other, opts);
  }
  pow_(exponent: TensorOrScalar): this {
    return IP.inplace(this, E.pow, exponent);
  }
  neg_(): this {
    return IP.inplace1(this, E.neg);
  }
  exp_(): this {
    return IP.inplace1(this, E.exp);
  }
  log_(): this {
    return IP.inplace1(this, E.log);
  }
  sqrt_(): this {
    return IP.inplace1(this, E.sqrt);
  }
  abs_(): this {
    return IP.inplace1(this, E.abs);
  }
  relu_(): this {
    return IP.inplace1(this, A.relu);
  }
  sigmoid_(): this {
    return IP.inplace1(this, A.sigmoid);
  }
  tanh_(): this {
    return IP.inplace1(this, A.tanh);
  }
  clamp_(min?: number | null, max?: number | null): this {
    return IP.inplace1(this, (t) => E.clamp(t, min, max));
  }
  clamp_min_(min: number): this {
    return IP.inplace1(this, (t) => E.clamp(t, min, null));
  }
  masked_fill_(mask: Tensor, value: number | Tensor): this {
    return IP.inplace1(this, (t) => E.masked_fill(t, mask, value));
  }
  addcmul_(tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): this {
    return IP.inplace1(this, (t) => E.addcmul(t, tensor1, tensor2, opts));
  }
  addcdiv_(tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): this {
    return IP.inplace1(this, (t) => E.addcdiv(t, tensor1, tensor2, opts));
  }
  lerp_(end: Tensor, weight: TensorOrScalar): this {
    return IP.inplace1(this, (t) => E.lerp(t, end, weight));
  }
  maximum_(other: Tensor): this {
    return IP.inplace1(this, (t) => E.maximum(t, other));
  }
  scatter_add_(dim: number, index: Tensor, src: Tensor): this {
    return IP.inplace1(this, (t) => I.scatter_add(t, dim, index, src));
  }
  index_add_(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): this {
    return IP.inplace1(this, (t) => I.index_add(t, dim, index, source, opts));
  }
  zero_(): this {
    return IP.fill_(this, 0);
  }
  fill_(value: number | boolean | Tensor): this {
    return IP.fill_(this, value);
  }
  copy_(src: Tensor): this {
    return IP.copy_(this, src);
  }
  uniform_(from = 0, to = 1, opts?: { generator?: import("./random.js").Generator }): this {
    return IP.uniform_(this, from, to, opts);
  }
  normal_(mean = 0, std = 1, opts?: { generator?: import("./random.js").Generator }): this {
    return IP.normal_(this, mean, std, opts);
  }
  bernoulli_(p = 0.5, opts?: { generator?: import("./random.js").Generator }): this {
    return IP.bernoulli_(this, p, opts);
  }
}

// Parameters PyTorch lets you name may be given in a trailing options object (x.clamp({ min: 0 })).
installMethodKwargs(Tensor);

/** Set by autograd/engine.ts (kept indirect so that tensor.ts does not import the engine eagerly). */
export const engineRef: {
  backward(tensors: Tensor[], grads: (Tensor | null)[] | null, opts: { retain_graph?: boolean; create_graph?: boolean; inputs?: Tensor[] }): void;
} = {
  backward() {
    throw new Error("autograd engine not loaded");
  },
};

/** True when the op producing a result from these inputs must record the graph. */
export function needsGrad(a: Tensor): boolean {
  return a._requires_grad && gradMode.enabled;
}
