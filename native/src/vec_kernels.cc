// Run-time choice of the VecKernels (vec_kernels.h), with the same rule as the GEMM (cpu.h).
#include "vec_kernels.h"

#include "cpu.h"

namespace ty {

template <>
const VecKernels<float>& vec_kernels<float>() {
  static const VecKernels<float>& k = [] () -> const VecKernels<float>& {
    switch (active_isa()) {
#ifdef TY_X86_KERNELS
      case Isa::avx512: return avx512::vec_kernels_f32();
      case Isa::avx2: return avx2::vec_kernels_f32();
#endif
      default: return generic::vec_kernels_f32();
    }
  }();
  return k;
}

template <>
const VecKernels<double>& vec_kernels<double>() {
  static const VecKernels<double>& k = [] () -> const VecKernels<double>& {
    switch (active_isa()) {
#ifdef TY_X86_KERNELS
      case Isa::avx512: return avx512::vec_kernels_f64();
      case Isa::avx2: return avx2::vec_kernels_f64();
#endif
      default: return generic::vec_kernels_f64();
    }
  }();
  return k;
}

}  // namespace ty
