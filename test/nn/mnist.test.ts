// The short version of examples/mnist_mlp.ts: the seed's network, loss and optimizer on real MNIST for
// 150 steps of batch 64. The loss must fall and test accuracy must be far above chance (10%).
import { describe, expect, it } from "vitest";
import { trainMnist } from "../../examples/mnist_mlp.js";
import { loadMnist } from "../../examples/mnist_data.js";

describe("MNIST (short)", () => {
  it("ships the real data set", () => {
    const test = loadMnist("test");
    expect(test.count).toBe(10000);
    expect(test.images.length).toBe(10000 * 784);
    expect(Math.max(...test.labels)).toBe(9);
  });

  it("trains the seed's network: the loss falls and accuracy is well above chance", () => {
    const r = trainMnist({ epochs: 1, batchSize: 64, lr: 0.01, momentum: 0.9, seed: 0, trainLimit: 64 * 150, testLimit: 1000 });
    const losses = r.epochLosses[0];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(losses.length).toBe(150);
    expect(mean(losses.slice(0, 10))).toBeGreaterThan(2.0); // ~ln(10) at the start
    expect(mean(losses.slice(-20))).toBeLessThan(0.8);
    expect(r.accuracy).toBeGreaterThan(0.75);
  }, 300_000);
});
