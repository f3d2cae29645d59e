// The VecKernels (vec_kernels.h) for avx2, compiled with this library's flags (binding.gyp).
#define TY_VEC_NS avx2
#define TY_VEC_ISA "avx2"
#include "vec_kernels_impl.h"
