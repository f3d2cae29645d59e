// AVX-512 microkernels (compiled with -mavx512f -mfma; only called when the CPU has them).
// f32: up to 12 x 32 = 24 zmm accumulators, 2 zmm for the B row, A broadcast folded into the FMA.
// f64: up to 12 x 16. One instantiation per row count, so a short edge panel does only its own
// rows' work; partial column counts use masked loads and stores of C.
#include <immintrin.h>

#include "gemm_ukernel.h"

namespace ty {
namespace avx512 {
namespace {

constexpr int kMr = 12;

// Direct == false: a is a packed micro-panel (element (i, k) at a[k * kMr + i]); Direct: a is read in
// place, row-major with row stride lda (element (i, k) at a[i * lda + k]). Same arithmetic either way.
template <int R, bool Direct>
void sgemm_tile(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                float alpha, float beta, int cols) {
  __m512 acc0[R], acc1[R];
#pragma GCC unroll 12
  for (int i = 0; i < R; ++i) acc0[i] = acc1[i] = _mm512_setzero_ps();
#pragma GCC unroll 12
  for (int i = 0; i < R; ++i) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * ldb), _MM_HINT_T0);
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 12
    for (int i = 0; i < R; ++i) {
      const __m512 ai = _mm512_set1_ps(Direct ? a[i * lda] : a[i]);
      acc0[i] = _mm512_fmadd_ps(ai, b0, acc0[i]);
      acc1[i] = _mm512_fmadd_ps(ai, b1, acc1[i]);
    }
    a += Direct ? 1 : kMr;
    b += ldb;
  }
  const __mmask16 m0 = cols >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << cols) - 1);
  const __mmask16 m1 = cols >= 32 ? __mmask16(0xFFFF) : cols <= 16 ? __mmask16(0) : __mmask16((1u << (cols - 16)) - 1);
  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {
#pragma GCC unroll 12
    for (int i = 0; i < R; ++i) {
      _mm512_mask_storeu_ps(c + i * ldc, m0, _mm512_mul_ps(va, acc0[i]));
      _mm512_mask_storeu_ps(c + i * ldc + 16, m1, _mm512_mul_ps(va, acc1[i]));
    }
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 12
    for (int i = 0; i < R; ++i) {
      float* ci = c + i * ldc;
      const __m512 c0 = _mm512_maskz_loadu_ps(m0, ci);
      const __m512 c1 = _mm512_maskz_loadu_ps(m1, ci + 16);
      _mm512_mask_storeu_ps(ci, m0, _mm512_fmadd_ps(va, acc0[i], _mm512_mul_ps(vb, c0)));
      _mm512_mask_storeu_ps(ci + 16, m1, _mm512_fmadd_ps(va, acc1[i], _mm512_mul_ps(vb, c1)));
    }
  }
}

template <int R>
void sgemm_rows(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, float alpha,
                float beta, int cols) {
  sgemm_tile<R, false>(kc, a, 0, b, ldb, c, ldc, alpha, beta, cols);
}

template <int R>
void dgemm_rows(int64_t kc, const double* a, const double* b, int64_t ldb, double* c, int64_t ldc, double alpha,
                double beta, int cols) {
  __m512d acc0[R], acc1[R];
#pragma GCC unroll 12
  for (int i = 0; i < R; ++i) acc0[i] = acc1[i] = _mm512_setzero_pd();
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * ldb), _MM_HINT_T0);
    const __m512d b0 = _mm512_loadu_pd(b);
    const __m512d b1 = _mm512_loadu_pd(b + 8);
#pragma GCC unroll 12
    for (int i = 0; i < R; ++i) {
      const __m512d ai = _mm512_set1_pd(a[i]);
      acc0[i] = _mm512_fmadd_pd(ai, b0, acc0[i]);
      acc1[i] = _mm512_fmadd_pd(ai, b1, acc1[i]);
    }
    a += kMr;
    b += ldb;
  }
  const __mmask8 m0 = cols >= 8 ? __mmask8(0xFF) : __mmask8((1u << cols) - 1);
  const __mmask8 m1 = cols >= 16 ? __mmask8(0xFF) : cols <= 8 ? __mmask8(0) : __mmask8((1u << (cols - 8)) - 1);
  const __m512d va = _mm512_set1_pd(alpha);
  const __m512d vb = _mm512_set1_pd(beta);
#pragma GCC unroll 12
  for (int i = 0; i < R; ++i) {
    double* ci = c + i * ldc;
    if (beta == 0.0) {
      _mm512_mask_storeu_pd(ci, m0, _mm512_mul_pd(va, acc0[i]));
      _mm512_mask_storeu_pd(ci + 8, m1, _mm512_mul_pd(va, acc1[i]));
    } else {
      const __m512d c0 = _mm512_maskz_loadu_pd(m0, ci);
      const __m512d c1 = _mm512_maskz_loadu_pd(m1, ci + 8);
      _mm512_mask_storeu_pd(ci, m0, _mm512_fmadd_pd(va, acc0[i], _mm512_mul_pd(vb, c0)));
      _mm512_mask_storeu_pd(ci + 8, m1, _mm512_fmadd_pd(va, acc1[i], _mm512_mul_pd(vb, c1)));
    }
  }
}

template <typename T>
using RowsFn = void (*)(int64_t, const T*, const T*, int64_t, T*, int64_t, T, T, int);

const RowsFn<float> kSgemmRows[kMr + 1] = {nullptr, sgemm_rows<1>, sgemm_rows<2>, sgemm_rows<3>, sgemm_rows<4>,
                                           sgemm_rows<5>, sgemm_rows<6>, sgemm_rows<7>, sgemm_rows<8>, sgemm_rows<9>,
                                           sgemm_rows<10>, sgemm_rows<11>, sgemm_rows<12>};
const RowsFn<double> kDgemmRows[kMr + 1] = {nullptr, dgemm_rows<1>, dgemm_rows<2>, dgemm_rows<3>, dgemm_rows<4>,
                                            dgemm_rows<5>, dgemm_rows<6>, dgemm_rows<7>, dgemm_rows<8>, dgemm_rows<9>,
                                            dgemm_rows<10>, dgemm_rows<11>, dgemm_rows<12>};

void sgemm(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, float alpha, float beta,
           int rows, int cols) {
  kSgemmRows[rows](kc, a, b, ldb, c, ldc, alpha, beta, cols);
}

template <int R>
void sgemm_rows_direct(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                       float alpha, float beta, int cols) {
  sgemm_tile<R, true>(kc, a, lda, b, ldb, c, ldc, alpha, beta, cols);
}
using DirectRowsFn = void (*)(int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t, float, float, int);
const DirectRowsFn kSgemmRowsDirect[kMr + 1] = {
    nullptr, sgemm_rows_direct<1>, sgemm_rows_direct<2>, sgemm_rows_direct<3>, sgemm_rows_direct<4>,
    sgemm_rows_direct<5>, sgemm_rows_direct<6>, sgemm_rows_direct<7>, sgemm_rows_direct<8>,
    sgemm_rows_direct<9>, sgemm_rows_direct<10>, sgemm_rows_direct<11>, sgemm_rows_direct<12>};

void sgemm_direct_a(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                    float alpha, float beta, int rows, int cols) {
  kSgemmRowsDirect[rows](kc, a, lda, b, ldb, c, ldc, alpha, beta, cols);
}
void dgemm(int64_t kc, const double* a, const double* b, int64_t ldb, double* c, int64_t ldc, double alpha,
           double beta, int rows, int cols) {
  kDgemmRows[rows](kc, a, b, ldb, c, ldc, alpha, beta, cols);
}

}  // namespace

GemmKernelInfo<float> sgemm_kernel() { return {"avx512", kMr, 32, sgemm, avx2::pack_rows_f32, sgemm_direct_a}; }
GemmKernelInfo<double> dgemm_kernel() { return {"avx512", kMr, 16, dgemm}; }

}  // namespace avx512
}  // namespace ty
