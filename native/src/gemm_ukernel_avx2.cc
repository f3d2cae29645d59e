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

void pack_rows_f32(int stride, int64_t rows, int64_t kc, const float* src, int64_t rs, float* dst) {
  int64_t i = 0;
  for (; i + 8 <= rows; i += 8) {
    const float* r = src + i * rs;
    float* d = dst + i;
    int64_t k = 0;
    for (; k + 8 <= kc; k += 8) {
      // Rows i..i+7, columns k..k+7, transposed so that each register holds one k for the 8 rows.
      const __m256 v0 = _mm256_loadu_ps(r + k), v1 = _mm256_loadu_ps(r + rs + k);
      const __m256 v2 = _mm256_loadu_ps(r + 2 * rs + k), v3 = _mm256_loadu_ps(r + 3 * rs + k);
      const __m256 v4 = _mm256_loadu_ps(r + 4 * rs + k), v5 = _mm256_loadu_ps(r + 5 * rs + k);
      const __m256 v6 = _mm256_loadu_ps(r + 6 * rs + k), v7 = _mm256_loadu_ps(r + 7 * rs + k);
      const __m256 t0 = _mm256_unpacklo_ps(v0, v1), t1 = _mm256_unpackhi_ps(v0, v1);
      const __m256 t2 = _mm256_unpacklo_ps(v2, v3), t3 = _mm256_unpackhi_ps(v2, v3);
      const __m256 t4 = _mm256_unpacklo_ps(v4, v5), t5 = _mm256_unpackhi_ps(v4, v5);
      const __m256 t6 = _mm256_unpacklo_ps(v6, v7), t7 = _mm256_unpackhi_ps(v6, v7);
      const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
      const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
      const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
      const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
      _mm256_storeu_ps(d + (k + 0) * stride, _mm256_permute2f128_ps(u0, u4, 0x20));
      _mm256_storeu_ps(d + (k + 1) * stride, _mm256_permute2f128_ps(u1, u5, 0x20));
      _mm256_storeu_ps(d + (k + 2) * stride, _mm256_permute2f128_ps(u2, u6, 0x20));
      _mm256_storeu_ps(d + (k + 3) * stride, _mm256_permute2f128_ps(u3, u7, 0x20));
      _mm256_storeu_ps(d + (k + 4) * stride, _mm256_permute2f128_ps(u0, u4, 0x31));
      _mm256_storeu_ps(d + (k + 5) * stride, _mm256_permute2f128_ps(u1, u5, 0x31));
      _mm256_storeu_ps(d + (k + 6) * stride, _mm256_permute2f128_ps(u2, u6, 0x31));
      _mm256_storeu_ps(d + (k + 7) * stride, _mm256_permute2f128_ps(u3, u7, 0x31));
    }
    for (; k < kc; ++k)
      for (int q = 0; q < 8; ++q) d[k * stride + q] = r[q * rs + k];
  }
  for (; i + 4 <= rows; i += 4) {
    // A 4-row remainder (a 12-row panel's last third) through 4x4 transposes.
    const float* r = src + i * rs;
    float* d = dst + i;
    int64_t k = 0;
    for (; k + 4 <= kc; k += 4) {
      __m128 a0 = _mm_loadu_ps(r + k), a1 = _mm_loadu_ps(r + rs + k), a2 = _mm_loadu_ps(r + 2 * rs + k),
             a3 = _mm_loadu_ps(r + 3 * rs + k);
      _MM_TRANSPOSE4_PS(a0, a1, a2, a3);
      _mm_storeu_ps(d + (k + 0) * stride, a0);
      _mm_storeu_ps(d + (k + 1) * stride, a1);
      _mm_storeu_ps(d + (k + 2) * stride, a2);
      _mm_storeu_ps(d + (k + 3) * stride, a3);
    }
    for (; k < kc; ++k)
      for (int q = 0; q < 4; ++q) d[k * stride + q] = r[q * rs + k];
  }
  for (; i < rows; ++i) {
    const float* r = src + i * rs;
    for (int64_t k = 0; k < kc; ++k) dst[k * stride + i] = r[k];
  }
}

GemmKernelInfo<float> sgemm_kernel() {
  return {"avx2", kMrF, kNrF, with_edges<float, kMrF, kNrF, sgemm_6x16>, pack_rows_f32};
}
GemmKernelInfo<double> dgemm_kernel() { return {"avx2", kMrD, kNrD, with_edges<double, kMrD, kNrD, dgemm_6x8>}; }

}  // namespace avx2
}  // namespace ty
