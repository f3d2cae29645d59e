// PyTorch's keyword arguments: any positional parameter may also be given by name in the trailing options
// object (`torch.cat(ts, { dim: -1 })`, `x.clamp({ min: 0 })`, `torch.softmax(x, { dim: 1 })`).
// withKwargs wraps an op so that names in the options object move to their positional slots; the keys
// the op takes as options (keepdim, dtype, alpha, ...) stay in a trailing options object. Calls without
// an options object go straight through.
/** The call form with named parameters in the options object (typed loosely: names are checked at run time). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KwargsForm = (...args: [...unknown[], Record<string, unknown>]) => any;

/** A plain `{ ... }` object (not a tensor, dtype, array or other class instance). */
export function isOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withKwargs<F extends (...args: any[]) => any>(name: string, fn: F, positional: readonly string[], options: readonly string[] = []): F & KwargsForm {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const n = args.length;
    if (n === 0 || !isOptions(args[n - 1])) return fn.apply(this, args);
    const given = args[n - 1] as Record<string, unknown>;
    const pos = args.slice(0, n - 1);
    let rest: Record<string, unknown> | null = null;
    for (const k of Object.keys(given)) {
      const i = positional.indexOf(k);
      if (i >= 0) {
        if (i < pos.length && pos[i] !== undefined) throw new TypeError(`${name}() got multiple values for argument '${k}'`);
        while (pos.length <= i) pos.push(undefined);
        pos[i] = given[k];
      } else if (options.includes(k)) (rest ??= {})[k] = given[k];
      else throw new TypeError(`${name}() got an unexpected keyword argument '${k}'`);
    }
    if (rest) {
      while (pos.length < positional.length) pos.push(undefined);
      pos.push(rest);
    }
    return fn.apply(this, pos);
  };
  Object.defineProperty(wrapped, "name", { value: name });
  return wrapped as unknown as F & KwargsForm;
}

type Spec = readonly [positional: readonly string[], options?: readonly string[]];

/**
 * Wraps the methods of Tensor.prototype that have nameable parameters. Called by tensor.ts right after
 * the class is defined (so everything lives inside this function: module constants could still be
 * uninitialised in an import cycle).
 */
export function installMethodKwargs(TensorClass: { prototype: object }): void {
  const REDUCE: Spec = [["dim"], ["keepdim", "dtype"]];
  const KEEPDIM: Spec = [["dim"], ["keepdim"]];
  const VAR: Spec = [["dim"], ["unbiased", "keepdim", "correction"]];
  // Positional names exclude self, as PyTorch's Tensor method signatures name them.
  const specs: Record<string, Spec> = {
    clamp: [["min", "max"]], clip: [["min", "max"]], clamp_: [["min", "max"]],
    sum: REDUCE, mean: REDUCE, prod: REDUCE, max: KEEPDIM, min: KEEPDIM, amax: KEEPDIM, amin: KEEPDIM,
    argmax: KEEPDIM, argmin: KEEPDIM, all: KEEPDIM, any: KEEPDIM, logsumexp: KEEPDIM, var: VAR, std: VAR,
    norm: [["p", "dim"], ["keepdim"]],
    softmax: [["dim"], ["dtype"]], log_softmax: [["dim"], ["dtype"]],
    transpose: [["dim0", "dim1"]], swapaxes: [["dim0", "dim1"]], permute: [["dims"]], movedim: [["source", "destination"]],
    squeeze: [["dim"]], unsqueeze: [["dim"]], flatten: [["start_dim", "end_dim"]], unflatten: [["dim", "sizes"]],
    narrow: [["dim", "start", "length"]], select: [["dim", "index"]], unbind: [["dim"]],
    split: [["split_size", "dim"]], chunk: [["chunks", "dim"]],
    index_select: [["dim", "index"]], gather: [["dim", "index"]], scatter_add: [["dim", "index", "src"]],
    scatter: [["dim", "index", "src"]], index_add: [["dim", "index", "source"], ["alpha"]],
    scatter_add_: [["dim", "index", "src"]], index_add_: [["dim", "index", "source"], ["alpha"]],
    reshape: [["shape"]], view: [["size"]], expand: [["size"]], repeat: [["repeats"]], flip: [["dims"]],
    tril: [["diagonal"]], triu: [["diagonal"]], sort: [["dim"], ["descending", "stable"]],
    topk: [["k", "dim"], ["largest", "sorted"]],
    matmul: [["other"]], mm: [["mat2"]], bmm: [["mat2"]], mv: [["vec"]], dot: [["other"]], outer: [["vec2"]],
    pow: [["exponent"]], pow_: [["exponent"]], masked_fill: [["mask", "value"]], masked_fill_: [["mask", "value"]],
    where: [["condition", "other"]], maximum: [["other"]], minimum: [["other"]], atan2: [["other"]],
    eq: [["other"]], ne: [["other"]], lt: [["other"]], le: [["other"]], gt: [["other"]], ge: [["other"]],
    remainder: [["other"]], fmod: [["other"]], floor_divide: [["other"]], lerp: [["end", "weight"]], lerp_: [["end", "weight"]],
    addcmul_: [["tensor1", "tensor2"], ["value"]], addcdiv_: [["tensor1", "tensor2"], ["value"]],
    fill_: [["value"]], copy_: [["src"]], masked_select: [["mask"]],
    uniform_: [["from", "to"], ["generator"]], normal_: [["mean", "std"], ["generator"]], bernoulli_: [["p"], ["generator"]],
    requires_grad_: [["requires_grad"]],
  };
  const proto = TensorClass.prototype as Record<string, (...a: unknown[]) => unknown>;
  for (const [name, [positional, options]] of Object.entries(specs)) {
    const original = proto[name];
    if (typeof original !== "function") throw new Error(`kwargs: Tensor has no method ${name}`);
    proto[name] = withKwargs(name, original, positional, options ?? []);
  }
}
