// The one place the service touches the engine (src/engine, `trainyard/engine`). Everything the
// trainer and the model validation use is listed in TorchLike, with PyTorch's names, so a change in
// the engine's surface shows up here as a type error and nowhere else.
import type { TypedData } from "../datasets/arrays.js";

export interface TensorLike {
  readonly shape: readonly number[];
  item(): number;
  backward(): void;
  numel(): number;
  argmax(dim: number): TensorLike;
  eq(other: TensorLike): TensorLike;
  sum(): TensorLike;
  reshape(shape: number[]): TensorLike;
}

export type StateDict = Map<string, TensorLike> | Record<string, TensorLike>;

export interface ModuleLike {
  parameters(): Iterable<TensorLike>;
  state_dict(): StateDict;
  load_state_dict(stateDict: StateDict): unknown;
  train(mode?: boolean): unknown;
  eval(): unknown;
  toString(): string;
}

export interface OptimizerLike {
  zero_grad(): void;
  step(): unknown;
  state_dict(): object;
  load_state_dict(stateDict: object): void;
  param_groups: { lr: number }[];
}

export interface SchedulerLike {
  step(metric?: number): void;
  state_dict(): object;
  load_state_dict(stateDict: object): void;
}

type Constructor<T> = new (...args: never[]) => T;

export interface TorchLike {
  manual_seed(seed: number): unknown;
  tensor(data: TypedData | number[] | number[][], options?: { dtype?: unknown }): TensorLike;
  zeros(shape: number[], options?: { dtype?: unknown }): TensorLike;
  float32: unknown;
  float64: unknown;
  int32: unknown;
  int64: unknown;
  no_grad<T>(fn: () => T): T;
  nn: Record<string, Constructor<ModuleLike> | unknown>;
  optim: Record<string, Constructor<OptimizerLike> | unknown> & { lr_scheduler: Record<string, Constructor<SchedulerLike> | unknown> };
  save_safetensors(stateDict: StateDict): Uint8Array;
  load_safetensors(bytes: Uint8Array): StateDict;
}

export class EngineUnavailableError extends Error {}

let loaded: Promise<TorchLike> | null = null;

/**
 * The engine, loaded on first use. Until src/engine exists on this branch, the import fails and
 * callers get EngineUnavailableError (the API answers 503, the worker fails the job with that message).
 */
export function loadTorch(): Promise<TorchLike> {
  loaded ??= (async () => {
    // A computed specifier, so that this file compiles while src/engine does not exist yet.
    const url = new URL("../engine/index.js", import.meta.url).href;
    try {
      return (await import(url)) as TorchLike;
    } catch (err) {
      loaded = null;
      throw new EngineUnavailableError(`the training engine (src/engine) is not available: ${(err as Error).message}`);
    }
  })();
  return loaded;
}

/** Runs a module on an input: the engine's modules are callable or have call()/forward(). */
export function callModule(module: unknown, input: TensorLike, ...rest: TensorLike[]): TensorLike {
  if (typeof module === "function") return (module as (...a: TensorLike[]) => TensorLike)(input, ...rest);
  const m = module as { call?: (...a: TensorLike[]) => TensorLike; forward: (...a: TensorLike[]) => TensorLike };
  return m.call ? m.call(input, ...rest) : m.forward(input, ...rest);
}
