// Helpers every op uses: allocating results, recording graph nodes, undoing broadcasting in gradients.
import { AccumulateGrad, type BackwardFormula, type Node, OpNode } from "../autograd/node.js";
import { cpuAllocator, kernels } from "../backend/dispatcher.js";
import { type DType, type TypedArray, bool, float32, int64 } from "../dtype.js";
import { gradMode } from "../grad_mode.js";
import { contiguousStrides, shapesEqual } from "../shape.js";
import { Tensor } from "../tensor.js";
import { sumDims } from "./reduce.js";
import { reshapeTo } from "./view.js";

/** Allocates storage for `n` elements of dtype, contents unspecified (all op results come from here). */
export function allocate(dtype: DType, n: number): TypedArray {
  return cpuAllocator.allocate(dtype, n);
}

/** A new contiguous tensor of `shape` whose contents the caller fully writes (not necessarily zeroed). */
export function emptyTensor(shape: number[], dtype: DType): Tensor {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return new Tensor(allocate(dtype, n), shape, contiguousStrides(shape), 0, dtype);
}

/** A new contiguous tensor of `shape`, zero-filled. */
export function zerosTensor(shape: number[], dtype: DType): Tensor {
  const t = emptyTensor(shape, dtype);
  if (!cpuAllocator.zeroed) t._data.fill(0);
  return t;
}

/** Wraps an existing contiguous typed array as a tensor (no copy). */
export function fromData(data: TypedArray, shape: number[], dtype: DType): Tensor {
  return new Tensor(data, shape, contiguousStrides(shape), 0, dtype);
}

/** The node that receives gradients for `t` (its grad_fn, or its leaf accumulator), or null. */
export function edgeOf(t: Tensor): Node | null {
  if (!t._requires_grad) return null;
  return t.grad_fn ?? (t._accumulator ??= new AccumulateGrad(t));
}

/** Output metadata the engine checks incoming gradients against. */
export interface NodeMeta {
  _outShape?: readonly number[];
  _outDtype?: DType;
}

/**
 * Records `out` as the result of a differentiable op: creates its node with the formula, saved tensors
 * and args, with one edge per input.
 */
export function record<A>(out: Tensor, formula: BackwardFormula<A>, inputs: Tensor[], saved: (Tensor | null)[] | null, args: A): Tensor {
  const node = new OpNode(formula, saved, args);
  if (saved) node._outputIndex = saved.indexOf(out);
  const next = new Array<Node | null>(inputs.length);
  for (let i = 0; i < inputs.length; i++) next[i] = edgeOf(inputs[i]);
  node._next = next;
  (node as NodeMeta)._outShape = out._shape;
  (node as NodeMeta)._outDtype = out.dtype;
  out.grad_fn = node;
  out._requires_grad = true;
  return out;
}

export function anyRequiresGrad(inputs: readonly Tensor[]): boolean {
  if (!gradMode.enabled) return false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i]._requires_grad) return true;
  return false;
}

export function needs2(a: Tensor, b: Tensor): boolean {
  return gradMode.enabled && (a._requires_grad || b._requires_grad);
}

/** Sums a gradient over broadcast dims so that it has `shape` again (broadcasting undone). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g._shape, shape)) return g;
  const lead = g._shape.length - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g._shape.length; i++) {
    if (i < lead) dims.push(i);
    else if (shape[i - lead] === 1 && g._shape[i] !== 1) dims.push(i);
  }
  let r = dims.length ? reduceSumRaw(g, dims) : g;
  // reduceSumRaw drops the reduced dims; view back to the target shape (same element order).
  if (!shapesEqual(r._shape, shape)) r = viewRaw(r, shape);
  return r;
}

function reduceSumRaw(t: Tensor, dims: number[]): Tensor {
  return sumDims(t, dims);
}
function viewRaw(t: Tensor, shape: readonly number[]): Tensor {
  return reshapeTo(t, shape as number[]);
}

/** A JavaScript number or boolean as a 0-d tensor of dtype. */
export function scalarTensor(v: number | boolean, dtype: DType): Tensor {
  const data = allocate(dtype, 1);
  data[0] = typeof v === "boolean" ? (v ? 1 : 0) : v;
  return new Tensor(data, [], [], 0, dtype);
}

/** Makes a contiguous copy (or returns t when it already is contiguous with offset 0 and exact size). */
export function contiguousData(t: Tensor): TypedArray {
  const n = t.numel();
  if (t._offset === 0 && t._data.length === n && isContig(t)) return t._data;
  const out = allocate(t.dtype, n);
  kernels.copy(t._shape, out, contiguousStrides(t._shape), 0, t._data, t._strides, t._offset);
  return out;
}

export function isContig(t: Tensor): boolean {
  const shape = t._shape;
  const strides = t._strides;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

export const defaults = { bool, int64, float32 };

/**
 * Gives the node that produced `out` PyTorch's name for an op composed of several (var is a DivBackward0
 * underneath, PyTorch prints VarBackward0). Leaves `out` alone when it is one of the op's inputs.
 */
export function named(out: Tensor, name: string, ...inputs: Tensor[]): Tensor {
  const node = out.grad_fn as unknown as { formula?: BackwardFormula<unknown> } | null;
  if (node?.formula && !inputs.includes(out)) node.formula = { name, backward: node.formula.backward };
  return out;
}
