// conv2d through im2col + GEMM, and 2-D max/avg pooling, on contiguous NCHW tensors.
// Parallel work is split over batch items (or planes) whose outputs are disjoint; the weight and
// bias gradients, which sum over the batch, accumulate item by item in order.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "kernels.h"
#include "thread_pool.h"

namespace ty {
namespace {

// col[(c * kh + i) * kw + j][oy * ow + ox] = x[c][oy * sh - ph + i * dh][ox * sw - pw + j * dw] (0 outside).
template <typename T>
void im2col(const T* x, int64_t channels, const Conv2dShape& s, T* col, T pad = T(0)) {
  const int64_t plane = s.oh * s.ow;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t i = 0; i < s.kh; ++i)
      for (int64_t j = 0; j < s.kw; ++j) {
        T* dst = col + ((c * s.kh + i) * s.kw + j) * plane;
        const T* src = x + c * s.h * s.w;
        for (int64_t oy = 0; oy < s.oh; ++oy) {
          const int64_t iy = oy * s.sh - s.ph + i * s.dh;
          T* d = dst + oy * s.ow;
          if (iy < 0 || iy >= s.h) {
            for (int64_t ox = 0; ox < s.ow; ++ox) d[ox] = pad;
            continue;
          }
          const T* row = src + iy * s.w;
          for (int64_t ox = 0; ox < s.ow; ++ox) {
            const int64_t ix = ox * s.sw - s.pw + j * s.dw;
            d[ox] = (ix >= 0 && ix < s.w) ? row[ix] : pad;
          }
        }
      }
}

// The adjoint of im2col: adds every column entry back onto the input position it came from.
template <typename T>
void col2im_add(const T* col, int64_t channels, const Conv2dShape& s, T* x) {
  const int64_t plane = s.oh * s.ow;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t i = 0; i < s.kh; ++i)
      for (int64_t j = 0; j < s.kw; ++j) {
        const T* src = col + ((c * s.kh + i) * s.kw + j) * plane;
        T* dst = x + c * s.h * s.w;
        for (int64_t oy = 0; oy < s.oh; ++oy) {
          const int64_t iy = oy * s.sh - s.ph + i * s.dh;
          if (iy < 0 || iy >= s.h) continue;
          T* row = dst + iy * s.w;
          const T* sr = src + oy * s.ow;
          for (int64_t ox = 0; ox < s.ow; ++ox) {
            const int64_t ix = ox * s.sw - s.pw + j * s.dw;
            if (ix >= 0 && ix < s.w) row[ix] += sr[ox];
          }
        }
      }
}

template <typename T>
void mm(int64_t m, int64_t n, int64_t k, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb, int64_t csb,
        T beta, T* c, int64_t rsc) {
  GemmArgs<T> g{1, m, n, k, T(1), a, 0, rsa, csa, b, 0, rsb, csb, beta, c, 0, rsc, 1};
  gemm(g);
}

template <typename T>
void conv_forward_t(T* out, const T* x, const T* w, const T* bias, const Conv2dShape& s) {
  const int64_t cin_g = s.c_in / s.groups, cout_g = s.c_out / s.groups;
  const int64_t kdim = cin_g * s.kh * s.kw, plane = s.oh * s.ow;
  const bool pointwise = s.kh == 1 && s.kw == 1 && s.sh == 1 && s.sw == 1 && s.ph == 0 && s.pw == 0;
  auto item = [&](int64_t n) {
    std::vector<T> col(pointwise ? 0 : static_cast<size_t>(kdim * plane));
    for (int64_t g = 0; g < s.groups; ++g) {
      const T* xg = x + (n * s.c_in + g * cin_g) * s.h * s.w;
      const T* src = xg;
      if (!pointwise) {
        im2col(xg, cin_g, s, col.data());
        src = col.data();
      }
      T* og = out + (n * s.c_out + g * cout_g) * plane;
      mm<T>(cout_g, plane, kdim, w + g * cout_g * kdim, kdim, 1, src, plane, 1, T(0), og, plane);
      if (bias != nullptr)
        for (int64_t co = 0; co < cout_g; ++co) {
          const T bv = bias[g * cout_g + co];
          for (int64_t p = 0; p < plane; ++p) og[co * plane + p] += bv;
        }
    }
  };
  if (s.n > 1 && num_threads() > 1) parallel_for(s.n, [&](int64_t n, int) { item(n); });
  else for (int64_t n = 0; n < s.n; ++n) item(n);
}

template <typename T>
void conv_backward_t(T* gx, T* gw, T* gb, const T* go, const T* x, const T* w, const Conv2dShape& s) {
  const int64_t cin_g = s.c_in / s.groups, cout_g = s.c_out / s.groups;
  const int64_t kdim = cin_g * s.kh * s.kw, plane = s.oh * s.ow;
  if (gx != nullptr) {
    std::memset(gx, 0, sizeof(T) * static_cast<size_t>(s.n * s.c_in * s.h * s.w));
    auto item = [&](int64_t n) {
      std::vector<T> col(static_cast<size_t>(kdim * plane));
      for (int64_t g = 0; g < s.groups; ++g) {
        // col = W_g^T (kdim x cout_g) @ grad_out[n, g] (cout_g x plane)
        mm<T>(kdim, plane, cout_g, w + g * cout_g * kdim, 1, kdim, go + (n * s.c_out + g * cout_g) * plane, plane, 1,
              T(0), col.data(), plane);
        col2im_add(col.data(), cin_g, s, gx + (n * s.c_in + g * cin_g) * s.h * s.w);
      }
    };
    if (s.n > 1 && num_threads() > 1) parallel_for(s.n, [&](int64_t n, int) { item(n); });
    else for (int64_t n = 0; n < s.n; ++n) item(n);
  }
  if (gw != nullptr) {
    std::vector<T> col(static_cast<size_t>(kdim * plane));
    for (int64_t n = 0; n < s.n; ++n)
      for (int64_t g = 0; g < s.groups; ++g) {
        im2col(x + (n * s.c_in + g * cin_g) * s.h * s.w, cin_g, s, col.data());
        // grad_w[g] (cout_g x kdim) += grad_out[n, g] (cout_g x plane) @ col^T (plane x kdim)
        mm<T>(cout_g, kdim, plane, go + (n * s.c_out + g * cout_g) * plane, plane, 1, col.data(), 1, plane,
              n == 0 ? T(0) : T(1), gw + g * cout_g * kdim, kdim);
      }
    if (s.n == 0) std::memset(gw, 0, sizeof(T) * static_cast<size_t>(s.c_out * kdim));
  }
  if (gb != nullptr) {
    std::vector<double> acc(static_cast<size_t>(s.c_out), 0.0);
    for (int64_t n = 0; n < s.n; ++n)
      for (int64_t co = 0; co < s.c_out; ++co) {
        const T* p = go + (n * s.c_out + co) * plane;
        double a = acc[co];
        for (int64_t q = 0; q < plane; ++q) a += p[q];
        acc[co] = a;
      }
    for (int64_t co = 0; co < s.c_out; ++co) gb[co] = static_cast<T>(acc[co]);
  }
}

template <typename Body>
void over_planes(int64_t planes, Body&& body) {
  if (planes > 1 && num_threads() > 1) parallel_for(planes, [&](int64_t p, int) { body(p); });
  else for (int64_t p = 0; p < planes; ++p) body(p);
}

template <typename T>
void max_pool_fwd_t(T* out, double* idx, const T* x, const Pool2dShape& s) {
  over_planes(s.n * s.c, [&](int64_t p) {
    const T* xp = x + p * s.h * s.w;
    for (int64_t oy = 0; oy < s.oh; ++oy)
      for (int64_t ox = 0; ox < s.ow; ++ox) {
        const int64_t y0 = oy * s.sh - s.ph, x0 = ox * s.sw - s.pw;
        T best = -INFINITY;
        int64_t best_i = -1;
        for (int64_t i = 0; i < s.kh; ++i) {
          const int64_t iy = y0 + i;
          if (iy < 0 || iy >= s.h) continue;
          for (int64_t j = 0; j < s.kw; ++j) {
            const int64_t ix = x0 + j;
            if (ix < 0 || ix >= s.w) continue;
            const T v = xp[iy * s.w + ix];
            if (best_i < 0 || v > best || v != v) {
              best = v;
              best_i = iy * s.w + ix;
              if (v != v) goto done;
            }
          }
        }
      done:
        const int64_t o = (p * s.oh + oy) * s.ow + ox;
        out[o] = best;
        if (idx != nullptr) idx[o] = static_cast<double>(best_i);
      }
  });
}

template <typename T>
void max_pool_bwd_t(T* gx, const T* go, const double* idx, const Pool2dShape& s) {
  over_planes(s.n * s.c, [&](int64_t p) {
    T* g = gx + p * s.h * s.w;
    for (int64_t q = 0; q < s.h * s.w; ++q) g[q] = T(0);
    const int64_t base = p * s.oh * s.ow;
    for (int64_t o = 0; o < s.oh * s.ow; ++o) {
      const int64_t i = static_cast<int64_t>(idx[base + o]);
      if (i >= 0) g[i] += go[base + o];
    }
  });
}

// PyTorch's window rule: the divisor counts padding cells (inside h + ph) when count_include_pad.
struct Window {
  int64_t y0, y1, x0, x1, divisor;
};
inline Window avg_window(const Pool2dShape& s, int64_t oy, int64_t ox) {
  int64_t y0 = oy * s.sh - s.ph, x0 = ox * s.sw - s.pw;
  int64_t y1 = y0 + s.kh < s.h + s.ph ? y0 + s.kh : s.h + s.ph;
  int64_t x1 = x0 + s.kw < s.w + s.pw ? x0 + s.kw : s.w + s.pw;
  const int64_t padded = (y1 - y0) * (x1 - x0);
  y0 = y0 > 0 ? y0 : 0;
  x0 = x0 > 0 ? x0 : 0;
  y1 = y1 < s.h ? y1 : s.h;
  x1 = x1 < s.w ? x1 : s.w;
  return {y0, y1, x0, x1, s.count_include_pad ? padded : (y1 - y0) * (x1 - x0)};
}

template <typename T>
void avg_pool_fwd_t(T* out, const T* x, const Pool2dShape& s) {
  over_planes(s.n * s.c, [&](int64_t p) {
    const T* xp = x + p * s.h * s.w;
    for (int64_t oy = 0; oy < s.oh; ++oy)
      for (int64_t ox = 0; ox < s.ow; ++ox) {
        const Window win = avg_window(s, oy, ox);
        double sum = 0;
        for (int64_t iy = win.y0; iy < win.y1; ++iy)
          for (int64_t ix = win.x0; ix < win.x1; ++ix) sum += xp[iy * s.w + ix];
        out[(p * s.oh + oy) * s.ow + ox] = static_cast<T>(sum / static_cast<double>(win.divisor));
      }
  });
}

template <typename T>
void avg_pool_bwd_t(T* gx, const T* go, const Pool2dShape& s) {
  over_planes(s.n * s.c, [&](int64_t p) {
    T* g = gx + p * s.h * s.w;
    for (int64_t q = 0; q < s.h * s.w; ++q) g[q] = T(0);
    for (int64_t oy = 0; oy < s.oh; ++oy)
      for (int64_t ox = 0; ox < s.ow; ++ox) {
        const Window win = avg_window(s, oy, ox);
        const T v = static_cast<T>(go[(p * s.oh + oy) * s.ow + ox] / static_cast<double>(win.divisor));
        for (int64_t iy = win.y0; iy < win.y1; ++iy)
          for (int64_t ix = win.x0; ix < win.x1; ++ix) g[iy * s.w + ix] += v;
      }
  });
}

template <typename T>
void im2col_batch_t(T* out, const T* x, const Conv2dShape& s, T pad) {
  const int64_t per_item = s.c_in * s.kh * s.kw * s.oh * s.ow;
  over_planes(s.n, [&](int64_t n) { im2col(x + n * s.c_in * s.h * s.w, s.c_in, s, out + n * per_item, pad); });
}

template <typename T>
void col2im_batch_t(T* out, const T* cols, const Conv2dShape& s) {
  const int64_t per_item = s.c_in * s.kh * s.kw * s.oh * s.ow;
  over_planes(s.n, [&](int64_t n) { col2im_add(cols + n * per_item, s.c_in, s, out + n * s.c_in * s.h * s.w); });
}

}  // namespace

#define TY_DISPATCH(dtype, call_f32, call_f64) \
  do {                                         \
    if ((dtype) == kF32) { call_f32; return true; } \
    if ((dtype) == kF64) { call_f64; return true; } \
    return false;                              \
  } while (0)

bool conv2d_forward(int dtype, void* out, const void* x, const void* w, const void* b, const Conv2dShape& s) {
  TY_DISPATCH(dtype,
              conv_forward_t(static_cast<float*>(out), static_cast<const float*>(x), static_cast<const float*>(w),
                             static_cast<const float*>(b), s),
              conv_forward_t(static_cast<double*>(out), static_cast<const double*>(x), static_cast<const double*>(w),
                             static_cast<const double*>(b), s));
}

bool conv2d_backward(int dtype, void* gx, void* gw, void* gb, const void* go, const void* x, const void* w,
                     const Conv2dShape& s) {
  TY_DISPATCH(dtype,
              conv_backward_t(static_cast<float*>(gx), static_cast<float*>(gw), static_cast<float*>(gb),
                              static_cast<const float*>(go), static_cast<const float*>(x),
                              static_cast<const float*>(w), s),
              conv_backward_t(static_cast<double*>(gx), static_cast<double*>(gw), static_cast<double*>(gb),
                              static_cast<const double*>(go), static_cast<const double*>(x),
                              static_cast<const double*>(w), s));
}

bool im2col_batch(int dtype, void* out, const void* x, const Conv2dShape& s, double pad) {
  TY_DISPATCH(dtype, im2col_batch_t(static_cast<float*>(out), static_cast<const float*>(x), s, float(pad)),
              im2col_batch_t(static_cast<double*>(out), static_cast<const double*>(x), s, pad));
}

bool col2im_batch(int dtype, void* out, const void* cols, const Conv2dShape& s) {
  TY_DISPATCH(dtype, col2im_batch_t(static_cast<float*>(out), static_cast<const float*>(cols), s),
              col2im_batch_t(static_cast<double*>(out), static_cast<const double*>(cols), s));
}

bool max_pool2d_forward(int dtype, void* out, double* idx, const void* x, const Pool2dShape& s) {
  TY_DISPATCH(dtype, max_pool_fwd_t(static_cast<float*>(out), idx, static_cast<const float*>(x), s),
              max_pool_fwd_t(static_cast<double*>(out), idx, static_cast<const double*>(x), s));
}

bool max_pool2d_backward(int dtype, void* gx, const void* go, const double* idx, const Pool2dShape& s) {
  TY_DISPATCH(dtype, max_pool_bwd_t(static_cast<float*>(gx), static_cast<const float*>(go), idx, s),
              max_pool_bwd_t(static_cast<double*>(gx), static_cast<const double*>(go), idx, s));
}

bool avg_pool2d_forward(int dtype, void* out, const void* x, const Pool2dShape& s) {
  TY_DISPATCH(dtype, avg_pool_fwd_t(static_cast<float*>(out), static_cast<const float*>(x), s),
              avg_pool_fwd_t(static_cast<double*>(out), static_cast<const double*>(x), s));
}

bool avg_pool2d_backward(int dtype, void* gx, const void* go, const Pool2dShape& s) {
  TY_DISPATCH(dtype, avg_pool_bwd_t(static_cast<float*>(gx), static_cast<const float*>(go), s),
              avg_pool_bwd_t(static_cast<double*>(gx), static_cast<const double*>(go), s));
}

}  // namespace ty
