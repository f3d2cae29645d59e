// torch.* functions with PyTorch's keyword arguments (see kwargs.ts): the positional parameter names
// of each function as PyTorch's signature has them.
import { withKwargs } from "../kwargs.js";
import * as A from "./activation.js";
import * as E from "./elementwise.js";
import * as I from "./indexing.js";
import * as MM from "./matmul.js";
import * as R from "./reduce.js";
import * as V from "./view.js";

const IN = "input";
export const clamp = withKwargs("clamp", E.clamp, [IN, "min", "max"]);
export const maximum = withKwargs("maximum", E.maximum, [IN, "other"]);
export const minimum = withKwargs("minimum", E.minimum, [IN, "other"]);
export const where = withKwargs("where", E.where, ["condition", IN, "other"]);
export const masked_fill = withKwargs("masked_fill", E.masked_fill, [IN, "mask", "value"]);
export const lerp = withKwargs("lerp", E.lerp, [IN, "end", "weight"]);
export const pow = withKwargs("pow", E.pow, [IN, "exponent"]);
export const atan2 = withKwargs("atan2", E.atan2, [IN, "other"]);
export const addcmul = withKwargs("addcmul", E.addcmul, [IN, "tensor1", "tensor2"], ["value"]);
export const addcdiv = withKwargs("addcdiv", E.addcdiv, [IN, "tensor1", "tensor2"], ["value"]);

export const softmax = withKwargs("softmax", A.softmax, [IN, "dim"], ["dtype"]);
export const log_softmax = withKwargs("log_softmax", A.log_softmax, [IN, "dim"], ["dtype"]);
export const dropout = withKwargs("dropout", A.dropout, [IN, "p", "training", "inplace"]);
export const leaky_relu = withKwargs("leaky_relu", A.leaky_relu, [IN, "negative_slope"]);
export const elu = withKwargs("elu", A.elu, [IN, "alpha"]);
export const softplus = withKwargs("softplus", A.softplus, [IN, "beta", "threshold"]);
export const gelu = withKwargs("gelu", A.gelu, [IN], ["approximate"]);

const REDUCE = ["keepdim", "dtype"];
export const sum = withKwargs("sum", R.sum, [IN, "dim"], REDUCE);
export const mean = withKwargs("mean", R.mean, [IN, "dim"], REDUCE);
export const prod = withKwargs("prod", R.prod, [IN, "dim"], REDUCE);
export const max = withKwargs("max", R.max, [IN, "dim"], ["keepdim"]);
export const min = withKwargs("min", R.min, [IN, "dim"], ["keepdim"]);
export const amax = withKwargs("amax", R.amax, [IN, "dim"], ["keepdim"]);
export const amin = withKwargs("amin", R.amin, [IN, "dim"], ["keepdim"]);
export const argmax = withKwargs("argmax", R.argmax, [IN, "dim"], ["keepdim"]);
export const argmin = withKwargs("argmin", R.argmin, [IN, "dim"], ["keepdim"]);
export const var_ = withKwargs("var", R.var_, [IN, "dim"], ["unbiased", "keepdim", "correction"]);
export const std = withKwargs("std", R.std, [IN, "dim"], ["unbiased", "keepdim", "correction"]);
export const logsumexp = withKwargs("logsumexp", R.logsumexp, [IN, "dim"], ["keepdim"]);
export const norm = withKwargs("norm", R.norm, [IN, "p", "dim"], ["keepdim"]);
export const all = withKwargs("all", R.all, [IN, "dim"], ["keepdim"]);
export const any = withKwargs("any", R.any, [IN, "dim"], ["keepdim"]);

export const matmul = withKwargs("matmul", MM.matmul, [IN, "other"]);
export const mm = withKwargs("mm", MM.mm, [IN, "mat2"]);
export const bmm = withKwargs("bmm", MM.bmm, [IN, "mat2"]);
export const mv = withKwargs("mv", MM.mv, [IN, "vec"]);
export const dot = withKwargs("dot", MM.dot, [IN, "other"]);
export const outer = withKwargs("outer", MM.outer, [IN, "vec2"]);

export const reshape = withKwargs("reshape", V.reshape, [IN, "shape"]);
export const transpose = withKwargs("transpose", V.transpose, [IN, "dim0", "dim1"]);
export const permute = withKwargs("permute", (t: Parameters<typeof V.permute>[0], ...dims: (number | readonly number[])[]) => V.permute(t, V.flattenArgs(dims)), [IN, "dims"]);
export const movedim = withKwargs("movedim", V.movedim, [IN, "source", "destination"]);
export const squeeze = withKwargs("squeeze", V.squeeze, [IN, "dim"]);
export const unsqueeze = withKwargs("unsqueeze", V.unsqueeze, [IN, "dim"]);
export const flatten = withKwargs("flatten", V.flatten, [IN, "start_dim", "end_dim"]);
export const unflatten = withKwargs("unflatten", V.unflatten, [IN, "dim", "sizes"]);
export const narrow = withKwargs("narrow", V.narrow, [IN, "dim", "start", "length"]);
export const select = withKwargs("select", V.select, [IN, "dim", "index"]);
export const unbind = withKwargs("unbind", V.unbind, [IN, "dim"]);

export const index_select = withKwargs("index_select", I.index_select, [IN, "dim", "index"]);
export const gather = withKwargs("gather", I.gather, [IN, "dim", "index"]);
export const scatter = withKwargs("scatter", I.scatter, [IN, "dim", "index", "src"]);
export const scatter_add = withKwargs("scatter_add", I.scatter_add, [IN, "dim", "index", "src"]);
export const index_add = withKwargs("index_add", I.index_add, [IN, "dim", "index", "source"], ["alpha"]);
export const cat = withKwargs("cat", I.cat, ["tensors", "dim"]);
export const stack = withKwargs("stack", I.stack, ["tensors", "dim"]);
export const split = withKwargs("split", I.split, ["tensor", "split_size_or_sections", "dim"]);
export const chunk = withKwargs("chunk", I.chunk, [IN, "chunks", "dim"]);
export const pad = withKwargs("pad", I.pad, [IN, "pad", "mode", "value"]);
export const masked_select = withKwargs("masked_select", I.masked_select, [IN, "mask"]);
export const flip = withKwargs("flip", I.flip, [IN, "dims"]);
export const tril = withKwargs("tril", I.tril, [IN, "diagonal"]);
export const triu = withKwargs("triu", I.triu, [IN, "diagonal"]);
export const sort = withKwargs("sort", I.sort, [IN, "dim"], ["descending", "stable"]);
export const topk = withKwargs("topk", I.topk, [IN, "k", "dim"], ["largest", "sorted"]);
