// PyTorch's tensor printout (torch/_tensor_str.py semantics: precision 4, linewidth 80, summarised
// above 1000 elements with 3 edge items, int mode / fixed / scientific for floats).
import { bool, float32, int64 } from "./dtype.js";
import type { Tensor } from "./tensor.js";

const opts = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sci_mode: null as boolean | null };

/** torch.set_printoptions({ precision, threshold, edgeitems, linewidth, sci_mode, profile }). */
export function set_printoptions(o: { precision?: number; threshold?: number; edgeitems?: number; linewidth?: number; sci_mode?: boolean | null; profile?: "default" | "short" | "full" } = {}): void {
  if (o.profile === "default") Object.assign(opts, { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 });
  else if (o.profile === "short") Object.assign(opts, { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 });
  else if (o.profile === "full") Object.assign(opts, { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 });
  for (const k of ["precision", "threshold", "edgeitems", "linewidth"] as const) if (o[k] !== undefined) opts[k] = o[k]!;
  if (o.sci_mode !== undefined) opts.sci_mode = o.sci_mode;
}

/** Python's '{:.Ne}' (exponent with at least two digits). */
function sci(v: number, digits: number): string {
  if (!Number.isFinite(v)) return pyNonFinite(v);
  const s = v.toExponential(digits);
  const [m, e] = s.split("e");
  const sign = e[0] === "-" ? "-" : "+";
  const digitsE = e.replace(/^[+-]/, "");
  return `${m}e${sign}${digitsE.length < 2 ? "0" + digitsE : digitsE}`;
}

function pyNonFinite(v: number): string {
  return v !== v ? "nan" : v > 0 ? "inf" : "-inf";
}

/** Python's '{:.Nf}' with round-half-even on exact ties. */
function fixed(v: number, digits: number): string {
  if (!Number.isFinite(v)) return pyNonFinite(v);
  let s = v.toFixed(digits);
  if (Object.is(v, -0) || (v < 0 && Number(s) === 0 && !s.startsWith("-"))) s = "-" + s;
  return s;
}

class Formatter {
  private floating: boolean;
  private intMode = true;
  private sciMode = false;
  maxWidth = 1;

  constructor(values: number[], floating: boolean, isBool: boolean) {
    this.floating = floating;
    if (!floating) {
      for (const v of values) this.maxWidth = Math.max(this.maxWidth, (isBool ? (v ? "True" : "False") : String(v)).length);
      return;
    }
    const finite = values.filter((v) => Number.isFinite(v) && v !== 0);
    if (finite.length === 0) {
      // Only zeros and non-finite values: PyTorch keeps width 1 and int mode ("0.", "inf").
      return;
    }
    const abs = finite.map(Math.abs);
    const min = Math.min(...abs);
    const max = Math.max(...abs);
    for (const v of finite) {
      if (v !== Math.ceil(v)) {
        this.intMode = false;
        break;
      }
    }
    if (this.intMode) {
      if (max / min > 1000 || max > 1e8) {
        this.sciMode = true;
        for (const v of finite) this.maxWidth = Math.max(this.maxWidth, sci(v, opts.precision).length);
      } else {
        for (const v of finite) this.maxWidth = Math.max(this.maxWidth, fixed(v, 0).length + 1);
      }
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      this.sciMode = true;
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, sci(v, opts.precision).length);
    } else {
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, fixed(v, opts.precision).length);
    }
    if (opts.sci_mode !== null && opts.sci_mode !== this.sciMode) {
      // A forced mode recomputes the widths the way PyTorch's formatter ends up printing them.
      this.sciMode = opts.sci_mode;
      this.maxWidth = 1;
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, this.format(v).trimStart().length);
    }
  }

  format(v: number, isBool = false): string {
    let s: string;
    if (this.floating) {
      if (this.sciMode) s = sci(v, opts.precision);
      else if (this.intMode) {
        s = fixed(v, 0);
        if (Number.isFinite(v)) s += ".";
      } else s = fixed(v, opts.precision);
    } else s = isBool ? (v ? "True" : "False") : String(v);
    return " ".repeat(Math.max(0, this.maxWidth - s.length)) + s;
  }
}

/** Values at the summarised positions (edge items of every dim), flat, for the formatter's widths. */
function summarizedValues(t: Tensor, summarize: boolean): number[] {
  const out: number[] = [];
  const shape = t._shape;
  const walk = (dim: number, offset: number) => {
    if (dim === shape.length) {
      out.push(t._data[offset]);
      return;
    }
    const n = shape[dim];
    const idx = summarize && n > 2 * opts.edgeitems ? [...range(0, opts.edgeitems), ...range(n - opts.edgeitems, n)] : range(0, n);
    for (const i of idx) walk(dim + 1, offset + i * t._strides[dim]);
  };
  walk(0, t._offset);
  return out;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

function tensorStr(t: Tensor, dim: number, offset: number, indent: number, summarize: boolean, f: Formatter, isBool: boolean): string {
  const shape = t._shape;
  const nd = shape.length;
  if (nd === 0) return f.format(t._data[offset], isBool);
  const n = shape[dim];
  const stride = t._strides[dim];
  if (dim === nd - 1) {
    const elementLength = f.maxWidth + 2;
    const perLine = Math.max(1, Math.floor((opts.linewidth - indent) / elementLength));
    let data: string[];
    const fmt = (i: number) => f.format(t._data[offset + i * stride], isBool);
    if (summarize && n > 2 * opts.edgeitems) data = [...range(0, opts.edgeitems).map(fmt), " ...", ...range(n - opts.edgeitems, n).map(fmt)];
    else data = range(0, n).map(fmt);
    const lines: string[] = [];
    for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(", "));
    return "[" + lines.join(",\n" + " ".repeat(indent + 1)) + "]";
  }
  const sub = (i: number) => tensorStr(t, dim + 1, offset + i * stride, indent + 1, summarize, f, isBool);
  let slices: string[];
  if (summarize && n > 2 * opts.edgeitems) slices = [...range(0, opts.edgeitems).map(sub), "...", ...range(n - opts.edgeitems, n).map(sub)];
  else slices = range(0, n).map(sub);
  const remaining = nd - dim;
  return "[" + slices.join("," + "\n".repeat(remaining - 1) + " ".repeat(indent + 1)) + "]";
}

function addSuffixes(body: string, suffixes: string[], indent: number): string {
  const parts = [body];
  let lastLineLen = body.length - body.lastIndexOf("\n") + 1;
  for (const s of suffixes) {
    if (lastLineLen + s.length + 2 > opts.linewidth) {
      parts.push(",\n" + " ".repeat(indent) + s);
      lastLineLen = indent + s.length;
    } else {
      parts.push(", " + s);
      lastLineLen += s.length + 2;
    }
  }
  parts.push(")");
  return parts.join("");
}

export function formatTensor(t: Tensor, defaultFloat = float32): string {
  const prefix = "tensor(";
  const indent = prefix.length;
  const suffixes: string[] = [];
  const isBool = t.dtype === bool;
  const numel = t.numel();
  let body: string;
  if (numel === 0) {
    if (t.ndim !== 1) suffixes.push(`size=(${t._shape.join(", ")}${t.ndim === 1 ? "," : ""})`);
    if (t.dtype !== defaultFloat) suffixes.push(`dtype=${t.dtype.toString()}`);
    body = "[]";
  } else {
    if (!(t.dtype === defaultFloat || t.dtype === int64 || t.dtype === bool)) suffixes.push(`dtype=${t.dtype.toString()}`);
    const summarize = numel > opts.threshold;
    const f = new Formatter(summarizedValues(t, summarize), t.dtype.is_floating_point, isBool);
    body = tensorStr(t, 0, t._offset, indent, summarize, f, isBool);
  }
  if (t.grad_fn) suffixes.push(`grad_fn=<${t.grad_fn.name()}>`);
  else if (t.requires_grad) suffixes.push("requires_grad=True");
  return addSuffixes(prefix + body, suffixes, indent);
}
