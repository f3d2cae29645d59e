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
using GemmDirectAKernel = void (*)(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc,
                                   T alpha, T beta, int rows, int cols);

// Packs `rows` rows of a matrix whose rows are contiguous in k (row i at src + i * rs) into k-major
// panel order, dst[k * stride + i] for k < kc: a row-major A's micro-panel, or a transposed B's sliver
// (a Linear layer's weight). A plain copy, so every implementation gives the same bytes.
template <typename T>
using PackRowsFn = void (*)(int stride, int64_t rows, int64_t kc, const T* src, int64_t rs, T* dst);

template <typename T>
struct GemmKernelInfo {
  const char* isa;
  int mr, nr;
  GemmUKernel<T> run;
  // A SIMD packing routine for PackRowsFn's layout, or nullptr for the portable one in gemm.cc.
  PackRowsFn<T> pack_rows = nullptr;
  // The same microkernel reading a row-major A in place (row stride lda) instead of a packed panel, for
  // products too small to repay packing; same arithmetic, so the same results. nullptr if none.
  GemmDirectAKernel<T> run_direct_a = nullptr;
};

namespace avx512 {
GemmKernelInfo<float> sgemm_kernel();
GemmKernelInfo<double> dgemm_kernel();
}  // namespace avx512
namespace avx2 {
GemmKernelInfo<float> sgemm_kernel();
GemmKernelInfo<double> dgemm_kernel();
// 8 rows at a time through 8x8 register transposes (also used by the AVX-512 kernels).
void pack_rows_f32(int stride, int64_t rows, int64_t kc, const float* src, int64_t rs, float* dst);
}  // namespace avx2
namespace generic {
GemmKernelInfo<float> sgemm_kernel();
GemmKernelInfo<double> dgemm_kernel();
}  // namespace generic

}  // namespace ty
