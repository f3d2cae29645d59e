// PyTorch's factory keyword arguments for modules (`device`, `dtype`), and parameter allocation.
import { type DType, get_default_dtype } from "../../dtype.js";
import { zerosTensor } from "../../ops/common.js";
import { Parameter } from "../parameter.js";
import type { Tensor } from "../../tensor.js";

export interface FactoryOptions {
  device?: string | null;
  dtype?: DType | null;
}

export function checkDevice(device: string | null | undefined): void {
  if (device !== undefined && device !== null && device !== "cpu") throw new Error(`device ${device} is not available; only "cpu" is`);
}

/** A new (zero-filled) parameter; modules then initialise it in reset_parameters. */
export function newParameter(shape: number[], opts: FactoryOptions = {}): Parameter {
  checkDevice(opts.device);
  return new Parameter(zerosTensor(shape, opts.dtype ?? get_default_dtype()));
}

export function newBuffer(shape: number[], dtype: DType): Tensor {
  return zerosTensor(shape, dtype);
}
