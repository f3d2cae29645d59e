// Tensor printouts against PyTorch 1.13 (default print options), from
// test/fixtures/tensor-printouts.json (scripts/reference/printouts.py).
import { describe, expect, it } from "vitest";
import * as torchModule from "../../src/engine/index.js";
import { type FixtureInput, type Namespace, callMethod, loadFixture, makeTensor } from "../support/torch-fixtures.js";

const torch = torchModule as unknown as Namespace;

interface PrintCase {
  name: string;
  input: FixtureInput;
  then: [string, unknown[]] | null;
  repr: string;
}

const fixture = loadFixture<{ torch_version: string; cases: PrintCase[] }>("tensor-printouts.json");

/** Printouts the engine does not match yet (case name -> reason); `it.fails` flags them once fixed. */
const KNOWN_GAPS: Record<string, string> = {};

function printout(c: PrintCase): string {
  const t = makeTensor(torch, c.input, c.input.requires_grad);
  const result = c.then ? callMethod(t, c.then[0], c.then[1]) : t;
  return String(result);
}

describe(`tensor printouts match PyTorch ${fixture.torch_version}`, () => {
  it("every KNOWN_GAPS entry names a fixture case", () => {
    const names = new Set(fixture.cases.map((c) => c.name));
    expect(Object.keys(KNOWN_GAPS).filter((n) => !names.has(n))).toEqual([]);
  });

  for (const c of fixture.cases) {
    const gap = KNOWN_GAPS[c.name];
    if (gap) it.fails(`${c.name} [known gap: ${gap}]`, () => expect(printout(c)).toBe(c.repr));
    else it(c.name, () => expect(printout(c)).toBe(c.repr));
  }
});
