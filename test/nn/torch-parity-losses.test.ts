// torch.nn losses against PyTorch 1.13, module and functional forms: value and input gradient,
// from test/fixtures/losses.json (scripts/reference/losses.py).
import { describe, expect, it } from "vitest";
import * as torchModule from "../../src/engine/index.js";
import {
  type EngineTensor,
  type FixtureTensor,
  type Namespace,
  callModule,
  construct,
  decodeValue,
  loadFixture,
  makeTensor,
  namespaceAt,
  nnTolerance,
  resolvePath,
  tensorMismatches,
  withOptions,
} from "../support/torch-fixtures.js";

const torch = torchModule as unknown as Namespace;

interface LossCase {
  name: string;
  loss: string;
  functional: string;
  kwargs: Record<string, unknown>;
  input: FixtureTensor;
  target: FixtureTensor;
  output: FixtureTensor;
  grad_output: FixtureTensor;
  grad_input: FixtureTensor;
}

const fixture = loadFixture<{ torch_version: string; cases: LossCase[] }>("losses.json");

/** Cases the engine does not pass yet (fixture name -> reason); `it.fails` flags them once fixed. */
const KNOWN_GAPS: Record<string, string> = {};
/** Functional-form cases the engine does not pass yet (fixture name -> reason). */
const KNOWN_FUNCTIONAL_GAPS: Record<string, string> = {};

function check(c: LossCase, run: (input: EngineTensor, target: EngineTensor, options: Record<string, unknown>) => unknown): void {
  const tol = nnTolerance(c.input.dtype);
  const input = makeTensor(torch, c.input, true);
  const target = makeTensor(torch, c.target);
  const options = decodeValue(torch, c.kwargs) as Record<string, unknown>;
  const out = run(input, target, options) as EngineTensor;
  expect(tensorMismatches(torch, out, c.output, tol), "loss value").toEqual([]);
  out.backward(makeTensor(torch, c.grad_output));
  expect(tensorMismatches(torch, input.grad, c.grad_input, tol), "input gradient").toEqual([]);
}

function runModule(c: LossCase): void {
  check(c, (input, target, options) => {
    const loss = construct(namespaceAt(torch, "torch.nn"), "torch.nn", c.loss, withOptions([], options));
    return callModule(loss, [input, target]);
  });
}

function runFunctional(c: LossCase): void {
  check(c, (input, target, options) =>
    resolvePath(torch, `torch.nn.functional.${c.functional}`)(...withOptions([input, target], options)),
  );
}

describe(`torch.nn losses match PyTorch ${fixture.torch_version}`, () => {
  it("the fixture covers every loss of the nn issue", () => {
    const losses = new Set(fixture.cases.map((c) => c.loss));
    const required = [
      "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss",
      "BCEWithLogitsLoss", "KLDivLoss",
    ];
    expect(required.filter((l) => !losses.has(l))).toEqual([]);
  });

  it("every KNOWN_GAPS entry names a fixture case", () => {
    const names = new Set(fixture.cases.map((c) => c.name));
    const stale = [...Object.keys(KNOWN_GAPS), ...Object.keys(KNOWN_FUNCTIONAL_GAPS)].filter((n) => !names.has(n));
    expect(stale).toEqual([]);
  });

  for (const c of fixture.cases) {
    const gap = KNOWN_GAPS[c.name];
    if (gap) it.fails(`${c.name} [known gap: ${gap}]`, () => runModule(c));
    else it(c.name, () => runModule(c));
    const fgap = KNOWN_FUNCTIONAL_GAPS[c.name];
    const label = `${c.name} as F.${c.functional}`;
    if (fgap) it.fails(`${label} [known gap: ${fgap}]`, () => runFunctional(c));
    else it(label, () => runFunctional(c));
  }
});
