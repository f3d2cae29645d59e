// Turns a job's JSON into engine objects: the nn.Sequential model, the loss, the optimizer and the
// scheduler, by PyTorch class name. Every failure is a SpecError naming the field at fault, so the
// API can answer 400/422 without a worker ever seeing the spec.
import type { ClassSpec, LayerSpec } from "./spec.js";
import { LAYERS, LOSSES, OPTIMIZERS, SCHEDULERS, TENSOR_ARGS, type Signature } from "./signatures.js";
import type { ModuleLike, OptimizerLike, SchedulerLike, TensorLike, TorchLike } from "./torch.js";

export class SpecError extends Error {
  constructor(
    message: string,
    readonly field: string,
    /** "invalid": the JSON is wrong (400); "unbuildable": the engine refused it (422). */
    readonly kind: "invalid" | "unbuildable",
  ) {
    super(message);
  }
}

/** A guard against runaway recursion only: budget.ts holds the configured nesting limit and is checked first. */
const MAX_DEPTH = 64;

/** The positional arguments in order, then the keyword ones as one options object; unknown names are rejected. */
function argumentsFor(spec: Record<string, unknown>, signature: Signature, field: string, skip: string[] = []): { positional: unknown[]; options: Record<string, unknown> } {
  for (const name of signature.required) {
    if (spec[name] === undefined) throw new SpecError(`${spec.type} needs argument ${name}`, `${field}.${name}`, "invalid");
  }
  const positional = signature.positional.map((name) => (spec[name] === null && !signature.required.includes(name) ? undefined : spec[name]));
  const options: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(spec)) {
    if (name === "type" || skip.includes(name) || signature.positional.includes(name)) continue;
    if (!signature.options.includes(name)) throw new SpecError(`${spec.type} has no argument ${name}`, `${field}.${name}`, "invalid");
    options[name] = value;
  }
  return { positional, options };
}

/** A class of an engine namespace by PyTorch name (the name comes from the job's JSON). */
function classIn(namespace: object, name: string): unknown {
  return Object.hasOwn(namespace, name) ? (namespace as Record<string, unknown>)[name] : undefined;
}

function construct<T>(ctor: unknown, args: unknown[], what: string, field: string): T {
  if (typeof ctor !== "function") throw new SpecError(`the engine has no ${what}`, `${field}.type`, "unbuildable");
  try {
    return new (ctor as new (...a: unknown[]) => T)(...args);
  } catch (err) {
    throw new SpecError(`${what}: ${(err as Error).message}`, field, "unbuildable");
  }
}

export function buildLayer(torch: TorchLike, layer: LayerSpec, field: string, depth = 0): ModuleLike {
  if (layer.type === "Sequential") {
    if (depth >= MAX_DEPTH) throw new SpecError(`Sequential nested deeper than ${MAX_DEPTH}`, field, "invalid");
    if (!Array.isArray(layer.layers)) throw new SpecError("Sequential needs a list of layers", `${field}.layers`, "invalid");
    for (const name of Object.keys(layer)) if (name !== "type" && name !== "layers") throw new SpecError(`Sequential has no argument ${name}`, `${field}.${name}`, "invalid");
    return buildSequential(torch, layer.layers, `${field}.layers`, depth + 1);
  }
  const signature = Object.hasOwn(LAYERS, layer.type) ? LAYERS[layer.type] : undefined;
  if (!signature) throw new SpecError(`unknown layer type "${layer.type}"; known: Sequential, ${Object.keys(LAYERS).join(", ")}`, `${field}.type`, "invalid");
  if (layer.layers !== undefined) throw new SpecError(`${layer.type} has no argument layers`, `${field}.layers`, "invalid");
  const { positional, options } = argumentsFor(layer, signature, field);
  return construct<ModuleLike>(classIn(torch.nn, layer.type), [...positional, options], `nn.${layer.type}`, field);
}

export function buildSequential(torch: TorchLike, layers: LayerSpec[], field = "layers", depth = 0): ModuleLike {
  if (layers.length === 0) throw new SpecError("a model needs at least one layer", field, "invalid");
  const modules = layers.map((layer, i) => buildLayer(torch, layer, `${field}.${i}`, depth));
  return construct<ModuleLike>(torch.nn.Sequential, modules, "nn.Sequential", field);
}

export function countParameters(model: ModuleLike): number {
  let n = 0;
  for (const p of model.parameters()) n += p.numel();
  return n;
}

export function buildLoss(torch: TorchLike, spec: ClassSpec, field = "loss"): ModuleLike {
  const signature = Object.hasOwn(LOSSES, spec.type) ? LOSSES[spec.type] : undefined;
  if (!signature) throw new SpecError(`unknown loss "${spec.type}"; known: ${Object.keys(LOSSES).join(", ")}`, `${field}.type`, "invalid");
  const { positional, options } = argumentsFor(spec, signature, field);
  for (const name of Object.keys(options)) {
    if (TENSOR_ARGS.has(name) && Array.isArray(options[name])) options[name] = torch.tensor(options[name] as number[]);
  }
  return construct<ModuleLike>(classIn(torch.nn, spec.type), [...positional, options], `nn.${spec.type}`, field);
}

export function buildOptimizer(torch: TorchLike, spec: ClassSpec, parameters: Iterable<TensorLike>, field = "optimizer"): OptimizerLike {
  const signature = Object.hasOwn(OPTIMIZERS, spec.type) ? OPTIMIZERS[spec.type] : undefined;
  if (!signature) throw new SpecError(`unknown optimizer "${spec.type}"; known: ${Object.keys(OPTIMIZERS).join(", ")}`, `${field}.type`, "invalid");
  const { options } = argumentsFor(spec, signature, field);
  return construct<OptimizerLike>(classIn(torch.optim, spec.type), [[...parameters], options], `optim.${spec.type}`, field);
}

export function buildScheduler(torch: TorchLike, spec: ClassSpec, optimizer: OptimizerLike, field = "lr_scheduler"): SchedulerLike {
  const signature = Object.hasOwn(SCHEDULERS, spec.type) ? SCHEDULERS[spec.type] : undefined;
  if (!signature) throw new SpecError(`unknown lr_scheduler "${spec.type}"; known: ${Object.keys(SCHEDULERS).join(", ")}`, `${field}.type`, "invalid");
  if (spec.interval !== undefined && spec.interval !== "step" && spec.interval !== "epoch") throw new SpecError('interval must be "step" (after every batch) or "epoch"', `${field}.interval`, "invalid");
  const { positional, options } = argumentsFor(spec, signature, field, ["interval"]);
  return construct<SchedulerLike>(classIn(torch.optim.lr_scheduler, spec.type), [optimizer, ...positional, options], `optim.lr_scheduler.${spec.type}`, field);
}
