// Softmax, log-softmax (forward and backward) over the middle axis of [outer, size, inner], and
// cross-entropy fused with its gradient. Sums are taken in double precision in index order; work
// is split over independent rows only.
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels.h"
#include "thread_pool.h"

namespace ty {
namespace {

template <typename Body>
void over_rows(int64_t rows, int64_t row_cost, Body&& body) {
  const int threads = num_threads();
  if (threads == 1 || rows * row_cost < (1 << 15) || rows < 2) {
    for (int64_t r = 0; r < rows; ++r) body(r);
    return;
  }
  const int64_t tasks = rows < threads * 4 ? rows : threads * 4;
  const int64_t per = (rows + tasks - 1) / tasks;
  parallel_for(tasks, [&](int64_t t, int) {
    const int64_t e = (t + 1) * per < rows ? (t + 1) * per : rows;
    for (int64_t r = t * per; r < e; ++r) body(r);
  });
}

template <typename T>
void softmax_t(T* out, const T* x, int64_t outer, int64_t size, int64_t inner, bool log) {
  over_rows(outer * inner, size, [&](int64_t row) {
    const int64_t o = row / inner, i = row % inner;
    const T* xp = x + o * size * inner + i;
    T* op = out + o * size * inner + i;
    T mx = -INFINITY;
    bool nan = false;
    for (int64_t j = 0; j < size; ++j) {
      const T v = xp[j * inner];
      if (v != v) nan = true;
      if (v > mx) mx = v;
    }
    if (nan) {
      for (int64_t j = 0; j < size; ++j) op[j * inner] = NAN;
      return;
    }
    if (mx == -INFINITY) mx = 0;  // every entry -inf: exp gives 0s and the result is NaN, as PyTorch
    double sum = 0;
    if (log) {
      for (int64_t j = 0; j < size; ++j) sum += std::exp(static_cast<double>(xp[j * inner]) - mx);
      const double lse = std::log(sum) + mx;
      for (int64_t j = 0; j < size; ++j) op[j * inner] = static_cast<T>(xp[j * inner] - lse);
    } else {
      for (int64_t j = 0; j < size; ++j) {
        const double e = std::exp(static_cast<double>(xp[j * inner]) - mx);
        op[j * inner] = static_cast<T>(e);
        sum += e;
      }
      const double inv = 1.0 / sum;
      for (int64_t j = 0; j < size; ++j) op[j * inner] = static_cast<T>(op[j * inner] * inv);
    }
  });
}

template <typename T>
void softmax_backward_t(T* gi, const T* go, const T* y, int64_t outer, int64_t size, int64_t inner, bool log) {
  over_rows(outer * inner, size, [&](int64_t row) {
    const int64_t o = row / inner, i = row % inner;
    const int64_t base = o * size * inner + i;
    double s = 0;
    if (log) {
      for (int64_t j = 0; j < size; ++j) s += go[base + j * inner];
      for (int64_t j = 0; j < size; ++j) {
        const int64_t k = base + j * inner;
        gi[k] = static_cast<T>(go[k] - std::exp(static_cast<double>(y[k])) * s);
      }
    } else {
      for (int64_t j = 0; j < size; ++j) s += static_cast<double>(go[base + j * inner]) * y[base + j * inner];
      for (int64_t j = 0; j < size; ++j) {
        const int64_t k = base + j * inner;
        gi[k] = static_cast<T>(y[k] * (go[k] - s));
      }
    }
  });
}

template <typename T>
int64_t cross_entropy_t(const T* logits, const double* target, int64_t n, int64_t c, int64_t ignore_index,
                        double smoothing, T* loss, T* grad, double grad_scale) {
  std::vector<uint8_t> counted(static_cast<size_t>(n), 0);
  over_rows(n, c, [&](int64_t r) {
    const T* x = logits + r * c;
    T* g = grad != nullptr ? grad + r * c : nullptr;
    const int64_t t = static_cast<int64_t>(target[r]);
    if (t == ignore_index) {
      loss[r] = 0;
      if (g != nullptr)
        for (int64_t j = 0; j < c; ++j) g[j] = 0;
      return;
    }
    counted[r] = 1;
    double mx = -INFINITY;
    for (int64_t j = 0; j < c; ++j) mx = x[j] > mx ? x[j] : mx;
    double sum = 0, sum_x = 0;
    for (int64_t j = 0; j < c; ++j) {
      sum += std::exp(x[j] - mx);
      sum_x += x[j];
    }
    const double lse = std::log(sum) + mx;
    // loss = (1 - eps) * (lse - x_t) + eps / c * sum_j (lse - x_j)
    const double nll = lse - x[t];
    const double smooth = lse - sum_x / static_cast<double>(c);
    loss[r] = static_cast<T>((1.0 - smoothing) * nll + smoothing * smooth);
    if (g != nullptr) {
      const double inv = 1.0 / sum;
      const double eps_c = smoothing / static_cast<double>(c);
      for (int64_t j = 0; j < c; ++j) {
        const double p = std::exp(x[j] - mx) * inv;
        g[j] = static_cast<T>((p - eps_c - (j == t ? 1.0 - smoothing : 0.0)) * grad_scale);
      }
    }
  });
  int64_t count = 0;
  for (int64_t r = 0; r < n; ++r) count += counted[r];
  return count;
}

}  // namespace

bool softmax(int dtype, void* out, const void* x, int64_t outer, int64_t size, int64_t inner, bool log) {
  if (dtype == kF32) softmax_t(static_cast<float*>(out), static_cast<const float*>(x), outer, size, inner, log);
  else if (dtype == kF64) softmax_t(static_cast<double*>(out), static_cast<const double*>(x), outer, size, inner, log);
  else return false;
  return true;
}

bool softmax_backward(int dtype, void* gi, const void* go, const void* y, int64_t outer, int64_t size, int64_t inner,
                      bool log) {
  if (dtype == kF32)
    softmax_backward_t(static_cast<float*>(gi), static_cast<const float*>(go), static_cast<const float*>(y), outer,
                       size, inner, log);
  else if (dtype == kF64)
    softmax_backward_t(static_cast<double*>(gi), static_cast<const double*>(go), static_cast<const double*>(y), outer,
                       size, inner, log);
  else return false;
  return true;
}

int64_t cross_entropy(int dtype, const void* logits, const double* target, int64_t n, int64_t c,
                      int64_t ignore_index, double smoothing, void* loss, void* grad, double grad_scale) {
  if (dtype == kF32)
    return cross_entropy_t(static_cast<const float*>(logits), target, n, c, ignore_index, smoothing,
                           static_cast<float*>(loss), static_cast<float*>(grad), grad_scale);
  if (dtype == kF64)
    return cross_entropy_t(static_cast<const double*>(logits), target, n, c, ignore_index, smoothing,
                           static_cast<double*>(loss), static_cast<double*>(grad), grad_scale);
  return -1;
}

}  // namespace ty
