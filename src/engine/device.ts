// Devices own storage. Only `cpu` exists today: its storage is a typed array, shared by the TypeScript
// and native backends. A device with its own memory (cuda) would copy only on .to("cpu") / item().
import { RuntimeError } from "./errors.js";

export class Device {
  constructor(readonly type: "cpu", readonly index: number | null = null) {}
  toString(): string {
    return this.type;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `device(type='${this.type}')`;
  }
}

export const cpu = new Device("cpu");

/** torch.device("cpu"). */
export function device(spec: string | Device): Device {
  if (spec instanceof Device) return spec;
  if (spec === "cpu" || spec === "cpu:0") return cpu;
  throw new RuntimeError(`Expected one of cpu device type at start of device string: ${spec} (only the cpu device is available)`);
}
