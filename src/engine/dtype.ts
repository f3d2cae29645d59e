// Data types, as PyTorch names them, with PyTorch's type-promotion rules.
// Storage per dtype: float32 -> Float32Array, float64 -> Float64Array, int32 -> Int32Array,
// int64 -> Float64Array holding exact integers (|x| <= 2^53; JavaScript numbers are doubles),
// uint8 and bool -> Uint8Array (bool stores 0/1).

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
type ArrayCtor = { new (n: number): TypedArray; new (buf: ArrayBufferLike, off: number, len: number): TypedArray; readonly BYTES_PER_ELEMENT: number };

export type DTypeName = "float32" | "float64" | "int32" | "int64" | "uint8" | "bool";

export class DType {
  constructor(
    readonly name: DTypeName,
    /** Size in bytes of one element as PyTorch stores it (int64 is 8, even though it is held in a Float64Array). */
    readonly itemsize: number,
    readonly is_floating_point: boolean,
    /** The typed array class that holds this dtype's storage on the cpu device. */
    readonly array: ArrayCtor,
    /** Category for promotion: 0 bool, 1 integer, 2 floating. */
    readonly category: 0 | 1 | 2,
    /** Rank within the category (wider wins). */
    readonly rank: number,
    /** PyTorch's legacy tensor type name, used in error messages (torch.FloatTensor ...). */
    readonly legacyName: string,
  ) {}
  get is_signed(): boolean {
    return this.name !== "bool" && this.name !== "uint8";
  }
  toString(): string {
    return `torch.${this.name}`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

export const float32 = new DType("float32", 4, true, Float32Array, 2, 1, "FloatTensor");
export const float64 = new DType("float64", 8, true, Float64Array, 2, 2, "DoubleTensor");
export const int32 = new DType("int32", 4, false, Int32Array, 1, 2, "IntTensor");
export const int64 = new DType("int64", 8, false, Float64Array, 1, 3, "LongTensor");
export const uint8 = new DType("uint8", 1, false, Uint8Array, 1, 1, "ByteTensor");
export const bool = new DType("bool", 1, false, Uint8Array, 0, 0, "BoolTensor");

// PyTorch's aliases.
export const float = float32;
export const double = float64;
export const int = int32;
export const long = int64;

export const ALL_DTYPES: readonly DType[] = [float32, float64, int32, int64, uint8, bool];

let defaultDtype: DType = float32;

/** torch.get_default_dtype(): the dtype of floating tensors created from JavaScript numbers. */
export function get_default_dtype(): DType {
  return defaultDtype;
}

/** torch.set_default_dtype(d): only floating dtypes are allowed, as in PyTorch. */
export function set_default_dtype(d: DType): void {
  if (!d.is_floating_point) throw new TypeError("only floating-point types are supported as the default type");
  defaultDtype = d;
}

export function dtypeFromName(name: string): DType {
  const n = name.startsWith("torch.") ? name.slice(6) : name;
  for (const d of ALL_DTYPES) if (d.name === n) return d;
  if (n === "float") return float32;
  if (n === "double") return float64;
  if (n === "long") return int64;
  if (n === "int") return int32;
  throw new TypeError(`unknown dtype "${name}"`);
}

/** torch.promote_types(a, b). */
export function promote_types(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a.category !== b.category) return a.category > b.category ? a : b;
  // uint8 with a signed integer promotes to the signed one when wider (int32/int64 both are).
  return a.rank >= b.rank ? a : b;
}

/**
 * Result dtype of an op between a tensor and a JavaScript number ("wrapped number" in PyTorch: it only
 * moves the result to a higher category, never widens within one).
 */
export function promoteWithScalar(d: DType, s: number | boolean): DType {
  if (typeof s === "boolean") return d;
  if (Number.isInteger(s)) return d.category === 0 ? int64 : d;
  return d.is_floating_point ? d : defaultDtype;
}

/** Category of a JavaScript scalar, as PyTorch's result_type sees it. */
export function scalarDtype(s: number | boolean): DType {
  if (typeof s === "boolean") return bool;
  return Number.isInteger(s) ? int64 : defaultDtype;
}

export function can_cast(from: DType, to: DType): boolean {
  return from.category <= to.category;
}
