// AVX2 + FMA microkernels (compiled with -mavx2 -mfma; only called when the CPU has them).
// f32: 6 x 16 tile = 12 ymm accumulators; f64: 6 x 8 tile.
#include <immintrin.h>

#include "gemm_ukernel.h"

namespace ty {
namespace avx2 {
namespace {

constexpr int kMrF = 6, kNrF = 16;
constexpr int kMrD = 6, kNrD = 8;

void sgemm_6x16(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, float alpha, float beta) {
  __m256 acc[kMrF][2];
#pragma GCC unroll 6
  for (int i = 0; i < kMrF; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * ldb), _MM_HINT_T0);
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
    for (int i = 0; i < kMrF; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a + i);
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += kMrF;
    b += ldb;
  }
  const __m256 va = _mm256_set1_ps(alpha);
  const __m256 vb = _mm256_set1_ps(beta);
#pragma GCC unroll 6
  for (int i = 0; i < kMrF; ++i) {
    float* ci = c + i * ldc;
    if (beta == 0.0f) {
      _mm256_storeu_ps(ci, _mm256_mul_ps(va, acc[i][0]));
      _mm256_storeu_ps(ci + 8, _mm256_mul_ps(va, acc[i][1]));
    } else {
      _mm256_storeu_ps(ci, _mm256_fmadd_ps(va, acc[i][0], _mm256_mul_ps(vb, _mm256_loadu_ps(ci))));
      _mm256_storeu_ps(ci + 8, _mm256_fmadd_ps(va, acc[i][1], _mm256_mul_ps(vb, _mm256_loadu_ps(ci + 8))));
    }
  }
}

void dgemm_6x8(int64_t kc, const double* a, const double* b, int64_t ldb, double* c, int64_t ldc, double alpha, double beta) {
  __m256d acc[kMrD][2];
#pragma GCC unroll 6
  for (int i = 0; i < kMrD; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_pd();
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    const __m256d b0 = _mm256_loadu_pd(b);
    const __m256d b1 = _mm256_loadu_pd(b + 4);
#pragma GCC unroll 6
    for (int i = 0; i < kMrD; ++i) {
      const __m256d ai = _mm256_broadcast_sd(a + i);
      acc[i][0] = _mm256_fmadd_pd(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_pd(ai, b1, acc[i][1]);
    }
    a += kMrD;
    b += ldb;
  }
  const __m256d va = _mm256_set1_pd(alpha);
  const __m256d vb = _mm256_set1_pd(beta);
#pragma GCC unroll 6
  for (int i = 0; i < kMrD; ++i) {
    double* ci = c + i * ldc;
    if (beta == 0.0) {
      _mm256_storeu_pd(ci, _mm256_mul_pd(va, acc[i][0]));
      _mm256_storeu_pd(ci + 4, _mm256_mul_pd(va, acc[i][1]));
    } else {
      _mm256_storeu_pd(ci, _mm256_fmadd_pd(va, acc[i][0], _mm256_mul_pd(vb, _mm256_loadu_pd(ci))));
      _mm256_storeu_pd(ci + 4, _mm256_fmadd_pd(va, acc[i][1], _mm256_mul_pd(vb, _mm256_loadu_pd(ci + 4))));
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

GemmKernelInfo<float> sgemm_kernel() { return {"avx2", kMrF, kNrF, with_edges<float, kMrF, kNrF, sgemm_6x16>}; }
GemmKernelInfo<double> dgemm_kernel() { return {"avx2", kMrD, kNrD, with_edges<double, kMrD, kNrD, dgemm_6x8>}; }

}  // namespace avx2
}  // namespace ty
