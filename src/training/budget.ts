// What a model may cost, checked from its JSON before the engine allocates anything: parameters,
// modules, nesting and the size of any one argument when a model is defined; at job submission,
// where the batch size and the data set's shape are known, also the activations of a training step
// and whether the layers' shapes fit together and the labels fit the model's output.
// Over a limit is a 422 naming the limit, its value and the variable that sets it.
import { MODEL_LIMIT_VARIABLES, type ModelLimits } from "../config.js";
import type { DType, TensorShapes } from "../datasets/arrays.js";
import { SpecError } from "./build.js";
import { layerParameters, traceShapes } from "./shapes.js";
import { trainRows, type JobSpec, type LayerSpec } from "./spec.js";
import { EVAL_BATCH } from "./trainer.js";

/** Arguments that are sizes (of features, channels, kernels, tables): each at most MAX_LAYER_DIM. */
const SIZE_ARGUMENTS = ["in_features", "out_features", "in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "num_features", "normalized_shape", "num_embeddings", "embedding_dim", "unflattened_size", "output_size", "divisor_override"];

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, int64: 8 };

export interface ModelCost {
  parameters: number;
  /** Modules, nested Sequentials and their layers included. */
  layers: number;
  /** 1 for a flat model, 2 with a Sequential inside, ... */
  depth: number;
}

/** `1.2e9` style for big numbers, plain digits below a million. */
function figure(n: number): string {
  if (n < 1e6) return String(n);
  const [mantissa, exponent] = n.toExponential(2).split("e");
  return `${mantissa.replace(/\.?0+$/, "")}e${Number(exponent)}`;
}

function overLimit(what: string, value: number, key: keyof ModelLimits, limits: ModelLimits, field: string, unit = ""): never {
  throw new SpecError(`${what} ${figure(value)}${unit} exceeds the limit ${figure(limits[key])}${unit} (${MODEL_LIMIT_VARIABLES[key]})`, field, "unbuildable");
}

/** Counts modules and depth, and checks every size argument, without recursing past the depth limit. */
function walk(layers: LayerSpec[], field: string, depth: number, limits: ModelLimits, cost: ModelCost): void {
  if (depth > limits.maxDepth) overLimit("model.depth", depth, "maxDepth", limits, field);
  cost.depth = Math.max(cost.depth, depth);
  layers.forEach((layer, i) => {
    const at = `${field}.${i}`;
    cost.layers++;
    if (cost.layers > limits.maxLayers) overLimit("model.layers", cost.layers, "maxLayers", limits, at);
    for (const name of SIZE_ARGUMENTS) {
      const value = layer[name];
      const largest = Array.isArray(value) ? Math.max(...value.filter((v): v is number => typeof v === "number")) : typeof value === "number" ? value : 0;
      if (largest > limits.maxDim) overLimit(`${layer.type}.${name}`, largest, "maxDim", limits, `${at}.${name}`);
    }
    if (layer.type === "Sequential" && Array.isArray(layer.layers)) walk(layer.layers, `${at}.layers`, depth + 1, limits, cost);
  });
}

/** What can be known of a model alone; throws a 422 SpecError past a limit. */
export function checkModelBudget(layers: LayerSpec[], limits: ModelLimits): ModelCost {
  const cost: ModelCost = { parameters: 0, layers: 0, depth: 0 };
  walk(layers, "layers", 1, limits, cost);
  cost.parameters = layers.reduce((n, layer, i) => n + layerParameters(layer, `layers.${i}`), 0);
  if (cost.parameters > limits.maxParameters) overLimit("model.parameters", cost.parameters, "maxParameters", limits, "layers");
  return cost;
}

export interface JobCost extends ModelCost {
  /** The model's output shape for a training batch. */
  output: number[];
  /** Bytes of activations: the larger of a training step (outputs kept for backward, and their gradients) and an evaluation batch. */
  activationBytes: number;
}

/**
 * The model's cost for this job: its own limits, then the shapes through every layer for the data
 * set's input at the job's batch size (a mismatch is a 422 naming the layer), the activation bytes
 * against the limit, and class labels against the model's output size.
 */
export function checkJobBudget(spec: JobSpec, shapes: TensorShapes, limits: ModelLimits): JobCost {
  const model = checkModelBudget(spec.layers, limits);
  const x = shapes.x!;
  const rows = trainRows(x.shape[0], spec.validation_split);
  const sample = x.shape.slice(1);
  const batch = Math.max(1, Math.min(spec.batch_size, rows));
  const train = traceShapes(spec.layers, [batch, ...sample]);
  const evalRows = Math.max(1, Math.min(EVAL_BATCH, x.shape[0]));
  const evaluation = traceShapes(spec.layers, [evalRows, ...sample]);
  const bytes = BYTES[x.dtype];
  // Training keeps every output for backward and gives each a gradient of the same size; the
  // convolutions' unfolded inputs exist once more during forward and backward.
  const trainBytes = bytes * (2 * train.elements + 2 * train.workspace);
  const evalBytes = bytes * (evaluation.elements + evaluation.workspace);
  if (trainBytes > limits.maxActivationBytes) overLimit(`the activations of a training batch of ${batch} (batch_size)`, trainBytes, "maxActivationBytes", limits, "batch_size", " bytes");
  // Evaluation runs without gradients, EVAL_BATCH rows at a time, whatever the batch size: the model itself is too large.
  if (evalBytes > limits.maxActivationBytes) overLimit(`the activations of an evaluation batch of ${evalRows} rows`, evalBytes, "maxActivationBytes", limits, "layers", " bytes");
  const activationBytes = Math.max(trainBytes, evalBytes);
  checkLabels(spec, shapes, train.output);
  return { ...model, output: train.output, activationBytes };
}

const CLASS_INDEX_LOSSES = new Set(["CrossEntropyLoss", "NLLLoss"]);

/** Class-index losses need labels in [0, classes): known from the data set's label range. */
function checkLabels(spec: JobSpec, shapes: TensorShapes, output: number[]): void {
  if (!CLASS_INDEX_LOSSES.has(spec.loss.type) || output.length < 2) return;
  const classes = output[1];
  const ignoreIndex = typeof spec.loss.ignore_index === "number" ? spec.loss.ignore_index : -100;
  for (const name of ["y", "y_test"] as const) {
    const y = shapes[name];
    if (!y || (y.dtype !== "int64" && y.dtype !== "int32") || y.min === undefined || y.max === undefined) continue;
    if (y.max >= classes && y.max !== ignoreIndex)
      throw new SpecError(`the data set's labels (${name}) go up to ${y.max}, but the model's output has ${classes} classes (shape [N, ${output.slice(1).join(", ")}]): the last layer needs at least ${y.max + 1} outputs`, "layers", "unbuildable");
    if (y.min < 0 && y.min !== ignoreIndex)
      throw new SpecError(`the data set's labels (${name}) go down to ${y.min}; ${spec.loss.type} takes class indices from 0 (or ignore_index ${ignoreIndex})`, "loss", "unbuildable");
  }
}
