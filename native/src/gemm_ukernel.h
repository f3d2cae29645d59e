// GEMM microkernels: one register-blocked kernel per instruction set and element type.
// A kernel multiplies a packed MR x kc micro-panel of A by a packed kc x NR micro-panel of B
// (both k-major; row k of the B panel starts at b + k * ldb, so an unpacked row-major B can be
// used directly when ldb is its row stride) and stores  C = alpha * (A * B) + beta * C  for one
// full MR x NR tile of a row-major C with row stride ldc. When beta == 0, C is not read.
// The summation over k always runs in increasing k, so a tile's result depends only on its
// inputs, never on which thread computes it.
#pragma once
#include <cstdint>

namespace ty {

template <typename T>
using GemmUKernel = void (*)(int64_t kc, const T* a, const T* b, int64_t ldb, T* c, int64_t ldc, T alpha, T beta);

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
