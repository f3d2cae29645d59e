// Reductions (sum, prod, mean, amax, amin) and arg-reductions, accumulating in double precision.
// x is walked in row-major order, so every output accumulates its inputs in increasing index
// order; threads split the outermost kept dim only, so the order never depends on the thread count.
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels.h"
#include "thread_pool.h"
#include "vec_kernels.h"

namespace ty {
namespace {

enum ReduceCode { r_sum, r_prod, r_mean, r_amax, r_amin };

inline double combine(int op, double acc, double v) {
  switch (op) {
    case r_prod: return acc * v;
    case r_amax: return (acc != acc || v != v) ? NAN : (v > acc ? v : acc);
    case r_amin: return (acc != acc || v != v) ? NAN : (v < acc ? v : acc);
    default: return acc + v;
  }
}

// Sum of a contiguous run with eight interleaved partial sums (combined in a fixed order), so the
// adds pipeline and vectorize; the order depends only on n, never on threads.
template <typename T>
double contiguous_sum(const T* x, int64_t n) {
  double p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) p[j] += static_cast<double>(x[i + j]);
  double s = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
  for (; i < n; ++i) s += x[i];
  return s;
}

template <typename T>
void reduce_range(int op, double* acc, const T* x, const NdIter& it, int64_t lo, int64_t hi) {
  for_each_run(it, lo, hi, [&](int64_t n, const int64_t* off, const int64_t* st) {
    double* a = acc + off[0];
    const T* xp = x + off[1];
    if (op == r_sum || op == r_mean) {
      if (st[0] == 0 && st[1] == 1) {
        *a += contiguous_sum(xp, n);
      } else if (st[0] == 0) {
        double s = *a;
        for (int64_t i = 0; i < n; ++i) s += xp[i * st[1]];
        *a = s;
      } else if (st[0] == 1 && st[1] == 1) {
        // A row into the accumulators (a sum over an outer dim, e.g. a bias gradient): the ISA's loop.
        vec_kernels<T>().accumulate(a, xp, n);
      } else {
        for (int64_t i = 0; i < n; ++i) a[i * st[0]] += xp[i * st[1]];
      }
    } else if (st[0] == 0) {
      double s = *a;
      for (int64_t i = 0; i < n; ++i) s = combine(op, s, xp[i * st[1]]);
      *a = s;
    } else {
      for (int64_t i = 0; i < n; ++i) a[i * st[0]] = combine(op, a[i * st[0]], xp[i * st[1]]);
    }
  });
}

template <typename T>
void reduce_t(int op, T* out, int64_t out_numel, const T* x, NdIter& it, int64_t count) {
  const double init = op == r_prod ? 1.0 : op == r_amax ? -INFINITY : op == r_amin ? INFINITY : 0.0;
  std::vector<double> acc(static_cast<size_t>(out_numel), init);
  if (it.numel > 0) {
    const int threads = num_threads();
    const bool outer_kept = it.nd > 1 && it.strides[0][0] != 0;
    if (threads > 1 && outer_kept && it.numel >= (1 << 16)) {
      const int64_t outer = it.shape[0];
      const int64_t row = it.numel / outer;
      int64_t tasks = threads * 4 < outer ? threads * 4 : outer;
      const int64_t per = (outer + tasks - 1) / tasks;
      parallel_for(tasks, [&](int64_t t, int) {
        const int64_t b = t * per, e = (t + 1) * per < outer ? (t + 1) * per : outer;
        if (b < e) reduce_range(op, acc.data(), x, it, b * row, e * row);
      });
    } else {
      reduce_range(op, acc.data(), x, it, 0, it.numel);
    }
  }
  for (int64_t i = 0; i < out_numel; ++i)
    out[i] = static_cast<T>(op == r_mean ? acc[i] / static_cast<double>(count) : acc[i]);
}

template <typename T>
void arg_reduce_t(bool is_max, T* values, double* indices, const T* x, const int64_t* shape, const int64_t* strides,
                  int64_t offset, int nd, int dim) {
  NdIter it;
  it.nops = 1;
  it.nd = 0;
  for (int d = 0; d < nd; ++d) {
    if (d == dim) continue;
    it.shape[it.nd] = shape[d];
    it.strides[0][it.nd] = strides[d];
    ++it.nd;
  }
  it.offset[0] = offset;
  it.numel = 1;
  for (int d = 0; d < it.nd; ++d) it.numel *= it.shape[d];
  const int64_t size = nd == 0 ? 1 : shape[dim];
  const int64_t step = nd == 0 ? 0 : strides[dim];
  int64_t o = 0;
  if (it.numel == 0) return;
  for_each_run(it, 0, it.numel, [&](int64_t n, const int64_t* off, const int64_t* st) {
    for (int64_t r = 0; r < n; ++r, ++o) {
      const T* p = x + off[0] + r * st[0];
      T best = p[0];
      int64_t best_idx = 0;
      if (best == best) {
        for (int64_t j = 1; j < size; ++j) {
          const T v = p[j * step];
          if (v != v) {
            best = v;
            best_idx = j;
            break;
          }
          if (is_max ? v > best : v < best) {
            best = v;
            best_idx = j;
          }
        }
      }
      if (values != nullptr) values[o] = best;
      indices[o] = static_cast<double>(best_idx);
    }
  });
}

}  // namespace

bool reduce(int op, int dtype, void* out, int64_t out_numel, const void* x, NdIter& it, int64_t reduced_count) {
  if (op < r_sum || op > r_amin) return false;
  coalesce(it);
  if (dtype == kF32) {
    reduce_t(op, static_cast<float*>(out), out_numel, static_cast<const float*>(x), it, reduced_count);
    return true;
  }
  if (dtype == kF64) {
    reduce_t(op, static_cast<double*>(out), out_numel, static_cast<const double*>(x), it, reduced_count);
    return true;
  }
  return false;
}

bool arg_reduce(bool is_max, int dtype, void* values, double* indices, const void* x, const int64_t* shape,
                const int64_t* strides, int64_t offset, int nd, int dim) {
  if (dtype == kF32) {
    arg_reduce_t(is_max, static_cast<float*>(values), indices, static_cast<const float*>(x), shape, strides, offset,
                 nd, dim);
    return true;
  }
  if (dtype == kF64) {
    arg_reduce_t(is_max, static_cast<double*>(values), indices, static_cast<const double*>(x), shape, strides,
                 offset, nd, dim);
    return true;
  }
  return false;
}

}  // namespace ty
