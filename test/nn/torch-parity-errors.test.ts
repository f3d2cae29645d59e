// Bad input to nn layers, losses and optimizers raises PyTorch's messages, from
// test/fixtures/nn-errors.json (scripts/reference/nn_errors.py).
import { describe, expect, it } from "vitest";
import * as torchModule from "../../src/engine/index.js";
import {
  type FixtureTensor,
  type Namespace,
  call,
  callMethod,
  callModule,
  construct,
  decodeValue,
  loadFixture,
  makeTensor,
  namespaceAt,
  withOptions,
} from "../support/torch-fixtures.js";

const torch = torchModule as unknown as Namespace;

interface ErrorCase {
  name: string;
  kind: "module" | "optimizer";
  module?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  training?: boolean;
  inputs?: FixtureTensor[];
  optimizer?: string;
  error: string;
}

const fixture = loadFixture<{ torch_version: string; cases: ErrorCase[] }>("nn-errors.json");

/** Cases the engine does not match yet (case name -> reason); `it.fails` flags them once fixed. */
const KNOWN_GAPS: Record<string, string> = {};

function run(c: ErrorCase): void {
  if (c.kind === "module") {
    const args = decodeValue(torch, c.args) as unknown[];
    const kwargs = decodeValue(torch, c.kwargs) as Record<string, unknown>;
    const module = construct(namespaceAt(torch, "torch.nn"), "torch.nn", c.module!, withOptions(args, kwargs));
    callMethod(module, "train", [c.training]);
    const inputs = c.inputs!.map((t) => makeTensor(torch, t));
    expect(() => callModule(module, inputs)).toThrow(c.error);
    return;
  }
  // An optimizer that needs sparse gradients, given a dense one.
  const p = construct(namespaceAt(torch, "torch.nn"), "torch.nn", "Parameter", [call(torch, "zeros", [3])]);
  const optimizer = construct(namespaceAt(torch, "torch.optim"), "torch.optim", c.optimizer!, [[p]]);
  (callMethod(p, "sum", []) as { backward(): void }).backward();
  expect(() => callMethod(optimizer, "step", [])).toThrow(c.error);
}

describe(`nn errors use PyTorch's words (${fixture.torch_version})`, () => {
  it("every KNOWN_GAPS entry names a fixture case", () => {
    const names = new Set(fixture.cases.map((c) => c.name));
    expect(Object.keys(KNOWN_GAPS).filter((n) => !names.has(n))).toEqual([]);
  });

  for (const c of fixture.cases) {
    const gap = KNOWN_GAPS[c.name];
    if (gap) it.fails(`${c.name} [known gap: ${gap}]`, () => run(c));
    else it(c.name, () => run(c));
  }
});
