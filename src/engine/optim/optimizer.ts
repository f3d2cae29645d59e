// torch.optim.Optimizer: parameter groups, per-parameter state, zero_grad, state_dict/load_state_dict.
// Subclasses implement `step` with PyTorch 1.13's single-tensor update rules, under no_grad.

import { Tensor } from "../tensor.js";
import { no_grad } from "../grad_mode.js";
import { ValueError } from "../errors.js";

/** One parameter group: its tensors and its options (lr, momentum, ...), as a mutable bag like PyTorch's dict. */
export interface ParamGroup {
  params: Tensor[];
  [option: string]: any;
}

/** What the constructor accepts: tensors, or groups of tensors with per-group options. */
export type ParamsInput = Iterable<Tensor> | Iterable<{ params: Iterable<Tensor> | Tensor; [option: string]: any }>;

/** Per-parameter state: numbers (step counts) and tensors (moment estimates). */
export type ParamState = Record<string, any>;

export interface OptimizerStateDict {
  /** Keyed by the parameter's position across all groups, as PyTorch packs it. */
  state: Record<number, ParamState>;
  param_groups: Array<Record<string, any> & { params: number[] }>;
}

/** PyTorch's `required` marker: a default that the caller must supply. */
export const required: unique symbol = Symbol("required");

export type Closure = () => Tensor | number;

/** A hyperparameter given positionally, or the trailing options object (PyTorch's keyword arguments). */
export type OptimizerArg<O> = number | boolean | string | null | number[] | O;

function cloneStateValue(v: unknown): unknown {
  if (v instanceof Tensor) return v.clone();
  if (Array.isArray(v)) return v.map(cloneStateValue);
  return v;
}

export abstract class Optimizer {
  defaults: Record<string, any>;
  state = new Map<Tensor, ParamState>();
  param_groups: ParamGroup[] = [];

  constructor(params: ParamsInput, defaults: Record<string, any>) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, but got torch.Tensor");
    }
    const list = [...(params as Iterable<any>)];
    if (list.length === 0) throw new ValueError("optimizer got an empty parameter list");
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] }] : (list as ParamGroup[]);
    for (const g of groups) this.add_param_group(g);
  }

  add_param_group(param_group: { params: Iterable<Tensor> | Tensor; [option: string]: any }): void {
    if (typeof param_group !== "object" || param_group === null) throw new TypeError("param group must be a dict");
    const params = param_group.params instanceof Tensor ? [param_group.params] : [...param_group.params];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typeof p}`);
      if (!p.is_leaf) throw new ValueError("can't optimize a non-leaf Tensor");
    }
    const group: ParamGroup = { ...param_group, params };
    for (const [name, value] of Object.entries(this.defaults)) {
      if (value === required && !(name in group)) {
        throw new ValueError(`parameter group didn't specify a value of required optimization parameter ${name}`);
      }
      if (!(name in group)) group[name] = Array.isArray(value) ? [...value] : value;
    }
    if (new Set(params).size !== params.length) {
      console.warn(
        "optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
      );
    }
    const existing = new Set<Tensor>();
    for (const g of this.param_groups) for (const p of g.params) existing.add(p);
    if (params.some((p) => existing.has(p))) throw new ValueError("some parameters appear in more than one parameter group");
    this.param_groups.push(group);
  }

  /** PyTorch 1.13's default keeps the gradient tensors and zeroes them; `set_to_none` drops them. */
  zero_grad(set_to_none = false): void {
    for (const group of this.param_groups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        if (set_to_none) {
          p.grad = null;
        } else {
          if (p.grad.grad_fn) p.grad = p.grad.detach();
          else p.grad.requires_grad_(false);
          p.grad.zero_();
        }
      }
    }
  }

  abstract step(closure?: Closure): Tensor | number | undefined;

  /** Runs the closure with gradients enabled (it calls backward), as `torch.enable_grad()` does in PyTorch. */
  protected evaluateClosure(closure?: Closure): Tensor | number | undefined {
    return closure ? closure() : undefined;
  }

  /** Runs the update under no_grad. */
  protected withoutGrad<T>(fn: () => T): T {
    return no_grad(fn);
  }

  /** Per-parameter state, created on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  state_dict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let next = 0;
    const param_groups = this.param_groups.map((g) => {
      const packed: Record<string, any> & { params: number[] } = { ...g, params: [] };
      for (const p of g.params) {
        if (!index.has(p)) index.set(p, next++);
        packed.params.push(index.get(p)!);
      }
      for (const [k, v] of Object.entries(packed)) if (Array.isArray(v) && k !== "params") packed[k] = [...v];
      return packed;
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) copy[k] = cloneStateValue(v);
      state[i] = copy;
    }
    return { state, param_groups };
  }

  load_state_dict(state_dict: OptimizerStateDict): void {
    const groups = this.param_groups;
    const saved = state_dict.param_groups;
    if (groups.length !== saved.length) throw new ValueError("loaded state dict has a different number of parameter groups");
    if (groups.some((g, i) => g.params.length !== saved[i].params.length)) {
      throw new ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const idToParam = new Map<number, Tensor>();
    saved.forEach((g, i) => g.params.forEach((id, j) => idToParam.set(id, groups[i].params[j])));
    this.state = new Map();
    for (const [id, s] of Object.entries(state_dict.state)) {
      const p = idToParam.get(Number(id));
      if (p === undefined) continue;
      const cast: ParamState = {};
      for (const [k, v] of Object.entries(s)) {
        // Floating state follows the parameter's dtype (the step count stays as saved), as PyTorch casts it.
        if (v instanceof Tensor && k !== "step" && p.dtype.is_floating_point && v.dtype.is_floating_point) cast[k] = v.to(p.dtype).clone();
        else cast[k] = cloneStateValue(v);
      }
      this.state.set(p, cast);
    }
    this.param_groups = groups.map((g, i) => {
      const restored: ParamGroup = { ...saved[i], params: g.params };
      for (const [k, v] of Object.entries(restored)) if (Array.isArray(v) && k !== "params") restored[k] = [...v];
      return restored;
    });
  }

  toString(): string {
    let s = `${this.constructor.name} (`;
    this.param_groups.forEach((g, i) => {
      s += `\nParameter Group ${i}`;
      for (const key of Object.keys(g).sort()) {
        if (key === "params") continue;
        const v = g[key];
        s += `\n    ${key}: ${Array.isArray(v) ? `(${v.join(", ")})` : formatOption(v)}`;
      }
    });
    return s + "\n)";
  }
}

function formatOption(v: unknown): string {
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null || v === undefined) return "None";
  return String(v);
}

export function checkNonNegative(name: string, value: number, label = `${name} value`): void {
  if (!(value >= 0)) throw new ValueError(`Invalid ${label}: ${value}`);
}
