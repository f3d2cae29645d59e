// Graph nodes. A result of a differentiable op points at its grad_fn, a Node whose edges (`_next`) lead
// to the grad_fn of each input, or to the AccumulateGrad node of an input that is a leaf requiring grad.
// A node holds the tensors its backward formula needs as saved tensors, checked against the version
// counter so that an in-place change after saving is an error at backward time, not a wrong gradient.
import { RuntimeError } from "../errors.js";
import type { Tensor } from "../tensor.js";

let sequence = 0;

export type TensorHook = (grad: Tensor) => Tensor | void | undefined;

export abstract class Node {
  /** Creation order; the engine runs ready nodes latest-first, as PyTorch does. */
  readonly _seq = sequence++;
  /** One edge per input of the op: the node that receives that input's gradient, or null. */
  _next: (Node | null)[] = NO_EDGES;
  /** Engine scratch: gradient accumulated for this node's output during one backward pass. */
  _buffer: Tensor | null = null;
  /** Engine scratch: number of pending producers during one backward pass. */
  _deps = 0;
  /** The non-leaf tensor whose .grad this node fills (retain_grad). */
  _retained: Tensor | null = null;
  /** Tensor hooks registered on this node's output (Tensor.register_hook). */
  _hooks: TensorHook[] | null = null;

  abstract name(): string;

  /** Gradients for each edge, given the gradient of this node's output. */
  abstract apply(grad: Tensor): (Tensor | null)[];

  /** Frees saved tensors after a backward pass without retain_graph. */
  _release(): void {}

  /** PyTorch's grad_fn.next_functions: (node, input_nr) pairs. */
  get next_functions(): [Node | null, number][] {
    return this._next.map((n) => [n, 0]);
  }

  toString(): string {
    return `<${this.name()}>`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

const NO_EDGES: (Node | null)[] = [];

/** Accumulates the incoming gradient into a leaf tensor's .grad. */
export class AccumulateGrad extends Node {
  constructor(readonly variable: Tensor) {
    super();
  }
  name(): string {
    return "torch::autograd::AccumulateGrad";
  }
  apply(): (Tensor | null)[] {
    // The engine accumulates into `variable` itself (it knows whether the gradient may be aliased).
    return [];
  }
}

export const FREED_MESSAGE =
  "Trying to backward through the graph a second time (or directly access saved tensors after they have " +
  "already been freed). Saved intermediate values of the graph are freed when you call .backward() or " +
  "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or " +
  "if you need to access saved tensors after calling backward.";

/** A backward formula: given the node (saved tensors, args) and the output gradient, one gradient per input. */
export interface BackwardFormula<A = unknown> {
  readonly name: string;
  backward(node: OpNode<A>, grad: Tensor): (Tensor | null)[];
}

/** The node of a built-in op: a formula plus what it saved. */
export class OpNode<A = unknown> extends Node {
  _saved: (Tensor | null)[] | null;
  _versions: number[] | null;
  _released = false;
  /** Index of the saved tensor that is this node's own output (-1 if none); set by record(). */
  _outputIndex = -1;
  constructor(
    readonly formula: BackwardFormula<A>,
    saved: (Tensor | null)[] | null,
    /** Non-tensor context (shapes, dims, scalars) the formula needs. */
    public args: A,
  ) {
    super();
    this._saved = saved;
    if (saved) {
      const v = new Array<number>(saved.length);
      for (let i = 0; i < saved.length; i++) v[i] = saved[i] ? saved[i]!._vc.v : 0;
      this._versions = v;
    } else this._versions = null;
  }

  name(): string {
    return this.formula.name;
  }

  apply(grad: Tensor): (Tensor | null)[] {
    return this.formula.backward(this, grad);
  }

  /** The i-th saved tensor, checked for release and for in-place modification since it was saved. */
  saved(i: number): Tensor {
    if (this._released) throw new RuntimeError(FREED_MESSAGE);
    const t = this._saved![i];
    if (!t) throw new RuntimeError(`${this.name()}: saved tensor ${i} was not saved (its gradient was not needed when the op ran)`);
    const expected = this._versions![i];
    if (t._vc.v !== expected) {
      // As PyTorch: a saved output names this node; another saved tensor names its current grad_fn.
      const fn = i === this._outputIndex ? this : t.grad_fn;
      const producer = fn ? `, which is output 0 of ${fn.name()},` : "";
      throw new RuntimeError(
        `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
          `[torch.${t.dtype.legacyName} [${t.shape.join(", ")}]]${producer} is at version ${t._vc.v}; expected version ` +
          `${expected} instead. Hint: enable anomaly detection to find the operation that failed to compute its ` +
          `gradient, with torch.autograd.set_detect_anomaly(True).`,
      );
    }
    return t;
  }

  override _release(): void {
    if (this._saved) {
      this._saved = null;
      this._released = true;
    }
  }
}
