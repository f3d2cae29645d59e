// torch.save_safetensors / torch.load_safetensors: a state_dict to and from the safetensors format
// (see safetensors_format.ts for the byte layout). Files written here load in PyTorch with
// safetensors.torch.load_file, with the same keys and values.
import { endianness } from "node:os";
import { Tensor } from "../tensor.js";
import { bool, float32, float64, int32, int64, uint8, type DType } from "../dtype.js";
import { fromData } from "../ops/common.js";
import {
  DTYPE_SIZES, SafetensorsError, decodeSafetensors, encodeSafetensors, encodeSafetensorsToBytes,
  type RawTensor, type SafetensorsDtype,
} from "./safetensors_format.js";

const TO_FORMAT: Record<string, SafetensorsDtype> = {
  float32: "F32", float64: "F64", int32: "I32", int64: "I64", uint8: "U8", bool: "BOOL",
};
const FROM_FORMAT: Partial<Record<SafetensorsDtype, DType>> = {
  F32: float32, F64: float64, I32: int32, I64: int64, U8: uint8, BOOL: bool,
};

function checkLittleEndian(): void {
  if (endianness() !== "LE") throw new SafetensorsError("this machine is big-endian; safetensors data is little-endian");
}

function toRaw(name: string, t: Tensor): RawTensor {
  if (!(t instanceof Tensor)) throw new SafetensorsError(`value for "${name}" is not a Tensor`);
  const dtype = TO_FORMAT[t.dtype.name];
  if (!dtype) throw new SafetensorsError(`tensor "${name}" has dtype ${t.dtype}, which safetensors cannot store here`);
  const values = t.detach().contiguous().numpy();
  let bytes: Uint8Array;
  if (dtype === "I64") {
    // int64 lives in a Float64Array of exact integers; on disk it is a real 64-bit integer.
    const out = new BigInt64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]);
    bytes = new Uint8Array(out.buffer);
  } else {
    bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  }
  return { dtype, shape: [...t.shape], data: bytes };
}

function fromRaw(name: string, raw: RawTensor): Tensor {
  const dtype = FROM_FORMAT[raw.dtype];
  if (!dtype) throw new SafetensorsError(`tensor "${name}" has dtype ${raw.dtype}, which this engine does not support`);
  const n = raw.data.byteLength / DTYPE_SIZES[raw.dtype];
  const buf = raw.data.buffer.slice(raw.data.byteOffset, raw.data.byteOffset + raw.data.byteLength);
  let data: Float32Array | Float64Array | Int32Array | Uint8Array;
  switch (raw.dtype) {
    case "F32": data = new Float32Array(buf, 0, n); break;
    case "F64": data = new Float64Array(buf, 0, n); break;
    case "I32": data = new Int32Array(buf, 0, n); break;
    case "I64": {
      const src = new BigInt64Array(buf, 0, n);
      data = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = src[i];
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(-Number.MAX_SAFE_INTEGER)) {
          throw new SafetensorsError(`tensor "${name}" holds the int64 value ${v}, beyond 2^53, which JavaScript cannot represent exactly`);
        }
        data[i] = Number(v);
      }
      break;
    }
    case "BOOL": {
      const src = new Uint8Array(buf, 0, n);
      for (let i = 0; i < n; i++) if (src[i] > 1) throw new SafetensorsError(`tensor "${name}" has a BOOL byte that is neither 0 nor 1`);
      data = src;
      break;
    }
    default: data = new Uint8Array(buf, 0, n);
  }
  return fromData(data, raw.shape, dtype);
}

export interface SaveOptions {
  /** String-to-string metadata; PyTorch tooling writes {"format": "pt"}, the default here. */
  metadata?: Record<string, string>;
}

/** The file's chunks in order (length prefix, header, each tensor's bytes), for streaming writers. */
export function* save_safetensors_chunks(state_dict: Record<string, Tensor>, opts: SaveOptions = {}): Generator<Uint8Array> {
  checkLittleEndian();
  const raws = Object.entries(state_dict).map(([k, t]) => [k, toRaw(k, t)] as [string, RawTensor]);
  yield* encodeSafetensors(raws, opts.metadata ?? { format: "pt" });
}

/** A state_dict as one safetensors buffer. */
export function save_safetensors(state_dict: Record<string, Tensor>, opts: SaveOptions = {}): Uint8Array {
  checkLittleEndian();
  const raws = Object.entries(state_dict).map(([k, t]) => [k, toRaw(k, t)] as [string, RawTensor]);
  return encodeSafetensorsToBytes(raws, opts.metadata ?? { format: "pt" });
}

/** Tensors from a safetensors buffer, keyed by name in header order; throws SafetensorsError if malformed. */
export function load_safetensors(bytes: Uint8Array): Record<string, Tensor> {
  return load_safetensors_with_metadata(bytes).tensors;
}

export function load_safetensors_with_metadata(bytes: Uint8Array): { tensors: Record<string, Tensor>; metadata: Record<string, string> | null } {
  checkLittleEndian();
  const { tensors, metadata } = decodeSafetensors(bytes);
  const out: Record<string, Tensor> = {};
  for (const [name, raw] of tensors) out[name] = fromRaw(name, raw);
  return { tensors: out, metadata };
}

export { SafetensorsError, parseSafetensorsHeader, readHeaderLength } from "./safetensors_format.js";
