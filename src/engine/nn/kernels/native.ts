// nn's kernels for the native backend: the addon's im2col/col2im (src/engine/backends/native/fused.ts),
// registered in nn's kernel table under "native". The addon declines what it cannot run (not loaded,
// a dtype it lacks) by returning false; the TypeScript reference kernel runs then.
import { nativeProvider } from "../../backends/native/index.js";
import { col2im as nativeCol2im, im2col as nativeIm2col } from "../../backends/native/fused.js";
import type { Col2imKernel, Im2colKernel } from "./im2col.js";
import { referenceNnKernel, registerNnKernel } from "./registry.js";

const im2col: Im2colKernel = (out, x, g, padValue) => {
  if (!nativeIm2col(out, x, g, padValue)) referenceNnKernel("im2col")(out, x, g, padValue);
};

const col2im: Col2imKernel = (out, cols, g) => {
  if (!nativeCol2im(out, cols, g)) referenceNnKernel("col2im")(out, cols, g);
};

registerNnKernel("im2col", nativeProvider.name, im2col);
registerNnKernel("col2im", nativeProvider.name, col2im);
