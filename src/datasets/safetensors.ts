// The safetensors container, for data sets: an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}, then the tensors'
// bytes, row-major and little-endian, offsets relative to the end of the header.
import type { ArrayTensor, DType, TypedData } from "./arrays.js";
import { numel } from "./arrays.js";

const CODE_OF: Record<DType, string> = { float32: "F32", float64: "F64", int32: "I32", int64: "I64" };
const DTYPE_OF: Record<string, DType> = { F32: "float32", F64: "float64", I32: "int32", I64: "int64" };
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, int64: 8 };
/** Largest header accepted; real headers are a few hundred bytes. */
export const MAX_HEADER_BYTES = 1024 * 1024;
/** Most dimensions a tensor may have. */
const MAX_RANK = 8;

export interface HeaderEntry {
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

export class SafetensorsError extends Error {}

/**
 * Reads and checks the header: known dtypes, sizes that match shapes, offsets that tile the data
 * without gaps or overlaps. Returns the entries and how many data bytes must follow the header.
 */
export function parseHeader(headerJson: string): { entries: Map<string, HeaderEntry>; dataBytes: number } {
  let raw: unknown;
  try {
    raw = JSON.parse(headerJson);
  } catch (err) {
    throw new SafetensorsError(`safetensors header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new SafetensorsError("safetensors header must be a JSON object");
  const duplicate = firstDuplicateKey(headerJson);
  if (duplicate !== undefined) throw new SafetensorsError(`safetensors header names tensor "${duplicate}" twice`);
  const entries = new Map<string, HeaderEntry>();
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.values(value).every((v) => typeof v === "string"))
        throw new SafetensorsError("safetensors __metadata__ must be an object of strings");
      continue;
    }
    const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = typeof v?.dtype === "string" ? DTYPE_OF[v.dtype] : undefined;
    if (!dtype) throw new SafetensorsError(`tensor "${name}": dtype ${JSON.stringify(v?.dtype)} is not one of F32, F64, I32, I64`);
    if (!Array.isArray(v.shape) || v.shape.length > MAX_RANK || !v.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new SafetensorsError(`tensor "${name}": shape must be a list of at most ${MAX_RANK} non-negative integers, got ${JSON.stringify(v.shape)?.slice(0, 80)}`);
    const offsets = v.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1])
      throw new SafetensorsError(`tensor "${name}": data_offsets must be [begin, end] with 0 <= begin <= end`);
    const shape = v.shape as number[];
    const expected = numel(shape) * BYTES[dtype];
    if (offsets[1] - offsets[0] !== expected) throw new SafetensorsError(`tensor "${name}": ${offsets[1] - offsets[0]} bytes for shape [${shape}] of ${v.dtype} (needs ${expected})`);
    entries.set(name, { dtype, shape, begin: offsets[0], end: offsets[1] });
  }
  const sorted = [...entries.entries()].sort((a, b) => a[1].begin - b[1].begin);
  let cursor = 0;
  for (const [name, e] of sorted) {
    if (e.begin !== cursor) throw new SafetensorsError(e.begin < cursor ? `tensor "${name}" overlaps the previous tensor` : `gap before tensor "${name}" at byte ${cursor}`);
    cursor = e.end;
  }
  return { entries, dataBytes: cursor };
}

/**
 * The first key that occurs twice at the top level of a JSON object text (JSON.parse would keep the
 * last silently). The text is known to parse, so only strings and nesting need following.
 */
function firstDuplicateKey(json: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === "\\" ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(json.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === "{" || c === "[") {
      depth++;
      expectKey = depth === 1 && c === "{";
    } else if (c === "}" || c === "]") {
      depth--;
    } else if (c === "," && depth === 1) {
      expectKey = true;
    }
  }
  return undefined;
}

/** The header's bytes as text; they must be UTF-8. */
export function headerText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new SafetensorsError("safetensors header is not valid UTF-8");
  }
}

/** Header length from the first 8 bytes, checked against the limit. */
export function headerLength(prefix: Uint8Array): number {
  const n = Buffer.from(prefix.buffer, prefix.byteOffset, 8).readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new SafetensorsError(`safetensors header length ${n} is over the ${MAX_HEADER_BYTES}-byte limit`);
  return Number(n);
}

/** Decodes a whole file held in memory. */
export function decode(file: Uint8Array): Map<string, ArrayTensor> {
  if (file.byteLength < 8) throw new SafetensorsError("file is shorter than the 8-byte header length");
  const n = headerLength(file);
  if (8 + n > file.byteLength) throw new SafetensorsError(`header length ${n} runs past the end of the ${file.byteLength}-byte file`);
  const header = headerText(file.subarray(8, 8 + n));
  const base = 8 + n;
  const { entries, dataBytes } = parseHeader(header);
  if (dataBytes !== file.byteLength - base) throw new SafetensorsError(`tensors cover ${dataBytes} bytes but the file holds ${file.byteLength - base} bytes of data`);
  const out = new Map<string, ArrayTensor>();
  for (const [name, e] of entries) {
    // Copy (new Uint8Array of a view copies; Buffer#slice would not): offsets need not be aligned for a typed-array view.
    const bytes = new Uint8Array(file.subarray(base + e.begin, base + e.end));
    out.set(name, { dtype: e.dtype, shape: e.shape, data: view(e.dtype, bytes.buffer) });
  }
  return out;
}

function view(dtype: DType, buffer: ArrayBuffer): TypedData {
  switch (dtype) {
    case "float32": return new Float32Array(buffer);
    case "float64": return new Float64Array(buffer);
    case "int32": return new Int32Array(buffer);
    case "int64": return new BigInt64Array(buffer);
  }
}

/** Encodes tensors (in the given order) into one safetensors file. */
export function encode(tensors: [string, ArrayTensor][], metadata?: Record<string, string>): Buffer {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: CODE_OF[t.dtype], shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // data starts 8-byte aligned
  const headerBytes = Buffer.from(json, "utf8");
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.length;
  for (const [, t] of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
