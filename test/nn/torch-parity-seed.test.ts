// The seed's training loop at full size against PyTorch 1.13: NeuralNetwork (784-512-512-10), SGD
// lr 0.01 momentum 0.9, batch 64, cross-entropy, float32, from test/fixtures/seed-training.json
// (scripts/reference/seed_training.py). Weights and batches come from the closed-form hash that the
// script documents, computed here the same way, so the fixture stays a few KB.
import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";
import { flatten, loadFixture } from "../support/torch-fixtures.js";

const { nn } = torch;

interface Stats {
  sum: number;
  abs_sum: number;
  head: number[];
}

interface SeedFixture {
  torch_version: string;
  hash: { multiplier: number; modulus: number; pixel_salt: number; label_salt: number; param_salts: number[] };
  optimizer: { name: string; lr: number; momentum: number };
  batch: number;
  steps: number;
  param_order: string[];
  initial: Record<string, Stats>;
  losses: number[];
  update: Record<string, Stats>;
}

const fixture = loadFixture<SeedFixture>("seed-training.json");
const { multiplier, modulus } = fixture.hash;

/** u(n, salt) = ((n * multiplier + salt) mod 2^32) / 2^32, exact: n * multiplier stays below 2^53. */
function hashedUniform(numel: number, salt: number): Float64Array {
  const out = new Float64Array(numel);
  for (let n = 0; n < numel; n++) out[n] = ((n * multiplier + salt) % modulus) / modulus;
  return out;
}

class NeuralNetwork extends nn.Module {
  flatten = new nn.Flatten();
  linear_relu_stack = new nn.Sequential(
    new nn.Linear(28 * 28, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10),
  );

  forward(x: torch.Tensor): torch.Tensor {
    return this.linear_relu_stack.call(this.flatten.call(x));
  }
}

function stats(values: ArrayLike<number>): Stats {
  let sum = 0;
  let abs_sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    abs_sum += Math.abs(values[i]);
  }
  return { sum, abs_sum, head: Array.from(values).slice(0, 8) };
}

function statsMismatches(label: string, got: Stats, want: Stats, rtol: number, headAtol: number): string[] {
  const problems: string[] = [];
  if (Math.abs(got.abs_sum - want.abs_sum) > rtol * want.abs_sum) {
    problems.push(`${label} abs_sum ${got.abs_sum} != expected ${want.abs_sum}`);
  }
  // The signed sum can cancel, so its tolerance scales with the sum of magnitudes.
  if (Math.abs(got.sum - want.sum) > rtol * want.abs_sum) problems.push(`${label} sum ${got.sum} != expected ${want.sum}`);
  want.head.forEach((w, i) => {
    if (Math.abs(got.head[i] - w) > headAtol + rtol * Math.abs(w)) problems.push(`${label} [${i}] ${got.head[i]} != expected ${w}`);
  });
  return problems;
}

describe(`the seed's training loop matches PyTorch ${fixture.torch_version}`, () => {
  it(`trains ${fixture.steps} steps with the same losses and updates`, () => {
    const model = new NeuralNetwork();
    const params = new Map([...model.named_parameters()]);
    expect([...params.keys()]).toEqual(fixture.param_order);

    // Initial weights from the hash: float32((2u - 1) / sqrt(fan_in)).
    const initial = new Map<string, Float32Array>();
    fixture.param_order.forEach((name, index) => {
      const p = params.get(name)!;
      const fanIn = params.get(name.replace(/\.(weight|bias)$/, ".weight"))!.shape[1];
      const u = hashedUniform(p.numel(), fixture.hash.param_salts[index]);
      const values = Float32Array.from(u, (v) => (2 * v - 1) / Math.sqrt(fanIn));
      initial.set(name, values);
      torch.no_grad(() => p.copy_(torch.tensor(values).reshape([...p.shape])));
    });
    const initProblems = fixture.param_order.flatMap((name) =>
      statsMismatches(`initial ${name}`, stats(initial.get(name)!), fixture.initial[name], 1e-9, 0),
    );
    expect(initProblems, "initial weights from the hash").toEqual([]);

    const { lr, momentum } = fixture.optimizer;
    const optimizer = new torch.optim.SGD(model.parameters(), { lr, momentum });
    const lossFn = new nn.CrossEntropyLoss();
    const losses: number[] = [];
    for (let step = 0; step < fixture.steps; step++) {
      const pixels = Float32Array.from(hashedUniform(fixture.batch * 28 * 28, fixture.hash.pixel_salt + step));
      const x = torch.tensor(pixels).reshape([fixture.batch, 1, 28, 28]);
      const labels = Array.from(hashedUniform(fixture.batch, fixture.hash.label_salt + step), (v) => Math.floor(10 * v));
      const y = torch.tensor(labels, { dtype: torch.int64 });
      optimizer.zero_grad();
      const loss = lossFn.call(model.call(x), y);
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
    }
    const lossProblems = losses.flatMap((l, i) =>
      Math.abs(l - fixture.losses[i]) <= 1e-6 + 1e-4 * Math.abs(fixture.losses[i]) ? [] : [`step ${i}: loss ${l} != ${fixture.losses[i]}`],
    );
    expect(lossProblems, "losses").toEqual([]);

    // What training changed, final - initial in float64; heads within a few float32 ulps of the weights.
    const updateProblems = fixture.param_order.flatMap((name) => {
      const final = flatten(params.get(name)!.tolist());
      const start = initial.get(name)!;
      const update = final.map((v, i) => v - start[i]);
      return statsMismatches(`update ${name}`, stats(update), fixture.update[name], 1e-4, 1e-8);
    });
    expect(updateProblems, "parameter updates").toEqual([]);
  });
});
