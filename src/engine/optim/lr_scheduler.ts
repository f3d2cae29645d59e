// Learning-rate schedulers with PyTorch 1.13's formulas. Like PyTorch, the epoch-based schedulers use the
// "chainable" form (each step derives the new lr from the group's current lr), so that step-by-step
// values match PyTorch's to the last bit, and `step(epoch)` falls back to the closed form where one exists.
// Arguments follow PyTorch: positional, or by name in a trailing options object
// (`new StepLR(opt, 5, { gamma: 0.5 })` or `new StepLR(opt, { step_size: 5, gamma: 0.5 })`).

/** What a scheduler needs of an optimizer: its parameter groups (mutable option bags) and defaults. */
import { bind } from "../nn/_args.js";

export interface SchedulableOptimizer {
  param_groups: Array<Record<string, any>>;
  defaults: Record<string, unknown>;
}

export type SchedulerState = Record<string, unknown>;

interface Common {
  last_epoch?: number;
  verbose?: boolean;
}

/** Python's modulo: the result takes the sign of the divisor. */
function pymod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

export abstract class LRScheduler {
  optimizer: SchedulableOptimizer;
  base_lrs: number[];
  last_epoch: number;
  verbose: boolean;
  _step_count = 0;
  _last_lr: number[] = [];

  constructor(optimizer: SchedulableOptimizer, last_epoch = -1, verbose = false) {
    this.optimizer = optimizer;
    if (last_epoch === -1) {
      for (const group of optimizer.param_groups) if (!("initial_lr" in group)) group.initial_lr = group.lr;
    } else {
      optimizer.param_groups.forEach((group, i) => {
        if (!("initial_lr" in group)) {
          throw new Error(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
        }
      });
    }
    this.base_lrs = optimizer.param_groups.map((g) => g.initial_lr as number);
    this.last_epoch = last_epoch;
    this.verbose = verbose;
  }

  /** Subclasses call this at the end of their constructor, as PyTorch's base __init__ does last. */
  protected _initial_step(): void {
    this.step();
  }

  abstract get_lr(): number[];

  /** The closed form, used by `step(epoch)` where the scheduler has one. */
  protected _get_closed_form_lr?(): number[];

  get_last_lr(): number[] {
    return [...this._last_lr];
  }

  step(epoch?: number): void {
    this._step_count += 1;
    let values: number[];
    if (epoch === undefined) {
      this.last_epoch += 1;
      values = this.get_lr();
    } else {
      this.last_epoch = epoch;
      values = this._get_closed_form_lr ? this._get_closed_form_lr() : this.get_lr();
    }
    this.optimizer.param_groups.forEach((group, i) => {
      group.lr = values[i];
      if (this.verbose) console.log(`Adjusting learning rate of group ${i} to ${values[i].toExponential(4)}.`);
    });
    this._last_lr = this.optimizer.param_groups.map((g) => g.lr as number);
  }

  /** Every attribute except the optimizer, as PyTorch's state_dict (plain data, JSON-friendly). */
  state_dict(): SchedulerState {
    const out: SchedulerState = {};
    for (const [k, v] of Object.entries(this)) if (k !== "optimizer") out[k] = structuredClone(v);
    return out;
  }

  load_state_dict(state: SchedulerState): void {
    for (const [k, v] of Object.entries(state)) if (k !== "optimizer") (this as any)[k] = structuredClone(v);
  }

  protected groupLrs(): number[] {
    return this.optimizer.param_groups.map((g) => g.lr as number);
  }
}

/** PyTorch 1.13's name for the base class. */
export { LRScheduler as _LRScheduler };

/** lr = initial_lr * lr_lambda(epoch), one function for all groups or one per group. */
export class LambdaLR extends LRScheduler {
  lr_lambdas: ((epoch: number) => number)[];
  constructor(
    optimizer: SchedulableOptimizer,
    ...args: (((epoch: number) => number) | ((epoch: number) => number)[] | number | boolean | (Common & { lr_lambda?: unknown }))[]
  ) {
    const opts = bind("LambdaLR", ["lr_lambda", "last_epoch", "verbose"], args);
    const fns = opts.lr_lambda as ((epoch: number) => number) | ((epoch: number) => number)[];
    const n = optimizer.param_groups.length;
    let lambdas: ((epoch: number) => number)[];
    if (Array.isArray(fns)) {
      if (fns.length !== n) throw new Error(`Expected ${n} lr_lambdas, but got ${fns.length}`);
      lambdas = [...fns];
    } else {
      lambdas = new Array(n).fill(fns);
    }
    super(optimizer, opts.last_epoch ?? -1, opts.verbose ?? false);
    this.lr_lambdas = lambdas;
    this._initial_step();
  }
  get_lr(): number[] {
    return this.base_lrs.map((b, i) => b * this.lr_lambdas[i](this.last_epoch));
  }
  /** The functions are not state (PyTorch saves only callable objects' attributes). */
  override state_dict(): SchedulerState {
    const out: SchedulerState = {};
    for (const [k, v] of Object.entries(this)) if (k !== "optimizer" && k !== "lr_lambdas") out[k] = structuredClone(v);
    return out;
  }
}

export class StepLR extends LRScheduler {
  step_size: number;
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, ...args: (number | boolean | (Common & { step_size?: number; gamma?: number }))[]) {
    const opts = bind("StepLR", ["step_size", "gamma", "last_epoch", "verbose"], args);
    super(optimizer, opts.last_epoch ?? -1, opts.verbose ?? false);
    this.step_size = opts.step_size;
    this.gamma = opts.gamma ?? 0.1;
    this._initial_step();
  }
  get_lr(): number[] {
    if (this.last_epoch === 0 || this.last_epoch % this.step_size !== 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
  protected override _get_closed_form_lr(): number[] {
    return this.base_lrs.map((b) => b * this.gamma ** Math.floor(this.last_epoch / this.step_size));
  }
}

export class MultiStepLR extends LRScheduler {
  /** milestone -> how many times it was given (PyTorch keeps a Counter). */
  milestones: Record<string, number>;
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, ...args: (number[] | number | boolean | (Common & { milestones?: number[]; gamma?: number }))[]) {
    const opts = bind("MultiStepLR", ["milestones", "gamma", "last_epoch", "verbose"], args);
    super(optimizer, opts.last_epoch ?? -1, opts.verbose ?? false);
    this.milestones = {};
    for (const m of opts.milestones as number[]) this.milestones[m] = (this.milestones[m] ?? 0) + 1;
    this.gamma = opts.gamma ?? 0.1;
    this._initial_step();
  }
  get_lr(): number[] {
    const count = this.milestones[this.last_epoch];
    if (count === undefined) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma ** count);
  }
  protected override _get_closed_form_lr(): number[] {
    let passed = 0;
    const sorted = Object.entries(this.milestones).map(([m, c]) => [Number(m), c]).sort((a, b) => a[0] - b[0]);
    for (const [m, c] of sorted) if (m <= this.last_epoch) passed += c;
    return this.base_lrs.map((b) => b * this.gamma ** passed);
  }
}

export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, ...args: (number | boolean | (Common & { gamma?: number }))[]) {
    const opts = bind("ExponentialLR", ["gamma", "last_epoch", "verbose"], args);
    super(optimizer, opts.last_epoch ?? -1, opts.verbose ?? false);
    this.gamma = opts.gamma;
    this._initial_step();
  }
  get_lr(): number[] {
    if (this.last_epoch === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
  protected override _get_closed_form_lr(): number[] {
    return this.base_lrs.map((b) => b * this.gamma ** this.last_epoch);
  }
}

export class CosineAnnealingLR extends LRScheduler {
  T_max: number;
  eta_min: number;
  constructor(optimizer: SchedulableOptimizer, ...args: (number | boolean | (Common & { T_max?: number; eta_min?: number }))[]) {
    const opts = bind("CosineAnnealingLR", ["T_max", "eta_min", "last_epoch", "verbose"], args);
    super(optimizer, opts.last_epoch ?? -1, opts.verbose ?? false);
    this.T_max = opts.T_max;
    this.eta_min = opts.eta_min ?? 0;
    this._initial_step();
  }
  get_lr(): number[] {
    const { T_max, eta_min, last_epoch } = this;
    const groups = this.optimizer.param_groups;
    if (last_epoch === 0) return this.groupLrs();
    if (this._step_count === 1 && last_epoch > 0) {
      return this.base_lrs.map((b) => eta_min + ((b - eta_min) * (1 + Math.cos((last_epoch * Math.PI) / T_max))) / 2);
    }
    if (pymod(last_epoch - 1 - T_max, 2 * T_max) === 0) {
      return groups.map((g, i) => g.lr + ((this.base_lrs[i] - eta_min) * (1 - Math.cos(Math.PI / T_max))) / 2);
    }
    return groups.map(
      (g) =>
        ((1 + Math.cos((Math.PI * last_epoch) / T_max)) / (1 + Math.cos((Math.PI * (last_epoch - 1)) / T_max))) * (g.lr - eta_min) +
        eta_min,
    );
  }
  protected override _get_closed_form_lr(): number[] {
    return this.base_lrs.map(
      (b) => this.eta_min + ((b - this.eta_min) * (1 + Math.cos((Math.PI * this.last_epoch) / this.T_max))) / 2,
    );
  }
}

export class LinearLR extends LRScheduler {
  start_factor: number;
  end_factor: number;
  total_iters: number;
  constructor(
    optimizer: SchedulableOptimizer,
    ...args: (number | boolean | (Common & { start_factor?: number; end_factor?: number; total_iters?: number }))[]
  ) {
    const opts = bind("LinearLR", ["start_factor", "end_factor", "total_iters", "last_epoch", "verbose"], args);
    const start_factor = opts.start_factor ?? 1 / 3;
    const end_factor = opts.end_factor ?? 1.0;
    if (start_factor > 1.0 || start_factor <= 0) {
      throw new Error("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
    }
    if (end_factor > 1.0 || end_factor < 0) throw new Error("Ending multiplicative factor expected to be between 0 and 1.");
    super(optimizer, opts.last_epoch ?? -1, opts.verbose ?? false);
    this.start_factor = start_factor;
    this.end_factor = end_factor;
    this.total_iters = opts.total_iters ?? 5;
    this._initial_step();
  }
  get_lr(): number[] {
    const { start_factor: s, end_factor: e, total_iters: n, last_epoch: t } = this;
    if (t === 0) return this.groupLrs().map((lr) => lr * s);
    if (t > n) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }
  protected override _get_closed_form_lr(): number[] {
    const { start_factor: s, end_factor: e, total_iters: n, last_epoch: t } = this;
    return this.base_lrs.map((b) => b * (s + ((e - s) * Math.min(n, t)) / n));
  }
}

interface OneCyclePhase {
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}

export interface OneCycleOptions {
  max_lr?: number | number[];
  total_steps?: number;
  epochs?: number;
  steps_per_epoch?: number;
  pct_start?: number;
  anneal_strategy?: "cos" | "linear";
  cycle_momentum?: boolean;
  base_momentum?: number | number[];
  max_momentum?: number | number[];
  div_factor?: number;
  final_div_factor?: number;
  three_phase?: boolean;
  last_epoch?: number;
  verbose?: boolean;
}

const ONE_CYCLE_ARGS = [
  "max_lr", "total_steps", "epochs", "steps_per_epoch", "pct_start", "anneal_strategy", "cycle_momentum", "base_momentum",
  "max_momentum", "div_factor", "final_div_factor", "three_phase", "last_epoch", "verbose",
];

function formatParam(name: string, optimizer: SchedulableOptimizer, value: number | number[]): number[] {
  const n = optimizer.param_groups.length;
  if (Array.isArray(value)) {
    if (value.length !== n) throw new Error(`expected ${n} values for ${name}, got ${value.length}`);
    return [...value];
  }
  return new Array(n).fill(value);
}

export class OneCycleLR extends LRScheduler {
  total_steps: number;
  _schedule_phases: OneCyclePhase[];
  anneal_strategy: "cos" | "linear";
  cycle_momentum: boolean;
  use_beta1 = false;

  constructor(optimizer: SchedulableOptimizer, ...args: (number | number[] | string | boolean | OneCycleOptions)[]) {
    const opts: OneCycleOptions = bind("OneCycleLR", ONE_CYCLE_ARGS, args);
    const max_lr = opts.max_lr!;
    const { total_steps, epochs, steps_per_epoch } = opts;
    let total: number;
    if (total_steps === undefined && epochs === undefined && steps_per_epoch === undefined) {
      throw new Error("You must define either total_steps OR (epochs AND steps_per_epoch)");
    } else if (total_steps !== undefined) {
      if (total_steps <= 0 || !Number.isInteger(total_steps)) throw new Error(`Expected positive integer total_steps, but got ${total_steps}`);
      total = total_steps;
    } else {
      if (epochs === undefined || epochs <= 0 || !Number.isInteger(epochs)) throw new Error(`Expected positive integer epochs, but got ${epochs}`);
      if (steps_per_epoch === undefined || steps_per_epoch <= 0 || !Number.isInteger(steps_per_epoch)) {
        throw new Error(`Expected positive integer steps_per_epoch, but got ${steps_per_epoch}`);
      }
      total = epochs * steps_per_epoch;
    }
    const pct_start = opts.pct_start ?? 0.3;
    if (pct_start < 0 || pct_start > 1) throw new Error(`Expected float between 0 and 1 pct_start, but got ${pct_start}`);
    const anneal = opts.anneal_strategy ?? "cos";
    if (anneal !== "cos" && anneal !== "linear") throw new Error(`anneal_strategy must by one of 'cos' or 'linear', instead got ${anneal}`);
    const last_epoch = opts.last_epoch ?? -1;
    const div_factor = opts.div_factor ?? 25;
    const final_div_factor = opts.final_div_factor ?? 1e4;
    const max_lrs = formatParam("max_lr", optimizer, max_lr);
    if (last_epoch === -1) {
      optimizer.param_groups.forEach((g, i) => {
        g.initial_lr = max_lrs[i] / div_factor;
        g.max_lr = max_lrs[i];
        g.min_lr = g.initial_lr / final_div_factor;
      });
    }
    const cycle_momentum = opts.cycle_momentum ?? true;
    let use_beta1 = false;
    if (cycle_momentum) {
      if (!("momentum" in optimizer.defaults) && !("betas" in optimizer.defaults)) {
        throw new Error("optimizer must support momentum with `cycle_momentum` option enabled");
      }
      use_beta1 = "betas" in optimizer.defaults;
      const maxM = formatParam("max_momentum", optimizer, opts.max_momentum ?? 0.95);
      const baseM = formatParam("base_momentum", optimizer, opts.base_momentum ?? 0.85);
      if (last_epoch === -1) {
        optimizer.param_groups.forEach((g, i) => {
          if (use_beta1) g.betas = [maxM[i], g.betas[1]];
          else g.momentum = maxM[i];
          g.max_momentum = maxM[i];
          g.base_momentum = baseM[i];
        });
      }
    }
    super(optimizer, last_epoch, opts.verbose ?? false);
    this.total_steps = total;
    this.anneal_strategy = anneal;
    this.cycle_momentum = cycle_momentum;
    this.use_beta1 = use_beta1;
    this._schedule_phases = opts.three_phase
      ? [
          { end_step: pct_start * total - 1, start_lr: "initial_lr", end_lr: "max_lr", start_momentum: "max_momentum", end_momentum: "base_momentum" },
          { end_step: 2 * pct_start * total - 2, start_lr: "max_lr", end_lr: "initial_lr", start_momentum: "base_momentum", end_momentum: "max_momentum" },
          { end_step: total - 1, start_lr: "initial_lr", end_lr: "min_lr", start_momentum: "max_momentum", end_momentum: "max_momentum" },
        ]
      : [
          { end_step: pct_start * total - 1, start_lr: "initial_lr", end_lr: "max_lr", start_momentum: "max_momentum", end_momentum: "base_momentum" },
          { end_step: total - 1, start_lr: "max_lr", end_lr: "min_lr", start_momentum: "base_momentum", end_momentum: "max_momentum" },
        ];
    this._initial_step();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.anneal_strategy === "cos") return end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  get_lr(): number[] {
    const step_num = this.last_epoch;
    if (step_num > this.total_steps) {
      throw new Error(`Tried to step ${step_num + 1} times. The specified number of total steps is ${this.total_steps}`);
    }
    return this.optimizer.param_groups.map((group) => {
      let start_step = 0;
      let lr = 0;
      let momentum = 0;
      const phases = this._schedule_phases;
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[i];
        if (step_num <= phase.end_step || i === phases.length - 1) {
          const pct = (step_num - start_step) / (phase.end_step - start_step);
          lr = this.anneal(group[phase.start_lr], group[phase.end_lr], pct);
          if (this.cycle_momentum) momentum = this.anneal(group[phase.start_momentum], group[phase.end_momentum], pct);
          break;
        }
        start_step = phase.end_step;
      }
      if (this.cycle_momentum) {
        if (this.use_beta1) group.betas = [momentum, group.betas[1]];
        else group.momentum = momentum;
      }
      return lr;
    });
  }
}

export interface ReduceLROnPlateauOptions {
  mode?: "min" | "max";
  factor?: number;
  patience?: number;
  threshold?: number;
  threshold_mode?: "rel" | "abs";
  cooldown?: number;
  min_lr?: number | number[];
  eps?: number;
  verbose?: boolean;
}

export class ReduceLROnPlateau {
  optimizer: SchedulableOptimizer;
  factor: number;
  min_lrs: number[];
  patience: number;
  verbose: boolean;
  cooldown: number;
  cooldown_counter = 0;
  mode: "min" | "max";
  threshold: number;
  threshold_mode: "rel" | "abs";
  best = Infinity;
  num_bad_epochs = 0;
  mode_worse = Infinity;
  eps: number;
  last_epoch = 0;
  _last_lr: number[] = [];

  constructor(optimizer: SchedulableOptimizer, ...args: (number | number[] | string | boolean | ReduceLROnPlateauOptions)[]) {
    const opts: ReduceLROnPlateauOptions = bind(
      "ReduceLROnPlateau", ["mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps", "verbose"], args,
    );
    const factor = opts.factor ?? 0.1;
    if (factor >= 1.0) throw new Error("Factor should be < 1.0.");
    this.factor = factor;
    this.optimizer = optimizer;
    const min_lr = opts.min_lr ?? 0;
    if (Array.isArray(min_lr)) {
      if (min_lr.length !== optimizer.param_groups.length) {
        throw new Error(`expected ${optimizer.param_groups.length} min_lrs, got ${min_lr.length}`);
      }
      this.min_lrs = [...min_lr];
    } else {
      this.min_lrs = new Array(optimizer.param_groups.length).fill(min_lr);
    }
    this.patience = opts.patience ?? 10;
    this.verbose = opts.verbose ?? false;
    this.cooldown = opts.cooldown ?? 0;
    this.mode = opts.mode ?? "min";
    this.threshold = opts.threshold ?? 1e-4;
    this.threshold_mode = opts.threshold_mode ?? "rel";
    this.eps = opts.eps ?? 1e-8;
    if (this.mode !== "min" && this.mode !== "max") throw new Error(`mode ${this.mode} is unknown!`);
    if (this.threshold_mode !== "rel" && this.threshold_mode !== "abs") throw new Error(`threshold mode ${this.threshold_mode} is unknown!`);
    this.mode_worse = this.mode === "min" ? Infinity : -Infinity;
    this._reset();
  }

  private _reset(): void {
    this.best = this.mode_worse;
    this.cooldown_counter = 0;
    this.num_bad_epochs = 0;
  }

  get in_cooldown(): boolean {
    return this.cooldown_counter > 0;
  }

  is_better(a: number, best: number): boolean {
    if (this.mode === "min" && this.threshold_mode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min") return a < best - this.threshold;
    if (this.threshold_mode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /** `metrics` is a number or a one-element tensor (anything with `item()`). */
  step(metrics: number | { item(): number }, epoch?: number): void {
    const current = typeof metrics === "number" ? metrics : Number(metrics.item());
    this.last_epoch = epoch ?? this.last_epoch + 1;
    if (this.is_better(current, this.best)) {
      this.best = current;
      this.num_bad_epochs = 0;
    } else {
      this.num_bad_epochs += 1;
    }
    if (this.in_cooldown) {
      this.cooldown_counter -= 1;
      this.num_bad_epochs = 0;
    }
    if (this.num_bad_epochs > this.patience) {
      this._reduce_lr();
      this.cooldown_counter = this.cooldown;
      this.num_bad_epochs = 0;
    }
    this._last_lr = this.optimizer.param_groups.map((g) => g.lr as number);
  }

  private _reduce_lr(): void {
    this.optimizer.param_groups.forEach((group, i) => {
      const old_lr = Number(group.lr);
      const new_lr = Math.max(old_lr * this.factor, this.min_lrs[i]);
      if (old_lr - new_lr > this.eps) {
        group.lr = new_lr;
        if (this.verbose) console.log(`Epoch ${this.last_epoch}: reducing learning rate of group ${i} to ${new_lr.toExponential(4)}.`);
      }
    });
  }

  get_last_lr(): number[] {
    return [...this._last_lr];
  }

  state_dict(): SchedulerState {
    const out: SchedulerState = {};
    for (const [k, v] of Object.entries(this)) if (k !== "optimizer") out[k] = structuredClone(v);
    return out;
  }

  load_state_dict(state: SchedulerState): void {
    for (const [k, v] of Object.entries(state)) if (k !== "optimizer") (this as any)[k] = structuredClone(v);
  }
}
