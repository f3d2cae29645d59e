// Reference fused (log-)softmax forward and backward over the middle axis of [outer, size, inner].
import type { SoftmaxBackwardKernel, SoftmaxKernel } from "../../backend/kernels.js";

export const softmax: SoftmaxKernel = (out, x, outer, size, inner, log) => {
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const base = o * size * inner + k;
      let max = -Infinity;
      for (let j = 0, p = base; j < size; j++, p += inner) if (x[p] > max || x[p] !== x[p]) max = x[p];
      if (max === -Infinity) max = 0;
      let sum = 0;
      for (let j = 0, p = base; j < size; j++, p += inner) sum += Math.exp(x[p] - max);
      if (log) {
        const lse = Math.log(sum);
        for (let j = 0, p = base; j < size; j++, p += inner) out[p] = x[p] - max - lse;
      } else {
        for (let j = 0, p = base; j < size; j++, p += inner) out[p] = Math.exp(x[p] - max) / sum;
      }
    }
  }
};

export const softmax_backward: SoftmaxBackwardKernel = (gradIn, gradOut, y, outer, size, inner, log) => {
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const base = o * size * inner + k;
      let dot = 0;
      if (log) for (let j = 0, p = base; j < size; j++, p += inner) dot += gradOut[p];
      else for (let j = 0, p = base; j < size; j++, p += inner) dot += gradOut[p] * y[p];
      if (log) for (let j = 0, p = base; j < size; j++, p += inner) gradIn[p] = gradOut[p] - Math.exp(y[p]) * dot;
      else for (let j = 0, p = base; j < size; j++, p += inner) gradIn[p] = y[p] * (gradOut[p] - dot);
    }
  }
};
