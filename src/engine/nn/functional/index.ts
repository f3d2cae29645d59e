// torch.nn.functional.
export { relu, leaky_relu, gelu, silu, sigmoid, tanh, softmax, log_softmax, dropout } from "./activation.js";
export { linear } from "./linear.js";
export { conv1d, conv2d } from "./conv.js";
export { max_pool2d, avg_pool2d, adaptive_avg_pool2d } from "./pooling.js";
export { batch_norm, layer_norm } from "./normalization.js";
export { embedding } from "./embedding.js";
export {
  mse_loss, l1_loss, smooth_l1_loss, huber_loss, binary_cross_entropy, binary_cross_entropy_with_logits,
  kl_div, nll_loss, cross_entropy,
} from "./loss.js";
