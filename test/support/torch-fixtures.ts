// Reading the PyTorch reference fixtures (test/fixtures/*.json, written by scripts/reference/) and
// comparing engine tensors with them. The format is described in scripts/reference/README.md.
import { readFileSync } from "node:fs";

/** A tensor as a fixture stores it: row-major flat data; non-finite floats as "nan", "inf", "-inf". */
export interface FixtureTensor {
  shape: number[];
  dtype: string;
  data: Array<number | boolean | string>;
}

export interface FixtureInput extends FixtureTensor {
  requires_grad: boolean;
  /** Method calls applied to the leaf before it is passed to the op: [[name, [args...]], ...]. */
  view?: Array<[string, unknown[]]>;
}

/**
 * The part of the engine's Tensor API the harnesses use. Declared structurally so that the
 * harnesses check the engine through its public, PyTorch-named surface only.
 */
export interface EngineTensor {
  shape: ArrayLike<number>;
  dtype: unknown;
  grad: EngineTensor | null;
  requires_grad: boolean;
  tolist(): unknown;
  backward(gradient?: EngineTensor, options?: { retain_graph?: boolean }): void;
}

export type Namespace = Record<string, unknown>;

export function loadFixture<T>(name: string): T {
  const url = new URL(`../fixtures/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as T;
}

export function decodeNumber(v: number | boolean | string): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  throw new Error(`bad fixture number ${JSON.stringify(v)}`);
}

function nest(flat: unknown[], shape: number[], offset = 0): unknown {
  if (shape.length === 0) return flat[offset];
  const [n, ...rest] = shape;
  const stride = rest.reduce((a, b) => a * b, 1);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(nest(flat, rest, offset + i * stride));
  return out;
}

export function engineDtype(torch: Namespace, name: string): unknown {
  const d = torch[name];
  if (d === undefined) throw new Error(`engine has no dtype torch.${name}`);
  return d;
}

/** An engine tensor with the fixture's values, built with torch.tensor (or torch.zeros when empty). */
export function makeTensor(torch: Namespace, t: FixtureTensor, requires_grad = false): EngineTensor {
  const dtype = engineDtype(torch, t.dtype);
  const numel = t.shape.reduce((a, b) => a * b, 1);
  if (numel === 0) {
    return call(torch, "zeros", [t.shape, { dtype, requires_grad }]) as EngineTensor;
  }
  const values = t.dtype === "bool" ? t.data.map((v) => Boolean(v)) : t.data.map(decodeNumber);
  return call(torch, "tensor", [nest(values, t.shape), { dtype, requires_grad }]) as EngineTensor;
}

/** Calls namespace[name](...args), with a clear error when the engine lacks the function. */
export function call(ns: Namespace, name: string, args: unknown[]): unknown {
  const fn = ns[name];
  if (typeof fn !== "function") throw new Error(`engine lacks ${name}`);
  return (fn as (...a: unknown[]) => unknown).apply(ns, args);
}

/** Calls a method by name on an engine object (tensor.sum(...), module.forward(...)). */
export function callMethod(self: unknown, name: string, args: unknown[]): unknown {
  const fn = (self as Record<string, unknown>)[name];
  if (typeof fn !== "function") throw new Error(`engine lacks Tensor.${name}`);
  return (fn as (...a: unknown[]) => unknown).apply(self, args);
}

/** Resolves a dotted PyTorch path such as "torch.nn.functional.pad" on the engine namespace. */
export function resolvePath(torch: Namespace, path: string): (...a: unknown[]) => unknown {
  const parts = path.split(".");
  if (parts[0] !== "torch") throw new Error(`not a torch path: ${path}`);
  let target: unknown = torch;
  let owner: unknown = torch;
  for (const p of parts.slice(1)) {
    owner = target;
    target = target == null ? undefined : (target as Record<string, unknown>)[p];
  }
  if (typeof target !== "function") throw new Error(`engine lacks ${path}`);
  const fn = target as (...a: unknown[]) => unknown;
  return (...a: unknown[]) => fn.apply(owner, a);
}

export function flatten(value: unknown): number[] {
  const out: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (typeof v === "boolean") out.push(v ? 1 : 0);
    else if (typeof v === "bigint") out.push(Number(v));
    else out.push(v as number);
  };
  walk(value);
  return out;
}

export interface Tolerance {
  atol: number;
  rtol: number;
}

function close(actual: number, expected: number, tol: Tolerance): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= tol.atol + tol.rtol * Math.abs(expected);
}

/**
 * Differences between an engine tensor and a fixture tensor: shape, dtype and values (exact for
 * integer and bool dtypes, within tol for floating ones). An empty list means they agree.
 */
export function tensorMismatches(
  torch: Namespace,
  actual: EngineTensor | null | undefined,
  expected: FixtureTensor,
  tol: Tolerance,
): string[] {
  if (actual == null) return [`expected a tensor, got ${String(actual)}`];
  const shape = Array.from(actual.shape);
  if (JSON.stringify(shape) !== JSON.stringify(expected.shape)) {
    return [`shape [${shape}] != expected [${expected.shape}]`];
  }
  const problems: string[] = [];
  const wantDtype = engineDtype(torch, expected.dtype);
  if (actual.dtype !== wantDtype) problems.push(`dtype ${String(actual.dtype)} != expected torch.${expected.dtype}`);
  const got = flatten(actual.tolist());
  const want = expected.data.map(decodeNumber);
  if (got.length !== want.length) return [...problems, `${got.length} values != expected ${want.length}`];
  const exact = expected.dtype.startsWith("int") || expected.dtype === "bool";
  let bad = 0;
  for (let i = 0; i < want.length; i++) {
    const ok = exact ? got[i] === want[i] : close(got[i], want[i], tol);
    if (!ok) {
      if (bad < 5) problems.push(`[${i}] ${got[i]} != expected ${want[i]}`);
      bad++;
    }
  }
  if (bad > 5) problems.push(`... ${bad} values differ in all (of ${want.length})`);
  return problems;
}

/**
 * Fixture argument -> engine value: {"input": i} and {"inputs": [...]} pick from `inputs`,
 * {"dtype": name} is the engine's dtype, {"tensor_value": t} a constant tensor; arrays and other
 * objects (option bags) are decoded member by member.
 */
export function decodeValue(torch: Namespace, value: unknown, inputs: EngineTensor[] = []): unknown {
  if (Array.isArray(value)) return value.map((v) => decodeValue(torch, v, inputs));
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    // Markers are objects with exactly one key of the right type; { dtype: { dtype: "float64" } }
    // is an option bag holding a dtype marker.
    const only = Object.keys(obj).length === 1;
    if (only && typeof obj.input === "number") return inputs[obj.input];
    if (only && Array.isArray(obj.inputs)) return (obj.inputs as number[]).map((i) => inputs[i]);
    if (only && typeof obj.dtype === "string") return engineDtype(torch, obj.dtype);
    if (only && typeof obj.tensor_value === "object") return makeTensor(torch, obj.tensor_value as FixtureTensor);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, decodeValue(torch, v, inputs)]));
  }
  return value;
}

/** An options object as the last argument only when there are options (PyTorch's kwargs). */
export function withOptions(args: unknown[], options: Record<string, unknown>): unknown[] {
  return Object.keys(options).length > 0 ? [...args, options] : args;
}

/** A namespace member that must exist: torch.nn, torch.optim, torch.nn.functional ... */
export function namespaceAt(torch: Namespace, path: string): Namespace {
  let target: unknown = torch;
  for (const p of path.split(".").slice(1)) {
    target = target == null ? undefined : (target as Record<string, unknown>)[p];
  }
  if (target == null) throw new Error(`engine lacks ${path}`);
  return target as Namespace;
}

/** `new ns[name](...args)`, with a clear error when the engine lacks the class. */
export function construct(ns: Namespace, path: string, name: string, args: unknown[]): Record<string, unknown> {
  const cls = ns[name];
  if (typeof cls !== "function") throw new Error(`engine lacks ${path}.${name}`);
  return new (cls as new (...a: unknown[]) => Record<string, unknown>)(...args);
}

/** PyTorch's `module(*args)`: the engine's modules are called with `module.call(...)`. */
export function callModule(module: unknown, args: unknown[]): unknown {
  return callMethod(module, "call", args);
}

/** Float tolerance of the nn/optim parity tests: 1e-5 relative in float64, 1e-4 in float32. */
export function nnTolerance(dtype: string): Tolerance {
  return dtype === "float32" ? { atol: 1e-6, rtol: 1e-4 } : { atol: 1e-8, rtol: 1e-5 };
}

/** The state_dict entries of a fixture as engine tensors (for load_state_dict). */
export function makeStateDict(torch: Namespace, state: Record<string, FixtureTensor>): Record<string, EngineTensor> {
  return Object.fromEntries(Object.entries(state).map(([k, t]) => [k, makeTensor(torch, t)]));
}

/** Entries of a named_* iterator (named_parameters, named_buffers) as a Map. */
export function namedMap(self: unknown, method: string): Map<string, EngineTensor> {
  return new Map(callMethod(self, method, []) as Iterable<[string, EngineTensor]>);
}
