// A model's arithmetic, from its JSON alone, before any tensor exists: how many parameters each layer
// holds, and the shape every layer gives for an input shape, with the elements it produces (what the
// activation budget counts). Follows PyTorch's rules for each layer of signatures.ts; a mismatch
// (Linear(784, 512) then Linear(256, 10), a convolution whose output would be empty) is a SpecError
// naming the layer. Arguments are read defensively: a stored model may predate the request schemas.
import { SpecError } from "./build.js";
import type { LayerSpec } from "./spec.js";

const fail = (message: string, field: string): never => {
  throw new SpecError(message, field, "unbuildable");
};
const invalid = (message: string, field: string): never => {
  throw new SpecError(message, field, "invalid");
};

export const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const show = (shape: readonly number[]) => `[${shape.join(", ")}]`;

/** An integer argument no smaller than `min`; `fallback` when absent (or null, if allowed). */
function intArg(layer: LayerSpec, name: string, field: string, min: number, fallback?: number): number {
  const value = layer[name] ?? fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) return invalid(`${layer.type}.${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`, `${field}.${name}`);
  return value;
}

/** An int or a list of n ints (one int stands for all n), as kernel_size, stride, padding... */
function tupleArg(layer: LayerSpec, name: string, field: string, n: number, min: number, fallback: number | number[]): number[] {
  const value = layer[name] ?? fallback;
  const list = typeof value === "number" ? new Array(n).fill(value) : value;
  if (!Array.isArray(list) || !(list.length === n || list.length === 1) || !list.every((v) => typeof v === "number" && Number.isSafeInteger(v) && v >= min))
    return invalid(`${layer.type}.${name} must be an integer >= ${min} or a list of ${n}, got ${JSON.stringify(value)}`, `${field}.${name}`);
  return list.length === n ? list : new Array(n).fill(list[0]);
}

const flag = (layer: LayerSpec, name: string, fallback: boolean) => (typeof layer[name] === "boolean" ? (layer[name] as boolean) : fallback);

/** Trainable parameters of one layer (a nested Sequential counts its own layers), as the engine allocates them. */
export function layerParameters(layer: LayerSpec, field: string): number {
  switch (layer.type) {
    case "Sequential":
      return Array.isArray(layer.layers) ? layer.layers.reduce((n, l, i) => n + layerParameters(l, `${field}.layers.${i}`), 0) : 0;
    case "Linear": {
      const out = intArg(layer, "out_features", field, 1);
      return intArg(layer, "in_features", field, 1) * out + (flag(layer, "bias", true) ? out : 0);
    }
    case "Conv1d":
    case "Conv2d": {
      const n = layer.type === "Conv1d" ? 1 : 2;
      const out = intArg(layer, "out_channels", field, 1);
      const groups = intArg(layer, "groups", field, 1, 1);
      return out * Math.floor(intArg(layer, "in_channels", field, 1) / groups) * numel(tupleArg(layer, "kernel_size", field, n, 1, 1)) + (flag(layer, "bias", true) ? out : 0);
    }
    case "BatchNorm1d":
    case "BatchNorm2d":
      return flag(layer, "affine", true) ? 2 * intArg(layer, "num_features", field, 1) : 0;
    case "LayerNorm": {
      if (!flag(layer, "elementwise_affine", true)) return 0;
      return numel(normalizedShape(layer, field)) * (flag(layer, "bias", true) ? 2 : 1);
    }
    case "Embedding":
      return intArg(layer, "num_embeddings", field, 1) * intArg(layer, "embedding_dim", field, 1);
    default:
      return 0;
  }
}

function normalizedShape(layer: LayerSpec, field: string): number[] {
  const value = layer.normalized_shape;
  const list = typeof value === "number" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === "number" && Number.isSafeInteger(v) && v >= 1))
    return invalid(`LayerNorm.normalized_shape must be a positive integer or a list of them, got ${JSON.stringify(value)}`, `${field}.normalized_shape`);
  return list;
}

/** What running a model on a batch costs: every layer's output elements, plus each convolution's unfolded input. */
export interface ShapeTrace {
  output: number[];
  /** Elements of all layer outputs, the input included, for the whole batch. */
  elements: number;
  /** Extra elements the convolutions unfold their input into (im2col), for the whole batch. */
  workspace: number;
}

/** The output shape of `layers` for an input of `input` (batch dimension first), and what it produces on the way. */
export function traceShapes(layers: LayerSpec[], input: number[], field = "layers"): ShapeTrace {
  const trace: ShapeTrace = { output: input, elements: numel(input), workspace: 0 };
  trace.output = traceSequential(layers, input, field, trace);
  return trace;
}

function traceSequential(layers: LayerSpec[], input: number[], field: string, trace: ShapeTrace): number[] {
  let x = input;
  layers.forEach((layer, i) => {
    x = traceLayer(layer, x, `${field}.${i}`, trace);
  });
  return x;
}

/** PyTorch's dim wrapping: -1 is the last dimension. */
function wrapDim(dim: number, rank: number, what: string, field: string): number {
  const r = Math.max(rank, 1);
  if (dim < -r || dim >= r) return fail(`${what}: dimension ${dim} is out of range for an input of ${rank} dimensions (expected -${r} to ${r - 1})`, field);
  return dim < 0 ? dim + r : dim;
}

function dimArg(layer: LayerSpec, name: string, field: string, fallback: number): number {
  const value = layer[name] ?? fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) return invalid(`${layer.type}.${name} must be an integer, got ${JSON.stringify(value)}`, `${field}.${name}`);
  return value;
}

function traceLayer(layer: LayerSpec, x: number[], field: string, trace: ShapeTrace): number[] {
  const out = layerOutput(layer, x, field, trace);
  if (layer.type !== "Sequential") trace.elements += numel(out);
  return out;
}

function layerOutput(layer: LayerSpec, x: number[], field: string, trace: ShapeTrace): number[] {
  const rank = x.length;
  const type = layer.type;
  switch (type) {
    case "Sequential":
      if (!Array.isArray(layer.layers)) return invalid("Sequential needs a list of layers", `${field}.layers`);
      return traceSequential(layer.layers, x, `${field}.layers`, trace);
    case "Identity":
    case "ReLU":
    case "LeakyReLU":
    case "GELU":
    case "SiLU":
    case "Sigmoid":
    case "Tanh":
    case "Dropout":
      return x;
    case "Softmax":
    case "LogSoftmax":
      if (layer.dim !== undefined && layer.dim !== null) wrapDim(dimArg(layer, "dim", field, 0), rank, type, `${field}.dim`);
      return x;
    case "Linear": {
      const inFeatures = intArg(layer, "in_features", field, 1);
      if (rank < 1 || x[rank - 1] !== inFeatures)
        return fail(`Linear(in_features=${inFeatures}) cannot take an input of shape ${show(x)}: its last dimension must be ${inFeatures}`, `${field}.in_features`);
      return [...x.slice(0, -1), intArg(layer, "out_features", field, 1)];
    }
    case "Flatten": {
      const start = wrapDim(dimArg(layer, "start_dim", field, 1), rank, "Flatten start_dim", `${field}.start_dim`);
      const end = wrapDim(dimArg(layer, "end_dim", field, -1), rank, "Flatten end_dim", `${field}.end_dim`);
      if (rank === 0) return [1];
      if (start > end) return fail(`Flatten: start_dim ${start} comes after end_dim ${end} for an input of shape ${show(x)}`, field);
      return [...x.slice(0, start), numel(x.slice(start, end + 1)), ...x.slice(end + 1)];
    }
    case "Unflatten": {
      const d = wrapDim(dimArg(layer, "dim", field, NaN), rank, "Unflatten dim", `${field}.dim`);
      const sizes = layer.unflattened_size;
      if (!Array.isArray(sizes) || sizes.length === 0 || !sizes.every((s) => Number.isSafeInteger(s) && (s >= 1 || s === -1)) || sizes.filter((s) => s === -1).length > 1)
        return invalid("Unflatten.unflattened_size must be a list of positive integers with at most one -1", `${field}.unflattened_size`);
      const known = numel(sizes.filter((s) => s !== -1));
      const resolved = sizes.includes(-1) ? sizes.map((s) => (s === -1 ? x[d] / known : s)) : sizes;
      if (!resolved.every(Number.isInteger) || numel(resolved) !== x[d])
        return fail(`Unflatten: sizes ${show(sizes)} do not multiply to ${x[d]}, dimension ${d} of the input ${show(x)}`, `${field}.unflattened_size`);
      return [...x.slice(0, d), ...resolved, ...x.slice(d + 1)];
    }
    case "Conv1d":
    case "Conv2d":
      return convOutput(layer, x, field, trace);
    case "MaxPool2d":
    case "AvgPool2d":
      return poolOutput(layer, x, field);
    case "AdaptiveAvgPool2d": {
      if (rank !== 3 && rank !== 4) return fail(`AdaptiveAvgPool2d needs an input [N, C, H, W] or [C, H, W], got ${show(x)}`, field);
      const value = layer.output_size;
      const list = typeof value === "number" ? [value, value] : Array.isArray(value) && value.length === 1 ? [value[0], value[0]] : value;
      if (!Array.isArray(list) || list.length !== 2 || !list.every((v) => v === null || (Number.isSafeInteger(v) && v >= 1)))
        return invalid("AdaptiveAvgPool2d.output_size must be a positive integer or a list of two (null keeps the input's size)", `${field}.output_size`);
      return [...x.slice(0, -2), (list[0] as number | null) ?? x[rank - 2], (list[1] as number | null) ?? x[rank - 1]];
    }
    case "BatchNorm1d":
    case "BatchNorm2d": {
      const features = intArg(layer, "num_features", field, 1);
      const ranks = type === "BatchNorm1d" ? [2, 3] : [4];
      if (!ranks.includes(rank)) return fail(`${type} needs an input of ${ranks.join(" or ")} dimensions (${type === "BatchNorm1d" ? "[N, C] or [N, C, L]" : "[N, C, H, W]"}), got ${show(x)}`, field);
      if (x[1] !== features) return fail(`${type}(num_features=${features}) cannot take an input of shape ${show(x)}: dimension 1 must be ${features}`, `${field}.num_features`);
      return x;
    }
    case "LayerNorm": {
      const shape = normalizedShape(layer, field);
      const tail = x.slice(rank - shape.length);
      if (rank < shape.length || tail.some((d, i) => d !== shape[i]))
        return fail(`LayerNorm(normalized_shape=${show(shape)}) cannot take an input of shape ${show(x)}: its last dimensions must be ${show(shape)}`, `${field}.normalized_shape`);
      return x;
    }
    case "Embedding":
      return fail("Embedding takes integer indices, but a data set's x (and so every layer's input) is floating point", `${field}.type`);
    default:
      return invalid(`unknown layer type "${type}"`, `${field}.type`);
  }
}

function convOutput(layer: LayerSpec, x: number[], field: string, trace: ShapeTrace): number[] {
  const n = layer.type === "Conv1d" ? 1 : 2;
  const rank = x.length;
  const inChannels = intArg(layer, "in_channels", field, 1);
  const outChannels = intArg(layer, "out_channels", field, 1);
  const groups = intArg(layer, "groups", field, 1, 1);
  if (rank !== n + 2) return fail(`${layer.type} needs an input [N, C, ${n === 1 ? "L" : "H, W"}], got ${show(x)}`, field);
  if (x[1] !== inChannels) return fail(`${layer.type}(in_channels=${inChannels}) cannot take an input of shape ${show(x)}: it has ${x[1]} channels`, `${field}.in_channels`);
  if (inChannels % groups !== 0 || outChannels % groups !== 0) return fail(`${layer.type}: in_channels ${inChannels} and out_channels ${outChannels} must both be divisible by groups ${groups}`, `${field}.groups`);
  const kernel = tupleArg(layer, "kernel_size", field, n, 1, 1);
  const stride = tupleArg(layer, "stride", field, n, 1, 1);
  const dilation = tupleArg(layer, "dilation", field, n, 1, 1);
  const same = layer.padding === "same";
  const padding = same || layer.padding === "valid" ? new Array(n).fill(0) : tupleArg(layer, "padding", field, n, 0, 0);
  const spatial = x.slice(2).map((size, i) => {
    if (same) return size;
    const span = dilation[i] * (kernel[i] - 1) + 1;
    const out = Math.floor((size + 2 * padding[i] - span) / stride[i]) + 1;
    if (out < 1) fail(`${layer.type}: the kernel spans ${span} but the padded input is only ${size + 2 * padding[i]} wide (input ${show(x)}), so the output would be empty`, `${field}.kernel_size`);
    return out;
  });
  // im2col: every output position gets a copy of its receptive field, for all input channels.
  trace.workspace += x[0] * inChannels * numel(kernel) * numel(spatial);
  return [x[0], outChannels, ...spatial];
}

function poolOutput(layer: LayerSpec, x: number[], field: string): number[] {
  const rank = x.length;
  if (rank !== 3 && rank !== 4) return fail(`${layer.type} needs an input [N, C, H, W] or [C, H, W], got ${show(x)}`, field);
  if (layer.return_indices === true) return fail(`${layer.type}(return_indices=True) returns two tensors, which an nn.Sequential cannot pass on`, `${field}.return_indices`);
  const kernel = tupleArg(layer, "kernel_size", field, 2, 1, 1);
  const stride = layer.stride === undefined || layer.stride === null ? kernel : tupleArg(layer, "stride", field, 2, 1, 1);
  const padding = tupleArg(layer, "padding", field, 2, 0, 0);
  const dilation = layer.type === "MaxPool2d" ? tupleArg(layer, "dilation", field, 2, 1, 1) : [1, 1];
  const ceil = flag(layer, "ceil_mode", false);
  const spatial = x.slice(-2).map((size, i) => {
    const span = dilation[i] * (kernel[i] - 1) + 1;
    if (2 * padding[i] > kernel[i]) fail(`${layer.type}: padding ${padding[i]} must be at most half the kernel size ${kernel[i]}`, `${field}.padding`);
    const room = size + 2 * padding[i] - span;
    let out = (ceil ? Math.ceil(room / stride[i]) : Math.floor(room / stride[i])) + 1;
    // PyTorch: with ceil_mode the last window must start inside the input or its left padding.
    if (ceil && (out - 1) * stride[i] >= size + padding[i]) out--;
    if (out < 1) fail(`${layer.type}: the kernel spans ${span} but the padded input is only ${size + 2 * padding[i]} wide (input ${show(x)}), so the output would be empty`, `${field}.kernel_size`);
    return out;
  });
  return [...x.slice(0, -2), ...spatial];
}
