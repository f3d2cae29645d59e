// Resume state (optimizer and scheduler state_dicts, position, RNG scheme) as bytes: an 8-byte
// little-endian JSON length, the JSON with every tensor replaced by {"__tensor__": key}, then a
// safetensors file holding those tensors. Numbers JSON cannot hold (NaN, ±Infinity) and Maps are
// tagged so that they come back as they were.
import type { StateDict, TensorLike, TorchLike } from "./torch.js";

/** An engine tensor (duck-typed: the state dicts hold nothing else with numel() and item()). */
const isTensor = (v: unknown): v is TensorLike =>
  typeof v === "object" && v !== null && typeof (v as TensorLike).numel === "function" && typeof (v as TensorLike).item === "function";

export function packState(torch: TorchLike, state: object): Uint8Array {
  const tensors: Record<string, TensorLike> = {};
  let n = 0;
  const walk = (v: unknown): unknown => {
    if (isTensor(v)) {
      const key = `t${n++}`;
      tensors[key] = v;
      return { __tensor__: key };
    }
    if (typeof v === "number" && !Number.isFinite(v)) return { __number__: String(v) };
    if (typeof v === "bigint") return { __bigint__: v.toString() };
    if (v instanceof Map) return { __map__: [...v.entries()].map(([k, x]) => [walk(k), walk(x)]) };
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const json = Buffer.from(JSON.stringify(walk(state)), "utf8");
  const weights = torch.save_safetensors(tensors);
  const out = Buffer.alloc(8 + json.length + weights.byteLength);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  out.set(weights, 8 + json.length);
  return out;
}

export function unpackState<T = Record<string, unknown>>(torch: TorchLike, bytes: Uint8Array): T {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = Number(buffer.readBigUInt64LE(0));
  const json = JSON.parse(buffer.subarray(8, 8 + jsonLength).toString("utf8"));
  const loaded: StateDict = torch.load_safetensors(new Uint8Array(buffer.subarray(8 + jsonLength)));
  const get = (key: string) => (loaded instanceof Map ? loaded.get(key) : loaded[key]);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== "object" || v === null) return v;
    const tagged = v as Record<string, unknown>;
    if (typeof tagged.__tensor__ === "string") return get(tagged.__tensor__);
    if (typeof tagged.__number__ === "string") return Number(tagged.__number__);
    if (typeof tagged.__bigint__ === "string") return BigInt(tagged.__bigint__);
    if (Array.isArray(tagged.__map__)) return new Map((tagged.__map__ as [unknown, unknown][]).map(([k, x]) => [walk(k), walk(x)]));
    return Object.fromEntries(Object.entries(tagged).map(([k, x]) => [k, walk(x)]));
  };
  return walk(json) as T;
}
