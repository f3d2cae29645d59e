// Full backward hooks (Module.register_full_backward_hook). As PyTorch does, the module's tensor inputs
// and outputs pass through identity ops whose backward records the gradients: the output identities
// collect grad_output, the input identities collect grad_input, and the hook runs once all of the
// inputs that require grad have their gradient (or, when none does, once grad_output is complete, with
// grad_input all null). For a module with one tensor input (every built-in layer) a returned
// [new_grad_input] replaces the gradient that flows on; with several inputs only the last one to
// arrive can still be replaced.
import type { BackwardFormula, OpNode } from "../autograd/node.js";
import { record } from "../ops/common.js";
import { gradMode } from "../grad_mode.js";
import { Tensor } from "../tensor.js";
import type { Module } from "./module.js";

interface HookState {
  module: Module;
  gradInputs: (Tensor | null)[];
  inputsPending: number;
  inputsRequiringGrad: number;
  gradOutputs: (Tensor | null)[];
  outputsPending: number;
  fired: boolean;
}

interface IdentityArgs {
  state: HookState;
  index: number;
}

function alias(t: Tensor): Tensor {
  return new Tensor(t._data, t._shape, t._strides, t._offset, t.dtype, t._vc, t);
}

function fire(state: HookState): (Tensor | null)[] | null {
  if (state.fired) return null;
  state.fired = true;
  let replaced: (Tensor | null)[] | null = null;
  for (const hook of [...state.module._backward_hooks.values()]) {
    const r = hook(state.module, state.gradInputs, state.gradOutputs);
    if (Array.isArray(r)) {
      if (r.length !== state.gradInputs.length) {
        throw new Error(`backward hook returned an invalid number of grad_input, got ${r.length}, but expected ${state.gradInputs.length}`);
      }
      state.gradInputs = r;
      replaced = r;
    }
  }
  return replaced;
}

const outputIdentity: BackwardFormula<IdentityArgs> = {
  name: "BackwardHookFunctionBackward",
  backward(node: OpNode<IdentityArgs>, grad: Tensor) {
    const { state, index } = node.args;
    state.gradOutputs[index] = grad;
    state.outputsPending -= 1;
    if (state.outputsPending <= 0 && state.inputsRequiringGrad === 0) fire(state);
    return [grad];
  },
};

const inputIdentity: BackwardFormula<IdentityArgs> = {
  name: "BackwardHookFunctionBackward",
  backward(node: OpNode<IdentityArgs>, grad: Tensor) {
    const { state, index } = node.args;
    state.gradInputs[index] = grad;
    state.inputsPending -= 1;
    if (state.inputsPending <= 0) {
      const replaced = fire(state);
      if (replaced) return [replaced[index]];
    }
    return [grad];
  },
};

const pending = new WeakMap<Module, HookState>();

export const attachBackwardHooks = {
  wrapInputs(module: Module, args: unknown[]): unknown[] {
    const tensorArgs = args.filter((a): a is Tensor => a instanceof Tensor);
    const state: HookState = {
      module,
      gradInputs: tensorArgs.map(() => null),
      inputsPending: 0,
      inputsRequiringGrad: 0,
      gradOutputs: [],
      outputsPending: 0,
      fired: false,
    };
    pending.set(module, state);
    if (!gradMode.enabled) return args;
    let index = 0;
    return args.map((a) => {
      if (!(a instanceof Tensor)) return a;
      const i = index++;
      if (!a.requires_grad) return a;
      state.inputsPending += 1;
      state.inputsRequiringGrad += 1;
      return record(alias(a), inputIdentity, [a], null, { state, index: i });
    });
  },

  wrapOutputs(module: Module, result: unknown): unknown {
    const state = pending.get(module);
    pending.delete(module);
    if (!state || !gradMode.enabled) return result;
    const wrapOne = (t: Tensor, i: number): Tensor => {
      if (!t.requires_grad) return t;
      state.outputsPending += 1;
      return record(alias(t), outputIdentity, [t], null, { state, index: i });
    };
    if (result instanceof Tensor) {
      state.gradOutputs = [null];
      return wrapOne(result, 0);
    }
    if (Array.isArray(result)) {
      state.gradOutputs = result.map(() => null);
      return result.map((r, i) => (r instanceof Tensor ? wrapOne(r, i) : r));
    }
    return result;
  },
};
