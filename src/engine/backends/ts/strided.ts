// Strided iteration for the reference kernels: merging of dims that are laid out back to back, and a
// code generator that specialises an elementwise loop to one expression (so that V8 inlines the math
// instead of calling a function per element, tinygrad-style).
import * as M from "./math.js";

/** Merges adjacent dims that every operand walks contiguously; drops size-1 dims. */
export function coalesce(shape: readonly number[], strides: (readonly number[])[]): [number[], number[][]] {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d];
    if (size === 1) continue;
    const k = outShape.length - 1;
    let mergeable = k >= 0;
    if (mergeable) {
      for (let t = 0; t < strides.length; t++) {
        if (outStrides[t][k] !== strides[t][d] * size) {
          mergeable = false;
          break;
        }
      }
    }
    if (mergeable) {
      outShape[k] *= size;
      for (let t = 0; t < strides.length; t++) outStrides[t][k] = strides[t][d];
    } else {
      outShape.push(size);
      for (let t = 0; t < strides.length; t++) outStrides[t].push(strides[t][d]);
    }
  }
  return [outShape, outStrides];
}

export function isContiguousStrides(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

export function allZero(strides: readonly number[]): boolean {
  for (let i = 0; i < strides.length; i++) if (strides[i] !== 0) return false;
  return true;
}

/**
 * Signature of a generated map: out (contiguous) = EXPR(a, b, c) over shape, the inputs strided.
 * Unused inputs are passed as null with empty strides.
 */
export type MapLoop = (
  out: ArrayLike<number> & { [i: number]: number }, shape: readonly number[],
  x0: ArrayLike<number> | null, st0: readonly number[], o0: number,
  x1: ArrayLike<number> | null, st1: readonly number[], o1: number,
  x2: ArrayLike<number> | null, st2: readonly number[], o2: number,
  s0: number, s1: number,
) => void;

const VARS = ["a", "b", "c"];

/** Builds the loop for `expr` over nIn inputs named a, b, c; helpers are reachable as M.name. */
export function genMap(nIn: number, expr: string): MapLoop {
  const loads = (idx: (t: number) => string) =>
    Array.from({ length: nIn }, (_, t) => `const ${VARS[t]} = x${t}[${idx(t)}];`).join(" ");
  const allContig = Array.from({ length: nIn }, (_, t) => `H.isContiguousStrides(shape, st${t})`).join(" && ");
  const body = `
  return function map(out, shape, x0, st0, o0, x1, st1, o1, x2, st2, o2, s0, s1) {
    let n = 1;
    for (let i = 0; i < shape.length; i++) n *= shape[i];
    if (n === 0) return;
    if (${allContig}) {
      for (let i = 0; i < n; i++) { ${loads((t) => `o${t} + i`)} out[i] = ${expr}; }
      return;
    }
    ${nIn >= 2 ? `if (H.isContiguousStrides(shape, st0) && H.allZero(st1)${nIn === 3 ? " && H.isContiguousStrides(shape, st2)" : ""}) {
      const b = x1[o1];
      for (let i = 0; i < n; i++) { const a = x0[o0 + i]; ${nIn === 3 ? "const c = x2[o2 + i];" : ""} out[i] = ${expr}; }
      return;
    }` : ""}
    const [sh, sts] = H.coalesce(shape, [${Array.from({ length: nIn }, (_, t) => `st${t}`).join(", ")}]);
    const nd = sh.length;
    const inner = nd > 0 ? sh[nd - 1] : 1;
    ${Array.from({ length: nIn }, (_, t) => `const S${t} = sts[${t}]; const i${t} = nd > 0 ? S${t}[nd - 1] : 0; let p${t} = o${t};`).join("\n    ")}
    const cnt = new Int32Array(nd);
    const outer = n / inner;
    let o = 0;
    for (let r = 0; r < outer; r++) {
      ${Array.from({ length: nIn }, (_, t) => `let q${t} = p${t};`).join(" ")}
      for (let j = 0; j < inner; j++) {
        ${loads((t) => `q${t}`)}
        out[o++] = ${expr};
        ${Array.from({ length: nIn }, (_, t) => `q${t} += i${t};`).join(" ")}
      }
      for (let d = nd - 2; d >= 0; d--) {
        cnt[d]++;
        ${Array.from({ length: nIn }, (_, t) => `p${t} += S${t}[d];`).join(" ")}
        if (cnt[d] < sh[d]) break;
        cnt[d] = 0;
        ${Array.from({ length: nIn }, (_, t) => `p${t} -= S${t}[d] * sh[d];`).join(" ")}
      }
    }
  };`;
  return new Function("M", "H", body)(M, { coalesce, isContiguousStrides, allZero }) as MapLoop;
}
