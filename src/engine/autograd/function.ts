// torch.autograd.Function: user-defined differentiable ops with a forward and a backward, the way nn and
// optim define fused ops (e.g. a fused cross-entropy):
//
//   class CrossEntropy extends torch.autograd.Function {
//     static forward(ctx: FunctionCtx, logits: Tensor, target: Tensor) { ...; ctx.save_for_backward(p, target); return loss; }
//     static backward(ctx: FunctionCtx, grad: Tensor) { const [p, target] = ctx.saved_tensors; return [gradLogits, null]; }
//   }
//   const loss = CrossEntropy.apply(logits, target);
//
// forward runs without recording; backward returns one gradient (or null) per forward argument. One
// output tensor per Function (the common case); return a single Tensor from forward.
import { RuntimeError } from "../errors.js";
import { gradMode } from "../grad_mode.js";
import { edgeOf } from "../ops/common.js";
import { Tensor } from "../tensor.js";
import { FREED_MESSAGE, Node } from "./node.js";

export class FunctionCtx {
  /** For each forward argument: whether it is a tensor that requires grad. */
  needs_input_grad: boolean[] = [];
  private _saved: Tensor[] | null = [];
  private _versions: number[] = [];
  _released = false;
  [key: string]: unknown;

  save_for_backward(...tensors: (Tensor | null)[]): void {
    this._saved = tensors as Tensor[];
    this._versions = tensors.map((t) => (t ? t._vc.v : 0));
  }

  get saved_tensors(): Tensor[] {
    if (this._released) throw new RuntimeError(FREED_MESSAGE);
    const saved = this._saved ?? [];
    saved.forEach((t, i) => {
      if (t && t._vc.v !== this._versions[i])
        throw new RuntimeError(
          `one of the variables needed for gradient computation has been modified by an inplace operation: [torch.${t.dtype.legacyName} [${t.shape.join(", ")}]] is at version ${t._vc.v}; expected version ${this._versions[i]} instead.`,
        );
    });
    return saved;
  }

  _release(): void {
    this._saved = null;
    this._released = true;
  }
}

type FunctionClass = {
  name: string;
  forward(ctx: FunctionCtx, ...args: unknown[]): Tensor;
  backward(ctx: FunctionCtx, grad: Tensor): Tensor | null | (Tensor | null)[];
};

class FunctionNode extends Node {
  constructor(private readonly cls: FunctionClass, private readonly ctx: FunctionCtx, private readonly tensorArgIndex: number[]) {
    super();
  }
  name(): string {
    return `${this.cls.name}Backward`;
  }
  apply(grad: Tensor): (Tensor | null)[] {
    const r = this.cls.backward(this.ctx, grad);
    const list = Array.isArray(r) ? r : [r];
    return this.tensorArgIndex.map((i) => list[i] ?? null);
  }
  override _release(): void {
    this.ctx._release();
  }
}

export class Function {
  static forward(_ctx: FunctionCtx, ..._args: unknown[]): Tensor {
    throw new RuntimeError("You must implement the forward function for custom autograd.Function.");
  }
  static backward(_ctx: FunctionCtx, _grad: Tensor): Tensor | null | (Tensor | null)[] {
    throw new RuntimeError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.");
  }

  static apply<T extends typeof Function>(this: T, ...args: unknown[]): Tensor {
    const cls = this as unknown as FunctionClass;
    const ctx = new FunctionCtx();
    ctx.needs_input_grad = args.map((a) => a instanceof Tensor && a.requires_grad);
    const prev = gradMode.enabled;
    gradMode.enabled = false;
    let out: Tensor;
    try {
      out = cls.forward(ctx, ...args);
    } finally {
      gradMode.enabled = prev;
    }
    if (!(out instanceof Tensor)) throw new RuntimeError("autograd.Function.forward must return a single Tensor");
    if (prev && ctx.needs_input_grad.some(Boolean)) {
      const tensorArgIndex: number[] = [];
      const next: (Node | null)[] = [];
      args.forEach((a, i) => {
        if (a instanceof Tensor) {
          tensorArgIndex.push(i);
          next.push(edgeOf(a));
        }
      });
      // The forward may have returned an input or a view of one; the result needs its own identity.
      if (args.includes(out)) out = out.detach();
      const node = new FunctionNode(cls, ctx, tensorArgIndex);
      node._next = next;
      (node as { _outShape?: readonly number[] })._outShape = out._shape;
      (node as { _outDtype?: unknown })._outDtype = out.dtype;
      out.grad_fn = node;
      out._requires_grad = true;
    }
    return out;
  }
}
