// CSV data sets: one row per example, numeric feature columns and one label column. Labels that are
// all integers become int64 class indices; other numbers become float32 regression targets of shape
// [N, 1]; text labels become class indices in sorted order, their names kept as `classes`.
// The first row is a header when any of its fields is not a number.
import type { DatasetArrays } from "./arrays.js";

export class CsvError extends Error {}

export interface CsvOptions {
  /** Header name or 0-based index of the label column; the last column when absent. */
  labelColumn?: string;
}

export interface ParsedCsv {
  arrays: DatasetArrays;
  classes: string[] | null;
  columns: string[] | null;
}

function splitLine(line: string): string[] {
  return line.split(",").map((f) => f.trim().replace(/^"(.*)"$/, "$1"));
}

const isNumber = (field: string) => field !== "" && Number.isFinite(Number(field));
/** Features are stored as float32: anything larger in magnitude would become Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;
/** Longest line accepted, in characters; a file without newlines would otherwise be held whole. */
export const MAX_CSV_LINE_CHARS = 4 * 1024 * 1024;

/** Parses CSV text arriving in pieces; lines may be cut anywhere between pieces. */
export async function parseCsv(pieces: AsyncIterable<Uint8Array>, options: CsvOptions = {}): Promise<ParsedCsv> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let carry = "";
  let lineNo = 0;
  let width = -1;
  let labelIndex = -1;
  let columns: string[] | null = null;
  const features: number[] = [];
  const labels: string[] = [];

  const takeLine = (raw: string) => {
    lineNo++;
    if (raw.length > MAX_CSV_LINE_CHARS) throw new CsvError(`line ${lineNo} is longer than ${MAX_CSV_LINE_CHARS} characters`);
    if (raw.includes("\u0000")) throw new CsvError(`line ${lineNo} contains a NUL character: not a text file`);
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    const fields = splitLine(line);
    if (width < 0) {
      width = fields.length;
      if (width < 2) throw new CsvError(`line ${lineNo}: a CSV data set needs at least one feature column and a label column`);
      if (!fields.every(isNumber)) {
        columns = fields;
        labelIndex = resolveLabel(options.labelColumn, columns, width);
        return;
      }
      labelIndex = resolveLabel(options.labelColumn, null, width);
    }
    if (fields.length !== width) throw new CsvError(`line ${lineNo}: ${fields.length} fields, expected ${width} like the first line`);
    for (let i = 0; i < width; i++) {
      if (i === labelIndex) continue;
      if (!isNumber(fields[i])) throw new CsvError(`line ${lineNo}, column ${i + 1}: "${fields[i].slice(0, 40)}" is not a number`);
      const value = Number(fields[i]);
      if (Math.abs(value) > FLOAT32_MAX) throw new CsvError(`line ${lineNo}, column ${i + 1}: ${fields[i].slice(0, 40)} is out of float32 range`);
      features.push(value);
    }
    if (fields[labelIndex] === "") throw new CsvError(`line ${lineNo}: the label is empty`);
    labels.push(fields[labelIndex]);
  };

  try {
    for await (const piece of pieces) {
      carry += decoder.decode(piece, { stream: true });
      const lines = carry.split("\n");
      carry = lines.pop() ?? "";
      for (const line of lines) takeLine(line);
      if (carry.length > MAX_CSV_LINE_CHARS) throw new CsvError(`line ${lineNo + 1} is longer than ${MAX_CSV_LINE_CHARS} characters`);
    }
    carry += decoder.decode();
  } catch (err) {
    if (err instanceof TypeError) throw new CsvError(`line ${lineNo + 1}: the file is not valid UTF-8 text`);
    throw err;
  }
  if (carry !== "") takeLine(carry);
  const n = labels.length;
  if (n === 0) throw new CsvError("the CSV has no data rows");
  const featureCount = width - 1;

  let classes: string[] | null = null;
  let y: DatasetArrays["y"];
  if (labels.every(isNumber)) {
    const values = labels.map(Number);
    if (values.every((v) => Number.isSafeInteger(v) && v >= 0)) {
      y = { dtype: "int64", shape: [n], data: BigInt64Array.from(values, (v) => BigInt(v)) };
    } else {
      y = { dtype: "float32", shape: [n, 1], data: Float32Array.from(values) };
    }
  } else {
    classes = [...new Set(labels)].sort();
    const indexOf = new Map(classes.map((c, i) => [c, BigInt(i)]));
    y = { dtype: "int64", shape: [n], data: BigInt64Array.from(labels, (l) => indexOf.get(l)!) };
  }
  return { arrays: { x: { dtype: "float32", shape: [n, featureCount], data: Float32Array.from(features) }, y }, classes, columns };
}

function resolveLabel(labelColumn: string | undefined, columns: string[] | null, width: number): number {
  if (labelColumn === undefined || labelColumn === "") return width - 1;
  const byName = columns ? columns.indexOf(labelColumn) : -1;
  if (byName >= 0) return byName;
  const index = Number(labelColumn);
  if (Number.isInteger(index) && index >= 0 && index < width) return index;
  throw new CsvError(`label_column "${labelColumn}" is neither a column name in the header nor an index below ${width}`);
}
