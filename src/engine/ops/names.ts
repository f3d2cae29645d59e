// PyTorch's scalar type names as its messages print them (Float, Double, Long, ...).
import type { DType } from "../dtype.js";

export function reduceLegacyName(d: DType): string {
  return { float32: "Float", float64: "Double", int32: "Int", int64: "Long", uint8: "Byte", bool: "Bool" }[d.name];
}
