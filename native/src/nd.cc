#include "nd.h"

namespace ty {

void coalesce(NdIter& it) {
  int64_t shape[kMaxDims];
  int64_t strides[4][kMaxDims];
  int nd = 0;
  it.numel = 1;
  for (int d = 0; d < it.nd; ++d) {
    const int64_t size = it.shape[d];
    it.numel *= size;
    if (size == 1) continue;
    bool merge = nd > 0;
    for (int t = 0; merge && t < it.nops; ++t)
      if (strides[t][nd - 1] != it.strides[t][d] * size) merge = false;
    if (merge) {
      shape[nd - 1] *= size;
      for (int t = 0; t < it.nops; ++t) strides[t][nd - 1] = it.strides[t][d];
    } else {
      shape[nd] = size;
      for (int t = 0; t < it.nops; ++t) strides[t][nd] = it.strides[t][d];
      ++nd;
    }
  }
  it.nd = nd;
  for (int d = 0; d < nd; ++d) {
    it.shape[d] = shape[d];
    for (int t = 0; t < it.nops; ++t) it.strides[t][d] = strides[t][d];
  }
}

}  // namespace ty
