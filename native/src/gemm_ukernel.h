// GEMM microkernels: one register-blocked kernel per instruction set and element type.
// A kernel multiplies a packed MR x kc micro-panel of A (k-major: element (i, k) at a[k * MR + i])
// by a kc x NR panel of B (row k starts at b + k * ldb: a packed sliver has ldb = NR, an unpacked
// row-major B its row stride) and stores  C = alpha * (A * B) + beta * C  for the top-left
// rows x cols corner (rows <= MR, cols <= NR) of the tile at c (row stride ldc). B must be readable
// for all NR columns of every row (packed slivers are zero-padded). When beta == 0, C is not read.
// The summation over k always runs in increasing k, so a tile's result depends only on its inputs,
// never on which thread computes it.
#pragma once
#include <cstdint>

namespace ty {

template <typename T>
using GemmUKernel = void (*)(int64_t kc, const T* a, const T* b, int64_t ldb, T* c, int64_t ldc, T alpha, T beta,
                             int rows, int cols);

template <typename T>
struct GemmKernelInfo {
  const char* isa;
  int mr, nr;
  GemmUKernel<T> run;
};

namespace avx512 {
GemmKernelInfo<float> sgemm_kernel();
GemmKernelInfo<double> dgemm_kernel();
}  // namespace avx512
namespace avx2 {
GemmKernelInfo<float> sgemm_kernel();
GemmKernelInfo<double> dgemm_kernel();
}  // namespace avx2
namespace generic {
GemmKernelInfo<float> sgemm_kernel();
GemmKernelInfo<double> dgemm_kernel();
}  // namespace generic

}  // namespace ty
