// AVX-512 microkernels (compiled with -mavx512f -mfma; only called when the CPU has them).
// f32: 12 x 32 tile = 24 zmm accumulators, 2 zmm for the B row, A broadcast folded into the FMA.
// f64: 12 x 16 tile, same shape in doubles.
#include <immintrin.h>

#include "gemm_ukernel.h"

namespace ty {
namespace avx512 {
namespace {

constexpr int kMrF = 12, kNrF = 32;
constexpr int kMrD = 12, kNrD = 16;

void sgemm_12x32(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, float alpha, float beta) {
  __m512 acc[kMrF][2];
#pragma GCC unroll 12
  for (int i = 0; i < kMrF; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int i = 0; i < kMrF; ++i) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * ldb), _MM_HINT_T0);
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 12
    for (int i = 0; i < kMrF; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += kMrF;
    b += ldb;
  }
  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {
#pragma GCC unroll 12
    for (int i = 0; i < kMrF; ++i) {
      _mm512_storeu_ps(c + i * ldc, _mm512_mul_ps(va, acc[i][0]));
      _mm512_storeu_ps(c + i * ldc + 16, _mm512_mul_ps(va, acc[i][1]));
    }
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 12
    for (int i = 0; i < kMrF; ++i) {
      float* ci = c + i * ldc;
      _mm512_storeu_ps(ci, _mm512_fmadd_ps(va, acc[i][0], _mm512_mul_ps(vb, _mm512_loadu_ps(ci))));
      _mm512_storeu_ps(ci + 16, _mm512_fmadd_ps(va, acc[i][1], _mm512_mul_ps(vb, _mm512_loadu_ps(ci + 16))));
    }
  }
}

void dgemm_12x16(int64_t kc, const double* a, const double* b, int64_t ldb, double* c, int64_t ldc, double alpha, double beta) {
  __m512d acc[kMrD][2];
#pragma GCC unroll 12
  for (int i = 0; i < kMrD; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_pd();
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * ldb), _MM_HINT_T0);
    const __m512d b0 = _mm512_loadu_pd(b);
    const __m512d b1 = _mm512_loadu_pd(b + 8);
#pragma GCC unroll 12
    for (int i = 0; i < kMrD; ++i) {
      const __m512d ai = _mm512_set1_pd(a[i]);
      acc[i][0] = _mm512_fmadd_pd(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_pd(ai, b1, acc[i][1]);
    }
    a += kMrD;
    b += ldb;
  }
  const __m512d va = _mm512_set1_pd(alpha);
  const __m512d vb = _mm512_set1_pd(beta);
#pragma GCC unroll 12
  for (int i = 0; i < kMrD; ++i) {
    double* ci = c + i * ldc;
    if (beta == 0.0) {
      _mm512_storeu_pd(ci, _mm512_mul_pd(va, acc[i][0]));
      _mm512_storeu_pd(ci + 8, _mm512_mul_pd(va, acc[i][1]));
    } else {
      _mm512_storeu_pd(ci, _mm512_fmadd_pd(va, acc[i][0], _mm512_mul_pd(vb, _mm512_loadu_pd(ci))));
      _mm512_storeu_pd(ci + 8, _mm512_fmadd_pd(va, acc[i][1], _mm512_mul_pd(vb, _mm512_loadu_pd(ci + 8))));
    }
  }
}

}  // namespace

GemmKernelInfo<float> sgemm_kernel() { return {"avx512", kMrF, kNrF, sgemm_12x32}; }
GemmKernelInfo<double> dgemm_kernel() { return {"avx512", kMrD, kNrD, dgemm_12x16}; }

}  // namespace avx512
}  // namespace ty
