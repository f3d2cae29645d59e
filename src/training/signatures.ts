// Constructor signatures of the classes a job may name, as the engine declares them: PyTorch's
// arguments in PyTorch's order, required ones positional, keyword ones in one trailing options
// object (a few small modules, e.g. Flatten(start_dim, end_dim) or Dropout(p, inplace), take their
// optional arguments positionally, as in PyTorch). So a JSON spec {"type": "Linear", "in_features": 4,
// "out_features": 3, "bias": false} becomes new nn.Linear(4, 3, { bias: false }). Names not listed
// here are rejected, naming the field.
export interface Signature {
  /** Arguments passed positionally, in order (an absent optional one is passed as undefined, so its default applies). */
  positional: string[];
  /** The positional arguments that have no default. */
  required: string[];
  /** Keyword arguments, passed in one trailing options object. */
  options: string[];
}

/** `required` positional arguments, then optional positional ones, then keyword options. */
const sig = (required: string[], options: string[] = [], optionalPositional: string[] = []): Signature => ({
  positional: [...required, ...optionalPositional],
  required,
  options,
});
const conv = sig(["in_channels", "out_channels", "kernel_size"], ["stride", "padding", "dilation", "groups", "bias", "padding_mode"]);
const batchNorm = sig(["num_features"], ["eps", "momentum", "affine", "track_running_stats"]);

/** Layers usable in an nn.Sequential (one tensor in, one tensor out). Sequential itself is handled apart. */
export const LAYERS: Record<string, Signature> = {
  Linear: sig(["in_features", "out_features"], ["bias"]),
  Flatten: sig([], [], ["start_dim", "end_dim"]),
  Unflatten: sig(["dim", "unflattened_size"]),
  Identity: sig([]),
  ReLU: sig([], [], ["inplace"]),
  LeakyReLU: sig([], [], ["negative_slope", "inplace"]),
  GELU: sig([], ["approximate"]),
  SiLU: sig([], [], ["inplace"]),
  Sigmoid: sig([]),
  Tanh: sig([]),
  Softmax: sig([], [], ["dim"]),
  LogSoftmax: sig([], [], ["dim"]),
  Dropout: sig([], [], ["p", "inplace"]),
  Conv1d: conv,
  Conv2d: conv,
  MaxPool2d: sig(["kernel_size"], ["stride", "padding", "dilation", "return_indices", "ceil_mode"]),
  AvgPool2d: sig(["kernel_size"], ["stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"]),
  AdaptiveAvgPool2d: sig(["output_size"]),
  BatchNorm1d: batchNorm,
  BatchNorm2d: batchNorm,
  LayerNorm: sig(["normalized_shape"], ["eps", "elementwise_affine", "bias"]),
  Embedding: sig(["num_embeddings", "embedding_dim"], ["padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse"]),
};

const reduction = ["reduction"];
export const LOSSES: Record<string, Signature> = {
  CrossEntropyLoss: sig([], ["weight", "ignore_index", "label_smoothing", ...reduction]),
  NLLLoss: sig([], ["weight", "ignore_index", ...reduction]),
  MSELoss: sig([], reduction),
  L1Loss: sig([], reduction),
  SmoothL1Loss: sig([], ["beta", ...reduction]),
  HuberLoss: sig([], ["delta", ...reduction]),
  BCELoss: sig([], ["weight", ...reduction]),
  BCEWithLogitsLoss: sig([], ["weight", "pos_weight", ...reduction]),
  KLDivLoss: sig([], ["log_target", ...reduction]),
};

/** Loss arguments that are tensors in PyTorch; given as JSON lists. */
export const TENSOR_ARGS = new Set(["weight", "pos_weight"]);

// Optimizers: params first (supplied by the trainer), every hyperparameter a keyword.
const common = ["lr", "weight_decay", "maximize", "foreach", "differentiable"];
export const OPTIMIZERS: Record<string, Signature> = {
  SGD: sig([], [...common, "momentum", "dampening", "nesterov"]),
  Adagrad: sig([], [...common, "lr_decay", "initial_accumulator_value", "eps"]),
  RMSprop: sig([], [...common, "alpha", "eps", "momentum", "centered"]),
  Adadelta: sig([], [...common, "rho", "eps"]),
  Adam: sig([], [...common, "betas", "eps", "amsgrad"]),
  AdamW: sig([], [...common, "betas", "eps", "amsgrad"]),
  Adamax: sig([], [...common, "betas", "eps"]),
  SparseAdam: sig([], ["lr", "betas", "eps", "maximize"]),
  ASGD: sig([], [...common, "lambd", "alpha", "t0"]),
  Rprop: sig([], ["lr", "etas", "step_sizes", "maximize", "foreach", "differentiable"]),
  LBFGS: sig([], ["lr", "max_iter", "max_eval", "tolerance_grad", "tolerance_change", "history_size", "line_search_fn"]),
};

// Schedulers: optimizer first (supplied by the trainer). `interval` is ours, not PyTorch's: whether
// the trainer calls step() after every batch or every epoch.
export const SCHEDULERS: Record<string, Signature> = {
  StepLR: sig(["step_size"], ["gamma", "last_epoch"]),
  MultiStepLR: sig(["milestones"], ["gamma", "last_epoch"]),
  ExponentialLR: sig(["gamma"], ["last_epoch"]),
  CosineAnnealingLR: sig(["T_max"], ["eta_min", "last_epoch"]),
  LinearLR: sig([], ["start_factor", "end_factor", "total_iters", "last_epoch"]),
  OneCycleLR: sig(["max_lr"], ["total_steps", "epochs", "steps_per_epoch", "pct_start", "anneal_strategy", "cycle_momentum", "base_momentum", "max_momentum", "div_factor", "final_div_factor", "three_phase"]),
  ReduceLROnPlateau: sig([], ["mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps"]),
};

/** Schedulers PyTorch steps once per batch by convention; the others step once per epoch. */
export const PER_BATCH_SCHEDULERS = new Set(["OneCycleLR"]);
