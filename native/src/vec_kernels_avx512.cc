// The VecKernels (vec_kernels.h) for avx512, compiled with this library's flags (binding.gyp).
#define TY_VEC_NS avx512
#define TY_VEC_ISA "avx512"
#include "vec_kernels_impl.h"
