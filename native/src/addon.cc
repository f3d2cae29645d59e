// Node-API bindings. Typed arrays are used in place (their own memory, no copies); the numeric
// description of a call (shapes, strides, offsets) is written by the TypeScript side into one
// shared Float64Array registered once with init(), so a call passes only arrays and a few numbers.
// Every call checks that the elements it will touch lie inside the arrays it was given.
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "cpu.h"
#include "gemm.h"
#include "heap.h"
#include "kernels.h"
#include "thread_pool.h"

namespace ty {

extern const char* const kUnaryOpNames[];
extern const char* const kBinaryOpNames[];

namespace {

constexpr size_t kMetaLen = 1024;
const double* g_meta = nullptr;
Napi::Reference<Napi::Float64Array>* g_meta_ref = nullptr;

struct Arr {
  void* data = nullptr;
  int64_t length = 0;
  int dtype = -1;
};

int dtype_of(napi_typedarray_type t) {
  switch (t) {
    case napi_float32_array: return kF32;
    case napi_float64_array: return kF64;
    case napi_int32_array: return kI32;
    case napi_uint8_array: return kU8;
    default: return -1;
  }
}

// The typed array at info[i] (or an empty Arr for null/undefined when optional).
Arr arr(const Napi::CallbackInfo& info, size_t i, bool optional = false) {
  napi_value v = info[i];
  Arr a;
  if (optional && (info[i].IsNull() || info[i].IsUndefined())) return a;
  napi_typedarray_type type;
  size_t length;
  napi_value ab;
  size_t byte_offset;
  if (napi_get_typedarray_info(info.Env(), v, &type, &length, &a.data, &ab, &byte_offset) != napi_ok)
    throw Napi::TypeError::New(info.Env(), "trainyard native: argument " + std::to_string(i) + " is not a typed array");
  a.length = static_cast<int64_t>(length);
  a.dtype = dtype_of(type);
  if (a.dtype < 0) throw Napi::TypeError::New(info.Env(), "trainyard native: unsupported typed array type");
  return a;
}

double num(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().DoubleValue(); }

// Reads meta values in order.
struct MetaReader {
  size_t pos = 0;
  int64_t i() { return static_cast<int64_t>(g_meta[pos++]); }
  double d() { return g_meta[pos++]; }
};

void require(const Napi::Env& env, bool ok, const char* what) {
  if (!ok) throw Napi::RangeError::New(env, std::string("trainyard native: ") + what);
}

// True when every element of the view (offset + sum idx_d * stride_d) lies in [0, length).
bool view_fits(int64_t length, int64_t offset, int nd, const int64_t* shape, const int64_t* strides) {
  int64_t lo = offset, hi = offset;
  for (int d = 0; d < nd; ++d) {
    if (shape[d] == 0) return true;
    const int64_t span = (shape[d] - 1) * strides[d];
    if (span < 0) lo += span; else hi += span;
  }
  return lo >= 0 && hi < length;
}

// Reads [nd, shape...] then, for each of nops operands, [offset, strides...] into an NdIter.
// Operand slots listed in `contiguous_out` get row-major strides instead (the kernel's fresh output).
void read_iter(const Napi::Env& env, MetaReader& m, NdIter& it, int nops_from_meta, bool with_out) {
  const int64_t nd = m.i();
  require(env, nd >= 0 && nd <= kMaxDims, "too many dims");
  it.nd = static_cast<int>(nd);
  for (int d = 0; d < it.nd; ++d) it.shape[d] = m.i();
  int t = 0;
  if (with_out) {
    int64_t s = 1;
    for (int d = it.nd - 1; d >= 0; --d) {
      it.strides[0][d] = s;
      s *= it.shape[d];
    }
    it.offset[0] = 0;
    t = 1;
  }
  for (int k = 0; k < nops_from_meta; ++k, ++t) {
    it.offset[t] = m.i();
    for (int d = 0; d < it.nd; ++d) it.strides[t][d] = m.i();
  }
  it.nops = t;
  it.numel = 1;
  for (int d = 0; d < it.nd; ++d) {
    require(env, it.shape[d] >= 0, "negative size");
    it.numel *= it.shape[d];
  }
}

void check_operand(const Napi::Env& env, const NdIter& it, int t, const Arr& a) {
  require(env, view_fits(a.length, it.offset[t], it.nd, it.shape, it.strides[t]), "view out of bounds");
}

Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Float64Array meta = info[0].As<Napi::Float64Array>();
  require(info.Env(), meta.ElementLength() >= kMetaLen, "meta buffer too small");
  if (g_meta_ref != nullptr) delete g_meta_ref;
  g_meta_ref = new Napi::Reference<Napi::Float64Array>(Napi::Persistent(meta));
  g_meta = meta.Data();
  return info.Env().Undefined();
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("isa", isa_name(active_isa()));
  o.Set("gemmIsa", gemm_isa());
  o.Set("threads", num_threads());
  o.Set("metaLength", static_cast<double>(kMetaLen));
  Napi::Array u = Napi::Array::New(env);
  for (uint32_t i = 0; kUnaryOpNames[i] != nullptr; ++i) u.Set(i, kUnaryOpNames[i]);
  Napi::Array b = Napi::Array::New(env);
  for (uint32_t i = 0; kBinaryOpNames[i] != nullptr; ++i) b.Set(i, kBinaryOpNames[i]);
  o.Set("unaryOps", u);
  o.Set("binaryOps", b);
  return o;
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  const int n = static_cast<int>(num(info, 0));
  require(info.Env(), n >= 1 && n <= 256, "thread count must be in [1, 256]");
  set_num_threads(n);
  return info.Env().Undefined();
}

Napi::Value NumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), num_threads()); }

// matmul(out, a, b); meta: nb, batchShape[nb], M, N, K, aOff, aStrides[nb + 2], bOff, bStrides[nb + 2]
template <typename T>
void matmul_t(Arr& out, Arr& a, Arr& b, int nb, const int64_t* bshape, int64_t M, int64_t N, int64_t K,
              int64_t aoff, const int64_t* ast, int64_t boff, const int64_t* bst) {
  // Merge the batch dims into as few (size, strideA, strideB, strideC) loops as possible.
  int64_t shp[kMaxDims], sa[kMaxDims], sb[kMaxDims], sc[kMaxDims];
  int n = 0;
  int64_t cstride = M * N, total = 1;
  for (int d = nb - 1; d >= 0; --d) total *= bshape[d];
  // strides of out's batch dims (contiguous)
  int64_t outst[kMaxDims];
  for (int d = nb - 1; d >= 0; --d) {
    outst[d] = cstride;
    cstride *= bshape[d];
  }
  for (int d = 0; d < nb; ++d) {
    if (bshape[d] == 1) continue;
    if (n > 0 && sa[n - 1] == ast[d] * bshape[d] && sb[n - 1] == bst[d] * bshape[d] && sc[n - 1] == outst[d] * bshape[d]) {
      shp[n - 1] *= bshape[d];
      sa[n - 1] = ast[d];
      sb[n - 1] = bst[d];
      sc[n - 1] = outst[d];
    } else {
      shp[n] = bshape[d];
      sa[n] = ast[d];
      sb[n] = bst[d];
      sc[n] = outst[d];
      ++n;
    }
  }
  GemmArgs<T> g{1, M, N, K, T(1), static_cast<const T*>(a.data) + aoff, 0, ast[nb], ast[nb + 1],
                static_cast<const T*>(b.data) + boff, 0, bst[nb], bst[nb + 1], T(0), static_cast<T*>(out.data), 0, N, 1};
  if (n == 0) {
    gemm(g);
    return;
  }
  // The innermost merged batch dim becomes the GEMM's own batch; outer ones loop here.
  g.batch = shp[n - 1];
  g.bsa = sa[n - 1];
  g.bsb = sb[n - 1];
  g.bsc = sc[n - 1];
  const int64_t outer = total / shp[n - 1];
  int64_t idx[kMaxDims] = {0};
  for (int64_t o = 0; o < outer; ++o) {
    int64_t oa = 0, ob = 0, oc = 0;
    for (int d = 0; d < n - 1; ++d) {
      oa += idx[d] * sa[d];
      ob += idx[d] * sb[d];
      oc += idx[d] * sc[d];
    }
    GemmArgs<T> gi = g;
    gi.a = g.a + oa;
    gi.b = g.b + ob;
    gi.c = g.c + oc;
    gemm(gi);
    for (int d = n - 2; d >= 0; --d) {
      if (++idx[d] < shp[d]) break;
      idx[d] = 0;
    }
  }
}

Napi::Value Matmul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr out = arr(info, 0), a = arr(info, 1), b = arr(info, 2);
  if (a.dtype != b.dtype || out.dtype != a.dtype || (a.dtype != kF32 && a.dtype != kF64))
    return Napi::Boolean::New(env, false);
  MetaReader m;
  const int64_t nb = m.i();
  require(env, nb >= 0 && nb + 2 <= kMaxDims, "too many batch dims");
  int64_t bshape[kMaxDims], ast[kMaxDims], bst[kMaxDims];
  for (int d = 0; d < nb; ++d) bshape[d] = m.i();
  const int64_t M = m.i(), N = m.i(), K = m.i();
  const int64_t aoff = m.i();
  for (int d = 0; d < nb + 2; ++d) ast[d] = m.i();
  const int64_t boff = m.i();
  for (int d = 0; d < nb + 2; ++d) bst[d] = m.i();
  int64_t total = M * N;
  for (int d = 0; d < nb; ++d) total *= bshape[d];
  if (total == 0) return Napi::Boolean::New(env, true);
  int64_t ash[kMaxDims], bsh[kMaxDims];
  for (int d = 0; d < nb; ++d) ash[d] = bsh[d] = bshape[d];
  ash[nb] = M; ash[nb + 1] = K;
  bsh[nb] = K; bsh[nb + 1] = N;
  require(env, out.length >= total, "matmul output too small");
  require(env, view_fits(a.length, aoff, static_cast<int>(nb + 2), ash, ast), "matmul: a out of bounds");
  require(env, view_fits(b.length, boff, static_cast<int>(nb + 2), bsh, bst), "matmul: b out of bounds");
  if (a.dtype == kF32) matmul_t<float>(out, a, b, static_cast<int>(nb), bshape, M, N, K, aoff, ast, boff, bst);
  else matmul_t<double>(out, a, b, static_cast<int>(nb), bshape, M, N, K, aoff, ast, boff, bst);
  return Napi::Boolean::New(env, true);
}

// gemm(c, a, b, alpha, beta); meta: batch, M, N, K, aOff, bsA, rsA, csA, bOff, bsB, rsB, csB, cOff, bsC, rsC, csC
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr c = arr(info, 0), a = arr(info, 1), b = arr(info, 2);
  const double alpha = num(info, 3), beta = num(info, 4);
  if (a.dtype != b.dtype || c.dtype != a.dtype || (a.dtype != kF32 && a.dtype != kF64))
    return Napi::Boolean::New(env, false);
  MetaReader m;
  const int64_t batch = m.i(), M = m.i(), N = m.i(), K = m.i();
  int64_t ao = m.i(), bsa = m.i(), rsa = m.i(), csa = m.i();
  int64_t bo = m.i(), bsb = m.i(), rsb = m.i(), csb = m.i();
  int64_t co = m.i(), bsc = m.i(), rsc = m.i(), csc = m.i();
  const int64_t as[3] = {batch, M, K}, ast[3] = {bsa, rsa, csa};
  const int64_t bs[3] = {batch, K, N}, bst[3] = {bsb, rsb, csb};
  const int64_t cs[3] = {batch, M, N}, cst[3] = {bsc, rsc, csc};
  require(env, batch >= 0 && M >= 0 && N >= 0 && K >= 0, "negative size");
  if (batch * M * N == 0) return Napi::Boolean::New(env, true);
  require(env, view_fits(a.length, ao, 3, as, ast) && view_fits(b.length, bo, 3, bs, bst) &&
                   view_fits(c.length, co, 3, cs, cst), "gemm: view out of bounds");
  if (a.dtype == kF32) {
    GemmArgs<float> g{batch, M, N, K, float(alpha), static_cast<const float*>(a.data) + ao, bsa, rsa, csa,
                      static_cast<const float*>(b.data) + bo, bsb, rsb, csb, float(beta),
                      static_cast<float*>(c.data) + co, bsc, rsc, csc};
    gemm(g);
  } else {
    GemmArgs<double> g{batch, M, N, K, alpha, static_cast<const double*>(a.data) + ao, bsa, rsa, csa,
                       static_cast<const double*>(b.data) + bo, bsb, rsb, csb, beta,
                       static_cast<double*>(c.data) + co, bsc, rsc, csc};
    gemm(g);
  }
  return Napi::Boolean::New(env, true);
}

// unary(op, out, x, s0, s1); meta: nd, shape, xOff, xStrides
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = static_cast<int>(num(info, 0));
  Arr out = arr(info, 1), x = arr(info, 2);
  if (out.dtype != x.dtype) return Napi::Boolean::New(env, false);
  MetaReader m;
  NdIter it;
  read_iter(env, m, it, 1, true);
  require(env, out.length >= it.numel, "output too small");
  check_operand(env, it, 1, x);
  return Napi::Boolean::New(env, unary(op, x.dtype, out.data, x.data, it, num(info, 3), num(info, 4)));
}

// binary(op, out, a, b, s0); meta: nd, shape, aOff, aStrides, bOff, bStrides
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = static_cast<int>(num(info, 0));
  Arr out = arr(info, 1), a = arr(info, 2), b = arr(info, 3);
  if (a.dtype != b.dtype) return Napi::Boolean::New(env, false);
  MetaReader m;
  NdIter it;
  read_iter(env, m, it, 2, true);
  require(env, out.length >= it.numel, "output too small");
  check_operand(env, it, 1, a);
  check_operand(env, it, 2, b);
  return Napi::Boolean::New(env, binary(op, a.dtype, out.dtype, out.data, a.data, b.data, it, num(info, 4)));
}

// where(out, cond, a, b); meta: nd, shape, cOff, cStrides, aOff, aStrides, bOff, bStrides
Napi::Value Where(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr out = arr(info, 0), c = arr(info, 1), a = arr(info, 2), b = arr(info, 3);
  if (c.dtype != kU8 || a.dtype != b.dtype || out.dtype != a.dtype) return Napi::Boolean::New(env, false);
  MetaReader m;
  NdIter it;
  read_iter(env, m, it, 3, true);
  require(env, out.length >= it.numel, "output too small");
  check_operand(env, it, 1, c);
  check_operand(env, it, 2, a);
  check_operand(env, it, 3, b);
  return Napi::Boolean::New(env, where(a.dtype, out.data, static_cast<const uint8_t*>(c.data), a.data, b.data, it));
}

// copy(dst, src); meta: nd, shape, dstOff, dstStrides, srcOff, srcStrides
Napi::Value Copy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr dst = arr(info, 0), src = arr(info, 1);
  MetaReader m;
  NdIter it;
  read_iter(env, m, it, 2, false);
  check_operand(env, it, 0, dst);
  check_operand(env, it, 1, src);
  return Napi::Boolean::New(env, copy(dst.dtype, dst.data, src.dtype, src.data, it));
}

// fill(dst, value); meta: nd, shape, off, strides
Napi::Value Fill(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr dst = arr(info, 0);
  MetaReader m;
  NdIter it;
  read_iter(env, m, it, 1, false);
  check_operand(env, it, 0, dst);
  return Napi::Boolean::New(env, fill(dst.dtype, dst.data, it, num(info, 1)));
}

// reduce(op, out, x); meta: nd, shape, xOff, xStrides, nDims, dims...
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = static_cast<int>(num(info, 0));
  Arr out = arr(info, 1), x = arr(info, 2);
  if (out.dtype != x.dtype) return Napi::Boolean::New(env, false);
  MetaReader m;
  NdIter it;
  read_iter(env, m, it, 1, false);
  check_operand(env, it, 0, x);
  const int64_t ndims = m.i();
  bool reduced[kMaxDims] = {false};
  for (int64_t k = 0; k < ndims; ++k) {
    const int64_t d = m.i();
    require(env, d >= 0 && d < it.nd, "reduce dim out of range");
    reduced[d] = true;
  }
  // Operand 0 = the double accumulator (contiguous over kept dims, stride 0 on reduced ones), 1 = x.
  NdIter r;
  r.nd = it.nd;
  r.nops = 2;
  r.offset[0] = 0;
  r.offset[1] = it.offset[0];
  int64_t s = 1, count = 1;
  for (int d = it.nd - 1; d >= 0; --d) {
    r.shape[d] = it.shape[d];
    r.strides[1][d] = it.strides[0][d];
    if (reduced[d]) {
      r.strides[0][d] = 0;
      count *= it.shape[d];
    } else {
      r.strides[0][d] = s;
      s *= it.shape[d];
    }
  }
  const int64_t out_numel = s;
  require(env, out.length >= out_numel, "reduce output too small");
  if (out_numel == 0) return Napi::Boolean::New(env, x.dtype == kF32 || x.dtype == kF64);
  return Napi::Boolean::New(env, reduce(op, x.dtype, out.data, out_numel, x.data, r, count));
}

// argReduce(isMax, values | null, indices, x); meta: nd, shape, off, strides, dim
Napi::Value ArgReduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bool is_max = info[0].ToBoolean();
  Arr values = arr(info, 1, true), indices = arr(info, 2), x = arr(info, 3);
  if ((values.data != nullptr && values.dtype != x.dtype) || indices.dtype != kF64) return Napi::Boolean::New(env, false);
  MetaReader m;
  NdIter it;
  read_iter(env, m, it, 1, false);
  check_operand(env, it, 0, x);
  const int64_t dim = m.i();
  require(env, (it.nd == 0 && dim == 0) || (dim >= 0 && dim < it.nd), "dim out of range");
  int64_t n_out = 1;
  for (int d = 0; d < it.nd; ++d)
    if (d != dim) n_out *= it.shape[d];
  require(env, indices.length >= n_out && (values.data == nullptr || values.length >= n_out), "output too small");
  if (it.numel == 0) return Napi::Boolean::New(env, x.dtype == kF32 || x.dtype == kF64);
  return Napi::Boolean::New(env, arg_reduce(is_max, x.dtype, values.data, static_cast<double*>(indices.data), x.data,
                                            it.shape, it.strides[0], it.offset[0], it.nd, static_cast<int>(dim)));
}

// softmax(out, x, outer, size, inner, log)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr out = arr(info, 0), x = arr(info, 1);
  const int64_t outer = num(info, 2), size = num(info, 3), inner = num(info, 4);
  if (out.dtype != x.dtype) return Napi::Boolean::New(env, false);
  require(env, outer >= 0 && size >= 0 && inner >= 0 && out.length >= outer * size * inner &&
                   x.length >= outer * size * inner, "softmax: arrays too small");
  return Napi::Boolean::New(env, softmax(x.dtype, out.data, x.data, outer, size, inner, info[5].ToBoolean()));
}

// softmaxBackward(gradIn, gradOut, y, outer, size, inner, log)
Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr gi = arr(info, 0), go = arr(info, 1), y = arr(info, 2);
  const int64_t outer = num(info, 3), size = num(info, 4), inner = num(info, 5);
  if (gi.dtype != go.dtype || go.dtype != y.dtype) return Napi::Boolean::New(env, false);
  const int64_t n = outer * size * inner;
  require(env, outer >= 0 && size >= 0 && inner >= 0 && gi.length >= n && go.length >= n && y.length >= n,
          "softmax_backward: arrays too small");
  return Napi::Boolean::New(env, softmax_backward(y.dtype, gi.data, go.data, y.data, outer, size, inner,
                                                  info[6].ToBoolean()));
}

// crossEntropy(logits, target, n, c, ignoreIndex, labelSmoothing, loss, grad | null, gradScale) -> count | -1
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr x = arr(info, 0), t = arr(info, 1);
  const int64_t n = num(info, 2), c = num(info, 3), ignore = num(info, 4);
  const double smoothing = num(info, 5);
  Arr loss = arr(info, 6), grad = arr(info, 7, true);
  const double scale = num(info, 8);
  if (t.dtype != kF64 || loss.dtype != x.dtype || (grad.data != nullptr && grad.dtype != x.dtype))
    return Napi::Number::New(env, -1);
  require(env, n >= 0 && c >= 1 && x.length >= n * c && t.length >= n && loss.length >= n &&
                   (grad.data == nullptr || grad.length >= n * c), "cross_entropy: arrays too small");
  const double* tp = static_cast<const double*>(t.data);
  for (int64_t r = 0; r < n; ++r) {
    const int64_t k = static_cast<int64_t>(tp[r]);
    require(env, k == ignore || (k >= 0 && k < c), "cross_entropy: target out of range");
  }
  return Napi::Number::New(env, static_cast<double>(cross_entropy(x.dtype, x.data, tp, n, c, ignore, smoothing,
                                                                  loss.data, grad.data, scale)));
}

Conv2dShape read_conv(const Napi::Env& env) {
  MetaReader m;
  Conv2dShape s;
  s.n = m.i(); s.c_in = m.i(); s.h = m.i(); s.w = m.i(); s.c_out = m.i(); s.kh = m.i(); s.kw = m.i();
  s.sh = m.i(); s.sw = m.i(); s.ph = m.i(); s.pw = m.i(); s.dh = m.i(); s.dw = m.i(); s.groups = m.i();
  s.oh = (s.h + 2 * s.ph - s.dh * (s.kh - 1) - 1) / s.sh + 1;
  s.ow = (s.w + 2 * s.pw - s.dw * (s.kw - 1) - 1) / s.sw + 1;
  require(env, s.n >= 0 && s.c_in > 0 && s.c_out > 0 && s.groups > 0 && s.c_in % s.groups == 0 &&
                   s.c_out % s.groups == 0 && s.kh > 0 && s.kw > 0 && s.sh > 0 && s.sw > 0 && s.ph >= 0 &&
                   s.pw >= 0 && s.dh > 0 && s.dw > 0 && s.oh > 0 && s.ow > 0, "conv2d: bad shape");
  return s;
}

void check_conv(const Napi::Env& env, const Conv2dShape& s, const Arr* out, const Arr* x, const Arr* w, const Arr* b) {
  if (out && out->data) require(env, out->length >= s.n * s.c_out * s.oh * s.ow, "conv2d: output array too small");
  if (x && x->data) require(env, x->length >= s.n * s.c_in * s.h * s.w, "conv2d: input array too small");
  if (w && w->data) require(env, w->length >= s.c_out * (s.c_in / s.groups) * s.kh * s.kw, "conv2d: weight too small");
  if (b && b->data) require(env, b->length >= s.c_out, "conv2d: bias too small");
}

// conv2dForward(out, x, w, b | null); meta: n, cin, h, w, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups
Napi::Value Conv2dForward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr out = arr(info, 0), x = arr(info, 1), w = arr(info, 2), b = arr(info, 3, true);
  if (out.dtype != x.dtype || w.dtype != x.dtype || (b.data && b.dtype != x.dtype)) return Napi::Boolean::New(env, false);
  Conv2dShape s = read_conv(env);
  check_conv(env, s, &out, &x, &w, &b);
  return Napi::Boolean::New(env, conv2d_forward(x.dtype, out.data, x.data, w.data, b.data, s));
}

// conv2dBackward(gx | null, gw | null, gb | null, go, x, w); meta as conv2dForward
Napi::Value Conv2dBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr gx = arr(info, 0, true), gw = arr(info, 1, true), gb = arr(info, 2, true);
  Arr go = arr(info, 3), x = arr(info, 4), w = arr(info, 5);
  const int dt = x.dtype;
  if (go.dtype != dt || w.dtype != dt || (gx.data && gx.dtype != dt) || (gw.data && gw.dtype != dt) ||
      (gb.data && gb.dtype != dt))
    return Napi::Boolean::New(env, false);
  Conv2dShape s = read_conv(env);
  check_conv(env, s, &go, &x, &w, &gb);
  check_conv(env, s, nullptr, &gx, &gw, nullptr);
  return Napi::Boolean::New(env, conv2d_backward(dt, gx.data, gw.data, gb.data, go.data, x.data, w.data, s));
}

// meta: N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo
Conv2dShape read_window(const Napi::Env& env) {
  MetaReader m;
  Conv2dShape s{};
  s.n = m.i(); s.c_in = m.i(); s.h = m.i(); s.w = m.i(); s.kh = m.i(); s.kw = m.i(); s.sh = m.i(); s.sw = m.i();
  s.ph = m.i(); s.pw = m.i(); s.dh = m.i(); s.dw = m.i(); s.oh = m.i(); s.ow = m.i();
  s.c_out = s.c_in;
  s.groups = 1;
  require(env, s.n >= 0 && s.c_in >= 0 && s.h >= 0 && s.w >= 0 && s.kh > 0 && s.kw > 0 && s.sh > 0 && s.sw > 0 &&
                   s.ph >= 0 && s.pw >= 0 && s.dh > 0 && s.dw > 0 && s.oh >= 0 && s.ow >= 0, "im2col: bad geometry");
  return s;
}

// im2col(out, x, padValue); meta: see read_window
Napi::Value Im2col(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr out = arr(info, 0), x = arr(info, 1);
  if (out.dtype != x.dtype) return Napi::Boolean::New(env, false);
  Conv2dShape s = read_window(env);
  require(env, out.length >= s.n * s.c_in * s.kh * s.kw * s.oh * s.ow && x.length >= s.n * s.c_in * s.h * s.w,
          "im2col: arrays too small");
  return Napi::Boolean::New(env, im2col_batch(x.dtype, out.data, x.data, s, num(info, 2)));
}

// col2im(out, cols): adds into out; meta: see read_window
Napi::Value Col2im(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr out = arr(info, 0), cols = arr(info, 1);
  if (out.dtype != cols.dtype) return Napi::Boolean::New(env, false);
  Conv2dShape s = read_window(env);
  require(env, cols.length >= s.n * s.c_in * s.kh * s.kw * s.oh * s.ow && out.length >= s.n * s.c_in * s.h * s.w,
          "col2im: arrays too small");
  return Napi::Boolean::New(env, col2im_batch(out.dtype, out.data, cols.data, s));
}

Pool2dShape read_pool(const Napi::Env& env) {
  MetaReader m;
  Pool2dShape s;
  s.n = m.i(); s.c = m.i(); s.h = m.i(); s.w = m.i(); s.kh = m.i(); s.kw = m.i(); s.sh = m.i(); s.sw = m.i();
  s.ph = m.i(); s.pw = m.i(); s.oh = m.i(); s.ow = m.i(); s.count_include_pad = m.i() != 0;
  require(env, s.n >= 0 && s.c >= 0 && s.h > 0 && s.w > 0 && s.kh > 0 && s.kw > 0 && s.sh > 0 && s.sw > 0 &&
                   s.ph >= 0 && s.pw >= 0 && 2 * s.ph <= s.kh && 2 * s.pw <= s.kw && s.oh > 0 && s.ow > 0 &&
                   (s.oh - 1) * s.sh - s.ph < s.h && (s.ow - 1) * s.sw - s.pw < s.w, "pool2d: bad shape");
  return s;
}

void check_pool(const Napi::Env& env, const Pool2dShape& s, const Arr& in, const Arr& out) {
  require(env, in.length >= s.n * s.c * s.h * s.w && out.length >= s.n * s.c * s.oh * s.ow, "pool2d: arrays too small");
}

// maxPool2dForward(out, indices | null, x); meta: n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow, countIncludePad
Napi::Value MaxPoolForward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr out = arr(info, 0), idx = arr(info, 1, true), x = arr(info, 2);
  if (out.dtype != x.dtype || (idx.data && idx.dtype != kF64)) return Napi::Boolean::New(env, false);
  Pool2dShape s = read_pool(env);
  check_pool(env, s, x, out);
  if (idx.data) check_pool(env, s, x, idx);
  return Napi::Boolean::New(env, max_pool2d_forward(x.dtype, out.data, static_cast<double*>(idx.data), x.data, s));
}

// maxPool2dBackward(gx, go, indices); meta as forward
Napi::Value MaxPoolBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr gx = arr(info, 0), go = arr(info, 1), idx = arr(info, 2);
  if (gx.dtype != go.dtype || idx.dtype != kF64) return Napi::Boolean::New(env, false);
  Pool2dShape s = read_pool(env);
  check_pool(env, s, gx, go);
  check_pool(env, s, gx, idx);
  const double* ip = static_cast<const double*>(idx.data);
  for (int64_t i = 0, n = s.n * s.c * s.oh * s.ow; i < n; ++i)
    require(env, ip[i] >= -1 && ip[i] < static_cast<double>(s.h * s.w), "max_pool2d: index out of range");
  return Napi::Boolean::New(env, max_pool2d_backward(gx.dtype, gx.data, go.data, ip, s));
}

Napi::Value AvgPoolForward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr out = arr(info, 0), x = arr(info, 1);
  if (out.dtype != x.dtype) return Napi::Boolean::New(env, false);
  Pool2dShape s = read_pool(env);
  check_pool(env, s, x, out);
  return Napi::Boolean::New(env, avg_pool2d_forward(x.dtype, out.data, x.data, s));
}

Napi::Value AvgPoolBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr gx = arr(info, 0), go = arr(info, 1);
  if (gx.dtype != go.dtype) return Napi::Boolean::New(env, false);
  Pool2dShape s = read_pool(env);
  check_pool(env, s, gx, go);
  return Napi::Boolean::New(env, avg_pool2d_backward(gx.dtype, gx.data, go.data, s));
}

// sgdStep(param, grad, momentumBuf | null, lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep)
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr p = arr(info, 0), g = arr(info, 1), buf = arr(info, 2, true);
  SgdParams o{num(info, 3), num(info, 4), num(info, 5), num(info, 6), info[7].ToBoolean(), info[8].ToBoolean(),
              info[9].ToBoolean()};
  if (g.dtype != p.dtype || (buf.data && buf.dtype != p.dtype)) return Napi::Boolean::New(env, false);
  require(env, g.length == p.length && (o.momentum == 0 || (buf.data && buf.length == p.length)),
          "sgd: array lengths differ");
  return Napi::Boolean::New(env, sgd_step(p.dtype, p.data, g.data, buf.data, p.length, o));
}

// adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq | null, lr, beta1, beta2, eps, weightDecay, step,
//          amsgrad, maximize, decoupled)
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr p = arr(info, 0), g = arr(info, 1), m1 = arr(info, 2), m2 = arr(info, 3), mx = arr(info, 4, true);
  AdamParams o{num(info, 5), num(info, 6), num(info, 7), num(info, 8), num(info, 9),
               static_cast<int64_t>(num(info, 10)), info[11].ToBoolean(), info[12].ToBoolean(), info[13].ToBoolean()};
  const int dt = p.dtype;
  if (g.dtype != dt || m1.dtype != dt || m2.dtype != dt || (mx.data && mx.dtype != dt)) return Napi::Boolean::New(env, false);
  require(env, g.length == p.length && m1.length == p.length && m2.length == p.length &&
                   (!o.amsgrad || (mx.data && mx.length == p.length)) && o.step >= 1, "adam: bad arguments");
  return Napi::Boolean::New(env, adam_step(dt, p.data, g.data, m1.data, m2.data, mx.data, p.length, o));
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  keep_large_blocks_in_heap();
  exports.Set("init", Napi::Function::New(env, Init));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("numThreads", Napi::Function::New(env, NumThreads));
  exports.Set("matmul", Napi::Function::New(env, Matmul));
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("where", Napi::Function::New(env, Where));
  exports.Set("copy", Napi::Function::New(env, Copy));
  exports.Set("fill", Napi::Function::New(env, Fill));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("argReduce", Napi::Function::New(env, ArgReduce));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("softmaxBackward", Napi::Function::New(env, SoftmaxBackward));
  exports.Set("crossEntropy", Napi::Function::New(env, CrossEntropy));
  exports.Set("conv2dForward", Napi::Function::New(env, Conv2dForward));
  exports.Set("conv2dBackward", Napi::Function::New(env, Conv2dBackward));
  exports.Set("im2col", Napi::Function::New(env, Im2col));
  exports.Set("col2im", Napi::Function::New(env, Col2im));
  exports.Set("maxPool2dForward", Napi::Function::New(env, MaxPoolForward));
  exports.Set("maxPool2dBackward", Napi::Function::New(env, MaxPoolBackward));
  exports.Set("avgPool2dForward", Napi::Function::New(env, AvgPoolForward));
  exports.Set("avgPool2dBackward", Napi::Function::New(env, AvgPoolBackward));
  exports.Set("sgdStep", Napi::Function::New(env, SgdStep));
  exports.Set("adamStep", Napi::Function::New(env, AdamStep));
  return exports;
}

}  // namespace
}  // namespace ty

static Napi::Object InitTrainyardNative(Napi::Env env, Napi::Object exports) { return ty::Module(env, exports); }
NODE_API_MODULE(trainyard_native, InitTrainyardNative)
