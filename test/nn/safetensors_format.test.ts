import { describe, expect, it } from "vitest";
import {
  decodeSafetensors,
  encodeSafetensors,
  encodeSafetensorsToBytes,
  parseSafetensorsHeader,
  type RawTensor,
} from "../../src/engine/serialization/safetensors_format.js";

function f32(values: number[], shape: number[]): RawTensor {
  return { dtype: "F32", shape, data: new Uint8Array(new Float32Array(values).buffer) };
}

/** Builds a file from a hand-written header object, to exercise the reader's checks. */
function fileWith(header: unknown, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  return out;
}

describe("safetensors format", () => {
  it("round-trips tensors and metadata, with the documented byte layout", () => {
    const bytes = encodeSafetensorsToBytes(
      [
        ["a.weight", f32([1, 2, 3, 4, 5, 6], [2, 3])],
        ["b", { dtype: "I64", shape: [2], data: new Uint8Array(new BigInt64Array([7n, -1n]).buffer) }],
        ["empty", f32([], [0, 4])],
      ],
      { format: "pt" },
    );
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(header.__metadata__).toEqual({ format: "pt" });
    expect(header["a.weight"]).toEqual({ dtype: "F32", shape: [2, 3], data_offsets: [0, 24] });
    expect(header.b).toEqual({ dtype: "I64", shape: [2], data_offsets: [24, 40] });
    // little-endian float32 1.0 at the start of the data section
    expect([...bytes.subarray(8 + headerLength, 8 + headerLength + 4)]).toEqual([0, 0, 0x80, 0x3f]);

    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: "pt" });
    expect([...tensors.keys()]).toEqual(["a.weight", "b", "empty"]);
    expect([...new Float32Array(tensors.get("a.weight")!.data.buffer)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...new BigInt64Array(tensors.get("b")!.data.buffer)]).toEqual([7n, -1n]);
    expect(tensors.get("empty")!.shape).toEqual([0, 4]);
  });

  it("streams: the chunks concatenate to the same bytes", () => {
    const input: [string, RawTensor][] = [["x", f32([1, 2], [2])]];
    const chunks = [...encodeSafetensors(input)];
    expect(chunks.length).toBe(3);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from(encodeSafetensorsToBytes(input)));
  });

  it("reads the header from a prefix when the file size is known", () => {
    const bytes = encodeSafetensorsToBytes([["x", f32([1, 2, 3], [3])]]);
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const h = parseSafetensorsHeader(bytes.subarray(0, 8 + headerLength), bytes.byteLength);
    expect(h.entries.get("x")!.data_offsets).toEqual([0, 12]);
  });

  it("rejects malformed files with a clear error", () => {
    const good = encodeSafetensorsToBytes([["x", f32([1, 2, 3], [3])]]);
    expect(() => decodeSafetensors(good.subarray(0, 5))).toThrow(/truncated/);
    expect(() => decodeSafetensors(good.subarray(0, good.byteLength - 4))).toThrow(/past the end of the file/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1000n, true);
    expect(() => decodeSafetensors(huge)).toThrow(/header length 1000 runs past the end/);
    const entry = (o: [number, number], dtype = "F32", shape = [2]) => ({ dtype, shape, data_offsets: o });
    expect(() => decodeSafetensors(fileWith({ a: entry([0, 8]), b: entry([4, 12]) }, 12))).toThrow(/overlaps/);
    expect(() => decodeSafetensors(fileWith({ a: entry([0, 8]), b: entry([12, 20]) }, 20))).toThrow(/gap/);
    expect(() => decodeSafetensors(fileWith({ a: entry([0, 8]) }, 4))).toThrow(/past the end of the file/);
    expect(() => decodeSafetensors(fileWith({ a: entry([0, 8]) }, 12))).toThrow(/cover 8/);
    expect(() => decodeSafetensors(fileWith({ a: entry([0, 8], "F99") }, 8))).toThrow(/unknown dtype "F99"/);
    expect(() => decodeSafetensors(fileWith({ a: entry([0, 8], "F32", [-2]) }, 8))).toThrow(/invalid shape/);
    expect(() => decodeSafetensors(fileWith({ a: entry([0, 12], "F32", [2]) }, 12))).toThrow(/need 8/);
    expect(() => decodeSafetensors(fileWith({ a: entry([8, 0]) }, 8))).toThrow(/end before they begin/);
    expect(() => decodeSafetensors(fileWith([1, 2], 0))).toThrow(/JSON object/);
    const notJson = fileWith({}, 0);
    notJson[8] = 0x78;
    expect(() => decodeSafetensors(notJson)).toThrow(/not valid JSON/);
    expect(() => decodeSafetensors(fileWith({ __metadata__: { a: 1 } }, 0))).toThrow(/must be a string/);
  });

  it("refuses to write inconsistent tensors", () => {
    expect(() => encodeSafetensorsToBytes([["x", f32([1, 2, 3], [2])]])).toThrow(/need 8/);
    expect(() => encodeSafetensorsToBytes([["x", f32([1], [1])], ["x", f32([1], [1])]])).toThrow(/duplicate/);
  });
});
