// A finite-difference gradient check for nn's tests: compares the gradient of a random projection
// <fn(inputs), v> from backward with central differences (eps 1e-6) in float64, for every element of
// every input that requires grad. One backward pass per check, so it stays fast on layer-sized inputs.
import * as torch from "../../src/engine/index.js";

export function numericGradcheck(fn: (...xs: torch.Tensor[]) => torch.Tensor, inputs: torch.Tensor[], atol = 1e-5, rtol = 1e-3): string[] {
  const diff = inputs.filter((t) => t.requires_grad);
  for (const t of diff) if (t.dtype !== torch.float64 || !t.is_contiguous() || !t.is_leaf) throw new Error("inputs must be contiguous float64 leaves");
  const out = fn(...inputs);
  const v = torch.randn([...out.shape], { dtype: torch.float64 });
  const project = () => torch.no_grad(() => fn(...inputs).mul(v).sum().item());
  for (const t of diff) t.grad = null;
  out.mul(v).sum().backward();
  const grads = diff.map((t) => t.grad);
  const failures: string[] = [];
  const eps = 1e-6;
  diff.forEach((t, k) => {
    const analytic = grads[k] ? (grads[k]!.contiguous().reshape(-1).tolist() as number[]) : new Array(t.numel()).fill(0);
    for (let i = 0; i < t.numel(); i++) {
      const off = t._offset + i;
      const orig = t._data[off];
      t._data[off] = orig + eps;
      const plus = project();
      t._data[off] = orig - eps;
      const minus = project();
      t._data[off] = orig;
      const numeric = (plus - minus) / (2 * eps);
      if (!(Math.abs(analytic[i] - numeric) <= atol + rtol * Math.abs(numeric))) {
        failures.push(`input ${k} element ${i}: analytic ${analytic[i]}, numeric ${numeric}`);
      }
    }
  });
  return failures;
}
