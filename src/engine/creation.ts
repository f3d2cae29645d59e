// Creation functions: tensor, from (no copy), zeros/ones/full/empty/eye/arange/linspace, the random
// ones (rand, randn, randint, randperm, normal, bernoulli) and their *_like forms.
import { device as toDevice, type Device } from "./device.js";
import { type DType, type TypedArray, bool, float32, float64, get_default_dtype, int32, int64, uint8 } from "./dtype.js";
import { RuntimeError, ValueError } from "./errors.js";
import { contiguousData, emptyTensor, fromData } from "./ops/common.js";
import { castRaw } from "./ops/copy.js";
import { default_generator, fillNormal, fillUniform, type Generator, permutation, randomInt } from "./random.js";
import { checkShape, contiguousStrides } from "./shape.js";
import { type NestedList, Tensor } from "./tensor.js";

export interface TensorOptions {
  dtype?: DType | null;
  device?: string | Device;
  requires_grad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

type SizeArgs<O> = (number | readonly number[] | O | undefined)[];

/** Splits PyTorch-style size arguments: (2, 3), ([2, 3]), (2, 3, opts), ([2, 3], opts). */
export function parseSize<O extends object>(args: SizeArgs<O>): [number[], O] {
  let opts = {} as O;
  let list = args;
  const last = list[list.length - 1];
  if (last !== undefined && typeof last === "object" && !Array.isArray(last)) {
    opts = last as O;
    list = list.slice(0, -1);
  }
  list = list.filter((a) => a !== undefined);
  let shape: number[];
  if (list.length === 1 && Array.isArray(list[0])) shape = (list[0] as number[]).slice();
  else shape = list as number[];
  for (const d of shape) if (typeof d !== "number") throw new TypeError(`size must be a list of integers, got ${JSON.stringify(shape)}`);
  return [checkShape(shape), opts];
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.device !== undefined) toDevice(opts.device);
  if (opts.requires_grad) t.requires_grad_(true);
  return t;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function checkInt64(v: number): void {
  if (v > MAX_SAFE + 1 || v < -MAX_SAFE - 1)
    throw new RuntimeError(`value ${v} cannot be held exactly as int64 in JavaScript (|x| must be <= 2^53)`);
}

function dtypeOfTypedArray(a: ArrayBufferView): DType {
  if (a instanceof Float32Array) return float32;
  if (a instanceof Float64Array) return float64;
  if (a instanceof Int32Array) return int32;
  if (a instanceof Uint8Array) return uint8;
  if (a instanceof BigInt64Array) return int64;
  throw new TypeError(`unsupported typed array ${a.constructor.name}`);
}

/**
 * torch.tensor(data, { dtype, requires_grad }). Nested arrays of numbers infer int64 when every value
 * is an integer (JavaScript cannot tell 1.0 from 1, so pass dtype for float data that happens to be
 * integral; requires_grad: true implies the default float dtype), float32 otherwise, bool for booleans.
 * Typed arrays keep their dtype. Always copies.
 */
export function tensor(data: NestedList | TypedArray | BigInt64Array | Tensor | readonly (NestedList | TypedArray)[], opts: TensorOptions = {}): Tensor {
  if (data instanceof Tensor) {
    const t = castRaw(data.detach(), opts.dtype ?? data.dtype);
    return finish(t === data ? castRaw(data, data.dtype) : t, opts);
  }
  if (ArrayBuffer.isView(data)) {
    const src = data as TypedArray | BigInt64Array;
    const srcDtype = dtypeOfTypedArray(src);
    const dtype = opts.dtype ?? srcDtype;
    let values: TypedArray;
    if (src instanceof BigInt64Array) {
      values = new Float64Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = Number(src[i]);
        checkInt64(v);
        values[i] = v;
      }
    } else values = (src as TypedArray).slice();
    const t = fromData(values, [src.length], srcDtype);
    return finish(dtype === srcDtype ? t : castRaw(t, dtype), opts);
  }
  const shape: number[] = [];
  let probe: unknown = data;
  // Rows may be nested arrays or typed arrays (a list of Float32Array rows, say).
  const isList = (x: unknown): x is ArrayLike<unknown> => Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
  while (isList(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const flat: number[] = [];
  let sawFloat = false;
  let sawBool = false;
  let sawNumber = false;
  const walk = (x: unknown, dim: number) => {
    if (dim === shape.length) {
      if (isList(x)) throw new ValueError(`expected sequence of length ${shape[dim - 1]} at dim ${dim - 1} (got ${x.length})`);
      if (typeof x === "boolean") {
        sawBool = true;
        flat.push(x ? 1 : 0);
      } else if (typeof x === "number") {
        sawNumber = true;
        if (!Number.isInteger(x)) sawFloat = true;
        flat.push(x);
      } else if (x instanceof Tensor && x.numel() === 1) {
        sawNumber = true;
        if (x.dtype.is_floating_point) sawFloat = true;
        flat.push(x.item());
      } else throw new TypeError(`Could not infer dtype of ${x === null ? "None" : typeof x}`);
      return;
    }
    if (!isList(x)) throw new ValueError(`expected sequence of length ${shape[dim]} at dim ${dim} (got scalar)`);
    if (x.length !== shape[dim]) throw new ValueError(`expected sequence of length ${shape[dim]} at dim ${dim} (got ${x.length})`);
    if (x instanceof Float32Array || x instanceof Float64Array) sawFloat = true;
    for (let i = 0; i < x.length; i++) walk(x[i], dim + 1);
  };
  walk(data, 0);
  let dtype = opts.dtype ?? null;
  if (!dtype) {
    if (sawFloat || (flat.length === 0 && !sawBool)) dtype = get_default_dtype();
    else if (sawBool && !sawNumber) dtype = bool;
    else dtype = opts.requires_grad ? get_default_dtype() : int64;
  }
  if (dtype === int64) for (const v of flat) checkInt64(v);
  const arr = new dtype.array(flat.length);
  if (dtype === bool) for (let i = 0; i < flat.length; i++) arr[i] = flat[i] ? 1 : 0;
  else if (dtype === int64) for (let i = 0; i < flat.length; i++) arr[i] = Math.trunc(flat[i]);
  else arr.set(flat);
  return finish(fromData(arr, shape, dtype), opts);
}

/** torch.as_tensor / torch.from_numpy analogue: wraps a typed array without copying. */
export function from(data: TypedArray | BigInt64Array, shapeOrOpts?: readonly number[] | TensorOptions, maybeOpts: TensorOptions = {}): Tensor {
  const shape = Array.isArray(shapeOrOpts) ? (shapeOrOpts as number[]).slice() : [data.length];
  const opts = Array.isArray(shapeOrOpts) ? maybeOpts : ((shapeOrOpts as TensorOptions | undefined) ?? {});
  let n = 1;
  for (const d of shape) n *= d;
  if (n !== data.length) throw new RuntimeError(`shape '[${shape.join(", ")}]' is invalid for input of size ${data.length}`);
  if (data instanceof BigInt64Array) return finish(tensor(data, opts).reshape(shape), opts);
  const own = dtypeOfTypedArray(data);
  const t = new Tensor(data as TypedArray, checkShape(shape), contiguousStrides(shape), 0, own);
  const dtype = opts.dtype ?? own;
  return finish(dtype === own ? t : castRaw(t, dtype), opts);
}

export const as_tensor = (data: TypedArray | NestedList, opts: TensorOptions = {}): Tensor =>
  ArrayBuffer.isView(data) ? from(data as TypedArray, opts) : tensor(data as NestedList, opts);

function filled(shape: number[], value: number, opts: TensorOptions, fallback?: DType): Tensor {
  const dtype = opts.dtype ?? fallback ?? get_default_dtype();
  const t = emptyTensor(shape, dtype);
  t._data.fill(dtype === bool ? (value ? 1 : 0) : value);
  return finish(t, opts);
}

export function zeros(...args: SizeArgs<TensorOptions>): Tensor {
  const [shape, opts] = parseSize<TensorOptions>(args);
  return filled(shape, 0, opts);
}
export function ones(...args: SizeArgs<TensorOptions>): Tensor {
  const [shape, opts] = parseSize<TensorOptions>(args);
  return filled(shape, 1, opts);
}
/** torch.empty: zero-filled here (typed arrays are always initialised). */
export function empty(...args: SizeArgs<TensorOptions>): Tensor {
  const [shape, opts] = parseSize<TensorOptions>(args);
  return filled(shape, 0, opts);
}
export function full(size: readonly number[], fill_value: number | boolean, opts: TensorOptions = {}): Tensor {
  const v = typeof fill_value === "boolean" ? (fill_value ? 1 : 0) : fill_value;
  const inferred = typeof fill_value === "boolean" ? bool : Number.isInteger(fill_value) ? int64 : get_default_dtype();
  return filled(checkShape(size), v, opts, inferred);
}

export function eye(n: number, m?: number | TensorOptions, opts: TensorOptions = {}): Tensor {
  const cols = typeof m === "number" ? m : n;
  const o = typeof m === "object" ? m : opts;
  const t = filled(checkShape([n, cols]), 0, {}, o.dtype ?? undefined);
  for (let i = 0; i < Math.min(n, cols); i++) t._data[i * cols + i] = 1;
  return finish(t, o);
}

/** torch.arange(end) / (start, end) / (start, end, step), with an options object last. */
export function arange(...args: (number | TensorOptions)[]): Tensor {
  let opts: TensorOptions = {};
  if (args.length && typeof args[args.length - 1] === "object") opts = args.pop() as TensorOptions;
  const nums = args as number[];
  let start = 0;
  let end: number;
  let step = 1;
  if (nums.length === 1) end = nums[0];
  else if (nums.length === 2) [start, end] = nums;
  else if (nums.length === 3) [start, end, step] = nums;
  else throw new TypeError("arange() takes 1 to 3 positional arguments");
  if (step === 0) throw new RuntimeError("step must be nonzero");
  if ((step > 0 && end < start) || (step < 0 && end > start))
    throw new RuntimeError("upper bound and larger bound inconsistent with step sign");
  const allInt = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dtype = opts.dtype ?? (allInt ? int64 : get_default_dtype());
  const n = Math.ceil((end - start) / step);
  const t = emptyTensor([n], dtype);
  for (let i = 0; i < n; i++) t._data[i] = start + i * step;
  return finish(t, opts);
}

export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  if (steps < 0) throw new RuntimeError("number of steps must be non-negative");
  const dtype = opts.dtype ?? get_default_dtype();
  const t = emptyTensor([steps], dtype);
  if (steps === 1) t._data[0] = start;
  else if (steps > 1) {
    const step = (end - start) / (steps - 1);
    const half = Math.floor(steps / 2);
    // Symmetric fill from both ends, as PyTorch, so that the last value is exactly `end`.
    for (let i = 0; i < steps; i++) t._data[i] = i < half ? start + step * i : end - step * (steps - i - 1);
  }
  return finish(t, opts);
}

function likeOpts(t: Tensor, opts?: TensorOptions): TensorOptions {
  return { ...opts, dtype: opts?.dtype ?? t.dtype };
}
export const zeros_like = (t: Tensor, opts?: TensorOptions): Tensor => zeros(t._shape, likeOpts(t, opts));
export const ones_like = (t: Tensor, opts?: TensorOptions): Tensor => ones(t._shape, likeOpts(t, opts));
export const empty_like = (t: Tensor, opts?: TensorOptions): Tensor => empty(t._shape, likeOpts(t, opts));
export const full_like = (t: Tensor, fill_value: number | boolean, opts?: TensorOptions): Tensor => full(t._shape, fill_value, likeOpts(t, opts));

// ---------------------------------------------------------------- random

function floatDtype(opts: TensorOptions, name: string): DType {
  const d = opts.dtype ?? get_default_dtype();
  if (!d.is_floating_point) throw new RuntimeError(`"${name}" not implemented for '${d.name === "int64" ? "Long" : d.name}'`);
  return d;
}

export function rand(...args: SizeArgs<RandomOptions>): Tensor {
  const [shape, opts] = parseSize<RandomOptions>(args);
  const t = emptyTensor(shape, floatDtype(opts, "check_uniform_bounds"));
  fillUniform(t._data as Float32Array, 0, 1, opts.generator ?? default_generator);
  return finish(t, opts);
}

export function randn(...args: SizeArgs<RandomOptions>): Tensor {
  const [shape, opts] = parseSize<RandomOptions>(args);
  const t = emptyTensor(shape, floatDtype(opts, "normal_kernel_cpu"));
  fillNormal(t._data as Float32Array, 0, 1, opts.generator ?? default_generator);
  return finish(t, opts);
}

/** torch.randint(high, size) or (low, high, size), options last; int64 by default. */
export function randint(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  let opts: RandomOptions = {};
  if (args.length && typeof args[args.length - 1] === "object" && !Array.isArray(args[args.length - 1])) opts = args.pop() as RandomOptions;
  let low = 0;
  let high: number;
  let size: readonly number[];
  if (args.length === 2) [high, size] = args as [number, number[]];
  else if (args.length === 3) [low, high, size] = args as [number, number, number[]];
  else throw new TypeError("randint() expects (high, size) or (low, high, size)");
  if (low >= high) throw new RuntimeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const t = emptyTensor(checkShape(size), opts.dtype ?? int64);
  const gen = opts.generator ?? default_generator;
  for (let i = 0; i < t._data.length; i++) t._data[i] = randomInt(low, high, gen);
  return finish(t, opts);
}

export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  const p = permutation(n, opts.generator ?? default_generator);
  const t = fromData(p, [n], int64);
  return finish(opts.dtype && opts.dtype !== int64 ? castRaw(t, opts.dtype) : t, opts);
}

export const rand_like = (t: Tensor, opts?: RandomOptions): Tensor => rand(t._shape, likeOpts(t, opts));
export const randn_like = (t: Tensor, opts?: RandomOptions): Tensor => randn(t._shape, likeOpts(t, opts));

/** torch.normal(mean, std, size) with scalar mean and std. */
export function normal(mean: number, std: number, size: readonly number[], opts: RandomOptions = {}): Tensor {
  const t = emptyTensor(checkShape(size), floatDtype(opts, "normal"));
  fillNormal(t._data as Float32Array, mean, std, opts.generator ?? default_generator);
  return finish(t, opts);
}

/** torch.bernoulli(p): 1 with probability p (elementwise), from the seeded generator. */
export function bernoulli(p: Tensor, opts: { generator?: Generator } = {}): Tensor {
  const probs = contiguousData(p);
  const out = emptyTensor(p._shape.slice(), p.dtype);
  const u = new Float64Array(probs.length);
  fillUniform(u, 0, 1, opts.generator ?? default_generator);
  for (let i = 0; i < u.length; i++) out._data[i] = u[i] < probs[i] ? 1 : 0;
  return out;
}

/** torch.multinomial(probs, num_samples, replacement) for 1-D or 2-D probability rows. */
export function multinomial(probs: Tensor, num_samples: number, replacement = false, opts: { generator?: Generator } = {}): Tensor {
  const rows = probs.ndim === 1 ? 1 : probs._shape[0];
  const k = probs._shape[probs.ndim - 1];
  if (!replacement && num_samples > k) throw new RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  const data = contiguousData(probs);
  const out = new Float64Array(rows * num_samples);
  const gen = opts.generator ?? default_generator;
  for (let r = 0; r < rows; r++) {
    const w = Array.from(data.subarray(r * k, (r + 1) * k));
    for (let s = 0; s < num_samples; s++) {
      const total = w.reduce((a, b) => a + b, 0);
      let u = gen.uniform53() * total;
      let pick = 0;
      while (pick < k - 1 && u >= w[pick]) u -= w[pick++];
      out[r * num_samples + s] = pick;
      if (!replacement) w[pick] = 0;
    }
  }
  return fromData(out, probs.ndim === 1 ? [num_samples] : [rows, num_samples], int64);
}
