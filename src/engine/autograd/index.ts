// torch.autograd: backward, grad, Function, gradcheck, and the grad-mode helpers.
export { backward, grad } from "./engine.js";
export { Function, FunctionCtx } from "./function.js";
export { gradcheck, type GradcheckOptions } from "./gradcheck.js";
export { Node, AccumulateGrad } from "./node.js";
export { no_grad, enable_grad, set_grad_enabled, is_grad_enabled } from "../grad_mode.js";
