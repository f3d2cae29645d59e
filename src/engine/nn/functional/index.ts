// torch.nn.functional. Every function takes PyTorch's parameter names in a trailing options object
// (`F.conv2d(x, w, { stride: 2, padding: 1 })`, `F.softmax(x, { dim: 1 })`) as well as positionally.
import { withKwargs } from "../../kwargs.js";
import * as activation from "./activation.js";
import * as conv from "./conv.js";
import * as pooling from "./pooling.js";
import * as normalization from "./normalization.js";
import * as linearForms from "./linear.js";
import * as embeddingForms from "./embedding.js";

const IN = "input";
export const relu = withKwargs("relu", activation.relu, [IN, "inplace"]);
export const leaky_relu = withKwargs("leaky_relu", activation.leaky_relu, [IN, "negative_slope", "inplace"]);
export const gelu = withKwargs("gelu", activation.gelu, [IN], ["approximate"]);
export const silu = withKwargs("silu", activation.silu, [IN, "inplace"]);
export const sigmoid = withKwargs("sigmoid", activation.sigmoid, [IN]);
export const tanh = withKwargs("tanh", activation.tanh, [IN]);
export const softmax = withKwargs("softmax", activation.softmax, [IN, "dim"], ["dtype"]);
export const log_softmax = withKwargs("log_softmax", activation.log_softmax, [IN, "dim"], ["dtype"]);
export const dropout = withKwargs("dropout", activation.dropout, [IN, "p", "training", "inplace"]);
export const linear = withKwargs("linear", linearForms.linear, [IN, "weight", "bias"]);
const CONV = [IN, "weight", "bias", "stride", "padding", "dilation", "groups"] as const;
export const conv1d = withKwargs("conv1d", conv.conv1d, CONV);
export const conv2d = withKwargs("conv2d", conv.conv2d, CONV);
export const max_pool2d = withKwargs("max_pool2d", pooling.max_pool2d, [
  IN, "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices",
]);
export const avg_pool2d = withKwargs("avg_pool2d", pooling.avg_pool2d, [
  IN, "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override",
]);
export const adaptive_avg_pool2d = withKwargs("adaptive_avg_pool2d", pooling.adaptive_avg_pool2d, [IN, "output_size"]);
export const batch_norm = withKwargs("batch_norm", normalization.batch_norm, [
  IN, "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps",
]);
export const layer_norm = withKwargs("layer_norm", normalization.layer_norm, [IN, "normalized_shape", "weight", "bias", "eps"]);
export const embedding = withKwargs("embedding", embeddingForms.embedding, [
  IN, "weight", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse",
]);
// pad is an engine op (torch.functional.pad), already taking its keyword names.
export { pad } from "../../ops/kwargs_functions.js";
export {
  mse_loss, l1_loss, smooth_l1_loss, huber_loss, binary_cross_entropy, binary_cross_entropy_with_logits,
  kl_div, nll_loss, cross_entropy,
} from "./loss.js";
