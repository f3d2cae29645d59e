// Scalar math shared by the elementwise kernels, matching the TypeScript reference backend's
// definitions (src/engine/backends/ts/math.ts): NaN handling, Python modulo, round half to even.
#pragma once
#include <cmath>

namespace ty {

template <typename T> inline T t_exp(T x) { return std::exp(x); }
template <typename T> inline T nan_max(T a, T b) { return (a != a || b != b) ? NAN : (a > b ? a : b); }
template <typename T> inline T nan_min(T a, T b) { return (a != a || b != b) ? NAN : (a < b ? a : b); }
template <typename T> inline T py_mod(T a, T b) {
  T r = std::fmod(a, b);
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}
template <typename T> inline T sigmoid(T x) {
  return x >= 0 ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
}
template <typename T> inline T gelu(T x) { return T(0.5) * x * (T(1) + std::erf(x * T(0.7071067811865476))); }
template <typename T> inline T gelu_grad(T x) {
  const T cdf = T(0.5) * (T(1) + std::erf(x * T(0.7071067811865476)));
  const T pdf = std::exp(T(-0.5) * x * x) * T(0.3989422804014327);
  return cdf + x * pdf;
}
constexpr double kGeluK = 0.7978845608028654;  // sqrt(2 / pi)
template <typename T> inline T gelu_tanh(T x) {
  return T(0.5) * x * (T(1) + std::tanh(T(kGeluK) * (x + T(0.044715) * x * x * x)));
}
template <typename T> inline T gelu_tanh_grad(T x) {
  const T t = std::tanh(T(kGeluK) * (x + T(0.044715) * x * x * x));
  const T dinner = T(kGeluK) * (T(1) + T(3 * 0.044715) * x * x);
  return T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * dinner;
}
template <typename T> inline T softplus(T x, T beta, T threshold) {
  return x * beta > threshold ? x : std::log1p(std::exp(x * beta)) / beta;
}

}  // namespace ty
