// Data set formats without a database: CSV parsing, the safetensors codec, the built-in sets.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { builtinShapes, loadBuiltin } from "../src/datasets/builtin.js";
import { shapesOf } from "../src/datasets/arrays.js";
import { CsvError, MAX_CSV_LINE_CHARS, parseCsv } from "../src/datasets/csv.js";
import { decode, encode, parseHeader, SafetensorsError } from "../src/datasets/safetensors.js";
import { TensorScan } from "../src/datasets/tensor-scan.js";
import { rechunk } from "../src/store/chunks.js";

const pieces = (text: string, size: number) => rechunk([Buffer.from(text)], size);

describe("CSV data sets", () => {
  it("parses a header, numeric features and integer labels, across arbitrary piece boundaries", async () => {
    const { arrays, classes, columns } = await parseCsv(pieces("f1,f2,y\r\n0.5,1,2\r\n-1,2.5e1,0\r\n", 3));
    expect(columns).toEqual(["f1", "f2", "y"]);
    expect(classes).toBeNull();
    expect(arrays.x).toEqual({ dtype: "float32", shape: [2, 2], data: Float32Array.from([0.5, 1, -1, 25]) });
    expect(arrays.y).toEqual({ dtype: "int64", shape: [2], data: BigInt64Array.from([2n, 0n]) });
  });

  it("takes the label column by name or index, and float labels as regression targets [N, 1]", async () => {
    const { arrays } = await parseCsv(pieces("t,a,b\n0.25,1,2\n1.5,3,4\n", 64), { labelColumn: "t" });
    expect(Array.from(arrays.x.data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(arrays.y).toEqual({ dtype: "float32", shape: [2, 1], data: Float32Array.from([0.25, 1.5]) });
    const byIndex = await parseCsv(pieces("5,1,2\n6,3,4\n", 64), { labelColumn: "0" });
    expect(Array.from(byIndex.arrays.y.data as BigInt64Array)).toEqual([5n, 6n]);
  });

  it("says what is wrong with a bad file", async () => {
    await expect(parseCsv(pieces("1,2,0\n1,x,0\n", 64))).rejects.toThrow(/line 2, column 2: "x" is not a number/);
    await expect(parseCsv(pieces("a,b\n", 64))).rejects.toThrow(/no data rows/);
    await expect(parseCsv(pieces("1,2\n", 64), { labelColumn: "z" })).rejects.toThrow(CsvError);
    await expect(parseCsv(rechunk([Buffer.from([0x31, 0x2c, 0xff, 0x0a])]))).rejects.toThrow(/not valid UTF-8/);
  });
});

describe("safetensors codec", () => {
  const x = { dtype: "float32" as const, shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
  const y = { dtype: "int64" as const, shape: [2], data: BigInt64Array.from([7n, -1n]) };

  it("round-trips tensors with 8-byte aligned data", () => {
    const file = encode([["x", x], ["y", y]], { source: "test" });
    const headerLength = Number(file.readBigUInt64LE(0));
    expect((8 + headerLength) % 8).toBe(0);
    expect(JSON.parse(file.subarray(8, 8 + headerLength).toString()).__metadata__).toEqual({ source: "test" });
    const back = decode(file);
    expect(back.get("x")).toEqual(x);
    expect(back.get("y")).toEqual(y);
  });

  it("rejects truncated files, bad offsets and unknown dtypes", () => {
    const file = encode([["x", x], ["y", y]]);
    expect(() => decode(file.subarray(0, file.length - 1))).toThrow(/cover 40 bytes but the file holds 39/);
    expect(() => decode(file.subarray(0, 5))).toThrow(SafetensorsError);
    const header = (h: object) => {
      const json = Buffer.from(JSON.stringify(h));
      const out = Buffer.alloc(8 + json.length + 8);
      out.writeBigUInt64LE(BigInt(json.length));
      json.copy(out, 8);
      return out;
    };
    expect(() => decode(header({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }))).toThrow(/overlaps/);
    expect(() => decode(header({ a: { dtype: "Q8", shape: [8], data_offsets: [0, 8] } }))).toThrow(/dtype "Q8"/);
    expect(() => decode(header({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }))).toThrow(/needs 12/);
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64LE(1n << 40n);
    expect(() => decode(huge)).toThrow(/over the/);
  });
});

describe("malformed files say what is wrong", () => {
  const raw = (headerText: string | Buffer, dataBytes: number, declared?: bigint) => {
    const header = Buffer.isBuffer(headerText) ? headerText : Buffer.from(headerText);
    const out = Buffer.alloc(8 + header.length + dataBytes);
    out.writeBigUInt64LE(declared ?? BigInt(header.length));
    header.copy(out, 8);
    return out;
  };
  const x = '"x":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]}';
  const y = '"y":{"dtype":"I64","shape":[1],"data_offsets":[4,12]}';

  it("safetensors: duplicate names, bad text, lengths and offsets past the data, shapes", () => {
    expect(() => decode(raw(`{${x},${y},${x}}`, 12))).toThrow('safetensors header names tensor "x" twice');
    expect(() => decode(raw(`{${x},"y":{"dtype":"I64","shape":[1],"data_offsets":[4,12]},"__metadata__":{"a":"{\\"y\\":1"}}`, 12))).not.toThrow(); // keys inside strings and nested objects are not top-level names
    expect(() => decode(raw(Buffer.from([0x7b, 0xff, 0x7d]), 0))).toThrow("safetensors header is not valid UTF-8");
    expect(() => decode(raw("{nope", 0))).toThrow(/header is not valid JSON/);
    expect(() => decode(raw(`{${x},${y}}`, 12, 4000n))).toThrow(/header length 4000 runs past the end of the \d+-byte file/);
    expect(() => decode(raw(`{${x},"y":{"dtype":"I64","shape":[1],"data_offsets":[4,12]}}`, 8))).toThrow(/tensors cover 12 bytes but the file holds 8 bytes of data/);
    expect(() => decode(raw(`{${x},"y":{"dtype":"I64","shape":[1],"data_offsets":[8,16]}}`, 16))).toThrow(/gap before tensor "y" at byte 4/);
    expect(() => decode(raw(`{"x":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]}}`, 4))).toThrow(/at most 8 non-negative integers/);
    expect(() => decode(raw(`{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, 4))).toThrow(/shape must be a list/);
    expect(() => decode(raw(`{"x":{"dtype":"F32","shape":[1e300],"data_offsets":[0,4]}}`, 4))).toThrow(/shape must be a list/);
    expect(() => decode(raw(`{"__metadata__":{"a":1}}`, 0))).toThrow(/__metadata__ must be an object of strings/);
    expect(() => decode(raw(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}`, 4))).toThrow(/data_offsets must be \[begin, end\]/);
  });

  it("CSV: a byte-order mark is not part of the header, and empty files, huge numbers and endless lines are refused", async () => {
    const withBom = await parseCsv(pieces("\ufeffa,b,label\n1,2,0\n", 4));
    expect(withBom.columns).toEqual(["a", "b", "label"]);
    await expect(parseCsv(pieces("", 8))).rejects.toThrow("the CSV has no data rows");
    await expect(parseCsv(pieces("\n\n", 8))).rejects.toThrow("the CSV has no data rows");
    await expect(parseCsv(pieces("1,2,0\n1e39,2,0\n", 8))).rejects.toThrow("line 2, column 1: 1e39 is out of float32 range");
    await expect(parseCsv(pieces("1,2,0\n1,2\n", 8))).rejects.toThrow("line 2: 2 fields, expected 3 like the first line");
    await expect(parseCsv(pieces("1,2,0\n1,2,0,4\n", 8))).rejects.toThrow("line 2: 4 fields, expected 3 like the first line");
    await expect(parseCsv(pieces("1,2,0\n1,2,", 8))).rejects.toThrow("line 2: the label is empty");
    await expect(parseCsv(rechunk([Buffer.alloc(MAX_CSV_LINE_CHARS + 10, 0x31)], 1 << 20))).rejects.toThrow(`line 1 is longer than ${MAX_CSV_LINE_CHARS} characters`);
  });

  it("records the label range of integer labels", async () => {
    const { arrays } = await parseCsv(pieces("1,2,3\n1,2,0\n4,4,7\n", 8));
    expect(shapesOf(arrays).y).toEqual({ dtype: "int64", shape: [3], min: 0, max: 7 });
    const text = await parseCsv(pieces("f,g,l\n1,2,b\n1,2,a\n", 8));
    expect(shapesOf(text.arrays).y).toMatchObject({ min: 0, max: 1 });
    const float = await parseCsv(pieces("1,2,0.5\n1,2,1\n", 8));
    expect(shapesOf(float.arrays).y).toEqual({ dtype: "float32", shape: [2, 1] });
  });
});

describe("TensorScan (streamed safetensors uploads)", () => {
  /** Feeds a whole file to a scan in pieces of the given sizes (cycled), as an upload would arrive. */
  const scanInPieces = (file: Buffer, sizes: number[]) => {
    const n = Number(file.readBigUInt64LE(0));
    const { entries } = parseHeader(file.subarray(8, 8 + n).toString());
    const scan = new TensorScan(entries, 8 + n);
    for (let at = 0, i = 0; at < file.length; i++) {
      const size = sizes[i % sizes.length];
      scan.feed(file.subarray(at, at + size), at);
      at += size;
    }
    return scan;
  };

  it("finds the label range and the first non-finite float wherever the pieces are cut", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 23 }), { minLength: 1, maxLength: 5 }),
        fc.option(fc.nat(), { nil: undefined }),
        (labels, sizes, bad) => {
          const rows = labels.length;
          const x = new Float32Array(rows * 3).map((_, i) => i / 7);
          if (bad !== undefined) x[bad % x.length] = bad % 2 ? Infinity : NaN;
          const file = encode([["x", { dtype: "float32", shape: [rows, 3], data: x }], ["y", { dtype: "int64", shape: [rows], data: BigInt64Array.from(labels) }]]);
          if (bad !== undefined) {
            expect(() => scanInPieces(file, sizes)).toThrow(`tensor "x" holds ${bad % 2 ? "Infinity" : "NaN"} at element ${bad % x.length}: values must be finite`);
            return;
          }
          const min = labels.reduce((a, b) => (b < a ? b : a));
          const max = labels.reduce((a, b) => (b > a ? b : a));
          const shapes = { x: { dtype: "float32" as const, shape: [rows, 3] }, y: { dtype: "int64" as const, shape: [rows] } };
          expect(scanInPieces(file, sizes).describe(shapes).y).toEqual({ dtype: "int64", shape: [rows], min: Number(min), max: Number(max) });
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe("built-in data sets", () => {
  it("mnist: 60,000 + 10,000 images as pixel/255 in [N, 1, 28, 28], int64 labels", async () => {
    const mnist = await loadBuiltin("mnist");
    expect(mnist.x.shape).toEqual([60000, 1, 28, 28]);
    expect(mnist.x_test!.shape).toEqual([10000, 1, 28, 28]);
    expect(mnist.y.dtype).toBe("int64");
    // The well-known first labels of the two splits.
    expect((mnist.y.data as BigInt64Array)[0]).toBe(5n);
    expect((mnist.y_test!.data as BigInt64Array)[0]).toBe(7n);
    const pixels = mnist.x.data as Float32Array;
    let max = 0;
    for (let i = 0; i < 784 * 100; i++) max = Math.max(max, pixels[i]);
    expect(max).toBe(1);
    // Every value is k/255 for an integer k: nothing but the division was applied.
    for (let i = 0; i < 784; i++) expect(Math.abs(pixels[i] * 255 - Math.round(pixels[i] * 255))).toBeLessThan(1e-4);
    expect(await builtinShapes("mnist")).toMatchObject({ x: { shape: [60000, 1, 28, 28] } });
  });

  it("iris: 150 rows, 4 features, 50 of each of 3 classes", async () => {
    const iris = await loadBuiltin("iris");
    expect(iris.x.shape).toEqual([150, 4]);
    const counts = [0, 0, 0];
    for (const label of iris.y.data as BigInt64Array) counts[Number(label)]++;
    expect(counts).toEqual([50, 50, 50]);
    expect(Array.from((iris.x.data as Float32Array).subarray(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
  });
});
