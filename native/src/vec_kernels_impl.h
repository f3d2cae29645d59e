// Bodies of the VecKernels (vec_kernels.h), included once per instruction set inside its namespace.
// Each formula is written exactly as its scalar reference in elementwise.cc / optim.cc, so that
// with -ffp-contract=off the vectorised loops round every element the same way.
#pragma once
#include <cmath>
#include <cstdint>

#include "vec_kernels.h"

namespace ty {
namespace TY_VEC_NS {
namespace {

// Loops over the formulas below. o may alias an input (x += y, a gradient added into .grad,
// x.relu_()): exact aliasing keeps a __restrict loop over the output, any other overlap takes the
// plain sequential loop; disjoint arrays get the fully __restrict loop.
template <typename T>
inline bool overlap(const T* o, const T* x, int64_t n) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(o), b = reinterpret_cast<uintptr_t>(x);
  const uintptr_t bytes = static_cast<uintptr_t>(n) * sizeof(T);
  return a < b + bytes && b < a + bytes;
}

template <typename T, typename F>
void disjoint2(T* __restrict o, const T* __restrict a, const T* __restrict b, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
}
template <typename T, typename F>
void into_a(T* __restrict o, const T* __restrict b, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(o[i], b[i]);
}
template <typename T, typename F>
void into_b(T* __restrict o, const T* __restrict a, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], o[i]);
}
template <typename T, typename F>
void map2(T* o, const T* a, const T* b, int64_t n, F f) {
  const bool oa = overlap(o, a, n), ob = overlap(o, b, n);
  if (!oa && !ob) disjoint2(o, a, b, n, f);
  else if (o == a && !ob) into_a(o, b, n, f);
  else if (o == b && !oa) into_b(o, a, n, f);
  else
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
}

template <typename T, typename F>
void disjoint1(T* __restrict o, const T* __restrict a, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
}
template <typename T, typename F>
void in_place1(T* __restrict o, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(o[i]);
}
template <typename T, typename F>
void map1(T* o, const T* a, int64_t n, F f) {
  if (!overlap(o, a, n)) disjoint1(o, a, n, f);
  else if (o == a) in_place1(o, n, f);
  else
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
}

template <typename T>
void add_v(T* o, const T* a, const T* b, int64_t n) { map2(o, a, b, n, [](T x, T y) { return x + y; }); }
template <typename T>
void sub_v(T* o, const T* a, const T* b, int64_t n) { map2(o, a, b, n, [](T x, T y) { return x - y; }); }
template <typename T>
void mul_v(T* o, const T* a, const T* b, int64_t n) { map2(o, a, b, n, [](T x, T y) { return x * y; }); }
template <typename T>
void add_alpha_v(T* o, const T* a, const T* b, T s, int64_t n) {
  map2(o, a, b, n, [s](T x, T y) { return x + s * y; });
}
template <typename T>
void sub_alpha_v(T* o, const T* a, const T* b, T s, int64_t n) {
  map2(o, a, b, n, [s](T x, T y) { return x - s * y; });
}
template <typename T>
void add_scalar_v(T* o, const T* a, T s, int64_t n) { map1(o, a, n, [s](T x) { return x + s; }); }
template <typename T>
void mul_scalar_v(T* o, const T* a, T s, int64_t n) { map1(o, a, n, [s](T x) { return x * s; }); }
// Same as the op table's relu (a > 0 ? a : NaN ? a : 0): only a <= 0 becomes +0.
template <typename T>
void relu_v(T* o, const T* x, int64_t n) { map1(o, x, n, [](T a) { return a <= T(0) ? T(0) : a; }); }
template <typename T>
void relu_backward_v(T* o, const T* g, const T* y, int64_t n) {
  map2(o, g, y, n, [](T a, T b) { return b <= T(0) ? T(0) : a; });
}

// Sum reductions over an outer dim (reduce.cc): each accumulator gets one add per row, in row order.
// acc is reduce.cc's own buffer, never x.
template <typename T>
void accumulate_v(double* __restrict acc, const T* __restrict x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] += static_cast<double>(x[i]);
}

// SGD (torch/optim/sgd.py, single tensor): one specialisation per flag combination, so that the
// loop has no branches left and vectorises.
template <typename T, bool Maximize, bool Decay, bool Momentum, bool First, bool Nesterov>
void sgd_k(T* __restrict p, const T* __restrict g, T* __restrict buf, int64_t n, T lr, T mom, T damp, T wd) {
  for (int64_t i = 0; i < n; ++i) {
    T d = Maximize ? -g[i] : g[i];
    if (Decay) d = d + wd * p[i];
    if (Momentum) {
      const T m = First ? d : mom * buf[i] + damp * d;
      buf[i] = m;
      d = Nesterov ? d + mom * m : m;
    }
    p[i] = p[i] - lr * d;
  }
}

template <typename T, bool Maximize, bool Decay>
void sgd_momentum(T* p, const T* g, T* buf, int64_t n, const SgdParams& o, T lr, T mom, T damp, T wd) {
  if (o.momentum == 0) return sgd_k<T, Maximize, Decay, false, false, false>(p, g, buf, n, lr, mom, damp, wd);
  if (o.first_step) {
    if (o.nesterov) return sgd_k<T, Maximize, Decay, true, true, true>(p, g, buf, n, lr, mom, damp, wd);
    return sgd_k<T, Maximize, Decay, true, true, false>(p, g, buf, n, lr, mom, damp, wd);
  }
  if (o.nesterov) return sgd_k<T, Maximize, Decay, true, false, true>(p, g, buf, n, lr, mom, damp, wd);
  sgd_k<T, Maximize, Decay, true, false, false>(p, g, buf, n, lr, mom, damp, wd);
}

template <typename T>
void sgd(T* p, const T* g, T* buf, int64_t n, const SgdParams& o) {
  const T lr = T(o.lr), mom = T(o.momentum), damp = T(1.0 - o.dampening), wd = T(o.weight_decay);
  const bool decay = o.weight_decay != 0;
  if (o.maximize) {
    if (decay) return sgd_momentum<T, true, true>(p, g, buf, n, o, lr, mom, damp, wd);
    return sgd_momentum<T, true, false>(p, g, buf, n, o, lr, mom, damp, wd);
  }
  if (decay) return sgd_momentum<T, false, true>(p, g, buf, n, o, lr, mom, damp, wd);
  sgd_momentum<T, false, false>(p, g, buf, n, o, lr, mom, damp, wd);
}

// Adam / AdamW (torch/optim/adam.py, adamw.py, single tensor), specialised the same way.
template <typename T, bool Maximize, bool Decay, bool Decoupled, bool Amsgrad>
void adam_k(T* __restrict p, const T* __restrict g, T* __restrict m1, T* __restrict m2, T* __restrict mmax,
            int64_t n, T b1, T b2, T one_b1, T one_b2, T eps, T wd, T decay, T step_size, T bc2_sqrt) {
  for (int64_t i = 0; i < n; ++i) {
    T gi = Maximize ? -g[i] : g[i];
    T pi = p[i];
    if (Decay) {
      if (Decoupled) pi = pi * decay;
      else gi = gi + wd * pi;
    }
    const T a = m1[i] * b1 + one_b1 * gi;
    const T v = m2[i] * b2 + one_b2 * gi * gi;
    m1[i] = a;
    m2[i] = v;
    T denom_src = v;
    if (Amsgrad) {
      const T mx = mmax[i] > v ? mmax[i] : v;
      mmax[i] = mx;
      denom_src = mx;
    }
    const T denom = std::sqrt(denom_src) / bc2_sqrt + eps;
    p[i] = pi - step_size * (a / denom);
  }
}

template <typename T, bool Maximize, bool Decay, bool Decoupled>
void adam_ams(T* p, const T* g, T* m1, T* m2, T* mmax, int64_t n, const AdamParams& o, T step_size, T bc2_sqrt) {
  const T b1 = T(o.beta1), b2 = T(o.beta2), one_b1 = T(1.0 - o.beta1), one_b2 = T(1.0 - o.beta2);
  const T eps = T(o.eps), wd = T(o.weight_decay), decay = T(1.0 - o.lr * o.weight_decay);
  if (o.amsgrad)
    adam_k<T, Maximize, Decay, Decoupled, true>(p, g, m1, m2, mmax, n, b1, b2, one_b1, one_b2, eps, wd, decay, step_size, bc2_sqrt);
  else
    adam_k<T, Maximize, Decay, Decoupled, false>(p, g, m1, m2, mmax, n, b1, b2, one_b1, one_b2, eps, wd, decay, step_size, bc2_sqrt);
}

template <typename T, bool Maximize>
void adam_decay(T* p, const T* g, T* m1, T* m2, T* mmax, int64_t n, const AdamParams& o, T step_size, T bc2_sqrt) {
  if (o.weight_decay == 0) return adam_ams<T, Maximize, false, false>(p, g, m1, m2, mmax, n, o, step_size, bc2_sqrt);
  if (o.decoupled) return adam_ams<T, Maximize, true, true>(p, g, m1, m2, mmax, n, o, step_size, bc2_sqrt);
  adam_ams<T, Maximize, true, false>(p, g, m1, m2, mmax, n, o, step_size, bc2_sqrt);
}

template <typename T>
void adam(T* p, const T* g, T* m1, T* m2, T* mmax, int64_t n, const AdamParams& o, T step_size, T bc2_sqrt) {
  if (o.maximize) return adam_decay<T, true>(p, g, m1, m2, mmax, n, o, step_size, bc2_sqrt);
  adam_decay<T, false>(p, g, m1, m2, mmax, n, o, step_size, bc2_sqrt);
}

template <typename T>
VecKernels<T> make(const char* isa) {
  return {isa,          add_v<T>,        sub_v<T>,  mul_v<T>, add_alpha_v<T>, sub_alpha_v<T>,
          add_scalar_v<T>, mul_scalar_v<T>, relu_v<T>, relu_backward_v<T>, accumulate_v<T>, sgd<T>, adam<T>};
}

}  // namespace

const VecKernels<float>& vec_kernels_f32() {
  static const VecKernels<float> k = make<float>(TY_VEC_ISA);
  return k;
}
const VecKernels<double>& vec_kernels_f64() {
  static const VecKernels<double> k = make<double>(TY_VEC_ISA);
  return k;
}

}  // namespace TY_VEC_NS
}  // namespace ty
