// PyTorch's calling convention in TypeScript: positional arguments as in PyTorch, keyword arguments as
// one trailing options object with the same names (`new nn.Softmax({ dim: 1 })`, `new nn.Dropout(0.2)`,
// `new StepLR(opt, { step_size: 5 })`). `bind` merges both into one record by parameter name.
import { Tensor } from "../tensor.js";

function isOptionsObject(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && !(v instanceof Map) &&
    Object.getPrototypeOf(v) === Object.prototype
  );
}

/**
 * Binds `args` (positional values, optionally ending with an options object) to `names`, as Python
 * binds a call: a name given both ways is an error, unknown keywords are an error.
 */
export function bind(fn: string, names: readonly string[], args: readonly unknown[]): Record<string, any> {
  let positional = [...args];
  while (positional.length > 0 && positional[positional.length - 1] === undefined) positional.pop();
  let kwargs: Record<string, unknown> = {};
  if (positional.length > 0 && isOptionsObject(positional[positional.length - 1])) {
    kwargs = positional.pop() as Record<string, unknown>;
  }
  if (positional.length > names.length) {
    throw new TypeError(`${fn}() takes ${names.length} positional arguments but ${positional.length} were given`);
  }
  const out: Record<string, any> = {};
  positional.forEach((v, i) => {
    if (v !== undefined) out[names[i]] = v;
  });
  for (const [k, v] of Object.entries(kwargs)) {
    if (!names.includes(k)) throw new TypeError(`${fn}() got an unexpected keyword argument '${k}'`);
    if (k in out) throw new TypeError(`${fn}() got multiple values for argument '${k}'`);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
