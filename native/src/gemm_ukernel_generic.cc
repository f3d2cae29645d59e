// Portable microkernels (baseline x86-64 / any CPU): plain loops the compiler vectorizes with
// whatever the baseline offers. A 4 x 16 tile keeps the accumulators in registers on SSE2.
#include "gemm_ukernel.h"

namespace ty {
namespace generic {
namespace {

template <typename T, int MR, int NR>
void gemm_tile(int64_t kc, const T* a, const T* b, int64_t ldb, T* c, int64_t ldc, T alpha, T beta) {
  T acc[MR][NR] = {};
  for (int64_t k = 0; k < kc; ++k) {
    for (int i = 0; i < MR; ++i) {
      const T ai = a[i];
      for (int j = 0; j < NR; ++j) acc[i][j] += ai * b[j];
    }
    a += MR;
    b += ldb;
  }
  for (int i = 0; i < MR; ++i) {
    T* ci = c + i * ldc;
    if (beta == T(0)) {
      for (int j = 0; j < NR; ++j) ci[j] = alpha * acc[i][j];
    } else {
      for (int j = 0; j < NR; ++j) ci[j] = alpha * acc[i][j] + beta * ci[j];
    }
  }
}


// Edge tiles: the full kernel into a local tile, then only the valid corner is merged into C.
template <typename T, int MR, int NR, void (*Full)(int64_t, const T*, const T*, int64_t, T*, int64_t, T, T)>
void with_edges(int64_t kc, const T* a, const T* b, int64_t ldb, T* c, int64_t ldc, T alpha, T beta, int rows,
                int cols) {
  if (rows == MR && cols == NR) {
    Full(kc, a, b, ldb, c, ldc, alpha, beta);
    return;
  }
  alignas(64) T tile[MR * NR];
  Full(kc, a, b, ldb, tile, NR, T(1), T(0));
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      T& out = c[i * ldc + j];
      out = beta == T(0) ? alpha * tile[i * NR + j] : alpha * tile[i * NR + j] + beta * out;
    }
}

}  // namespace

GemmKernelInfo<float> sgemm_kernel() { return {"generic", 4, 16, with_edges<float, 4, 16, gemm_tile<float, 4, 16>>}; }
GemmKernelInfo<double> dgemm_kernel() { return {"generic", 4, 8, with_edges<double, 4, 8, gemm_tile<double, 4, 8>>}; }

}  // namespace generic
}  // namespace ty
