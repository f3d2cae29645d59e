// The elementwise op tables: one X-macro entry per op, name and expression. The addon exports the
// names in this order, and the TypeScript side maps op names to these indices, so the two never
// drift apart. Expressions use a, b (inputs, type T), s0, s1 (scalars, type T).
#pragma once

#define TY_UNARY_OPS(X)                                                     \
  X(neg, -a)                                                                \
  X(abs, std::abs(a))                                                       \
  X(sign, (a > 0 ? T(1) : a < 0 ? T(-1) : a))                               \
  X(exp, std::exp(a))                                                       \
  X(log, std::log(a))                                                       \
  X(sqrt, std::sqrt(a))                                                     \
  X(rsqrt, T(1) / std::sqrt(a))                                             \
  X(square, a * a)                                                          \
  X(reciprocal, T(1) / a)                                                   \
  X(sin, std::sin(a))                                                       \
  X(cos, std::cos(a))                                                       \
  X(tanh, std::tanh(a))                                                     \
  X(sigmoid, sigmoid(a))                                                    \
  X(relu, (a > 0 ? a : (a != a ? a : T(0))))                                \
  X(gelu, gelu(a))                                                          \
  X(gelu_tanh, gelu_tanh(a))                                                \
  X(erf, std::erf(a))                                                       \
  X(log1p, std::log1p(a))                                                   \
  X(expm1, std::expm1(a))                                                   \
  X(floor, std::floor(a))                                                   \
  X(ceil, std::ceil(a))                                                     \
  X(round, std::nearbyint(a))                                               \
  X(trunc, std::trunc(a))                                                   \
  X(silu, a * sigmoid(a))                                                   \
  X(softplus, softplus(a, s0, s1))                                          \
  X(add_scalar, a + s0)                                                     \
  X(mul_scalar, a * s0)                                                     \
  X(rsub_scalar, s0 - a)                                                    \
  X(rdiv_scalar, s0 / a)                                                    \
  X(pow_scalar, std::pow(a, s0))                                            \
  X(rpow_scalar, std::pow(s0, a))                                           \
  X(fmod_scalar, std::fmod(a, s0))                                          \
  X(remainder_scalar, py_mod(a, s0))                                        \
  X(floor_divide_scalar, std::floor(a / s0))                                \
  X(maximum_scalar, nan_max(a, s0))                                         \
  X(minimum_scalar, nan_min(a, s0))                                         \
  X(clamp, (a != a ? a : a < s0 ? s0 : a > s1 ? s1 : a))                    \
  X(leaky_relu, (a > 0 ? a : a * s0))                                       \
  X(elu, (a > 0 ? a : s0 * std::expm1(a)))

// Binary ops whose result has the inputs' type.
#define TY_BINARY_OPS(X)                                                    \
  X(add, a + b)                                                             \
  X(sub, a - b)                                                             \
  X(mul, a * b)                                                             \
  X(div, a / b)                                                             \
  X(pow, std::pow(a, b))                                                    \
  X(maximum, nan_max(a, b))                                                 \
  X(minimum, nan_min(a, b))                                                 \
  X(atan2, std::atan2(a, b))                                                \
  X(fmod, std::fmod(a, b))                                                  \
  X(remainder, py_mod(a, b))                                                \
  X(floor_divide, std::floor(a / b))                                        \
  X(add_alpha, a + s0 * b)                                                  \
  X(sub_alpha, a - s0 * b)                                                  \
  X(relu_backward, (b <= 0 ? T(0) : a))                                     \
  X(sigmoid_backward, a * b * (T(1) - b))                                   \
  X(tanh_backward, a * (T(1) - b * b))                                      \
  X(gelu_backward, a * gelu_grad(b))                                        \
  X(gelu_tanh_backward, a * gelu_tanh_grad(b))                              \
  X(silu_backward, a * (sigmoid(b) * (T(1) + b * (T(1) - sigmoid(b)))))      \
  X(leaky_relu_backward, (b > 0 ? a : a * s0))                              \
  X(elu_backward, (b > 0 ? a : a * s0 * std::exp(b)))

// Binary ops that write 0/1 (bool output).
#define TY_COMPARE_OPS(X)                                                   \
  X(eq, a == b)                                                             \
  X(ne, a != b)                                                             \
  X(lt, a < b)                                                              \
  X(le, a <= b)                                                             \
  X(gt, a > b)                                                              \
  X(ge, a >= b)                                                             \
  X(logical_and, (a != 0 && b != 0))                                        \
  X(logical_or, (a != 0 || b != 0))                                         \
  X(logical_xor, ((a != 0) != (b != 0)))
