// The activations of torch.nn.functional (the nn layer re-exports these in nn.functional beside losses),
// with PyTorch's keyword arguments (F.softmax(x, { dim: 1 }), F.dropout(x, { p: 0.2, training: false })).
export { relu, sigmoid, tanh, silu } from "./ops/activation.js";
export { gelu, softplus, leaky_relu, elu, softmax, log_softmax, dropout, pad } from "./ops/kwargs_functions.js";
