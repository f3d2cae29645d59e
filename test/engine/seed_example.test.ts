import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";

describe("the seed's worked example", () => {
  it("y = w*x + b, z = y**2 gives w.grad=42, b.grad=14, x.grad=28", () => {
    const x = torch.tensor(3.0, { requires_grad: true });
    const w = torch.tensor(2.0, { requires_grad: true });
    const b = torch.tensor(1.0, { requires_grad: true });
    const y = w.mul(x).add(b);
    const z = y.pow(2);
    z.backward();
    expect(w.grad!.item()).toBe(42);
    expect(b.grad!.item()).toBe(14);
    expect(x.grad!.item()).toBe(28);
    expect(z.item()).toBe(49);
    expect(String(z)).toBe("tensor(49., grad_fn=<PowBackward0>)");
    expect(String(w)).toBe("tensor(2., requires_grad=True)");
  });
});
