// Lets a backward formula add a gradient straight into a leaf's .grad (a GEMM with beta = 1, say)
// instead of returning it for the engine to add: one pass over the gradient instead of three (write
// it, then read it and .grad and write .grad), and no temporary. The engine opens the sinks of the
// node it is applying only when the in-place add it would do anyway is exactly equivalent: no
// create_graph, no autograd.grad / inputs= capture, the edge leads to a leaf's AccumulateGrad whose
// only producer is this node, nothing buffered yet, no hooks, and a dense .grad of the leaf's dtype
// and shape. A formula that writes into a sink bumps its version counter and returns null there.
import { isContig } from "../ops/common.js";
import { shapesEqual } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { AccumulateGrad, type Node } from "./node.js";

let open: Node | null = null;

/** Engine: the node whose sinks gradSink may hand out while it is applied (null closes them). */
export function openGradSinks(node: Node | null): void {
  open = node;
}

/** The .grad that input `i`'s gradient may be added into in place by `node`'s formula, or null. */
export function gradSink(node: Node, i: number): Tensor | null {
  if (open !== node) return null;
  const child = node._next[i];
  if (!(child instanceof AccumulateGrad) || child._deps !== 1 || child._buffer !== null || child._hooks) return null;
  const leaf = child.variable;
  const g = leaf.grad;
  if (leaf._leaf_hooks || g === null || g.grad_fn || g._requires_grad || g.dtype !== leaf.dtype) return null;
  if (!isContig(g) || g._offset !== 0 || g._data.length !== g.numel() || !shapesEqual(g._shape, leaf._shape)) return null;
  return g;
}
