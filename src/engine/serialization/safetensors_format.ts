// The safetensors container format, at the byte level (no Tensor here, so that it can be tested alone):
//   [8 bytes: header length N, u64 little-endian][N bytes: JSON header, padded with spaces][data]
// The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] } (offsets relative to
// the start of the data section) plus an optional "__metadata__" map of string to string.
// Data is row-major, little-endian. The writer yields chunks so a caller can stream a file out without
// building one big buffer; the reader validates everything before touching the data.

export type SafetensorsDtype = "F64" | "F32" | "I64" | "I32" | "BOOL" | "F16" | "BF16" | "I16" | "I8" | "U8";

export const DTYPE_SIZES: Record<SafetensorsDtype, number> = {
  F64: 8, F32: 4, I64: 8, I32: 4, BOOL: 1, F16: 2, BF16: 2, I16: 2, I8: 1, U8: 1,
};

export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Exactly numel * itemsize bytes, little-endian, row-major. */
  data: Uint8Array;
}

export interface HeaderEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  data_offsets: [number, number];
}

export interface ParsedHeader {
  /** Byte offset of the data section within the file (8 + header length). */
  dataStart: number;
  /** Tensor entries in the order the header lists them. */
  entries: Map<string, HeaderEntry>;
  metadata: Record<string, string> | null;
}

/** A header larger than this is refused: it protects a reader from a hostile length prefix. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(`safetensors: ${message}`);
    this.name = "SafetensorsError";
  }
}

function numelOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkShape(name: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)} (expected non-negative integers)`);
  }
  return shape as number[];
}

/**
 * Serialises tensors as a sequence of chunks: the 8-byte length, the header, then each tensor's bytes.
 * Tensors are laid out in the order given; the header is padded with spaces to a multiple of 8 bytes so
 * that the data section is aligned (as the reference implementation does).
 */
export function* encodeSafetensors(
  tensors: Iterable<[string, RawTensor]>,
  metadata?: Record<string, string>,
): Generator<Uint8Array> {
  const list = [...tensors];
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new SafetensorsError(`metadata value for "${k}" must be a string`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  const seen = new Set<string>();
  for (const [name, t] of list) {
    if (name === "__metadata__") throw new SafetensorsError(`"__metadata__" cannot name a tensor`);
    if (seen.has(name)) throw new SafetensorsError(`duplicate tensor name "${name}"`);
    seen.add(name);
    if (!(t.dtype in DTYPE_SIZES)) throw new SafetensorsError(`unsupported dtype ${t.dtype} for "${name}"`);
    const shape = checkShape(name, t.shape);
    const expected = numelOf(shape) * DTYPE_SIZES[t.dtype];
    if (t.data.byteLength !== expected) {
      throw new SafetensorsError(`tensor "${name}" has ${t.data.byteLength} bytes, its dtype and shape need ${expected}`);
    }
    header[name] = { dtype: t.dtype, shape, data_offsets: [offset, offset + expected] };
    offset += expected;
  }
  let json = JSON.stringify(header);
  let headerBytes = new TextEncoder().encode(json);
  const padded = Math.ceil(headerBytes.byteLength / 8) * 8;
  if (padded !== headerBytes.byteLength) {
    json += " ".repeat(padded - headerBytes.byteLength);
    headerBytes = new TextEncoder().encode(json);
  }
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  yield prefix;
  yield headerBytes;
  for (const [, t] of list) if (t.data.byteLength > 0) yield t.data;
}

/** Concatenates encodeSafetensors' chunks into one buffer. */
export function encodeSafetensorsToBytes(tensors: Iterable<[string, RawTensor]>, metadata?: Record<string, string>): Uint8Array {
  const chunks = [...encodeSafetensors(tensors, metadata)];
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Reads the header length from the first 8 bytes (what a streaming reader needs before the rest). */
export function readHeaderLength(prefix: Uint8Array): number {
  if (prefix.byteLength < 8) throw new SafetensorsError(`file is truncated: ${prefix.byteLength} bytes, the header length alone needs 8`);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new SafetensorsError(`header length ${n} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  return Number(n);
}

/**
 * Parses and validates the header. `fileSize` (total bytes of the file) lets the check that offsets cover
 * the data section exactly run before any data is read; `bytes` needs only the first 8 + N bytes.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, fileSize: number = bytes.byteLength): ParsedHeader {
  const headerLength = readHeaderLength(bytes);
  const dataStart = 8 + headerLength;
  if (dataStart > fileSize) {
    throw new SafetensorsError(`header length ${headerLength} runs past the end of the file (${fileSize} bytes)`);
  }
  if (bytes.byteLength < dataStart) throw new SafetensorsError(`need ${dataStart} bytes to read the header, got ${bytes.byteLength}`);
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(8, dataStart));
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(`header is not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new SafetensorsError("header must be a JSON object");

  const entries = new Map<string, HeaderEntry>();
  let metadata: Record<string, string> | null = null;
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (value === null || typeof value !== "object" || Array.isArray(value)) throw new SafetensorsError("__metadata__ must be an object");
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string") throw new SafetensorsError(`__metadata__ value for "${k}" must be a string`);
      }
      metadata = value as Record<string, string>;
      continue;
    }
    if (value === null || typeof value !== "object") throw new SafetensorsError(`entry "${name}" must be an object`);
    const { dtype, shape, data_offsets } = value as Record<string, unknown>;
    if (typeof dtype !== "string" || !(dtype in DTYPE_SIZES)) {
      throw new SafetensorsError(`tensor "${name}" has an unknown dtype ${JSON.stringify(dtype)}`);
    }
    const dims = checkShape(name, shape);
    if (!Array.isArray(data_offsets) || data_offsets.length !== 2 || !data_offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new SafetensorsError(`tensor "${name}" has invalid data_offsets ${JSON.stringify(data_offsets)}`);
    }
    const [begin, end] = data_offsets as [number, number];
    if (end < begin) throw new SafetensorsError(`tensor "${name}" has data_offsets that end before they begin: [${begin}, ${end}]`);
    const need = numelOf(dims) * DTYPE_SIZES[dtype as SafetensorsDtype];
    if (end - begin !== need) {
      throw new SafetensorsError(`tensor "${name}" spans ${end - begin} bytes, but dtype ${dtype} and shape [${dims}] need ${need}`);
    }
    entries.set(name, { dtype: dtype as SafetensorsDtype, shape: dims, data_offsets: [begin, end] });
  }

  // The data section must be covered exactly: no overlap, no gap, nothing past the end of the file.
  const dataSize = fileSize - dataStart;
  const spans = [...entries].sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0] || a[1].data_offsets[1] - b[1].data_offsets[1]);
  let cursor = 0;
  for (const [name, e] of spans) {
    const [begin, end] = e.data_offsets;
    if (begin < cursor) throw new SafetensorsError(`tensor "${name}" overlaps the previous tensor (offset ${begin} < ${cursor})`);
    if (begin > cursor) throw new SafetensorsError(`gap in the data section before tensor "${name}" (bytes ${cursor}..${begin} unused)`);
    if (end > dataSize) {
      throw new SafetensorsError(`tensor "${name}" runs past the end of the file (data_offsets end ${end} > data size ${dataSize}); the file may be truncated`);
    }
    cursor = end;
  }
  if (cursor !== dataSize) throw new SafetensorsError(`data section has ${dataSize} bytes but the tensors cover ${cursor}`);
  return { dataStart, entries, metadata };
}

/** Decodes a whole file held in memory. Each tensor's data is a copy, aligned for typed-array views. */
export function decodeSafetensors(bytes: Uint8Array): { tensors: Map<string, RawTensor>; metadata: Record<string, string> | null } {
  const header = parseSafetensorsHeader(bytes);
  const tensors = new Map<string, RawTensor>();
  for (const [name, e] of header.entries) {
    const [begin, end] = e.data_offsets;
    const data = bytes.slice(header.dataStart + begin, header.dataStart + end);
    tensors.set(name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata: header.metadata };
}
