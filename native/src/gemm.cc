// GEMM driver in the Goto/BLIS style: the output is cut into NC-column panels, K into KC-deep
// slabs; for each slab a KC x NC panel of B is packed once (shared by all threads) and each
// task packs an MC x KC block of A and sweeps the microkernel over its MR x NR tiles.
//
// Determinism: the blocking depends only on the instruction set, never on the thread count, and
// threads split the work over output tiles only. Every element of C is therefore computed by the
// same sequence of operations (slab by slab in increasing k) whatever the number of threads.
#include "gemm.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

#include "cpu.h"
#include "gemm_ukernel.h"
#include "thread_pool.h"

namespace ty {
namespace {

struct Blocking {
  int64_t mc, kc, nc;
};

template <typename T>
struct Kernel {
  GemmKernelInfo<T> info;
  Blocking blk;
};

template <typename T>
GemmKernelInfo<T> pick_kernel();
// The SIMD libraries are only built for x86 (TY_X86_KERNELS); elsewhere the portable kernel runs.
template <>
GemmKernelInfo<float> pick_kernel<float>() {
  switch (active_isa()) {
#ifdef TY_X86_KERNELS
    case Isa::avx512: return avx512::sgemm_kernel();
    case Isa::avx2: return avx2::sgemm_kernel();
#endif
    default: return generic::sgemm_kernel();
  }
}
template <>
GemmKernelInfo<double> pick_kernel<double>() {
  switch (active_isa()) {
#ifdef TY_X86_KERNELS
    case Isa::avx512: return avx512::dgemm_kernel();
    case Isa::avx2: return avx2::dgemm_kernel();
#endif
    default: return generic::dgemm_kernel();
  }
}

// Sizes chosen so that an MC x KC block of A stays in L2 and a KC x NC panel of B in L3 on
// current x86 cores (1-2 MiB L2); each B sliver streams through L1 against the A block.
template <typename T>
const Kernel<T>& kernel() {
  static const Kernel<T> k = [] {
    Kernel<T> r;
    r.info = pick_kernel<T>();
    // Measured on Zen 5 (AVX-512): a deep KC (fewer passes over C) beats an L1-sized B sliver.
    const int64_t kc = 512;
    const int64_t mc_target = 72;
    r.blk.kc = kc;
    r.blk.mc = (mc_target / r.info.mr) * r.info.mr;
    r.blk.nc = (sizeof(T) == 4 ? 4096 : 2048) / r.info.nr * r.info.nr;
    // TRAINYARD_GEMM_BLOCKING=mc,kc,nc overrides the blocking (for tuning on another CPU).
    if (const char* e = std::getenv("TRAINYARD_GEMM_BLOCKING")) {
      long mc, kc2, nc;
      if (std::sscanf(e, "%ld,%ld,%ld", &mc, &kc2, &nc) == 3 && mc > 0 && kc2 > 0 && nc > 0) {
        r.blk.mc = mc < r.info.mr ? r.info.mr : mc / r.info.mr * r.info.mr;
        r.blk.kc = kc2;
        r.blk.nc = nc < r.info.nr ? r.info.nr : nc / r.info.nr * r.info.nr;
      }
    }
    return r;
  }();
  return k;
}

// A 64-byte aligned scratch buffer per thread, grown on demand and kept for the next call.
template <typename T>
T* scratch(int slot, size_t count) {
  struct Buf {
    void* p = nullptr;
    size_t bytes = 0;
    ~Buf() { std::free(p); }
  };
  thread_local Buf bufs[4];
  Buf& b = bufs[slot];
  size_t need = (count * sizeof(T) + 63) / 64 * 64;
  if (need > b.bytes) {
    std::free(b.p);
    b.p = std::aligned_alloc(64, need);
    if (b.p == nullptr) throw std::bad_alloc();
    b.bytes = need;
  }
  return static_cast<T*>(b.p);
}

// Packs rows [0, mc) x cols [0, kc) of A (strides rs, cs) into MR-row micro-panels, k-major,
// zero-padding the last panel.
template <typename T>
void pack_a_rows(int mr, int64_t rows, int64_t kc, const T* src, int64_t rs, T* dst) {
  // Row-major A: each row is contiguous in k; scatter it down the panel's column i.
  int64_t i = 0;
#ifdef __SSE2__
  if constexpr (sizeof(T) == 4) {
    // Four rows at a time: 4x4 transposes turn four row reads into four k-major stores.
    for (; i + 4 <= rows; i += 4) {
      const float* r0 = reinterpret_cast<const float*>(src + i * rs);
      const float* r1 = r0 + rs;
      const float* r2 = r1 + rs;
      const float* r3 = r2 + rs;
      float* d = reinterpret_cast<float*>(dst) + i;
      int64_t k = 0;
      for (; k + 4 <= kc; k += 4) {
        __m128 a0 = _mm_loadu_ps(r0 + k), a1 = _mm_loadu_ps(r1 + k), a2 = _mm_loadu_ps(r2 + k), a3 = _mm_loadu_ps(r3 + k);
        _MM_TRANSPOSE4_PS(a0, a1, a2, a3);
        _mm_storeu_ps(d + (k + 0) * mr, a0);
        _mm_storeu_ps(d + (k + 1) * mr, a1);
        _mm_storeu_ps(d + (k + 2) * mr, a2);
        _mm_storeu_ps(d + (k + 3) * mr, a3);
      }
      for (; k < kc; ++k) {
        d[k * mr + 0] = r0[k];
        d[k * mr + 1] = r1[k];
        d[k * mr + 2] = r2[k];
        d[k * mr + 3] = r3[k];
      }
    }
  }
#endif
  for (; i < rows; ++i) {
    const T* r = src + i * rs;
    for (int64_t k = 0; k < kc; ++k) dst[k * mr + i] = r[k];
  }
}

// Row-contiguous packing: the kernel's SIMD routine when it has one, else the portable one above.
template <typename T>
inline void pack_rows(PackRowsFn<T> simd, int stride, int64_t rows, int64_t kc, const T* src, int64_t rs, T* dst) {
  if (simd != nullptr) simd(stride, rows, kc, src, rs, dst);
  else pack_a_rows(stride, rows, kc, src, rs, dst);
}

template <typename T>
void pack_a(PackRowsFn<T> simd, int mr, int64_t mc, int64_t kc, const T* a, int64_t rs, int64_t cs, T* out) {
  for (int64_t i0 = 0; i0 < mc; i0 += mr) {
    const int64_t rows = mc - i0 < mr ? mc - i0 : mr;
    T* dst = out + i0 * kc;
    if (cs == 1) {
      pack_rows(simd, mr, rows, kc, a + i0 * rs, rs, dst);
    } else {
      for (int64_t k = 0; k < kc; ++k) {
        const T* src = a + i0 * rs + k * cs;
        for (int64_t i = 0; i < rows; ++i) dst[k * mr + i] = src[i * rs];
      }
    }
    if (rows < mr)
      for (int64_t k = 0; k < kc; ++k)
        for (int64_t i = rows; i < mr; ++i) dst[k * mr + i] = T(0);
  }
}

// Packs the NR-column sliver starting at column j0 of a kc x nc panel of B, k-major, zero-padded.
template <typename T>
void pack_b_sliver(PackRowsFn<T> simd, int nr, int64_t cols, int64_t kc, const T* b, int64_t rs, int64_t cs, T* dst) {
  if (cs == 1 && cols == nr) {
    for (int64_t k = 0; k < kc; ++k) std::memcpy(dst + k * nr, b + k * rs, sizeof(T) * nr);
    return;
  }
  if (cs == 1) {
    for (int64_t k = 0; k < kc; ++k) {
      const T* src = b + k * rs;
      T* d = dst + k * nr;
      for (int64_t j = 0; j < cols; ++j) d[j] = src[j];
      for (int64_t j = cols; j < nr; ++j) d[j] = T(0);
    }
    return;
  }
  if (rs == 1) {
    // B transposed (stored N x K, e.g. a Linear layer's weight): its columns are contiguous rows,
    // which is A's row-major packing problem with NR in place of MR.
    pack_rows(simd, nr, cols, kc, b, cs, dst);
  } else {
    for (int64_t j = 0; j < cols; ++j) {
      const T* src = b + j * cs;
      for (int64_t k = 0; k < kc; ++k) dst[k * nr + j] = src[k * rs];
    }
  }
  for (int64_t j = cols; j < nr; ++j)
    for (int64_t k = 0; k < kc; ++k) dst[k * nr + j] = T(0);
}

template <typename T>
void scale_c(int64_t m, int64_t n, T beta, T* c, int64_t rs, int64_t cs) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      T& x = c[i * rs + j * cs];
      x = beta == T(0) ? T(0) : beta * x;
    }
}

// Products of at most this many flops per K slab read a row-major A in place (no packing): below it,
// packing A costs a noticeable share of the product (square n = 64: about 10%). Not for very short
// slabs (k < 32), where the packed panel's locality wins.
constexpr double kDirectAFlops = 2.0 * 128 * 128 * 128;

// One matrix product with C row-major-ish (csc == 1). parallel decides whether to use the pool.
// force_direct_a: read a row-major A in place whatever the size (the caller knows each A row block is
// swept against very few B slivers, so packing it would not pay).
template <typename T>
void gemm_one(const Kernel<T>& K, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t rsa,
              int64_t csa, const T* b, int64_t rsb, int64_t csb, T beta, T* c, int64_t rsc,
              bool force_direct_a = false) {
  const int mr = K.info.mr, nr = K.info.nr;
  const int64_t MC = K.blk.mc, KC = K.blk.kc, NC = K.blk.nc;
  const int threads = num_threads();

  for (int64_t jc = 0; jc < n; jc += NC) {
    const int64_t nc = n - jc < NC ? n - jc : NC;
    const int64_t n_slivers = (nc + nr - 1) / nr;
    for (int64_t pc = 0; pc < k; pc += KC) {
      const int64_t kc = k - pc < KC ? k - pc : KC;
      const T beta_eff = pc == 0 ? beta : T(1);
      // A small B with unit column stride is read in place (no packing) for its full slivers;
      // otherwise the KC x NC panel is packed once into the caller's scratch, which the tasks share.
      // So is any such B when a single row block uses it (m <= MC): packing would copy all of B for
      // one pass over it.
      const bool direct_b = csb == 1 && (kc * nc * static_cast<int64_t>(sizeof(T)) <= 256 * 1024 || m <= MC);
      T* bp = scratch<T>(1, static_cast<size_t>(n_slivers) * nr * kc);
      const T* bsrc = b + pc * rsb + jc * csb;
      auto pack_b = [&](int64_t s, int) {
        const int64_t j0 = s * nr;
        const int64_t cols = nc - j0 < nr ? nc - j0 : nr;
        if (direct_b && cols == nr) return;
        pack_b_sliver(K.info.pack_rows, nr, cols, kc, bsrc + j0 * csb, rsb, csb, bp + s * nr * kc);
      };
      const int64_t pack_tasks = threads > 1 && !direct_b && kc * nc >= 16384 ? n_slivers : 1;
      if (pack_tasks == 1) {
        for (int64_t s = 0; s < n_slivers; ++s) pack_b(s, 0);
      } else {
        parallel_for(n_slivers, pack_b);
      }

      // Tasks: MC-row blocks x groups of slivers. Split the slivers only when there are too
      // few row blocks to keep every thread busy.
      const int64_t n_ic = (m + MC - 1) / MC;
      int64_t jsplit = 1;
      if (threads > 1 && n_ic < 2 * threads) {
        jsplit = (2 * threads + n_ic - 1) / n_ic;
        if (jsplit > n_slivers) jsplit = n_slivers;
      }
      const int64_t slivers_per_task = (n_slivers + jsplit - 1) / jsplit;
      const double flops = 2.0 * m * nc * kc;
      // A small row-major A is read in place by the microkernel (packing it would cost about as much
      // as the product); otherwise, when row blocks are shared by several tasks, each A block is
      // packed once, up front, for all of them.
      const bool direct_a = K.info.run_direct_a != nullptr && csa == 1 && kc >= 32 && (force_direct_a || flops <= kDirectAFlops);
      T* shared_a = nullptr;
      if (jsplit > 1 && !direct_a) {
        shared_a = scratch<T>(2, static_cast<size_t>(n_ic * MC * kc));
        for (int64_t ib = 0; ib < n_ic; ++ib) {
          const int64_t mc = m - ib * MC < MC ? m - ib * MC : MC;
          pack_a(K.info.pack_rows, mr, mc, kc, a + ib * MC * rsa + pc * csa, rsa, csa, shared_a + ib * MC * kc);
        }
      }
      auto task = [&](int64_t t, int) {
        const int64_t ib = t / jsplit, js = t % jsplit;
        const int64_t i0 = ib * MC;
        const int64_t mc = m - i0 < MC ? m - i0 : MC;
        const int64_t s0 = js * slivers_per_task;
        int64_t s1 = s0 + slivers_per_task;
        if (s1 > n_slivers) s1 = n_slivers;
        if (s0 >= s1) return;
        if (direct_a) {
          const T* ab = a + i0 * rsa + pc;
          for (int64_t s = s0; s < s1; ++s) {
            const int64_t j0 = s * nr;
            const int64_t cols = nc - j0 < nr ? nc - j0 : nr;
            const bool in_place = direct_b && cols == nr;
            const T* bsl = in_place ? bsrc + j0 : bp + s * nr * kc;
            const int64_t ldb = in_place ? rsb : nr;
            for (int64_t ir = 0; ir < mc; ir += mr) {
              const int64_t rows = mc - ir < mr ? mc - ir : mr;
              K.info.run_direct_a(kc, ab + ir * rsa, rsa, bsl, ldb, c + (i0 + ir) * rsc + jc + j0, rsc, alpha, beta_eff,
                                  static_cast<int>(rows), static_cast<int>(cols));
            }
          }
          return;
        }
        T* ap = shared_a != nullptr ? shared_a + ib * MC * kc
                                    : scratch<T>(0, static_cast<size_t>((mc + mr - 1) / mr) * mr * kc);
        if (shared_a == nullptr) pack_a(K.info.pack_rows, mr, mc, kc, a + i0 * rsa + pc * csa, rsa, csa, ap);
        for (int64_t s = s0; s < s1; ++s) {
          const int64_t j0 = s * nr;
          const int64_t cols = nc - j0 < nr ? nc - j0 : nr;
          const bool in_place = direct_b && cols == nr;
          const T* bsl = in_place ? bsrc + j0 : bp + s * nr * kc;
          const int64_t ldb = in_place ? rsb : nr;
          for (int64_t ir = 0; ir < mc; ir += mr) {
            const int64_t rows = mc - ir < mr ? mc - ir : mr;
            T* ct = c + (i0 + ir) * rsc + jc + j0;
            K.info.run(kc, ap + ir * kc, bsl, ldb, ct, rsc, alpha, beta_eff, static_cast<int>(rows),
                       static_cast<int>(cols));
          }
        }
      };
      const int64_t n_tasks = n_ic * jsplit;
      if (threads == 1 || n_tasks == 1 || flops < 3.0e6) {
        for (int64_t t = 0; t < n_tasks; ++t) task(t, 0);
      } else {
        parallel_for(n_tasks, task);
      }
    }
  }
}

// c (m x n, row stride rsc) = ct^T, ct being n x m row-major.
template <typename T>
void transpose_into(int64_t m, int64_t n, const T* ct, T* c, int64_t rsc) {
  int64_t j = 0;
#ifdef __SSE2__
  if constexpr (sizeof(T) == 4) {
    for (; j + 4 <= n; j += 4) {
      const float* r0 = reinterpret_cast<const float*>(ct + j * m);
      int64_t i = 0;
      for (; i + 4 <= m; i += 4) {
        __m128 a0 = _mm_loadu_ps(r0 + i), a1 = _mm_loadu_ps(r0 + m + i), a2 = _mm_loadu_ps(r0 + 2 * m + i),
               a3 = _mm_loadu_ps(r0 + 3 * m + i);
        _MM_TRANSPOSE4_PS(a0, a1, a2, a3);
        float* d = reinterpret_cast<float*>(c + i * rsc + j);
        _mm_storeu_ps(d, a0);
        _mm_storeu_ps(d + rsc, a1);
        _mm_storeu_ps(d + 2 * rsc, a2);
        _mm_storeu_ps(d + 3 * rsc, a3);
      }
      for (; i < m; ++i)
        for (int64_t jj = j; jj < j + 4; ++jj) c[i * rsc + jj] = ct[jj * m + i];
    }
  }
#endif
  for (; j < n; ++j)
    for (int64_t i = 0; i < m; ++i) c[i * rsc + j] = ct[j * m + i];
}

}  // namespace

template <typename T>
void gemm(const GemmArgs<T>& g) {
  if (g.batch <= 0 || g.m <= 0 || g.n <= 0) return;
  const Kernel<T>& K = kernel<T>();
  // The kernels write C rows; a column-major C is the transposed product with A and B swapped.
  if (g.csc != 1 && g.rsc == 1) {
    GemmArgs<T> t = g;
    t.m = g.n; t.n = g.m;
    t.a = g.b; t.bsa = g.bsb; t.rsa = g.csb; t.csa = g.rsb;
    t.b = g.a; t.bsb = g.bsa; t.rsb = g.csa; t.csb = g.rsa;
    t.rsc = g.csc; t.csc = 1;
    gemm(t);
    return;
  }
  if (g.csc != 1) {
    // Neither stride of C is 1: compute into a contiguous buffer, then scatter.
    std::vector<T> tmp(static_cast<size_t>(g.m * g.n));
    for (int64_t bi = 0; bi < g.batch; ++bi) {
      T* cb = g.c + bi * g.bsc;
      if (g.beta != T(0))
        for (int64_t i = 0; i < g.m; ++i)
          for (int64_t j = 0; j < g.n; ++j) tmp[i * g.n + j] = cb[i * g.rsc + j * g.csc];
      GemmArgs<T> t = g;
      t.batch = 1;
      t.a = g.a + bi * g.bsa; t.b = g.b + bi * g.bsb;
      t.c = tmp.data(); t.bsc = 0; t.rsc = g.n; t.csc = 1;
      gemm(t);
      for (int64_t i = 0; i < g.m; ++i)
        for (int64_t j = 0; j < g.n; ++j) cb[i * g.rsc + j * g.csc] = tmp[i * g.n + j];
    }
    return;
  }
  // A narrow C (fewer columns than a microkernel tile, e.g. a 10-class output layer) wastes most of
  // each tile; its transpose C^T = B^T A^T has the long side across the tile instead. It is computed
  // into a scratch buffer and copied back transposed (only when C is not read, beta == 0).
  const bool narrow = g.beta == T(0) && g.n < K.info.nr && g.m > g.n && g.m >= K.info.mr;
  // x W^T with a short x (a Linear layer's forward at a small batch): B is W stored N x K, which the
  // plain path packs whole (it is used by a single row block, so each packed sliver is read once). The
  // transposed product C^T = W x^T reads W in place as its A instead and packs only the short x;
  // C^T is then copied back transposed. Each element is the same chain of fused multiply-adds over k
  // (operands swapped, which does not change a product), so the result is byte-identical.
  const bool swap_nt = !narrow && g.beta == T(0) && K.info.run_direct_a != nullptr && g.rsb == 1 && g.csb != 1 &&
                       g.csa == 1 && g.m <= K.blk.mc && g.n >= 4 * g.m && g.k >= 32;
  auto one = [&](int64_t bi) {
    T* c = g.c + bi * g.bsc;
    if (g.k == 0 || g.alpha == T(0)) {
      scale_c(g.m, g.n, g.beta, c, g.rsc, g.csc);
      return;
    }
    if (narrow) {
      T* ct = scratch<T>(3, static_cast<size_t>(g.m * g.n));
      gemm_one(K, g.n, g.m, g.k, g.alpha, g.b + bi * g.bsb, g.csb, g.rsb, g.a + bi * g.bsa, g.csa, g.rsa, T(0), ct, g.m);
      for (int64_t i = 0; i < g.m; ++i)
        for (int64_t j = 0; j < g.n; ++j) c[i * g.rsc + j] = ct[j * g.m + i];
      return;
    }
    if (swap_nt) {
      T* ct = scratch<T>(3, static_cast<size_t>(g.m * g.n));
      gemm_one(K, g.n, g.m, g.k, g.alpha, g.b + bi * g.bsb, g.csb, g.rsb, g.a + bi * g.bsa, g.csa, g.rsa, T(0), ct, g.m,
               true);
      transpose_into(g.m, g.n, ct, c, g.rsc);
      return;
    }
    gemm_one(K, g.m, g.n, g.k, g.alpha, g.a + bi * g.bsa, g.rsa, g.csa, g.b + bi * g.bsb, g.rsb, g.csb,
             g.beta, c, g.rsc);
  };
  // Many small products: one per task (each still computed exactly as it would be alone).
  const double flops_each = 2.0 * g.m * g.n * g.k;
  if (g.batch > 1 && g.bsc != 0 && num_threads() > 1 && flops_each < 4.0e6) {
    parallel_for(g.batch, [&](int64_t bi, int) { one(bi); });
  } else {
    for (int64_t bi = 0; bi < g.batch; ++bi) one(bi);
  }
}

template void gemm<float>(const GemmArgs<float>&);
template void gemm<double>(const GemmArgs<double>&);

const char* gemm_isa() { return kernel<float>().info.isa; }

}  // namespace ty
