// nn.Conv1d and nn.Conv2d, with PyTorch's arguments, initialisation and printout.
import type { Tensor } from "../../tensor.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { conv1d, conv2d } from "../functional/conv.js";
import { newParameter, type FactoryOptions } from "./_factory.js";
import { pyTuple } from "./_format.js";
import { bind } from "../_args.js";

const CONV_ARGS = ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode", "device", "dtype"];
type ConvRest = (number | number[] | string | boolean | ConvOptions | undefined)[];

export interface ConvOptions extends FactoryOptions {
  stride?: number | number[];
  padding?: number | number[] | "valid" | "same";
  dilation?: number | number[];
  groups?: number;
  bias?: boolean;
  padding_mode?: "zeros";
}

function tuple(v: number | number[], n: number): number[] {
  return typeof v === "number" ? new Array(n).fill(v) : v.length === 1 ? new Array(n).fill(v[0]) : [...v];
}

abstract class ConvNd extends Module {
  in_channels: number;
  out_channels: number;
  kernel_size: number[];
  stride: number[];
  padding: number[] | "valid" | "same";
  dilation: number[];
  transposed = false;
  output_padding: number[];
  groups: number;
  padding_mode: string;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(n: number, name: string, args: unknown[]) {
    super();
    const a = bind(name, CONV_ARGS, args);
    const { in_channels, out_channels, kernel_size } = a as { in_channels: number; out_channels: number; kernel_size: number | number[] };
    const opts = a as ConvOptions;
    const groups = opts.groups ?? 1;
    if (groups <= 0) throw new Error("groups must be a positive integer");
    if (in_channels % groups !== 0) throw new Error("in_channels must be divisible by groups");
    if (out_channels % groups !== 0) throw new Error("out_channels must be divisible by groups");
    const padding = opts.padding ?? 0;
    if (typeof padding === "string" && padding !== "valid" && padding !== "same") {
      throw new Error(`Invalid padding string '${padding}', should be one of {'valid', 'same'}`);
    }
    const stride = tuple(opts.stride ?? 1, n);
    if (padding === "same" && stride.some((s) => s !== 1)) throw new Error("padding='same' is not supported for strided convolutions");
    const padding_mode = opts.padding_mode ?? "zeros";
    if (padding_mode !== "zeros") throw new Error(`padding_mode '${padding_mode}' is not supported (only 'zeros')`);
    this.in_channels = in_channels;
    this.out_channels = out_channels;
    this.kernel_size = tuple(kernel_size, n);
    this.stride = stride;
    this.padding = typeof padding === "string" ? padding : tuple(padding, n);
    this.dilation = tuple(opts.dilation ?? 1, n);
    this.output_padding = new Array(n).fill(0);
    this.groups = groups;
    this.padding_mode = padding_mode;
    this.weight = newParameter([out_channels, in_channels / groups, ...this.kernel_size], opts);
    if (opts.bias ?? true) this.bias = newParameter([out_channels], opts);
    else this.register_parameter("bias", null);
    this.reset_parameters();
  }

  reset_parameters(): void {
    init.kaiming_uniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init._calculate_fan_in_and_fan_out(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        init.uniform_(this.bias, -bound, bound);
      }
    }
  }

  override extra_repr(): string {
    let s = `${this.in_channels}, ${this.out_channels}, kernel_size=${pyTuple(this.kernel_size)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    return s;
  }
}

export class Conv1d extends ConvNd {
  /** PyTorch's arguments: (in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, ...). */
  constructor(in_channels: number, out_channels: number, kernel_size: number | number[], ...rest: ConvRest) {
    super(1, "Conv1d", [in_channels, out_channels, kernel_size, ...rest]);
  }
  forward(input: Tensor): Tensor {
    return conv1d(input, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups);
  }
}

export class Conv2d extends ConvNd {
  /** PyTorch's arguments: (in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, ...). */
  constructor(in_channels: number, out_channels: number, kernel_size: number | number[], ...rest: ConvRest) {
    super(2, "Conv2d", [in_channels, out_channels, kernel_size, ...rest]);
  }
  forward(input: Tensor): Tensor {
    return conv2d(input, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups);
  }
}
