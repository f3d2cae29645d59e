// Optimizer steps through the native backend's fused kernels (src/engine/backends/native/fused.ts): one
// pass over memory per parameter instead of several elementwise ops. Used only while the native
// backend is active and every tensor involved is dense, contiguous and owns its whole array (the
// kernels take bare arrays); otherwise, or when the addon declines, the caller runs its tensor-op path.
import { adam_step, sgd_step, type AdamOptions, type SgdOptions } from "../backends/native/fused.js";
import { isNativeActive } from "../backends/native/index.js";
import { emptyTensor } from "../ops/common.js";
import type { Tensor } from "../tensor.js";

/** True when t can be handed to a fused kernel as a bare array of its elements. */
function wholeDense(t: Tensor, like: Tensor): boolean {
  return !t.is_sparse && t.dtype === like.dtype && t._offset === 0 && t._data.length === t.numel() && t.is_contiguous();
}

/**
 * One SGD step on p with the fused kernel, creating the momentum buffer on the first step as
 * torch.optim.SGD does (a copy of the first update direction). Returns the momentum buffer to keep
 * (null without momentum), or undefined when it did not run and the caller must take its own path.
 */
export function fusedSgdStep(p: Tensor, grad: Tensor, buf: Tensor | null, o: SgdOptions): Tensor | null | undefined {
  if (!p.dtype.is_floating_point || !wholeDense(p, p) || !wholeDense(grad, p)) return undefined;
  const firstStep = o.momentum !== 0 && buf === null;
  if (o.momentum !== 0 && buf !== null && !wholeDense(buf, p)) return undefined;
  const momentumBuffer = o.momentum === 0 ? null : buf ?? emptyTensor([...p.shape], p.dtype);
  if (!sgd_step(p._data, grad._data, momentumBuffer?._data ?? null, o, firstStep)) return undefined;
  // In-place updates, as p.add_ / buf.mul_ would record them (autograd's saved-tensor checks read these).
  p._vc.v++;
  if (momentumBuffer && !firstStep) momentumBuffer._vc.v++;
  return momentumBuffer;
}

/**
 * One Adam (decoupled = false) or AdamW (decoupled = true) step on p with the fused kernel; `step`
 * counts from 1 and includes this step. Returns false when it did not run (the caller's path then).
 */
export function fusedAdamStep(
  p: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null, step: number, o: AdamOptions, decoupled: boolean,
): boolean {
  if (!p.dtype.is_floating_point || !wholeDense(p, p) || !wholeDense(grad, p) || !wholeDense(expAvg, p) || !wholeDense(expAvgSq, p)) return false;
  if (o.amsgrad && (maxExpAvgSq === null || !wholeDense(maxExpAvgSq, p))) return false;
  const max = o.amsgrad ? maxExpAvgSq!._data : null;
  if (!adam_step(p._data, grad._data, expAvg._data, expAvgSq._data, max, step, o, decoupled)) return false;
  for (const t of [p, expAvg, expAvgSq]) t._vc.v++;
  if (o.amsgrad) maxExpAvgSq!._vc.v++;
  return true;
}
