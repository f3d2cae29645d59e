import { describe, expect, it } from "vitest";
import {
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  ReduceLROnPlateau,
  StepLR,
  type SchedulableOptimizer,
} from "../../src/engine/optim/lr_scheduler.js";

function fakeOptimizer(lrs: number[], defaults: Record<string, unknown> = {}): SchedulableOptimizer {
  return { param_groups: lrs.map((lr) => ({ params: [], ...defaults, lr })), defaults };
}

function trajectory(sched: { step(): void; get_last_lr(): number[] }, steps: number): number[] {
  const out = [sched.get_last_lr()[0]];
  for (let i = 0; i < steps; i++) {
    sched.step();
    out.push(sched.get_last_lr()[0]);
  }
  return out;
}

describe("lr_scheduler", () => {
  it("StepLR decays by gamma every step_size epochs", () => {
    const opt = fakeOptimizer([0.1]);
    const lrs = trajectory(new StepLR(opt, 3, { gamma: 0.5 }), 7);
    expect(lrs.map((x) => +x.toPrecision(12))).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]);
    expect(opt.param_groups[0].initial_lr).toBe(0.1);
  });

  it("MultiStepLR counts repeated milestones", () => {
    const lrs = trajectory(new MultiStepLR(fakeOptimizer([1]), [2, 4, 4], { gamma: 0.1 }), 5);
    expect(lrs.map((x) => +x.toPrecision(12))).toEqual([1, 1, 0.1, 0.1, 0.001, 0.001]);
  });

  it("ExponentialLR and the closed form of step(epoch) agree", () => {
    const opt = fakeOptimizer([0.2]);
    const s = new ExponentialLR(opt, 0.9);
    const lrs = trajectory(s, 5);
    lrs.forEach((lr, t) => expect(lr).toBeCloseTo(0.2 * 0.9 ** t, 14));
    s.step(10);
    expect(s.get_last_lr()[0]).toBeCloseTo(0.2 * 0.9 ** 10, 14);
  });

  it("CosineAnnealingLR follows the cosine curve, including past T_max", () => {
    const T = 5, base = 0.1, eta = 0.01;
    const lrs = trajectory(new CosineAnnealingLR(fakeOptimizer([base]), T, { eta_min: eta }), 12);
    lrs.forEach((lr, t) => expect(lr).toBeCloseTo(eta + ((base - eta) * (1 + Math.cos((Math.PI * t) / T))) / 2, 12));
  });

  it("LinearLR ramps from start_factor to end_factor", () => {
    const lrs = trajectory(new LinearLR(fakeOptimizer([0.3]), { start_factor: 0.5, total_iters: 4 }), 6);
    const expected = [0.15, 0.1875, 0.225, 0.2625, 0.3, 0.3, 0.3];
    lrs.forEach((lr, i) => expect(lr).toBeCloseTo(expected[i], 12));
    expect(() => new LinearLR(fakeOptimizer([1]), { start_factor: 0 })).toThrow(
      "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.",
    );
  });

  it("OneCycleLR: warm-up to max_lr, anneal to min_lr, momentum cycled inversely", () => {
    const opt = fakeOptimizer([0.1], { lr: 0.1, momentum: 0.9 });
    const s = new OneCycleLR(opt, 1.0, { total_steps: 10 });
    expect(s.get_last_lr()[0]).toBeCloseTo(1.0 / 25, 14);
    expect(opt.param_groups[0].momentum).toBeCloseTo(0.95, 14);
    const lrs = trajectory(s, 9);
    // phase 1 ends at step 0.3*10-1 = 2: lr reaches max_lr, momentum base_momentum
    expect(lrs[2]).toBeCloseTo(1.0, 14);
    expect(lrs[9]).toBeCloseTo(1.0 / 25 / 1e4, 14);
    // cosine annealing in the middle of phase 1
    expect(lrs[1]).toBeCloseTo(1.0 + ((0.04 - 1.0) / 2) * (Math.cos(Math.PI * 0.5) + 1), 14);
    expect(opt.param_groups[0].momentum).toBeCloseTo(0.95, 14);
    s.step(); // PyTorch tolerates one step past the end (last_epoch == total_steps)
    expect(() => s.step()).toThrow("Tried to step 12 times. The specified number of total steps is 10");
    const adamLike = fakeOptimizer([0.1], { lr: 0.1, betas: [0.9, 0.999] });
    new OneCycleLR(adamLike, 0.5, { epochs: 2, steps_per_epoch: 5 });
    expect(adamLike.param_groups[0].betas).toEqual([0.95, 0.999]);
    expect(() => new OneCycleLR(fakeOptimizer([0.1]), 1)).toThrow("You must define either total_steps OR (epochs AND steps_per_epoch)");
    expect(() => new OneCycleLR(fakeOptimizer([0.1], { lr: 0.1 }), 1, { total_steps: 5 })).toThrow(
      "optimizer must support momentum with `cycle_momentum` option enabled",
    );
  });

  it("ReduceLROnPlateau reduces after patience bad epochs, honours cooldown and min_lr", () => {
    const opt = fakeOptimizer([1.0]);
    const s = new ReduceLROnPlateau(opt, { patience: 1, factor: 0.5, cooldown: 1, min_lr: 0.2 });
    const seen: number[] = [];
    for (const m of [10, 9, 9, 9, 9, 9, 9, 9, 9]) {
      s.step(m);
      seen.push(opt.param_groups[0].lr);
    }
    expect(seen).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]);
    s.step(9);
    s.step(9);
    s.step(9);
    expect(opt.param_groups[0].lr).toBe(0.2);
    expect(() => new ReduceLROnPlateau(opt, { factor: 1 })).toThrow("Factor should be < 1.0.");
  });

  it("state_dict round-trips and resumes the same schedule", () => {
    const a = new CosineAnnealingLR(fakeOptimizer([0.1]), 7);
    for (let i = 0; i < 3; i++) a.step();
    const sd = a.state_dict();
    expect(sd).not.toHaveProperty("optimizer");
    expect(sd.last_epoch).toBe(3);
    const optB = fakeOptimizer([0.1]);
    const b = new CosineAnnealingLR(optB, 7);
    b.load_state_dict(sd);
    optB.param_groups[0].lr = a.get_last_lr()[0];
    a.step();
    b.step();
    expect(b.get_last_lr()).toEqual(a.get_last_lr());
    const r = new ReduceLROnPlateau(fakeOptimizer([1]), { patience: 0 });
    r.step(5);
    const rsd = r.state_dict();
    expect(rsd.best).toBe(5);
    const r2 = new ReduceLROnPlateau(fakeOptimizer([1]));
    r2.load_state_dict(rsd);
    expect(r2.patience).toBe(0);
  });
});

describe("LambdaLR", () => {
  it("multiplies each group's initial lr by its lambda; the functions are not part of state_dict", () => {
    const opt = fakeOptimizer([0.1, 1]);
    const s = new LambdaLR(opt, [(e: number) => 0.5 ** e, (e: number) => 1 / (e + 1)]);
    s.step();
    s.step();
    expect(s.get_last_lr()).toEqual([0.1 * 0.25, 1 / 3]);
    const sd = s.state_dict();
    expect(sd).not.toHaveProperty("lr_lambdas");
    expect(sd.last_epoch).toBe(2);
    expect(() => new LambdaLR(fakeOptimizer([1, 2]), [(e: number) => e])).toThrow("Expected 2 lr_lambdas, but got 1");
  });
});
