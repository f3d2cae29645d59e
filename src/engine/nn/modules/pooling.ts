// nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d.
import type { Tensor } from "../../tensor.js";
import { Module } from "../module.js";
import * as F from "../functional/pooling.js";
import { pyBool, pyIntOrTuple } from "./_format.js";
import { bind } from "../_args.js";

type IntOrPair = number | number[];

export class MaxPool2d extends Module {
  kernel_size: IntOrPair;
  stride: IntOrPair;
  padding: IntOrPair;
  dilation: IntOrPair;
  return_indices: boolean;
  ceil_mode: boolean;
  constructor(
    kernel_size: IntOrPair,
    ...rest: (IntOrPair | boolean | null | { stride?: IntOrPair | null; padding?: IntOrPair; dilation?: IntOrPair; return_indices?: boolean; ceil_mode?: boolean })[]
  ) {
    super();
    const opts = bind("MaxPool2d", ["kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"], [kernel_size, ...rest]);
    this.kernel_size = kernel_size;
    this.stride = opts.stride ?? kernel_size;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.return_indices = opts.return_indices ?? false;
    this.ceil_mode = opts.ceil_mode ?? false;
  }
  forward(input: Tensor): Tensor {
    return F.max_pool2d(input, this.kernel_size, this.stride, this.padding, this.dilation, this.ceil_mode, this.return_indices);
  }
  override extra_repr(): string {
    return (
      `kernel_size=${pyIntOrTuple(this.kernel_size)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}, ` +
      `dilation=${pyIntOrTuple(this.dilation)}, ceil_mode=${pyBool(this.ceil_mode)}`
    );
  }
}

export class AvgPool2d extends Module {
  kernel_size: IntOrPair;
  stride: IntOrPair;
  padding: IntOrPair;
  ceil_mode: boolean;
  count_include_pad: boolean;
  divisor_override: number | null;
  constructor(
    kernel_size: IntOrPair,
    ...rest: (IntOrPair | boolean | null | { stride?: IntOrPair | null; padding?: IntOrPair; ceil_mode?: boolean; count_include_pad?: boolean; divisor_override?: number | null })[]
  ) {
    super();
    const opts = bind("AvgPool2d", ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"], [kernel_size, ...rest]);
    this.kernel_size = kernel_size;
    this.stride = opts.stride ?? kernel_size;
    this.padding = opts.padding ?? 0;
    this.ceil_mode = opts.ceil_mode ?? false;
    this.count_include_pad = opts.count_include_pad ?? true;
    this.divisor_override = opts.divisor_override ?? null;
  }
  forward(input: Tensor): Tensor {
    return F.avg_pool2d(input, this.kernel_size, this.stride, this.padding, this.ceil_mode, this.count_include_pad, this.divisor_override);
  }
  override extra_repr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernel_size)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}`;
  }
}

export class AdaptiveAvgPool2d extends Module {
  output_size: number | (number | null)[];
  constructor(output_size: number | (number | null)[] | { output_size: number | (number | null)[] }) {
    super();
    this.output_size = bind("AdaptiveAvgPool2d", ["output_size"], [output_size]).output_size;
  }
  forward(input: Tensor): Tensor {
    return F.adaptive_avg_pool2d(input, this.output_size);
  }
  override extra_repr(): string {
    const o = this.output_size;
    return `output_size=${pyIntOrTuple(o)}`;
  }
}
