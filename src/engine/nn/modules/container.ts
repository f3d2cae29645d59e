// Containers: Sequential, ModuleList, ModuleDict. Children are registered under their index ("0", "1",
// ...) or key, so state_dict names match PyTorch's; `seq[0]` works through the Module Proxy.
import { Module } from "../module.js";

function wrapIndex(idx: number, length: number, what: string): number {
  const i = idx < 0 ? idx + length : idx;
  if (!Number.isInteger(i) || i < 0 || i >= length) throw new RangeError(`index ${idx} is out of range`);
  void what;
  return i;
}

export class Sequential extends Module {
  [index: number]: Module;

  /** `new Sequential(a, b, c)` or `new Sequential(new Map([["name", module], ...]))`. */
  constructor(...args: Module[] | [Map<string, Module>]) {
    super();
    if (args.length === 1 && args[0] instanceof Map) {
      for (const [name, m] of args[0]) this.add_module(name, m);
    } else {
      (args as Module[]).forEach((m, i) => this.add_module(String(i), m));
    }
  }

  get length(): number {
    return this._modules.size;
  }

  /** `seq[i]` with negative indices, as Python's indexing; `seq.get<nn.Linear>(0)` types the result. */
  get<M extends Module = Module>(idx: number): M {
    const keys = [...this._modules.keys()];
    return this._modules.get(keys[wrapIndex(idx, keys.length, "Sequential")]) as M;
  }

  append(module: Module): this {
    this.add_module(String(this._modules.size), module);
    return this;
  }

  *[Symbol.iterator](): Iterator<Module> {
    for (const m of this._modules.values()) if (m !== null) yield m;
  }

  forward(input: unknown): any {
    let x = input;
    for (const m of this._modules.values()) if (m !== null) x = (m as any).call(x);
    return x;
  }
}

export class ModuleList extends Module {
  [index: number]: Module;

  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  get length(): number {
    return this._modules.size;
  }

  get<M extends Module = Module>(idx: number): M {
    return this._modules.get(String(wrapIndex(idx, this._modules.size, "ModuleList"))) as M;
  }

  /** `list[i] = module`. */
  set(idx: number, module: Module): void {
    this.add_module(String(wrapIndex(idx, this._modules.size, "ModuleList")), module);
  }

  append(module: Module): this {
    this.add_module(String(this._modules.size), module);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  insert(index: number, module: Module): void {
    const list = [...this._modules.values()];
    const at = index < 0 ? Math.max(0, index + list.length) : Math.min(index, list.length);
    list.splice(at, 0, module);
    this._modules.clear();
    list.forEach((m, i) => this._modules.set(String(i), m));
  }

  *[Symbol.iterator](): Iterator<Module> {
    for (const m of this._modules.values()) if (m !== null) yield m;
  }
}

export class ModuleDict extends Module {
  constructor(modules?: Map<string, Module> | Record<string, Module>) {
    super();
    if (modules) this.update(modules);
  }

  get length(): number {
    return this._modules.size;
  }

  get<M extends Module = Module>(key: string): M | undefined {
    return (this._modules.get(key) ?? undefined) as M | undefined;
  }

  /** `dict[key] = module`. */
  set(key: string, module: Module): void {
    this.add_module(key, module);
  }

  has(key: string): boolean {
    return this._modules.has(key);
  }

  pop(key: string): Module | undefined {
    const m = this._modules.get(key) ?? undefined;
    this._modules.delete(key);
    return m;
  }

  clear(): void {
    this._modules.clear();
  }

  keys(): string[] {
    return [...this._modules.keys()];
  }

  values(): Module[] {
    return [...this._modules.values()].filter((m): m is Module => m !== null);
  }

  items(): [string, Module][] {
    return [...this._modules].filter((e): e is [string, Module] => e[1] !== null);
  }

  update(modules: Map<string, Module> | Record<string, Module>): void {
    const entries = modules instanceof Map ? [...modules] : Object.entries(modules);
    for (const [k, m] of entries) this.add_module(k, m);
  }

  *[Symbol.iterator](): Iterator<string> {
    yield* this._modules.keys();
  }
}
