// The one place the service touches the engine (src/engine, `trainyard/engine`): the trainer and the
// model validation reach it through these names, with PyTorch's API.
import * as engine from "../engine/index.js";

export type TorchLike = typeof engine;
export type TensorLike = engine.Tensor;
export type ModuleLike = engine.nn.Module;
export type OptimizerLike = engine.optim.Optimizer;
export type StateDict = engine.nn.StateDict;

/** What the trainer needs of a scheduler: the LRScheduler classes and ReduceLROnPlateau alike. */
export interface SchedulerLike {
  step(metric?: number): void;
  state_dict(): object;
  load_state_dict(stateDict: object): void;
}

/** The engine (kept behind a function so callers stay independent of how it is loaded). */
export async function loadTorch(): Promise<TorchLike> {
  return engine;
}

/** Runs a module on its inputs: PyTorch's `module(x)` is `module.call(x)` in the engine (hooks included). */
export function callModule(module: ModuleLike, ...inputs: TensorLike[]): TensorLike {
  return (module.call as (...args: TensorLike[]) => TensorLike)(...inputs);
}
