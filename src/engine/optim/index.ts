// torch.optim.
export { Optimizer, required, type ParamGroup, type ParamsInput, type OptimizerStateDict, type Closure } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { Adagrad, type AdagradOptions } from "./adagrad.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { Adadelta, type AdadeltaOptions } from "./adadelta.js";
export { Adamax, type AdamaxOptions } from "./adamax.js";
export { SparseAdam, type SparseAdamOptions } from "./sparse_adam.js";
export { ASGD, type ASGDOptions } from "./asgd.js";
export { Rprop, type RpropOptions } from "./rprop.js";
export { LBFGS, type LBFGSOptions } from "./lbfgs.js";
export * as lr_scheduler from "./lr_scheduler.js";
