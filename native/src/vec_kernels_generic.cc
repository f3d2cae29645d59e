// The VecKernels (vec_kernels.h) for generic, compiled with this library's flags (binding.gyp).
#define TY_VEC_NS generic
#define TY_VEC_ISA "generic"
#include "vec_kernels_impl.h"
