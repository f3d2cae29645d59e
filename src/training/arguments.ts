// What each constructor argument a job may name accepts, as JSON Schema, and the strict request
// schemas built from it: one per layer, loss, optimizer and scheduler class, naming exactly the
// arguments of its signature (signatures.ts), so an unknown field, a wrong type, a negative or
// fractional size, a number past 1e308 (JSON.parse makes it Infinity) is a 400 before anything is built.
// Sizes are only bounded loosely here; what a model may cost is budget.ts's business (422).
import { LAYERS, LOSSES, OPTIMIZERS, SCHEDULERS, type Signature } from "./signatures.js";

type Schema = Record<string, unknown>;

/** Largest integer any argument may hold; real limits (MAX_LAYER_DIM...) are lower and give 422. */
export const MAX_ARGUMENT_INT = 2 ** 31 - 1;

const int = (minimum: number, maximum = MAX_ARGUMENT_INT): Schema => ({ type: "integer", minimum, maximum });
const num = (extra: Schema = {}): Schema => ({ type: "number", ...extra });
const bool: Schema = { type: "boolean" };
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: "null" }] });
const oneOrPair = (item: Schema): Schema => ({ anyOf: [item, { type: "array", minItems: 1, maxItems: 3, items: item }] });
const pair = (item: Schema): Schema => ({ type: "array", minItems: 2, maxItems: 2, items: item });
const numbers = (maxItems: number): Schema => ({ type: "array", minItems: 1, maxItems, items: num() });

const size = int(1);
/** A dimension index as PyTorch takes it: negative counts from the end. */
const dim = int(-16, 16);
const probability = num({ minimum: 0, maximum: 1 });
const nonNegative = num({ minimum: 0 });
const positive = num({ exclusiveMinimum: 0 });
const reduction: Schema = { type: "string", enum: ["mean", "sum", "batchmean"], description: '"none" is not offered: training needs a scalar loss; "batchmean" is KLDivLoss\'s' };

/** Argument name -> what it accepts. Names mean the same thing in every class that takes them. */
export const ARGUMENT_SCHEMAS: Record<string, Schema> = {
  // layers
  in_features: size,
  out_features: size,
  bias: bool,
  start_dim: dim,
  end_dim: dim,
  dim: nullable(dim),
  unflattened_size: { type: "array", minItems: 1, maxItems: 8, items: { anyOf: [int(1), { const: -1 }] } },
  inplace: bool,
  negative_slope: num(),
  approximate: { type: "string", enum: ["none", "tanh"] },
  p: probability,
  in_channels: size,
  out_channels: size,
  kernel_size: oneOrPair(size),
  stride: nullable(oneOrPair(size)),
  padding: { anyOf: [oneOrPair(int(0)), { type: "string", enum: ["valid", "same"] }] },
  dilation: oneOrPair(size),
  groups: size,
  padding_mode: { type: "string", enum: ["zeros", "reflect", "replicate", "circular"] },
  return_indices: bool,
  ceil_mode: bool,
  count_include_pad: bool,
  divisor_override: nullable(size),
  output_size: { anyOf: [size, { type: "array", minItems: 1, maxItems: 2, items: nullable(size) }] },
  num_features: size,
  eps: nonNegative,
  momentum: nonNegative,
  affine: bool,
  track_running_stats: bool,
  normalized_shape: { anyOf: [size, { type: "array", minItems: 1, maxItems: 8, items: size }] },
  elementwise_affine: bool,
  num_embeddings: size,
  embedding_dim: size,
  padding_idx: nullable(int(-MAX_ARGUMENT_INT)),
  max_norm: nullable(positive),
  norm_type: positive,
  scale_grad_by_freq: bool,
  sparse: bool,
  // losses
  weight: numbers(100_000),
  pos_weight: numbers(100_000),
  ignore_index: int(-MAX_ARGUMENT_INT),
  label_smoothing: probability,
  reduction,
  beta: nonNegative,
  delta: positive,
  log_target: bool,
  // optimizers
  lr: nonNegative,
  weight_decay: nonNegative,
  maximize: bool,
  foreach: nullable(bool),
  differentiable: bool,
  dampening: num(),
  nesterov: bool,
  lr_decay: nonNegative,
  initial_accumulator_value: nonNegative,
  alpha: num(),
  centered: bool,
  rho: probability,
  betas: pair(num({ minimum: 0, exclusiveMaximum: 1 })),
  amsgrad: bool,
  lambd: num(),
  t0: num(),
  etas: pair(positive),
  step_sizes: pair(nonNegative),
  max_iter: size,
  max_eval: nullable(size),
  tolerance_grad: nonNegative,
  tolerance_change: nonNegative,
  history_size: size,
  line_search_fn: nullable({ type: "string", enum: ["strong_wolfe"] }),
  // schedulers
  step_size: size,
  gamma: positive,
  last_epoch: int(-1),
  milestones: { type: "array", maxItems: 10_000, items: int(0) },
  T_max: size,
  eta_min: nonNegative,
  start_factor: positive,
  end_factor: nonNegative,
  total_iters: int(0),
  max_lr: { anyOf: [positive, numbers(1)] },
  total_steps: nullable(size),
  epochs: nullable(size),
  steps_per_epoch: nullable(size),
  pct_start: probability,
  anneal_strategy: { type: "string", enum: ["cos", "linear"] },
  cycle_momentum: bool,
  base_momentum: nonNegative,
  max_momentum: nonNegative,
  div_factor: positive,
  final_div_factor: positive,
  three_phase: bool,
  mode: { type: "string", enum: ["min", "max"] },
  factor: num({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  patience: int(0),
  threshold: nonNegative,
  threshold_mode: { type: "string", enum: ["rel", "abs"] },
  cooldown: int(0),
  min_lr: { anyOf: [nonNegative, numbers(1)] },
  interval: { type: "string", enum: ["step", "epoch"], description: "ours, not PyTorch's: step the scheduler after every batch or every epoch" },
};

function argumentsOf(signature: Signature): string[] {
  return [...signature.positional, ...signature.options];
}

/** `{"type": name, ...args}` with exactly the signature's arguments. */
function classSchema(name: string, args: string[], required: string[]): Schema {
  const properties: Record<string, Schema | boolean> = { type: true };
  for (const arg of args) {
    const schema = ARGUMENT_SCHEMAS[arg];
    if (!schema) throw new Error(`no argument schema for ${name}.${arg}`); // a programming error: caught by the tests at start-up
    properties[arg] = schema;
  }
  return { if: { properties: { type: { const: name } }, required: ["type"] }, then: { properties, required, additionalProperties: false } };
}

/** A schema for `{"type": one of names, ...}` that dispatches on type to each class's own schema. */
function dispatch($id: string, description: string, classes: Record<string, Signature>, extra: { name: string; schema: Schema }[] = [], extraArgs: string[] = []): Schema {
  const names = [...extra.map((e) => e.name), ...Object.keys(classes)];
  return {
    $id,
    type: "object",
    description,
    required: ["type"],
    properties: { type: { type: "string", enum: names } },
    allOf: [
      ...extra.map((e) => e.schema),
      ...Object.entries(classes).map(([name, signature]) => classSchema(name, [...argumentsOf(signature), ...extraArgs], signature.required)),
    ],
  };
}

export const layerInputSchema = dispatch(
  "LayerInput",
  'a module of an nn.Sequential: {"type": PyTorch class name, ...its constructor arguments}; "Sequential" nests "layers"',
  LAYERS,
  [{
    name: "Sequential",
    schema: { if: { properties: { type: { const: "Sequential" } }, required: ["type"] }, then: { properties: { type: true, layers: { type: "array", minItems: 1, maxItems: 1000, items: { $ref: "LayerInput#" } } }, required: ["layers"], additionalProperties: false } },
  }],
);

export const lossInputSchema = dispatch("LossInput", '{"type": a torch.nn loss class, ...its constructor arguments}', LOSSES);
export const optimizerInputSchema = dispatch("OptimizerInput", '{"type": a torch.optim class, ...its hyperparameters}', OPTIMIZERS);
export const lrSchedulerInputSchema = dispatch(
  "LrSchedulerInput",
  '{"type": a torch.optim.lr_scheduler class, ...its arguments, "interval"?: "epoch" | "step"}',
  SCHEDULERS,
  [],
  ["interval"],
);

export const requestSchemas = [layerInputSchema, lossInputSchema, optimizerInputSchema, lrSchedulerInputSchema];
