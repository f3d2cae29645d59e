// Engine ops against PyTorch 1.13: forward values and gradients from test/fixtures/ops.json
// (written by scripts/reference/ops.py). Tolerances as tinygrad's test suite: atol 1e-6, rtol 1e-3.
import { describe, expect, it } from "vitest";
import * as torchModule from "../../src/engine/index.js";
import {
  type EngineTensor,
  type FixtureInput,
  type FixtureTensor,
  type Namespace,
  callMethod,
  decodeValue,
  loadFixture,
  makeTensor,
  resolvePath,
  tensorMismatches,
  withOptions,
} from "../support/torch-fixtures.js";

const torch = torchModule as unknown as Namespace;
const TOLERANCE = { atol: 1e-6, rtol: 1e-3 };

interface OpCase {
  name: string;
  op: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  inputs: FixtureInput[];
  output_kind: "tensor" | "tuple" | "named";
  output_names?: string[];
  outputs: FixtureTensor[];
  grad_outputs?: Array<FixtureTensor | null>;
  grads?: Array<FixtureTensor | null>;
}

const fixture = loadFixture<{ torch_version: string; cases: OpCase[] }>("ops.json");

interface ErrorCase {
  name: string;
  op: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  inputs: FixtureInput[];
  then: "backward" | "sum_backward_twice" | "add_1_then_sum_backward" | null;
  error: string;
}

const errors = loadFixture<{ cases: ErrorCase[] }>("op-errors.json");

/**
 * Cases the engine does not pass yet, by fixture name, each with the reason. `it.fails` keeps
 * them honest: when the engine is fixed the case starts passing, `it.fails` reports it, and the
 * entry must be removed here.
 */
const KNOWN_GAPS: Record<string, string> = {};
/** The same for op-errors.json: errors not raised yet, or raised in other words. */
const KNOWN_ERROR_GAPS: Record<string, string> = {};

function runOp(c: Pick<OpCase, "op" | "args" | "kwargs">, views: EngineTensor[]): unknown {
  const args = decodeValue(torch, c.args, views) as unknown[];
  const kwargs = decodeValue(torch, c.kwargs, views) as Record<string, unknown>;
  if (c.op.startsWith("Tensor.")) {
    return callMethod(args[0], c.op.slice("Tensor.".length), withOptions(args.slice(1), kwargs));
  }
  return resolvePath(torch, c.op)(...withOptions(args, kwargs));
}

function outputsOf(c: OpCase, result: unknown): EngineTensor[] {
  if (c.output_kind === "tensor") return [result as EngineTensor];
  if (c.output_kind === "named") {
    return c.output_names!.map((n) => (result as Record<string, EngineTensor>)[n]);
  }
  if (!Array.isArray(result)) throw new Error(`${c.op} should return an array of tensors`);
  return result as EngineTensor[];
}

/** Leaf tensors for the inputs, and the views of them that the op receives. */
function makeInputs(inputs: FixtureInput[]): { leaves: EngineTensor[]; views: EngineTensor[] } {
  const leaves = inputs.map((inp) => makeTensor(torch, inp, inp.requires_grad));
  const views = leaves.map((leaf, i) =>
    (inputs[i].view ?? []).reduce<EngineTensor>((x, [method, margs]) => callMethod(x, method, margs) as EngineTensor, leaf),
  );
  return { leaves, views };
}

function runCase(c: OpCase): void {
  const { leaves, views } = makeInputs(c.inputs);
  const outs = outputsOf(c, runOp(c, views));

  const problems: string[] = [];
  if (outs.length !== c.outputs.length) problems.push(`${outs.length} outputs != expected ${c.outputs.length}`);
  c.outputs.forEach((want, i) => {
    for (const p of tensorMismatches(torch, outs[i], want, TOLERANCE)) problems.push(`output ${i}: ${p}`);
  });
  expect(problems, "forward").toEqual([]);

  if (!c.grad_outputs || !c.grads) return;
  // backward(g) per differentiable output; gradients accumulate on the leaves as in
  // torch.autograd.backward(outputs, grad_outputs).
  const seeded = c.grad_outputs.flatMap((g, i) => (g ? [[outs[i], makeTensor(torch, g)] as const] : []));
  seeded.forEach(([out, g], k) => out.backward(g, { retain_graph: k < seeded.length - 1 }));
  c.grads.forEach((want, i) => {
    if (!c.inputs[i].requires_grad) return;
    if (want === null) {
      if (leaves[i].grad !== null) problems.push(`grad ${i}: expected null (unused input)`);
      return;
    }
    for (const p of tensorMismatches(torch, leaves[i].grad, want, TOLERANCE)) problems.push(`grad ${i}: ${p}`);
  });
  expect(problems, "gradients").toEqual([]);
}

describe(`engine ops match PyTorch ${fixture.torch_version}`, () => {
  it("the fixture covers every op of the engine issue", () => {
    const ops = new Set(fixture.cases.map((c) => c.op.replace(/^(Tensor|torch\.nn\.functional|torch)\./, "")));
    const required = [
      "add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sqrt", "rsqrt", "abs", "sign", "clamp",
      "maximum", "minimum", "where", "eq", "ne", "lt", "le", "gt", "ge", "sum", "mean", "max", "min",
      "argmax", "argmin", "var", "std", "logsumexp", "matmul", "mm", "bmm", "reshape", "view",
      "transpose", "permute", "squeeze", "unsqueeze", "flatten", "expand", "contiguous", "narrow",
      "index_select", "gather", "scatter_add", "cat", "stack", "split", "chunk", "pad", "relu",
      "sigmoid", "tanh", "gelu", "softmax", "log_softmax", "dropout",
    ];
    expect(required.filter((op) => !ops.has(op))).toEqual([]);
  });

  it("every KNOWN_GAPS entry names a fixture case", () => {
    const names = new Set(fixture.cases.map((c) => c.name));
    expect(Object.keys(KNOWN_GAPS).filter((n) => !names.has(n))).toEqual([]);
  });

  for (const c of fixture.cases) {
    const gap = KNOWN_GAPS[c.name];
    if (gap) it.fails(`${c.name} [known gap: ${gap}]`, () => runCase(c));
    else it(c.name, () => runCase(c));
  }
});

function runErrorCase(c: ErrorCase): void {
  const { views } = makeInputs(c.inputs);
  expect(() => {
    const out = runOp(c, views) as EngineTensor;
    if (c.then === "backward") out.backward();
    if (c.then === "add_1_then_sum_backward") {
      callMethod(out, "add_", [1]);
      (callMethod(out, "sum", []) as EngineTensor).backward();
    }
    if (c.then === "sum_backward_twice") {
      const total = callMethod(out, "sum", []) as EngineTensor;
      total.backward();
      total.backward();
    }
  }).toThrow(c.error);
}

describe("engine errors use PyTorch's words", () => {
  it("every KNOWN_ERROR_GAPS entry names a fixture case", () => {
    const names = new Set(errors.cases.map((c) => c.name));
    expect(Object.keys(KNOWN_ERROR_GAPS).filter((n) => !names.has(n))).toEqual([]);
  });

  for (const c of errors.cases) {
    const gap = KNOWN_ERROR_GAPS[c.name];
    if (gap) it.fails(`${c.name} [known gap: ${gap}]`, () => runErrorCase(c));
    else it(c.name, () => runErrorCase(c));
  }
});
