// The activations of torch.nn.functional (the nn layer re-exports these in nn.functional beside losses).
export { relu, sigmoid, tanh, gelu, silu, softplus, leaky_relu, elu, softmax, log_softmax, dropout } from "./ops/activation.js";
export { pad } from "./ops/indexing.js";
