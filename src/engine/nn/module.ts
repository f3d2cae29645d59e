// nn.Module: PyTorch's base class for layers and models.
//
// Registration works as in PyTorch: assigning a Parameter, a Module or (for a registered name) a buffer to
// a field in the constructor puts it in `_parameters`, `_modules` or `_buffers`. To intercept those
// assignments the constructor returns a Proxy around the instance (so subclass constructors and class
// fields run against the Proxy); the Proxy also serves registered names on read, as PyTorch's
// __getattr__ does. Do not use `#private` fields in Module subclasses: they do not work through a Proxy.
//
// Calling a module: PyTorch's `model(x)` is `model.call(x)` here. `call` runs the forward pre-hooks,
// `forward`, the forward hooks, and wires full backward hooks. `forward` is called directly only when the
// hooks should be skipped, as in PyTorch.

import { inspect } from "node:util";
import { Tensor } from "../tensor.js";
import { DType, float32, float64 } from "../dtype.js";
import { no_grad } from "../grad_mode.js";
import { RuntimeError, ValueError } from "../errors.js";
import { Parameter } from "./parameter.js";
import { RemovableHandle } from "./hooks.js";
import { attachBackwardHooks } from "./backward_hooks.js";

export type StateDict = Record<string, Tensor>;
export type ForwardPreHook = (module: Module, args: unknown[]) => unknown;
export type ForwardHook = (module: Module, args: unknown[], output: unknown) => unknown;
/** Receives the gradients with respect to the module's tensor inputs and outputs; may return new grad_input. */
export type BackwardHook = (
  module: Module,
  grad_input: (Tensor | null)[],
  grad_output: (Tensor | null)[],
) => (Tensor | null)[] | void | undefined;

type ForwardArgs<M> = M extends { forward(...args: infer A): unknown } ? A : unknown[];
type ForwardResult<M> = M extends { forward(...args: never[]): infer R } ? R : unknown;

export interface IncompatibleKeys {
  missing_keys: string[];
  unexpected_keys: string[];
}

function typeName(value: unknown): string {
  if (value === null) return "NoneType";
  if (typeof value === "object" || typeof value === "function") return (value as object).constructor?.name ?? typeof value;
  return typeof value;
}

function addIndent(s: string, spaces: number): string {
  const lines = s.split("\n");
  if (lines.length === 1) return s;
  const first = lines.shift()!;
  return first + "\n" + lines.map((l) => " ".repeat(spaces) + l).join("\n");
}

function sizeString(shape: readonly number[]): string {
  return `torch.Size([${shape.join(", ")}])`;
}

/** Routes a field assignment to the registries, as PyTorch's Module.__setattr__. Returns true if handled. */
function registerOnAssign(target: Module, name: string, value: unknown): boolean {
  const params = target._parameters;
  if (value instanceof Parameter) {
    delete (target as any)[name];
    target._buffers.delete(name);
    target._modules.delete(name);
    target._non_persistent_buffers_set.delete(name);
    target.register_parameter(name, value);
    return true;
  }
  if (params.has(name)) {
    if (value !== null && value !== undefined) {
      throw new TypeError(`cannot assign '${typeName(value)}' as parameter '${name}' (torch.nn.Parameter or None expected)`);
    }
    target.register_parameter(name, null);
    return true;
  }
  if (value instanceof Module) {
    delete (target as any)[name];
    target._parameters.delete(name);
    target._buffers.delete(name);
    target._non_persistent_buffers_set.delete(name);
    target._modules.set(name, value);
    return true;
  }
  if (target._modules.has(name)) {
    if (value !== null && value !== undefined) {
      throw new TypeError(`cannot assign '${typeName(value)}' as child module '${name}' (torch.nn.Module or None expected)`);
    }
    target._modules.set(name, null);
    return true;
  }
  if (target._buffers.has(name)) {
    if (value !== null && value !== undefined && !(value instanceof Tensor)) {
      throw new TypeError(`cannot assign '${typeName(value)}' as buffer '${name}' (torch.Tensor or None expected)`);
    }
    target._buffers.set(name, (value ?? null) as Tensor | null);
    return true;
  }
  return false;
}

const moduleProxyHandler: ProxyHandler<Module> = {
  get(target, prop, receiver) {
    if (typeof prop === "string") {
      const p = target._parameters.get(prop);
      if (p !== undefined) return p;
      const b = target._buffers.get(prop);
      if (b !== undefined) return b;
      const m = target._modules.get(prop);
      if (m !== undefined) return m;
    }
    return Reflect.get(target, prop, receiver);
  },
  set(target, prop, value) {
    if (typeof prop === "string" && registerOnAssign(target, prop, value)) return true;
    return Reflect.set(target, prop, value);
  },
  defineProperty(target, prop, desc) {
    // Class fields are defined, not assigned; route them the same way.
    if (typeof prop === "string" && "value" in desc && registerOnAssign(target, prop, desc.value)) return true;
    return Reflect.defineProperty(target, prop, desc);
  },
  has(target, prop) {
    if (typeof prop === "string" && (target._parameters.has(prop) || target._buffers.has(prop) || target._modules.has(prop))) return true;
    return Reflect.has(target, prop);
  },
  deleteProperty(target, prop) {
    if (typeof prop === "string") {
      if (target._parameters.delete(prop)) return true;
      if (target._buffers.delete(prop)) {
        target._non_persistent_buffers_set.delete(prop);
        return true;
      }
      if (target._modules.delete(prop)) return true;
    }
    return Reflect.deleteProperty(target, prop);
  },
};

export class Module {
  training = true;
  _parameters = new Map<string, Parameter | null>();
  _buffers = new Map<string, Tensor | null>();
  _non_persistent_buffers_set = new Set<string>();
  _modules = new Map<string, Module | null>();
  _forward_pre_hooks = new Map<number, ForwardPreHook>();
  _forward_hooks = new Map<number, ForwardHook>();
  _backward_hooks = new Map<number, BackwardHook>();

  constructor() {
    return new Proxy(this, moduleProxyHandler);
  }

  // ---- registration -------------------------------------------------------------------------------

  register_buffer(name: string, tensor: Tensor | null, persistent = true): void {
    if (typeof name !== "string") throw new TypeError(`buffer name should be a string. Got ${typeName(name)}`);
    if (name.includes(".")) throw new Error(`buffer name can't contain "."`);
    if (name === "") throw new Error(`buffer name can't be empty string ""`);
    if (name in this && !this._buffers.has(name)) throw new Error(`attribute '${name}' already exists`);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TypeError(`cannot assign '${typeName(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    this._buffers.set(name, tensor);
    if (persistent) this._non_persistent_buffers_set.delete(name);
    else this._non_persistent_buffers_set.add(name);
  }

  register_parameter(name: string, param: Parameter | null): void {
    if (typeof name !== "string") throw new TypeError(`parameter name should be a string. Got ${typeName(name)}`);
    if (name.includes(".")) throw new Error(`parameter name can't contain "."`);
    if (name === "") throw new Error(`parameter name can't be empty string ""`);
    if (name in this && !this._parameters.has(name)) throw new Error(`attribute '${name}' already exists`);
    if (param === null) {
      this._parameters.set(name, null);
      return;
    }
    if (!(param instanceof Parameter)) {
      throw new TypeError(`cannot assign '${typeName(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    if (param.grad_fn) {
      throw new ValueError(
        `Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. ` +
          `To express '${name}' as a function of another Tensor, compute the value in the forward() method.`,
      );
    }
    this._parameters.set(name, param);
  }

  add_module(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${typeName(module)} is not a Module subclass`);
    if (typeof name !== "string") throw new TypeError(`module name should be a string. Got ${typeName(name)}`);
    if (name in this && !this._modules.has(name)) throw new Error(`attribute '${name}' already exists`);
    if (name.includes(".")) throw new Error(`module name can't contain ".", got: ${name}`);
    if (name === "") throw new Error(`module name can't be empty string ""`);
    this._modules.set(name, module);
  }

  register_module(name: string, module: Module | null): void {
    this.add_module(name, module);
  }

  get_submodule(target: string): Module {
    if (target === "") return this;
    let mod: Module = this;
    for (const item of target.split(".")) {
      const next = mod._modules.get(item);
      if (!next) throw new Error(`${mod._get_name()} has no attribute \`${item}\``);
      mod = next;
    }
    return mod;
  }

  // ---- calling ------------------------------------------------------------------------------------

  /** PyTorch's `module(*args)`: pre-hooks, forward, hooks (and backward hooks when registered). */
  call<M extends Module>(this: M, ...args: ForwardArgs<M>): ForwardResult<M> {
    const forward = (this as unknown as { forward?: (...a: unknown[]) => unknown }).forward;
    if (typeof forward !== "function") {
      throw new Error(`Module [${this._get_name()}] is missing the required "forward" function`);
    }
    let input: unknown[] = args;
    for (const hook of [...this._forward_pre_hooks.values()]) {
      const r = hook(this, input);
      if (r !== undefined) input = Array.isArray(r) ? r : [r];
    }
    const withBackwardHooks = this._backward_hooks.size > 0;
    if (withBackwardHooks) input = attachBackwardHooks.wrapInputs(this, input);
    let result = forward.apply(this, input);
    for (const hook of [...this._forward_hooks.values()]) {
      const r = hook(this, input, result);
      if (r !== undefined) result = r;
    }
    if (withBackwardHooks) result = attachBackwardHooks.wrapOutputs(this, result);
    return result as ForwardResult<M>;
  }

  register_forward_pre_hook(hook: ForwardPreHook): RemovableHandle {
    const handle = new RemovableHandle(this._forward_pre_hooks as Map<number, unknown>);
    this._forward_pre_hooks.set(handle.id, hook);
    return handle;
  }

  register_forward_hook(hook: ForwardHook): RemovableHandle {
    const handle = new RemovableHandle(this._forward_hooks as Map<number, unknown>);
    this._forward_hooks.set(handle.id, hook);
    return handle;
  }

  register_full_backward_hook(hook: BackwardHook): RemovableHandle {
    const handle = new RemovableHandle(this._backward_hooks as Map<number, unknown>);
    this._backward_hooks.set(handle.id, hook);
    return handle;
  }

  // ---- traversal ----------------------------------------------------------------------------------

  *named_modules(memo: Set<Module> = new Set(), prefix = "", remove_duplicate = true): Generator<[string, Module]> {
    if (memo.has(this)) return;
    if (remove_duplicate) memo.add(this);
    yield [prefix, this];
    for (const [name, module] of this._modules) {
      if (module === null) continue;
      yield* module.named_modules(memo, prefix + (prefix ? "." : "") + name, remove_duplicate);
    }
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.named_modules()) yield m;
  }

  *named_children(): Generator<[string, Module]> {
    const memo = new Set<Module>();
    for (const [name, module] of this._modules) {
      if (module !== null && !memo.has(module)) {
        memo.add(module);
        yield [name, module];
      }
    }
  }

  *children(): Generator<Module> {
    for (const [, m] of this.named_children()) yield m;
  }

  private *namedMembers<T>(
    members: (m: Module) => Iterable<[string, T | null]>,
    prefix: string,
    recurse: boolean,
    remove_duplicate: boolean,
  ): Generator<[string, T]> {
    const memo = new Set<T>();
    const mods: Iterable<[string, Module]> = recurse ? this.named_modules(new Set(), prefix, remove_duplicate) : [[prefix, this]];
    for (const [modulePrefix, module] of mods) {
      for (const [k, v] of members(module)) {
        if (v === null || memo.has(v)) continue;
        if (remove_duplicate) memo.add(v);
        yield [modulePrefix + (modulePrefix ? "." : "") + k, v];
      }
    }
  }

  *named_parameters(prefix = "", recurse = true, remove_duplicate = true): Generator<[string, Parameter]> {
    yield* this.namedMembers((m) => m._parameters, prefix, recurse, remove_duplicate);
  }

  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.named_parameters("", recurse)) yield p;
  }

  *named_buffers(prefix = "", recurse = true, remove_duplicate = true): Generator<[string, Tensor]> {
    yield* this.namedMembers((m) => m._buffers, prefix, recurse, remove_duplicate);
  }

  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.named_buffers("", recurse)) yield b;
  }

  apply(fn: (m: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes and gradients ------------------------------------------------------------------------

  train(mode = true): this {
    if (typeof mode !== "boolean") throw new ValueError("training mode is expected to be boolean");
    this.training = mode;
    for (const m of this.children()) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  requires_grad_(requires_grad = true): this {
    for (const p of this.parameters()) p.requires_grad_(requires_grad);
    return this;
  }

  zero_grad(set_to_none = false): void {
    for (const p of this.parameters()) {
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

  // ---- dtype conversion ---------------------------------------------------------------------------

  /**
   * Applies `fn` to every parameter, gradient and buffer, keeping the Parameter objects (as PyTorch does
   * by assigning `param.data`), so that an optimizer built before the conversion still sees them.
   */
  _apply(fn: (t: Tensor) => Tensor): this {
    for (const m of this.children()) m._apply(fn);
    no_grad(() => {
      for (const [, p] of this._parameters) {
        if (p === null) continue;
        p.data = fn(p);
        if (p.grad !== null) p.grad = fn(p.grad);
      }
      for (const [name, b] of this._buffers) if (b !== null) this._buffers.set(name, fn(b));
    });
    return this;
  }

  /** `to(dtype)` converts floating-point parameters and buffers (integer buffers stay), as PyTorch. */
  to(dtypeOrDevice: DType | string, maybeDtype?: DType): this {
    const dtype = dtypeOrDevice instanceof DType ? dtypeOrDevice : maybeDtype;
    const device = typeof dtypeOrDevice === "string" ? dtypeOrDevice : undefined;
    if (dtype !== undefined && !dtype.is_floating_point) {
      throw new TypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=${dtype}`);
    }
    return this._apply((t) => {
      let out = t;
      if (device !== undefined) out = out.to(device);
      if (dtype !== undefined && out.dtype.is_floating_point) out = out.to(dtype);
      return out;
    });
  }

  double(): this {
    return this._apply((t) => (t.dtype.is_floating_point ? t.to(float64) : t));
  }

  float(): this {
    return this._apply((t) => (t.dtype.is_floating_point ? t.to(float32) : t));
  }

  // ---- state_dict ---------------------------------------------------------------------------------

  _save_to_state_dict(destination: StateDict, prefix: string, keep_vars: boolean): void {
    for (const [name, p] of this._parameters) if (p !== null) destination[prefix + name] = keep_vars ? p : p.detach();
    for (const [name, b] of this._buffers) {
      if (b !== null && !this._non_persistent_buffers_set.has(name)) destination[prefix + name] = keep_vars ? b : b.detach();
    }
  }

  /** Keys exactly as PyTorch names them (`linear_relu_stack.0.weight`), in registration order. */
  state_dict(opts: { destination?: StateDict; prefix?: string; keep_vars?: boolean } = {}): StateDict {
    const destination = opts.destination ?? {};
    const prefix = opts.prefix ?? "";
    const keep_vars = opts.keep_vars ?? false;
    this._save_to_state_dict(destination, prefix, keep_vars);
    for (const [name, m] of this._modules) if (m !== null) m.state_dict({ destination, prefix: prefix + name + ".", keep_vars });
    return destination;
  }

  _load_from_state_dict(
    state_dict: StateDict,
    prefix: string,
    strict: boolean,
    missing_keys: string[],
    unexpected_keys: string[],
    error_msgs: string[],
  ): void {
    const local = new Map<string, Tensor>();
    for (const [name, p] of this._parameters) if (p !== null) local.set(name, p);
    for (const [name, b] of this._buffers) if (b !== null && !this._non_persistent_buffers_set.has(name)) local.set(name, b);
    for (const [name, param] of local) {
      const key = prefix + name;
      if (!(key in state_dict)) {
        missing_keys.push(key);
        continue;
      }
      const input = state_dict[key];
      if (!(input instanceof Tensor)) {
        error_msgs.push(
          `While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeName(input)}`,
        );
        continue;
      }
      const same = input.shape.length === param.shape.length && input.shape.every((d, i) => d === param.shape[i]);
      if (!same) {
        error_msgs.push(
          `size mismatch for ${key}: copying a param with shape ${sizeString(input.shape)} from checkpoint, ` +
            `the shape in current model is ${sizeString(param.shape)}.`,
        );
        continue;
      }
      try {
        no_grad(() => param.copy_(input));
      } catch (e) {
        error_msgs.push(
          `While copying the parameter named "${key}", whose dimensions in the model are ${sizeString(param.shape)} and whose ` +
            `dimensions in the checkpoint are ${sizeString(input.shape)}, an exception occurred : ${(e as Error).message}.`,
        );
      }
    }
    if (strict) {
      for (const key of Object.keys(state_dict)) {
        if (!key.startsWith(prefix)) continue;
        const inputName = key.slice(prefix.length).split(".")[0];
        if (!this._modules.has(inputName) && !local.has(inputName)) unexpected_keys.push(key);
      }
    }
  }

  /** Strict by default: a missing or unexpected key is an error with PyTorch's report. */
  load_state_dict(state_dict: StateDict, strict = true): IncompatibleKeys {
    const missing_keys: string[] = [];
    const unexpected_keys: string[] = [];
    const error_msgs: string[] = [];
    const load = (module: Module, prefix: string) => {
      module._load_from_state_dict(state_dict, prefix, true, missing_keys, unexpected_keys, error_msgs);
      for (const [name, child] of module._modules) if (child !== null) load(child, prefix + name + ".");
    };
    load(this, "");
    if (strict) {
      if (unexpected_keys.length > 0) {
        error_msgs.unshift(`Unexpected key(s) in state_dict: ${unexpected_keys.map((k) => `"${k}"`).join(", ")}. `);
      }
      if (missing_keys.length > 0) {
        error_msgs.unshift(`Missing key(s) in state_dict: ${missing_keys.map((k) => `"${k}"`).join(", ")}. `);
      }
    }
    if (error_msgs.length > 0) {
      throw new RuntimeError(`Error(s) in loading state_dict for ${this._get_name()}:\n\t${error_msgs.join("\n\t")}`);
    }
    return { missing_keys, unexpected_keys };
  }

  // ---- printing -----------------------------------------------------------------------------------

  _get_name(): string {
    return this.constructor.name;
  }

  /** The text between the parentheses of a leaf module's printout, e.g. "in_features=4, ...". */
  extra_repr(): string {
    return "";
  }

  /** PyTorch's Module.__repr__. */
  toString(): string {
    const extra = this.extra_repr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines: string[] = [];
    for (const [key, module] of this._modules) {
      const modStr = module === null ? "None" : addIndent(module.toString(), 2);
      childLines.push(`(${key}): ${modStr}`);
    }
    const lines = [...extraLines, ...childLines];
    let main = this._get_name() + "(";
    if (lines.length > 0) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += "\n  " + lines.join("\n  ") + "\n";
    }
    return main + ")";
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
