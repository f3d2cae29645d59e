// Elementwise kernels over strided operands: unary, binary (broadcast), where, copy, fill.
// Work is split over the flat output range (never reduces), so results are thread-independent.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels.h"
#include "ops.h"
#include "scalar_math.h"
#include "thread_pool.h"
#include "vec_kernels.h"

namespace ty {
namespace {

// Below this much work (elements x relative cost) a second thread costs more than it saves: simple
// ops are memory-bound, and waking a worker costs about as much as adding 100k floats.
constexpr int64_t kParallelMin = 1 << 18;

// Runs body over [0, numel) in chunks, on the pool when the work is large enough.
template <typename Body>
void run_chunks(const NdIter& it, int64_t cost_per_elem, Body&& body) {
  const int64_t n = it.numel;
  const int threads = num_threads();
  if (threads == 1 || n * cost_per_elem < kParallelMin) {
    body(int64_t(0), n);
    return;
  }
  int64_t chunks = threads * 4;
  if (chunks > n / 4096) chunks = n / 4096 > 1 ? n / 4096 : 2;
  const int64_t per = (n + chunks - 1) / chunks;
  parallel_for(chunks, [&](int64_t c, int) {
    const int64_t b = c * per;
    const int64_t e = b + per < n ? b + per : n;
    if (b < e) body(b, e);
  });
}

// No vectorised kernel for this op: every run takes the scalar formula.
struct NoVec {
  template <typename... A>
  bool operator()(A...) const { return false; }
};

// `vec(o, x, n, strides)` may take a run itself (returns true), see vec_kernels.h.
template <typename T, typename F, typename V = NoVec>
void map1(T* out, const T* x, NdIter& it, int64_t cost, F f, V vec = V()) {
  run_chunks(it, cost, [&](int64_t b, int64_t e) {
    for_each_run(it, b, e, [&](int64_t n, const int64_t* off, const int64_t* st) {
      T* o = out + off[0];
      const T* xp = x + off[1];
      if (vec(o, xp, n, st)) return;
      if (st[0] == 1 && st[1] == 1) {
        for (int64_t i = 0; i < n; ++i) o[i] = f(xp[i]);
      } else {
        for (int64_t i = 0; i < n; ++i) o[i * st[0]] = f(xp[i * st[1]]);
      }
    });
  });
}

template <typename O, typename T, typename F, typename V = NoVec>
void map2(O* out, const T* a, const T* b, NdIter& it, int64_t cost, F f, V vec = V()) {
  run_chunks(it, cost, [&](int64_t lo, int64_t hi) {
    for_each_run(it, lo, hi, [&](int64_t n, const int64_t* off, const int64_t* st) {
      O* o = out + off[0];
      const T* ap = a + off[1];
      const T* bp = b + off[2];
      if (vec(o, ap, bp, n, st)) return;
      if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
        for (int64_t i = 0; i < n; ++i) o[i] = f(ap[i], bp[i]);
      } else if (st[0] == 1 && st[1] == 1 && st[2] == 0) {
        const T bv = *bp;
        for (int64_t i = 0; i < n; ++i) o[i] = f(ap[i], bv);
      } else if (st[0] == 1 && st[1] == 0 && st[2] == 1) {
        const T av = *ap;
        for (int64_t i = 0; i < n; ++i) o[i] = f(av, bp[i]);
      } else {
        for (int64_t i = 0; i < n; ++i) o[i * st[0]] = f(ap[i * st[1]], bp[i * st[2]]);
      }
    });
  });
}

enum UnaryCode {
#define TY_ENUM(name, expr) u_##name,
  TY_UNARY_OPS(TY_ENUM)
#undef TY_ENUM
  u_count
};
enum BinaryCode {
#define TY_ENUM(name, expr) b_##name,
  TY_BINARY_OPS(TY_ENUM) TY_COMPARE_OPS(TY_ENUM)
#undef TY_ENUM
  b_count
};
constexpr int kFirstCompare = 0
#define TY_COUNT(name, expr) +1
    TY_BINARY_OPS(TY_COUNT)
#undef TY_COUNT
    ;

// Transcendental ops cost more per element, so they go parallel at smaller sizes.
inline int64_t unary_cost(int op) { return op <= u_reciprocal && op != u_exp && op != u_log ? 1 : 8; }

// The vectorised kernel (vec_kernels.h) for a unary op's contiguous runs, if there is one.
template <typename T>
struct UnaryVec {
  void (*plain)(T*, const T*, int64_t) = nullptr;
  void (*scalar)(T*, const T*, T, int64_t) = nullptr;
  T s = T(0);
  bool operator()(T* o, const T* x, int64_t n, const int64_t* st) const {
    if (st[0] != 1 || st[1] != 1) return false;
    if (plain) plain(o, x, n);
    else scalar(o, x, s, n);
    return true;
  }
};

template <typename T>
bool unary_vec(int op, T* out, const T* x, NdIter& it, T s0) {
  const VecKernels<T>& v = vec_kernels<T>();
  UnaryVec<T> uv;
  uv.s = s0;
  switch (op) {
    case u_relu: uv.plain = v.relu; map1(out, x, it, 1, [](T a) -> T { return a <= T(0) ? T(0) : a; }, uv); return true;
    case u_add_scalar: uv.scalar = v.add_scalar; map1(out, x, it, 1, [=](T a) -> T { return a + s0; }, uv); return true;
    case u_mul_scalar: uv.scalar = v.mul_scalar; map1(out, x, it, 1, [=](T a) -> T { return a * s0; }, uv); return true;
    default: return false;
  }
}

template <typename T>
bool unary_t(int op, T* out, const T* x, NdIter& it, T s0, T s1) {
  (void)s0;
  (void)s1;
  if (unary_vec(op, out, x, it, s0)) return true;
  const int64_t cost = unary_cost(op);
  switch (op) {
#define TY_CASE(name, expr)                                       \
  case u_##name:                                                  \
    map1(out, x, it, cost, [=](T a) -> T { return T(expr); });    \
    return true;
    TY_UNARY_OPS(TY_CASE)
#undef TY_CASE
    default: return false;
  }
}

// The vectorised kernel (vec_kernels.h) for a binary op's runs: both operands contiguous, or (for
// add and mul, which commute exactly) one of them a broadcast scalar.
template <typename T>
struct BinaryVec {
  void (*plain)(T*, const T*, const T*, int64_t) = nullptr;
  void (*alpha)(T*, const T*, const T*, T, int64_t) = nullptr;
  void (*with_scalar)(T*, const T*, T, int64_t) = nullptr;
  T s = T(0);
  bool operator()(T* o, const T* a, const T* b, int64_t n, const int64_t* st) const {
    if (st[0] != 1) return false;
    if (st[1] == 1 && st[2] == 1) {
      if (plain) plain(o, a, b, n);
      else alpha(o, a, b, s, n);
      return true;
    }
    if (with_scalar == nullptr) return false;
    if (st[1] == 1 && st[2] == 0) {
      with_scalar(o, a, *b, n);
      return true;
    }
    if (st[1] == 0 && st[2] == 1) {
      with_scalar(o, b, *a, n);
      return true;
    }
    return false;
  }
};

template <typename T>
bool binary_vec(int op, T* out, const T* a, const T* b, NdIter& it, T s0) {
  const VecKernels<T>& v = vec_kernels<T>();
  BinaryVec<T> bv;
  bv.s = s0;
  switch (op) {
    case b_add:
      bv.plain = v.add;
      bv.with_scalar = v.add_scalar;
      map2(out, a, b, it, 2, [](T x, T y) -> T { return x + y; }, bv);
      return true;
    case b_mul:
      bv.plain = v.mul;
      bv.with_scalar = v.mul_scalar;
      map2(out, a, b, it, 2, [](T x, T y) -> T { return x * y; }, bv);
      return true;
    case b_sub: bv.plain = v.sub; map2(out, a, b, it, 2, [](T x, T y) -> T { return x - y; }, bv); return true;
    case b_add_alpha:
      bv.alpha = v.add_alpha;
      map2(out, a, b, it, 2, [=](T x, T y) -> T { return x + s0 * y; }, bv);
      return true;
    case b_sub_alpha:
      bv.alpha = v.sub_alpha;
      map2(out, a, b, it, 2, [=](T x, T y) -> T { return x - s0 * y; }, bv);
      return true;
    case b_relu_backward:
      bv.plain = v.relu_backward;
      map2(out, a, b, it, 2, [](T x, T y) -> T { return y <= T(0) ? T(0) : x; }, bv);
      return true;
    default: return false;
  }
}

template <typename T>
bool binary_t(int op, T* out, const T* a, const T* b, NdIter& it, T s0) {
  (void)s0;
  if (binary_vec(op, out, a, b, it, s0)) return true;
  switch (op) {
#define TY_CASE(name, expr)                                                      \
  case b_##name:                                                                 \
    map2(out, a, b, it, 2, [=](T a, T b) -> T { return T(expr); });              \
    return true;
    TY_BINARY_OPS(TY_CASE)
#undef TY_CASE
    default: return false;
  }
}

template <typename T>
bool compare_t(int op, uint8_t* out, const T* a, const T* b, NdIter& it) {
  switch (op) {
#define TY_CASE(name, expr)                                                              \
  case b_##name:                                                                         \
    map2(out, a, b, it, 1, [](T a, T b) -> uint8_t { return (expr) ? 1 : 0; });          \
    return true;
    TY_COMPARE_OPS(TY_CASE)
#undef TY_CASE
    default: return false;
  }
}

template <typename D, typename S>
void copy_t(D* dst, const S* src, NdIter& it) {

  run_chunks(it, 1, [&](int64_t lo, int64_t hi) {
    for_each_run(it, lo, hi, [&](int64_t n, const int64_t* off, const int64_t* st) {
      D* o = dst + off[0];
      const S* s = src + off[1];
      if (st[0] == 1 && st[1] == 1) {
        for (int64_t i = 0; i < n; ++i) o[i] = static_cast<D>(s[i]);
      } else {
        for (int64_t i = 0; i < n; ++i) o[i * st[0]] = static_cast<D>(s[i * st[1]]);
      }
    });
  });
}

template <typename D>
bool copy_from(D* dst, int src_dtype, const void* src, NdIter& it) {
  switch (src_dtype) {
    case kF32: copy_t(dst, static_cast<const float*>(src), it); return true;
    case kF64: copy_t(dst, static_cast<const double*>(src), it); return true;
    case kI32: copy_t(dst, static_cast<const int32_t*>(src), it); return true;
    case kU8: copy_t(dst, static_cast<const uint8_t*>(src), it); return true;
    default: return false;
  }
}

template <typename T>
void fill_t(T* dst, NdIter& it, T v) {
  run_chunks(it, 1, [&](int64_t lo, int64_t hi) {
    for_each_run(it, lo, hi, [&](int64_t n, const int64_t* off, const int64_t* st) {
      T* o = dst + off[0];
      if (st[0] == 1) {
        for (int64_t i = 0; i < n; ++i) o[i] = v;
      } else {
        for (int64_t i = 0; i < n; ++i) o[i * st[0]] = v;
      }
    });
  });
}

}  // namespace

bool unary(int op, int dtype, void* out, const void* x, NdIter& it, double s0, double s1) {
  coalesce(it);
  if (it.numel == 0) return op >= 0 && op < u_count && (dtype == kF32 || dtype == kF64);
  if (dtype == kF32)
    return unary_t<float>(op, static_cast<float*>(out), static_cast<const float*>(x), it, float(s0), float(s1));
  if (dtype == kF64)
    return unary_t<double>(op, static_cast<double*>(out), static_cast<const double*>(x), it, s0, s1);
  return false;
}

bool binary(int op, int dtype, int out_dtype, void* out, const void* a, const void* b, NdIter& it, double s0) {
  if (dtype != kF32 && dtype != kF64) return false;
  const bool compare = op >= kFirstCompare && op < b_count;
  if (op < 0 || op >= b_count || (compare ? out_dtype != kU8 : out_dtype != dtype)) return false;
  coalesce(it);
  if (it.numel == 0) return true;
  if (compare) {
    if (dtype == kF32)
      return compare_t<float>(op, static_cast<uint8_t*>(out), static_cast<const float*>(a),
                              static_cast<const float*>(b), it);
    return compare_t<double>(op, static_cast<uint8_t*>(out), static_cast<const double*>(a),
                             static_cast<const double*>(b), it);
  }
  if (dtype == kF32)
    return binary_t<float>(op, static_cast<float*>(out), static_cast<const float*>(a), static_cast<const float*>(b),
                           it, float(s0));
  return binary_t<double>(op, static_cast<double*>(out), static_cast<const double*>(a),
                          static_cast<const double*>(b), it, s0);
}

bool where(int dtype, void* out, const uint8_t* cond, const void* a, const void* b, NdIter& it) {
  if (dtype != kF32 && dtype != kF64) return false;
  coalesce(it);
  if (it.numel == 0) return true;
  auto run = [&](auto* o, auto* ap, auto* bp) {
    run_chunks(it, 1, [&](int64_t lo, int64_t hi) {
      for_each_run(it, lo, hi, [&](int64_t n, const int64_t* off, const int64_t* st) {
        for (int64_t i = 0; i < n; ++i)
          o[off[0] + i * st[0]] = cond[off[1] + i * st[1]] ? ap[off[2] + i * st[2]] : bp[off[3] + i * st[3]];
      });
    });
  };
  if (dtype == kF32)
    run(static_cast<float*>(out), static_cast<const float*>(a), static_cast<const float*>(b));
  else
    run(static_cast<double*>(out), static_cast<const double*>(a), static_cast<const double*>(b));
  return true;
}

bool copy(int dst_dtype, void* dst, int src_dtype, const void* src, NdIter& it) {
  // Float -> integer conversions (and anything -> bool) keep the reference's wrap-around rules,
  // which C++ leaves undefined; those stay on the TypeScript backend.
  const bool supported = dst_dtype == kF32 || dst_dtype == kF64 ||
                         (dst_dtype == kI32 && (src_dtype == kI32 || src_dtype == kU8)) ||
                         (dst_dtype == kU8 && src_dtype == kU8);
  if (!supported || src_dtype < kF32 || src_dtype > kU8) return false;
  coalesce(it);
  if (it.numel == 0) return true;
  switch (dst_dtype) {
    case kF32: return copy_from(static_cast<float*>(dst), src_dtype, src, it);
    case kF64: return copy_from(static_cast<double*>(dst), src_dtype, src, it);
    case kI32: return copy_from(static_cast<int32_t*>(dst), src_dtype, src, it);
    default: return copy_from(static_cast<uint8_t*>(dst), src_dtype, src, it);
  }
}

bool fill(int dtype, void* dst, NdIter& it, double value) {
  coalesce(it);
  if (it.numel == 0) return dtype >= kF32 && dtype <= kU8;
  switch (dtype) {
    case kF32: fill_t(static_cast<float*>(dst), it, float(value)); return true;
    case kF64: fill_t(static_cast<double*>(dst), it, value); return true;
    case kI32:
      if (value != std::trunc(value) || value < -2147483648.0 || value > 2147483647.0) return false;
      fill_t(static_cast<int32_t*>(dst), it, int32_t(value));
      return true;
    case kU8:
      if (value != std::trunc(value) || value < 0 || value > 255) return false;
      fill_t(static_cast<uint8_t*>(dst), it, uint8_t(value));
      return true;
    default: return false;
  }
}

extern const char* const kUnaryOpNames[] = {
#define TY_NAME(name, expr) #name,
    TY_UNARY_OPS(TY_NAME)
#undef TY_NAME
        nullptr};
extern const char* const kBinaryOpNames[] = {
#define TY_NAME(name, expr) #name,
    TY_BINARY_OPS(TY_NAME) TY_COMPARE_OPS(TY_NAME)
#undef TY_NAME
        nullptr};

}  // namespace ty
