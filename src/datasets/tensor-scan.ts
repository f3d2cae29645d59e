// Reads the tensors of a safetensors upload as its bytes stream by, without holding them: floats
// must be finite (a NaN or Infinity in x or y would only surface as a NaN loss mid-training), and
// integer labels get their smallest and largest value, which job submission checks against the model.
import { IntegerRange, type DType, type TensorShapes } from "./arrays.js";
import { SafetensorsError, type HeaderEntry } from "./safetensors.js";

const WIDTH: Record<DType, number> = { float32: 4, float64: 8, int32: 4, int64: 8 };

interface Scan {
  name: string;
  dtype: DType;
  /** File offsets of the tensor's bytes. */
  begin: number;
  end: number;
  /** Bytes of an element cut between two pieces. */
  carry: Buffer;
  /** Elements seen so far, for messages. */
  seen: number;
  range: IntegerRange;
}

export class TensorScan {
  private readonly scans: Scan[] = [];

  /** `base`: the file offset where the data (after the header) starts. */
  constructor(entries: Map<string, HeaderEntry>, base: number) {
    for (const [name, e] of entries) {
      this.scans.push({ name, dtype: e.dtype, begin: base + e.begin, end: base + e.end, carry: Buffer.alloc(0), seen: 0, range: new IntegerRange() });
    }
  }

  /** `at`: the file offset of the piece's first byte. Throws a SafetensorsError at the first non-finite float. */
  feed(piece: Uint8Array, at: number): void {
    for (const scan of this.scans) {
      const from = Math.max(at, scan.begin);
      const to = Math.min(at + piece.byteLength, scan.end);
      if (from >= to) continue;
      const bytes = scan.carry.length ? Buffer.concat([scan.carry, piece.subarray(from - at, to - at)]) : piece.subarray(from - at, to - at);
      const width = WIDTH[scan.dtype];
      const whole = bytes.length - (bytes.length % width);
      const aligned = new Uint8Array(bytes.subarray(0, whole)).buffer; // a copy: offsets need not be aligned
      this.check(scan, aligned);
      scan.seen += whole / width;
      scan.carry = Buffer.from(bytes.subarray(whole));
    }
  }

  private check(scan: Scan, buffer: ArrayBuffer): void {
    switch (scan.dtype) {
      case "int64":
        scan.range.add(new BigInt64Array(buffer));
        return;
      case "int32":
        scan.range.add(new Int32Array(buffer));
        return;
      default: {
        const values = scan.dtype === "float32" ? new Float32Array(buffer) : new Float64Array(buffer);
        for (let i = 0; i < values.length; i++) {
          if (!Number.isFinite(values[i])) throw new SafetensorsError(`tensor "${scan.name}" holds ${values[i]} at element ${scan.seen + i}: values must be finite`);
        }
      }
    }
  }

  /** The shapes with the label range of integer y and y_test added. */
  describe(tensors: TensorShapes): TensorShapes {
    const out: TensorShapes = { ...tensors };
    for (const scan of this.scans) {
      if ((scan.name === "y" || scan.name === "y_test") && out[scan.name]) out[scan.name] = { ...out[scan.name]!, ...scan.range.result() };
    }
    return out;
  }
}
