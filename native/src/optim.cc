// Fused optimizer steps with PyTorch 1.13's update rules (torch/optim/sgd.py, adam.py, adamw.py,
// single-tensor path), computed in the parameter's precision, one pass over memory per step.
#include <cmath>
#include <cstdint>

#include "kernels.h"
#include "thread_pool.h"
#include "vec_kernels.h"

namespace ty {
namespace {

template <typename Body>
void over_chunks(int64_t n, Body&& body) {
  const int threads = num_threads();
  if (threads == 1 || n < (1 << 15)) {
    body(int64_t(0), n);
    return;
  }
  const int64_t tasks = threads * 4;
  const int64_t per = ((n + tasks - 1) / tasks + 15) / 16 * 16;
  parallel_for(tasks, [&](int64_t t, int) {
    const int64_t b = t * per, e = b + per < n ? b + per : n;
    if (b < e) body(b, e);
  });
}

// The update rules themselves are the vectorised loops of vec_kernels_impl.h (one per flag combination).
template <typename T>
void sgd_t(T* p, const T* g, T* buf, int64_t n, const SgdParams& o) {
  const VecKernels<T>& v = vec_kernels<T>();
  over_chunks(n, [&](int64_t b, int64_t e) { v.sgd(p + b, g + b, buf ? buf + b : nullptr, e - b, o); });
}

template <typename T>
void adam_t(T* p, const T* g, T* m1, T* m2, T* mmax, int64_t n, const AdamParams& o) {
  const double bc1 = 1.0 - std::pow(o.beta1, static_cast<double>(o.step));
  const double bc2 = 1.0 - std::pow(o.beta2, static_cast<double>(o.step));
  const T step_size = T(o.lr / bc1);
  const T bc2_sqrt = T(std::sqrt(bc2));
  const VecKernels<T>& v = vec_kernels<T>();
  over_chunks(n, [&](int64_t b, int64_t e) {
    v.adam(p + b, g + b, m1 + b, m2 + b, mmax ? mmax + b : nullptr, e - b, o, step_size, bc2_sqrt);
  });
}

}  // namespace

bool sgd_step(int dtype, void* param, const void* grad, void* buf, int64_t n, const SgdParams& p) {
  if (dtype == kF32) sgd_t(static_cast<float*>(param), static_cast<const float*>(grad), static_cast<float*>(buf), n, p);
  else if (dtype == kF64)
    sgd_t(static_cast<double*>(param), static_cast<const double*>(grad), static_cast<double*>(buf), n, p);
  else return false;
  return true;
}

bool adam_step(int dtype, void* param, const void* grad, void* m1, void* m2, void* mmax, int64_t n,
               const AdamParams& p) {
  if (dtype == kF32)
    adam_t(static_cast<float*>(param), static_cast<const float*>(grad), static_cast<float*>(m1),
           static_cast<float*>(m2), static_cast<float*>(mmax), n, p);
  else if (dtype == kF64)
    adam_t(static_cast<double*>(param), static_cast<const double*>(grad), static_cast<double*>(m1),
           static_cast<double*>(m2), static_cast<double*>(mmax), n, p);
  else return false;
  return true;
}

}  // namespace ty
