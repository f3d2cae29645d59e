// A data set in memory: row-major typed arrays with their shapes, as the trainer consumes them.
export type DType = "float32" | "float64" | "int32" | "int64";
export type TypedData = Float32Array | Float64Array | Int32Array | BigInt64Array;

export interface ArrayTensor {
  dtype: DType;
  shape: number[];
  data: TypedData;
}

export interface DatasetArrays {
  x: ArrayTensor;
  y: ArrayTensor;
  x_test?: ArrayTensor;
  y_test?: ArrayTensor;
}

export const TENSOR_NAMES = ["x", "y", "x_test", "y_test"] as const;
export type TensorName = (typeof TENSOR_NAMES)[number];

/** What the API shows about a data set's tensors; integer label tensors also give their smallest and largest value. */
export interface TensorInfo {
  dtype: DType;
  shape: number[];
  min?: number;
  max?: number;
}
export type TensorShapes = Partial<Record<TensorName, TensorInfo>>;

export function shapesOf(arrays: DatasetArrays): TensorShapes {
  const out: TensorShapes = {};
  for (const name of TENSOR_NAMES) {
    const t = arrays[name];
    if (t) out[name] = { dtype: t.dtype, shape: t.shape, ...(name.startsWith("y") ? valueRange(t) : {}) };
  }
  return out;
}

/** Smallest and largest value of an integer tensor (class labels), so that a job's labels can be checked against its model at submission. */
export function valueRange(t: ArrayTensor): { min: number; max: number } | Record<string, never> {
  if (t.dtype !== "int64" && t.dtype !== "int32") return {};
  const range = new IntegerRange();
  range.add(t.data as BigInt64Array | Int32Array);
  return range.result();
}

/** Running min/max over integer values arriving in pieces (uploads stream). */
export class IntegerRange {
  private min: bigint | number = Infinity;
  private max: bigint | number = -Infinity;
  add(values: BigInt64Array | Int32Array): void {
    for (const v of values) {
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
    }
  }
  /** Empty when nothing was added; values past 2^53 are clamped to the nearest safe integer. */
  result(): { min: number; max: number } | Record<string, never> {
    if (this.min === Infinity) return {};
    const clamp = (v: bigint | number) => Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Number(v)));
    return { min: clamp(this.min), max: clamp(this.max) };
  }
}

export function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export class DatasetShapeError extends Error {}

/** A data set needs x (float) and y with as many rows, and optionally x_test and y_test together. */
export function checkDatasetShapes(shapes: Record<string, TensorInfo>): TensorShapes {
  for (const name of Object.keys(shapes)) {
    if (!(TENSOR_NAMES as readonly string[]).includes(name)) throw new DatasetShapeError(`unexpected tensor "${name}": a data set holds x, y and optionally x_test, y_test`);
  }
  const pair = (xName: TensorName, yName: TensorName) => {
    const x = shapes[xName];
    const y = shapes[yName];
    if (!x || !y) throw new DatasetShapeError(`tensors "${xName}" and "${yName}" must both be present`);
    if (x.dtype !== "float32" && x.dtype !== "float64") throw new DatasetShapeError(`"${xName}" must be F32 or F64, not ${x.dtype}`);
    if (x.shape.length < 1 || y.shape.length < 1 || x.shape[0] !== y.shape[0])
      throw new DatasetShapeError(`"${xName}" and "${yName}" must have the same first dimension (rows), got [${x.shape}] and [${y.shape}]`);
    if (x.shape[0] === 0) throw new DatasetShapeError(`"${xName}" has no rows`);
    for (const [name, t] of [[xName, x], [yName, y]] as const) {
      if (t.shape.slice(1).some((d) => d === 0)) throw new DatasetShapeError(`"${name}" has an empty dimension: [${t.shape}]`);
    }
  };
  pair("x", "y");
  if (shapes.x_test || shapes.y_test) pair("x_test", "y_test");
  return shapes as TensorShapes;
}
