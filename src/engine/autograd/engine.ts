// The backward engine: runs the graph from the given outputs in reverse topological order (ready nodes
// latest-created first, as PyTorch's CPU engine), accumulating gradients per node, writing them into
// leaves' .grad (or capturing them for autograd.grad), then freeing saved tensors unless retain_graph.
import { cpuAllocator, kernels } from "../backend/dispatcher.js";
import { RuntimeError } from "../errors.js";
import { gradMode } from "../grad_mode.js";
import { cast } from "../ops/copy.js";
import { add } from "../ops/elementwise.js";
import type { NodeMeta } from "../ops/common.js";
import { isContig } from "../ops/common.js";
import type { TypedArray } from "../dtype.js";
import { contiguousStrides, shapesEqual } from "../shape.js";
import { Tensor, engineRef } from "../tensor.js";
import { AccumulateGrad, type Node, OpNode } from "./node.js";
import { openGradSinks } from "./grad_sink.js";

export interface BackwardOptions {
  retain_graph?: boolean;
  create_graph?: boolean;
  inputs?: Tensor[];
}

/** Max-heap of nodes by creation order. */
class ReadyQueue {
  private heap: Node[] = [];
  get size(): number {
    return this.heap.length;
  }
  push(n: Node): void {
    const h = this.heap;
    h.push(n);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]._seq >= h[i]._seq) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }
  pop(): Node {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]._seq > h[m]._seq) m = l;
        if (r < h.length && h[r]._seq > h[m]._seq) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}

function rootGradient(t: Tensor, g: Tensor | null): Tensor {
  if (g === null) {
    if (t.numel() !== 1) throw new RuntimeError("grad can be implicitly created only for scalar outputs");
    const data = new t.dtype.array(1).fill(1);
    return new Tensor(data, t._shape.slice(), t._shape.map(() => 1), 0, t.dtype);
  }
  if (!shapesEqual(g._shape, t._shape))
    throw new RuntimeError(`Mismatch in shape: grad_output[0] has a shape of [${g._shape.join(", ")}] and output[0] has a shape of [${t._shape.join(", ")}].`);
  return g;
}

/** Collects every node reachable from the roots and counts, per node, how many edges lead into it. */
function collect(roots: Node[]): Node[] {
  const seen = new Set<Node>();
  const order: Node[] = [];
  const stack: Node[] = [];
  for (const r of roots) {
    if (!seen.has(r)) {
      seen.add(r);
      r._deps = 0;
      stack.push(r);
    }
  }
  while (stack.length) {
    const n = stack.pop()!;
    order.push(n);
    for (const next of n._next) {
      if (!next) continue;
      if (!seen.has(next)) {
        seen.add(next);
        next._deps = 0;
        stack.push(next);
      }
      next._deps++;
    }
  }
  return order;
}

/** The nodes from which some capture target can be reached (only those need to run for grad()). */
function neededFor(roots: Node[], targets: Set<Node>): Set<Node> {
  const needed = new Set<Node>();
  const done = new Set<Node>();
  // Iterative post-order walk: a node is needed when it is a target or any child is needed.
  const stack: { node: Node; child: number }[] = [];
  const onStack = new Set<Node>();
  for (const r of roots) {
    if (done.has(r)) continue;
    stack.push({ node: r, child: 0 });
    onStack.add(r);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const next = top.node._next;
      if (top.child < next.length) {
        const c = next[top.child++];
        if (c && !done.has(c) && !onStack.has(c)) {
          stack.push({ node: c, child: 0 });
          onStack.add(c);
        }
        continue;
      }
      stack.pop();
      onStack.delete(top.node);
      done.add(top.node);
      if (targets.has(top.node) || next.some((c) => c !== null && needed.has(c))) needed.add(top.node);
    }
  }
  return needed;
}

/**
 * Adds g into leaf.grad (or makes it leaf.grad). `shared`: something else may still see g's storage.
 * `release`, when given, takes g's storage once it is dead (added into an existing .grad).
 */
function accumulateInto(leaf: Tensor, g: Tensor, createGraph: boolean, shared: boolean, release?: (data: TypedArray) => void): void {
  // A hook may keep g, or return a tensor of its own: then g's storage is not ours to release. When no
  // hook returned a gradient, they only looked at g and may hold it, so .grad gets a copy (as PyTorch,
  // which steals a gradient only when nothing else references it) and later passes add into the copy.
  if (leaf._leaf_hooks) {
    let returned = false;
    for (const h of leaf._leaf_hooks) {
      const r = h(g);
      if (r) {
        g = r;
        returned = true;
      }
    }
    release = undefined;
    if (!returned) shared = true;
  }
  if (leaf.grad === null) {
    // Keep the gradient when it is exclusively ours and dense; otherwise store a private contiguous copy.
    if (createGraph) leaf.grad = g;
    else if (!shared && isContig(g) && g._offset === 0 && g._data.length === g.numel() && !g._requires_grad) leaf.grad = g.grad_fn ? g.detach() : g;
    else {
      const data = new g.dtype.array(g.numel());
      kernels.copy(g._shape, data, contiguousStrides(g._shape), 0, g._data, g._strides, g._offset);
      leaf.grad = new Tensor(data, g._shape.slice(), contiguousStrides(g._shape), 0, g.dtype);
    }
    return;
  }
  if (createGraph) {
    leaf.grad = add(leaf.grad, g);
    return;
  }
  // Accumulate in place (keeps the identity of .grad, as PyTorch does outside create_graph).
  const cur = leaf.grad;
  if (cur.dtype === g.dtype && cur._data !== g._data && isDense(cur) && shapesEqual(cur._shape, g._shape)) {
    // The same sum as add(cur, g) then a copy back, without the temporary.
    kernels.binary("add", cur._data, cur._shape, cur._data, cur._strides, 0, g._data, g._strides, g._offset, 0);
    cur._vc.v++;
    if (release && !shared && isDense(g) && !g._requires_grad) release(g._data);
    return;
  }
  const prev = gradMode.enabled;
  gradMode.enabled = false;
  try {
    const sum = add(cur, g);
    kernels.copy(cur._shape, cur._data, cur._strides, cur._offset, sum._data, sum._strides, sum._offset);
    cur._vc.v++;
  } finally {
    gradMode.enabled = prev;
  }
}

/** Contiguous, from offset 0, over its whole storage. */
function isDense(t: Tensor): boolean {
  return isContig(t) && t._offset === 0 && t._data.length === t.numel();
}

/**
 * Runs backward from `outputs` with `grads`. When `captureFor` is given (autograd.grad), gradients
 * reaching those tensors are returned instead of accumulated into .grad.
 */
export function runBackward(
  outputs: Tensor[], grads: (Tensor | null)[] | null, opts: BackwardOptions, captureFor?: Tensor[],
): (Tensor | null)[] | void {
  const retain = opts.retain_graph ?? opts.create_graph ?? false;
  const createGraph = opts.create_graph ?? false;
  const rootNodes: Node[] = [];
  const rootGrads: Tensor[] = [];
  const userGradStorages = new Set<unknown>();
  outputs.forEach((t, i) => {
    if (!t._requires_grad)
      throw new RuntimeError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
    const g = rootGradient(t, grads ? grads[i] ?? null : null);
    if (grads && grads[i]) userGradStorages.add(g._data);
    const node = t.grad_fn ?? (t._accumulator ??= new AccumulateGrad(t));
    rootNodes.push(node);
    rootGrads.push(g);
  });

  // Capture targets: for autograd.grad, or for backward(inputs=...).
  const captureTensors = captureFor ?? opts.inputs;
  const captureNodes = new Map<Node, number[]>();
  if (captureTensors) {
    captureTensors.forEach((t, i) => {
      if (!t._requires_grad) throw new RuntimeError("One of the differentiated Tensors does not require grad");
      const n = t.grad_fn ?? (t._accumulator ??= new AccumulateGrad(t));
      const list = captureNodes.get(n) ?? [];
      list.push(i);
      captureNodes.set(n, list);
    });
  }
  const captured: (Tensor | null)[] = captureTensors ? captureTensors.map(() => null) : [];

  const nodes = collect(rootNodes);
  const needed = captureTensors ? neededFor(rootNodes, new Set(captureNodes.keys())) : null;
  const seenStorages = new Set<unknown>(userGradStorages);
  const shared = new Set<unknown>(userGradStorages);

  const send = (node: Node, g: Tensor) => {
    const meta = node as NodeMeta;
    if (meta._outDtype && g.dtype !== meta._outDtype) g = cast(g, meta._outDtype);
    if (node instanceof AccumulateGrad && g.dtype !== node.variable.dtype) g = cast(g, node.variable.dtype);
    if (seenStorages.has(g._data)) shared.add(g._data);
    else seenStorages.add(g._data);
    node._buffer = node._buffer === null ? g : add(node._buffer, g);
  };

  const release = createGraph ? undefined : cpuAllocator.release;
  const prevMode = gradMode.enabled;
  gradMode.enabled = createGraph;
  try {
    rootNodes.forEach((n, i) => send(n, rootGrads[i]));
    // Roots may also be reached from each other; only nodes with no pending producers are ready.
    const queue = new ReadyQueue();
    const queued = new Set<Node>();
    for (const n of rootNodes) {
      if (n._deps === 0 && !queued.has(n)) {
        queued.add(n);
        queue.push(n);
      }
    }
    while (queue.size > 0) {
      const node = queue.pop();
      let g = node._buffer;
      node._buffer = null;
      const next = node._next;
      if (g === null || (needed && !needed.has(node))) {
        // No gradient reached this node (or it leads to no requested input): release its dependants.
        for (let i = 0; i < next.length; i++) {
          const child = next[i];
          if (child && --child._deps === 0) queue.push(child);
        }
        continue;
      }
      if (node._hooks) for (const h of node._hooks) g = h(g) ?? g;
      if (node._retained) {
        const t = node._retained;
        shared.add(g._data);
        if (t.grad === null) t.grad = createGraph ? g : g.detach();
        else t.grad = add(t.grad, g).detach();
      }
      const captureIdx = captureNodes.get(node);
      if (captureIdx) {
        if (captureFor) for (const i of captureIdx) captured[i] = captured[i] ? add(captured[i]!, g) : g;
        else if (!(node instanceof AccumulateGrad)) for (const i of captureIdx) accumulateInto(captureTensors![i], g, createGraph, true);
      }
      if (node instanceof AccumulateGrad) {
        if (!captureFor && (!captureTensors || captureIdx))
          accumulateInto(node.variable, g, createGraph, shared.has(g._data), node._hooks || captureIdx ? undefined : release);
        continue;
      }
      // Sinks (grad_sink.ts) only where the engine's own accumulation would be the in-place add.
      const sinks = !createGraph && !captureTensors;
      if (sinks) openGradSinks(node);
      let inputGrads: (Tensor | null)[];
      try {
        inputGrads = node.apply(g);
      } finally {
        if (sinks) openGradSinks(null);
      }
      // Only built-in formulas return storage of their own making; a custom Function may keep what it returns.
      const foreign = !(node instanceof OpNode);
      for (let i = 0; i < next.length; i++) {
        const child = next[i];
        if (!child) continue;
        const ig = inputGrads[i];
        if (ig) {
          const meta = child as NodeMeta;
          const want = child instanceof AccumulateGrad ? child.variable._shape : meta._outShape;
          if (want && !shapesEqual(ig._shape, want))
            throw new RuntimeError(
              `Function ${node.name()} returned an invalid gradient at index ${i} - got [${ig._shape.join(", ")}] but expected shape compatible with [${want.join(", ")}]`,
            );
          if (foreign) shared.add(ig._data);
          send(child, ig);
        }
        if (--child._deps === 0) queue.push(child);
      }
      // This node's gradient is dead now unless something else can still see its storage: hand it back to
      // a pooling allocator. Only for built-in formulas (a custom Function may return tensors it keeps).
      if (release && node instanceof OpNode && !node._hooks && !node._retained && !captureIdx && !shared.has(g._data)) {
        let aliased = false;
        for (let i = 0; i < inputGrads.length; i++) if (inputGrads[i] && inputGrads[i]!._data === g._data) aliased = true;
        if (!aliased) release(g._data);
      }
      if (!retain) node._release();
    }
  } finally {
    gradMode.enabled = prevMode;
    for (const n of nodes) {
      n._buffer = null;
      n._deps = 0;
    }
  }
  if (captureTensors && captureFor) return captured;
}

/** torch.autograd.backward / Tensor.backward. */
export function backward(tensors: Tensor[], grads: (Tensor | null)[] | null, opts: BackwardOptions = {}): void {
  runBackward(tensors, grads, opts);
}

/** torch.autograd.grad(outputs, inputs, grad_outputs?, { retain_graph, create_graph, allow_unused }). */
export function grad(
  outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], grad_outputs?: Tensor | (Tensor | null)[] | null,
  opts: { retain_graph?: boolean; create_graph?: boolean; allow_unused?: boolean } = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const gos = grad_outputs === undefined || grad_outputs === null ? null : Array.isArray(grad_outputs) ? grad_outputs : [grad_outputs];
  const result = runBackward(outs, gos, { retain_graph: opts.retain_graph, create_graph: opts.create_graph }, ins) as (Tensor | null)[];
  result.forEach((g, i) => {
    if (g === null && !opts.allow_unused)
      throw new RuntimeError(
        "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.",
      );
    void i;
  });
  return result.map((g) => (g && !opts.create_graph && g.grad_fn ? g.detach() : g));
}

engineRef.backward = (tensors, grads, opts) => runBackward(tensors, grads, opts);
