// N-dimensional strided iteration shared by the elementwise and reduction kernels. Shapes and
// strides are in elements; an operand's strides are already broadcast to the iteration shape.
#pragma once
#include <cstdint>

namespace ty {

constexpr int kMaxDims = 16;

// Up to 4 operands walked together over one shape.
struct NdIter {
  int nd = 0;
  int nops = 0;
  int64_t shape[kMaxDims];
  int64_t strides[4][kMaxDims];
  int64_t offset[4];
  int64_t numel = 1;
};

// Drops size-1 dims and merges dims that every operand walks back to back, so that a contiguous
// tensor becomes one flat loop. nd may be 0 afterwards (a single element).
void coalesce(NdIter& it);

// Calls body(count, ptr offsets[nops], inner strides[nops]) for runs of consecutive innermost
// elements covering the flat range [begin, end) of the iteration space, in row-major order.
template <typename Body>
void for_each_run(const NdIter& it, int64_t begin, int64_t end, Body&& body) {
  if (begin >= end) return;
  int64_t off[4];
  int64_t idx[kMaxDims];
  if (it.nd == 0) {
    int64_t zs[4] = {0, 0, 0, 0};
    body(int64_t(1), it.offset, zs);
    return;
  }
  const int last = it.nd - 1;
  const int64_t inner = it.shape[last];
  // Multi-index of `begin`.
  int64_t rem = begin;
  for (int d = last; d >= 0; --d) {
    idx[d] = rem % it.shape[d];
    rem /= it.shape[d];
  }
  for (int t = 0; t < it.nops; ++t) {
    off[t] = it.offset[t];
    for (int d = 0; d <= last; ++d) off[t] += idx[d] * it.strides[t][d];
  }
  int64_t inner_strides[4];
  for (int t = 0; t < it.nops; ++t) inner_strides[t] = it.strides[t][last];
  int64_t pos = begin;
  while (pos < end) {
    int64_t count = inner - idx[last];
    if (count > end - pos) count = end - pos;
    body(count, static_cast<const int64_t*>(off), static_cast<const int64_t*>(inner_strides));
    pos += count;
    if (pos >= end) break;
    // Advance to the start of the next row.
    for (int t = 0; t < it.nops; ++t) off[t] += (inner - idx[last]) * inner_strides[t];
    idx[last] = inner;
    for (int d = last; d >= 0; --d) {
      if (idx[d] < it.shape[d]) break;
      for (int t = 0; t < it.nops; ++t) off[t] -= idx[d] * it.strides[t][d];
      idx[d] = 0;
      if (d == 0) break;
      ++idx[d - 1];
      for (int t = 0; t < it.nops; ++t) off[t] += it.strides[t][d - 1];
    }
  }
}

}  // namespace ty
