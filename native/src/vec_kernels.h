// The hot elementwise kernels (add, sub, mul, relu and its gradient, the SGD and Adam steps) over
// contiguous runs, compiled once per instruction set like the GEMM microkernels (vec_kernels_*.cc
// include vec_kernels_impl.h with their own -m flags) and chosen at run time by vec_kernels().
// They are plain loops the compiler vectorises at that width, built with -ffp-contract=off: no
// fused multiply-adds, so every ISA computes each element with exactly the same operations as the
// portable build (and the scalar formulas in elementwise.cc / optim.cc): results are bit-identical.
#pragma once
#include <cstdint>

#include "kernels.h"

namespace ty {

template <typename T>
struct VecKernels {
  const char* isa;
  // o[i] = a[i] (op) b[i]; the alpha forms compute a + s * b and a - s * b.
  void (*add)(T* o, const T* a, const T* b, int64_t n);
  void (*sub)(T* o, const T* a, const T* b, int64_t n);
  void (*mul)(T* o, const T* a, const T* b, int64_t n);
  void (*add_alpha)(T* o, const T* a, const T* b, T s, int64_t n);
  void (*sub_alpha)(T* o, const T* a, const T* b, T s, int64_t n);
  // o[i] = a[i] (op) s: a row plus a broadcast scalar (stride-0 operand).
  void (*add_scalar)(T* o, const T* a, T s, int64_t n);
  void (*mul_scalar)(T* o, const T* a, T s, int64_t n);
  // relu keeps NaN; relu_backward: o = y <= 0 ? 0 : g.
  void (*relu)(T* o, const T* x, int64_t n);
  void (*relu_backward)(T* o, const T* g, const T* y, int64_t n);
  // acc[i] += double(x[i]): a row added into double accumulators (reductions over an outer dim).
  void (*accumulate)(double* acc, const T* x, int64_t n);
  // The optimizer steps on [0, n) of their arrays (see optim.cc for the update rules).
  void (*sgd)(T* p, const T* g, T* buf, int64_t n, const SgdParams& o);
  void (*adam)(T* p, const T* g, T* m1, T* m2, T* mmax, int64_t n, const AdamParams& o, T step_size, T bc2_sqrt);
};

namespace avx512 {
const VecKernels<float>& vec_kernels_f32();
const VecKernels<double>& vec_kernels_f64();
}  // namespace avx512
namespace avx2 {
const VecKernels<float>& vec_kernels_f32();
const VecKernels<double>& vec_kernels_f64();
}  // namespace avx2
namespace generic {
const VecKernels<float>& vec_kernels_f32();
const VecKernels<double>& vec_kernels_f64();
}  // namespace generic

// The kernels of the active instruction set (see cpu.h).
template <typename T>
const VecKernels<T>& vec_kernels();

}  // namespace ty
