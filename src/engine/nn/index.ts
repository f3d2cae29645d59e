// torch.nn: modules, layers, losses; torch.nn.functional and torch.nn.init as namespaces.
export { Module, type StateDict, type IncompatibleKeys } from "./module.js";
export { Parameter } from "./parameter.js";
export { RemovableHandle } from "./hooks.js";
export { RowSparseTensor } from "./sparse.js";
export { Identity, Linear, NonDynamicallyQuantizableLinear } from "./modules/linear.js";
export { Flatten, Unflatten } from "./modules/flatten.js";
export { Sequential, ModuleList, ModuleDict } from "./modules/container.js";
export { ReLU, LeakyReLU, GELU, SiLU, Sigmoid, Tanh, Softmax, LogSoftmax, Dropout } from "./modules/activation.js";
export { Conv1d, Conv2d } from "./modules/conv.js";
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from "./modules/pooling.js";
export { BatchNorm1d, BatchNorm2d, LayerNorm } from "./modules/normalization.js";
export { Embedding } from "./modules/embedding.js";
export { MultiheadAttention } from "./modules/attention.js";
export {
  MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss, NLLLoss, CrossEntropyLoss,
} from "./modules/loss.js";
export * as functional from "./functional/index.js";
export * as init from "./init.js";
