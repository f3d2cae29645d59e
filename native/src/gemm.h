// Strided, batched GEMM:  C[b] = alpha * A[b] * B[b] + beta * C[b]  for b in [0, batch).
// Element (i, k) of A[b] is A[b * bsA + i * rsA + k * csA] (likewise B, C), so transposed and
// broadcast (stride 0) operands need no copy. When beta == 0, C is not read (NaNs in C vanish).
#pragma once
#include <cstdint>

namespace ty {

template <typename T>
struct GemmArgs {
  int64_t batch, m, n, k;
  T alpha;
  const T* a; int64_t bsa, rsa, csa;
  const T* b; int64_t bsb, rsb, csb;
  T beta;
  T* c; int64_t bsc, rsc, csc;
};

template <typename T>
void gemm(const GemmArgs<T>& args);

// The instruction set the GEMM kernels use ("avx512", "avx2", "generic").
const char* gemm_isa();

}  // namespace ty
